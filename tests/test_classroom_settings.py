"""The class settings file: validated, private, passwords overridable from the environment."""
import os

import pytest

from classroom import settings as class_settings
from classroom.settings import ClassSettings, SettingsError

GOOD = dict(learners=["ada", "bob"], instructors=["teacher"], learner_password="learners-pw",
            instructor_password="i" * 32)


def test_starter_round_trips_through_a_private_file(tmp_path):
    path = tmp_path / "class.toml"
    class_settings.write(class_settings.starter(), path)
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = class_settings.load(path)
    assert loaded.learners == ["learner1", "learner2", "learner3"] and loaded.instructors == ["instructor"]
    assert loaded.ip == "127.0.0.1"


def test_a_readable_settings_file_is_refused(tmp_path):
    path = tmp_path / "class.toml"
    class_settings.write(ClassSettings(**GOOD), path)
    os.chmod(path, 0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        class_settings.load(path)


def test_environment_passwords_win(tmp_path, monkeypatch):
    path = tmp_path / "class.toml"
    class_settings.write(ClassSettings(**GOOD), path)
    monkeypatch.setenv("CLASSROOM_LEARNER_PASSWORD", "from-the-env")
    assert class_settings.load(path).learner_password == "from-the-env"


@pytest.mark.parametrize("change, message", [
    ({"learners": ["Root!"]}, "user names"),
    ({"learners": ["teacher"]}, "both"),
    ({"instructors": []}, "at least one instructor"),
    ({"learner_password": ""}, "at least 8"),
    ({"instructor_password": "short"}, "at least 32"),
    ({"learner_password": "i" * 32}, "must differ"),
    ({"progress_db_url": "mysql://db/progress"}, "progress_db_url"),
    ({"progress_db_url": "/var/lib/progress.sqlite"}, "progress_db_url"),
    ({"stuck_minutes": 0}, "stuck_minutes"),
    ({"stuck_minutes": 2000}, "stuck_minutes"),
    ({"stuck_minutes": 2.5}, "stuck_minutes"),
    ({"stuck_minutes": True}, "stuck_minutes"),
])
def test_bad_settings_say_what_is_wrong(change, message):
    with pytest.raises(SettingsError, match=message):
        ClassSettings(**{**GOOD, **change})


def test_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(SettingsError, match="make classroom"):
        class_settings.load(tmp_path / "none.toml")


def test_the_progress_database_defaults_to_sqlite_in_the_state_folder(tmp_path):
    settings = ClassSettings(**GOOD, state_dir=tmp_path)
    assert settings.progress_db == f"sqlite:///{tmp_path / 'progress.sqlite'}" and settings.stuck_minutes == 10
    url = "postgresql+psycopg://progress@db.example.org/progress"
    assert ClassSettings(**GOOD, progress_db_url=url).progress_db == url


def test_progress_settings_round_trip_through_the_file(tmp_path):
    path = tmp_path / "class.toml"
    class_settings.write(ClassSettings(**GOOD, progress_db_url="sqlite:////srv/p.sqlite", stuck_minutes=5), path)
    loaded = class_settings.load(path)
    assert (loaded.progress_db_url, loaded.stuck_minutes) == ("sqlite:////srv/p.sqlite", 5)
