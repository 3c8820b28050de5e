"""The dura inside the skull: falx, tentorium and the dural venous sinuses, at 1 mm.

* The **falx cerebri** hangs in the interhemispheric fissure (x = 0 in the
  symmetric template) from the inner table down to its free edge, which runs
  a few millimetres above the corpus callosum and joins the tentorium behind
  the splenium. Below the free edge the hemispheres are not separated: that
  is where a large mass pushes the cingulate gyrus across (subfalcine
  herniation).
* The **tentorium cerebelli** separates the occipital and temporal lobes
  from the cerebellum. Its surface is a tent, highest at the midline behind
  the midbrain, sloping down to the transverse sinuses and the petrous
  ridges; it is placed on a prior shape and moved to the darkest (CSF) line
  of the template's T1 image between the two brains. Its free edge leaves the
  incisura open around the midbrain.
* The **sinuses**: superior sagittal along the falx's attached edge
  (triangular, larger behind), straight sinus along the falx–tentorium
  junction, transverse sinuses along the tentorium's attachment to the
  occipital bone, sigmoid sinuses curving down to the jugular foramina.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.synth.brain import BrainFields, mm_axes
from ctlib.synth.shapes import capsule_path
from ctlib.synth.template import ORIGIN, MniMaps

__all__ = ["DuraFields", "dura_fields", "tentorium_height"]

Float3 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class DuraFields:
    """Signed distance fields (mm, > 0 inside) of the dural structures."""

    falx: Float3  #: the falx sheet, about 1 mm thick
    tentorium: Float3  #: the tentorium sheet
    sinus: Float3  #: the venous sinuses
    falx_side: Float3  #: signed mm from the falx plane (> 0 on the right); defined everywhere
    tentorium_side: Float3  #: signed mm from the tentorium (> 0 above it)
    falx_edge: npt.NDArray[np.float32]  #: z (mm) of the falx's free edge, per y
    under_falx: npt.NDArray[np.bool_]  #: below the falx's free edge (the hemispheres touch)


def tentorium_height(x: npt.ArrayLike, y: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The prior shape of the tentorium: its height z (mm) over each (x, y).

    Highest at the midline behind the midbrain (z ≈ 0 at y = −48), falling to
    z ≈ −22 at the torcular and sloping down laterally towards the transverse
    sinuses and the petrous ridges.

    Examples
    --------
    >>> tentorium_height([0.0, 0.0, 45.0], [-48.0, -100.0, -60.0]).round(1).tolist()
    [0.0, -22.0, -19.0]
    """
    x = np.abs(np.asarray(x, dtype=np.float64))
    y = np.asarray(y, dtype=np.float64)
    midline = np.interp(y, [-110, -100, -75, -48, -20], [-24, -22, -12, 0, -2])
    drop = np.interp(y, [-110, -90, -70, -48, -20], [2, 5, 12, 20, 20])
    return np.asarray(midline - drop * (x / 50.0) ** 1.3)


