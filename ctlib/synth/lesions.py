"""Hemorrhages at 1 mm, each in its compartment, with the mass effect it causes.

A lesion is not painted over the brain: it *displaces* it. Each space-occupying
lesion adds a pull-back map to the :class:`Canvas` (for every point of the
new image, where its tissue came from); :meth:`Canvas.finish` composes them,
resamples the brain through them, squeezes CSF out where the brain is
compressed (sulcal effacement, ventricular compression), and fills the space
each lesion opened with its blood. So:

* **epidural**: a biconvex lens between the inner table and the dura, stopped
  at the sutures (the dura is fixed there), under a fracture that crosses the
  whole skull and a scalp swelling; active bleeding shows as darker swirls;
* **subdural**: a crescent between dura and arachnoid, over the convexity
  (crossing sutures, stopped by the falx), or along the falx or the
  tentorium; acute, subacute (isodense: visible only by what it displaces),
  chronic, or acute-on-chronic with a haematocrit level;
* **intraparenchymal**: an irregular, heterogeneous clot that pushes the
  brain aside, with a darker edema rim that spreads along the white matter;
  or a hemorrhagic contusion, a cluster of small bleeds in the cortex of a
  pole;
* **subarachnoid**: blood mixed into the CSF of cisterns, fissures and sulci,
  densest near its source;
* **intraventricular**: blood settling in the dependent part of the
  ventricles with a flat level (gravity is the patient's, from the series'
  pose), or a cast filling them.

Midline shift is measured where radiologists measure it, at the septum
pellucidum (:data:`SEPTUM_MM`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Self, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.course.tissues import HU, Lesion, Tissue
from ctlib.synth.anatomy import Head, calcification, smooth_noise
from ctlib.synth.brain import mm_axes
from ctlib.synth.fields import bbox
from ctlib.synth.shapes import coverage, ellipsoid
from ctlib.synth.skull import bone_identity
from ctlib.synth.template import ORIGIN

__all__ = [
    "BLOOD_AGES",
    "SEPTUM_MM",
    "Canvas",
    "blood_hu",
    "calcifications",
    "epidural",
    "intraparenchymal",
    "intraventricular",
    "subarachnoid",
    "subdural",
]

F3 = npt.NDArray[np.float32]
T = TypeVar("T")
Points = tuple[F3, F3, F3]

def _three(items: Sequence[T]) -> tuple[T, T, T]:
    """Three items as a 3-tuple (for the type checker: one per axis)."""
    first, second, third = items
    return first, second, third


#: Where the septum pellucidum lies in the model (RAS mm): midline shift is measured here.
SEPTUM_MM = np.array([0.0, 10.0, 14.0])
#: Nominal HU of blood by age (see :mod:`ctlib.course.tissues` for sources).
BLOOD_AGES = {
    "hyperacute": HU["hyperacute_blood"],
    "acute": HU["acute_blood"],
    "retracted": HU["retracted_clot"],
    "subacute": HU["subacute_blood"],
    "chronic": HU["chronic_blood"],
}


def blood_hu(age: str, haematocrit: float = 42.0) -> float:
    """HU of blood of an age, scaled by the patient's haematocrit (normal about 42 %).

    The attenuation of blood above water comes mostly from haemoglobin, so in
    an anaemic patient acute blood is nearly isodense with brain.

    Examples
    --------
    >>> blood_hu("acute")
    70.0
    >>> round(blood_hu("acute", haematocrit=24.0), 1)
    43.0
    """
    if age not in BLOOD_AGES:
        raise ValueError(f"unknown blood age {age!r}; use one of {sorted(BLOOD_AGES)}")
    water = 7.0
    return water + (BLOOD_AGES[age] - water) * haematocrit / 42.0


@dataclass
class Opening:
    """A lesion that opens space: its pull-back map and what fills what it opened."""

    pull: Callable[[Points], tuple[Points, F3]]  #: target points → (source points, opened 0–1)
    fill: Callable[[Points, F3], tuple[F3, F3]]  #: (points, opened) → (HU, coverage)
    code: Lesion
    tissue: Tissue
    reach: tuple[npt.NDArray[np.float64], float] | None = None  #: (centre mm, radius mm) it acts in


@dataclass(frozen=True)
class Shift:
    """A smooth push of the brain (mass effect beyond the lesion's edge), in RAS mm."""

    center: tuple[float, float, float]
    vector: tuple[float, float, float]
    sigma: float


@dataclass
class Canvas:
    """A head, the lesions drawn on it, and the volumes that result.

    Parameters
    ----------
    head : Head
    rng : numpy.random.Generator
    gravity : sequence of float
        Direction of gravity in model (RAS) coordinates; supine is ``(0, -1, 0)``.
    haematocrit : float
        The patient's, in %: it sets the density of all fresh blood.
    """

    head: Head
    rng: np.random.Generator
    gravity: npt.NDArray[np.float64] = field(default_factory=lambda: np.array([0.0, -1.0, 0.0]))
    haematocrit: float = 42.0
    openings: list[Opening] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)
    after: list[Callable[[Canvas], None]] = field(default_factory=list)
    lesion: npt.NDArray[np.uint8] = field(init=False)
    midline_shift_mm: float = 0.0
    findings: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        # Work on copies: the same head may be drawn on many times (tests, follow-up studies).
        self.head = replace(
            self.head, hu_intra=self.head.hu_intra.copy(),
            tissue_intra=self.head.tissue_intra.copy(), hu_extra=self.head.hu_extra.copy(),
            tissue_extra=self.head.tissue_extra.copy(),
        )
        self.lesion = np.zeros(self.head.base.shape, dtype=np.uint8)
        self.gravity = np.asarray(self.gravity, dtype=np.float64)
        self.gravity /= np.linalg.norm(self.gravity)

    # -- geometry helpers -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int]:
        """The model grid's shape."""
        return self.head.base.shape

    def points(self, box: tuple[slice, slice, slice] | None = None) -> Points:
        """RAS mm of the voxels of ``box`` (whole grid by default), broadcastable."""
        x, y, z = mm_axes(self.shape)
        if box is None:
            return x, y, z
        return x[box[0]], y[:, box[1]], z[:, :, box[2]]

    def surface_point(self, direction: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The inner-table point met by a ray from the head's centre (RAS mm)."""
        u = np.asarray(direction, dtype=np.float64)
        u /= np.linalg.norm(u)
        center = np.array([0.0, -15.0, 15.0])
        steps = np.arange(0.0, 130.0, 0.5)
        pts = center[:, None] + u[:, None] * steps
        inside = ndi.map_coordinates(self.head.icv, pts + self.head.base.origin[:, None], order=1)
        return np.asarray(pts[:, int(np.flatnonzero(inside >= 0.5)[-1])], dtype=np.float64)

    def noise(self, shape: tuple[int, ...], fine: bool = False) -> F3:
        """Smooth unit noise for textures (scale 2.2 mm, or 1 mm when ``fine``)."""
        return self.head.base.texture(1.0 if fine else 2.2, shape, self.rng)

    def blood(self, age: str) -> float:
        """HU of this patient's blood of ``age``."""
        return blood_hu(age, self.haematocrit)

    # -- composition ------------------------------------------------------------------
    def finish(self) -> float:
        """Move the brain, fill the spaces the lesions opened, paint the rest.

        Returns
        -------
        float
            The midline shift in mm at the septum pellucidum.
        """
        if self.openings or self.shifts:
            box = self._box()
            shape = tuple(b.stop - b.start for b in box)
            target = GridPoints(_three([np.broadcast_to(c, shape).astype(np.float32)
                                        for c in self.points(box)]), box)
            source, opened = self._pull(target)
            moved = np.zeros(shape, dtype=bool)
            for i in range(3):
                moved |= np.abs(source[i] - target[i]) > 0.02
            for region in opened:
                moved |= region > 0.001
            if moved.any():
                inner = bbox(moved, 2)
                sub = tuple(slice(b.start + i.start, b.start + i.stop)
                            for b, i in zip(box, inner, strict=True))
                self._resample(_three([np.ascontiguousarray(c[inner]) for c in source]),
                               _three(list(sub)))
            at = tuple(int(i) - b.start for i, b in zip(_nearest(SEPTUM_MM), box, strict=True))
            moved_x = float(source[0][at])
            self.midline_shift_mm = float(abs(moved_x - SEPTUM_MM[0]))
            for opening, region in zip(self.openings, opened, strict=True):
                self._fill(opening, region, box)
        for step in self.after:
            step(self)
        self.after.clear()
        return self.midline_shift_mm

    def _box(self) -> tuple[slice, slice, slice]:
        """The bounding box of the intracranial volume: all the brain that can move."""
        inside = np.argwhere(self.head.icv > 0.01)
        lo = np.maximum(inside.min(axis=0) - 3, 0)
        hi = np.minimum(inside.max(axis=0) + 4, self.shape)
        return tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))  # type: ignore[return-value]

    def _pull(self, target: Points) -> tuple[Points, list[F3]]:
        """Add up every opening's pull-back displacement, then the shifts; collect openings.

        Each lesion's displacement is computed where the tissue lands (on the
        grid, so its fields are read by slicing) and the displacements are
        summed: for lesions that each move the brain by millimetres, the
        difference from composing them exactly is a fraction of that.
        """
        source: Points = tuple(np.array(c, dtype=np.float32, copy=True) for c in target)  # type: ignore[assignment]
        opened: list[F3] = []
        box = target.box if isinstance(target, GridPoints) else None
        for opening in self.openings:
            local = _local_box(opening.reach, box) if box is not None else None
            region = np.zeros(source[0].shape, dtype=np.float32)
            if local is None:
                moved, region = opening.pull(target)
                for c, m, t in zip(source, moved, target, strict=True):
                    c += m - t
            else:  # a local lesion: pull only around it, the rest stays where it is
                assert box is not None  # a local box exists only inside a box
                part = GridPoints(_three([np.ascontiguousarray(c[local]) for c in target]),
                                  _three([slice(b.start + s.start, b.start + s.stop)
                                          for b, s in zip(box, local, strict=True)]))
                moved, sub = opening.pull(part)
                for c, m, t in zip(source, moved, part, strict=True):
                    c[local] += m - t
                region[local] = sub
            opened.append(region)
        if self.shifts:
            # The taper and the falx's hold are read where the tissue lands: they change
            # over centimetres, the shift over millimetres.
            icv_depth = _sample(self.head.icv_depth(), target)
            taper = np.clip(icv_depth / 14.0, 0.0, 1.0) ** 1.5
            # Above its free edge the falx holds the hemispheres apart.
            dura = self.head.base.dura
            falx = np.abs(_sample(dura.falx_side, target)) < 6.0
            held = falx & ~(_sample(dura.under_falx, target) > 0.5)
            for shift in self.shifts:
                centre = shift.center
                r2 = sum((source[i] - centre[i]) ** 2 for i in range(3))
                w = np.exp(-r2 / (2 * shift.sigma**2)) * taper
                w = np.where(held, w * 0.25, w)
                source = tuple(source[i] - shift.vector[i] * w for i in range(3))
        return source, opened

    def _resample(self, source: Points, box: tuple[slice, slice, slice]) -> None:
        """Move the brain (and what moves with it) to where the pull-back says."""
        head = self.head
        index = np.stack([source[i] + head.base.origin[i] for i in range(3)])
        compression = _compression(source)
        hu = ndi.map_coordinates(head.hu_intra, index, order=1, mode="nearest")
        tissue = ndi.map_coordinates(head.tissue_intra, index, order=0, mode="nearest")
        lesion = (ndi.map_coordinates(self.lesion, index, order=0, mode="nearest")
                  if self.lesion.any() else np.zeros(hu.shape, dtype=np.uint8))
        # Compressed brain loses its CSF first: sulci and ventricles efface. A sulcus thinner
        # than the 1 mm grid is a partial-volume blend of CSF and cortex; a ventricle keeps
        # its CSF where it stays open and gives way to white matter where it closes, so what
        # is left of it is still water-dense, as on real scans.
        squeeze = np.clip(1.0 - 1.0 / np.maximum(compression, 1.0) ** 4.0, 0.0, 1.0)
        sulcal = squeeze * (tissue == Tissue.CSF)
        brain_hu = 0.5 * (head.shape.gray_hu + head.shape.white_hu)
        hu = hu + sulcal * (brain_hu - hu)
        closed = (squeeze > 0.5) & (tissue == Tissue.VENTRICLE)
        hu = np.where(closed, np.float32(head.shape.white_hu), hu)
        tissue = np.where(sulcal > 0.5, np.uint8(Tissue.GRAY), tissue)
        tissue = np.where(closed, np.uint8(Tissue.WHITE), tissue).astype(np.uint8)
        head.hu_intra[box] = hu.astype(np.float32)
        head.tissue_intra[box] = tissue
        self.lesion[box] = lesion.astype(np.uint8)

    def _fill(self, opening: Opening, region: F3, box: tuple[slice, slice, slice]) -> None:
        head = self.head
        value, cover = opening.fill(self.points(box), region)
        cover = np.clip(cover, 0.0, 1.0) * head.icv[box]
        target = head.hu_intra[box]
        target += (cover * (value - target)).astype(np.float32)
        mark = cover >= 0.5
        self.lesion[box][mark] = opening.code
        head.tissue_intra[box][mark] = opening.tissue

    def paint_fraction(
        self, fraction: F3, value: float | F3, code: Lesion, *, box: tuple[slice, ...] = ()
    ) -> None:
        """Blend blood into the brain side where ``fraction`` > 0 and mark its code."""
        sl = box or (slice(None),) * 3
        f = np.clip(fraction, 0.0, 1.0) * self.head.icv[sl]
        target = self.head.hu_intra[sl]
        target += (f * (np.asarray(value, dtype=np.float32) - target)).astype(np.float32)
        self.lesion[sl][f >= 0.5] = code


