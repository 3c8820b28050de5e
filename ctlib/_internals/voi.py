"""The checks and numerics behind :func:`ctlib.window` and :func:`ctlib.to_channels`.

:mod:`ctlib.window` holds the VOI LUT formulas; this module holds what makes them safe on any
input (the image and output type checked, a window the float type can hold) and exact at the
window's top (a reciprocal rounded so that the top of the window is exactly white).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ctlib.errors import WindowError

if TYPE_CHECKING:
    from ctlib.window import Window

__all__ = ["check_range", "check_width", "checked_input", "reciprocal", "work_dtype"]

_OUTPUT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.uint8))


def checked_input(hu: npt.ArrayLike, dtype: npt.DTypeLike) -> tuple[np.ndarray, np.dtype]:
    """Validate the image and the output type shared by :func:`window` and ``to_channels``."""
    out_dtype = np.dtype(dtype)
    if out_dtype not in _OUTPUT_DTYPES:
        raise WindowError(
            f"dtype must be float32, float64 or uint8, got {out_dtype}. "
            "Use float32 for models and uint8 for pictures."
        )
    try:
        values = np.asarray(hu)
    except (TypeError, ValueError) as exc:  # e.g. rows of different lengths
        raise WindowError(
            f"hu cannot be made into an array ({exc}). Pass an image as a numpy array, "
            "e.g. from ctlib.to_hu."
        ) from None
    if values.dtype.kind not in "biuf":
        raise WindowError(
            f"hu must hold real numbers, got an array of {values.dtype}. "
            "Convert the image with ctlib.to_hu first."
        )
    if values.dtype.kind == "f" and np.isnan(np.min(values, initial=0.0)):
        raise WindowError(
            f"hu holds {int(np.isnan(values).sum())} NaN values, which have no grey "
            "level. Replace them first, e.g. np.nan_to_num(hu, nan=-1000)."
        )
    return values, out_dtype


def check_width(win: Window, func: str) -> None:
    """LINEAR needs W >= 1 (PS3.3 C.11.2.1.2.1); the others only W > 0, which Window ensures."""
    if func == "linear" and win.width < 1:
        raise WindowError(
            f"the (0028,1051) Window Width must be >= 1 for the LINEAR function "
            f"(PS3.3 C.11.2.1.2.1), got {f'{win.width:g}'}. Use function='linear_exact'."
        )


def check_range(win: Window, func: str, work: type[np.floating]) -> None:
    """Refuse a window whose numbers the arithmetic's float type cannot hold.

    :func:`ctlib.window.voi_lut` computes ``(x - low) * (1 / span)`` (``2 / width`` for SIGMOID)
    in ``work``: ``low``, ``high`` and that factor must be finite, normal numbers
    there, or the output would hold NaN (``inf * 0``) instead of grey levels.
    """
    info = np.finfo(work)
    span = win.width - 1 if func == "linear" else win.width
    factor = 2.0 / win.width if func == "sigmoid" else (1.0 / span if span else 1.0)
    if max(abs(win.low), abs(win.high)) <= float(info.max) and (
        float(info.tiny) <= factor <= float(info.max)
    ):
        return
    raise WindowError(
        f"the window C {f'{win.center:g}'} / W {f'{win.width:g}'} is beyond what {info.dtype} "
        f"arithmetic holds (magnitudes up to {float(info.max):.3g}, widths from about "
        f"{2 / float(info.max):.3g}). Use a window in HU, e.g. ctlib.PRESETS['brain'] (40/80)."
    )


def work_dtype(out_dtype: np.dtype) -> type[np.floating]:
    """The float type the arithmetic is done in for a given output type."""
    return np.float64 if out_dtype == np.float64 else np.float32


def reciprocal(span: float, t: type[np.floating]) -> np.floating:
    """``1 / span`` in precision ``t``, rounded up if needed so that ``span * it >= 1``.

    Multiplying is twice as fast as dividing; rounding the reciprocal up keeps
    the top of the window exactly white after clipping (``x = low + span``
    gives 1, not 0.99999994), at a cost of one unit in the last place.
    """
    recip = t(1.0 / span)
    if t(span) * recip < 1:
        recip = np.nextafter(recip, t(np.inf))
    return recip
