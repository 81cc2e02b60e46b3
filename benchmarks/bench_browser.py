"""Slider move → updated pixels, in real JupyterLab driven through headless Chromium, against a floor.

Uses the real-browser test's private JupyterLab (127.0.0.1, random token) and
Debian's Chromium. Each live view gets a small notebook of two cells: the view,
and a *do-nothing slider* whose callback only writes its value into one line of
text (the least a live view can show: the floor of the whole pipeline). Arrow-key
presses go to the two sliders in turns, in blocks of ``BLOCK``, so both see the
same page, the same key presses and the same load from other processes. In the
page, the clock starts at the key press and stops in the first animation frame
after the view's new picture is on the page (a new ``<img>`` decoded, or a new
HTML/SVG view in place), so a figure covers the whole round trip: browser →
kernel (recompute, redraw, encode) → browser (decode, paint).

Each view's row is its median and 95th percentile divided by the floor's median
and 95th percentile on the same page. To add a view, add one ``View`` to ``VIEWS``.
"""
from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from benchmarks.common import ROOT, Figure, summarise

sys.path.insert(0, str(ROOT / "tests"))  # the browser test's helpers live there
from browser import CHROMIUM, CHROMIUM_ARGS, Lab, run_all_cells  # noqa: E402

MOVES = 40  # key presses measured per slider and page
BLOCK = 10  # presses in a row on one slider before switching to the other
WARMUP = 4
PAUSE_MS = (10, 60)  # a seeded random pause before each press, as a hand on the keys would leave
MEDIAN_RATIO, P95_RATIO = 1.5, 2.0  # issue 17: a live view's median and p95 over the floor's


