"""Slider move → updated pixels, in real JupyterLab driven through headless Chromium.

Uses the real-browser test's private JupyterLab (127.0.0.1, random token) and
Debian's Chromium. For each widget a small notebook is run; then the slider's
handle gets arrow-key presses, one at a time. In the page, the clock starts at the
key press and stops in the first animation frame after the widget's new picture has
been decoded (or its new HTML table is in the page), so the figure covers the whole
round trip: browser → kernel (recompute, redraw, encode) → browser (decode, paint).
"""
from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import nbformat

from benchmarks.common import ROOT, Figure, summarise

sys.path.insert(0, str(ROOT / "tests"))  # the browser test's helpers live there
from browser import CHROMIUM, CHROMIUM_ARGS, Lab, run_all_cells  # noqa: E402

MOVES = 40
WARMUP = 4
PAUSE_MS = (10, 60)  # a seeded random pause before each press, as a hand on the keys would leave
MEDIAN_TARGET, P95_TARGET = 60.0, 100.0  # ms, from the issue

HEATMAP = """import numpy as np
from lessons_lib.widgets import WeightMatrixExplorer

rng = np.random.default_rng(0)  # the same seeded stand-in sentence as benchmarks/bench_widgets.py
WeightMatrixExplorer([f"tok{{i}}" for i in range({n})], rng.normal(size=({n}, 4)))"""

def back_and_forth(moves: int) -> list[str]:
    """Right, left, right, …: one step either side of the start, for sliders with a few steps."""
    return ["ArrowRight", "ArrowLeft"] * (moves // 2) + ["ArrowRight"] * (moves % 2)


def key_path(moves: int) -> list[str]:
    """Arrow keys that go right, back left past the start, and right again: ends where it began."""
    quarter = moves // 4
    return ["ArrowRight"] * quarter + ["ArrowLeft"] * (2 * quarter) + ["ArrowRight"] * (moves - 3 * quarter)


REAL_MODEL = """from lessons_lib.pretrained import load_model
from lessons_lib.pretrained.reading import TROPHY_BIG
from lessons_lib.pretrained.views import PositionsHeadExplorer, ResidualStreamViewer

model = load_model(low_memory=True)
{}"""

# name -> (notebook code, the slider's label, held to the targets?[, key path for a short slider])
WIDGETS = {
    "attention weight explorer": ("from lessons_lib.widgets import AttentionExplorer\nAttentionExplorer()", "deposit", True),
    "10×10 heatmap": (HEATMAP.format(n=10), "temperature", True),
    "40×40 heatmap": (HEATMAP.format(n=40), "temperature", True),
    # Context: two lesson explorers whose sliders have a few steps only.
    "trophy explorer, lesson 05": ("from lessons_lib.example_widgets import TrophyExplorer\nTrophyExplorer(between=3)",
                                   "fillers between", False),
    "translation explorer, lesson 06": (
        "from lessons_lib.example_widgets import TranslationExplorer\nTranslationExplorer(step=3)", "English word", False),
    # The real model's live views (lessons 10 and 11): 17-token heatmaps of stored runs.
    "head explorer with positions switch, lesson 10": (REAL_MODEL.format(
        "PositionsHeadExplorer(model, [TROPHY_BIG], layer=1, head=8)"), "head", True, back_and_forth),
    "residual-stream viewer, lesson 11": (REAL_MODEL.format(
        "ResidualStreamViewer(model, [TROPHY_BIG], layer=3)"), "layers run", True, back_and_forth),
}

# Installed in the page: time from each key press to the first frame after the widget shows its
# new state. A picture (a matplotlib figure) counts once the new image is decoded; an HTML table
# (the live heatmaps) once its new cells are in the page.
WATCH = """label => {
    const slider = [...document.querySelectorAll('.widget-hslider')]
        .find(s => s.querySelector('.widget-label').textContent.trim() === label);
    const output = slider.closest('.jp-OutputArea-output');
    const image = output.querySelector('img.widget-image');
    const bench = window.__bench = {start: 0, samples: [], errors: 0};
    const frame = start => requestAnimationFrame(() => bench.samples.push(performance.now() - start));
    document.addEventListener('keydown', () => { bench.start = performance.now(); }, true);
    if (image) {
        new MutationObserver(() => {
            const start = bench.start;
            image.decode().then(() => frame(start), () => { bench.errors += 1; });
        }).observe(image, {attributes: true, attributeFilter: ['src']});
    } else {
        new MutationObserver(() => frame(bench.start))
            .observe(output.querySelector('.ll-heatmap').parentElement, {childList: true});
    }
}"""


def write_notebook(folder: Path, name: str, code: str) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"bench_{name.split()[0].replace('×', 'x')}.ipynb"
    nbformat.write(nb, path)
    return path.name


def measure(page, lab: Lab, notebook: str, label: str, path=key_path) -> list[float]:
    """Milliseconds from key press to new pixels, for ``MOVES`` presses on the slider ``label``."""
    page.goto(lab.url(notebook))  # the URL resets the workspace: only this notebook opens
    run_all_cells(page)
    page.locator("img.widget-image, .ll-heatmap").first.wait_for(timeout=90_000)
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=60_000)
    page.evaluate(WATCH, label)
    slider = page.locator(".widget-hslider").filter(has=page.locator(".widget-label", has_text=label)).first
    slider.locator(".noUi-handle").first.focus()
    keys = path(WARMUP) + path(MOVES)
    pauses = random.Random(0)
    for count, key in enumerate(keys, start=1):
        # Pressing again in the very frame the last picture appeared can lock the round trip
        # to the page's frames (every press then waits the same extra frames); a random
        # pause samples the round trip fairly.
        page.wait_for_timeout(pauses.uniform(*PAUSE_MS))
        page.keyboard.press(key)
        page.wait_for_function(f"() => window.__bench.samples.length >= {count}", timeout=20_000)
    return page.evaluate("() => window.__bench.samples")[WARMUP:]


def run() -> list[Figure]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        return [Figure("browser", "slider → pixels", float("nan"), "ms", note=f"skipped: {CHROMIUM} is missing")]
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        lab = Lab(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                for name, (code, label, targeted, *short) in WIDGETS.items():
                    notebook = write_notebook(lab.root, name, code)
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    print(f"browser: {name}…", file=sys.stderr, flush=True)
                    path = short[0] if short else key_path if targeted else back_and_forth
                    samples = measure(page, lab, notebook, label, path)
                    page.close()
                    targets = {"target": MEDIAN_TARGET, "p95_target": P95_TARGET} if targeted else {}
                    note = f"{len(samples)} moves in JupyterLab" + ("" if targeted else "; context, no target in the issue")
                    figures.append(summarise("slider → pixels", name, samples, note=note, **targets))
                browser.close()
        finally:
            lab.stop()
    return figures


if __name__ == "__main__":
    from benchmarks.common import markdown_table

    print(markdown_table(run()))
