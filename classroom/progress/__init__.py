"""The classroom's progress service: self-check verdicts in, a live class dashboard out.

A JupyterHub-managed service named ``progress`` (``jupyterhub_config.py`` starts it
with ``python -m classroom.progress``). Learners' kernels post one verdict per
self-check call with their own hub token (:mod:`.app`); the verdicts are stored
once each (:mod:`.store`) against the course's catalog of exercises, which is
read from the lessons themselves (:mod:`.catalog`); instructors watch the class
on a dashboard page behind the hub's login (``dashboard.html``).
"""

# The custom hub scope that shows the whole class on the dashboard (granted by a hub role).
INSTRUCTOR_SCOPE = "custom:progress:class"
SERVICE_NAME = "progress"