def key_path(moves: int) -> list[str]:
    """Right, back left past the start, right again, then right-left pairs: ends where it began."""
    quarter = moves // 4
    rest = moves - 4 * quarter
    return (["ArrowRight"] * quarter + ["ArrowLeft"] * (2 * quarter) + ["ArrowRight"] * quarter
            + ["ArrowRight", "ArrowLeft"] * (rest // 2) + ["ArrowRight"] * (rest % 2))


def back_and_forth(moves: int) -> list[str]:
    """Right, left, right, …: one step either side of the start, for sliders with a few steps."""
    return ["ArrowRight", "ArrowLeft"] * (moves // 2) + ["ArrowRight"] * (moves % 2)


@dataclass
class View:
    """A live view to time: the notebook code that shows it and the label of the slider to press."""

    code: str
    slider: str
    keys: Callable[[int], list[str]] = key_path  # back_and_forth for sliders with a few steps


HEATMAP = """import numpy as np
from lessons_lib.widgets import WeightMatrixExplorer

rng = np.random.default_rng(0)  # the same seeded stand-in sentence as benchmarks/bench_widgets.py
WeightMatrixExplorer([f"tok{{i}}" for i in range({n})], rng.normal(size=({n}, 4)))"""

HEADS = """from lessons_lib.pretrained import load_model
from lessons_lib.pretrained.explorer import HeadExplorer
from lessons_lib.pretrained.reading import BANK_MONEY, TROPHY_BIG

HeadExplorer(load_model(low_memory=True), [TROPHY_BIG, BANK_MONEY], layer=0, head=0)"""

# Every live view of the course with a slider, as its lesson shows it. To add one: a name, the
# code that displays it as the cell's value, and the label of its slider.
# The real model's live views of lessons 10 and 11: 17-token heatmaps of stored runs.
REAL_MODEL = """from lessons_lib.pretrained import load_model
from lessons_lib.pretrained.reading import TROPHY_BIG
from lessons_lib.pretrained.views import PositionsHeadExplorer, ResidualStreamViewer

model = load_model(low_memory=True)
{}"""

VIEWS = {
    "attention weight explorer, lesson 01": View(
        "from lessons_lib.widgets import AttentionExplorer\nAttentionExplorer()", "deposit"),
    "softmax explorer, lesson 02": View(
        'from lessons_lib.widgets import SoftmaxExplorer\nSoftmaxExplorer(["money", "deposit", "the"], [2.0, 1.0, 0.5])',
        "deposit"),
    "10×10 heatmap, lesson 03": View(HEATMAP.format(n=10), "temperature"),
    "40×40 heatmap": View(HEATMAP.format(n=40), "temperature"),
    "trophy explorer, lesson 05": View(
        "from lessons_lib.example_widgets import TrophyExplorer\nTrophyExplorer(between=3)", "fillers between",
        back_and_forth),
    "translation explorer, lesson 06": View(
        "from lessons_lib.example_widgets import TranslationExplorer\nTranslationExplorer(step=3)", "English word",
        back_and_forth),
    "scaling explorer, lesson 09": View(
        "from lessons_lib.sequence_widgets import ScalingExplorer\nScalingExplorer(d=64)", "dimension d",
        back_and_forth),
    "head explorer, lesson 12": View(HEADS, "head", back_and_forth),
    "head explorer with positions switch, lesson 10": View(
        REAL_MODEL.format("PositionsHeadExplorer(model, [TROPHY_BIG], layer=1, head=8)"), "head", back_and_forth),
    "residual-stream viewer, lesson 11": View(
        REAL_MODEL.format("ResidualStreamViewer(model, [TROPHY_BIG], layer=3)"), "layers run", back_and_forth),
}

FLOOR_LABEL = "do nothing"
FLOOR = f"""import ipywidgets as widgets

# The floor: a slider whose callback only writes its value into one line of text.
floor = widgets.IntSlider(value=50, min=0, max=100, description="{FLOOR_LABEL}")
echo = widgets.HTML('<p class="ll-live">50</p>')
floor.observe(lambda change: setattr(echo, "value", f'<p class="ll-live">{{change["new"]}}</p>'), names="value")
widgets.VBox([floor, echo])"""

# Installed in the page once per slider: time from each key press to the first frame after the
# widget under that slider shows its new state. A picture (<img>) counts once the new image is
# decoded; an HTML or SVG view (.ll-live, .ll-heatmap) once its new content is in the page.
WATCH = """label => {
    const slider = [...document.querySelectorAll('.widget-hslider, .widget-hslider-selection')]
        .find(s => s.querySelector('.widget-label').textContent.trim() === label);
    const output = slider.closest('.jp-OutputArea-output');
    const bench = window.__bench = window.__bench || {start: 0, samples: {}, errors: 0};
    const samples = bench.samples[label] = [];
    if (!bench.listening) {
        document.addEventListener('keydown', () => { bench.start = performance.now(); }, true);
        bench.listening = true;
    }
    const frame = start => requestAnimationFrame(() => samples.push(performance.now() - start));
    const image = output.querySelector('img.widget-image');
    if (image) {
        new MutationObserver(() => {
            const start = bench.start;
            image.decode().then(() => frame(start), () => { bench.errors += 1; });
        }).observe(image, {attributes: true, attributeFilter: ['src']});
    } else {
        const shown = output.querySelectorAll('.ll-live, .ll-heatmap');
        new MutationObserver(() => frame(bench.start))
            .observe(shown[shown.length - 1].parentElement, {childList: true});
    }
}"""


def write_notebook(folder: Path, name: str, code: str) -> str:
    """A notebook with the view's cell and the do-nothing slider's cell."""
    cells = [nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell(FLOOR)]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"bench_{len(list(folder.glob('bench_*.ipynb')))}.ipynb"
    nbformat.write(nb, path)
    return path.name


def _press(page, label: str, keys: list[str], pauses: random.Random) -> None:
    """Press ``keys`` on the slider ``label``, each after a random pause, waiting for its picture."""
    slider = page.locator(".widget-hslider, .widget-hslider-selection").filter(
        has=page.locator(".widget-label", has_text=label)).first
    slider.locator(".noUi-handle").first.focus()
    done = page.evaluate("label => window.__bench.samples[label].length", label)
    for count, key in enumerate(keys, start=done + 1):
        # Pressing again in the very frame the last picture appeared can lock the round trip
        # to the page's frames (every press then waits the same extra frames); a random
        # pause samples the round trip fairly.
        page.wait_for_timeout(pauses.uniform(*PAUSE_MS))
        page.keyboard.press(key)
        page.wait_for_function(f"() => window.__bench.samples[{label!r}].length >= {count}", timeout=20_000)


def measure(page, lab: Lab, notebook: str, view: View) -> tuple[list[float], list[float]]:
    """Milliseconds from key press to new pixels for the view's slider and for the floor's, in turns."""
    page.goto(lab.url(notebook))  # the URL resets the workspace: only this notebook opens
    run_all_cells(page)
    page.locator(".ll-live", has_text="50").first.wait_for(timeout=120_000)  # the floor is the last cell
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=60_000)
    for label in (view.slider, FLOOR_LABEL):
        page.evaluate(WATCH, label)
    pauses = random.Random(0)
    for label in (view.slider, FLOOR_LABEL):
        _press(page, label, view.keys(WARMUP), pauses)
    for _ in range(MOVES // BLOCK):
        for label in (view.slider, FLOOR_LABEL):
            _press(page, label, view.keys(BLOCK), pauses)
    samples = page.evaluate("() => window.__bench.samples")
    return samples[view.slider][WARMUP:], samples[FLOOR_LABEL][WARMUP:]


def ratio_figure(name: str, samples: list[float], floor: list[float]) -> Figure:
    """The view's median and p95 as multiples of the floor's, measured on the same page."""
    view_ms, floor_ms = summarise("", name, samples), summarise("", name, floor)
    note = (f"{view_ms.median:.1f} ms (p95 {view_ms.p95:.1f}); floor on its page {floor_ms.median:.1f} ms "
            f"(p95 {floor_ms.p95:.1f}); {len(samples)} presses each")
    return Figure("slider → pixels ÷ floor", name, view_ms.median / floor_ms.median, "×",
                  view_ms.p95 / floor_ms.p95, MEDIAN_RATIO, note, P95_RATIO)


def run(names: list[str] | None = None) -> list[Figure]:
    """Time every view in ``VIEWS`` (or those named) against the floor; the floor row comes first."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        return [Figure("browser", "slider → pixels", float("nan"), "ms", note=f"skipped: {CHROMIUM} is missing")]
    rows, floors = [], []
    with tempfile.TemporaryDirectory() as tmp:
        lab = Lab(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                for name in names or VIEWS:
                    view = VIEWS[name]
                    notebook = write_notebook(lab.root, name, view.code)
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    print(f"browser: {name}…", file=sys.stderr, flush=True)
                    samples, floor = measure(page, lab, notebook, view)
                    page.close()
                    rows.append(ratio_figure(name, samples, floor))
                    floors += floor
                browser.close()
        finally:
            lab.stop()
    floor_row = summarise("slider → pixels", "do-nothing slider (the floor)", floors,
                          note=f"its callback only writes its value into a line of text; {len(floors)} presses "
                               f"on {len(rows)} pages, between the views' presses")
    return [floor_row, *rows]


if __name__ == "__main__":
    from benchmarks.common import markdown_table

    print(markdown_table(run(sys.argv[1:] or None)))
