"""Cropping a slice to the head, so that pixels go to anatomy rather than to air.

A head CT is mostly air around the head: a 512 × 512 slice of an adult's head at 0.45 mm per
pixel has the head in about its middle 400 × 400 pixels, and the headrest below it. Figures
(and a model's input) spend their pixels better on the head.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from ctlib.errors import ArgumentError

__all__ = ["head_box", "series_box"]


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
    extent = _extent(hu, threshold, keep)
    if extent is None:
        return slice(0, hu.shape[0]), slice(0, hu.shape[1])
    return _square(extent, hu.shape[:2], margin)


def series_box(volume: np.ndarray, *, margin: int = 8, threshold: float = -300.0
               ) -> tuple[slice, slice]:
    """One square box that holds the head on every slice of a series.

    A 2.5D input stacks neighbouring slices as channels: cropped each to its own
    :func:`head_box`, they would be shifted and zoomed differently (the head's outline changes
    from slice to slice, fastest near the vertex and the skull base), and one pixel would not
    be one place in the head across channels. This box is the union of every slice's
    ``head_box(keep="largest")`` extent, made square: cropped to it, the slices stay aligned.

    Parameters
    ----------
    volume : numpy.ndarray, shape (slices, rows, columns)
        A series in HU (e.g. :attr:`ctlib.Volume.hu`).
    margin, threshold
        As in :func:`head_box`.

    Returns
    -------
    tuple of slice
        Square crop (rows, columns), the same for every slice.

    Examples
    --------
    >>> volume = np.full((2, 64, 64), -1000.0)
    >>> volume[0, 20:30, 20:30] = 40.0                 # a small section near the vertex
    >>> volume[1, 10:50, 12:52] = 40.0                 # a wide one lower down
    >>> head_box(volume[0], margin=2), series_box(volume, margin=2)
    ((slice(18, 32, None), slice(18, 32, None)), (slice(8, 52, None), slice(10, 54, None)))
    """
    if volume.ndim != 3:
        raise ArgumentError(f"volume must have shape (slices, rows, columns), got "
                            f"{volume.shape}.")
    extents = [e for e in (_extent(s, threshold, "largest") for s in volume) if e is not None]
    if not extents:
        return slice(0, volume.shape[1]), slice(0, volume.shape[2])
    lows, highs = np.min([e[0] for e in extents], axis=0), np.max([e[1] for e in extents], axis=0)
    return _square((lows, highs), volume.shape[1:], margin)


def _extent(hu: np.ndarray, threshold: float, keep: str
            ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None:
    """(first row, first column) and (last row, last column) of the head, or None if none."""
    solid = hu > threshold
    if keep == "largest" and solid.any():
        from scipy import ndimage  # 0.25 s to import: only when asked for

        regions, count = ndimage.label(solid)
        sizes = np.bincount(regions.ravel(), minlength=count + 1)
        sizes[0] = 0
        solid = regions == int(np.argmax(sizes))
    rows, cols = np.nonzero(solid)
    if rows.size == 0:
        return None
    return np.array([rows.min(), cols.min()]), np.array([rows.max(), cols.max()])


def _square(extent: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]], shape: tuple[int, ...],
            margin: int) -> tuple[slice, slice]:
    """The square box around an extent, ``margin`` pixels wider, kept inside the image."""
    low, high = extent
    half = (int(np.max(high - low)) + 1) // 2 + margin
    centre = (low + high + 1) // 2
    box = []
    for c, n in zip(centre, shape, strict=True):
        lo = int(np.clip(c - half, 0, max(n - 2 * half, 0)))
        box.append(slice(lo, min(lo + 2 * half, n)))
    return box[0], box[1]