def _local_box(
    reach: tuple[npt.NDArray[np.float64], float] | None, box: tuple[slice, slice, slice]
) -> tuple[slice, slice, slice] | None:
    """``reach`` (centre, radius in mm) as slices of the arrays that cover ``box``."""
    if reach is None:
        return None

    centre, radius = reach
    out = []
    for a in range(3):
        lo = int(np.floor(centre[a] + ORIGIN[a] - radius)) - box[a].start
        hi = int(np.ceil(centre[a] + ORIGIN[a] + radius)) + 1 - box[a].start
        n = box[a].stop - box[a].start
        out.append(slice(max(0, lo), min(n, max(0, hi))))
    return tuple(out)  # type: ignore[return-value]


def _nearest(point: npt.NDArray[np.float64]) -> tuple[int, int, int]:
    i = np.rint(point + ORIGIN).astype(int)
    return int(i[0]), int(i[1]), int(i[2])


class GridPoints(tuple):  # type: ignore[type-arg]
    """The voxel centres of a box, as points: sampling them is plain slicing."""

    box: tuple[slice, slice, slice]

    def __new__(cls, points: Points, box: tuple[slice, slice, slice]) -> Self:
        obj = super().__new__(cls, points)
        obj.box = box
        return obj


def _sample(volume: npt.NDArray[Any], points: Points) -> F3:
    if isinstance(points, GridPoints):
        return np.asarray(volume[points.box], dtype=np.float32)

    index = np.stack([np.broadcast_to(points[i], np.broadcast_shapes(*(p.shape for p in points)))
                      + ORIGIN[i] for i in range(3)])
    return ndi.map_coordinates(volume.astype(np.float32), index, order=1, mode="nearest").astype(
        np.float32)


