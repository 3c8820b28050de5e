"""One patient's head at 1 mm: HU and tissue codes, built from the shared fields.

:func:`base_head` computes, once per process, everything that does not
change between patients (brain, skull, dura fields: see :mod:`~ctlib.synth.brain`,
:mod:`~ctlib.synth.skull`, :mod:`~ctlib.synth.dura`). :func:`build_head` turns
it into one patient, with a :class:`HeadShape` that sets what differs between
people and scanners: age (sulcal and ventricular width, extra-axial CSF, white
matter), skull and scalp thickness, bone density, mastoid pneumatisation,
calcifications, and the scanner's grey/white levels.

The head is kept in two parts, because a mass moves the brain but not the
skull (see :mod:`ctlib.synth.lesions`): ``hu_intra`` holds what lies inside
the intracranial volume (brain, CSF), ``hu_extra`` what lies outside (bone,
scalp, face, air); ``icv`` is the partial-volume fraction that blends them, so
the inner table's edge is smooth. The dura and venous sinuses, fixed to the
skull, are overlays (``dura``) applied after the brain has moved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.course.tissues import HU, Tissue
from ctlib.synth.brain import BrainFields, brain_fields, mm_axes, sulcal_csf
from ctlib.synth.dura import DuraFields, dura_fields
from ctlib.synth.fields import bbox
from ctlib.synth.shapes import Painter, coverage, ellipsoid, tube
from ctlib.synth.skull import SkullFields, skull_fields
from ctlib.synth.skullbase import BaseShape, paint_ears, paint_skull_base
from ctlib.synth.template import ORIGIN, ct_template, mni_maps

__all__ = ["ORIGIN", "BaseHead", "Head", "HeadShape", "base_head", "build_head", "smooth_noise"]

Float3 = npt.NDArray[np.float32]
_BASE_BOX = (slice(18, 180), slice(60, 233), slice(0, 66))  # z < -6 mm: skull base and face


@dataclass(frozen=True)
class BaseHead:
    """The shared 1 mm model every series starts from (computed once per process)."""

    brain: BrainFields
    skull: SkullFields
    dura: DuraFields
    origin: npt.NDArray[np.float64]  #: voxel index of RAS (0, 0, 0)
    textures: dict[float, Float3] = field(default_factory=dict, repr=False)  #: periodic noise
    #: Flat indices of the voxels between brain and air (skull, scalp, face), and their (i, j, k).
    shell: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    shell_ijk: tuple[npt.NDArray[np.int32], ...] = field(default=(), repr=False)
    #: The box holding the intracranial volume (with room for the ICV to grow with age).
    brain_box: tuple[slice, slice, slice] = field(default=(slice(None),) * 3, repr=False)

    def texture_at(self, sigma: float, rng: np.random.Generator) -> Float3:
        """Like :meth:`texture`, on the shell's voxels only (flat)."""
        source = self.textures[sigma].ravel()
        shift = int(rng.integers(source.size))
        index = self.shell + shift
        index[index >= source.size] -= source.size
        return np.asarray(source[index], dtype=np.float32)

    def texture(self, sigma: float, shape: tuple[int, ...], rng: np.random.Generator) -> Float3:
        """Smooth unit noise of ``shape`` cut at random from a periodic field of scale ``sigma``.

        A window at a random place of the field (or, for the whole grid, the
        field shifted along its memory order, which wraps seamlessly), so every
        series and lesion gets its own texture without filtering a new volume.
        """
        source = self.textures[sigma]
        if all(n < full for n, full in zip(shape, source.shape, strict=True)):
            start = [int(rng.integers(0, full - n + 1)) for n, full in zip(shape, source.shape,
                                                                           strict=True)]
            window = source[tuple(slice(a, a + n) for a, n in zip(start, shape, strict=True))]
        else:
            flat = np.roll(source.ravel(), int(rng.integers(source.size)))
            window = flat.reshape(source.shape)[tuple(slice(0, n) for n in shape)]
        if rng.random() < 0.5:
            window = window[::-1]
        return np.ascontiguousarray(window, dtype=np.float32)

    @property
    def shape(self) -> tuple[int, int, int]:
        """The grid's shape."""
        return self.brain.gray.shape


