"""Where the named structures of a head CT are on a slice, and which slice shows each standard level.

Reading a head CT starts from normal anatomy at a few standard levels, from the posterior fossa to
the vertex. This module finds those levels in a series, and the structures to label on them, from
the synthetic set's tissue maps (:class:`ctlib.course.tissues.Tissue` codes), so the labels in notebook 04
are computed, never typed, and a test checks each one on its pixels.

Positions are described in the *head frame* of a slice: the centre of the space inside the skull,
an anterior–posterior axis (the head's long axis on the slice) and a right–left axis across it,
each scaled so that the inner table is at ±1. A structure is found as the pixel of its tissue codes
nearest to where it usually lies in that frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from ctlib.course.annotate import Mark
from ctlib.course.signs import head_axes, intracranial, midline_shift
from ctlib.course.tissues import Tissue
from ctlib.errors import CtlibError

__all__ = [
    "LEVELS",
    "STRUCTURES",
    "HeadFrame",
    "Structure",
    "find",
    "frontal_horns",
    "head_frame",
    "label_level",
    "standard_levels",
]

# The tissue codes the structures below are found on (short names for the tables).
(AIR, SCALP, FAT, BONE, DIPLOE, CSF, VENTRICLE, GRAY, WHITE, CALCIFICATION, DEEP_GRAY, DURA,
 VENOUS_SINUS, SINUS_AIR, GLOBE, LENS, OPTIC_NERVE) = (
    Tissue.AIR, Tissue.SCALP, Tissue.FAT, Tissue.BONE, Tissue.DIPLOE, Tissue.CSF,
    Tissue.VENTRICLE, Tissue.GRAY, Tissue.WHITE, Tissue.CALCIFICATION, Tissue.DEEP_GRAY,
    Tissue.DURA, Tissue.VENOUS_SINUS, Tissue.SINUS_AIR, Tissue.GLOBE, Tissue.LENS,
    Tissue.OPTIC_NERVE)
CHOROID, SUTURE = Tissue.CHOROID_PLEXUS, Tissue.SUTURE
BRAIN = (GRAY, WHITE, DEEP_GRAY)

#: The standard levels of an axial head CT, from the bottom up, with what each shows.
LEVELS: dict[str, str] = {
    "posterior fossa": "fourth ventricle, pons, cerebellum; orbits, temporal lobes, petrous bones",
    "suprasellar cistern": "the star-shaped cistern above the sella, midbrain, Sylvian fissures",
    "third ventricle": "basal ganglia, thalami, frontal horns and septum, third ventricle, pineal",
    "lateral ventricles": "bodies and atria of the lateral ventricles, choroid plexus",
    "centrum semiovale": "the white matter above the ventricles, falx, sulci",
    "vertex": "the top of the head: sulci, falx, superior sagittal sinus, sutures",
}


@dataclass(frozen=True)
class HeadFrame:
    """The head's own axes on one slice (see the module's description).

    Attributes
    ----------
    centre : (row, col)
    ap : (row, col) unit vector
        Anterior → posterior (down the image for a straight head).
    lr : (row, col) unit vector
        The patient's right → left (left to right on the image).
    half_ap, half_lr : float
        Half the inner table's length and width along those axes, in pixels.
    """

    centre: tuple[float, float]
    ap: tuple[float, float]
    lr: tuple[float, float]
    half_ap: float
    half_lr: float

    def to_pixel(self, ap: float, lr: float) -> tuple[float, float]:
        """(row, col) of a point given in frame units (−1 = anterior/right inner table)."""
        c, a, r = np.array(self.centre), np.array(self.ap), np.array(self.lr)
        p = c + ap * self.half_ap * a + lr * self.half_lr * r
        return float(p[0]), float(p[1])

    def to_frame(self, rows: npt.ArrayLike, cols: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(ap, lr) frame units of pixels."""
        d = np.stack([np.asarray(rows, float) - self.centre[0],
                      np.asarray(cols, float) - self.centre[1]])
        return (self.ap @ d) / self.half_ap, (self.lr @ d) / self.half_lr


@dataclass(frozen=True)
class Structure:
    """Where to look for a structure: its codes and its usual place in the head frame.

    Attributes
    ----------
    codes : tuple of int
        Tissue codes it is made of.
    at : (ap, lr)
        Its usual place, frame units.
    within : float
        How far (frame units) from ``at`` a pixel may be to count.
    hu : (low, high)
        What its pixels measure on a real scan (checked by the tests on the data set).
    """

    codes: tuple[int, ...]
    at: tuple[float, float]
    within: float = 0.25
    hu: tuple[float, float] = (-np.inf, np.inf)


