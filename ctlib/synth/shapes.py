"""Signed distance fields of simple shapes, and a painter that blends them with partial volume.

Every shape returns the signed distance (mm) to its surface, positive inside,
on a grid of points given as three broadcastable coordinate arrays. A voxel
whose centre is ``d`` mm inside a surface is covered by a fraction
``clip(0.5 + d, 0, 1)`` of it (a 1 mm voxel), which is how boundaries get
sub-voxel, partial-volume edges instead of stair steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Painter", "box", "capsule_path", "coverage", "ellipsoid", "smooth_min", "tube"]

F = npt.NDArray[np.float32]
Coords = tuple[F, F, F]


def coverage(sdf: npt.ArrayLike, width: float = 1.0) -> F:
    """Fraction of a voxel inside a surface, from its centre's signed distance.

    Examples
    --------
    >>> coverage([-2.0, 0.0, 0.25, 2.0]).tolist()
    [0.0, 0.5, 0.75, 1.0]
    """
    return np.clip(0.5 + np.asarray(sdf, dtype=np.float32) / width, 0.0, 1.0).astype(np.float32)


def ellipsoid(p: Coords, center: Sequence[float] | npt.NDArray[np.floating[Any]],
              semi: Sequence[float] | npt.NDArray[np.floating[Any]]) -> F:
    """Approximate signed distance to an ellipsoid (exact for a sphere).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 5.0, 10.0], dtype=np.float32)
    >>> zero = np.zeros(1, dtype=np.float32)
    >>> ellipsoid((x, zero, zero), (0, 0, 0), (5, 5, 5)).tolist()
    [5.0, 0.0, -5.0]
    """
    q = [(p[i] - center[i]) / semi[i] for i in range(3)]
    k = np.sqrt(q[0] ** 2 + q[1] ** 2 + q[2] ** 2)
    return ((1.0 - k) * float(min(semi))).astype(np.float32)


def box(p: Coords, center: Sequence[float], half: Sequence[float], radius: float = 0.0) -> F:
    """Signed distance to an axis-aligned box with rounded edges of ``radius`` mm."""
    d = [np.abs(p[i] - center[i]) - (half[i] - radius) for i in range(3)]
    outside = np.sqrt(sum(np.maximum(di, 0.0) ** 2 for di in d))
    inside = np.minimum(np.maximum(np.maximum(d[0], d[1]), d[2]), 0.0)
    return (radius - outside - inside).astype(np.float32)


def _segment_distance(p: Coords, a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> F:
    ab = b - a
    t = sum((p[i] - a[i]) * ab[i] for i in range(3)) / float(ab @ ab)
    t = np.clip(t, 0.0, 1.0)
    return np.sqrt(sum((p[i] - (a[i] + t * ab[i])) ** 2 for i in range(3))).astype(np.float32)


def tube(p: Coords, a: Sequence[float], b: Sequence[float], radius: float) -> F:
    """Signed distance to a capsule: the points within ``radius`` of segment ab."""
    return (radius - _segment_distance(p, np.asarray(a, float), np.asarray(b, float))).astype(
        np.float32
    )


def capsule_path(p: Coords, points: Sequence[Sequence[float]], radius: float | Sequence[float]) -> F:
    """Signed distance to a tube along a polyline (radius per vertex, interpolated by segment)."""
    pts = np.asarray(points, dtype=np.float64)
    radii = np.broadcast_to(np.asarray(radius, dtype=np.float64), (len(pts),))
    best: F | None = None
    for k in range(len(pts) - 1):
        r = 0.5 * (radii[k] + radii[k + 1])
        d = (r - _segment_distance(p, pts[k], pts[k + 1])).astype(np.float32)
        best = d if best is None else np.maximum(best, d)
    assert best is not None
    return best


def smooth_min(a: F, b: F, k: float = 2.0) -> F:
    """A smooth union of two signed distance fields (polynomial smooth maximum of insides)."""
    h = np.clip(0.5 + 0.5 * (a - b) / k, 0.0, 1.0)
    return (a * h + b * (1 - h) + k * h * (1 - h)).astype(np.float32)


@dataclass
class Painter:
    """HU and tissue codes of a region, painted shape after shape with partial volume."""

    hu: F
    tissue: npt.NDArray[np.uint8]
    allowed: F  #: 0–1: where painting may act at all (e.g. outside the intracranial volume)

    def paint(self, sdf: F, value: float | F, code: int, *, width: float = 1.0) -> F:
        """Blend ``value`` in where ``sdf`` > 0 and mark ``code``; returns the coverage used."""
        f = coverage(sdf, width) * self.allowed
        self.hu += (f * (np.asarray(value, dtype=np.float32) - self.hu)).astype(np.float32)
        self.tissue[f >= 0.5] = code
        return f