@lru_cache(maxsize=1)
def base_head() -> BaseHead:
    """Build the shared model from the templates (about 30 s, cached per process).

    Returns
    -------
    BaseHead
    """
    from concurrent.futures import ThreadPoolExecutor

    # numpy and scipy release the GIL in most of this work: two threads nearly halve it.
    with ThreadPoolExecutor(2) as pool:
        ct_job = pool.submit(ct_template)
        maps = mni_maps()
        brain_job = pool.submit(brain_fields, maps)
        skull = skull_fields(maps, ct_job.result())
        brain = brain_job.result()
    dura = dura_fields(maps, brain, skull.icv_depth)
    rng = np.random.default_rng(20260101)
    textures = {}
    for sigma in (1.0, 2.2, 6.0):
        white = rng.standard_normal(brain.gray.shape, dtype=np.float32)
        smooth = ndi.gaussian_filter(white, sigma, mode="wrap")
        textures[sigma] = (smooth / smooth.std()).astype(np.float32)
    near = (skull.icv_depth < 4.5) & (skull.head_sdf > -4.0)
    shell = np.flatnonzero(near.ravel())
    ijk = tuple(c.astype(np.int32) for c in np.unravel_index(shell, near.shape))

    brain_box = bbox(skull.icv_out < 4.0, 1)
    return BaseHead(brain, skull, dura, ORIGIN.copy(), textures, shell, ijk, brain_box)


@dataclass(frozen=True)
class HeadShape:
    """What differs between patients and scanners."""

    age: float = 0.4  #: 0 young adult … 1 old: sulci, ventricles, extra-axial CSF, white matter
    ventricle_mm: float = 0.0  #: grow (> 0) or shrink (< 0) the ventricles beyond age's effect
    hydrocephalus: float = 0.0  #: 0–1: temporal horns and third ventricle dilate, sulci efface
    skull_scale: float = 1.0  #: vault thickness relative to the template's
    inner_table_mm: float = 1.6
    outer_table_mm: float = 1.8
    bone_hu: float = HU["bone"]  #: cortical bone density of this patient
    diploe_hu: float = HU["diploe"]
    suture_open: float = 0.6  #: 0 fused … 1 open sutures
    skin_mm: float = 1.6
    fat_mm: float = 3.0  #: subcutaneous fat over the vault
    gray_hu: float = HU["gray"]
    white_hu: float = HU["white"]
    csf_hu: float = HU["csf"]
    base: BaseShape = field(default_factory=BaseShape)
    seed: int = 0  #: for the textures (bone, sutures, fat)


