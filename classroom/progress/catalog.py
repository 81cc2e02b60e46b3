"""Which exercises the course has, read from the lessons themselves (no numpy, no kernel).

An exercise is a ``check_*`` self-check called in a lesson's code cells. Its lesson
is the notebook's file stem (``02_softmax``); the order is notebook order, then cell
order, then order within a cell. A check called in two lessons belongs to the first.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

CALL = re.compile(r"\b(check_\w+)\s*\(")
LESSON_FILE = re.compile(r"^\d\d_\w+\.ipynb$")


@dataclass(frozen=True)
class Catalog:
    """Lessons and their exercises, in course order.

    Attributes
    ----------
    lessons : dict of str to tuple of str
        Lesson id -> the exercise ids it calls, in order (lessons without a check included).
    """

    lessons: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def exercises(self) -> list[tuple[str, str]]:
        """Every (lesson, exercise) pair, in course order."""
        return [(lesson, ex) for lesson, exs in self.lessons.items() for ex in exs]

    def lesson_of(self, exercise: str) -> str | None:
        """The lesson that calls ``exercise``, or None if no lesson does."""
        for lesson, exs in self.lessons.items():
            if exercise in exs:
                return lesson
        return None


def checks_in(notebook: Path) -> list[str]:
    """The ``check_*`` names called in ``notebook``'s code cells, first calls only, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    found: list[str] = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        found += [name for name in CALL.findall(text) if name not in found]
    return found


def load(folder: Path) -> Catalog:
    """The catalog of the lessons ``NN_name.ipynb`` in ``folder``.

    Raises
    ------
    FileNotFoundError
        If ``folder`` holds no lesson.
    """
    notebooks = sorted(p for p in Path(folder).glob("*.ipynb") if LESSON_FILE.match(p.name))
    if not notebooks:
        raise FileNotFoundError(f"no lessons (NN_name.ipynb) in {folder}")
    lessons: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for notebook in notebooks:
        own = [name for name in checks_in(notebook) if name not in seen]
        seen.update(own)
        lessons[notebook.stem] = tuple(own)
    return Catalog(lessons)
