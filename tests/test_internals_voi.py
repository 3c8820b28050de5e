"""The checks and numerics behind ctlib.window (ctlib._internals.voi)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ctlib
from ctlib._internals.voi import check_range, check_width, checked_input, reciprocal, work_dtype


@given(st.floats(min_value=1e-3, max_value=1e7, allow_nan=False))
def test_reciprocal_keeps_the_top_of_the_window_white(span: float) -> None:
    for t in (np.float32, np.float64):
        recip = reciprocal(span, t)
        assert t(span) * recip >= 1
        assert recip <= np.nextafter(t(1.0 / span), t(np.inf))  # at most one unit above


@pytest.mark.parametrize(("out", "work"), [(np.float64, np.float64), (np.float32, np.float32),
                                           (np.uint8, np.float32)])
def test_work_dtype(out: type, work: type) -> None:
    assert work_dtype(np.dtype(out)) is work


@pytest.mark.parametrize(("hu", "dtype", "message"), [
    (np.zeros(3), np.int16, "dtype must be"),
    (np.array(["a"]), np.float32, "real numbers"),
    (np.array([0.0, np.nan]), np.float32, "1 NaN"),
    ([[1, 2], [3]], np.float32, "cannot be made into an array"),
])
def test_checked_input_refuses(hu: object, dtype: type, message: str) -> None:
    with pytest.raises(ctlib.WindowError, match=message):
        checked_input(hu, dtype)  # type: ignore[arg-type]


def test_checked_input_passes_arrays_through() -> None:
    hu = np.arange(4, dtype=np.int16)
    values, dtype = checked_input(hu, "uint8")
    assert values is hu and dtype == np.uint8


def test_linear_needs_width_one() -> None:
    check_width(ctlib.Window(40, 1), "linear")
    check_width(ctlib.Window(40, 0.5), "linear_exact")
    with pytest.raises(ctlib.WindowError, match=r"\(0028,1051\).*>= 1.*C.11.2.1.2.1"):
        check_width(ctlib.Window(40, 0.5), "linear")


def test_windows_beyond_the_float_type_are_refused() -> None:
    check_range(ctlib.Window(40, 80), "linear", np.float32)
    with pytest.raises(ctlib.WindowError, match="float32"):
        check_range(ctlib.Window(1e39, 80), "linear", np.float32)
    check_range(ctlib.Window(1e39, 80), "linear", np.float64)
