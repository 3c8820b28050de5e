"""The committed notebooks keep the course's rules (nbval checks their outputs separately)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import cells

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
COURSE = sorted(FOLDER.glob("[0-9][0-9]_*.ipynb"))
#: Appendices hold what is plumbing for most learners; the course links to them where it comes up.
APPENDICES = sorted(FOLDER.glob("A[0-9]_*.ipynb"))
NOTEBOOKS = COURSE + APPENDICES
MACHINE_PATH = re.compile(r"(/tmp/|/root/|/work/|/home/[a-z])")


def test_course_is_complete() -> None:
    """Notebooks 00 to 08 in reading order, then the appendices, each linked from the course."""
    assert [p.name[:2] for p in COURSE] == ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09"]
    assert [p.name[:2] for p in APPENDICES] == ["A1", "A2"]
    course_text = "\n".join(c["text"] for p in COURSE for c in cells(p))
    for appendix in APPENDICES:
        assert appendix.name in course_text, f"no course notebook links to {appendix.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
class TestNotebook:
    """Structure, outputs and markers of each notebook."""

    def test_skeleton(self, path: Path) -> None:
        """Title with badges, Colab cell, overview (objectives, time, prerequisites), summary, references."""
        all_cells = cells(path)
        text = "\n".join(c["text"] for c in all_cells if c["cell_type"] == "markdown")
        assert all_cells[0]["text"].startswith(f"# {path.stem[:2]} · ")
        assert "mybinder.org/v2/gh/" in all_cells[0]["text"] and path.name in all_cells[0]["text"]
        assert "colab.research.google.com/github/" in all_cells[0]["text"]
        assert '"google.colab" in sys.modules' in all_cells[1]["text"]
        headings = ("## Overview", "**You will learn to**", "**Time:**", "| prerequisite |",
                    "## Setup", "## Summary", "## References")
        for heading in headings if path in COURSE else ("**Time:**", "## Setup", "## Summary"):
            assert heading in text, heading

    def test_exercises(self, path: Path) -> None:
        """At least two exercises, each checked by ctlib.check, each with a hidden solution."""
        all_cells = cells(path)
        checks = [c for c in all_cells if "ctlib.check(" in c["text"]]
        assert len(checks) >= (0 if path in APPENDICES else 2)
        solutions = [c for c in all_cells if c["text"].startswith("<details><summary>")]
        assert len(solutions) == len(checks)
        for cell in checks:
            assert "answer = ..." in cell["text"]
            assert "nbval-check-output" in cell["metadata"].get("tags", [])

    def test_executed_in_order_without_errors(self, path: Path) -> None:
        """Executed top to bottom with outputs kept; no error, no stderr, no machine path."""
        code = [c for c in cells(path) if c["cell_type"] == "code" and c["text"].strip()]
        counts = [c["execution_count"] for c in code]
        assert counts == list(range(1, len(code) + 1))
        for cell in code:
            for output in cell["outputs"]:
                assert output["output_type"] != "error"
                assert output.get("name") != "stderr"
                assert not MACHINE_PATH.search(json.dumps(output.get("text", "")))
                assert not MACHINE_PATH.search(json.dumps(output.get("data", {}).get("text/plain", "")))
        assert code[0]["outputs"] == []  # the Colab cell prints nothing here

    def test_markers(self, path: Path) -> None:
        """nbval's cell tags, never comments a learner would read; widgets ignored, then a figure."""
        all_cells = cells(path)
        for i, cell in enumerate(all_cells):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "NBVAL_" not in cell["text"], (i, "use the cell tags, not a comment")
            assert not {"nbval-check-output", "nbval-ignore-output"} <= set(tags), i
            if (("viewer.show(" in cell["text"] or "viewer_browser.show(" in cell["text"])
                    and cell["cell_type"] == "code"):
                assert "nbval-ignore-output" in tags, i
                figure = all_cells[i + 1]
                assert any("image/png" in o.get("data", {}) for o in figure["outputs"]), \
                    "a static figure must follow every widget"

    def test_plots_end_with_show(self, path: Path) -> None:
        """Plotting cells end with plt.show(), so no stray text repr is stored."""
        for cell in cells(path):
            if cell["cell_type"] == "code" and ("plt.subplots" in cell["text"] or "plot." in cell["text"]):
                assert cell["text"].rstrip().endswith("plt.show()"), cell["text"][:80]

    def test_size(self, path: Path) -> None:
        """Small enough for GitHub to render and Binder to clone."""
        assert path.stat().st_size < 3_000_000

    def test_no_scaffolding_in_lessons(self, path: Path) -> None:
        """No assert or stopwatch in a course cell: checks live in tests, timings in an appendix."""
        if path in APPENDICES:
            return
        for cell in cells(path):
            if cell["cell_type"] != "code":
                continue
            lines = [line.strip() for line in cell["text"].splitlines()]
            assert not [line for line in lines if line.startswith("assert ")], cell["text"][:80]
            assert "perf_counter" not in cell["text"] and "timeit" not in cell["text"], cell["text"][:80]
