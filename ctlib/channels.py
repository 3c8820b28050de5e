"""Several windows of one image as channels: :func:`to_channels`.

Most RSNA 2019 solutions fed their networks a three-channel image made of the
brain, subdural and bone windows of the same slice: one channel per question
a radiologist asks. Shown as RGB, the same array is a quick picture of all
three at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ctlib._internals.voi import check_range, check_width, checked_input, work_dtype
from ctlib.errors import WindowError
from ctlib.window import VoiFunction, Window, as_window, voi_function, voi_lut

__all__ = ["channel_window", "to_channels"]


def to_channels(
    hu: npt.ArrayLike,
    windows: Sequence[Window | str | tuple[float, float]] = ("brain", "subdural", "bone"),
    *,
    function: VoiFunction | str = "linear_exact",
    dtype: npt.DTypeLike = np.float32,
) -> np.ndarray:
    """Stack several windows of an image along a last, channel axis.

    Parameters
    ----------
    hu : array_like, shape (H, W)
        An image in HU. Never modified.
    windows : sequence of Window, str or (center, width)
        One window per channel; names refer to :data:`ctlib.PRESETS`.
        Default brain, subdural, bone.
    function, dtype
        As in :func:`ctlib.window`.

    Returns
    -------
    numpy.ndarray, shape (H, W, len(windows))
        Channel ``k`` is ``window(hu, windows[k])``; with three channels and
        ``dtype=numpy.uint8`` it is an RGB image.

    Raises
    ------
    WindowError
        If ``windows`` is empty or an entry is not a window, or for the
        reasons :func:`ctlib.window` gives.

    See Also
    --------
    ctlib.window

    Examples
    --------
    >>> import numpy as np
    >>> hu = np.array([[-10, 30, 60, 1000]])
    >>> to_channels(hu, dtype=np.uint8)[0]
    array([[  0,  13,  72],
           [ 96,  64,  76],
           [191, 102,  78],
           [255, 255, 164]], dtype=uint8)

    """
    specs = [channel_window(entry) for entry in windows]
    if not specs:
        raise WindowError("windows is empty: give at least one window, e.g. ('brain',).")
    func = voi_function(function)
    values, out_dtype = checked_input(hu, dtype)
    for spec in specs:
        check_width(spec, func)
        check_range(spec, func, work_dtype(out_dtype))
    with np.errstate(over="ignore"):  # beyond float32's range: ±inf, clipped by the windows
        x = values.astype(work_dtype(out_dtype))  # converted once for all channels
    scratch = np.empty_like(x)
    out = np.empty(x.shape + (len(specs),), dtype=out_dtype)
    for k, spec in enumerate(specs):
        voi_lut(x, spec, func, out=out[..., k], scratch=scratch)
    return out


def channel_window(entry: Window | str | tuple[float, float]) -> Window:
    """Turn one entry of ``windows`` into a :class:`Window`.

    Examples
    --------
    >>> print(channel_window("subdural"), channel_window((40, 380)), sep=", ")
    subdural (C 80 / W 200), C 40 / W 380
    """
    if isinstance(entry, Window | str):
        return as_window(entry, None)
    try:
        center, width = entry
    except (TypeError, ValueError):
        raise WindowError(
            f"each window must be a Window, a preset name or a (center, width) pair, "
            f"got {entry!r}."
        ) from None
    return Window(center, width)