@dataclass
class Head:
    """A patient's head at 1 mm, in the two parts a mass effect treats differently."""

    hu_intra: Float3  #: inside the intracranial volume: brain and CSF
    tissue_intra: npt.NDArray[np.uint8]
    hu_extra: Float3  #: outside it: bone, scalp, face, air
    tissue_extra: npt.NDArray[np.uint8]
    icv: Float3  #: 0–1, the intracranial volume with its partial-volume edge
    dura: Float3  #: 0–1, falx and tentorium
    sinus: Float3  #: 0–1, venous sinuses
    sinus_hu: float
    base: BaseHead
    shape: HeadShape
    _icv_depth: Float3 | None = field(default=None, repr=False)
    _inward: tuple[Float3, Float3, Float3] | None = field(default=None, repr=False)

    def mm_to_index(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """RAS mm → voxel index (last axis of ``points`` is x, y, z)."""
        return np.asarray(points, dtype=np.float64) + self.base.origin

    def icv_depth(self) -> Float3:
        """Signed mm to this patient's inner table (> 0 inside)."""
        if self._icv_depth is None:
            self._icv_depth = _icv_sdf(self.base.skull, self.shape)
        return self._icv_depth

    def inward(self) -> tuple[Float3, Float3, Float3]:
        """Unit vectors pointing away from the inner table, into the head (x, y, z fields)."""
        if self._inward is None:
            depth = self.icv_depth()

            box = bbox(depth > -6.0, 2)
            fields = [np.zeros(depth.shape, dtype=np.float32) for _ in range(3)]
            grads = np.gradient(ndi.gaussian_filter(depth[box], 1.5))
            norm = np.sqrt(sum(g * g for g in grads)) + 1e-6
            for f, g in zip(fields, grads, strict=True):
                f[box] = g / norm
            self._inward = (fields[0], fields[1], fields[2])
        return self._inward


def smooth_noise(shape: tuple[int, ...], sigma: float, rng: np.random.Generator) -> Float3:
    """Gaussian-filtered noise with unit standard deviation (deterministic given ``rng``).

    Examples
    --------
    >>> import numpy as np
    >>> n = smooth_noise((64, 64), 3.0, np.random.default_rng(0))
    >>> round(float(n.std()), 2)
    1.0
    """
    coarse = max(1, int(sigma // 2))
    small = tuple(max(2, -(-n // coarse)) for n in shape)
    field_ = ndi.gaussian_filter(rng.standard_normal(small, dtype=np.float32), sigma / coarse)
    if coarse > 1:
        field_ = ndi.zoom(field_, [n / s for n, s in zip(shape, small, strict=True)], order=1)
        field_ = field_[tuple(slice(0, n) for n in shape)]
    field_ -= field_.mean()
    return (field_ / (field_.std() or 1.0)).astype(np.float32)


def _icv_sdf(skull: SkullFields, shape: HeadShape) -> Float3:
    grow = 2.2 * shape.age
    return (skull.icv_depth - skull.icv_out + grow).astype(np.float32)


def build_head(shape: HeadShape = HeadShape()) -> Head:
    """Turn the shared model into one patient's head: HU and tissue codes at 1 mm.

    Parameters
    ----------
    shape : HeadShape

    Returns
    -------
    Head
    """
    base = base_head()
    rng = np.random.default_rng(shape.seed)
    hu_intra, tissue_intra = _brain(base.brain, base, shape, rng)
    icv_sdf = _icv_sdf(base.skull, shape)
    icv = coverage(icv_sdf)
    hu_extra, tissue_extra = _outside(base, shape, icv_sdf, rng)
    # Thickness and density of the dura vary along it: faint and patchy, not a drawn line.
    patchy = 0.15 * base.texture(6.0, base.shape, rng) + 0.1 * base.texture(2.2, base.shape, rng)
    dura = coverage(base.dura.falx + patchy) + coverage(base.dura.tentorium + patchy)
    dura = np.clip(dura, 0.0, 1.0) * np.clip(icv_sdf, 0.0, 1.0)
    dura *= np.clip(0.75 + 0.35 * base.texture(6.0, base.shape, rng), 0.3, 1.0)
    sinus = coverage(base.dura.sinus) * np.clip(icv_sdf + 0.5, 0.0, 1.0)
    return Head(hu_intra, tissue_intra, hu_extra, tissue_extra, icv, dura.astype(np.float32),
                sinus.astype(np.float32), HU["venous_blood"], base, shape)


def _brain(
    brain: BrainFields, base: BaseHead, shape: HeadShape, rng: np.random.Generator
) -> tuple[Float3, npt.NDArray[np.uint8]]:
    """Brain, CSF and ventricles: HU and tissue codes inside the intracranial volume.

    Computed on the box that holds the intracranial volume; outside it the
    values are never seen (the skull side covers them).
    """
    box = base.brain_box
    x, y, z = mm_axes(base.shape)
    bx, bz = x[box[0]], z[:, :, box[2]]
    effacement = 0.6 * shape.hydrocephalus
    sulci = sulcal_csf(brain, width=max(0.0, 0.15 + 0.8 * shape.age - effacement), box=box)
    grow = shape.ventricle_mm + 2.5 * shape.age ** 1.5
    temporal = (np.abs(bx) > 18) & (bz < -2)
    grow_map = grow + shape.hydrocephalus * np.where(temporal, 3.5, 2.0)
    ventricle_sdf = brain.ventricle_sdf[box]
    ventricles = coverage(grow_map - ventricle_sdf)
    gray, white = brain.gray[box], brain.white[box]
    tissue = gray + white
    csf = np.maximum(np.maximum(np.clip(1.0 - tissue, 0.0, 1.0), sulci), ventricles)
    # Where CSF grew (sulci, ventricles), tissue gives way in proportion.
    keep = (1.0 - csf) / np.maximum(tissue, 1e-3)
    gray_f = np.clip(gray * keep, 0.0, 1.0)
    white_f = np.clip(white * keep, 0.0, 1.0)
    deep = brain.deep_gray[box]
    # The template averages the deep nuclei with the capsules beside them; on CT the caudate,
    # putamen and thalamus stand out from the internal capsule: sharpen their grey share.
    nuclei = ndi.binary_dilation(deep, iterations=1) & (gray_f > 0.25)
    solid = gray_f + white_f
    gray_f = np.where(nuclei, np.minimum(gray_f * 1.5, solid), gray_f)
    white_f = np.where(nuclei, solid - gray_f, white_f)
    gray_hu = np.where(deep, shape.gray_hu - 1.5, shape.gray_hu).astype(np.float32)
    # White matter: slightly darker round the ventricles with age (small-vessel change).
    white_hu = shape.white_hu - 4.0 * shape.age**2 * np.exp(
        -np.clip(ventricle_sdf, 0, None) / 7.0
    )
    hu = np.full(base.shape, shape.csf_hu, dtype=np.float32)
    hu[box] = gray_hu * gray_f + white_hu * white_f + shape.csf_hu * csf
    code = np.full(gray.shape, Tissue.CSF, dtype=np.uint8)
    code[(gray_f >= white_f) & (gray_f > csf)] = Tissue.GRAY
    code[(white_f > gray_f) & (white_f > csf)] = Tissue.WHITE
    code[(code == Tissue.GRAY) & deep] = Tissue.DEEP_GRAY
    code[ventricles >= 0.5] = Tissue.VENTRICLE
    tissue_code = np.full(base.shape, Tissue.CSF, dtype=np.uint8)
    tissue_code[box] = code
    csf_full = np.ones(base.shape, dtype=np.float32)
    csf_full[box] = csf
    _vessels(hu, tissue_code, (x, y, z), csf_full)
    return hu, tissue_code


def _vessels(
    hu: Float3, tissue: npt.NDArray[np.uint8], p: tuple[Float3, Float3, Float3], csf: Float3
) -> None:
    """Basilar and middle cerebral arteries, slightly dense in their cisterns."""
    box = (slice(40, 158), slice(110, 160), slice(14, 62))
    sub = (p[0][box[0]], p[1][:, box[1]], p[2][:, :, box[2]])
    shapes = [tube(sub, (0, -24, -50), (0, -18, -22), 1.6)]
    for side in (1, -1):
        shapes.append(tube(sub, (side * 4, -6, -16), (side * 16, 2, -16), 1.3))
        shapes.append(tube(sub, (side * 16, 2, -16), (side * 38, 6, -10), 1.1))
    vessel = np.zeros(hu[box].shape, dtype=np.float32)
    for s in shapes:
        vessel = np.maximum(vessel, coverage(s))
    vessel *= csf[box] > 0.5  # only where they run through CSF
    target = hu[box]
    target += vessel * (HU["vessel"] - target)
    tissue[box][vessel >= 0.5] = Tissue.VESSEL


def _outside(
    base: BaseHead, shape: HeadShape, icv_sdf: Float3, rng: np.random.Generator
) -> tuple[Float3, npt.NDArray[np.uint8]]:
    """Skull, scalp, skull base and face: HU and tissue codes outside the ICV.

    Only the shell between the brain and the air can hold these, so they are
    computed on its voxels alone (:attr:`BaseHead.shell`) and scattered back.
    """
    skull = base.skull
    grid = base.shape
    idx = base.shell

    def at(volume: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return volume.ravel()[idx]

    icv_s = at(icv_sdf)
    out = np.maximum(-icv_s, 0.0)
    thick = at(skull.thickness) * shape.skull_scale
    ti = np.minimum(shape.inner_table_mm, 0.4 * thick)
    to = np.minimum(shape.outer_table_mm, 0.4 * thick)
    outer_sdf = at(skull.outer) + (shape.skull_scale - 1.0) * at(skull.thickness)
    vault = coverage(outer_sdf) * (1.0 - coverage(icv_s))
    inner = coverage(ti - out) * vault
    outer = (vault - coverage(outer_sdf - to)).clip(0.0, 1.0)
    diploe = np.clip(vault - inner - outer, 0.0, 1.0)

    # Cortical bone is heterogeneous (1000-2000+ HU); diploë is trabecular, with venous lakes.
    coarse = base.texture_at(6.0, rng)
    fine = base.texture_at(1.0, rng)  # one fine texture serves the tables and the diploë
    table_hu = np.clip(shape.bone_hu * (1.0 + 0.12 * coarse) + 110.0 * fine, 900.0, 2300.0)
    diploe_hu = np.clip(shape.diploe_hu * (1.0 + 0.18 * coarse) - 260.0 * fine, 150.0, 1300.0)

    head_s = at(skull.head_sdf) + 1.2 * shape.age
    # Subcutaneous fat: lobules of fat between fibrous septa, thicker in some places.
    lobules = base.texture_at(1.0, rng)
    fat_mm = shape.fat_mm * np.clip(1.0 + 0.35 * base.texture_at(6.0, rng) + 0.12 * lobules,
                                    0.3, 2.2)
    skin = 1.0 - coverage(head_s - shape.skin_mm)
    fat = coverage(head_s - shape.skin_mm) * (1.0 - coverage(head_s - shape.skin_mm - fat_mm))
    fat_hu = HU["fat"] + 28.0 * np.clip(lobules - 0.8, 0.0, None)  # septa
    soft_hu = skin * HU["skin"] + fat * fat_hu + (1.0 - skin - fat) * HU["muscle"]

    bone = np.clip(inner + outer + diploe, 0.0, 1.0)
    bone_hu = (inner + outer) * table_hu + diploe * diploe_hu
    # Sutures: a thin lucent zig-zag line through the tables (partly fused in adults).
    zig = at(skull.suture) - 1.1 * np.abs(base.texture_at(1.0, rng))
    suture = coverage(0.45 - zig) * shape.suture_open * bone * (at(skull.bone_id) != 0)
    bone_hu = bone_hu * (1.0 - suture) + suture * HU["suture"] * bone
    hu_s = bone_hu + (1.0 - bone) * soft_hu
    cover = coverage(head_s)
    hu_s = (cover * hu_s + (1.0 - cover) * HU["air"]).astype(np.float32)
    tissue_s = np.full(idx.shape, Tissue.AIR, dtype=np.uint8)
    tissue_s[head_s >= 0] = Tissue.SCALP
    tissue_s[(fat >= 0.5) & (head_s >= 0)] = Tissue.FAT
    tissue_s[diploe >= 0.5] = Tissue.DIPLOE
    tissue_s[(inner + outer) >= 0.5] = Tissue.BONE
    tissue_s[(suture >= 0.3) & (bone >= 0.5)] = Tissue.SUTURE

    # Off the shell: deep inside the ICV (never seen, the brain covers it) or air.
    deep = skull.icv_depth > 0
    hu = np.where(deep, np.float32(shape.bone_hu), np.float32(HU["air"])).astype(np.float32)
    tissue = np.where(deep, np.uint8(Tissue.BONE), np.uint8(Tissue.AIR)).astype(np.uint8)
    hu.ravel()[idx] = hu_s
    tissue.ravel()[idx] = tissue_s
    head_sdf = skull.head_sdf + np.float32(1.2 * shape.age)

    # Skull base and face, in their box, outside the ICV and inside the head.
    box = _BASE_BOX
    x, y, z = mm_axes(grid)
    p = (x[box[0]], y[:, box[1]], z[:, :, box[2]])
    allowed = (1.0 - coverage(icv_sdf[box] + 0.5)) * coverage(head_sdf[box] + 0.5)
    painter = Painter(hu[box].copy(), tissue[box].copy(), allowed.astype(np.float32))
    painter.paint(skull.base_bone[box], shape.bone_hu * 0.95, Tissue.BONE)
    painter.paint(skull.base_bone[box] - 1.5, HU["cancellous"], Tissue.DIPLOE)
    shape_box = tuple(b.stop - b.start for b in box)
    warps = [3.0 * base.texture(6.0, shape_box, rng) + 0.9 * base.texture(2.2, shape_box, rng)
             for _ in range(3)]
    warp = (warps[0], warps[1], warps[2])
    paint_skull_base(painter, p, rng, shape.base, head_sdf=head_sdf[box], warp=warp)
    painter.paint(skull.cavity[box], HU["air"], Tissue.SINUS_AIR)
    hu[box] = painter.hu
    tissue[box] = painter.tissue
    ears = (slice(0, grid[0]), slice(80, 130), slice(0, 75))
    p = (x[ears[0]], y[:, ears[1]], z[:, :, ears[2]])
    outside = (1.0 - coverage(head_sdf[ears] + 0.5)).astype(np.float32)
    painter = Painter(hu[ears].copy(), tissue[ears].copy(), outside)
    paint_ears(painter, p, shape.base, head_sdf=head_sdf[ears])
    hu[ears] = painter.hu
    tissue[ears] = painter.tissue
    return hu, tissue


def shape_digest(shape: HeadShape) -> str:
    """A short digest of a head shape (for caches and tests)."""
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:12]


def calcification(
    head: Head, center: tuple[float, float, float], semi: tuple[float, float, float], hu: float
) -> None:
    """Add one calcified focus (pineal, choroid plexus, falx, basal ganglia) to ``head``."""
    c = np.asarray(center, dtype=np.float64)
    r = float(max(semi)) + 2.0
    idx = c + head.base.origin
    box = tuple(slice(max(0, int(v - r)), int(v + r) + 2) for v in idx)
    x, y, z = mm_axes(head.base.shape)
    p = (x[box[0]], y[:, box[1]], z[:, :, box[2]])
    f = coverage(ellipsoid(p, center, semi))
    target = head.hu_intra[box]
    target += (f * (hu - target)).astype(np.float32)
    head.tissue_intra[box][f >= 0.5] = Tissue.CALCIFICATION
