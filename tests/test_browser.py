"""Real-browser test: JupyterLab in headless Chromium, as a learner uses it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Lab, drag_slider, run_all_cells

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium package)")
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def open_lesson(browser, lab, notebook: str):
    """A new page with ``notebook`` open in JupyterLab and all its cells run, as a learner starts."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(lab.url(notebook))
    run_all_cells(page)
    return page


def weight_of(page, word: str) -> float:
    """Read a word's weight from the explorer's text table (a <pre> in the page)."""
    table = page.locator(".widget-html pre", has_text="blended vector").first.inner_text()
    return float(re.search(rf"^{word}\s+([0-9.]+)$", table, re.MULTILINE).group(1))


def test_explorer_slider_moves_the_weights_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "01_weighted_averages.ipynb")
    page.locator(".widget-html pre", has_text="blended vector").first.wait_for(timeout=90_000)
    before = weight_of(page, "money")
    assert before == pytest.approx(0.30)

    drag_slider(page, "money", dx=120)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.widget-html pre')].some(p => /money\\s+0\\.(?!30\\b)\\d\\d$/m.test(p.innerText))",
        timeout=20_000,
    )
    after = weight_of(page, "money")
    assert after > before, f"moving the money slider right should raise its weight (was {before}, now {after})"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".widget-hslider", has_text="money").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lesson01_explorer.png"))
    page.close()


def test_trophy_toggle_flips_the_weights_of_it_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "05_trophy_and_suitcase.ipynb")
    summary = page.locator(".widget-html", has_text='"it" looks most at').first
    summary.wait_for(timeout=90_000)
    assert "<b>trophy</b>" in summary.inner_html() or "trophy" in summary.locator("b").first.inner_text()
    before = summary.inner_text()
    cell = page.locator(".jp-OutputArea-output", has=page.locator(".widget-toggle-buttons")).first
    picture = cell.locator("img.widget-image").first
    src_before = picture.get_attribute("src")

    toggle = page.locator(".widget-toggle-buttons").first
    toggle.scroll_into_view_if_needed()
    toggle.get_by_role("button", name="small").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.widget-html')]
             .some(e => /looks most at:\\s*suitcase/.test(e.innerText))""",
        timeout=20_000,
    )
    after = summary.inner_text()
    assert after != before
    page.wait_for_function("([img, old]) => img.src !== old", arg=[picture.element_handle(), src_before],
                           timeout=20_000)  # the arc picture is redrawn too
    trophy_before = float(re.search(r"trophy (0\.\d+)", before).group(1))
    trophy_after = float(re.search(r"trophy (0\.\d+)", after).group(1))
    assert trophy_after < trophy_before, "with 'too small', 'it' should look away from the trophy"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lesson05_trophy_small.png"))
    page.close()


def test_temperature_slider_sharpens_the_heatmap_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "03_scores_from_content.ipynb")
    heatmap = page.locator(".ll-heatmap").first
    heatmap.wait_for(timeout=90_000)
    heatmap.scroll_into_view_if_needed()

    def diagonal() -> list[float]:  # each token's weight on itself, as the page shows it
        rows = heatmap.locator("tbody tr")
        return [float(rows.nth(i).locator("td").nth(i).inner_text()) for i in range(rows.count())]

    before, shown = diagonal(), heatmap.inner_html()
    drag_slider(page, "temperature", dx=-150)  # cooler: every row sharpens
    page.wait_for_function("old => document.querySelector('.ll-heatmap').innerHTML !== old", arg=shown,
                           timeout=20_000)  # the table is rewritten, not edited: look it up again
    page.locator(".widget-html p", has_text=re.compile(r"temperature = 0\.[0-4]")).first.wait_for(timeout=20_000)
    after = diagonal()
    assert len(after) == len(before) == 8
    assert max(after) > max(before) and max(after) > 0.9
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    heatmap.screenshot(path=str(ARTIFACTS / "lesson03_heatmap_cool.png"))
    page.close()


def test_positions_switch_changes_the_real_models_head_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "10_multi_head_attention.ipynb")
    summary = page.locator(".widget-html p", has_text="mean weight on the previous token").first
    summary.wait_for(timeout=120_000)
    assert summary.inner_text().startswith("with positions")
    before = float(re.search(r"on the next (\d\.\d\d)", summary.inner_text()).group(1))
    table = page.locator(".ll-heatmap", has_text="position vectors").first
    shown = table.inner_html()
    toggle = page.locator(".widget-toggle-buttons", has_text="positions").first
    toggle.scroll_into_view_if_needed()
    toggle.get_by_role("button", name="off").click()
    page.locator(".widget-html p", has_text="without positions").first.wait_for(timeout=20_000)
    after = float(re.search(r"on the next (\d\.\d\d)",
                            page.locator(".widget-html p", has_text="without positions").first.inner_text()).group(1))
    assert before > 0.5 > 0.1 > after, f"the next-token head should lose its pattern ({before} -> {after})"
    assert page.locator(".ll-heatmap", has_text="without position vectors").first.inner_html() != shown
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".ll-heatmap", has_text="position vectors").first.screenshot(path=str(ARTIFACTS / "lesson10_positions_off.png"))
    page.close()


def test_layer_slider_moves_the_residual_stream_view_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "11_transformer_block.ipynb")
    summary = page.locator(".widget-html p", has_text="closest input vector").first
    summary.wait_for(timeout=120_000)
    summary.scroll_into_view_if_needed()
    before = summary.text_content()
    assert before.startswith("after 3 of 6 layers")
    drag_slider(page, "layers run", dx=400)  # to the last layer
    page.locator(".widget-html p", has_text="after 6 of 6 layers").first.wait_for(timeout=20_000)
    own = lambda text: float(re.search(r"own input vector is (\d\.\d\d)", text).group(1))
    after = page.locator(".widget-html p", has_text="after 6 of 6 layers").first.text_content()
    assert own(after) < own(before)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".ll-heatmap", has_text="after 6 of 6 layers").first.screenshot(path=str(ARTIFACTS / "lesson11_residual.png"))
    page.close()
