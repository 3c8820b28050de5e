"""Window/level: mapping Hounsfield units to display grey levels.

A display shows 256 grey levels, while a head CT spans about 4000 HU; brain
and fresh blood differ by only 30–40 HU. A *window* (center C, width W)
spends all the grey levels on the HU range that matters and clips the rest.
DICOM defines three ways of doing it, the VOI LUT functions of PS3.3
C.11.2.1.2 (LINEAR) and C.11.2.1.3 (LINEAR_EXACT, SIGMOID); :func:`window`
implements all three exactly as the standard writes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from ctlib.errors import WindowError

__all__ = ["VOI_FUNCTIONS", "VoiFunction", "Window", "window"]

VoiFunction: TypeAlias = Literal["linear", "linear_exact", "sigmoid"]
#: The VOI LUT functions of DICOM PS3.3 C.11.2.1.2–3, in ``ctlib`` spelling.
VOI_FUNCTIONS: tuple[str, ...] = ("linear", "linear_exact", "sigmoid")

_OUTPUT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.uint8))


@dataclass(frozen=True)
class Window:
    """A display window: a center and a width in Hounsfield units.

    Parameters
    ----------
    center : float
        Window Center (0028,1050), in HU: the value shown as mid-grey.
    width : float
        Window Width (0028,1051), in HU: the range of values that get distinct
        grey levels. Must be finite and > 0.
    name : str, optional
        A short name such as ``"brain"``.
    source : str, optional
        Where the values come from (a viewer, a paper, a file header).

    Attributes
    ----------
    low, high : float
        ``center ∓ width / 2``: the HU values shown as black and white by the
        LINEAR_EXACT function (the default of :func:`window`).

    Raises
    ------
    WindowError
        If the center is not finite or the width is not finite and positive.

    Examples
    --------
    >>> w = Window(40, 80, name="brain")
    >>> w.low, w.high
    (0.0, 80.0)
    >>> print(w)
    brain (C 40 / W 80)
    >>> Window(40, 0)
    Traceback (most recent call last):
    ...
    ctlib.errors.WindowError: window width must be a finite number > 0, got 0 (center 40). ...

    """

    center: float
    width: float
    name: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        try:
            center, width = float(self.center), float(self.width)
        except (TypeError, ValueError):
            raise WindowError(
                f"window center and width must be numbers, got {self.center!r} and "
                f"{self.width!r}. Pass numbers in HU, e.g. Window(40, 80)."
            ) from None
        if not math.isfinite(center):
            raise WindowError(
                f"window center must be a finite number, got {self.center!r}. "
                "Pass a center in HU, e.g. 40 for brain."
            )
        if not (math.isfinite(width) and width > 0):
            raise WindowError(
                f"window width must be a finite number > 0, got {self.width!r} "
                f"(center {self.center!r}). Use a width of at least 1 HU, "
                "e.g. ctlib.PRESETS['brain'] is 40/80."
            )
        object.__setattr__(self, "center", center)
        object.__setattr__(self, "width", width)

    @property
    def low(self) -> float:
        """The HU value at the bottom of the window (``center - width / 2``)."""
        return self.center - self.width / 2

    @property
    def high(self) -> float:
        """The HU value at the top of the window (``center + width / 2``)."""
        return self.center + self.width / 2

    def __str__(self) -> str:
        values = f"C {_fmt(self.center)} / W {_fmt(self.width)}"
        return f"{self.name} ({values})" if self.name else values


def window(
    hu: npt.ArrayLike,
    center: Window | str | float,
    width: float | None = None,
    *,
    function: VoiFunction | str = "linear_exact",
    dtype: npt.DTypeLike = np.float32,
) -> npt.NDArray[np.floating] | npt.NDArray[np.uint8]:
    """Apply a window to an image in Hounsfield units.

    Parameters
    ----------
    hu : array_like
        Values in HU (any shape; integer or floating point). Never modified.
    center : Window, str or float
        A :class:`Window`, the name of a preset in :data:`ctlib.PRESETS`
        (``"brain"``), or the window center in HU (then ``width`` is needed).
    width : float, optional
        The window width in HU, when ``center`` is a number.
    function : {"linear_exact", "linear", "sigmoid"}, optional
        The VOI LUT function (0028,1056); DICOM's upper-case spellings are
        accepted too. Default ``"linear_exact"``, see Notes.
    dtype : {numpy.float32, numpy.float64, numpy.uint8}, optional
        Output type: floats in [0, 1], or ``uint8`` in 0–255 (rounded to
        nearest, ties to even).

    Returns
    -------
    numpy.ndarray
        A new array of the shape of ``hu``.

    Raises
    ------
    WindowError
        For a width ≤ 0 (or < 1 with ``"linear"``, as the standard requires),
        a window beyond what the arithmetic's float type holds (a center or
        width above about 1e38, or a width below about 1e-38, for float32), an
        unknown function or dtype, ``hu`` that is not an array of real numbers,
        or NaN values in ``hu``.

    Notes
    -----
    With ``y`` in [0, 1] and window center ``c``, width ``w``:

    * **LINEAR_EXACT** (PS3.3 C.11.2.1.3.2): ``y = 0`` for ``x <= c - w/2``,
      ``y = 1`` for ``x > c + w/2``, else ``y = (x - c) / w + 0.5``.
    * **LINEAR** (PS3.3 C.11.2.1.2.1): the same with ``c' = c - 0.5`` and
      ``w' = w - 1``. It is the historical definition for integer input:
      black at ``c - w/2`` and white already at ``c + w/2 - 1``, so that ``w``
      integer values span the output. With ``w = 1`` it is a threshold.
    * **SIGMOID** (PS3.3 C.11.2.1.3.1): ``y = 1 / (1 + exp(-4 (x - c) / w))``,
      never exactly 0 or 1.

    Why LINEAR_EXACT is the default: it is what "center ± half the width"
    means, and it is what almost every deep-learning pipeline computes. The
    clip copied from the 2019 RSNA Kaggle kernels (``lo = c - w//2``,
    ``hi = c + w//2``, ``(clip(x, lo, hi) - lo) / (hi - lo)``) *is*
    LINEAR_EXACT whenever ``w`` is even, as it is for every common preset.
    LINEAR, the default of DICOM viewers (and of pydicom's
    ``apply_windowing``), differs from it by at most ``1/w``: 0.0125 for the
    40/80 brain window, about 3 of 256 grey levels.

    The arithmetic is done in float32 (float64 for float64 output), in place
    on one new array: four passes over the image for the linear functions.

    References
    ----------
    .. [1] DICOM PS3.3, C.11.2.1.2 "Window Center and Window Width" and
       C.11.2.1.3 "VOI LUT Function".

    See Also
    --------
    pydicom.pixels.apply_windowing : the same functions, mapped onto the
        range of the stored values instead of [0, 1].
    ctlib.to_channels : several windows stacked as image channels.

    Examples
    --------
    A brain window (C 40, W 80) shows 0 HU as black, 40 HU as mid-grey and
    80 HU as white:

    >>> import numpy as np
    >>> hu = np.array([-1000, 0, 20, 40, 80, 1000])
    >>> window(hu, 40, 80)
    array([0.  , 0.  , 0.25, 0.5 , 1.  , 1.  ], dtype=float32)
    >>> window(hu, "brain", dtype=np.uint8)
    array([  0,   0,  64, 128, 255, 255], dtype=uint8)

    LINEAR reaches white one HU earlier:

    >>> float(window(np.array([79]), 40, 80, function="linear")[0])
    1.0

    """
    win = as_window(center, width)
    func = _voi_function(function)
    values, out_dtype = _checked_input(hu, dtype)
    _check_width(win, func)
    _check_range(win, func, _work_dtype(out_dtype))
    with np.errstate(over="ignore"):  # float64 beyond float32's range: ±inf, clipped below
        x = values.astype(_work_dtype(out_dtype))  # always a copy: the input is never touched
    dst = x if out_dtype == x.dtype else np.empty(x.shape, dtype=out_dtype)
    _voi_into(x, x, win, func, dst)
    return dst


def _checked_input(hu: npt.ArrayLike, dtype: npt.DTypeLike) -> tuple[np.ndarray, np.dtype]:
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


def _check_width(win: Window, func: str) -> None:
    """LINEAR needs W >= 1 (PS3.3 C.11.2.1.2.1); the others only W > 0, which Window ensures."""
    if func == "linear" and win.width < 1:
        raise WindowError(
            f"the (0028,1051) Window Width must be >= 1 for the LINEAR function "
            f"(PS3.3 C.11.2.1.2.1), got {_fmt(win.width)}. Use function='linear_exact'."
        )


def _check_range(win: Window, func: str, work: type[np.floating]) -> None:
    """Refuse a window whose numbers the arithmetic's float type cannot hold.

    :func:`_voi_into` computes ``(x - low) * (1 / span)`` (``2 / width`` for SIGMOID)
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
        f"the window C {_fmt(win.center)} / W {_fmt(win.width)} is beyond what {info.dtype} "
        f"arithmetic holds (magnitudes up to {float(info.max):.3g}, widths from about "
        f"{2 / float(info.max):.3g}). Use a window in HU, e.g. ctlib.PRESETS['brain'] (40/80)."
    )