#: The structures labelled in notebook 04, per level (negative lr: the patient's right, image left).
STRUCTURES: dict[str, dict[str, Structure]] = {
    "posterior fossa": {
        "fourth ventricle": Structure((VENTRICLE,), (0.3, 0.0), 0.15, (-5, 30)),
        "pons": Structure(BRAIN, (0.08, 0.0), 0.1, (15, 50)),
        "cerebellum": Structure(BRAIN, (0.55, 0.35), 0.2, (15, 50)),
        "temporal lobe": Structure(BRAIN, (-0.15, -0.55), 0.2, (15, 50)),
        "petrous bone": Structure((BONE,), (0.1, 0.45), 0.2, (300, 3000)),
        "eye (globe)": Structure((GLOBE,), (-1.05, -0.45), 0.3, (-10, 40)),
        "sphenoid sinus": Structure((SINUS_AIR,), (-0.33, 0.0), 0.2, (-1100, -200)),
    },
    "suprasellar cistern": {
        "suprasellar cistern": Structure((CSF,), (-0.1, 0.0), 0.12, (-5, 30)),
        "midbrain": Structure(BRAIN, (0.1, 0.0), 0.1, (15, 50)),
        "Sylvian fissure": Structure((CSF,), (-0.2, 0.4), 0.2, (-5, 35)),
        "temporal lobe": Structure(BRAIN, (0.0, -0.6), 0.2, (15, 50)),
        "ambient cistern": Structure((CSF,), (0.15, -0.15), 0.1, (-5, 35)),
    },
    "third ventricle": {
        "frontal horn": Structure((VENTRICLE,), (-0.35, -0.07), 0.12, (-5, 30)),
        "third ventricle": Structure((VENTRICLE,), (0.03, 0.0), 0.1, (-5, 30)),
        "caudate head": Structure((DEEP_GRAY,), (-0.35, 0.18), 0.12, (20, 50)),
        "lentiform nucleus": Structure((DEEP_GRAY,), (-0.15, -0.35), 0.15, (20, 50)),
        "thalamus": Structure((DEEP_GRAY,), (0.05, 0.12), 0.1, (20, 50)),
        "internal capsule": Structure((WHITE,), (-0.15, 0.22), 0.1, (15, 45)),
        "Sylvian fissure": Structure((CSF,), (-0.15, 0.6), 0.2, (-5, 35)),
        "occipital horn": Structure((VENTRICLE,), (0.35, -0.35), 0.2, (-5, 30)),
    },
    "lateral ventricles": {
        "lateral ventricle (body)": Structure((VENTRICLE,), (-0.1, -0.12), 0.15, (-5, 30)),
        "atrium": Structure((VENTRICLE,), (0.35, 0.3), 0.2, (-5, 30)),
        "falx": Structure((DURA,), (-0.6, 0.0), 0.25, (20, 120)),
        "superior sagittal sinus": Structure((VENOUS_SINUS,), (0.9, 0.0), 0.15, (20, 100)),
    },
    "centrum semiovale": {
        "centrum semiovale": Structure((WHITE,), (0.0, -0.35), 0.2, (15, 45)),
        "sulcus": Structure((CSF,), (-0.3, 0.75), 0.3, (-5, 40)),
        "falx": Structure((DURA,), (0.4, 0.0), 0.3, (20, 120)),
        "superior sagittal sinus": Structure((VENOUS_SINUS,), (0.85, 0.0), 0.15, (20, 100)),
    },
    "vertex": {
        # against the vertex's bone, partial volume lifts the sinus's blood above 100 HU
        "superior sagittal sinus": Structure((VENOUS_SINUS,), (0.6, 0.0), 0.3, (20, 140)),
        "sulcus": Structure((CSF,), (0.0, 0.45), 0.3, (-5, 40)),
        "gyrus": Structure((GRAY,), (0.25, -0.45), 0.25, (20, 55)),
        "falx": Structure((DURA,), (-0.1, 0.0), 0.35, (20, 120)),
    },
}


