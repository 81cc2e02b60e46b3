"""Every exercise has a worked solution, and every solution passes its self-check.

Check functions are discovered, not listed: a new ``lessons_lib/checks`` module,
or a new lesson notebook that calls a check, fails here until its solutions exist.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import pkgutil
import re
from pathlib import Path

import nbformat
import pytest

import lessons_lib.checks

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS_DIR = ROOT / "solutions"
CHECK_CALL = re.compile(r"\b(check_\w+)\s*\(")


def check_modules() -> list:
    names = [m.name for m in pkgutil.iter_modules(lessons_lib.checks.__path__) if not m.name.startswith("_")]
    return [importlib.import_module(f"lessons_lib.checks.{name}") for name in sorted(names)]


def check_functions() -> list[tuple[object, str]]:
    """(module, name) of every public ``check_*`` function defined in a checks module."""
    return [(module, name) for module in check_modules()
            for name, function in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("check_") and function.__module__ == module.__name__]


def lesson_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def solutions_notebook(lesson: Path) -> Path:
    return SOLUTIONS_DIR / f"{lesson.stem}_solutions.ipynb"


def checks_called(notebook: nbformat.NotebookNode) -> set[str]:
    return {name for cell in notebook.cells if cell.cell_type == "code" for name in CHECK_CALL.findall(cell.source)}


def cell_text(cell) -> str:
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


def lessons_with_exercises() -> list[Path]:
    return [p for p in lesson_notebooks() if checks_called(nbformat.read(p, as_version=4))]


CHECKS = check_functions()


def test_the_checks_modules_are_discovered():
    assert "basics" in {m.__name__.rsplit(".", 1)[1] for m in check_modules()}
    assert ("check_softmax" in {name for _, name in CHECKS})


@pytest.mark.parametrize(("module", "name"), CHECKS, ids=[f"{m.__name__.rsplit('.', 1)[1]}.{n}" for m, n in CHECKS])
def test_every_check_has_a_solution_that_passes_it(module, name):
    solutions = getattr(module, "SOLUTIONS", {})
    assert name in solutions, f"{module.__name__}.SOLUTIONS has no entry for {name}"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        verdict = getattr(module, name)(solutions[name]())
    assert verdict, printed.getvalue()
    assert printed.getvalue().startswith("✅")


@pytest.mark.parametrize(("module", "name"), CHECKS, ids=[f"{m.__name__.rsplit('.', 1)[1]}.{n}" for m, n in CHECKS])
def test_every_check_fails_for_the_empty_stub(module, name):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        verdict = getattr(module, name)(...)
    assert not verdict and printed.getvalue().startswith("❌")


def test_every_solutions_entry_names_a_real_check():
    for module in check_modules():
        stale = set(getattr(module, "SOLUTIONS", {})) - {n for m, n in CHECKS if m is module}
        assert not stale, f"{module.__name__}.SOLUTIONS names no check function: {sorted(stale)}"


@pytest.mark.parametrize("lesson", lessons_with_exercises(), ids=lambda p: p.stem)
def test_every_lesson_with_exercises_has_a_solutions_notebook_and_source(lesson):
    assert solutions_notebook(lesson).exists(), f"missing {solutions_notebook(lesson).relative_to(ROOT)}"
    assert (SOLUTIONS_DIR / "src" / f"{lesson.stem}_solutions.py").exists()


def assert_lesson_checks_pass(lesson: Path, solved: nbformat.NotebookNode) -> None:
    """Each check the lesson calls is called by a solutions cell that shows ✅ and no ❌."""
    for name in sorted(checks_called(nbformat.read(lesson, as_version=4))):
        cells = [c for c in solved.cells if c.cell_type == "code" and re.search(rf"\b{name}\s*\(", c.source)]
        assert any("✅" in cell_text(c) and "❌" not in cell_text(c) for c in cells), \
            f"solutions for {lesson.stem}: no cell calls {name} and shows ✅"


@pytest.mark.parametrize("lesson", lessons_with_exercises(), ids=lambda p: p.stem)
def test_every_check_a_lesson_calls_is_passed_in_its_stored_solutions(lesson):
    target = solutions_notebook(lesson)
    if not target.exists():
        pytest.fail(f"missing {target.relative_to(ROOT)}")
    assert_lesson_checks_pass(lesson, nbformat.read(target, as_version=4))


def test_stored_solutions_were_run_top_to_bottom_without_errors():
    for path in sorted(SOLUTIONS_DIR.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), path.name
        assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"], path.name


@pytest.mark.parametrize("source", sorted((SOLUTIONS_DIR / "src").glob("*_solutions.py")), ids=lambda p: p.stem)
def test_stored_solutions_match_their_source(source):
    build = _load_build()
    expected = [c.source for c in build.to_notebook(source.read_text(encoding="utf-8")).cells]
    stored = [c.source for c in nbformat.read(SOLUTIONS_DIR / f"{source.stem}.ipynb", as_version=4).cells]
    assert stored == expected, f"rebuild with: .venv/bin/python solutions/build.py {source.relative_to(ROOT)}"


def _load_build():
    spec = importlib.util.spec_from_file_location("solutions_build", SOLUTIONS_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
