"""Render the executed course to static HTML that reads well without a kernel.

Every lesson's stored outputs (figures, printed tables, and the widgets' saved
initial view) become ``build/course/NN_name.html``, with an index page. The
browser files come from installed npm packages (``tools/web/package.json``),
copied into ``build/course/static/``; nothing is loaded from a CDN.

Usage::

    python tools/export.py [--out build/course] [NOTEBOOK ...]
    python tools/export.py --audit [NOTEBOOK ...]   # figure accessibility audit only

The npm packages must be installed first (``make export`` runs ``npm ci``).
"""
from __future__ import annotations

import argparse
import base64
import copy
import html
import io
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "tools" / "templates"
NODE_MODULES = ROOT / "tools" / "web" / "node_modules"
DEFAULT_OUT = ROOT / "build" / "course"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LINK_TO_NOTEBOOK = re.compile(r'href="((?:\.\./notebooks/)?\d\d_[\w-]+)\.ipynb(#[^"]*)?"')
MATHJAX_CONFIG = "?config=TeX-AMS_CHTML-full,Safe"

# (package path, destination under static/, names to leave out)
ASSETS = [
    ("requirejs/require.js", "require.js", ()),
    ("jquery/dist/jquery.min.js", "jquery.min.js", ()),
    ("@jupyter-widgets/html-manager/dist", "html-manager", ("*.map", "embed.js", "libembed-amd.js", "*.txt")),
    ("mathjax", "mathjax", ("unpacked", "test", "*.md", "SVG", "Asana-Math", "Gyre-*",
                            "Latin-Modern", "Neo-Euler", "STIX-Web", "eot", "otf", "svg")),
    ("reveal.js/dist", "reveal.js/dist", ("*.map", "*.esm.js")),
    ("reveal.js/plugin/notes", "reveal.js/plugin/notes", ("*.esm.js",)),
]


def asset_urls(prefix: str) -> dict[str, str]:
    """nbconvert settings that point every script at the local copies under ``prefix``."""
    return {
        "require_js_url": f"{prefix}require.js",
        "jquery_url": f"{prefix}jquery.min.js",
        "mathjax_url": f"{prefix}mathjax/MathJax.js{MATHJAX_CONFIG}",
        "widget_renderer_url": f"{prefix}html-manager/embed-amd.js",
        "mermaid_js_url": "",
        "mermaid_layout_elk_js_url": "",
    }


def copy_assets(out: Path) -> Path:
    """Copy the installed npm packages' browser files to ``out/static``."""
    if not NODE_MODULES.is_dir():
        raise SystemExit(f"{NODE_MODULES.relative_to(ROOT)} is missing: run `npm ci --prefix tools/web` "
                         "(make slides / make export do it)")
    static = out / "static"
    for source, target, leave_out in ASSETS:
        origin, destination = NODE_MODULES / source, static / target
        if destination.exists():
            shutil.rmtree(destination) if destination.is_dir() else destination.unlink()
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, ignore=shutil.ignore_patterns(*leave_out))
        else:
            shutil.copy2(origin, destination)
    return static


