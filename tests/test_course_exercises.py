"""Tests of ctlib.course.exercises: ctlib.check, and answers computed from the data."""

from __future__ import annotations

import copy
import importlib
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

import ctlib
from ctlib.course.exercises import EXERCISES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import run_notebooks


class TestCheck:
    """The exercise checker: ✓ or a hint, never the answer."""

    @pytest.mark.parametrize("exercise", sorted(EXERCISES))
    def test_expected_answer_passes(self, exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
        """Each exercise accepts its own expected answer."""
        expected = EXERCISES[exercise].expected()
        assert ctlib.check(exercise, expected)
        assert capsys.readouterr().out.startswith("✓")

    @pytest.mark.parametrize("exercise", sorted(EXERCISES))
    def test_wrong_answer_gets_hint(self, exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
        """A wrong answer gets the hint, which does not contain the answer."""
        expected = EXERCISES[exercise].expected()
        assert not ctlib.check(exercise, "certainly wrong")
        out = capsys.readouterr().out
        assert out.startswith("✗ Not yet. Hint:")
        if not isinstance(expected, tuple):
            assert f" {expected}" not in out.replace(EXERCISES[exercise].hint, "")

    def test_unanswered(self, capsys: pytest.CaptureFixture[str]) -> None:
        """... means not answered yet."""
        assert not ctlib.check("01.1", ...)
        assert "Not answered yet" in capsys.readouterr().out

    def test_tolerance(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Numbers are compared with the exercise's tolerance, text without case."""
        assert ctlib.check("08.1", 5.004)
        assert ctlib.check("05.1", " Epidural ")
        assert not ctlib.check("08.1", 5.5)


class TestExpectedAnswersAreComputed:
    """Answers come from the data and ctlib's tables, not typed-in numbers."""

    def test_window_edges_follow_the_preset_table(self, monkeypatch: pytest.MonkeyPatch) -> None:
        presets = importlib.import_module("ctlib.window")  # ctlib.window is also the function

        assert EXERCISES["03.1"].expected() == (20.0, 60.0)
        edited = dict(presets.PRESETS, stroke=ctlib.Window(35, 30, "stroke"))
        monkeypatch.setattr(presets, "PRESETS", edited)
        assert EXERCISES["03.1"].expected() == (20.0, 50.0)

    def test_slice_step_is_measured_from_the_headers(self) -> None:
        data = ctlib.open_data()
        entry = data.series("normal-tilted")
        with pytest.warns(ctlib.SeriesWarning):  # the truncated file leaves a gap
            volume = ctlib.load_series([data.path(s) for s in entry["files"]])
        assert EXERCISES["08.1"].expected() == pytest.approx(volume.spacing[0], abs=1e-6)
        assert EXERCISES["00.2"].expected() == "CT"


class TestToHu:
    """Exercise 02.3."""

    def test_right_function_passes(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The formula with each file's own slope and intercept, in floating point."""
        assert ctlib.check("02.3", right_to_hu)
        assert capsys.readouterr().out.startswith("✓ Correct")

    def test_fixed_intercept_fails_on_the_minus_1000_file(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """−1024 written in: the file with intercept −1000 is named, with a pixel."""
        assert not ctlib.check("02.3", intercept_fixed)
        out = capsys.readouterr().out
        quirk = ctlib.open_data().manifest["quirks"]["intercept_minus_1000"][0]
        assert f"of '{quirk}'" in out and "RescaleIntercept -1000" in out
        assert "at pixel (row 0, column 0)" in out and "✗ Not yet. Hint:" in out
        assert "pixel_array" not in out  # the hint does not give the code

    def test_ignored_slope_fails(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Caught on the copy with RescaleSlope 0.5."""
        assert not ctlib.check("02.3", slope_ignored)
        assert "with RescaleSlope 0.5" in capsys.readouterr().out

    def test_integer_arithmetic_is_reported(self, capsys: pytest.CaptureFixture[str]) -> None:
        """uint16 + a negative int: numpy 2's OverflowError, reported with the hint."""
        assert not ctlib.check("02.3", integer_arithmetic)
        out = capsys.readouterr().out
        assert out.startswith("✗ Your answer raised OverflowError") and "floating point" in out

    def test_not_a_function(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A value instead of a function: the plain hint."""
        assert not ctlib.check("02.3", 42)
        assert capsys.readouterr().out.startswith("✗ Not yet. Hint:")


class TestWindow:
    """Exercise 03.3."""

    def test_right_function_passes(self, capsys: pytest.CaptureFixture[str]) -> None:
        """LINEAR_EXACT, clipped, 0–255 floats: within one grey level of ctlib.window."""
        assert ctlib.check("03.3", right_window)
        assert capsys.readouterr().out.startswith("✓ Correct")

    def test_reference_is_exact_at_the_edges(self) -> None:
        """Black at C − W/2 itself, white at C + W/2: the edges the judge tests."""
        reference = EXERCISES["03.3"].expected()
        assert reference(np.array([0.0, 80.0, 79.5]), 40, 80).tolist() == [0, 255, 253]

    def test_unclipped_fails(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without the clip, values outside the window leave 0–255."""
        assert not ctlib.check("03.3", unclipped_window)
        out = capsys.readouterr().out
        assert "With the brain window (C 40 / W 80): at 3100 HU" in out  # the worst value
        assert "ctlib.window gives 255" in out

    def test_zero_to_one_is_named(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Right shape, wrong scale: the message says 0–255 is wanted."""
        assert not ctlib.check("03.3", unit_window)
        assert "stay between 0 and 1" in capsys.readouterr().out

    def test_dicom_linear_is_not_linear_exact(self, capsys: pytest.CaptureFixture[str]) -> None:
        """LINEAR (c − 0.5, w − 1) is up to 3 grey levels off: not the formula asked for."""
        assert not ctlib.check("03.3", dicom_linear)
        assert "your function gives" in capsys.readouterr().out


def right_to_hu(ds: Any) -> np.ndarray:
    return ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)


def intercept_fixed(ds: Any) -> np.ndarray:
    return ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) - 1024


def slope_ignored(ds: Any) -> np.ndarray:
    return ds.pixel_array.astype(np.float64) + float(ds.RescaleIntercept)


def integer_arithmetic(ds: Any) -> np.ndarray:
    return ds.pixel_array * int(ds.RescaleSlope) + int(ds.RescaleIntercept)


def right_window(hu: Any, center: float, width: float) -> np.ndarray:
    return np.clip((np.asarray(hu, dtype=float) - (center - width / 2)) / width, 0, 1) * 255


def unclipped_window(hu: Any, center: float, width: float) -> np.ndarray:
    return ((np.asarray(hu, dtype=float) - center) / width + 0.5) * 255


def unit_window(hu: Any, center: float, width: float) -> np.ndarray:
    return right_window(hu, center, width) / 255


def dicom_linear(hu: Any, center: float, width: float) -> np.ndarray:
    c, w = center - 0.5, width - 1
    return np.clip((np.asarray(hu, dtype=float) - c) / w + 0.5, 0, 1) * 255


NOTEBOOK_FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
#: A fenced Python block of a solution (the text around it is the explanation).
FENCED = re.compile(r"```python\n(.*?)```", re.DOTALL)


def with_solutions(nb: Any) -> tuple[Any, list[str]]:
    """The notebook with each exercise cell's ``answer = ...`` replaced by the code of the
    solution shown below it, and a last cell that collects what ctlib.check said."""
    nb = copy.deepcopy(nb)
    names = []
    for k, cell in enumerate(nb.cells):
        found = re.search(r'ctlib\.check\("([^"]+)", answer\)', cell.source)
        if cell.cell_type != "code" or not found or "answer = ..." not in cell.source:
            continue
        solution = nb.cells[k + 1]
        assert solution.cell_type == "markdown" and "Show a solution" in solution.source, \
            f"exercise {found[1]}: no solution below it"
        code = "\n".join(FENCED.findall(solution.source))
        lines = [code if line.startswith("answer = ...") else line
                 for line in cell.source.splitlines()]
        cell.source = "\n".join([*lines, "_solved = globals().get('_solved', {})",
                                  f"_solved[{found[1]!r}] = correct"])
        names.append(found[1])
    nb.cells.append(nbformat.v4.new_code_cell("print(sorted(k for k, v in _solved.items() if v))"))
    return nb, names


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(NOTEBOOK_FOLDER.glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.stem[:2])
def test_every_shown_solution_passes_its_check(path: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The solution a learner reads is accepted by ctlib.check, run where the learner runs
    it: after the notebook's own cells (an expected answer computed one way and a solution
    written another can drift apart, as 09.2's did when the cache's crop changed)."""
    monkeypatch.setenv("CTLIB_CACHE", str(tmp_path / "cache"))
    nb, names = with_solutions(nbformat.read(path, as_version=4))
    if not names:
        pytest.skip("no exercises")
    ran, _, _ = run_notebooks.execute(path, nb)
    printed = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
    assert printed.strip() == str(sorted(names)), printed
