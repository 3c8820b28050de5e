"""The brain and its CSF spaces at 1 mm, from the MNI152 2009a maps.

An average template has sharp gyri but almost no CSF in its sulci: where two
banks of cortex meet, their grey matter fuses. A real head CT shows a thin
line of CSF between them, reaching the surface over the convexity, and wider
with age. :func:`sulcal_csf` restores it: the sulcus lies where the grey
matter is farthest from the white matter of *both* gyri, that is on the
ridge of the distance to white matter, where the gradient of that distance
collapses (it points opposite ways on the two banks).

Ventricles are segmented from the template's T1 image (CSF is dark) inside
anatomical boxes, so that every horn, the occipital horns included, is coded
as ventricle and nothing else is; cisterns, fissures and sulci are the other
CSF spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.synth.fields import bbox, edt, sdf
from ctlib.synth.template import ORIGIN, MniMaps

__all__ = ["BrainFields", "brain_fields", "mm_axes", "sulcal_csf"]

Float3 = npt.NDArray[np.float32]
Bool3 = npt.NDArray[np.bool_]


def mm_axes(shape: tuple[int, int, int]) -> tuple[Float3, Float3, Float3]:
    """Open (broadcastable) RAS mm axes of the model grid: x, y, z."""
    x = (np.arange(shape[0]) - ORIGIN[0]).astype(np.float32)[:, None, None]
    y = (np.arange(shape[1]) - ORIGIN[1]).astype(np.float32)[None, :, None]
    z = (np.arange(shape[2]) - ORIGIN[2]).astype(np.float32)[None, None, :]
    return x, y, z


@dataclass(frozen=True)
class BrainFields:
    """What the series' heads are built from, computed once per process."""

    gray: Float3  #: grey-matter probability, CSF of the ventricles removed
    white: Float3  #: white-matter probability, likewise
    wm_distance: Float3  #: mm from white matter (its 0.5 level)
    wm_gradient: Float3  #: |∇ wm_distance|: near 1 on a bank, near 0 on a sulcus
    pial_depth: Float3  #: mm below the brain's outer surface, the template's mask (0 outside)
    ventricle_sdf: Float3  #: signed mm to the ventricles' wall (< 0 inside)
    deep_gray: Bool3  #: basal ganglia and thalami
    brainstem: Bool3  #: midbrain, pons and medulla (no sulci)
    corpus_callosum_top: npt.NDArray[np.float32]  #: z (mm) of its upper surface at x = 0, per y


def brain_fields(maps: MniMaps) -> BrainFields:
    """Derive the brain fields from the template maps (a few seconds).

    Parameters
    ----------
    maps : MniMaps

    Returns
    -------
    BrainFields
    """
    gray, white = maps.gray, maps.white
    x, y, z = mm_axes(gray.shape)
    wm = white > 0.5
    brain_box = bbox(maps.brain, 3)
    wm_distance = edt(~wm, brain_box, 50.0)
    gradient = np.zeros_like(wm_distance)
    for g in np.gradient(wm_distance):
        gradient += g * g
    wm_gradient = np.sqrt(gradient, dtype=np.float32)
    pial_depth = edt(maps.brain, brain_box, 0.0)

    ventricles = _ventricles(maps, pial_depth)
    ventricle_sdf = -np.minimum(sdf(ventricles, bbox(ventricles, 30), fill=-30.0), 30.0)
    # The maps blur the ventricles' CSF into the wall: inside them there is no tissue.
    clear = np.clip(0.5 - ventricle_sdf, 0.0, 1.0)
    gray = (gray * (1 - clear)).astype(np.float32)
    white = (white * (1 - clear)).astype(np.float32)

    deep_box = (np.abs(x) < 32) & (y > -38) & (y < 28) & (z > -14) & (z < 24)
    deep_gray = deep_box & (pial_depth > 14) & (gray > white) & (gray > 0.35)
    deep_gray = ndi.binary_opening(deep_gray, iterations=1)

    column = white[int(ORIGIN[0]) - 1 : int(ORIGIN[0]) + 2].mean(axis=0)  # (y, z) at x = 0
    zs = (np.arange(column.shape[1]) - ORIGIN[2]).astype(np.float32)
    cc_top = np.full(column.shape[0], np.nan, dtype=np.float32)
    for j in range(column.shape[0]):
        yj = j - ORIGIN[1]
        if -45 <= yj <= 38:
            hits = np.flatnonzero((column[j] > 0.5) & (zs > -2) & (zs < 40))
            if hits.size:
                cc_top[j] = zs[hits.max()]
    brainstem = (np.abs(x) < 19) & (y > -46) & (y < -4) & (z < -6) & (z > -75)
    return BrainFields(
        gray, white, wm_distance, wm_gradient, pial_depth, ventricle_sdf, deep_gray,
        brainstem, cc_top,
    )