def head_frame(tissue: npt.ArrayLike, lesion: npt.ArrayLike | None = None) -> HeadFrame:
    """The head frame, from the space inside the inner table.

    Given a whole series (3-D maps), the frame is that of its widest slice, and serves every
    slice: low slices, cut through the irregular skull base, would give a tilted frame of their own.

    Examples
    --------
    >>> t = np.zeros((80, 60), int); t[10:70, 15:45] = 8      # a head twice as long as wide
    >>> f = head_frame(t)
    >>> f.centre, round(f.half_ap), round(f.half_lr)
    ((39.5, 29.5), 30, 15)
    >>> head_frame(np.stack([t, t])) == f
    True
    """
    codes = np.asarray(tissue)
    if codes.ndim == 3:
        lesions = None if lesion is None else np.asarray(lesion)
        areas = [intracranial(codes[k], None if lesions is None else lesions[k]).sum()
                 for k in range(len(codes))]
        k = int(np.argmax(areas))
        return head_frame(codes[k], None if lesions is None else lesions[k])
    inside = intracranial(codes, lesion)
    if inside.sum() < 50:
        raise CtlibError("no head on this slice: give a slice through the skull.")
    centre, d, ap, lr = head_axes(inside)
    along, across = ap @ d, lr @ d
    return HeadFrame((float(centre[0]), float(centre[1])), (float(ap[0]), float(ap[1])),
                     (float(lr[0]), float(lr[1])),
                     float(max(-along.min(), along.max()) + 0.5),
                     float(max(-across.min(), across.max()) + 0.5))


def find(tissue: npt.ArrayLike, structure: Structure, frame: HeadFrame | None = None
         ) -> tuple[int, int] | None:
    """The pixel of a structure nearest its usual place, or ``None`` if the slice has none near.

    The pixel chosen is the deepest of the structure's part nearest its usual place (within
    ``within``), so an arrow pointing at it does not touch the edge.

    Examples
    --------
    >>> t = np.zeros((80, 60), int); t[10:70, 15:45] = 8; t[36:44, 27:33] = 6
    >>> find(t, Structure((6,), (0.0, 0.0)))
    (38, 29)
    """
    codes = np.asarray(tissue)
    frame = head_frame(codes) if frame is None else frame
    wanted = np.isin(codes, structure.codes)
    rows, cols = np.nonzero(wanted)
    if rows.size == 0:
        return None
    ap, lr = frame.to_frame(rows, cols)
    distance = np.hypot(ap - structure.at[0], lr - structure.at[1])
    near = distance <= structure.within
    if not near.any():
        return None
    # The deepest pixel of the part (connected component) nearest the usual place, within reach:
    # the middle of the structure, so an arrow pointing at it does not touch its edge.
    best = int(np.argmin(np.where(near, distance, np.inf)))
    parts, _ = ndimage.label(wanted)
    same = near & (parts[rows, cols] == parts[rows[best], cols[best]])
    depth = ndimage.distance_transform_edt(wanted)[rows, cols]
    pick = int(np.argmax(np.where(same, depth, -1.0)))
    return int(rows[pick]), int(cols[pick])


def label_level(
    tissue: npt.ArrayLike, level: str, lesion: npt.ArrayLike | None = None,
    *, frame: HeadFrame | None = None, names: Sequence[str] | None = None,
) -> list[Mark]:
    """The marks (label and pixel) of a level's structures found on this slice.

    On the third-ventricle level the septum pellucidum is added, found between the frontal horns.

    Parameters
    ----------
    tissue : array_like of int, shape (rows, columns)
        The slice's tissue map.
    level : str
        A key of :data:`STRUCTURES`.
    lesion : array_like of int, optional
    frame : HeadFrame, optional
        The series' frame (:func:`head_frame` of its 3-D maps); default: the slice's own.
    names : sequence of str, optional
        Only these structures.

    Returns
    -------
    list of ctlib.course.annotate.Mark

    Examples
    --------
    >>> t = np.zeros((80, 60), int); t[10:70, 15:45] = 8
    >>> [m.label for m in label_level(t, "centrum semiovale")]
    ['centrum semiovale']
    """
    if level not in STRUCTURES:
        raise CtlibError(f"unknown level {level!r}: use one of {', '.join(STRUCTURES)}.")
    codes = np.asarray(tissue)
    frame = head_frame(codes, lesion) if frame is None else frame
    marks = []
    for name, structure in STRUCTURES[level].items():
        if names is not None and name not in names:
            continue
        point = find(codes, structure, frame)
        if point is not None:
            marks.append(Mark(name, point[0], point[1], "tissue", structure.codes, structure.hu))
    if level == "third ventricle" and (names is None or "septum pellucidum" in names):
        try:
            septum = midline_shift(codes, lesion).septum
        except CtlibError:
            pass
        else:
            marks.append(Mark("septum pellucidum", round(septum[0]), round(septum[1]), "tissue",
                              BRAIN, (10, 50), radius=2))
    return marks


