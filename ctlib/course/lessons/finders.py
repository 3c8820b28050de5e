"""Finders: small functions that find one sign on a slice and return its :class:`~ctlib.course.annotate.Mark`.

Each works on a :class:`~ctlib.course.lessons.view.SliceView` (pixels and the synthetic set's maps) and
returns ``None`` when the slice does not show the sign, so a figure never points at nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from ctlib.course.annotate import Mark
from ctlib.course.landmarks import (
    BONE,
    BRAIN,
    CSF,
    DURA,
    GRAY,
    SCALP,
    VENTRICLE,
)
from ctlib.course.lessons.view import (
    EPIDURAL,
    INTRAVENTRICULAR,
    SUBDURAL,
    SUTURE,
    Finder,
    SliceView,
)
from ctlib.course.signs import intracranial

# --- finders -----------------------------------------------------------------------------------


def deepest(mask: npt.NDArray[np.bool_]) -> tuple[int, int] | None:
    """The (row, column) of a mask farthest from its edge, or ``None`` for an empty mask."""
    if not mask.any():
        return None
    depth = ndimage.distance_transform_edt(mask)
    r, c = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return int(r), int(c)


def _region(v: SliceView, near: tuple[float, float] | None, within: float) -> npt.NDArray[np.bool_]:
    """Pixels within ``within`` frame units of ``near`` (everything if ``near`` is None)."""
    if near is None:
        return np.ones(v.tissue.shape, dtype=bool)
    rows, cols = np.indices(v.tissue.shape)
    ap, lr = v.frame.to_frame(rows.ravel(), cols.ravel())
    inside = np.hypot(ap - near[0], lr - near[1]) <= within
    return inside.reshape(v.tissue.shape)


def lesion(label: str, code: int, *, near: tuple[float, float] | None = None, within: float = 0.3,
           hu: tuple[float, float] = (40.0, 105.0)) -> Finder:
    """The deepest point of a lesion code (within a region of the head frame, if given)."""
    def find(v: SliceView) -> Mark | None:
        point = deepest((v.lesion == code) & _region(v, near, within))
        return None if point is None else Mark(label, *point, "lesion", (code,), hu)
    return find


def tissue(label: str, codes: Sequence[int], *, near: tuple[float, float] | None = None,
           within: float = 0.3, hu: tuple[float, float] = (-np.inf, np.inf)) -> Finder:
    """The deepest point of tissue codes (within a region of the head frame, if given)."""
    def find(v: SliceView) -> Mark | None:
        point = deepest(np.isin(v.tissue, codes) & _region(v, near, within))
        return None if point is None else Mark(label, *point, "tissue", tuple(codes), hu)
    return find


def bright(label: str, *, near: tuple[float, float] | None, within: float = 0.2,
           codes: Sequence[int] = (*BRAIN, CSF, VENTRICLE, DURA, 9, 19),
           hu: tuple[float, float] = (100.0, 2000.0)) -> Finder:
    """The brightest small spot (3 × 3 mean) inside the skull, near a place: a calcification."""
    def find(v: SliceView) -> Mark | None:
        allowed = np.isin(v.tissue, codes) & _region(v, near, within) & (v.lesion == 0)
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 3)
        smooth[~allowed] = -np.inf
        r, c = np.unravel_index(int(np.argmax(smooth)), smooth.shape)
        if not np.isfinite(smooth[r, c]) or smooth[r, c] < hu[0]:
            return None
        return Mark(label, int(r), int(c), "hu", (), hu)
    return find


def swirl(label: str = "swirl: darker, still-liquid blood", code: int = EPIDURAL) -> Finder:
    """The darkest part (5 × 5 mean) well inside a lesion: unclotted blood of an active bleed."""
    def find(v: SliceView) -> Mark | None:
        inner = ndimage.binary_erosion(v.lesion == code, iterations=3)
        if not inner.any():
            return None
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 5)
        mean = float(v.hu[v.lesion == code].mean())
        smooth[~inner] = np.inf
        r, c = np.unravel_index(int(np.argmin(smooth)), smooth.shape)
        return Mark(label, int(r), int(c), "lesion", (code,), (0.0, mean - 8.0))
    return find


def scalp_swelling(label: str = "scalp swelling", *, side: float) -> Finder:
    """The thickest point of the scalp on one side (``side`` −1: patient's right, +1: left)."""
    def find(v: SliceView) -> Mark | None:
        scalp = v.tissue == SCALP
        _, lr = v.frame.to_frame(*np.indices(scalp.shape).reshape(2, -1))
        scalp &= (np.sign(lr) == np.sign(side)).reshape(scalp.shape)
        point = deepest(scalp)
        return None if point is None else Mark(label, *point, "tissue", (SCALP,), (-20.0, 80.0))
    return find


def effaced(label: str = "no sulci: effaced", *, side: float, radius_mm: float = 6.0) -> Finder:
    """Convexity cortex on one side, 4–15 mm from the blood, with no CSF within ``radius_mm``:
    sulci pressed shut (far enough from the blood that the arrow is not read as pointing at it)."""
    def find(v: SliceView) -> Mark | None:
        csf_far = ndimage.distance_transform_edt(v.tissue != CSF) * v.pixel_mm > radius_mm
        cortex = (v.tissue == GRAY) & csf_far
        from_blood = ndimage.distance_transform_edt(v.lesion == 0) * v.pixel_mm
        _, lr = v.frame.to_frame(*np.indices(cortex.shape).reshape(2, -1))
        lr = lr.reshape(cortex.shape)
        candidates = cortex & (from_blood > 4.0) & (from_blood < 15.0) & (np.sign(lr) == side)
        candidates &= np.abs(lr) > 0.5  # the convexity, not the insula or the deep nuclei
        if not candidates.any():
            return None
        rows, cols = np.nonzero(candidates)  # the candidate nearest the blood
        i = int(np.argmin(from_blood[rows, cols]))
        return Mark(label, int(rows[i]), int(cols[i]), "tissue", (GRAY,), (15.0, 55.0))
    return find


def open_sulcus(label: str = "sulci open", *, side: float) -> Finder:
    """A convexity sulcus with CSF on one side (the other side from the blood), for comparison:
    CSF within 5 mm of the inner table, away from the Sylvian fissure's depth."""
    def find(v: SliceView) -> Mark | None:
        _, lr = v.frame.to_frame(*np.indices(v.tissue.shape).reshape(2, -1))
        lr = lr.reshape(v.tissue.shape)
        to_table = ndimage.distance_transform_edt(intracranial(v.tissue, v.lesion)) * v.pixel_mm
        csf = (v.tissue == CSF) & (np.sign(lr) == side) & (to_table < 5.0) & (np.abs(lr) > 0.6)
        point = deepest(csf)
        return None if point is None else Mark(label, *point, "tissue", (CSF,), (-5.0, 45.0))
    return find


def suture_near(label: str = "suture", code: int = EPIDURAL, *, within_mm: float = 15.0) -> Finder:
    """The suture pixel nearest a lesion, within ``within_mm`` (where an epidural stops)."""
    def find(v: SliceView) -> Mark | None:
        from_blood = ndimage.distance_transform_edt(v.lesion != code) * v.pixel_mm
        suture = (v.tissue == SUTURE) & (from_blood < within_mm)
        if not suture.any():
            return None
        rows, cols = np.nonzero(suture)
        i = int(np.argmin(from_blood[rows, cols]))
        return Mark(label, int(rows[i]), int(cols[i]), "tissue", (SUTURE,), (-100.0, 1500.0))
    return find


def level(label: str = "fluid level: blood below, CSF above", code: int = INTRAVENTRICULAR) -> Finder:
    """The top (most anterior) edge of dependent blood in a ventricle, where the level lies."""
    def find(v: SliceView) -> Mark | None:
        blood = v.lesion == code
        csf = ndimage.binary_dilation((v.tissue == VENTRICLE) & ~blood, iterations=2)
        edge = blood & csf
        if not edge.any():
            return None
        rows, cols = np.nonzero(edge)
        ap, _ = v.frame.to_frame(rows, cols)
        i = int(np.argmin(ap))
        # two pixels below the level, into the blood (the edge itself averages blood and CSF)
        r = rows[i] + 2 * v.frame.ap[0]
        c = cols[i] + 2 * v.frame.ap[1]
        return Mark(label, round(r), round(c), "lesion", (code,), (30.0, 90.0))
    return find


def settled(label: str = "fresh blood settles to the back", code: int = SUBDURAL,
            dense_hu: float = 50.0) -> Finder:
    """The densest, dependent part of a mixed collection (acute on chronic): its deepest point."""
    def find(v: SliceView) -> Mark | None:
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 5)
        point = deepest((v.lesion == code) & (smooth > dense_hu))
        return None if point is None else Mark(label, *point, "lesion", (code,), (dense_hu, 95.0))
    return find