def _work_dtype(out_dtype: np.dtype) -> type[np.floating]:
    """The float type the arithmetic is done in for a given output type."""
    return np.float64 if out_dtype == np.float64 else np.float32


def _voi_into(x: np.ndarray, tmp: np.ndarray, win: Window, func: str, dst: np.ndarray) -> None:
    """Write the VOI LUT function of ``x`` into ``dst``.

    ``tmp`` is float scratch space of ``x``'s shape (it may be ``x`` itself);
    ``dst`` is a float or uint8 array or view of that shape (it may be ``tmp``).
    Every step is an in-place ufunc: no temporary arrays.

    A product beyond the float type's range (a value far outside a very narrow
    window) becomes ±inf, which the clip (or tanh) turns into exactly 0 or 1:
    the right grey level, so numpy's overflow warning is silenced. NaN cannot
    arise: :func:`_check_range` keeps ``low`` and the factor finite and non-zero.
    """
    with np.errstate(over="ignore"):
        _voi_steps(x, tmp, win, func, dst)


def _voi_steps(x: np.ndarray, tmp: np.ndarray, win: Window, func: str, dst: np.ndarray) -> None:
    """The in-place steps of :func:`_voi_into`."""
    t = tmp.dtype.type
    if func == "sigmoid":
        # 1 / (1 + exp(-4 (x - c) / w)) == (1 + tanh(2 (x - c) / w)) / 2; tanh cannot overflow.
        np.subtract(x, t(win.center), out=tmp)
        tmp *= t(2.0 / win.width)
        np.tanh(tmp, out=tmp)
        tmp *= t(0.5)
        tmp += t(0.5)
    else:
        low = win.low  # the same for LINEAR (c - 0.5 - (w - 1)/2) and LINEAR_EXACT
        span = win.width - 1 if func == "linear" else win.width
        if span == 0:  # LINEAR with W = 1: a threshold at c - 0.5
            tmp[...] = x > t(low)
        else:
            np.subtract(x, t(low), out=tmp)
            tmp *= _reciprocal(span, t)
            if dst.dtype == tmp.dtype:
                np.clip(tmp, t(0), t(1), out=dst)
                return
            np.clip(tmp, t(0), t(1), out=tmp)
    if dst.dtype == np.uint8:
        tmp *= t(255)
        np.rint(tmp, out=tmp)
        np.copyto(dst, tmp, casting="unsafe")
    elif dst is not tmp:
        np.copyto(dst, tmp)