def _compression(source: Points) -> F3:
    """How much source volume each target voxel receives (det of the pull-back's Jacobian).

    The map is smooth, so its Jacobian is taken on every second voxel and interpolated.
    """
    coarse = [np.asarray(s, dtype=np.float32)[::2, ::2, ::2] for s in source]
    grads = [np.gradient(s, 2.0) for s in coarse]
    (a, b, c), (d, e, f), (g, h, i) = grads
    det = np.abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g))
    det = ndi.gaussian_filter(det.astype(np.float32), 0.5)
    shape = np.broadcast_shapes(*(np.shape(s) for s in source))
    full = ndi.affine_transform(det, [0.5, 0.5, 0.5], output_shape=shape, order=1,
                                mode="nearest")
    return np.asarray(full, dtype=np.float32)


# -- extra-axial collections ----------------------------------------------------------
def _collection_pull(
    canvas: Canvas,
    thickness: Callable[[Points], F3],
    *,
    reach_mm: float,
) -> Callable[[Points], tuple[Points, F3]]:
    """Pull-back of a collection against the inner table, ``thickness(surface point)`` mm deep.

    Brain at depth ``d0`` below the table moves inwards to ``d = d0 + h·w(d0)``
    with ``w(d0) = (1 − d0 / L)²`` (``L = reach_mm``), so the layer ``d < h`` is
    opened for the blood and the cortex under it is compressed most.
    """
    depth_field = canvas.head.icv_depth()
    inward = canvas.head.inward()

    def pull(source: Points) -> tuple[Points, F3]:
        d = _sample(depth_field, source)
        n = [_sample(v, source) for v in inward]
        surface = tuple(source[i] - d * n[i] for i in range(3))
        h = np.clip(thickness(surface), 0.0, None)  # type: ignore[arg-type]
        opened = coverage(h - d) * np.clip(h / 0.6, 0.0, 1.0)  # no collection, nothing opened
        d0 = np.maximum(d - h, 0.0)
        for _ in range(4):  # invert d = d0 + h w(d0)
            w = np.clip(1.0 - d0 / reach_mm, 0.0, 1.0) ** 2
            d0 = np.maximum(d - h * w, 0.0)
        back = d - d0  # how far towards the table the tissue came from
        moved = tuple((source[i] - back * n[i]).astype(np.float32) for i in range(3))
        return moved, opened

    return pull


