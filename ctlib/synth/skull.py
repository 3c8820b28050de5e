"""Intracranial volume, skull, skull base and scalp at 1 mm, shaped by the CT template.

The CT template (an average of older adults' head CTs, 2 mm) is blurred, but
its shapes are those of real heads: skull thickness that varies around the
vault (thick frontal and occipital bone, thin temporal squama), a skull base
with petrous bones, clivus and sphenoid, air in the paranasal sinuses and
mastoids, orbits, and a scalp whose soft tissue and fat layers change in
thickness (thick temporalis muscle at the sides). This module turns those
shapes into signed distance fields, so that every boundary can be drawn with
a sub-voxel partial-volume edge by :mod:`ctlib.synth.anatomy`.

The vault's inner surface is the intracranial volume (ICV): the brain closed
over its sulci plus a thin layer of CSF. Its bone thickness is read from the
template along the outward normal, and divided into inner table, diploë and
outer table per series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.synth.brain import mm_axes
from ctlib.synth.fields import bbox, edt, sdf_coarse
from ctlib.synth.template import ORIGIN, CtTemplate, MniMaps

__all__ = ["BONE_NAMES", "SkullFields", "bone_identity", "skull_fields"]

Float3 = npt.NDArray[np.float32]
Bool3 = npt.NDArray[np.bool_]

#: Bones of the vault, by the code :func:`bone_identity` gives them (signed by side).
BONE_NAMES = {1: "frontal", 2: "parietal", 3: "temporal", 4: "occipital", 5: "sphenoid"}


@dataclass(frozen=True)
class SkullFields:
    """Distance fields of the skull and scalp, computed once per process (mm)."""

    icv_depth: Float3  #: mm inside the ICV (0 outside)
    icv_out: Float3  #: mm outside the ICV (0 inside)
    thickness: Float3  #: bone thickness measured outward from the nearest ICV point
    outer: Float3  #: smooth signed mm to the vault's outer surface (> 0 inside it)
    base_bone: Float3  #: signed mm to the skull base and face bone (> 0 inside)
    dense_bone: Float3  #: 0–1, where bone is densest (petrous otic capsule)
    cavity: Float3  #: signed mm to the air of sinuses, nasal cavity, mastoids (> 0 inside)
    head_sdf: Float3  #: signed mm to the skin (> 0 inside the head)
    suture: Float3  #: mm to the nearest suture of the vault
    bone_id: npt.NDArray[np.int8]  #: which vault bone (see :data:`BONE_NAMES`), signed by side


def skull_fields(maps: MniMaps, ct: CtTemplate) -> SkullFields:
    """Build the skull's distance fields from the brain mask and the CT template.

    Parameters
    ----------
    maps : MniMaps
    ct : CtTemplate

    Returns
    -------
    SkullFields
    """
    hu = ct.hu
    x, y, z = mm_axes(hu.shape)
    brain = maps.brain

    # ICV: the brain closed over its sulci (more above the skull base, where the
    # template's older brains leave wide CSF spaces; less below, where the fossae
    # hug the temporal lobes and the cerebellum), and its holes filled.
    near_brain = bbox(brain, 14)
    out_brain = edt(~brain, near_brain, 50.0)
    grown = out_brain <= 5.0
    closed = edt(grown, near_brain, 0.0) > np.where(z > -18, 5.0, 3.0)
    icv = closed | brain
    icv = ndi.binary_fill_holes(icv)
    for k in range(icv.shape[2]):
        icv[:, :, k] = ndi.binary_fill_holes(icv[:, :, k])
    icv |= out_brain <= 1.0  # at least a thin layer of CSF everywhere
    # Between the occipital poles and between the frontal poles the closed brain keeps a
    # notch that the inner table does not have (the sagittal sinus lies there): fill it.
    notch = (np.abs(x) < 16) & (z > -25) & ((y < -55) | (y > 35))
    filled = edt(edt(~icv, near_brain, 50.0) <= 8.0, near_brain, 0.0) > 8.0
    icv |= filled & notch
    # The closed brain ends in a flat floor between the temporal lobes, where the real
    # central skull base has relief: the planum sphenoidale rises in front of the sella
    # turcica's cup, and the floor falls away on both sides to the middle fossae. A flat
    # plate there shows on a slice grazing it as a square of partial-volume bone.
    lift = 5.0 * np.clip((y - 6.0) / 14.0, 0.0, 1.0) * np.clip(1.0 - np.abs(x) / 16.0, 0.0, 1.0)
    icv &= ~((np.abs(x) < 16) & (y > 6) & (y < 36) & (z < -31.0 + lift))
    icv |= ((x / 6.5) ** 2 + ((y - 1.0) / 6.0) ** 2 + ((z + 32.0) / 5.0) ** 2) < 1.0
    # Around the sphenoid's oval top the floor falls to the cavernous sinuses and the middle
    # fossae, so any axial cut of it is rounded.
    r = np.hypot(x / 10.0, (y - 8.0) / 17.0)
    drop = 7.0 * np.clip((r - 1.0) / 0.7, 0.0, 1.0)
    icv |= (r < 2.0) & (z < -25) & (z > -31.0 - drop)
    depth0 = edt(icv, bbox(icv, 2), 0.0)
    outside, nearest = ndi.distance_transform_edt(~icv, return_indices=True)
    # A smooth signed distance: the inner table is a surface, not 1 mm stair steps.
    signed = ndi.gaussian_filter((depth0 - outside).astype(np.float32), 1.0)
    icv_depth = np.maximum(signed, 0.0).astype(np.float32)
    icv_out = np.maximum(-signed, 0.0).astype(np.float32)

    # The head: everything not connected to the air around it (within the template).
    air = hu < -400
    labels, _ = ndi.label(air)
    edge = np.unique(np.concatenate([labels[[0, -1]].ravel(), labels[:, [0, -1]].ravel(),
                                     labels[:, :, [0, -1]].ravel()]))
    head = ~np.isin(labels, edge[edge > 0]) | icv
    head_sdf = _extend_face(ndi.gaussian_filter(sdf_coarse(head), 1.0), ct.inside, y)
    head_sdf = np.maximum(head_sdf, _nose(x, y, z))

    # The template sharpened (unsharp mask), so thin bone and air walls stand out.
    sharp = hu + 3.0 * (hu - ndi.gaussian_filter(hu, 2.5))
    # Vault thickness: how far out the template's bone reaches from each ICV point.
    bone_t = (sharp > 150) & ~icv
    reach = np.where(bone_t & (icv_out < 12), icv_out, 0.0).astype(np.float32)
    per_point = np.zeros(hu.shape, dtype=np.float32)
    idx = np.ravel_multi_index(tuple(nearest[:, reach > 0]), hu.shape)
    np.maximum.at(per_point.ravel(), idx, reach[reach > 0])
    surface = icv & ~ndi.binary_erosion(icv)
    per_point = ndi.grey_dilation(per_point, size=3) * surface
    spread = _spread(per_point, surface, bbox(icv, 2))
    thickness = np.clip(ndi.gaussian_filter(spread, 3.0), 3.0, 10.0)
    thickness = thickness[tuple(nearest)].astype(np.float32)
    # The outer table is smoother than the inner one (which follows the brain).
    outer = ndi.gaussian_filter(thickness - icv_out, 2.5).astype(np.float32)

    # The template ends at |x| = 90 mm, cutting the sides of the head (and blurring the
    # ears into them): beside the vault the skin follows the skull instead, over a soft
    # tissue layer that is thickest where the temporalis muscle lies.
    temporalis = 6.0 * np.exp(-(((z - 5.0) / 30.0) ** 2) - ((y + 5.0) / 35.0) ** 2)
    from_skull = outer + 5.5 + temporalis
    lateral = np.clip((np.abs(x) - 52.0) / 14.0, 0.0, 1.0) * np.clip((z + 48.0) / 10.0, 0.0, 1.0)
    head_sdf = np.where(lateral > 0, np.minimum(head_sdf, from_skull + 40.0 * (1.0 - lateral)),
                        head_sdf).astype(np.float32)
    # Scalp at least 4 mm thick everywhere over the vault.
    head_sdf = np.maximum(head_sdf, np.where(z > -30, outer + 4.0, -50.0)).astype(np.float32)

    # Skull base and face: bone where the sharpened template is bone-bright, within
    # reach of the ICV (further out it is face: maxilla, zygoma, mandible).
    base = (sharp > 110) & (hu > 40) & ~icv & (head_sdf > 5.0) & (z < 5) & (icv_out < 40)
    base &= y < 75  # not in the nose, where sharpening overshoots at the skin
    base = ndi.binary_opening(base, iterations=1)
    base_bone = sdf_coarse(base)
    dense = (sharp > 420) & base & (np.abs(x) > 18) & (z < -20)
    dense_bone = ndi.gaussian_filter(dense.astype(np.float32), 1.0)

    # Air of the sinuses, nasal cavity, mastoids and ear canals, with its bony walls.
    cavity_mask = (sharp < -220) & (head_sdf > 2.0) & ~icv
    cavity = sdf_coarse(ndi.binary_opening(cavity_mask, iterations=1))

    points = np.stack(np.broadcast_arrays(x, y, z)).astype(np.float32)
    bone_id = bone_identity(points)
    suture = suture_distance(points)
    return SkullFields(icv_depth, icv_out, thickness, outer, base_bone, dense_bone, cavity,
                       head_sdf, suture, bone_id)


def _spread(values: Float3, where: Bool3, box: tuple[slice, slice, slice]) -> Float3:
    """Fill the voxels of ``where`` (within ``box``) that have no value with their nearest's."""
    valued = where[box] & (values[box] > 0)
    if not valued.any():
        return values
    _, nearest = ndi.distance_transform_edt(~valued, return_indices=True)
    out = values.copy()
    out[box] = values[box][tuple(nearest)]
    return out


