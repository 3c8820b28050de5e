"""Hemorrhages, drawn in 3-D at 1 mm with the rules radiologists read them by.

Each function paints one lesion onto a :class:`Canvas`: it blends the blood's
HU into the image with a soft (partial-volume) edge and writes the lesion's
code where blood fills at least half a voxel. Lesions attached to the skull
(epidural, subdural) are painted after the brain has been displaced by mass
effect; lesions inside the brain (intraparenchymal, intraventricular,
subarachnoid) move with it.

The rules, per subtype:

* **epidural**: a biconvex lens against the inner table that stops at the
  sutures (the dura is fixed there), with a fracture line through the skull
  and a scalp swelling over it; active bleeding may show as a darker swirl.
* **subdural**: a crescent along the convexity over many slices, concave
  towards the brain; it crosses sutures but not the midline, and may run
  along the falx.
* **subarachnoid**: blood in place of CSF in sulci, Sylvian fissures and the
  basal cisterns.
* **intraventricular**: blood settling in the dependent (posterior) horns with
  a flat level, or filling the ventricles as a cast.
* **intraparenchymal**: an irregular clot in brain tissue with a darker rim
  of edema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.synth.anatomy import Head
from ctlib.synth.tissues import HU, Lesion, Tissue

__all__ = [
    "Bump",
    "Canvas",
    "calcifications",
    "epidural",
    "intraparenchymal",
    "intraventricular",
    "skull_bone",
    "subarachnoid",
    "subdural",
    "SEPTUM_MM",
]

#: Where the septum pellucidum lies in the model (RAS mm): midline shift is measured here.
SEPTUM_MM = np.array([0.0, 8.0, 14.0])
_HEAD_CENTER_MM = np.array([0.0, -15.0, 15.0])


@dataclass(frozen=True)
class Bump:
    """A Gaussian displacement of brain tissue (mass effect), in RAS mm."""

    center: tuple[float, float, float]
    vector: tuple[float, float, float]  #: displacement at the center
    sigma: float

    def at(self, points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Displacement at ``points`` (x, y, z on the first axis)."""
        c = np.asarray(self.center).reshape(3, *([1] * (points.ndim - 1)))
        weight = np.exp(-((points - c) ** 2).sum(axis=0) / (2 * self.sigma**2))
        return np.asarray(np.asarray(self.vector).reshape(c.shape) * weight, dtype=np.float64)


