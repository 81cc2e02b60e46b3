"""Presenter slides for each lesson, built offline with reveal.js from npm.

Two steps, both run by ``make slides``:

1. ``annotate``: set each cell's ``metadata.slideshow.slide_type`` from the
   lesson's headings (nothing else in the notebook changes, so the stored
   outputs and nbval are untouched):

   - a ``#`` or ``##`` heading starts a new slide,
   - a ``###`` heading (an exercise, *Your turn*) starts a sub-slide below it,
   - a hint (``<details>``) goes to the speaker notes (press ``S`` in the slides),
   - every other cell continues the current slide (``-``).

2. ``build``: ``build/course/slides/NN_name.slides.html`` with nbconvert's
   reveal.js exporter; reveal.js, require.js, jQuery, MathJax and the widget
   renderer are local copies of installed npm packages (``tools/web``).

Usage: python tools/slides.py [annotate|build|all] [NOTEBOOK ...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import DEFAULT_OUT, TEMPLATES, asset_urls, copy_assets, lesson_paths, lesson_title, link_pages, with_alt_text  # noqa: E402


def slide_type(cell) -> str:
    """The reveal.js role of a cell, from its first line."""
    if cell.cell_type != "markdown":
        return "-"
    text = cell.source.lstrip()
    if text.startswith(("# ", "## ")):
        return "slide"
    if text.startswith("### "):
        return "subslide"
    if text.startswith("<details>"):
        return "notes"
    return "-"


def annotate(path: Path) -> bool:
    """Write the slide types into ``path``; return True when something changed."""
    notebook = nbformat.read(path, as_version=4)
    changed = False
    for cell in notebook.cells:
        wanted = slide_type(cell)
        if cell.metadata.get("slideshow", {}).get("slide_type") != wanted:
            cell.metadata["slideshow"] = {"slide_type": wanted}
            changed = True
    if changed:
        nbformat.write(notebook, path)
    return changed


def expected_sections(notebook) -> tuple[int, int]:
    """(slides, sub-slides) that the metadata asks for; the first cell always opens a slide."""
    types = [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in notebook.cells]
    types = [t for t in types if t not in ("skip", "notes")]
    slides = types.count("slide") + (1 if types and types[0] != "slide" else 0)
    return slides, types.count("subslide")


def build(path: Path, out: Path) -> Path:
    """Render one annotated notebook to ``out/slides/<name>.slides.html``."""
    notebook = with_alt_text(nbformat.read(path, as_version=4))
    urls = asset_urls("../static/")
    exporter = SlidesExporter(template_name="course_reveal", extra_template_basedirs=[str(TEMPLATES)],
                              reveal_url_prefix="../static/reveal.js", reveal_scroll=True,
                              reveal_number="c/t", reveal_theme="white", **urls)
    page, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": lesson_title(notebook)}})
    target = out / "slides" / f"{path.stem}.slides.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(link_pages(page, ".slides.html"), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["annotate", "build", "all"])
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/NN_*.ipynb")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    paths = lesson_paths(args.notebooks)
    if args.step in ("annotate", "all"):
        for path in paths:
            print(("annotated " if annotate(path) else "unchanged ") + path.name)
    if args.step in ("build", "all"):
        copy_assets(args.out)
        for path in paths:
            print("wrote", build(path, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
