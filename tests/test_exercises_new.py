"""The judges of exercises 02.3 (write to_hu) and 03.3 (write a window): right passes, wrong is told where."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ctlib
from ctlib.exercises import EXERCISES


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
