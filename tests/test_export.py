"""Static export: the executed course as HTML that needs no kernel and no network."""
from __future__ import annotations

import base64
import io
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STATE = "application/vnd.jupyter.widget-state+json"
VIEW = "application/vnd.jupyter.widget-view+json"
needs_npm = pytest.mark.skipif(not (ROOT / "tools/web/node_modules").is_dir(),
                               reason="npm packages missing: run `make export` once (npm ci --prefix tools/web)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    export.copy_assets(out)
    pages = {path.stem: export.export_notebook(path, out) for path in LESSONS}
    export.write_index(out, LESSONS, slides=False)
    return out, pages


def view_ids(notebook) -> set[str]:
    return {o["data"][VIEW]["model_id"] for c in notebook.cells for o in c.get("outputs", []) if VIEW in o.get("data", {})}


def png_cell(background: str) -> nbformat.NotebookNode:
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), background).save(buffer, format="PNG")
    cell = new_code_cell("fig")
    cell.outputs = [new_output("display_data", data={"image/png": base64.b64encode(buffer.getvalue()).decode()})]
    return cell


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_the_stored_notebook_keeps_the_state_of_every_widget_it_shows(lesson):
    notebook = nbformat.read(lesson, as_version=4)
    state = notebook.metadata.get("widgets", {}).get(STATE, {}).get("state", {})
    assert view_ids(notebook) <= set(state), "run `make refresh` for this notebook (nbclient stores widget state)"


def test_lesson_03_stores_its_live_heatmap_as_a_table_a_static_page_can_show():
    from heatmap_reader import read_heatmap

    notebook = nbformat.read(ROOT / "notebooks" / "03_scores_from_content.ipynb", as_version=4)
    values = [model["state"].get("value") for model in notebook.metadata["widgets"][STATE]["state"].values()]
    tables = [read_heatmap(v) for v in values if isinstance(v, str) and "ll-heatmap" in v]
    assert len(tables) == 1
    assert tables[0].rows[1] == "went" and tables[0].values[1, 1] == 0.22  # lesson 03's numbers at temperature 1


@needs_npm
@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_each_page_embeds_the_saved_widget_state_of_its_widgets(site, lesson):
    notebook = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
    soup = BeautifulSoup(site[1][lesson].read_text(encoding="utf-8"), "html.parser")
    scripts = soup.find_all("script", type=STATE)
    if not view_ids(notebook):  # a lesson without widgets needs no widget state on its page
        assert not soup.find_all("script", type=VIEW)
        return
    assert len(scripts) == 1
    saved = json.loads(scripts[0].string)["state"]
    shown = {json.loads(s.string)["model_id"] for s in soup.find_all("script", type=VIEW)}
    assert shown == view_ids(notebook) and shown <= set(saved)


@needs_npm
@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_each_page_loads_nothing_from_the_network_and_its_local_files_exist(site, lesson):
    out, pages = site
    soup = BeautifulSoup(pages[lesson].read_text(encoding="utf-8"), "html.parser")
    urls = [t["src"] for t in soup.find_all(["script", "img", "iframe"]) if t.get("src")]
    urls += [t["href"] for t in soup.find_all("link") if t.get("href")]
    urls += re.findall(r"widgetRendererSrc = '([^']*)'", pages[lesson].read_text(encoding="utf-8"))
    for url in urls:
        assert not re.match(r"(https?:)?//", url), url
        if not url.startswith("data:"):
            assert (out / url.split("?")[0]).exists(), url