def _reciprocal(span: float, t: type[np.floating]) -> np.floating:
    """``1 / span`` in precision ``t``, rounded up if needed so that ``span * it >= 1``.

    Multiplying is twice as fast as dividing; rounding the reciprocal up keeps
    the top of the window exactly white after clipping (``x = low + span``
    gives 1, not 0.99999994), at a cost of one unit in the last place.
    """
    recip = t(1.0 / span)
    if t(span) * recip < 1:
        recip = np.nextafter(recip, t(np.inf))
    return recip


def as_window(center: Window | str | float, width: float | None) -> Window:
    """Turn the ``center``/``width`` arguments of :func:`window` into a :class:`Window`."""
    if isinstance(center, Window | str):
        if width is not None:
            raise WindowError(
                f"width={width!r} was given together with the window {center!r}. "
                "Pass either a Window/preset name, or a center and a width."
            )
        if isinstance(center, Window):
            return center
        from ctlib.presets import preset  # presets depend on this module

        return preset(center)
    if width is None:
        raise WindowError(
            f"a window center ({center!r}) needs a width. Call window(hu, center, width), "
            "or pass a preset name such as 'brain'."
        )
    return Window(center, width)


def _voi_function(name: str) -> str:
    """Normalise a VOI LUT function name (DICOM spelling allowed)."""
    key = str(name).strip().lower()
    if key not in VOI_FUNCTIONS:
        raise WindowError(
            f"unknown VOI LUT function {name!r}. Use one of {', '.join(VOI_FUNCTIONS)} "
            "(DICOM PS3.3 C.11.2.1.3)."
        )
    return key


def _fmt(value: float) -> str:
    """Format a number without a trailing ``.0``: ``40.0 -> '40'``, ``2.5 -> '2.5'``."""
    return f"{value:g}"