def _plane_pull(
    normal_axis: int,
    sign: float,
    offset: Callable[[Points], F3],
    thickness: Callable[[Points], F3],
    reach_mm: float,
) -> Callable[[Points], tuple[Points, F3]]:
    """Pull-back of a collection against a dural sheet (falx or tentorium).

    ``offset(points)`` is the signed distance from the sheet on the side the
    collection is on (> 0 there); tissue is pushed away from the sheet.
    """

    def pull(source: Points) -> tuple[Points, F3]:
        d = offset(source)
        h = np.where(d > -1.0, np.clip(thickness(source), 0.0, None), 0.0)
        opened = coverage(h - d) * (d > -0.5) * np.clip(h / 0.6, 0.0, 1.0)
        d0 = np.maximum(d - h, 0.0)
        for _ in range(4):
            w = np.clip(1.0 - d0 / reach_mm, 0.0, 1.0) ** 2
            d0 = np.maximum(d - h * w, 0.0)
        back = np.where(d > 0, d - d0, 0.0).astype(np.float32)
        moved = list(source)
        moved[normal_axis] = (source[normal_axis] - sign * back).astype(np.float32)
        return tuple(moved), opened.astype(np.float32)  # type: ignore[return-value]

    return pull


def _direction(azimuth_deg: float, elevation_deg: float, side: int) -> npt.NDArray[np.float64]:
    """Unit vector: azimuth from lateral towards anterior, elevation upwards, side ±1."""
    a, e = np.radians([azimuth_deg, elevation_deg])
    return np.array([side * np.cos(a) * np.cos(e), np.sin(a) * np.cos(e), np.sin(e)])


def epidural(
    canvas: Canvas,
    *,
    side: int,
    azimuth_deg: float = -10.0,
    elevation_deg: float = 5.0,
    radius_mm: float = 30.0,
    thickness_mm: float = 16.0,
    swirl: bool = False,
    age: str = "acute",
) -> None:
    """An epidural hematoma with its fracture and scalp swelling.

    The lens is ``T sqrt(1 − (q/R)²)`` thick at distance ``q`` from its centre
    on the inner table, so both faces are convex, and it thins to nothing
    within 6 mm of a suture of the bone its centre lies under.
    """
    center = canvas.surface_point(_direction(azimuth_deg, elevation_deg, side))
    bone = int(bone_identity(center.reshape(3, 1))[0])
    suture = canvas.head.base.skull.suture

    def thickness(surface: Points) -> F3:
        q2 = sum((surface[i] - center[i]) ** 2 for i in range(3))
        t = thickness_mm * np.sqrt(np.clip(1.0 - q2 / radius_mm**2, 0.0, None))
        same = bone_identity(np.stack(np.broadcast_arrays(*surface))) == bone
        near = np.clip(_sample(suture, surface) / 6.0, 0.0, 1.0)
        return (t * same * np.sqrt(near)).astype(np.float32)

    hu = canvas.blood(age)

    def fill(points: Points, opened: F3) -> tuple[F3, F3]:
        value = np.full(opened.shape, hu, dtype=np.float32)
        value += 2.0 * canvas.noise(opened.shape)
        if swirl:  # active bleeding: unclotted swirls inside the clot
            swirls = canvas.noise(opened.shape) > 1.0
            value = np.where(swirls, canvas.blood("hyperacute") - 5.0, value).astype(np.float32)
        return value, opened

    depth_reach = max(30.0, 2.6 * thickness_mm)
    canvas.openings.append(Opening(_collection_pull(canvas, thickness, reach_mm=depth_reach),
                                   fill, Lesion.EPIDURAL, Tissue.EXTRA_AXIAL,
                                   (center, radius_mm + depth_reach + 6.0)))
    inward = -(center - np.array([0.0, -15.0, 15.0]))
    inward /= np.linalg.norm(inward)
    if thickness_mm >= 8:
        canvas.shifts.append(Shift(tuple(center + inward * 35.0),
                                   tuple(inward * thickness_mm * 0.5), 40.0))
    canvas.findings |= {"epidural", "fracture", "scalp swelling"} | ({"swirl"} if swirl else set())
    canvas.after.append(lambda c: _fracture(c, center, radius_mm))


