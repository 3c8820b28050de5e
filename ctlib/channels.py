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

from ctlib.errors import WindowError
from ctlib.window import VoiFunction, Window, _as_window, window

__all__ = ["to_channels"]


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
        If ``windows`` is empty or an entry is not a window.

    See Also
    --------
    ctlib.window

    Examples
    --------
    >>> import numpy as np
    >>> hu = np.array([[0, 40, 80, 1000]])
    >>> to_channels(hu, dtype=np.uint8)[0]
    array([[  0,  26,  73],
           [128,  76,  76],
           [255, 128,  80],
           [255, 255, 164]], dtype=uint8)
    """
    specs = [_channel_window(entry) for entry in windows]
    if not specs:
        raise WindowError("windows is empty: give at least one window, e.g. ('brain',).")
    image = np.asarray(hu)
    out_dtype = np.dtype(dtype)
    first = window(image, specs[0], function=function, dtype=out_dtype)
    out = np.empty(first.shape + (len(specs),), dtype=out_dtype)
    out[..., 0] = first
    for k, spec in enumerate(specs[1:], start=1):
        out[..., k] = window(image, spec, function=function, dtype=out_dtype)
    return out


def _channel_window(entry: Window | str | tuple[float, float]) -> Window:
    """Turn one entry of ``windows`` into a :class:`Window`."""
    if isinstance(entry, Window | str):
        return _as_window(entry, None)
    try:
        center, width = entry
    except (TypeError, ValueError):
        raise WindowError(
            f"each window must be a Window, a preset name or a (center, width) pair, "
            f"got {entry!r}."
        ) from None
    return Window(center, width)
