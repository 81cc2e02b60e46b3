"""Build the worked-solution notebooks from their py:percent sources.

``solutions/src/NN_name_solutions.py`` -> ``solutions/NN_name_solutions.ipynb``,
executed top to bottom in a fresh kernel (clean execution counts, widget state
stored). Cells start with ``# %%`` (code) or ``# %% [markdown]``.

Usage: python solutions/build.py [SRC.py ...]   (default: every source)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
CELL_START = re.compile(r"^# %%( \[markdown\])?\s*$")


def to_notebook(source: str) -> nbformat.NotebookNode:
    """Split a py:percent text into markdown and code cells."""
    cells: list[nbformat.NotebookNode] = []
    kind, lines = None, []

    def flush() -> None:
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in text.split("\n"))
            cells.append(new_markdown_cell(text))
        elif kind == "code":
            cells.append(new_code_cell(text))

    for line in source.split("\n"):
        match = CELL_START.match(line)
        if match:
            flush()
            kind, lines = ("markdown" if match.group(1) else "code"), []
        else:
            lines.append(line)
    flush()
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number:02d}"
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def build(source: Path) -> Path:
    """Convert and execute one source; return the notebook written."""
    target = HERE / source.name.replace(".py", ".ipynb")
    notebook = to_notebook(source.read_text(encoding="utf-8"))
    NotebookClient(notebook, timeout=300, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(HERE)}}).execute()
    CoalesceStreamsPreprocessor(enabled=True).preprocess(notebook, {})  # one text output per cell, as make refresh
    nbformat.write(notebook, target)
    return target


if __name__ == "__main__":
    sources = [Path(p) for p in sys.argv[1:]] or sorted((HERE / "src").glob("*_solutions.py"))
    for path in sources:
        print("built", build(path).relative_to(HERE.parent))