def _fracture(canvas: Canvas, center: npt.NDArray[np.float64], radius_mm: float) -> None:
    """A fracture through the whole skull over a lesion, with a scalp swelling (bone window)."""
    head = canvas.head
    box = tuple(slice(max(0, int(c - 45)), int(c + 45)) for c in center + head.base.origin)
    p = canvas.points(box)  # type: ignore[arg-type]
    out = -head.icv_depth()[box]
    thick = head.base.skull.thickness[box] * head.shape.skull_scale
    outward = center - np.array([0.0, -15.0, 15.0])
    outward /= np.linalg.norm(outward)
    tangent = np.cross(outward, [0.0, 0.0, 1.0])
    tangent /= np.linalg.norm(tangent)
    rel = [p[i] - center[i] for i in range(3)]
    across = sum(rel[i] * tangent[i] for i in range(3))
    along = np.sqrt(np.maximum(sum(r * r for r in rel) - across**2, 0.0))
    wiggle = 1.2 * smooth_noise(np.broadcast_shapes(*(r.shape for r in rel)), 3.0, canvas.rng)
    width = 1.1 + 0.6 * np.clip(1.0 - along / 20.0, 0.0, 1.0)  # widest over the clot
    crack = coverage(width - np.abs(across - wiggle)) * (along < radius_mm * 0.9)
    crack *= coverage(out + 0.5) * coverage(thick + 1.0 - out)
    hu = head.hu_extra[box]
    hu += (crack * (HU["scalp_hematoma"] - hu)).astype(np.float32)
    head.tissue_extra[box][crack >= 0.5] = Tissue.FRACTURE
    # Scalp swelling over the fracture: the skin bulges out by up to 6 mm, the fat and
    # galea under it turn to haematoma.
    skin = head.base.skull.head_sdf[box] + 1.2 * head.shape.age
    distance = np.sqrt(sum(r * r for r in rel))
    lump = 6.0 * np.exp(-0.5 * (distance / (0.7 * radius_mm)) ** 2)
    depth = skin + lump  # distance inside the swollen skin
    swelling = coverage(out - thick) * coverage(depth) * np.clip(lump / 2.0, 0.0, 1.0)
    swelling *= coverage(22.0 - out)  # only the scalp, not the face beyond it
    hu += (swelling * (HU["scalp_hematoma"] + 3.0 * canvas.noise(hu.shape) - hu)).astype(
        np.float32)
    grown = (swelling >= 0.5) & (head.tissue_extra[box] != Tissue.FRACTURE)
    head.tissue_extra[box][grown] = Tissue.SCALP


