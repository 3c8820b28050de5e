"""The package's layout, as CONTRIBUTING.md maps it: four parts, imports in one direction.

* the learner's modules, ``ctlib/*.py``: what the course teaches, read top to bottom;
* ``ctlib/_internals``: what makes them fast and robust (the only code that reads bytes);
* ``ctlib/course``: the course's own helpers (data set, exercises, lessons' figures);
* ``ctlib/synth``: the generator of the synthetic data set.

The learner's modules and the internals never import the course or the generator; the course
never imports the generator. No module imports another's private names, no import cycle is
hidden inside a function, and every module has its test module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ctlib"
TESTS = ROOT / "tests"

#: Imports allowed inside functions, each with its reason: ``import ctlib`` must stay light.
LATE_IMPORTS = {
    # The reading lessons' answers pull in scipy.ndimage (0.25 s), only when checked.
    ("ctlib.course.exercises", "ctlib.course.measure"),
    ("ctlib.course.exercises", "ctlib.course.lessons"),
    ("ctlib.course.exercises", "ctlib.course.lessons.view"),
    ("ctlib.course.exercises", "ctlib.course.signs"),
    # Notebook 09's answers need pandas, scipy and scikit-learn.
    ("ctlib.course.exercises", "ctlib.course.challenge"),
    ("ctlib.course.exercises", "ctlib.inputs"),
    ("ctlib.course.exercises", "ctlib.training"),
    # ctlib.prepare needs pandas, scipy and Dask (over a second): loaded on first use (PEP 562).
    ("ctlib", "ctlib.training"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def part(module: str) -> str:
    """``learner``, ``internals``, ``course`` or ``synth``; ``facade`` for ``ctlib`` itself."""
    if module == "ctlib":
        return "facade"
    second = module.split(".")[1]
    return {"_internals": "internals", "course": "course", "synth": "synth"}.get(second, "learner")


def imports(module: str) -> list[tuple[str, list[str], bool]]:
    """(imported module, names, inside a function) for every ``ctlib`` import of ``module``."""
    tree = ast.parse(MODULES[module].read_text())
    inside = {id(node) for fn in ast.walk(tree)
              if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(fn)}
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
                   for node in ast.walk(block)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ctlib"):
            names = [a.name for a in node.names]
            submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in MODULES]
            for target in submodules or [node.module]:
                found.append((target, names, id(node) in inside))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], id(node) in inside) for a in node.names
                      if a.name.startswith("ctlib")]
    return found


ALLOWED = {
    "learner": {"learner", "internals"},
    "internals": {"learner", "internals"},
    "course": {"learner", "internals", "course"},
    "synth": {"learner", "internals", "course", "synth"},
    "facade": {"learner", "internals", "course"},
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_one_way(module: str) -> None:
    wrong = [target for target, _, _ in imports(module)
             if part(target) not in ALLOWED[part(module)]]
    assert not wrong, f"{module} ({part(module)}) imports {wrong}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_of_other_modules(module: str) -> None:
    private = [(target, name) for target, names, _ in imports(module) for name in names
               if name.startswith("_") and target != module]
    assert not private, private


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_imports_hidden_in_functions(module: str) -> None:
    late = {target for target, _, inside in imports(module) if inside}
    assert late <= {t for m, t in LATE_IMPORTS if m == module}, late


def test_no_import_cycle() -> None:
    """The graph of imports between modules (top level and late ones) has no cycle."""
    graph = {m: {t for t, _, _ in imports(m) if t in MODULES and t != m} for m in MODULES}
    graph["ctlib"] = set()  # the facade imports everything; nothing may import it (next test)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path, node, target]))
            if target not in state:
                visit(target, [*path, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_nothing_imports_the_facade() -> None:
    users = [m for m in MODULES if m != "ctlib"
             and any(t == "ctlib" for t, _, _ in imports(m))]
    assert not users, users


def expected_test_files(module: str) -> list[str]:
    """``ctlib._internals.voi`` -> ``test_internals_voi.py``; a subpackage's one file will do."""
    parts = module.split(".")[1:]
    parts = ["internals" if p == "_internals" else p for p in parts]
    names = ["test_" + "_".join(parts) + ".py"]
    if len(parts) > 2:  # e.g. course.lessons.figures: tests/test_course_lessons.py
        names.append("test_" + "_".join(parts[:2]) + ".py")
    return names


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.count(".") >= 1
                                          and not m.endswith("__main__")
                                          and m not in ("ctlib._internals", "ctlib.course",
                                                        "ctlib.synth")))
def test_every_module_has_its_test_module(module: str) -> None:
    candidates = expected_test_files(module)
    present = [name for name in candidates if (TESTS / name).is_file()]
    assert present, f"{module}: no {' or '.join(candidates)} in tests/"
    text = (TESTS / present[0]).read_text()
    tested = module.rsplit(".", 1)[0] if present[0] != candidates[0] else module
    parent, _, name = tested.rpartition(".")
    imported = re.search(rf"from {re.escape(parent)} import \(?[\w\s,]*\b{name}\b", text)
    assert tested in text or imported, f"tests/{present[0]} does not import {tested}"
