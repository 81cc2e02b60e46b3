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


def live_view(page, has_text: str):
    """The SVG live view (picture, caption and text twin) whose text contains ``has_text``, once shown."""
    view = page.locator(".ll-live", has_text=has_text).first
    view.wait_for(timeout=90_000)
    view.scroll_into_view_if_needed()
    return view


def picture_of(view) -> str:
    return view.locator("svg").first.evaluate("svg => svg.outerHTML")


def wait_for_new_picture(page, view, old: str) -> None:
    """Wait until the view's picture differs from ``old``.

    Each step rewrites the view's whole HTML, so the wait watches the widget element around it.
    """
    page.wait_for_function("([box, old]) => { const svg = box.querySelector('svg'); return svg && svg.outerHTML !== old; }",
                           arg=[view.locator("xpath=..").element_handle(), old], timeout=20_000)


def wait_until_still(page, view, quiet_ms: int = 500) -> None:
    """Wait until the view's HTML has not changed for ``quiet_ms``: a drag sends several values."""
    page.wait_for_function(
        """([box, quiet]) => {
            const html = box.innerHTML, now = performance.now();
            if (box.__lastHtml !== html) { box.__lastHtml = html; box.__since = now; return false; }
            return now - box.__since >= quiet;
        }""",
        arg=[view.locator("xpath=..").element_handle(), quiet_ms], timeout=20_000, polling=100)


def marks(view, kind: str, attribute: str) -> list[float]:
    """An attribute of every mark of one kind in the picture on screen (e.g. the bars' heights)."""
    return view.locator(f"svg .{kind}").evaluate_all(f"marks => marks.map(m => parseFloat(m.getAttribute('{attribute}')))")


def press(page, slider_label: str, key: str, times: int = 1) -> None:
    """Focus a slider's handle and press an arrow key, as a learner on the keyboard would."""
    slider = page.locator(".widget-hslider").filter(has=page.locator(".widget-label", has_text=slider_label)).first
    slider.scroll_into_view_if_needed()
    slider.locator(".noUi-handle").first.focus()
    for _ in range(times):
        page.keyboard.press(key)


def screenshot(view, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    view.screenshot(path=str(ARTIFACTS / name))


def test_explorer_slider_moves_the_weights_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "01_weighted_averages.ipynb")
    view = live_view(page, "blended vector")
    before, picture = weight_of(page, "money"), picture_of(view)
    assert before == pytest.approx(0.30)
    bars_before = marks(view, "bar", "height")

    drag_slider(page, "money", dx=120)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ll-live pre')].some(p => /money\\s+0\\.(?!30\\b)\\d\\d$/m.test(p.innerText))",
        timeout=20_000,
    )
    wait_for_new_picture(page, view, picture)
    wait_until_still(page, view)  # read the table and the picture of the drag's last value
    after = weight_of(page, "money")
    assert after > before, f"moving the money slider right should raise its weight (was {before}, now {after})"
    bars_after = marks(view, "bar", "height")
    assert bars_after[-1] > bars_before[-1] and len(bars_after) == 8  # "money" is the last word
    assert f"{after:.2f}" in view.locator("svg .value").all_text_contents()
    page.locator(".widget-hslider", has_text="money").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lesson01_explorer.png"))
    screenshot(page.locator(".widget-hbox", has=view).first, "lesson01_explorer_view.png")
    page.close()


def test_cooling_the_softmax_explorer_sharpens_its_bars_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "02_softmax.ipynb")
    view = live_view(page, "sum of weights")
    values, picture = [float(v) for v in view.locator("svg .value").all_text_contents()], picture_of(view)
    press(page, "temperature", "ArrowLeft", times=6)  # cooler
    page.wait_for_function("() => /temperature = 0\\.[0-9]/.test(document.querySelector('.ll-live pre').innerText)",
                           timeout=20_000)
    wait_for_new_picture(page, view, picture)
    sharper = [float(v) for v in view.locator("svg .value").all_text_contents()]
    assert max(sharper) > max(values) and len(sharper) == len(values)
    screenshot(page.locator(".widget-hbox", has=view).first, "lesson02_softmax_cool.png")
    page.close()


