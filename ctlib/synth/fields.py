"""Distance fields, computed only where they are needed.

A Euclidean distance transform over the whole 1 mm model (8.7 million voxels)
takes more than a second; most fields are only needed within a few
centimetres of a structure, or come from the 2 mm CT template. These helpers
compute them on a bounding box, or on a 2 mm grid and interpolate.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

__all__ = ["bbox", "edt", "sdf", "sdf_coarse"]

Bool3 = npt.NDArray[np.bool_]
Float3 = npt.NDArray[np.float32]
Box = tuple[slice, slice, slice]


def bbox(mask: Bool3, margin: int) -> Box:
    """The bounding box of ``mask``'s True voxels, grown by ``margin`` and clipped.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.zeros((10, 10, 10), bool); m[4, 5, 6] = True
    >>> bbox(m, 2)
    (slice(2, 7, None), slice(3, 8, None), slice(4, 9, None))
    """
    if not mask.any():
        return (slice(0, 0),) * 3
    where = [np.flatnonzero(mask.any(axis=tuple(a for a in range(3) if a != ax)))
             for ax in range(3)]
    return tuple(slice(max(0, int(w[0]) - margin), min(n, int(w[-1]) + margin + 1))
                 for w, n in zip(where, mask.shape, strict=True))  # type: ignore[return-value]


def edt(mask: Bool3, box: Box, fill: float) -> Float3:
    """Distance (mm) from each voxel of ``mask`` to the nearest False voxel, within ``box``.

    Outside ``box`` the result is ``fill``; inside it is exact as long as the
    box holds every False voxel the answer depends on.
    """
    out = np.full(mask.shape, fill, dtype=np.float32)
    out[box] = ndi.distance_transform_edt(mask[box])
    return out


def sdf(mask: Bool3, box: Box | None = None, fill: float = -50.0) -> Float3:
    """Signed distance to a mask's boundary, > 0 inside, exact, within ``box``.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.zeros((9, 9, 9), bool); m[2:7, 2:7, 2:7] = True
    >>> sdf(m)[4, 4, [0, 2, 4]].tolist()
    [-1.5, 0.5, 2.5]
    """
    box = box or (slice(None),) * 3
    sub = mask[box]
    inside = ndi.distance_transform_edt(sub)
    outside = ndi.distance_transform_edt(~sub)
    out = np.full(mask.shape, fill, dtype=np.float32)
    out[box] = inside - outside + np.where(sub, -0.5, 0.5)
    return out


def sdf_coarse(mask: Bool3) -> Float3:
    """Signed distance computed on every second voxel (a 2 mm grid) and interpolated.

    For boundaries that come from the 2 mm CT template this loses nothing
    and takes an eighth of the time.
    """
    small = mask[::2, ::2, ::2]
    inside = ndi.distance_transform_edt(small, sampling=2.0)
    outside = ndi.distance_transform_edt(~small, sampling=2.0)
    coarse = (inside - outside + np.where(small, -1.0, 1.0)).astype(np.float32)
    fine = ndi.affine_transform(coarse, [0.5, 0.5, 0.5], output_shape=mask.shape, order=1,
                                mode="nearest")
    return np.asarray(fine, dtype=np.float32)
