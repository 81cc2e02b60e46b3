"""Shared test set-up: a headless matplotlib backend and deterministic hypothesis runs."""
import os

import matplotlib
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