def test_a_river_sentence_moves_the_new_bank_to_the_nature_side_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "04_bank_two_meanings.ipynb")
    view = live_view(page, "blended 'bank'")
    star = view.locator("svg .point").first
    assert float(star.get_attribute("data-x")) > float(star.get_attribute("data-y"))  # money sense first
    picture = picture_of(view)
    box = page.locator(".widget-text", has=page.locator(".widget-label", has_text="sentence")).locator("input").first
    box.scroll_into_view_if_needed()
    box.fill("We fished by the bank of the river")
    box.press("Enter")
    wait_for_new_picture(page, view, picture)
    star = view.locator("svg .point").first
    assert float(star.get_attribute("data-y")) > float(star.get_attribute("data-x"))  # the river sense
    assert "river" in view.locator("svg").first.text_content()
    screenshot(view, "lesson04_bank_river.png")
    page.close()


def test_trophy_toggle_flips_the_weights_of_it_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "05_trophy_and_suitcase.ipynb")
    view = live_view(page, '"it" looks most at')
    summary = view.locator("p").first
    assert "trophy" in summary.locator("b").first.inner_text()
    before, picture = summary.inner_text(), picture_of(view)

    toggle = page.locator(".widget-toggle-buttons").first
    toggle.scroll_into_view_if_needed()
    toggle.get_by_role("button", name="small").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.ll-live p')]
             .some(e => /looks most at:\\s*suitcase/.test(e.innerText))""",
        timeout=20_000,
    )
    wait_for_new_picture(page, view, picture)  # the arcs are redrawn too
    after = summary.inner_text()
    trophy_before = float(re.search(r"trophy (0\.\d+)", before).group(1))
    trophy_after = float(re.search(r"trophy (0\.\d+)", after).group(1))
    assert trophy_after < trophy_before, "with 'too small', 'it' should look away from the trophy"
    widths = marks(view, "arc", "stroke-width")
    words = view.locator("svg text").all_text_contents()[-len(widths):]
    assert words[widths.index(max(widths))] == "suitcase"  # the thickest arc goes to the suitcase
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lesson05_trophy_small.png"))

    distance = int(re.search(r"trophy is (\d+) words before", after).group(1))
    picture = picture_of(view)
    press(page, "fillers between", "ArrowRight", times=2)
    page.wait_for_function(f"() => /trophy is {distance + 2} words before/.test(document.querySelector('.ll-live p').innerText)",
                           timeout=20_000)
    wait_for_new_picture(page, view, picture)
    words = view.locator("svg text").all_text_contents()[-len(widths):]
    assert words.index("it") - words.index("trophy") == distance + 2  # the words moved on screen
    screenshot(page.locator(".widget-vbox", has=view).first, "lesson05_trophy_fillers.png")
    page.close()


def test_the_translation_spotlight_follows_the_english_word_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "06_translation_spotlight.ipynb")
    view = live_view(page, "Producing")
    picture = picture_of(view)
    press(page, "English word", "ArrowRight", times=3)  # the, black, cat, sleeps
    page.wait_for_function("() => /Producing sleeps/.test(document.querySelector('.ll-live p').innerText)",
                           timeout=20_000)
    wait_for_new_picture(page, view, picture)
    widths = marks(view, "lit", "stroke-width")
    assert len(widths) == 7 and widths.index(max(widths)) == 3  # le chat noir dort: the spotlight on "dort"
    assert "weights of 'sleeps'" in view.locator("svg").first.text_content()
    screenshot(view, "lesson06_translation_sleeps.png")
    page.close()


def test_the_scaling_slider_changes_both_bar_charts_in_real_jupyterlab(lab, browser):
    page = open_lesson(browser, lab, "09_queries_keys_values.ipynb")
    view = live_view(page, "largest weight, this draw")
    values, picture = view.locator("svg .value").all_text_contents(), picture_of(view)
    press(page, "dimension d", "ArrowRight", times=2)  # d = 64 -> 256
    page.wait_for_function("() => /d = 256/.test(document.querySelector('.ll-live pre').innerText)", timeout=20_000)
    wait_for_new_picture(page, view, picture)
    after = view.locator("svg .value").all_text_contents()
    assert len(after) == len(values) == 16 and after[:8] != values[:8] and after[8:] != values[8:]
    screenshot(view, "lesson09_scaling_256.png")
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