def dura_fields(maps: MniMaps, brain: BrainFields, icv_depth: Float3) -> DuraFields:
    """Place falx, tentorium and sinuses on the template (a few seconds).

    Parameters
    ----------
    maps : MniMaps
    brain : BrainFields
    icv_depth : numpy.ndarray
        mm inside the intracranial volume (0 outside).

    Returns
    -------
    DuraFields
    """
    shape = icv_depth.shape
    x, y, z = mm_axes(shape)
    ys = (np.arange(shape[1]) - ORIGIN[1]).astype(np.float32)
    icv = icv_depth > 0

    # Tentorium: the prior surface, refined to the darkest line of T1 within ±6 mm.
    xs = (np.arange(shape[0]) - ORIGIN[0]).astype(np.float32)
    prior = tentorium_height(xs[:, None], ys[None, :]).astype(np.float32)
    offsets = np.arange(-6, 7)
    best = np.zeros_like(prior)
    darkest = np.full(prior.shape, np.inf, dtype=np.float32)
    kz = np.rint(prior + ORIGIN[2]).astype(int)
    ii, jj = np.indices(prior.shape)
    for off in offsets:
        k = np.clip(kz + off, 0, shape[2] - 1)
        value = maps.t1[ii, jj, k] + 0.004 * off**2  # a weak pull towards the prior
        better = value < darkest
        darkest[better] = value[better]
        best[better] = off
    height = prior + ndi.gaussian_filter(best, 4.0)
    tent_side = (z - height[:, :, None]).astype(np.float32)
    incisura = (np.abs(x) < np.interp(y, [-52, -46, -30, -12, -5], [0, 6, 15, 13, 0])) & (
        y > -52
    )
    tent_region = (y < -8) & (y > -118) & ~incisura & icv
    tentorium = np.where(tent_region, 0.6 - np.abs(tent_side), -10.0).astype(np.float32)

    # Falx: the midline sheet above its free edge; behind the splenium it reaches
    # down to the tentorium.
    cc = brain.corpus_callosum_top
    valid = np.isfinite(cc)
    cc_filled = np.interp(ys, ys[valid], cc[valid]).astype(np.float32)
    edge = cc_filled + 6.0
    front = ys > 34
    edge[front] = (cc_filled[front] + 6.0 - (ys[front] - 34.0) * 1.6)
    back = ys < -40
    tent_mid = height[int(ORIGIN[0])]
    edge[back] = np.minimum(edge[back], tent_mid[back])
    edge = np.maximum(edge, np.interp(ys, [-60, -40], [-40, -40]))
    edge = ndi.gaussian_filter1d(edge, 2.0).astype(np.float32)
    # The falx is not a plane: it bows gently, as the two hemispheres are never equal.
    bend = 1.6 * np.sin(np.pi * (y + 20.0) / 110.0) * np.clip((z + 10.0) / 60.0, 0.0, 1.0)
    falx_side = np.broadcast_to(x - bend, shape).astype(np.float32)
    above = (z > edge[None, :, None]) & (tent_side > -0.5) | (z > edge[None, :, None]) & (y > -40)
    falx = np.where(above & icv, 0.55 - np.abs(falx_side), -10.0).astype(np.float32)
    under_falx = np.asarray(~above & icv)

    # Sinuses.
    sss_w = np.interp(y, [-105, -60, 0, 60], [5.0, 4.5, 3.0, 1.5]).astype(np.float32)
    sss_h = np.interp(y, [-105, -60, 0, 60], [8.0, 7.0, 5.5, 3.0]).astype(np.float32)
    sss = np.minimum(sss_h - icv_depth, sss_w * (1.0 - icv_depth / sss_h) - np.abs(x))
    sss = np.where(icv & (z > -30) & (np.abs(x) < 8) & (tent_side > -1), sss, -10.0)
    rear = (slice(None), slice(0, int(ORIGIN[1]) - 25), slice(0, int(ORIGIN[2]) + 12))
    xb, yb, zb = x[rear[0]], y[:, rear[1]], z[:, :, rear[2]]
    straight = np.full(shape, -10.0, dtype=np.float32)
    straight[rear] = capsule_path(
        (xb, yb, zb), [(0.0, -46.0, float(tent_mid[88])), (0.0, -75.0, float(tent_mid[59])),
                    (0.0, -100.0, float(tent_mid[34]))], 2.6
    )
    transverse = np.full(shape, -10.0, dtype=np.float32)
    for side in (1.0, -1.0):
        path = [(0.0, -102.0, -22.0), (side * 25.0, -98.0, -25.0), (side * 45.0, -80.0, -28.0),
                (side * 52.0, -60.0, -34.0), (side * 46.0, -45.0, -46.0),
                (side * 36.0, -36.0, -54.0)]
        tube = capsule_path((xb, yb, zb), path, [4.2, 4.2, 4.0, 3.8, 3.5, 3.2])
        transverse[rear] = np.maximum(transverse[rear], tube)
    # The lateral sinuses lie against the inner table, in its groove.
    transverse = np.minimum(transverse, 7.5 - icv_depth)
    sinus = np.maximum(np.maximum(sss, straight), transverse) * icv - 10.0 * ~icv
    sinus = np.where(icv, sinus, -10.0).astype(np.float32)
    return DuraFields(falx, tentorium, sinus, falx_side, tent_side, edge, under_falx)