def subdural(
    canvas: Canvas,
    *,
    side: int,
    kind: str = "acute",
    thickness_mm: float = 10.0,
    center_y_mm: float = -10.0,
    center_z_mm: float = 30.0,
    length_y_mm: float = 60.0,
    length_z_mm: float = 40.0,
    falx: bool = False,
    tentorium: bool = False,
    convexity: bool = True,
    shift: bool = True,
) -> None:
    """A subdural hematoma: a crescent over a convexity, along the falx, or the tentorium.

    ``kind`` is ``"acute"``, ``"hyperacute"`` (mixed, with swirls),
    ``"subacute"`` (isodense: seen only by displaced grey–white junction,
    effaced sulci and compressed ventricle), ``"chronic"`` or
    ``"acute_on_chronic"`` (a chronic collection with fresh blood settled
    dependently: a haematocrit level).
    """
    kinds = ("acute", "hyperacute", "subacute", "chronic", "acute_on_chronic")
    if kind not in kinds:
        raise ValueError(f"unknown subdural kind {kind!r}; use one of {list(kinds)}")

    def crescent(surface: Points) -> F3:
        x, y, z = surface
        profile = np.exp(-0.5 * ((y - center_y_mm) / length_y_mm) ** 4
                         - 0.5 * ((z - center_z_mm) / length_z_mm) ** 4)
        own_side = np.clip((side * x - 3.0) / 8.0, 0.0, 1.0)  # stops short of the falx
        return (thickness_mm * profile * own_side).astype(np.float32)

    gravity = canvas.gravity

    def fill(points: Points, opened: F3) -> tuple[F3, F3]:
        # An acute subdural in its first hours is the densest blood: 75-100 HU (REFERENCE).
        base = {"acute": canvas.blood("acute") + 6.0, "hyperacute": canvas.blood("acute"),
                "subacute": canvas.blood("subacute"), "chronic": canvas.blood("chronic"),
                "acute_on_chronic": canvas.blood("chronic")}[kind]
        value = np.full(opened.shape, base, dtype=np.float32)
        value += 1.5 * canvas.noise(opened.shape)
        if kind == "hyperacute":
            swirls = canvas.noise(opened.shape) > 0.6
            value = np.where(swirls, canvas.blood("hyperacute"), value).astype(np.float32)
        if kind == "acute_on_chronic":
            height = sum(np.broadcast_to(points[i], opened.shape) * gravity[i] for i in range(3))
            inside = opened > 0.5
            level = np.quantile(height[inside], 0.6) if inside.any() else 0.0
            fresh = coverage(height - level)  # dependent part: the cells settle
            value = (value + fresh * (canvas.blood("acute") - 5.0 - value)).astype(np.float32)
        return value, opened

    reach = max(30.0, 2.8 * thickness_mm)
    if convexity:
        canvas.openings.append(Opening(_collection_pull(canvas, crescent, reach_mm=reach), fill,
                                       Lesion.SUBDURAL, Tissue.EXTRA_AXIAL))
    dura = canvas.head.base.dura
    edge = dura.falx_edge
    ys = np.arange(edge.size, dtype=np.float32) - canvas.head.base.origin[1]
    if falx:
        def falx_offset(points: Points) -> F3:
            return (side * points[0] - 0.6).astype(np.float32)  # beside the 1 mm falx

        def along_falx(points: Points) -> F3:
            _, y, z = (np.broadcast_to(c, np.broadcast_shapes(*(p.shape for p in points)))
                       for c in points)
            free = np.interp(y, ys, edge)
            above = np.clip((z - free - 3.0) / 4.0, 0.0, 1.0)
            span = np.exp(-0.5 * ((y - center_y_mm + 5.0) / 32.0) ** 4)
            return (min(4.5, 0.45 * thickness_mm) * above * span).astype(np.float32)

        canvas.openings.append(Opening(_plane_pull(0, side, falx_offset, along_falx, 14.0),
                                       fill, Lesion.SUBDURAL, Tissue.EXTRA_AXIAL))
        canvas.findings.add("falx subdural")
    if tentorium:
        def tent_offset(points: Points) -> F3:
            return _sample(dura.tentorium_side, points)

        def along_tent(points: Points) -> F3:
            x, y, _ = (np.broadcast_to(c, np.broadcast_shapes(*(p.shape for p in points)))
                       for c in points)
            spread = np.exp(-0.5 * ((side * x - 28.0) / 18.0) ** 4 - 0.5 * ((y + 62.0) / 22) ** 4)
            return (min(5.0, 0.5 * thickness_mm) * spread * (side * x > 4.0)).astype(np.float32)

        canvas.openings.append(Opening(_plane_pull(2, 1.0, tent_offset, along_tent, 14.0),
                                       fill, Lesion.SUBDURAL, Tissue.EXTRA_AXIAL))
        canvas.findings.add("tentorial subdural")
    if shift and thickness_mm >= 6 and convexity:
        c = canvas.surface_point(_direction(np.degrees(np.arctan2(center_y_mm + 15, 60)), 20,
                                            side))
        inward = np.array([-side, 0.0, 0.0])
        canvas.shifts.append(Shift(tuple(c + inward * 35.0), tuple(inward * thickness_mm * 0.85),
                                   45.0))
    canvas.findings.add(f"subdural {kind}")