@dataclass
class Canvas:
    """Working copies of a head's volumes, painted by the lesion functions."""

    head: Head
    rng: np.random.Generator
    hu_intra: npt.NDArray[np.float32] = field(init=False)
    hu_extra: npt.NDArray[np.float32] = field(init=False)
    tissue_intra: npt.NDArray[np.uint8] = field(init=False)
    tissue_extra: npt.NDArray[np.uint8] = field(init=False)
    lesion: npt.NDArray[np.uint8] = field(init=False)
    bumps: list[Bump] = field(default_factory=list)
    #: Paints of skull-fixed lesions, applied after the brain has moved (see :meth:`finish`).
    fixed: list[tuple[Any, Any, Any, Lesion]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.hu_intra = self.head.hu_intra.copy()
        self.hu_extra = self.head.hu_extra.copy()
        self.tissue_intra = self.head.tissue_intra.copy()
        self.tissue_extra = self.head.tissue_extra.copy()
        self.lesion = np.zeros(self.hu_intra.shape, dtype=np.uint8)

    # -- helpers -----------------------------------------------------------------------
    def box(self, center: npt.ArrayLike, radius: float) -> tuple[slice, slice, slice]:
        """Index box of ``radius`` mm around ``center`` (RAS mm), clipped to the volume."""
        idx = np.asarray(center, float) + self.head.base.origin
        shape = self.hu_intra.shape
        return tuple(  # type: ignore[return-value]
            slice(max(0, int(c - radius)), min(n, int(c + radius) + 2))
            for c, n in zip(idx, shape, strict=True)
        )

    def whole(self) -> tuple[slice, slice, slice]:
        """The box of the whole volume."""
        return tuple(slice(0, n) for n in self.hu_intra.shape)  # type: ignore[return-value]

    def mm(self, box: tuple[slice, slice, slice]) -> npt.NDArray[np.float64]:
        """RAS mm of every voxel of ``box``, shape (3, ...)."""
        axes = [
            np.arange(s.start, s.stop) - o for s, o in zip(box, self.head.base.origin, strict=True)
        ]
        return np.stack(np.meshgrid(*axes, indexing="ij"))

    def paint(
        self,
        box: tuple[slice, slice, slice],
        fraction: npt.NDArray[np.floating],
        hu: float | npt.NDArray[np.floating],
        code: Lesion,
        *,
        fixed: bool = False,
    ) -> None:
        """Blend blood of ``hu`` into the ICV with ``fraction`` and mark its code.

        With ``fixed=True`` (a lesion fixed to the skull) the paint is kept and
        applied by :meth:`finish`, after the brain has moved.
        """
        if fixed:
            self.fixed.append((box, np.asarray(fraction, dtype=np.float32), hu, code))
            return
        fraction = np.clip(fraction, 0.0, 1.0) * self.head.base.icv[box]
        target = self.hu_intra[box]
        target += (fraction * (np.asarray(hu) - target)).astype(np.float32)
        self.lesion[box][fraction >= 0.5] = code

    def surface_point(self, direction: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The inner-table point met by a ray from the head's centre (RAS mm)."""
        u = np.asarray(direction, float)
        u /= np.linalg.norm(u)
        steps = np.arange(0.0, 130.0, 0.5)
        points = _HEAD_CENTER_MM[:, None] + u[:, None] * steps
        inside = ndi.map_coordinates(
            self.head.base.icv.astype(np.uint8), points + self.head.base.origin[:, None], order=0
        )
        return np.asarray(points[:, int(np.flatnonzero(inside)[-1])], dtype=np.float64)

    def finish(self) -> float:
        """Displace the brain by the mass effect, then paint the skull-fixed lesions.

        Returns
        -------
        float
            The midline shift in mm: the displacement at the septum pellucidum.
        """
        midline = 0.0
        if self.bumps:
            reach = max(3 * b.sigma for b in self.bumps)
            centers = np.array([b.center for b in self.bumps])
            box = self.box(centers.mean(axis=0), reach + float(np.ptp(centers, axis=0).max()) / 2)
            points = self.mm(box)
            shift = sum(b.at(points) for b in self.bumps)
            source = points - shift + self.head.base.origin.reshape(3, 1, 1, 1)
            for name, order in (("hu_intra", 1), ("tissue_intra", 0), ("lesion", 0)):
                volume = getattr(self, name)
                volume[box] = ndi.map_coordinates(volume, source, order=order, mode="nearest")
            at_septum = sum(b.at(SEPTUM_MM.reshape(3, 1)) for b in self.bumps)
            midline = float(abs(np.ravel(at_septum)[0]))
        for box, fraction, hu, code in self.fixed:
            self.paint(box, fraction, hu, code)
        self.fixed.clear()
        return midline


def skull_bone(points: npt.NDArray[np.float64]) -> npt.NDArray[np.int8]:
    """Which skull bone lies over each point, from the sutures' approximate course.

    Codes: 1 frontal, 2 parietal, 3 temporal, 4 occipital, signed by side
    (positive right, negative left; the frontal and occipital bones are single
    but are split here at the midline, as a convexity lesion never crosses it
    there either). Coronal suture near y = +12 mm, lambdoid from y = -75 at the
    vertex to -55 at the asterion, squamosal arching to z = +28 above the ear.
    """
    x, y, z = points
    lambdoid = -55.0 - 20.0 * (z + 15.0) / 70.0
    squamosal = 28.0 - ((y + 15.0) / 40.0) ** 2 * 15.0
    code = np.full(x.shape, 2, dtype=np.int8)
    code[(z < squamosal) & (y > lambdoid)] = 3
    code[y >= 12.0] = 1
    code[y <= lambdoid] = 4
    return np.where(x >= 0, code, -code).astype(np.int8)


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
) -> None:
    """Paint an epidural hematoma with its fracture and scalp swelling.

    The lens has thickness ``t(q) = T sqrt(1 - (q/R)²)`` at distance ``q`` from
    its center on the inner table, so both faces are convex; it is clipped to
    the skull bone its center lies under (it does not cross sutures).
    """
    head, base = canvas.head, canvas.head.base
    c = canvas.surface_point(_direction(azimuth_deg, elevation_deg, side))
    box = canvas.box(c, radius_mm + 12)
    p = canvas.mm(box)
    q = np.sqrt(((p - c.reshape(3, 1, 1, 1)) ** 2).sum(axis=0))
    t = thickness_mm * np.sqrt(np.clip(1 - (q / radius_mm) ** 2, 0, None))
    same_bone = skull_bone(p) == skull_bone(c.reshape(3, 1))[0]
    # The dura is fixed at the sutures: the lens thins to nothing as it reaches one.
    t *= np.clip(ndi.distance_transform_edt(same_bone) / 8.0, 0, 1)
    fraction = np.clip(t - base.depth[box] + 0.5, 0, 1) * same_bone * (t > 0)
    blood: float | npt.NDArray[np.float32] = HU["acute_blood"]
    if swirl:  # active bleeding: darker, unclotted blood in swirls inside the clot
        field_ = ndi.gaussian_filter(canvas.rng.standard_normal(q.shape), 2.0)
        swirls = field_ > np.quantile(field_, 0.8)
        blood = np.where(swirls, HU["hyperacute_blood"], HU["acute_blood"]).astype(np.float32)
    canvas.paint(box, fraction, blood, Lesion.EPIDURAL, fixed=True)
    inward = -(c - _HEAD_CENTER_MM) / np.linalg.norm(c - _HEAD_CENTER_MM)
    canvas.bumps.append(
        Bump(tuple(c + inward * thickness_mm / 2), tuple(inward * thickness_mm * 0.7), radius_mm)
    )

    # Fracture: a 1 mm gap through the tables, in a plane containing the radius.
    skull = head.shape.inner_table_mm + head.shape.diploe_mm + head.shape.outer_table_mm
    tangent = np.cross(inward, [0.0, 0.0, 1.0])
    tangent /= np.linalg.norm(tangent)
    offset = p - c.reshape(3, 1, 1, 1)
    across = np.abs(np.tensordot(tangent, offset, axes=1))
    in_skull = (base.outside[box] > 0) & (base.outside[box] <= skull + 0.5)
    crack = in_skull & (across < 0.7) & (q < 22)
    canvas.hu_extra[box][crack] = HU["scalp"]
    canvas.tissue_extra[box][crack] = Tissue.SCALP

    # Scalp swelling: soft tissue thickened over the fracture, fat layer effaced.
    d_scalp = base.outside[box] - skull
    swelling = 7.0 * np.sqrt(np.clip(1 - (q / (radius_mm + 8)) ** 2, 0, None))
    swollen = (d_scalp > 0) & (d_scalp <= head.shape.scalp_mm + swelling) & (swelling > 0)
    canvas.hu_extra[box][swollen] = HU["scalp_hematoma"]
    canvas.tissue_extra[box][swollen] = Tissue.SCALP


def subdural(
    canvas: Canvas,
    *,
    side: int,
    kind: str = "acute",
    thickness_mm: float = 10.0,
    center_y_mm: float = -10.0,
    center_z_mm: float = 30.0,
    length_y_mm: float = 55.0,
    length_z_mm: float = 35.0,
    falx: bool = False,
) -> None:
    """Paint a subdural hematoma: a crescent over one hemisphere's convexity.

    ``kind`` is ``"acute"`` (70 HU), ``"subacute"`` (isodense with grey
    matter), ``"chronic"`` (near CSF) or ``"acute_on_chronic"`` (chronic with a
    dependent acute layer and a level between them).
    """
    base = canvas.head.base
    box = canvas.whole()
    p = canvas.mm(box)
    x, y, z = p
    profile = np.exp(
        -0.5 * ((y - center_y_mm) / length_y_mm) ** 4 - 0.5 * ((z - center_z_mm) / length_z_mm) ** 4
    )
    t = thickness_mm * profile
    hemisphere = np.clip(side * x - 1.0, 0, 1)  # stops 1 mm short of the midline
    fraction = np.clip(t - base.depth + 0.5, 0, 1) * hemisphere * (t > 0.5)
    if falx:  # a thin layer along the falx on the same side
        along = (
            (np.abs(x) < 3.0) & (side * x > 0.3) & (y > center_y_mm - 45) & (y < center_y_mm + 35)
        )
        along &= (z > center_z_mm - 20) & (base.depth > 4.0) & (1 - base.gray - base.white > 0.3)
        fraction = np.maximum(fraction, along.astype(np.float64))
    values = {
        "acute": HU["acute_blood"],
        "subacute": HU["subacute_blood"],
        "chronic": HU["chronic_blood"],
        "acute_on_chronic": HU["chronic_blood"],
    }
    if kind not in values:
        raise ValueError(f"unknown subdural kind {kind!r}; use one of {sorted(values)}")
    blood: float | npt.NDArray[np.float64] = values[kind]
    if kind == "acute_on_chronic":
        inside = fraction > 0
        level = np.quantile(y[inside], 0.35) if inside.any() else 0.0
        blood = np.where(y < level, HU["acute_blood"] - 5, HU["chronic_blood"])  # posterior settles
    canvas.paint(box, fraction, blood, Lesion.SUBDURAL, fixed=True)
    if thickness_mm >= 6:  # a thick clot pushes the hemisphere across the midline
        c = canvas.surface_point(_direction(np.degrees(np.arctan2(center_y_mm + 15, 60)), 20, side))
        inward = np.array([-side, 0.0, 0.0])
        canvas.bumps.append(
            Bump(tuple(c + inward * 25.0), tuple(inward * thickness_mm * 0.9), 45.0)
        )


def subarachnoid(canvas: Canvas, *, pattern: str = "basal", side: int = 1) -> None:
    """Paint subarachnoid blood in CSF spaces (not the ventricles).

    ``pattern="basal"`` (aneurysmal): basal cisterns with the suprasellar
    star, both Sylvian fissures and the anterior interhemispheric fissure.
    ``pattern="convexity"`` (traumatic): sulci over one convexity.
    """
    base = canvas.head.base
    box = canvas.whole()
    x, y, z = canvas.mm(box)
    csf = np.clip(1 - base.gray - base.white, 0, 1) * base.icv
    csf *= canvas.tissue_intra != Tissue.VENTRICLE

    def ellipsoid(
        cx: float, cy: float, cz: float, rx: float, ry: float, rz: float
    ) -> npt.NDArray[np.bool_]:
        inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 + ((z - cz) / rz) ** 2 <= 1
        return np.asarray(inside, dtype=np.bool_)

    if pattern == "basal":
        region = ellipsoid(0, 2, -14, 26, 24, 9) | ellipsoid(36, 8, -2, 14, 20, 14)
        region |= ellipsoid(-36, 8, -2, 14, 20, 14)
        region |= (np.abs(x) < 4) & (y > 5) & (y < 55) & (z > -15) & (z < 25)
    elif pattern == "convexity":
        c = canvas.surface_point(_direction(20, 35, side))
        near = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 < 28**2
        region = near & (base.depth >= 1.5) & (base.depth < 18)  # in the sulci, off the dura
    else:
        raise ValueError(f"unknown subarachnoid pattern {pattern!r}; use 'basal' or 'convexity'")
    fraction = csf * region
    canvas.hu_intra += (fraction * (HU["acute_blood"] - HU["csf"])).astype(np.float32)
    canvas.lesion[fraction >= 0.5] = Lesion.SUBARACHNOID


def intraventricular(canvas: Canvas, *, pattern: str = "layering", depth_mm: float = 10.0) -> None:
    """Paint intraventricular blood: a dependent layer with a flat level, or a cast."""
    ventricles = canvas.tissue_intra == Tissue.VENTRICLE
    x, y, z = canvas.mm(canvas.whole())
    if pattern == "layering":
        lateral = ventricles & (z > 0)
        level = y[lateral].min() + depth_mm  # supine: posterior is down
        blood = lateral & (y < level)
    elif pattern == "cast":
        blood = ventricles
    else:
        raise ValueError(f"unknown intraventricular pattern {pattern!r}; use 'layering' or 'cast'")
    canvas.hu_intra[blood] = HU["acute_blood"]
    canvas.lesion[blood] = Lesion.INTRAVENTRICULAR


def intraparenchymal(
    canvas: Canvas,
    *,
    center_mm: tuple[float, float, float],
    radii_mm: tuple[float, float, float] = (14.0, 11.0, 11.0),
    edema_mm: float = 4.0,
    irregularity: float = 0.25,
) -> None:
    """Paint an intraparenchymal hematoma: an irregular clot with an edema rim."""
    c = np.asarray(center_mm, float)
    box = canvas.box(c, max(radii_mm) * (1 + irregularity) + edema_mm + 6)
    p = canvas.mm(box)
    r = np.asarray(radii_mm).reshape(3, 1, 1, 1)
    norm = np.sqrt((((p - c.reshape(3, 1, 1, 1)) / r) ** 2).sum(axis=0))
    bumpy = ndi.gaussian_filter(canvas.rng.standard_normal(norm.shape), 3.0)
    bumpy /= bumpy.std() or 1.0
    signed_mm = (norm - 1 - irregularity * 0.5 * bumpy) * float(np.mean(radii_mm))
    tissue = canvas.tissue_intra[box]
    brain = (tissue == Tissue.GRAY) | (tissue == Tissue.WHITE)
    edema = np.clip((edema_mm - signed_mm) / 2, 0, 1) * (signed_mm > 0) * brain
    target = canvas.hu_intra[box]
    target += (edema * (HU["edema"] - target)).astype(np.float32)
    canvas.paint(
        box, np.clip(0.5 - signed_mm, 0, 1) * brain, HU["acute_blood"], Lesion.INTRAPARENCHYMAL
    )
    volume_ml = float((signed_mm < 0).sum()) / 1000
    if volume_ml > 15:
        direction = np.array([-np.sign(c[0]) or 1.0, 0.0, 0.0])
        canvas.bumps.append(Bump(tuple(c), tuple(direction * volume_ml**0.5 * 1.2), 30.0))


def calcifications(
    canvas: Canvas, *, pineal: bool = True, choroid: bool = True, falx: bool = False
) -> None:
    """Add physiological calcifications, the classic mimics of blood (> 100 HU)."""
    spots = []
    if pineal:
        spots.append(((0.0, -30.0, 4.0), 2.5))
    if choroid:
        spots += [((27.0, -40.0, 14.0), 3.0), ((-27.0, -40.0, 14.0), 3.0)]
    if falx:
        spots += [((0.0, 25.0 + 4 * k, 42.0 + k), 1.3) for k in range(4)]
    for center, radius in spots:
        box = canvas.box(center, radius + 2)
        p = canvas.mm(box)
        d = np.sqrt(((p - np.reshape(center, (3, 1, 1, 1))) ** 2).sum(axis=0))
        fraction = np.clip(radius - d + 0.5, 0, 1)
        target = canvas.hu_intra[box]
        target += (fraction * (HU["calcification"] - target)).astype(np.float32)
        canvas.tissue_intra[box][fraction >= 0.5] = Tissue.CALCIFICATION