def standard_levels(tissue: npt.ArrayLike) -> dict[str, int]:
    """Which slice of a series shows each standard level (slices ordered bottom to top).

    Parameters
    ----------
    tissue : array_like of int, shape (slices, rows, columns)
        The series' tissue maps.

    Returns
    -------
    dict
        Level name → slice index, in :data:`LEVELS` order.

    Notes
    -----
    The rules a reader applies by eye: the posterior fossa slice cuts the orbits' globes (or lies
    just above them) and the fourth ventricle; the
    suprasellar cistern is the highest slice with the most CSF just in front of the brainstem; the
    basal ganglia are largest at the third ventricle; the lateral ventricles are largest at
    their bodies; the centrum semiovale is the first slice above them without ventricle; the
    vertex is the highest slice with a third of the brain's largest cross-section.
    """
    codes = np.asarray(tissue)
    area = {code: (codes == code).sum(axis=(1, 2)) for code in (GLOBE, DEEP_GRAY, VENTRICLE, CSF)}
    brain = np.isin(codes, BRAIN).sum(axis=(1, 2))
    if area[VENTRICLE].max() == 0:
        raise CtlibError("no ventricles in this series: standard levels need a whole head.")
    # the slice through the orbits or the one above it, whichever cuts more of the fourth ventricle
    orbits = int(np.argmax(area[GLOBE]))
    frame = head_frame(codes)
    fossa = max(range(orbits, min(orbits + 2, len(codes))),
                key=lambda k: _fourth_ventricle(codes[k], frame))
    third = int(np.argmax(area[DEEP_GRAY]))
    cisterns = np.array([_central_csf(codes[k], frame) for k in range(fossa + 1, max(third, fossa + 2))])
    # the highest of the slices with (nearly) the most CSF in front of the brainstem: lower ones
    # cut the prepontine cistern, not the suprasellar one
    suprasellar = fossa + 1 + int(np.nonzero(cisterns >= 0.95 * cisterns.max())[0].max())
    bodies = third + 1 + int(np.argmax(area[VENTRICLE][third + 1:]))
    above = [k for k in range(bodies + 1, len(codes)) if area[VENTRICLE][k] == 0]
    semiovale = above[0] if above else min(bodies + 2, len(codes) - 1)
    top = [k for k in range(semiovale, len(codes)) if brain[k] >= brain.max() / 3]
    vertex = top[-1] if top else len(codes) - 1
    return {"posterior fossa": fossa, "suprasellar cistern": suprasellar, "third ventricle": third,
            "lateral ventricles": bodies, "centrum semiovale": semiovale, "vertex": vertex}


def frontal_horns(tissue: npt.ArrayLike, lesion: npt.ArrayLike) -> int:
    """The slice where midline shift is measured: from the third ventricle's level up, the first
    that shows both frontal horns (a compressed horn can close on the lower slices)."""
    tissue, lesion = np.asarray(tissue), np.asarray(lesion)
    start = standard_levels(tissue)["third ventricle"]
    for k in range(start, len(tissue)):
        try:
            midline_shift(tissue[k], lesion[k])
        except CtlibError:
            continue
        return k
    raise CtlibError("no slice of this series shows both frontal horns: the midline shift "
                     "cannot be measured at the septum pellucidum.")


def _fourth_ventricle(tissue: npt.NDArray[np.integer], frame: HeadFrame) -> int:
    """Ventricle pixels on the midline behind the head's centre: the fourth ventricle, low down."""
    rows, cols = np.nonzero(tissue == VENTRICLE)
    if rows.size == 0:
        return 0
    ap, lr = frame.to_frame(rows, cols)
    return int(((ap > 0.15) & (ap < 0.45) & (np.abs(lr) < 0.1)).sum())


def _central_csf(tissue: npt.NDArray[np.integer], frame: HeadFrame) -> int:
    """CSF pixels in the middle third of the head: the basal cisterns."""
    rows, cols = np.nonzero(tissue == CSF)
    if rows.size == 0:
        return 0
    ap, lr = frame.to_frame(rows, cols)
    return int(((ap > -0.25) & (ap < -0.05) & (np.abs(lr) < 0.12)).sum())