def _extend_face(sdf: Float3, inside: Bool3, y: Float3) -> Float3:
    """Continue the skin beyond the template's field of view (it ends before the nose tip).

    In front of the last reliable plane the signed distance falls off faster
    away from the midline, so the face closes into a nose instead of ending in
    a flat cut.
    """
    last = int(np.flatnonzero(inside.any(axis=(0, 2)))[-1]) - 2
    plane = sdf[:, last : last + 1, :]
    x = (np.arange(sdf.shape[0]) - ORIGIN[0]).astype(np.float32)[:, None, None]
    ahead = np.maximum(y - (last - ORIGIN[1]), 0.0)
    falloff = ahead * (1.0 + 0.9 * (np.abs(x) / 12.0) ** 1.5)
    extended = plane - falloff
    return np.where(ahead > 0, extended, sdf).astype(np.float32)


def _nose(x: Float3, y: Float3, z: Float3) -> Float3:
    """The external nose, which the template's field of view cuts off (signed mm).

    In each axial section a wedge whose ridge lies at ``y_tip(z)``, its sides at
    35° to the midline, grown out of the face; rounded by a 2 mm blur.
    """
    tip = np.interp(z, [-72, -66, -60, -54, -40, -26, -20], [80, 95, 104, 103, 95, 88, 80])
    half = np.radians(35.0)
    sides = (tip - y) * np.sin(half) - np.abs(x) * np.cos(half)
    nose = np.minimum(sides, y - 70.0)
    nose = np.where((z < -20) & (z > -74), nose, -20.0).astype(np.float32)
    return np.asarray(ndi.gaussian_filter(nose, 1.5), dtype=np.float32)


