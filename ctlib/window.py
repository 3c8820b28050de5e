"""Window/level: mapping Hounsfield units to display grey levels.

A display shows 256 grey levels, while a head CT spans about 4000 HU; brain
and fresh blood differ by only 30–40 HU. A *window* (center C, width W)
spends all the grey levels on the HU range that matters and clips the rest.
DICOM defines three ways of doing it, the VOI LUT functions of PS3.3
C.11.2.1.2 (LINEAR) and C.11.2.1.3 (LINEAR_EXACT, SIGMOID); :func:`window`
implements all three exactly as the standard writes them.

Read it top to bottom: a :class:`Window`, the named windows of head CT with their
sources (:data:`PRESETS`, :func:`preset`), :func:`window`, and the formulas themselves
(:func:`voi_lut`). The input checks and the numerics that keep the formulas exact on any
input are in :mod:`ctlib._internals.voi`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from ctlib._internals.voi import check_range, check_width, checked_input, reciprocal, work_dtype
from ctlib.errors import WindowError

__all__ = [
    "ALTERNATIVE_PRESETS",
    "PRESETS",
    "VOI_FUNCTIONS",
    "VoiFunction",
    "Window",
    "as_window",
    "preset",
    "voi_function",
    "voi_lut",
    "window",
]

VoiFunction: TypeAlias = Literal["linear", "linear_exact", "sigmoid"]
#: The VOI LUT functions of DICOM PS3.3 C.11.2.1.2–3, in ``ctlib`` spelling.
VOI_FUNCTIONS: tuple[str, ...] = ("linear", "linear_exact", "sigmoid")


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


# Named windows for head CT, each with where its values come from. Sources disagree, most
# of all on "bone" and "subdural": PRESETS holds one value per name (the one most used in
# hemorrhage-detection work), ALTERNATIVE_PRESETS the other values in circulation.

_APPIAN = (
    "Appian's RSNA 2019 Kaggle kernel (brain 40/80, subdural 80/200, soft tissue 40/380), "
    "the widely copied recipe used by the 2nd-place solution"
)


#: The course's presets, by name (read-only).
PRESETS: Mapping[str, Window] = MappingProxyType(
    {
        "brain": Window(
            40, 80, "brain",
            "near-universal: OHIF Viewer, fastai dicom_windows.brain, " + _APPIAN,
        ),
        "subdural": Window(80, 200, "subdural", _APPIAN),
        "bone": Window(
            600, 2800, "bone",
            "fastai dicom_windows.brain_bone (a temporal-bone window); in it brain (0.30) and "
            "acute blood (0.31) are indistinguishable: a poor blood channel",
        ),
        "stroke": Window(
            40, 40, "stroke",
            "common narrow window for grey/white-matter differentiation in early ischaemia",
        ),
        "soft_tissue": Window(
            40, 380, "soft_tissue",
            "soft-tissue window, the third channel of " + _APPIAN
            + " (fastai dicom_windows.brain_soft: 40/375)",
        ),
    }
)


#: Other values published under the same names, for comparison.
ALTERNATIVE_PRESETS: tuple[Window, ...] = (
    Window(50, 100, "brain", "3D Slicer CT-Brain preset"),
    Window(100, 254, "subdural", "fastai dicom_windows.subdural"),
    Window(400, 1000, "bone", "3D Slicer CT-Bone preset"),
    Window(480, 2500, "bone", "OHIF Viewer CT bone preset"),
    Window(500, 2000, "bone", "common textbook bone window"),
    Window(32, 8, "stroke", "fastai dicom_windows.stroke"),
    Window(40, 400, "soft_tissue", "common textbook soft-tissue window"),
)



def preset(name: str) -> Window:
    """Return the preset called ``name`` (case and spaces ignored).

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`, e.g. ``"brain"`` or ``"Soft tissue"``.

    Returns
    -------
    Window

    Raises
    ------
    WindowError
        If there is no such preset; the message lists the names there are.

    Examples
    --------
    >>> print(preset("Subdural"))
    subdural (C 80 / W 200)
    >>> preset("lung")
    Traceback (most recent call last):
    ...
    ctlib.errors.WindowError: no window preset called 'lung'. Known presets: brain, ...

    """
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return PRESETS[key]
    except KeyError:
        raise WindowError(
            f"no window preset called {name!r}. Known presets: {', '.join(PRESETS)}; "
            "or pass a center and a width."
        ) from None



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
    func = voi_function(function)
    values, out_dtype = checked_input(hu, dtype)
    check_width(win, func)
    check_range(win, func, work_dtype(out_dtype))
    with np.errstate(over="ignore"):  # float64 beyond float32's range: ±inf, clipped below
        x = values.astype(work_dtype(out_dtype))  # always a copy: the input is never touched
    dst = x if out_dtype == x.dtype else np.empty(x.shape, dtype=out_dtype)
    return voi_lut(x, win, func, out=dst, scratch=x)


def voi_lut(x: np.ndarray, win: Window, func: str, *, out: np.ndarray,
            scratch: np.ndarray | None = None) -> np.ndarray:
    """The VOI LUT function ``func`` of ``x`` for window ``win``, written into ``out``.

    The formulas of PS3.3 C.11.2.1.2 and C.11.2.1.3 (see :func:`window`'s Notes), each
    step an in-place ufunc, so that no temporary array is made.

    Parameters
    ----------
    x : numpy.ndarray of float32 or float64
        Values in HU; not modified unless it is also ``scratch``.
    win : Window
    func : {"linear_exact", "linear", "sigmoid"}
    out : numpy.ndarray
        Float or uint8 array (or view) of ``x``'s shape; it may be ``scratch``.
    scratch : numpy.ndarray, optional
        Float work space of ``x``'s type and shape (it may be ``x`` itself); new if not given.

    Returns
    -------
    numpy.ndarray
        ``out``.

    Notes
    -----
    A product beyond the float type's range (a value far outside a very narrow window)
    becomes ±inf, which the clip (or tanh) turns into exactly 0 or 1: the right grey
    level, so numpy's overflow warning is silenced. NaN cannot arise: the window was
    checked by :func:`ctlib._internals.voi.check_range`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([-10.0, 0.0, 40.0, 79.0, 80.0], np.float32)
    >>> voi_lut(x, Window(40, 80), "linear", out=np.empty(5, np.uint8))
    array([  0,   0, 129, 255, 255], dtype=uint8)
    """
    tmp = np.empty_like(x) if scratch is None else scratch
    t = tmp.dtype.type
    with np.errstate(over="ignore"):
        if func == "sigmoid":
            # 1 / (1 + exp(-4 (x - c) / w)) == (1 + tanh(2 (x - c) / w)) / 2; tanh cannot overflow.
            np.subtract(x, t(win.center), out=tmp)
            tmp *= t(2.0 / win.width)
            np.tanh(tmp, out=tmp)
            tmp *= t(0.5)
            tmp += t(0.5)
        else:
            # LINEAR_EXACT: (x - low) / w, clipped to [0, 1]. LINEAR: the same with
            # c - 0.5 and w - 1, whose low is the same c - 0.5 - (w - 1) / 2 = c - w / 2.
            span = win.width - 1 if func == "linear" else win.width
            if span == 0:  # LINEAR with W = 1: a threshold at c - 0.5
                tmp[...] = x > t(win.low)
            else:
                np.subtract(x, t(win.low), out=tmp)
                tmp *= reciprocal(span, t)  # the top of the window exactly 1
                if out.dtype == tmp.dtype:
                    np.clip(tmp, t(0), t(1), out=out)
                    return out
                np.clip(tmp, t(0), t(1), out=tmp)
        if out.dtype == np.uint8:
            tmp *= t(255)
            np.rint(tmp, out=tmp)
            np.copyto(out, tmp, casting="unsafe")
        elif out is not tmp:
            np.copyto(out, tmp)
    return out


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
        return preset(center)
    if width is None:
        raise WindowError(
            f"a window center ({center!r}) needs a width. Call window(hu, center, width), "
            "or pass a preset name such as 'brain'."
        )
    return Window(center, width)


def voi_function(name: str) -> str:
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