# --- accessible figures -----------------------------------------------------
def _printed_text(cell) -> str:
    """The text a code cell printed (streams and non-figure plain-text results)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "image/png" not in output.get("data", {}) and "text/plain" in output.get("data", {}):
            if not any(k.startswith("application/vnd.jupyter.widget") for k in output["data"]):
                parts.append(output["data"]["text/plain"])
    return "".join(parts).strip()


def text_alternative(cells: list, index: int) -> str | None:
    """Where the figure in ``cells[index]`` has its words: the alt text, or None when it has none."""
    if _printed_text(cells[index]):
        return "Figure; its numbers are printed as text in this cell's output."
    for step, where in ((1, "below"), (-1, "above")):
        k = index + step
        if 0 <= k < len(cells) and cells[k].cell_type == "markdown":
            k += step  # the nearest code cell, past one paragraph of prose
        if 0 <= k < len(cells) and cells[k].cell_type == "code" and _printed_text(cells[k]):
            return f"Figure; its numbers are printed as text just {where}."
    for offset in (1, -1):
        k = index + offset
        if 0 <= k < len(cells) and cells[k].cell_type == "markdown":
            if re.search(r"text version|alt text|in words:", cells[k].source, re.IGNORECASE):
                return "Figure; it is described in words in the text beside it."
    return None


def _png_problems(data: bytes) -> list[str]:
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGBA")
    problems = []
    if image.getextrema()[3][0] < 255:
        problems.append("has transparent pixels (unreadable on a dark theme)")
    width, height = image.size
    corners = [image.getpixel(xy)[:3] for xy in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1))]
    if any(min(c) < 245 for c in corners):
        problems.append("background is not white")
    return problems


def _widget_images(notebook) -> list[bytes]:
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return [base64.b64decode(buffer["data"]) for model in state.values()
            if model.get("model_name") == "ImageModel" for buffer in model.get("buffers", [])]


def audit_figures(notebook) -> list[str]:
    """Accessibility problems of a notebook's figures (an empty list when none)."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png is None:
                continue
            if text_alternative(notebook.cells, index) is None:
                problems.append(f"cell {index}: figure without a printed table or a text version next to it")
            problems += [f"cell {index}: figure {p}" for p in _png_problems(base64.b64decode(png))]
    for number, data in enumerate(_widget_images(notebook)):
        problems += [f"widget image {number}: {p}" for p in _png_problems(data)]
    return problems


def with_alt_text(notebook):
    """A copy of ``notebook`` whose figures carry alt text saying where their numbers are."""
    notebook = copy.deepcopy(notebook)
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output.setdefault("metadata", {})["alt"] = text_alternative(notebook.cells, index) or "Figure"
    return notebook


# --- pages -----------------------------------------------------------------
def lesson_title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Untitled"


def link_pages(page: str, suffix: str) -> str:
    """Point links between lessons at the exported pages instead of the notebooks."""
    return LINK_TO_NOTEBOOK.sub(lambda m: f'href="{Path(m.group(1)).name}{suffix}{m.group(2) or ""}"', page)


def export_notebook(path: Path, out: Path) -> Path:
    """Render one executed notebook to ``out/<name>.html``."""
    notebook = with_alt_text(nbformat.read(path, as_version=4))
    exporter = HTMLExporter(template_name="course_lab", extra_template_basedirs=[str(TEMPLATES)],
                            **asset_urls("static/"))
    page, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": lesson_title(notebook)}})
    target = out / f"{path.stem}.html"
    target.write_text(link_pages(page, ".html"), encoding="utf-8")
    return target


def write_index(out: Path, notebooks: list[Path], *, slides: bool) -> Path:
    """A plain page listing every lesson, with its slides when they were built."""
    rows = []
    for path in notebooks:
        title = html.escape(lesson_title(nbformat.read(path, as_version=4)))
        extra = f' · <a href="slides/{path.stem}.slides.html">slides</a>' if slides else ""
        rows.append(f'<li><a href="{path.stem}.html">{title}</a>{extra}</li>')
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Attention, hands-on</title><style>body{font:18px/1.5 sans-serif;max-width:46em;margin:2em auto;"
            "padding:0 1em;color:#111;background:#fff}a{color:#0b5394}</style></head>\n<body><main>"
            "<h1>Attention, hands-on</h1><p>The executed lessons, readable without a kernel. Sliders show their "
            "saved starting view; run the notebooks in JupyterLab to move them.</p>\n<ul style=\"list-style:none;padding:0\">\n"
            + "\n".join(rows) + "\n</ul></main></body></html>\n")
    target = out / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def lesson_paths(arguments: list[str]) -> list[Path]:
    return [Path(p).resolve() for p in arguments] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/NN_*.ipynb")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--audit", action="store_true", help="only audit the figures' accessibility")
    args = parser.parse_args(argv)
    paths = lesson_paths(args.notebooks)
    if args.audit:
        found = 0
        for path in paths:
            for problem in audit_figures(nbformat.read(path, as_version=4)):
                print(f"{path.name}: {problem}")
                found += 1
        print(f"{found} figure problem(s) in {len(paths)} notebook(s)")
        return 1 if found else 0
    args.out.mkdir(parents=True, exist_ok=True)
    copy_assets(args.out)
    for path in paths:
        print("wrote", export_notebook(path, args.out))
    print("wrote", write_index(args.out, paths, slides=(args.out / "slides").is_dir()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
