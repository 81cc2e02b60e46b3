"""In-kernel work per slider step: recompute, then write the new picture (SVG or HTML table).

Each step sets a slider value exactly as the browser does (the widget's observer
runs synchronously), so the time is everything the kernel does before the new
image can leave. CPU time is shown next to wall time: it is less sensitive to
other processes on a shared machine.
"""
from __future__ import annotations

import numpy as np

from benchmarks.common import Figure, repeat_ms, summarise

STEPS = 40
TARGETS = {10: 16.0, 40: 30.0}  # ms per step, from the issue


def random_tokens(n: int, seed: int = 0, dims: int = 4) -> tuple[list[str], np.ndarray]:
    """``n`` token labels and seeded random vectors (a stand-in sentence of that length)."""
    rng = np.random.default_rng(seed)
    return [f"tok{i}" for i in range(n)], rng.normal(size=(n, dims))


def heatmap_explorer(n: int):
    """The weight-matrix explorer (heatmap + temperature slider) on ``n`` tokens."""
    from lessons_lib.widgets import WeightMatrixExplorer

    return WeightMatrixExplorer(*random_tokens(n))


def temperature_path(steps: int) -> list[float]:
    """Temperatures that sweep the slider up and down, never repeating a value twice in a row."""
    up = np.geomspace(0.2, 5.0, steps // 2)
    return [float(t) for t in np.concatenate([up, up[::-1] * 1.01])]


def _step_figures(label: str, slider, values: list[float], target: float | None) -> list[Figure]:
    def step(k: int) -> None:
        slider.value = values[k % len(values)]

    wall, cpu = repeat_ms(step, STEPS)
    return [
        summarise("in-kernel step", f"{label} (wall)", wall, target=target),
        summarise("in-kernel step", f"{label} (CPU)", cpu, note=f"{STEPS} steps, CPU time of the kernel process"),
    ]


def run() -> list[Figure]:
    from lessons_lib.example_widgets import TranslationExplorer, TrophyExplorer
    from lessons_lib.widgets import AttentionExplorer

    figures = []
    for n in (10, 40):
        explorer = heatmap_explorer(n)
        figures += _step_figures(f"{n}×{n} heatmap", explorer.temperature_slider, temperature_path(STEPS), TARGETS[n])
    explorer = AttentionExplorer()
    deposit = explorer.sliders[explorer.tokens.index("deposit")]
    relevances = [0.2 + 0.6 * k / STEPS for k in range(STEPS)]
    figures += _step_figures("attention weight explorer", deposit, relevances, None)
    trophy = TrophyExplorer()
    figures += _step_figures("trophy explorer", trophy.slider, [3, 4] * (STEPS // 2), None)
    translation = TranslationExplorer()
    figures += _step_figures("translation explorer", translation.slider, [3, 4] * (STEPS // 2), None)
    return figures


if __name__ == "__main__":
    from benchmarks.common import markdown_table

    print(markdown_table(run()))
