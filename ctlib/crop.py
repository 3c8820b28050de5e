"""Cropping a slice to the head, so that pixels go to anatomy rather than to air.

A head CT is mostly air around the head: a 512 × 512 slice of an adult's head at 0.45 mm per
pixel has the head in about its middle 400 × 400 pixels, and the headrest below it. Figures
(and a model's input) spend their pixels better on the head.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["head_box"]


def head_box(hu: np.ndarray, *, margin: int = 8, threshold: float = -300.0,
             keep: Literal["all", "largest"] = "all") -> tuple[slice, slice]:
    """Rows and columns that hold the head (and holder), so figures spend pixels on anatomy.

    Parameters
    ----------
    hu : numpy.ndarray, shape (rows, columns)
        A slice in HU.
    margin : int, optional
        Pixels kept around the head.
    threshold : float, optional
        HU above which a pixel counts as part of the head.
    keep : {"all", "largest"}, optional
        ``"all"``: everything above ``threshold``, the headrest and table included (figures
        show them). ``"largest"``: only the largest connected region, the head: the headrest,
        separated from it by its foam pad, is cropped away (a model's input).

    Returns
    -------
    tuple of slice
        Square crop (rows, columns), inside the image.

    Examples
    --------
    >>> hu = np.full((64, 64), -1000.0)
    >>> hu[20:40, 10:50] = 40.0
    >>> head_box(hu, margin=2)
    (slice(8, 52, None), slice(8, 52, None))
    >>> hu[60:62, :] = 300.0                       # a table below the head
    >>> head_box(hu, margin=2)[0], head_box(hu, margin=2, keep="largest")[0]
    (slice(0, 64, None), slice(8, 52, None))
    """
    solid = hu > threshold
    if keep == "largest" and solid.any():
        from scipy import ndimage  # 0.25 s to import: only when asked for

        regions, count = ndimage.label(solid)
        sizes = np.bincount(regions.ravel(), minlength=count + 1)
        sizes[0] = 0
        solid = regions == int(np.argmax(sizes))
    rows, cols = np.nonzero(solid)
    if rows.size == 0:
        return slice(0, hu.shape[0]), slice(0, hu.shape[1])
    half = (int(max(np.ptp(rows), np.ptp(cols))) + 1) // 2 + margin
    centre = ((rows.min() + rows.max() + 1) // 2, (cols.min() + cols.max() + 1) // 2)
    box = []
    for c, n in zip(centre, hu.shape, strict=True):
        lo = int(np.clip(c - half, 0, max(n - 2 * half, 0)))
        box.append(slice(lo, min(lo + 2 * half, n)))
    return box[0], box[1]