# -- inside the brain ----------------------------------------------------------------
def intraparenchymal(
    canvas: Canvas,
    *,
    center_mm: tuple[float, float, float],
    radii_mm: tuple[float, float, float] = (14.0, 11.0, 11.0),
    edema_mm: float = 5.0,
    irregularity: float = 0.35,
    age: str = "acute",
    contusion: bool = False,
) -> None:
    """An intraparenchymal hematoma (or a hemorrhagic contusion) with edema and mass effect.

    The clot is an irregular ellipsoid; the brain around it is pushed outwards
    as by an inflating balloon (a point at ``r0`` moves to ``(r0³ + R³)^⅓``, in
    the ellipsoid's units), which compresses the nearby sulci and ventricle.
    Its density is mottled (retracting clot is denser, fresh blood less); the
    edema rim (about 18 HU) extends further along white matter than cortex.
    A contusion is a cluster of small bleeds with more edema and less mass.
    """
    c = np.asarray(center_mm, dtype=np.float64)
    radii = np.asarray(radii_mm, dtype=np.float64)
    rng = canvas.rng
    lobes = rng.normal(0.0, irregularity, size=6)

    texture = canvas.head.base.textures[2.2]
    anchor = rng.uniform(20.0, 150.0, size=3)

    def radial(points: Points) -> tuple[F3, list[F3]]:
        rel = [(points[i] - c[i]) / radii[i] for i in range(3)]
        r = np.sqrt(sum(v * v for v in rel)) + 1e-6
        u = [v / r for v in rel]
        bump = 1.0 + sum(lobes[k] * u[k % 3] * (1 if k < 3 else u[(k + 1) % 3]) for k in range(6))
        # Lobules: a noise field read on a sphere of directions, so the outline is irregular.
        at = np.stack([np.broadcast_to(anchor[i] + 9.0 * u[i], r.shape) for i in range(3)])
        bump = bump + 0.9 * irregularity * ndi.map_coordinates(texture, at, order=1, mode="wrap")
        return (r / np.clip(bump, 0.55, 1.7)).astype(np.float32), rel

    def pull(source: Points) -> tuple[Points, F3]:
        r, rel = radial(source)
        opened = coverage((1.0 - r) * float(radii.mean()))
        # Brain hardly compresses; the CSF nearby gives way. So the push dies out within
        # a clot's radius or so of its edge, compressing (and effacing) what lies there,
        # instead of spreading volume-preserved through the whole brain.
        absorbed = np.clip(1.0 - (r - 1.0) / 1.5, 0.0, 1.0)
        r0 = np.cbrt(np.clip(r**3 - absorbed, 0.0, None))
        factor = np.where(r > 1e-3, r0 / r, 0.0)
        moved = tuple((c[i] + rel[i] * factor * radii[i]).astype(np.float32) for i in range(3))
        return moved, opened

    def fill(points: Points, opened: F3) -> tuple[F3, F3]:
        # Clot of different ages and retraction: broad zones and small foci.
        value = np.full(opened.shape, canvas.blood(age), dtype=np.float32)
        value += 5.0 * canvas.head.base.texture(6.0, opened.shape, rng)
        value += 3.5 * canvas.noise(opened.shape)
        return value, opened

    if contusion:  # small bleeds in swollen cortex, in place: salt and pepper, little mass
        def spots(cv: Canvas) -> None:
            box = tuple(slice(max(0, int(v - r - 3)), int(v + r + 4))
                        for v, r in zip(c + cv.head.base.origin, radii, strict=True))
            p = cv.points(box)  # type: ignore[arg-type]
            r, _ = radial(p)
            tissue = cv.head.tissue_intra[box]
            brain = np.isin(tissue, (Tissue.GRAY, Tissue.WHITE, Tissue.DEEP_GRAY))
            dots = smooth_noise(r.shape, 1.2, rng) > 0.55
            fraction = coverage((1.0 - r) * float(radii.mean())) * dots * brain
            value = cv.blood(age) + 6.0 * smooth_noise(r.shape, 2.0, rng)
            cv.paint_fraction(ndi.gaussian_filter(fraction.astype(np.float32), 0.6) * 1.4,
                              value, Lesion.INTRAPARENCHYMAL, box=box)

        canvas.after.append(spots)
    else:
        # The push falls as R³/3r²: beyond 4 radii it is under a fiftieth of a radius.
        reach = (c, float(radii.max()) * 4.5 + 6.0)
        canvas.openings.append(Opening(pull, fill, Lesion.INTRAPARENCHYMAL, Tissue.GRAY, reach))
    volume_ml = 4.19 * float(np.prod(radii)) / 1000 * (0.3 if contusion else 1.0)
    if volume_ml > 5:
        direction = np.array([-np.sign(c[0]) or 1.0, 0.0, 0.0])
        canvas.shifts.append(Shift(tuple(c), tuple(direction * volume_ml**0.5 * 1.4), 34.0))

    def edema(cv: Canvas) -> None:
        box = tuple(slice(max(0, int(v - r - edema_mm - 8)), int(v + r + edema_mm + 9))
                    for v, r in zip(c + cv.head.base.origin, radii, strict=True))
        p = cv.points(box)  # type: ignore[arg-type]
        r, _ = radial(p)
        mm = (r - 1.0) * float(radii.mean())
        tissue = cv.head.tissue_intra[box]
        white = (tissue == Tissue.WHITE).astype(np.float32)
        brain = white + ((tissue == Tissue.GRAY) | (tissue == Tissue.DEEP_GRAY))
        uneven = 1.0 + 0.45 * cv.head.base.texture(6.0, white.shape, cv.rng)
        reach = edema_mm * (0.5 + 1.0 * ndi.gaussian_filter(white, 2.0)) * uneven
        ring = coverage(reach - mm) * (mm > -0.5) * brain
        ring *= (cv.lesion[box] == 0)
        hu = cv.head.hu_intra[box]
        hu += (ring * 0.85 * (HU["edema"] - hu)).astype(np.float32)
        cv.head.tissue_intra[box][(ring >= 0.5)] = Tissue.EDEMA

    canvas.after.append(edema)
    canvas.findings |= {"contusion" if contusion else "intraparenchymal", "edema"}


def subarachnoid(
    canvas: Canvas,
    *,
    pattern: str = "basal",
    side: int = 1,
    source_mm: tuple[float, float, float] | None = None,
    density: float = 1.0,
) -> None:
    """Blood mixed into the CSF of the subarachnoid spaces (never the ventricles).

    ``pattern="basal"`` (aneurysmal): suprasellar, ambient, prepontine and
    interpeduncular cisterns, both Sylvian fissures and the anterior
    interhemispheric fissure, densest near ``source_mm`` (the aneurysm; by
    default the anterior communicating artery) and fading away from it, so the
    two sides differ. ``pattern="convexity"`` (traumatic): thin lines in the
    sulci over one convexity.
    """
    if pattern not in ("basal", "convexity"):
        raise ValueError(f"unknown subarachnoid pattern {pattern!r}; use 'basal' or 'convexity'")

    def paint(cv: Canvas) -> None:
        x, y, z = cv.points()
        tissue = cv.head.tissue_intra
        csf = (tissue == Tissue.CSF) | (tissue == Tissue.VESSEL)
        if pattern == "basal":
            src = np.asarray(source_mm if source_mm is not None else (side * 3.0, 14.0, -14.0))
            d2 = (x - src[0]) ** 2 + (y - src[1]) ** 2 + (z - src[2]) ** 2
            strength = np.exp(-d2 / (2 * 28.0**2)) * density
            region = (z < 22) & (np.abs(x) < 62) & (y > -55) & (y < 50)
            region &= ~((z > -2) & (np.abs(x) < 6) & (y < -5))  # not the velum/quadrigeminal top
            cv.findings.add("basal subarachnoid")
        else:
            c = cv.surface_point(_direction(20, 35, side))
            d2 = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2
            strength = np.exp(-d2 / (2 * 14.0**2)) * density
            depth = cv.head.icv_depth()
            # In the sulci, below the CSF layer that lines the inner table.
            region = (depth > 2.5) & (depth < 20) & (side * x > 0)
            cv.findings.add("convexity subarachnoid")
        amount = np.clip(strength * 1.6, 0.0, 1.0) * csf * region
        amount = amount.astype(np.float32)
        hu = cv.head.hu_intra
        blood = cv.blood("acute") - 4.0
        hu += (amount * (blood - hu)).astype(np.float32)
        cv.lesion[(amount >= 0.5) & (cv.lesion == 0)] = Lesion.SUBARACHNOID

    canvas.after.append(paint)


