"""The two templates the synthetic head is built from, on one 1 mm grid.

* The **brain**: grey- and white-matter probability maps, brain mask and T1
  image of the ICBM 2009a non-linear symmetric MNI152 template, shipped inside
  the ``nilearn`` wheel (no network).
* The **rest of the head**: the CT template of Rorden et al. (*NeuroImage*
  2012;61:957–965), an average of 30 older adults' head CTs in MNI space at
  2 mm, copied with its BSD-2 licence into ``ctlib/synth/templates``. It gives
  the layout of skull, skull base, sinuses, orbits and scalp; being an average,
  its edges are blurred, so :mod:`ctlib.synth.skull` takes shapes from it, not
  values.

Both are in MNI space. Arrays here are indexed ``[i, j, k]`` on the MNI152
1 mm grid of ``nilearn`` (197 × 233 × 189), whose world coordinates are RAS
millimetres: ``x = i − 98`` (towards the patient's right), ``y = j − 134``
(anterior), ``z = k − 72`` (superior).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

__all__ = [
    "GRID_SHAPE",
    "ORIGIN",
    "CtTemplate",
    "MniMaps",
    "cormack_to_hu",
    "ct_template",
    "grid_mm",
    "mni_maps",
    "template_path",
]

#: Shape of the 1 mm MNI152 grid every model volume uses.
GRID_SHAPE: tuple[int, int, int] = (197, 233, 189)
#: Voxel index of the RAS origin (0, 0, 0) mm on that grid.
ORIGIN = np.array([98.0, 134.0, 72.0])

Float3 = npt.NDArray[np.float32]


def grid_mm(axis: int) -> npt.NDArray[np.float32]:
    """RAS millimetres of the grid's voxel centres along one axis (0: x, 1: y, 2: z).

    Examples
    --------
    >>> grid_mm(2)[[0, -1]].tolist()
    [-72.0, 116.0]
    """
    return (np.arange(GRID_SHAPE[axis]) - ORIGIN[axis]).astype(np.float32)


@dataclass(frozen=True)
class MniMaps:
    """The MNI152 2009a maps on the 1 mm grid."""

    gray: Float3  #: grey-matter probability (0–1)
    white: Float3  #: white-matter probability (0–1)
    brain: npt.NDArray[np.bool_]  #: the template's brain mask
    t1: Float3  #: the T1 image (0–1), sharper than the maps for CSF


@lru_cache(maxsize=1)
def mni_maps() -> MniMaps:
    """Load the MNI152 2009a maps from the ``nilearn`` wheel (no network).

    Returns
    -------
    MniMaps
    """
    from nilearn import datasets  # heavy import, only when data is generated

    def load(image: object) -> Float3:
        return np.asarray(image.dataobj, dtype=np.float32)  # type: ignore[attr-defined]

    gray = load(datasets.load_mni152_gm_template(resolution=1))
    white = load(datasets.load_mni152_wm_template(resolution=1))
    brain = load(datasets.load_mni152_brain_mask(resolution=1)) > 0.5
    t1 = load(datasets.load_mni152_template(resolution=1))
    if gray.shape != GRID_SHAPE:
        raise RuntimeError(f"nilearn's MNI152 maps have shape {gray.shape}, not {GRID_SHAPE}")
    return MniMaps(gray, white, brain, t1 / max(float(t1.max()), 1e-6))


def template_path() -> Path:
    """The CT template file shipped with ``ctlib`` (BSD-2, see its ``LICENSE``)."""
    return Path(str(files("ctlib.synth") / "templates" / "scct.nii.gz"))


def cormack_to_hu(stored: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Convert the CT template's Cormack units to Hounsfield units.

    The template stores ``C = x + max(0, x − 900) + 9 · clip(x − 900, 0, 200)``
    with ``x = HU + 1024``, which stretches the soft-tissue range tenfold.

    Examples
    --------
    >>> cormack_to_hu([0, 900, 2000, 3100, 4000]).round(1).tolist()
    [-1024.0, -124.0, -24.0, 76.0, 526.0]
    """
    c = np.asarray(stored, dtype=np.float64)
    x = np.where(c <= 900, c, np.where(c <= 3100, 900 + (c - 900) / 11, (c - 900) / 2))
    return np.asarray(x - 1024.0)


@dataclass(frozen=True)
class CtTemplate:
    """The CT template on the 1 mm grid."""

    hu: Float3  #: HU, linear interpolation of the 2 mm average
    inside: npt.NDArray[np.bool_]  #: voxels within the template's field of view


@lru_cache(maxsize=1)
def ct_template() -> CtTemplate:
    """Read the CT template and resample it onto the 1 mm MNI grid.

    Returns
    -------
    CtTemplate
        Outside the template's field of view (it ends 90 mm anterior of the
        origin, before the tip of the nose) ``hu`` is −1000 and ``inside`` False.
    """
    import nibabel

    image = nibabel.load(template_path())
    stored = np.asarray(image.dataobj, dtype=np.float64)  # type: ignore[attr-defined]
    hu2 = cormack_to_hu(stored)
    affine = np.asarray(image.affine, dtype=np.float64)  # type: ignore[attr-defined]
    # Template voxel index of each 1 mm grid point: the inverse affine of its RAS mm. The
    # two grids are aligned and axis-parallel, so this is a per-axis scale and offset.
    to_index = np.linalg.inv(affine)
    if not np.allclose(to_index[:3, :3], np.diag(np.diag(to_index[:3, :3]))):
        raise RuntimeError(f"{template_path()}: the CT template is not axis-aligned")
    scale = np.diag(to_index[:3, :3])
    offset = to_index[:3, 3] - scale * ORIGIN
    flip = scale < 0  # resample a flipped copy so every scale is positive
    data = hu2[tuple(slice(None, None, -1) if f else slice(None) for f in flip)]
    n = np.array(hu2.shape, dtype=np.float64)
    offset = np.where(flip, n - 1 - offset, offset)
    scale = np.abs(scale)
    hu = ndi.affine_transform(data, scale, offset=offset, output_shape=GRID_SHAPE, order=1,
                              mode="nearest").astype(np.float32)
    axes = [np.arange(GRID_SHAPE[a]) * scale[a] + offset[a] for a in range(3)]
    valid = [(v >= 0) & (v <= n[a] - 1) for a, v in enumerate(axes)]
    inside = valid[0][:, None, None] & valid[1][None, :, None] & valid[2][None, None, :]
    hu[~inside] = -1000.0
    return CtTemplate(hu, inside)
