"""A head model on a 1 mm grid, built from the MNI152 2009a tissue maps.

The grey- and white-matter probability maps of the ICBM 2009a non-linear
symmetric template ship inside the ``nilearn`` wheel, so they load with no
network. They give a real brain's shape; everything around it (extra-axial
CSF, skull tables and diploë, skull base, scalp and its fat layer) is built
here from distances to the brain's closed outline.

Arrays are indexed ``[i, j, k]`` on the template's 1 mm grid, whose world
coordinates are RAS millimetres: ``x = i - 98`` (to the right),
``y = j - 134`` (anterior), ``z = k - 72`` (superior).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from skimage.morphology import convex_hull_image

from ctlib.synth.tissues import HU, Tissue

__all__ = ["BaseHead", "Head", "HeadShape", "base_head", "build_head", "ORIGIN"]

#: Voxel index of the RAS origin (0, 0, 0) mm on the template grid.
ORIGIN = np.array([98.0, 134.0, 72.0])
_PAD_BELOW = 24  # voxels added under the template so the skull base is not cut off

Bool3 = npt.NDArray[np.bool_]
Float3 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class BaseHead:
    """The shared 1 mm model every series starts from (computed once per process)."""

    gray: Float3  #: grey-matter probability
    white: Float3  #: white-matter probability
    icv: Bool3  #: intracranial volume (inside the inner table)
    depth: Float3  #: mm from the inner table, inside the ICV (0 outside)
    outside: Float3  #: mm from the inner table, outside the ICV (0 inside)
    outside_core: Float3  #: mm from the ICV or the skull base, outside both
    ventricle_distance: Float3  #: signed mm to the ventricle surface (< 0 inside)
    base_region: Bool3  #: below and between the brain's lobes: the skull base
    origin: npt.NDArray[np.float64]  #: voxel index of RAS (0, 0, 0)


@dataclass(frozen=True)
class HeadShape:
    """Per-series anatomical variation."""

    inner_table_mm: float = 1.8
    diploe_mm: float = 3.0
    outer_table_mm: float = 1.8
    scalp_mm: float = 5.0
    fat_mm: float = 2.0
    ventricle_mm: float = 0.0  #: grow (> 0) or shrink (< 0) the ventricles


@dataclass
class Head:
    """A series' head at 1 mm: HU inside and outside the inner table, and tissue codes."""

    hu_intra: Float3
    hu_extra: Float3
    tissue_intra: npt.NDArray[np.uint8]
    tissue_extra: npt.NDArray[np.uint8]
    base: BaseHead
    shape: HeadShape

    def mm_to_index(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """RAS mm → voxel index (last axis of ``points`` is x, y, z)."""
        return np.asarray(points, dtype=np.float64) + self.base.origin


@lru_cache(maxsize=1)
def base_head() -> BaseHead:
    """Build the shared model from the templates (about 10 s, cached per process).

    Returns
    -------
    BaseHead
    """
    from nilearn import datasets  # heavy import, only when data is generated

    def load(image: object) -> Float3:
        data = np.asarray(image.dataobj, dtype=np.float32)  # type: ignore[attr-defined]
        return np.pad(data, ((0, 0), (0, 0), (_PAD_BELOW, 0)))

    gray = load(datasets.load_mni152_gm_template(resolution=1))
    white = load(datasets.load_mni152_wm_template(resolution=1))
    brain = load(datasets.load_mni152_brain_mask(resolution=1)) > 0.5
    origin = ORIGIN + np.array([0.0, 0.0, _PAD_BELOW])

    # The inner table follows the brain with the sulci closed: dilate, then erode, 7 mm.
    icv = _closing(brain, 7.0)
    icv = ndi.binary_fill_holes(icv | brain)
    for k in range(icv.shape[2]):  # cisterns open to the foramen magnum are holes in 2-D only
        icv[:, :, k] = ndi.binary_fill_holes(icv[:, :, k])
    icv = ndi.binary_dilation(icv, iterations=1)  # a thin CSF layer over the convexity
    depth = ndi.distance_transform_edt(icv).astype(np.float32)
    outside = ndi.distance_transform_edt(~icv).astype(np.float32)

    # The skull base fills the space between temporal lobes, brain stem and cerebellum:
    # low in the head, each axial section of the ICV is closed to its convex hull.
    z_mm = np.arange(icv.shape[2]) - origin[2]
    base_region = np.zeros_like(icv)
    for layer in np.flatnonzero((z_mm < -5) & icv.any(axis=(0, 1))):
        hull = convex_hull_image(icv[:, :, layer])  # type: ignore[no-untyped-call]
        base_region[:, :, layer] = hull & ~icv[:, :, layer]
    core = ndi.distance_transform_edt(~(icv | base_region)).astype(np.float32)
    ventricles = _ventricles(gray, white, icv, depth, origin)
    inside = ndi.distance_transform_edt(ventricles)
    outside_v = ndi.distance_transform_edt(~ventricles)
    ventricle_distance = (outside_v - inside).astype(np.float32)
    return BaseHead(gray, white, icv, depth, outside, core, ventricle_distance, base_region, origin)


def _closing(mask: Bool3, radius: float) -> Bool3:
    """Morphological closing with a ball of ``radius`` voxels, via two distance maps."""
    dilated = ndi.distance_transform_edt(~mask) <= radius
    return np.asarray(ndi.distance_transform_edt(dilated) > radius)


def _ventricles(
    gray: Float3, white: Float3, icv: Bool3, depth: Float3, origin: npt.NDArray[np.float64]
) -> Bool3:
    """Lateral, third and fourth ventricles: deep CSF inside anatomical boxes."""
    csf = (1.0 - gray - white > 0.5) & icv & (depth > 10.0)
    x, y, z = np.meshgrid(
        *(np.arange(n) - o for n, o in zip(icv.shape, origin, strict=True)), indexing="ij"
    )
    supratentorial = (z > -5) & (z < 32) & (y > -45) & (y < 32) & (np.abs(x) < 28)
    fissure = (np.abs(x) < 3) & ((y > 18) | (z > 26))
    fourth = (z > -55) & (z < -22) & (y > -50) & (y < -28) & (np.abs(x) < 12)
    candidates = csf & ((supratentorial & ~fissure) | fourth)
    labels, count = ndi.label(candidates)
    sizes = ndi.sum(candidates, labels, np.arange(1, count + 1))
    return np.isin(labels, 1 + np.flatnonzero(sizes >= 150))


def build_head(shape: HeadShape = HeadShape()) -> Head:
    """Turn the shared model into one head: HU and tissue codes at 1 mm.

    Parameters
    ----------
    shape : HeadShape
        Skull and scalp thickness, ventricle size.

    Returns
    -------
    Head
        ``hu_intra`` holds brain and CSF (used inside the ICV), ``hu_extra`` the
        skull, scalp and air (used outside it).
    """
    base = base_head()
    gray, white = base.gray, base.white
    ventricles = base.ventricle_distance < shape.ventricle_mm
    # Larger ventricles push tissue aside: inside them the tissue becomes CSF.
    gray = np.where(ventricles, 0.0, gray).astype(np.float32)
    white = np.where(ventricles, 0.0, white).astype(np.float32)
    csf = np.clip(1.0 - gray - white, 0.0, 1.0)
    hu_intra = (HU["gray"] * gray + HU["white"] * white + HU["csf"] * csf).astype(np.float32)

    tissue_intra = np.full(gray.shape, Tissue.CSF, dtype=np.uint8)
    tissue_intra[(gray >= white) & (gray > csf)] = Tissue.GRAY
    tissue_intra[(white > gray) & (white > csf)] = Tissue.WHITE
    tissue_intra[ventricles] = Tissue.VENTRICLE

    d = base.outside
    skull = shape.inner_table_mm + shape.diploe_mm + shape.outer_table_mm
    # Distance outward from the skull's outer surface, over the vault and the skull base.
    d_scalp = np.minimum(d - skull, base.outside_core)
    hu_extra = np.full(d.shape, HU["air"], dtype=np.float32)
    tissue_extra = np.full(d.shape, Tissue.AIR, dtype=np.uint8)
    galea, fat_end = 1.5, 1.5 + shape.fat_mm
    skin_end = max(shape.scalp_mm, fat_end + 1.0)
    layers = [  # (region, HU, tissue), painted from the outside in
        (d_scalp <= skin_end, HU["scalp"], Tissue.SCALP),  # skin
        (d_scalp <= fat_end, HU["fat"], Tissue.FAT),
        (d_scalp <= galea, HU["scalp"], Tissue.SCALP),  # galea and periosteum
        (base.base_region, HU["skull_base"], Tissue.BONE),
        (d <= skull, HU["bone"], Tissue.BONE),  # outer table
        (d <= shape.inner_table_mm + shape.diploe_mm, HU["diploe"], Tissue.DIPLOE),
        (d <= shape.inner_table_mm, HU["bone"], Tissue.BONE),  # inner table
    ]
    for region, value, code in layers:
        hu_extra[region] = value
        tissue_extra[region] = code
    return Head(hu_intra, hu_extra, tissue_intra, tissue_extra, base, shape)