def intraventricular(
    canvas: Canvas,
    *,
    pattern: str = "layering",
    depth_mm: float = 8.0,
    fourth: bool = False,
) -> None:
    """Blood in the ventricles: a dependent layer under a flat level, or a cast.

    With ``pattern="layering"`` each lateral ventricle fills from its most
    dependent point (in the supine patient the occipital horns) up to
    ``depth_mm`` along gravity; the level is flat in the patient's frame, so
    flat on the image. With ``pattern="cast"`` the ventricles are filled.
    """
    if pattern not in ("layering", "cast"):
        raise ValueError(f"unknown intraventricular pattern {pattern!r}; use 'layering' or 'cast'")

    def paint(cv: Canvas) -> None:
        x, y, z = cv.points()
        ventricle = cv.head.tissue_intra == Tissue.VENTRICLE
        if pattern == "cast":
            blood = ventricle.astype(np.float32)
        else:
            height = sum(np.broadcast_to(c, cv.shape) * g
                         for c, g in zip((x, y, z), cv.gravity, strict=True))
            blood = np.zeros(cv.shape, dtype=np.float32)
            fourth_region = (y < -28) & (z < -12)
            for s in (1, -1):
                # One level per side, over every part of that lateral ventricle (temporal
                # horn included): blood fills whatever is more dependent than it.
                lateral = ventricle & (s * x > 2.0) & ~fourth_region
                if lateral.any():
                    bottom = float(height[lateral].max())  # most dependent point
                    level = bottom - depth_mm
                    blood += coverage(height - level) * lateral
            if fourth:
                blood += ventricle & fourth_region
        blood = np.clip(blood, 0.0, 1.0).astype(np.float32)
        hu = cv.head.hu_intra
        hu += (blood * (cv.blood("acute") - hu)).astype(np.float32)
        cv.lesion[blood >= 0.5] = Lesion.INTRAVENTRICULAR
        cv.findings.add("intraventricular " + pattern)

    canvas.after.append(paint)


def calcifications(
    canvas: Canvas,
    *,
    pineal: bool = True,
    choroid: bool = True,
    falx: bool = False,
    basal_ganglia: bool = False,
) -> None:
    """Physiological calcifications, the classic mimics of blood (> 100 HU).

    The choroid glomus sits inside the atrium of each lateral ventricle (never
    cut by its wall); basal ganglia calcification is in the globus pallidus;
    falx calcification is a row of plaques along the falx.
    """
    head = canvas.head
    if pineal:
        calcification(head, (0.0, -31.0, 3.0), (3.0, 3.5, 2.8), 260.0)
        canvas.findings.add("pineal calcification")
    if choroid:
        _choroid(canvas)
        canvas.findings.add("choroid calcification")
    if falx:
        for k in range(5):
            calcification(head, (0.3, 32.0 - 9.0 * k, 44.0 + 2.0 * k), (0.9, 3.0, 2.2),
                          320.0 - 20.0 * k)
        canvas.findings.add("falx calcification")
    if basal_ganglia:
        for s in (1, -1):
            calcification(head, (s * 18.0, -2.0, -1.0), (2.2, 4.0, 3.0), 180.0)
        canvas.findings.add("basal ganglia calcification")


def _choroid(canvas: Canvas) -> None:
    """Choroid plexus glomus in each atrium: soft tissue with a calcified core."""
    head = canvas.head
    ventricle_sdf = head.base.brain.ventricle_sdf
    for s in (1, -1):
        center = _atrium_center(ventricle_sdf, s)
        r = 8
        idx = np.rint(center + head.base.origin).astype(int)
        box = tuple(slice(i - r, i + r + 1) for i in idx)
        p = canvas.points(box)  # type: ignore[arg-type]
        inside = coverage(-ventricle_sdf[box] - 1.0)  # at least 1 mm from the wall
        glomus = coverage(ellipsoid(p, center, (4.0, 6.0, 3.5))) * inside
        core = coverage(ellipsoid(p, center + [0.0, -0.5, 0.0], (2.3, 3.0, 2.0))) * inside
        hu = head.hu_intra[box]
        hu += (glomus * (HU["choroid_plexus"] - hu)).astype(np.float32)
        hu += (core * (240.0 - hu)).astype(np.float32)
        head.tissue_intra[box][glomus >= 0.5] = Tissue.CHOROID_PLEXUS
        head.tissue_intra[box][core >= 0.5] = Tissue.CALCIFICATION


def _atrium_center(ventricle_sdf: F3, side: int) -> npt.NDArray[np.float64]:
    """The deepest point of the lateral ventricle's atrium on one side (RAS mm)."""
    x, y, z = mm_axes(ventricle_sdf.shape)
    region = (side * x > 12) & (side * x < 38) & (y < -32) & (y > -55) & (z > 4) & (z < 22)
    depth = np.where(region, -ventricle_sdf, -np.inf)
    i = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return np.asarray(i, dtype=np.float64) - ORIGIN