@needs_npm
@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_links_between_lessons_point_at_the_exported_pages(site, lesson):
    soup = BeautifulSoup(site[1][lesson].read_text(encoding="utf-8"), "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert not [h for h in hrefs if h.endswith(".ipynb")]


@needs_npm
@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_every_exported_figure_has_alt_text_saying_where_its_numbers_are(site, lesson):
    soup = BeautifulSoup(site[1][lesson].read_text(encoding="utf-8"), "html.parser")
    for image in soup.select(".jp-RenderedImage img"):
        assert image.get("alt", "").startswith("Figure;"), image.get("alt")


@needs_npm
def test_the_index_links_every_lesson(site):
    out, pages = site
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == [f"{stem}.html" for stem in pages]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_figure_has_a_text_alternative_and_a_white_background(lesson):
    assert export.audit_figures(nbformat.read(lesson, as_version=4)) == []


def test_the_audit_flags_a_lone_figure_and_a_transparent_background():
    notebook = nbformat.v4.new_notebook(cells=[new_markdown_cell("A picture:"), png_cell("#00000000")])
    problems = export.audit_figures(notebook)
    assert any("without a printed table" in p for p in problems)
    assert any("transparent" in p for p in problems)


def test_the_audit_accepts_a_white_figure_with_its_table_printed_below():
    table = new_code_cell("print(table)")
    table.outputs = [new_output("stream", name="stdout", text="word  weight\nbank  0.15\n")]
    notebook = nbformat.v4.new_notebook(cells=[png_cell("white"), table])
    assert export.audit_figures(notebook) == []
    assert export.text_alternative(notebook.cells, 0).endswith("just below.")


@needs_npm
def test_the_exported_explorer_shows_its_saved_view_offline_in_chromium(site):
    from browser import CHROMIUM, CHROMIUM_ARGS

    playwright = pytest.importorskip("playwright.sync_api")
    out, pages = site
    requests = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(pages["01_weighted_averages"].as_uri())
        slider = page.locator(".widget-hslider").first
        slider.wait_for(timeout=30_000)
        page.locator(".MathJax_CHTML").first.wait_for(timeout=30_000)
        readouts = page.locator(".widget-readout").all_inner_texts()
        slider.scroll_into_view_if_needed()
        shots = ROOT / "artifacts" / "export"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "01_weighted_averages-explorer.png"))
        browser.close()
    assert "0.35" in readouts  # the hand-set weight of "deposit", as saved
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []


SVG_VIEWS = {  # the explorers drawn as SVG, as their lessons start them
    "01": "from lessons_lib.widgets import AttentionExplorer\nAttentionExplorer()",
    "02": 'from lessons_lib.widgets import SoftmaxExplorer\nSoftmaxExplorer(["money", "deposit", "the"], [2.0, 1.0, 0.5])',
    "04": "from lessons_lib.example_widgets import BankSentenceExplorer\nBankSentenceExplorer()",
    "05": "from lessons_lib.example_widgets import TrophyExplorer\nTrophyExplorer()",
    "06": "from lessons_lib.example_widgets import TranslationExplorer\nTranslationExplorer()",
    "09": "from lessons_lib.sequence_widgets import ScalingExplorer\nScalingExplorer(d=64)",
}


@needs_npm
def test_the_svg_explorers_show_their_saved_picture_and_table_in_the_static_export(tmp_path):
    """Executed as `make refresh` does (widget state stored), exported, opened offline: each picture is there."""
    from nbclient import NotebookClient
    from browser import CHROMIUM, CHROMIUM_ARGS

    playwright = pytest.importorskip("playwright.sync_api")
    notebook = nbformat.v4.new_notebook(cells=[new_code_cell(code) for code in SVG_VIEWS.values()])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "svg_views.ipynb"
    nbformat.write(notebook, path)
    export.copy_assets(tmp_path)
    page_path = export.export_notebook(path, tmp_path)
    requests = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        views = page.locator(".ll-live")
        views.nth(len(SVG_VIEWS) - 1).wait_for(timeout=30_000)
        assert views.count() == len(SVG_VIEWS)
        shots = ROOT / "artifacts" / "export"
        shots.mkdir(parents=True, exist_ok=True)
        for k, lesson in enumerate(SVG_VIEWS):
            view = views.nth(k)
            box = view.locator("svg").first.bounding_box()
            assert box["width"] > 250 and box["height"] > 200, (lesson, box)
            assert view.locator("svg .value").count() > 0 and view.locator("pre").inner_text().strip()
            view.scroll_into_view_if_needed()
            view.screenshot(path=str(shots / f"svg_view_{lesson}.png"))
        browser.close()
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
