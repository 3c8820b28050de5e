"""From a slice in HU to a model's input: windows, the head cropped, one size, neighbours.

What the top RSNA 2019 solutions fed their networks, written once: several windows of the
same slice as channels (:func:`ctlib.to_channels`), the head cropped away from the headrest
and the air around it (:func:`ctlib.crop.head_box`; one box per series,
:func:`ctlib.crop.series_box`, keeps a 2.5D input's slices aligned), every image resized to one size (a few
RSNA images are not 512 × 512), and the slices above and below as extra channels ("2.5D",
:func:`neighbours`) from a series sorted along its normal (:func:`ctlib.load_series`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from ctlib.channels import to_channels
from ctlib.crop import head_box
from ctlib.errors import ArgumentError
from ctlib.window import Window

__all__ = ["BLANK_BELOW", "MODEL_WINDOWS", "is_blank", "model_input", "neighbours", "stack_25d"]

#: The widely copied RSNA recipe (Appian's, used by the second-placed team): brain 40/80,
#: subdural 80/200, soft tissue 40/380. Bone is left out: at W 2800, acute blood (60–80 HU)
#: and brain (30–40 HU) lie about 3 of 256 grey levels apart, so a bone channel carries
#: almost nothing about blood (it shows fractures, which no RSNA label names).
MODEL_WINDOWS: tuple[str, ...] = ("brain", "subdural", "soft_tissue")
#: A slice with fewer pixels than this fraction above −300 HU shows no head (blank or padding).
BLANK_BELOW = 0.01


def is_blank(hu: npt.ArrayLike, *, threshold: float = -300.0, fraction: float = BLANK_BELOW
             ) -> bool:
    """Whether a slice shows no head: fewer than ``fraction`` of its pixels above ``threshold``.

    RSNA's set holds such images (air only, or padding only); a model learns nothing from
    them, and their label is always 0.

    Examples
    --------
    >>> is_blank(np.full((64, 64), -1024.0))
    True
    >>> hu = np.full((64, 64), -1024.0); hu[20:40, 20:40] = 40
    >>> is_blank(hu)
    False
    """
    values = np.asarray(hu)
    return bool(np.count_nonzero(values > threshold) < fraction * values.size)


def model_input(
    hu: npt.ArrayLike,
    windows: Sequence[Window | str | tuple[float, float]] = MODEL_WINDOWS,
    *,
    size: int = 256,
    crop: bool = True,
    box: tuple[slice, slice] | None = None,
    dtype: npt.DTypeLike = np.uint8,
) -> npt.NDArray[np.generic]:
    """One slice as a network's input: channels first, cropped to the head, ``size`` square.

    Parameters
    ----------
    hu : array_like, shape (rows, columns)
        A slice in HU (any size: a few RSNA images are not 512 × 512).
    windows : sequence of Window, str or (center, width)
        One channel per window (default :data:`MODEL_WINDOWS`).
    size : int
        The output's rows and columns.
    crop : bool
        Crop to the head's square first (:func:`ctlib.crop.head_box` with
        ``keep="largest"``): most of a 512 × 512 slice is air and headrest (the square box
        keeps about 40 % of its pixels on an adult head). A blank slice is not cropped.
    box : tuple of slice, optional
        Crop to this box instead (rows, columns): give every slice of a series the same
        one, :func:`ctlib.crop.series_box`, so that the slices of a 2.5D input are aligned.
    dtype : {uint8, float32}
        uint8 (0–255, four times smaller on disk) or float32 in [0, 1].

    Returns
    -------
    numpy.ndarray, shape (len(windows), size, size)

    Examples
    --------
    >>> hu = np.full((400, 300), -1024.0); hu[100:300, 80:220] = 40   # not 512 × 512
    >>> x = model_input(hu, size=64)
    >>> x.shape, x.dtype, int(x[0, 32, 32])
    ((3, 64, 64), dtype('uint8'), 128)
    """
    if not isinstance(size, int | np.integer) or size < 8:
        raise ArgumentError(f"size must be an integer of at least 8 pixels, got {size!r}.")
    if np.dtype(dtype) not in (np.dtype(np.uint8), np.dtype(np.float32)):
        raise ArgumentError(f"dtype must be uint8 or float32, got {np.dtype(dtype)}.")
    image = np.asarray(hu, dtype=np.float32)
    if image.ndim != 2:
        raise ArgumentError(f"hu must be one slice of shape (rows, columns), got {image.shape}.")
    hu_shape = image.shape
    if box is not None:
        image = image[box]
        if image.size == 0:
            raise ArgumentError(f"the box {box} holds no pixel of a slice of shape {hu_shape}.")
    elif crop and not is_blank(image):
        image = image[head_box(image, keep="largest")]
    # Resize in HU (linear), before windowing: the same image whatever the window.
    zoom = (size / image.shape[0], size / image.shape[1])
    resized = ndimage.zoom(image, zoom, order=1, mode="nearest", grid_mode=True)
    channels = to_channels(resized, windows, dtype=np.float32)
    out: npt.NDArray[np.float32] = np.ascontiguousarray(np.moveaxis(channels, -1, 0))
    if np.dtype(dtype) == np.uint8:
        return np.rint(out * 255).astype(np.uint8)
    return out


def neighbours(slices: int, index: int, context: int = 1) -> npt.NDArray[np.intp]:
    """The slices a 2.5D input stacks for slice ``index``: ``context`` below and above it.

    At the ends of a series there is no slice beyond: the end slice is repeated, so every
    input has the same number of channels and the missing side shows the same anatomy
    rather than a black image the model could take for a feature.

    Parameters
    ----------
    slices : int
        Number of slices in the series (sorted along its normal).
    index : int
        The slice the label belongs to.
    context : int
        Slices on each side (1 gives 3 slices).

    Examples
    --------
    >>> neighbours(10, 5).tolist(), neighbours(10, 0).tolist(), neighbours(10, 9, 2).tolist()
    ([4, 5, 6], [0, 0, 1], [7, 8, 9, 9, 9])
    """
    if slices < 1 or not 0 <= index < slices:
        raise ArgumentError(f"index {index} is not a slice of a series of {slices}.")
    if context < 0:
        raise ArgumentError(f"context must be 0 or more slices, got {context}.")
    return np.clip(np.arange(index - context, index + context + 1), 0, slices - 1)


def stack_25d(inputs: npt.ArrayLike, index: int, context: int = 1) -> npt.NDArray[np.generic]:
    """The 2.5D input of slice ``index``: its neighbours' channels, below to above.

    Parameters
    ----------
    inputs : array_like, shape (slices, channels, rows, columns)
        A series' model inputs (e.g. :func:`model_input` of each slice), in slice order.

    Returns
    -------
    numpy.ndarray, shape ((2 * context + 1) * channels, rows, columns)

    Examples
    --------
    >>> series = np.arange(4)[:, None, None, None] * np.ones((4, 3, 2, 2), np.uint8)
    >>> stack_25d(series, 0)[:, 0, 0].tolist()   # slice 0 twice (the edge), then slice 1
    [0, 0, 0, 0, 0, 0, 1, 1, 1]
    """
    array = np.asarray(inputs)
    if array.ndim != 4:
        raise ArgumentError(f"inputs must have shape (slices, channels, rows, columns), got "
                            f"{array.shape}.")
    chosen = array[neighbours(len(array), index, context)]
    return chosen.reshape(-1, *array.shape[2:])