def dark_band(label: str = "dark streak (beam hardening)",
              below_hu: float = 31.0) -> Finder:
    """The darkest 9 × 9 region of brain behind the petrous bones (pons and cerebellum)."""
    def find(v: SliceView) -> Mark | None:
        brain = np.isin(v.tissue, BRAIN) & _region(v, (0.35, 0.0), 0.35)
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 9)
        smooth[~ndimage.binary_erosion(brain, iterations=4)] = np.inf
        r, c = np.unravel_index(int(np.argmin(smooth)), smooth.shape)
        if not np.isfinite(smooth[r, c]) or smooth[r, c] > below_hu:
            return None
        return Mark(label, int(r), int(c), "hu", (), (-20.0, below_hu))
    return find


def partial_volume(label: str = "partial volume: bone") -> Finder:
    """Brain or CSF pixels next to the skull base that measure like blood or more: the largest
    cluster of them in the front half of the head."""
    def find(v: SliceView) -> Mark | None:
        inside = np.isin(v.tissue, (*BRAIN, CSF))
        near_bone = ndimage.distance_transform_edt(v.tissue != BONE) <= 3
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 3)
        hot = inside & near_bone & (smooth > 65) & (smooth < 250) & _region(v, (-0.6, 0.0), 0.6)
        labels, n = ndimage.label(hot)
        if n == 0:
            return None
        biggest = 1 + int(np.argmax(ndimage.sum(hot, labels, range(1, n + 1))))
        rows, cols = np.nonzero(labels == biggest)
        i = int(np.argmax(smooth[rows, cols]))
        return Mark(label, int(rows[i]), int(cols[i]), "hu", (), (60.0, 300.0))
    return find


