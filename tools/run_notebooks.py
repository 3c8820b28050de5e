"""Re-execute the course notebooks in place (``make notebooks``): headless, in order, deterministic.

Run from the repository: ``python tools/run_notebooks.py [--check] [NAME ...]``. Each notebook is
executed top to bottom in a fresh kernel of this interpreter, with its folder as the
working directory, then made reproducible: no timing metadata, no widget state, and
widget outputs (whose model ids are random and which need a live kernel anyway)
replaced by a fixed note. A notebook whose outputs contain an error or anything on
stderr is not saved, and the command fails: a learner must never see either.

``--check`` executes without saving: with ``CTLIB_DATA`` pointing at a real RSNA
download, ``CTLIB_DATA=/path/to/download python tools/run_notebooks.py --check`` shows
that the whole course runs on it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    "[Interactive widget: run the notebook to use it. The static figure next to it shows "
    "the same thing.]"
)


def _clean(nb: Any) -> list[str]:
    """Make outputs reproducible in place; return the problems a learner would see."""
    problems = []
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"cell {index}: {output.ename}: {output.evalue}")
            if output.output_type == "stream" and output.name == "stderr":
                problems.append(f"cell {index}: stderr: {output.text[:200]!r}")
            data = output.get("data", {})
            if WIDGET_MIME in data:
                output["data"] = {"text/plain": WIDGET_NOTE}
    return problems


def execute(path: Path, nb: Any = None) -> tuple[Any, float, list[str]]:
    """Execute a notebook in memory: (the executed notebook, seconds, problems).

    ``nb``, if given, is run instead of the file's cells, in the file's folder (a changed
    copy of the notebook, e.g. with its exercises' solutions filled in).
    """
    if nb is None:
        nb = nbformat.read(path, as_version=4)
    env_path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ["PATH"] = env_path  # the kernel must be this environment's Python
    os.environ.setdefault("PYTHONHASHSEED", "0")
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    return nb, seconds, _clean(nb)


def run(path: Path, *, save: bool = True) -> float:
    """Execute one notebook (in place if ``save``); return the seconds it took."""
    nb, seconds, problems = execute(path)
    if problems:
        raise SystemExit(f"{path.name}: not saved:\n  " + "\n  ".join(problems))
    if save:
        nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    """Run the notebooks named in ``argv`` (default: all, in reading order)."""
    save = "--check" not in argv
    names = [a for a in argv if a != "--check"]
    paths = sorted(NOTEBOOKS.glob("[0-9A][0-9]_*.ipynb"))  # the course, then its appendices
    if names:
        paths = [p for p in paths if any(p.name.startswith(a) for a in names)]
    total = 0.0
    for path in paths:
        seconds = run(path, save=save)
        total += seconds
        print(f"{path.name:32s} {seconds:6.1f} s")
    print(f"{'all':32s} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
