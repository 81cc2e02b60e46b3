"""Peak resident memory of a kernel running each notebook (and of a bare kernel).

Each notebook runs top to bottom in a fresh kernel (nbclient, as ``make refresh``
does, without writing anything back); before the kernel shuts down, its peak
resident set (``VmHWM`` in ``/proc/<pid>/status``, Linux) is read.
"""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from benchmarks.common import NOTEBOOKS, Figure

TARGET_MIB = 150.0


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set size so far, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM line: peak memory needs Linux /proc")


def notebook_peak_mib(path: Path | None) -> tuple[float, float]:
    """Run ``path`` (None: an empty notebook) in a fresh kernel; its peak RSS in MiB and seconds taken."""
    nb = nbformat.read(path, as_version=4) if path else nbformat.v4.new_notebook()
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return peak_rss_mib(client.km.provisioner.pid), time.perf_counter() - start


def run() -> list[Figure]:
    figures = [Figure("memory", "bare kernel peak RSS", notebook_peak_mib(None)[0], "MiB")]
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        peak, seconds = notebook_peak_mib(path)
        figures.append(Figure("memory", f"{path.stem} kernel peak RSS", peak, "MiB", target=TARGET_MIB,
                              note=f"cells ran in {seconds:.1f} s"))
    return figures


if __name__ == "__main__":
    from benchmarks.common import markdown_table

    print(markdown_table(run()))
