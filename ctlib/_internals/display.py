"""What both viewers show: a stack of slices and its masks, turned the radiological way.

:func:`ctlib.viewer.show` (the kernel's viewer) and :func:`ctlib.viewer_browser.show` (the
page's) take the same arguments; this module checks them once and draws the masks' outlines.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.errors import ArgumentError
from ctlib.volume import Volume, display_axes

__all__ = ["displayed", "outline"]


def outline(mask: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """The boundary pixels of a mask (the mask minus its erosion).

    Examples
    --------
    >>> import numpy as np
    >>> m = np.zeros((5, 5), bool); m[1:4, 1:4] = True
    >>> outline(m).sum()
    np.int64(8)
    """
    m = np.asarray(mask, dtype=bool)
    return np.asarray(m & ~ndi.binary_erosion(m), dtype=bool)


def displayed(volume_or_slice: Volume | npt.ArrayLike, masks: npt.ArrayLike | None = None
              ) -> tuple[npt.NDArray[np.float32], npt.NDArray[Any] | None]:
    """What a viewer shows: a (slices, rows, columns) float32 stack, and masks of its shape.

    A :class:`ctlib.Volume` is turned the radiological way (as :func:`ctlib.reformat`
    shows it), and its masks with it; a single slice becomes a stack of one.

    Raises
    ------
    ArgumentError
        If the image is not 2-D or 3-D with at least one slice, row and column,
        or ``masks`` does not have its shape.

    Examples
    --------
    >>> stack, masks = displayed(np.zeros((16, 16)), np.ones((16, 16), int))
    >>> stack.shape, masks.shape
    ((1, 16, 16), (1, 16, 16))
    """
    if isinstance(volume_or_slice, Volume):  # shown the radiological way, as reformat does
        if masks is not None and np.shape(masks) == volume_or_slice.hu.shape:
            masks = display_axes(volume_or_slice, np.asarray(masks))[0]
        volume_or_slice = display_axes(volume_or_slice)[0]
    try:
        with np.errstate(over="ignore"):  # beyond float32's range: ±inf, shown black or white
            volume = np.asarray(volume_or_slice, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            f"the image cannot be made into an array of numbers ({exc}). Pass a slice or a "
            "volume in HU, e.g. ctlib.to_hu(ds) or ctlib.load_series(folder).hu."
        ) from None
    if volume.ndim == 2:
        volume = volume[None]
    if volume.ndim != 3 or 0 in volume.shape:
        raise ArgumentError(
            f"the image has shape {np.shape(volume_or_slice)}: show needs a slice (rows, "
            "columns) or a volume (slices, rows, columns), each at least 1. Pass e.g. "
            "ctlib.to_hu(ds) or ctlib.load_series(folder).hu."
        )
    mask_array = None if masks is None else np.asarray(masks)
    if mask_array is not None and mask_array.ndim == 2:
        mask_array = mask_array[None]
    if mask_array is not None and mask_array.shape != volume.shape:
        raise ArgumentError(
            f"masks have shape {mask_array.shape}, the image {volume.shape}. Pass masks of "
            "the image's shape (one label per pixel), or no masks."
        )
    return volume, mask_array
