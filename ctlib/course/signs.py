"""Measuring the secondary signs a reader reports: midline shift and the thickness of a collection.

A radiologist measures **midline shift** on the slice of the frontal horns: draw the *ideal
midline*, the straight line joining the falx's attachments to the inner table in front and
behind, then measure how far the **septum pellucidum** (the thin wall between the two frontal
horns) lies from it, perpendicular to the line. More than about 5 mm is significant (it goes with
worse outcomes and often with herniation). The **thickness** of an extra-axial collection is its
greatest width perpendicular to the skull on any slice.

These functions measure both on the synthetic set's tissue and lesion maps (they are the
generator's truth, and :mod:`ctlib.course.exercises` checks a learner's measurement against them). On
real data, where there are no maps, the same lines are drawn by hand in a viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from ctlib.course.tissues import Tissue
from ctlib.errors import CtlibError

__all__ = ["Caliper", "MidlineShift", "collection_thickness", "head_axes", "intracranial",
           "midline_shift"]

#: Tissues inside the inner table (everything but air, scalp, fat, bone, diploë, holder,
#: the face and its sinuses, sutures and fractures).
_INSIDE = (Tissue.CSF, Tissue.VENTRICLE, Tissue.GRAY, Tissue.WHITE, Tissue.CALCIFICATION,
           Tissue.DEEP_GRAY, Tissue.DURA, Tissue.VENOUS_SINUS, Tissue.CHOROID_PLEXUS,
           Tissue.VESSEL, Tissue.EXTRA_AXIAL, Tissue.EDEMA)
_VENTRICLE = Tissue.VENTRICLE


@dataclass(frozen=True)
class MidlineShift:
    """A midline-shift measurement on one slice (pixel coordinates: row, column).

    Attributes
    ----------
    front, back : (row, col)
        Where the ideal midline meets the inner table (the falx's attachments).
    septum : (row, col)
        The septum pellucidum: midway between the two frontal horns.
    foot : (row, col)
        The septum's projection on the ideal midline (the shift is the distance septum–foot).
    shift_mm : float
        Septum to ideal midline, perpendicular to it, in mm. Positive: towards image right
        (the patient's left).
    """

    front: tuple[float, float]
    back: tuple[float, float]
    septum: tuple[float, float]
    foot: tuple[float, float]
    shift_mm: float


@dataclass(frozen=True)
class Caliper:
    """The greatest thickness of a collection on a slice, as a line across it.

    Attributes
    ----------
    start, end : (row, col)
        The line's two ends, on the collection's two edges.
    middle : (row, col)
        The deepest point of the collection.
    thickness_mm : float
    """

    start: tuple[float, float]
    end: tuple[float, float]
    middle: tuple[float, float]
    thickness_mm: float


def intracranial(tissue: npt.ArrayLike, lesion: npt.ArrayLike | None = None) -> npt.NDArray[np.bool_]:
    """Everything inside the inner table on one slice: brain, CSF, dura, blood.

    Examples
    --------
    >>> t = np.zeros((9, 9), int); t[2:7, 2:7] = 8
    >>> int(intracranial(t).sum())
    25
    """
    codes = np.asarray(tissue)
    inside = np.isin(codes, _INSIDE)
    if lesion is not None:
        inside |= np.asarray(lesion) > 0
    return np.asarray(ndimage.binary_fill_holes(inside), dtype=bool)


def head_axes(inside: npt.NDArray[np.bool_]) -> tuple[
        npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64],
        npt.NDArray[np.float64]]:
    """The centre and the two axes of the space inside the skull on one slice.

    The head's long (anterior-posterior) axis is the principal axis of the intracranial
    pixels; the other is perpendicular to it.

    Returns
    -------
    centre : numpy.ndarray, shape (2,)
        (row, column) of the centroid.
    coords : numpy.ndarray, shape (2, n)
        Each intracranial pixel's (row, column) relative to the centre.
    ap : numpy.ndarray, shape (2,)
        Unit vector along the long axis, pointing down the image (posterior).
    lr : numpy.ndarray, shape (2,)
        Unit vector across it, pointing to the image's right (the patient's left).

    Examples
    --------
    >>> inside = np.zeros((80, 60), bool); inside[10:70, 15:45] = True
    >>> centre, _, ap, lr = head_axes(inside)
    >>> centre.tolist(), np.abs(ap).round(6).tolist(), np.abs(lr).round(6).tolist()
    ([39.5, 29.5], [1.0, 0.0], [0.0, 1.0])
    """
    rows, cols = np.nonzero(inside)
    centre = np.array([rows.mean(), cols.mean()])
    coords = np.stack([rows - centre[0], cols - centre[1]])
    _, vectors = np.linalg.eigh(np.cov(coords))
    ap = vectors[:, -1] if vectors[0, -1] >= 0 else -vectors[:, -1]
    lr = np.array([-ap[1], ap[0]])
    if lr[1] < 0:
        lr = -lr
    return centre, coords, ap, lr


def midline_shift(
    tissue: npt.ArrayLike, lesion: npt.ArrayLike | None = None, *, pixel_mm: float = 1.0
) -> MidlineShift:
    """Measure the midline shift on a slice through the frontal horns.

    Parameters
    ----------
    tissue : array_like of int, shape (rows, columns)
        The slice's tissue map (codes of ``ctlib.course.tissues.Tissue``).
    lesion : array_like of int, optional
        The slice's lesion map: blood lies inside the skull too.
    pixel_mm : float
        (0028,0030) Pixel Spacing (square pixels).

    Returns
    -------
    MidlineShift

    Raises
    ------
    ctlib.CtlibError
        If the slice does not show two frontal horns: choose the slice of the frontal horns
        (the level of the third ventricle or just above).

    Examples
    --------
    >>> t = np.zeros((60, 60), int); t[5:55, 10:50] = 8     # an oval "brain"
    >>> t[15:25, 22:29] = 6; t[15:25, 30:37] = 6          # two horns, septum at column 29
    >>> round(midline_shift(t, pixel_mm=0.5).shift_mm, 2)
    -0.25
    """
    inside = intracranial(tissue, lesion)
    if inside.sum() < 100:
        raise CtlibError("no head on this slice: give the tissue map of a slice through the brain.")
    centre, coords, axis, across = head_axes(inside)
    along = coords.T @ axis
    front = centre + along.min() * axis
    back = centre + along.max() * axis
    half_width = float(np.abs(coords.T @ across).max())
    septum = _septum(np.asarray(tissue) == _VENTRICLE, centre, axis, across, half_width)
    offset = float((septum - centre) @ across)
    foot = septum - offset * across
    return MidlineShift(_point(front), _point(back), _point(septum), _point(foot),
                        offset * pixel_mm)


def _septum(
    ventricle: npt.NDArray[np.bool_], centre: npt.NDArray[np.float64],
    axis: npt.NDArray[np.float64], across: npt.NDArray[np.float64], half_width: float,
) -> npt.NDArray[np.float64]:
    """The midpoint between the left and right frontal horns, averaged over their rows.

    A row counts when, in front of the head's centre and within a quarter of the head's
    half-width of the midline, ventricle lies on both sides of a thin gap (the septum, less than a
    twentieth of the half-width) and each side is at least 3 pixels wide.
    """
    rows, cols = np.nonzero(ventricle)
    if rows.size == 0:
        raise CtlibError("no ventricle on this slice: the septum pellucidum is measured on the "
                         "slice of the frontal horns.")
    points = np.stack([rows, cols], axis=1) - centre
    along = np.round(points @ axis).astype(int)
    side = points @ across
    near = (along < 0) & (np.abs(side) < 0.25 * half_width)
    middles = []
    for level in np.unique(along[near]):
        here = np.sort(side[near & (along == level)])
        if here.size < 6:
            continue
        gaps = np.diff(here)
        i = int(np.argmax(gaps))
        left, right = here[:i + 1], here[i + 1:]
        if (1.5 < gaps[i] < 0.05 * half_width + 1.5 and left.size >= 3 and right.size >= 3
                and left.max() - left.min() >= 2 and right.max() - right.min() >= 2):
            middles.append(((left.max() + right.min()) / 2, level))
    if len(middles) < 3:
        raise CtlibError("this slice does not show two frontal horns side by side: measure the "
                         "shift on the slice of the frontal horns (third ventricle level or just "
                         "above).")
    offset, level = np.median(np.array(middles), axis=0)
    return np.asarray(centre + level * axis + offset * across, dtype=np.float64)


def collection_thickness(mask: npt.ArrayLike, *, pixel_mm: float = 1.0) -> Caliper:
    """The greatest thickness of a collection (e.g. a subdural) on one slice.

    It is the diameter of the largest disc that fits inside the mask, measured from its centre to
    the nearest edge and doubled: for a crescent, its width where it is widest.

    Parameters
    ----------
    mask : array_like of bool, shape (rows, columns)
    pixel_mm : float

    Returns
    -------
    Caliper

    Examples
    --------
    >>> m = np.zeros((40, 40), bool); m[10:30, 5:13] = True    # 8 pixels wide
    >>> collection_thickness(m, pixel_mm=0.5).thickness_mm
    4.0
    """
    inside = np.asarray(mask, dtype=bool)
    if not inside.any():
        raise CtlibError("the mask is empty on this slice: choose a slice where the collection is.")
    padded = np.pad(inside, 1)
    depth, nearest = ndimage.distance_transform_edt(padded, return_indices=True)
    middle = np.array(np.unravel_index(int(np.argmax(depth)), depth.shape), float)
    edge = nearest[:, int(middle[0]), int(middle[1])].astype(float)
    direction = middle - edge
    length = float(np.hypot(*direction))
    unit = direction / length if length else np.array([0.0, 1.0])
    # the edge pixel is the first outside the mask: the collection ends half a pixel before it
    start = edge + 0.5 * unit
    end = start + 2 * (middle - start)
    shift = np.array([1.0, 1.0])  # undo the padding
    return Caliper(_point(start - shift), _point(end - shift), _point(middle - shift),
                   round(2 * float(depth.max()) * pixel_mm, 2))


def _point(p: npt.NDArray[np.float64]) -> tuple[float, float]:
    return float(p[0]), float(p[1])
