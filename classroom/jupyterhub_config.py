"""JupyterHub configuration for one class on one node (loaded by ``classroom.hub``).

The class (accounts, passwords, address) comes from :mod:`classroom.settings`,
never from this file. Learners log in with the shared learner password; the
instructors with theirs, and are the hub's admins. Each learner's JupyterLab runs
as their own Unix user from the learner environment (runtime requirements only).
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classroom import accounts  # noqa: E402
from classroom.progress import INSTRUCTOR_SCOPE, SERVICE_NAME  # noqa: E402
from classroom.settings import ROOT, learner_env, load  # noqa: E402

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)
settings = load()
state = settings.state_dir
learners_env = learner_env()  # classroom.hub passes it in CLASSROOM_LEARNER_ENV
port = lambda name: int(os.environ[name])  # noqa: E731  (free ports chosen by classroom.hub)

# Addresses: the public proxy where the settings say (127.0.0.1 by default); the hub's
# own API and the proxy's API on loopback only.
c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port('CLASSROOM_HUB_PORT')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port('CLASSROOM_PROXY_API_PORT')}"
c.ConfigurableHTTPProxy.command = [str(ROOT / "classroom" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")

# Who may log in, and who is an admin.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = settings.learner_password
c.SharedPasswordAuthenticator.admin_password = settings.instructor_password
c.Authenticator.admin_users = set(settings.instructors)
c.Authenticator.allowed_users = set(settings.users)

# Each learner's server: their own Unix user, the learner environment, lesson 00 first.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(learners_env / "bin" / "jupyterhub-singleuser")]
c.Spawner.env_keep = ["LANG", "LC_ALL"]
progress_url = f"http://127.0.0.1:{port('CLASSROOM_PROGRESS_PORT')}"  # the progress service, loopback only
c.Spawner.environment = {"PATH": f"{learners_env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
                         "ATTENTION_PROGRESS_URL": f"{progress_url}/services/{SERVICE_NAME}/"}
c.Spawner.ip = "127.0.0.1"
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/notebooks/00_welcome.ipynb"
c.Spawner.args = ["--LabApp.news_url=None", "--LabApp.extension_manager=readonly"]
c.Spawner.start_timeout = 300  # a class logging in at once on two cores starts slowly
c.Spawner.http_timeout = 300
c.Spawner.pre_spawn_hook = lambda spawner: accounts.place_lessons(spawner.user.name)
c.JupyterHub.concurrent_spawn_limit = 200

# Learners' kernels report self-check verdicts to the progress service with their server's
# own token: JupyterHub gives that token only the scopes listed here that its user holds,
# and every user holds access to the service (extra_user_scopes, JupyterHub 6).
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server",
                                 f"access:services!service={SERVICE_NAME}"]
c.JupyterHub.extra_user_scopes = {f"access:services!service={SERVICE_NAME}"}
# Instructors see the whole class: a custom scope, granted by a role to the `instructors`
# group, which holds the class file's instructors (more can be added on the admin page).
c.JupyterHub.custom_scopes = {INSTRUCTOR_SCOPE: {"description": "See every learner's self-check progress."}}
c.JupyterHub.load_groups = {"instructors": {"users": settings.instructors}}

c.JupyterHub.load_roles = [{
    # Idle learner servers are stopped after settings.idle_timeout seconds.
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}, {
    "name": "progress-instructor",
    "description": "Sees the whole class on the progress dashboard",
    "scopes": [INSTRUCTOR_SCOPE],
    "groups": ["instructors"],
}]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={settings.idle_timeout}", f"--cull-every={max(60, settings.idle_timeout // 4)}"],
}, {
    # classroom/progress/: verdicts in, the class dashboard out (at /services/progress/).
    "name": SERVICE_NAME,
    "url": progress_url,
    "command": [sys.executable, "-m", "classroom.progress", "--notebooks", str(ROOT / "notebooks"),
                "--learners", ",".join(settings.learners), "--stuck-minutes", str(settings.stuck_minutes)],
    "cwd": str(ROOT),
    "environment": {"PYTHONPATH": str(ROOT), "PROGRESS_DB_URL": settings.progress_db,
                    "PROGRESS_COOKIE_SECRET_FILE": str(state / "progress_cookie_secret")},
    "oauth_client_allowed_scopes": [INSTRUCTOR_SCOPE],  # the dashboard's login carries it for instructors
    "oauth_no_confirm": True,  # part of the class's hub: no "authorize this service?" page
}]
