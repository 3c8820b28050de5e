"""The skull base and the face at 1 mm: orbits, sinuses, petrous bones, mastoids, ears.

The CT template is too blurred below the brain to give these structures, so
they are drawn from anatomical landmarks in MNI millimetres (RAS), checked
against the template's layout (globes, maxillary sinuses, nasopharynx and
petrous bones lie where its densities put them). Every shape is a signed
distance field, painted with partial volume by :class:`ctlib.synth.shapes.Painter`
outside the intracranial volume only.

What a reader sees on the lowest slices of a head CT, and where it is made:

* orbits: globe (vitreous ≈ 10 HU) with its lens (≈ 120 HU), retrobulbar fat,
  optic nerve, medial and lateral rectus muscles, thin bony walls;
* paranasal sinuses with air: maxillary, sphenoid (with an off-midline
  septum), ethmoid air cells (a honeycomb of thin septa), nasal cavity with
  septum and turbinates;
* the central skull base: sphenoid body, dorsum sellae, clivus; the petrous
  pyramids with the dense otic capsule and the internal auditory canal; the
  mastoid air cells (pneumatised differently on each side); the external
  ear canals and the auricles;
* zygomatic arches and mandibular condyles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from ctlib.course.tissues import HU, Tissue
from ctlib.synth.shapes import Coords, Painter, box, capsule_path, ellipsoid, tube

__all__ = ["BaseShape", "honeycomb", "paint_ears", "paint_skull_base"]

F = npt.NDArray[np.float32]


@dataclass(frozen=True)
class BaseShape:
    """Per-series variation of the skull base."""

    mastoid_air: tuple[float, float] = (0.7, 0.7)  #: pneumatisation, right and left (0–1)
    sinus_scale: float = 1.0  #: size of the paranasal sinuses
    globe_mm: float = 13.0  #: radius of the eyes (model mm; heads are scaled by about 0.9)
    bone_hu: float = 1450.0  #: cortical bone of this patient and scanner
    jitter: tuple[float, float, float] = (0.0, 0.0, 0.0)  #: mm, shifts the face a little
    ear_angle_deg: float = 25.0  #: how far the auricles stand out from the head


def honeycomb(
    p: Coords,
    region: F,
    rng: np.random.Generator,
    *,
    cell_mm: float,
    septum_mm: float,
) -> F:
    """Signed distance (mm) to the air of a honeycomb of cells inside ``region`` (> 0).

    Cells are the Voronoi regions of random seeds about ``cell_mm`` apart; the
    air of each stops half a septum short of the boundary with its neighbour.
    """
    inside = region > 0
    out = np.full(region.shape, -5.0, dtype=np.float32)
    if not inside.any():
        return out
    pts = np.stack([np.broadcast_to(c, region.shape)[inside] for c in p], axis=1)
    lo, hi = pts.min(axis=0) - cell_mm, pts.max(axis=0) + cell_mm
    count = max(4, int(np.prod(hi - lo) / cell_mm**3))
    seeds = rng.uniform(lo, hi, size=(count, 3))
    d, _ = cKDTree(seeds).query(pts, k=2)
    walls = (d[:, 1] - d[:, 0]) / 2.0 - septum_mm / 2.0
    out[inside] = np.minimum(walls, region[inside]).astype(np.float32)
    return out


def _bone(painter: Painter, sdf: npt.NDArray[np.floating[Any]], cortical: float, *,
          cortex_mm: float = 1.4) -> None:
    """Paint a bone: a cortical shell around cancellous bone (marrow and trabeculae)."""
    painter.paint(sdf, cortical, Tissue.BONE)
    painter.paint(sdf - cortex_mm, HU["cancellous"], Tissue.DIPLOE)


def _mirror(point: Sequence[float], side: int) -> tuple[float, float, float]:
    return (side * point[0], point[1], point[2])


def paint_skull_base(
    painter: Painter,
    p: Coords,
    rng: np.random.Generator,
    shape: BaseShape,
    *,
    head_sdf: F,
    warp: tuple[F, F, F] | None = None,
) -> None:
    """Paint the skull base and face into ``painter`` (coordinates ``p``, RAS mm).

    Parameters
    ----------
    painter : Painter
        HU and tissue of the region; painting is limited to its ``allowed`` mask
        (outside the intracranial volume, inside the head).
    p : tuple of arrays
        x, y, z of the painter's voxels.
    rng : numpy.random.Generator
    shape : BaseShape
    head_sdf : numpy.ndarray
        Signed mm to the skin: the face's soft tissue stops there.
    warp : tuple of arrays, optional
        A smooth displacement (mm) of the painter's voxels. The shapes are
        drawn in warped coordinates, so their outlines wander as real bone
        and sinus walls do, instead of being boxes, spheres and straight rods.
    """
    j = shape.jitter
    w = warp or (0.0, 0.0, 0.0)
    q: Coords = (p[0] - j[0] + w[0], p[1] - j[1] + w[1], p[2] - j[2] + w[2])
    cortical = shape.bone_hu
    s = shape.sinus_scale

    def crop(lo: Sequence[float], hi: Sequence[float]) -> tuple[slice, slice, slice]:
        """Index slices of a box in mm, found on the unwarped axes (open, sorted)."""
        sl = []
        for a in range(3):
            axis = np.asarray(p[a]).ravel()
            first = int(np.searchsorted(axis, min(lo[a], hi[a])))
            last = int(np.searchsorted(axis, max(lo[a], hi[a]), side="right"))
            sl.append(slice(first, max(first, last)))
        return sl[0], sl[1], sl[2]

    def region(lo: Sequence[float], hi: Sequence[float]) -> tuple[Painter, Coords, F]:
        """The painter, coordinates and skin distance cropped to a box in mm (views)."""
        box_ = crop(lo, hi)
        sub = Painter(painter.hu[box_], painter.tissue[box_], painter.allowed[box_])
        full = painter.hu.shape
        coords = tuple(np.broadcast_to(c, full)[box_] for c in q)
        return sub, coords, head_sdf[box_]  # type: ignore[return-value]

    def straight_region(lo: Sequence[float], hi: Sequence[float]) -> Coords:
        """Unwarped coordinates of a region: the eye is round whatever the bone does."""
        box_ = crop(lo, hi)
        full = painter.hu.shape
        straight = (p[0] - j[0], p[1] - j[1], p[2] - j[2])
        return tuple(np.broadcast_to(c, full)[box_] for c in straight)  # type: ignore[return-value]

    # Central skull base: sphenoid body, dorsum sellae, clivus.
    pc, qc, _ = region((-32, -45, -72), (32, 40, -12))
    # The sphenoid body: rounded in axial section (between the cavernous sinuses), not a box.
    body = np.minimum(box(qc, (0, 14, -38), (16, 14, 11), radius=4),
                      ellipsoid(qc, (0, 12, -40), (17, 19, 15)))
    _bone(pc, body, cortical)
    _bone(pc, box(qc, (0, -5, -26), (9, 2.2, 6), radius=1.5), cortical, cortex_mm=1.0)
    clivus = capsule_path(qc, [(0, -4, -32), (0, -16, -44), (0, -27, -58)], [7.0, 7.0, 6.0])
    _bone(pc, np.minimum(clivus, 13.0 - np.abs(qc[0])), cortical)
    for side in (1, -1):
        # Petrous pyramid from its apex to the mastoid, its ridge at about z = -28.
        pl, ql, _ = region((side * 8, -62, -72), (side * 82, 2, -20))
        ridge = [_mirror(v, side) for v in ((17, -12, -33), (30, -22, -33), (44, -34, -37))]
        _bone(pl, capsule_path(ql, ridge, [4.5, 7.5, 9.0]), cortical)
        capsule = tube(ql, _mirror((29, -22, -35), side), _mirror((39, -29, -36), side), 4.5)
        pl.paint(capsule, HU["otic_capsule"], Tissue.BONE)
        # Mastoid process, its cells pneumatised to this patient's degree.
        mastoid = ellipsoid(ql, _mirror((50, -40, -50), side), (11, 12, 14))
        _bone(pl, mastoid, cortical, cortex_mm=1.2)
        air = shape.mastoid_air[0 if side > 0 else 1]
        if air > 0.05:
            cells_region = mastoid - 1.5 - 6.0 * (1 - air)
            cells = honeycomb(ql, cells_region, rng, cell_mm=4.5 - 1.5 * air, septum_mm=0.8)
            pl.paint(cells, HU["air"], Tissue.SINUS_AIR)
        # External ear canal and middle ear.
        canal = capsule_path(ql, [_mirror(v, side) for v in ((64, -22, -41), (52, -24, -39),
                                                            (40, -23, -36))], [3.6, 3.2, 2.6])
        pl.paint(canal, HU["air"], Tissue.SINUS_AIR)
        # Internal auditory canal: CSF and nerves in a channel through the petrous bone.
        pl.paint(tube(ql, _mirror((17, -22, -34), side), _mirror((31, -25, -35), side), 2.2),
                 HU["csf"], Tissue.CSF)
        _bone(pl, ellipsoid(ql, _mirror((51, -13, -53), side), (8, 5, 6)), cortical)
        # Zygomatic arch.
        pa, qa, _ = region((side * 36, -16, -56), (side * 72, 52, -34))
        arch = capsule_path(qa, [_mirror(v, side) for v in ((44, 42, -47), (58, 20, -45),
                                                            (63, -8, -43))], [3.2, 2.8, 3.0])
        _bone(pa, arch, cortical, cortex_mm=1.2)
        # Maxillary sinus, under the orbit.
        pm, qm, _ = region((side * 4, 18, -72), (side * 46, 68, -44))
        maxilla = ellipsoid(qm, _mirror((26, 42, -64), side), (14 * s, 18 * s, 15 * s))
        _bone(pm, maxilla + 1.5, cortical, cortex_mm=1.5)
        pm.paint(honeycomb(qm, maxilla, rng, cell_mm=14.0, septum_mm=0.9), HU["air"],
                 Tissue.SINUS_AIR)
        po, qo, _ = region((side * 6, 12, -58), (side * 56, 82, -12))
        _orbit(po, qo, side, shape, straight=straight_region((side * 6, 12, -58),
                                                            (side * 56, 82, -12)))

    # Sphenoid sinus with its off-midline septum; ethmoid cells; nasal cavity.
    pf, qf, hf = region((-34, 0, -72), (34, 100, -16))
    sphenoid = ellipsoid(qf, (0, 16, -38), (12 * s, 10 * s, 8 * s))
    offset = rng.uniform(-4, 4)
    septum = 0.6 - np.abs(qf[0] - offset - 1.8 * np.sin(qf[1] / 5.0 + qf[2] / 7.0))
    chambers = honeycomb(qf, sphenoid, rng, cell_mm=9.0, septum_mm=0.9)
    pf.paint(np.minimum(chambers, -septum), HU["air"], Tissue.SINUS_AIR)
    ethmoid = np.minimum(box(qf, (0, 46, -36), (13, 17, 12), radius=3), np.abs(qf[0]) - 1.2)
    _bone(pf, ethmoid + 0.8, 0.6 * cortical, cortex_mm=5.0)  # thin septa: partial volume
    pf.paint(honeycomb(qf, ethmoid, rng, cell_mm=6.5, septum_mm=0.5), HU["air"],
             Tissue.SINUS_AIR)
    width = np.clip(14.0 - 0.9 * np.maximum(qf[2] + 58.0, 0.0), 4.0, 14.0)
    nasal = np.minimum(box(qf, (0, 44, -62), (30, 26, 14), radius=4), width - np.abs(qf[0]))
    nasal = np.minimum(nasal, hf - 3.0)
    pf.paint(np.minimum(nasal, np.abs(qf[0]) - 0.9), HU["air"], Tissue.SINUS_AIR)
    for side in (1, -1):
        for center, semi in (((11, 50, -68), (4, 22, 5)), ((10, 52, -57), (3.5, 17, 4))):
            pf.paint(np.minimum(ellipsoid(qf, _mirror(center, side), semi), nasal + 2),
                     HU["muscle"], Tissue.SCALP)
    # Pituitary gland in the sella.
    pc.paint(ellipsoid(qc, (0, 3, -29), (7, 5, 4)), HU["muscle"], Tissue.SCALP)


def _orbit(
    painter: Painter, q: Coords, side: int, shape: BaseShape, *, straight: Coords | None = None
) -> None:
    """Orbital walls, fat, muscles, optic nerve, globe and lens of one side.

    In axial section the orbit is a wedge: its medial wall (the thin lamina
    papyracea) runs nearly parallel to the midline, its lateral wall at about
    45° out to the lateral rim; the globe fills its front, bulging a third of
    its diameter past the lateral rim, with the retrobulbar fat, the recti and
    the optic nerve behind it.
    """
    sx = side * q[0]
    y, z = q[1], q[2]
    zc = -36.0
    medial = sx - 13.0
    lateral = (15.0 + (y - 22.0) * 0.97 - sx) / 1.39
    back = y - 21.0
    front = 66.0 - 0.35 * (sx - 13.0) - y
    depth = np.clip((y - 20.0) / 34.0, 0.0, 1.0)
    vertical = 3.0 + 13.5 * depth**0.6 - np.abs(z - zc)
    cone = np.minimum(np.minimum(medial, lateral), np.minimum(np.minimum(back, front), vertical))
    cone = cone.astype(np.float32)
    wall = np.where(sx < 17.0, 0.9, 2.2)  # thin medial wall, thicker lateral and roof
    _bone(painter, np.minimum(cone + wall, front + 1.0), shape.bone_hu * 0.85, cortex_mm=2.5)
    painter.paint(cone, HU["fat"], Tissue.FAT)
    rectus = np.minimum(3.0 - np.abs(z - zc), np.minimum(y - 25.0, 56.0 - y))
    painter.paint(np.minimum(np.minimum(rectus, 4.0 - medial), cone), HU["muscle"], Tissue.MUSCLE)
    painter.paint(np.minimum(np.minimum(rectus, 4.2 - lateral), cone), HU["muscle"],
                  Tissue.MUSCLE)
    r = shape.globe_mm
    globe_c = np.array([side * 32.0, 61.0, zc])
    back_pole = globe_c - np.array([side * 2.0, r - 0.5, 0.0])
    nerve = [back_pole, (side * 24.0, 38.0, zc + 0.8), (side * 16.5, 22.0, zc)]
    e = straight if straight is not None else q
    painter.paint(capsule_path(e, nerve, 2.2), HU["optic_nerve"], Tissue.OPTIC_NERVE)
    painter.paint(ellipsoid(e, globe_c, (r,) * 3) + 0.9, HU["muscle"], Tissue.GLOBE)
    painter.paint(ellipsoid(e, globe_c, (r - 0.9,) * 3), HU["vitreous"], Tissue.GLOBE)
    u = np.array([side * 0.12, 1.0, 0.0])
    u /= np.linalg.norm(u)
    painter.paint(_lens(e, globe_c + u * (r - 3.2), u), HU["lens"], Tissue.LENS)


def _lens(q: Coords, center: npt.NDArray[np.float64], u: npt.NDArray[np.float64]) -> F:
    """A biconvex lens 9 mm wide and 4 mm thick, its axis along ``u``."""
    rel = [q[i] - center[i] for i in range(3)]
    along = sum(rel[i] * u[i] for i in range(3))
    across2 = sum(r * r for r in rel) - along**2
    k = np.sqrt((along / 2.0) ** 2 + np.maximum(across2, 0.0) / 4.5**2)
    return ((1.0 - k) * 2.0).astype(np.float32)


def paint_ears(painter: Painter, p: Coords, shape: BaseShape, *, head_sdf: F) -> None:
    """Paint the auricles: curved plates of skin and cartilage beside the head.

    ``painter`` should allow painting outside the head only. Each auricle is a
    3 mm plate on part of an ellipsoid's surface, standing out backwards from
    the head at ``shape.ear_angle_deg``, its concha joined to the ear canal.
    """
    angle = np.radians(shape.ear_angle_deg)
    for side in (1, -1):
        center = np.array([side * 70.0, -26.0, -34.0])
        # Rotate about z so the plate's back edge stands out from the head.
        c, s_ = np.cos(angle), np.sin(angle)
        rel = [p[0] - center[0], p[1] - center[1], p[2] - center[2]]
        xr = c * rel[0] + side * s_ * rel[1]
        yr = -side * s_ * rel[0] + c * rel[1]
        cup = ellipsoid((xr, yr, rel[2]), (0.0, 0.0, 0.0), (10.0, 16.0, 29.0))
        plate = np.minimum(1.6 - np.abs(cup), side * xr + 2.0)
        plate = np.minimum(plate, -(yr - 6.0))  # open in front, where it joins the head
        helix = np.minimum(2.4 - np.abs(cup + 1.0), side * xr - 4.0)
        ear = np.maximum(plate, helix)
        ear = np.minimum(ear, 18.0 - np.maximum(head_sdf * -1.0, 0.0))
        painter.paint(ear, HU["skin"], Tissue.SCALP)
