"""What the dashboard shows, built from the stored cells: the grid, pass counts, the stuck list, CSV."""
from __future__ import annotations

import csv
import io
import time
from datetime import datetime, timezone

from classroom.progress.catalog import Catalog
from classroom.progress.store import Cell

STUCK_FAILURES = 3  # failed reports since the last pass that make a learner "stuck"


def is_stuck(cell: Cell, now: float, minutes: float) -> bool:
    """At least :data:`STUCK_FAILURES` fails since their last pass, and no pass in the last ``minutes``."""
    recent_pass = cell.last_pass is not None and now - cell.last_pass < minutes * 60
    return cell.fails_since_pass >= STUCK_FAILURES and not recent_pass


def cell_json(cell: Cell) -> dict:
    """One grid cell as the dashboard reads it."""
    return {"passed": cell.passed, "attempts": cell.attempts, "fails_since_pass": cell.fails_since_pass,
            "last": cell.last_received}


def me(user: str, cells: dict[str, Cell], catalog: Catalog) -> dict:
    """``api/me``: the exercises ``user`` reported on, in course order."""
    rows = [{"lesson": lesson, "exercise": ex, "passed": cells[ex].passed, "attempts": cells[ex].attempts,
             "last": cells[ex].last} for lesson, ex in catalog.exercises if ex in cells]
    return {"user": user, "exercises": rows}


def class_view(grid: dict[str, dict[str, Cell]], catalog: Catalog, learners: list[str],
               stuck_minutes: float, now: float | None = None) -> dict:
    """The instructor's view: every learner's row, pass counts per exercise, and who is stuck."""
    now = time.time() if now is None else now
    names = list(dict.fromkeys([*learners, *sorted(grid)]))
    passes = {ex: sum(grid.get(n, {}).get(ex, Cell(lesson, ex)).passed for n in names)
              for lesson, ex in catalog.exercises}
    stuck = [{"user": n, "lesson": c.lesson, "exercise": c.exercise, "failures": c.fails_since_pass,
              "last": c.last_received}
             for n in names for c in grid.get(n, {}).values() if is_stuck(c, now, stuck_minutes)]
    stuck.sort(key=lambda s: (-s["failures"], s["user"]))
    return {"now": now, "stuck_minutes": stuck_minutes, "stuck_failures": STUCK_FAILURES,
            "lessons": lessons_json(catalog), "pass_counts": passes, "stuck": stuck,
            "learners": [row(n, grid.get(n, {})) for n in names]}


def own_view(user: str, cells: dict[str, Cell], catalog: Catalog) -> dict:
    """What a learner sees on the dashboard page: their own row only."""
    return {"now": time.time(), "lessons": lessons_json(catalog), "learners": [row(user, cells)]}


def lessons_json(catalog: Catalog) -> list[dict]:
    """The grid's columns, grouped by lesson (lessons without an exercise left out)."""
    return [{"lesson": lesson, "exercises": list(exs)} for lesson, exs in catalog.lessons.items() if exs]


def row(name: str, cells: dict[str, Cell]) -> dict:
    """One learner's row of the grid."""
    return {"name": name, "cells": {ex: cell_json(c) for ex, c in cells.items()}}


def class_csv(view: dict) -> str:
    """The class view as CSV: one line per learner and exercise, in course order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["learner", "lesson", "exercise", "status", "attempts", "fails_since_last_pass",
                     "last_report_utc"])
    for learner in view["learners"]:
        for group in view["lessons"]:
            for ex in group["exercises"]:
                cell = learner["cells"].get(ex)
                status = "not tried" if cell is None else "passed" if cell["passed"] else "failed"
                when = "" if cell is None else datetime.fromtimestamp(cell["last"], timezone.utc).isoformat(timespec="seconds")
                writer.writerow([learner["name"], group["lesson"], ex, status, cell["attempts"] if cell else 0,
                                 cell["fails_since_pass"] if cell else 0, when])
    return out.getvalue()