def bone_identity(points: npt.NDArray[np.floating]) -> npt.NDArray[np.int8]:
    """Which bone of the vault lies over each point (RAS mm), from the sutures' course.

    Codes (see :data:`BONE_NAMES`): 1 frontal, 2 parietal, 3 temporal (squama),
    4 occipital, 5 greater wing of the sphenoid; positive on the patient's right,
    negative on the left. The frontal and occipital bones are single bones, but
    are split at the midline here because a vault lesion never crosses it
    there either (the sagittal suture and the falx stop it).

    The sutures run, in MNI millimetres: coronal from bregma (y ≈ +8 at the
    vertex) down and forwards to the pterion (y ≈ +20, z ≈ +5); lambdoid from
    lambda (y ≈ −72) down and forwards to the asterion (y ≈ −55, z ≈ −20);
    squamosal arching over the ear up to z ≈ +40; sphenosquamosal in front of
    the squama.

    Examples
    --------
    >>> import numpy as np
    >>> bone_identity(np.array([[50.0, -50.0], [20.0, -10.0], [40.0, 40.0]])).tolist()
    [1, -2]
    """
    x, y, z = (np.asarray(points[i], dtype=np.float64) for i in range(3))
    coronal = 8.0 + 12.0 * np.clip((60.0 - z) / 55.0, 0.0, 1.0)
    lambdoid = -72.0 + 17.0 * np.clip((60.0 - z) / 80.0, 0.0, 1.0)
    squamosal = 40.0 - ((y + 15.0) / 38.0) ** 2 * 26.0
    frontal = y >= coronal
    wing = (y >= coronal - 6.0) & (y < coronal + 14.0) & (z < 4.0)
    code = np.select(
        [y <= lambdoid, wing, frontal, (z < squamosal) & (y < coronal)],
        [np.int8(4), np.int8(5), np.int8(1), np.int8(3)],
        default=np.int8(2),
    ).astype(np.int8)
    return np.where(x >= 0, code, -code).astype(np.int8)


def suture_distance(points: npt.NDArray[np.floating]) -> Float3:
    """mm (approximately) to the nearest suture of the vault, or the midline.

    The distance to each suture surface of :func:`bone_identity` is its
    coordinate offset divided by the length of the surface's gradient.

    Examples
    --------
    >>> import numpy as np
    >>> float(suture_distance(np.array([[30.0], [8.0], [60.0]]))[0])
    0.0
    """
    x, y, z = (np.asarray(points[i], dtype=np.float32) for i in range(3))
    coronal_slope = np.where((z > 5.0) & (z < 60.0), 12.0 / 55.0, 0.0)
    coronal = np.abs(y - (8.0 + 12.0 * np.clip((60.0 - z) / 55.0, 0.0, 1.0)))
    coronal /= np.sqrt(1.0 + coronal_slope**2)
    lambdoid_slope = np.where((z > -20.0) & (z < 60.0), 17.0 / 80.0, 0.0)
    lambdoid = np.abs(y - (-72.0 + 17.0 * np.clip((60.0 - z) / 80.0, 0.0, 1.0)))
    lambdoid /= np.sqrt(1.0 + lambdoid_slope**2)
    squama = 40.0 - ((y + 15.0) / 38.0) ** 2 * 26.0
    slope = 2.0 * 26.0 * (y + 15.0) / 38.0**2
    squamosal = np.abs(z - squama) / np.sqrt(1.0 + slope**2)
    squamosal = np.where(z < 44.0, squamosal, 50.0)
    sagittal = np.where(z > 20.0, np.abs(x), 50.0)
    return np.minimum(np.minimum(coronal, lambdoid), np.minimum(squamosal, sagittal)).astype(
        np.float32)