def _ventricles(maps: MniMaps, pial_depth: Float3) -> Bool3:
    """Lateral (with every horn), third and fourth ventricles and the aqueduct."""
    x, y, z = mm_axes(maps.t1.shape)
    dark = maps.t1 < 0.42
    deep = pial_depth > 6
    ax = np.abs(x)
    lateral_box = (ax > 1.5) & (ax < 38) & (y > -85) & (y < 34) & (z > -4) & (z < 34)
    lateral_box &= ~((ax < 10) & (y < -22) & (z < 14))  # quadrigeminal cistern, velum
    temporal_box = (ax > 20) & (ax < 40) & (y > -40) & (y < -2) & (z > -30) & (z <= -4)
    third_box = (ax < 4) & (y > -26) & (y < 3) & (z > -8) & (z < 18)
    fourth_box = (ax < 9) & (y > -54) & (y < -32) & (z > -44) & (z < -16)
    lateral_box |= temporal_box
    core = dark & deep & ((lateral_box & (pial_depth > 10)) | third_box | fourth_box)
    labels, count = ndi.label(core)
    sizes = ndi.sum(core, labels, np.arange(1, count + 1))
    ventricles = np.isin(labels, 1 + np.flatnonzero(sizes >= 40))
    # Grow into the partial-volume rim and the horns' tips, never out of the boxes.
    grow = (maps.t1 < 0.55) & (pial_depth > 4) & (lateral_box | third_box | fourth_box)
    for _ in range(3):
        ventricles = ndi.binary_dilation(ventricles) & grow | ventricles
    # The aqueduct: a 1.5 mm channel from the third to the fourth ventricle.
    t = np.linspace(0.0, 1.0, 40)
    path = np.stack([0 * t, -30 - 12 * t, -7 - 17 * t])
    aqueduct = np.zeros_like(ventricles)
    idx = np.rint(path + ORIGIN[:, None]).astype(int)
    aqueduct[tuple(idx)] = True
    aqueduct = ndi.binary_dilation(aqueduct, iterations=1)
    return np.asarray(ventricles | aqueduct)


def sulcal_csf(
    fields: BrainFields,
    *,
    width: float,
    reach_mm: float = 13.0,
    box: tuple[slice, slice, slice] = (slice(None), slice(None), slice(None)),
) -> Float3:
    """CSF fraction in the sulci: on the ridge of the distance to white matter.

    Parameters
    ----------
    fields : BrainFields
    width : float
        0 (none) to about 1 (the wide sulci of an old brain): how far down
        the ridge the gradient may stay and still count as sulcus.
    reach_mm : float, optional
        Sulci are carved only this close to the brain's surface (the deep
        grey nuclei have no sulci).
    box : tuple of slice, optional
        Compute on this box of the grid only.

    Returns
    -------
    numpy.ndarray of float32
        0–1, smoothed to a partial-volume edge.
    """
    threshold = 0.55 + 0.4 * width
    ridge = np.clip((threshold - fields.wm_gradient[box]) / 0.35, 0.0, 1.0)
    ridge *= (fields.wm_distance[box] > 1.0) & (fields.pial_depth[box] < reach_mm)
    ridge *= (fields.gray[box] > 0.2) & ~fields.deep_gray[box] & ~fields.brainstem[box]
    # Older sulci are wider as well as more numerous: spread the ridge, then saturate.
    spread = ndi.gaussian_filter(ridge.astype(np.float32), 0.6 + 0.9 * width)
    return np.clip(spread * (1.0 + 1.5 * width), 0.0, 1.0)
