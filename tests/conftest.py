"""Shared test set-up: a headless matplotlib backend, deterministic hypothesis runs, one classroom hub."""
import os

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Derandomised so CI and a laptop see the same examples; no deadline because
# shared CI machines are slow; no example database written into the tree.
settings.register_profile(
    "course",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))


# --- One real classroom hub for every hub test module (tests/hubtest.py) ---

@pytest.fixture(scope="session")
def classroom(tmp_path_factory):
    """A running hub with three learners and an instructor, for the whole session (root only)."""
    import hubtest
    yield from hubtest.start_classroom(tmp_path_factory.mktemp("classroom"))


@pytest.fixture(scope="session")
def learners(classroom):
    """(the three learners, the instructor): logged in; each learner with a server and a kernel."""
    import hubtest
    yield from hubtest.arrive_everyone(classroom)


def pytest_collection_modifyitems(items):
    """Run the test that stops the shared hub after every other test that uses it."""
    stop = [item for item in items if item.name == "test_stop_ends_the_hub_and_everything_it_started"]
    if stop:
        items.remove(stop[0])
        last = max(i for i, item in enumerate(items) if "classroom" in getattr(item, "fixturenames", ()))
        items.insert(last + 1, stop[0])
