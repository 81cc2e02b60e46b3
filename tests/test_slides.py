"""Presenter slides: cell metadata from the headings, and an offline reveal.js build."""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.skipif(not (ROOT / "tools/web/node_modules").is_dir(),
                                reason="npm packages missing: run `make slides` once (npm ci --prefix tools/web)")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Annotated copies of every lesson and their slides (the stored notebooks stay untouched)."""
    work = tmp_path_factory.mktemp("slides")
    copies = [Path(shutil.copy(path, work / path.name)) for path in LESSONS]
    for path in copies:
        slides.annotate(path)
    out = work / "site"
    slides.copy_assets(out)
    return {path.stem: (nbformat.read(path, as_version=4), slides.build(path, out)) for path in copies}


def test_a_section_heading_starts_a_slide_and_an_exercise_a_subslide():
    assert slides.slide_type(new_markdown_cell("# 02 · Title\nhook")) == "slide"
    assert slides.slide_type(new_markdown_cell("## Softmax\ntext")) == "slide"
    assert slides.slide_type(new_markdown_cell("### Your turn")) == "subslide"


def test_hints_go_to_the_speaker_notes_and_other_cells_continue_the_slide():
    assert slides.slide_type(new_markdown_cell("<details><summary>Hint</summary>x</details>")) == "notes"
    assert slides.slide_type(new_markdown_cell("Plain prose.")) == "-"
    assert slides.slide_type(new_code_cell("## not a heading in code")) == "-"


def test_annotate_changes_only_the_slideshow_metadata(tmp_path):
    copy = Path(shutil.copy(LESSONS[1], tmp_path / LESSONS[1].name))
    for cell in (notebook := nbformat.read(copy, as_version=4)).cells:
        cell.metadata.pop("slideshow", None)
    nbformat.write(notebook, copy)
    before = json.loads(copy.read_text())
    assert slides.annotate(copy) is True
    after = json.loads(copy.read_text())
    types = [c["metadata"].pop("slideshow")["slide_type"] for c in after["cells"]]
    assert after == before
    assert types[0] == "slide" and "subslide" in types


def test_annotate_twice_changes_nothing_the_second_time(tmp_path):
    copy = Path(shutil.copy(LESSONS[0], tmp_path / LESSONS[0].name))
    slides.annotate(copy)
    assert slides.annotate(copy) is False


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_the_stored_lesson_carries_its_slide_metadata(lesson):
    notebook = nbformat.read(lesson, as_version=4)
    stale = [i for i, c in enumerate(notebook.cells)
             if c.metadata.get("slideshow", {}).get("slide_type") != slides.slide_type(c)]
    assert not stale, f"cells {stale[:5]} lack slide metadata: run `make slides` (or tools/slides.py annotate)"


@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_each_lesson_builds_the_slides_its_metadata_asks_for(built, lesson):
    notebook, page = built[lesson]
    expected_slides, expected_subslides = slides.expected_sections(notebook)
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert expected_slides >= 3
    assert len(soup.select("div.slides > section")) == expected_slides
    # each slide is an outer <section> holding one inner <section> per (sub-)slide
    assert len(soup.find_all("section")) == 2 * expected_slides + expected_subslides
    hints = sum(c.cell_type == "markdown" and c.source.lstrip().startswith("<details>") for c in notebook.cells)
    assert len(soup.select("aside.notes")) == hints


@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_slides_reference_only_local_files_that_exist(built, lesson):
    page = built[lesson][1]
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    urls = [t.get("src") for t in soup.find_all("script") if t.get("src")]
    urls += [t["href"] for t in soup.find_all("link") if t.get("href")]
    text = page.read_text(encoding="utf-8")
    urls += re.findall(r'"([^"]*(?:reveal\.js|notes\.js|embed-amd\.js))"', text)
    assert urls
    for url in urls:
        assert not re.match(r"(https?:)?//", url), url
        assert (page.parent / url.split("?")[0]).exists(), url


def test_slides_open_offline_in_chromium_with_every_slide(built, tmp_path):
    from browser import CHROMIUM, CHROMIUM_ARGS

    playwright = pytest.importorskip("playwright.sync_api")
    notebook, page_path = built["02_softmax"]
    requests = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        page.locator(".reveal.ready").wait_for(timeout=30_000)
        count = page.locator(".reveal .slides > section").count()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(800)
        shots = ROOT / "artifacts" / "slides"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "02_softmax-slide2.png"))
        browser.close()
    assert count == slides.expected_sections(notebook)[0]
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
