"""Tests of ctlib.synth.fields: distance fields against their exact values on simple shapes."""

from __future__ import annotations

import numpy as np

from ctlib.synth.fields import bbox, edt, sdf, sdf_coarse


def ball(radius: float, size: int = 41) -> tuple[np.ndarray, np.ndarray]:
    """A voxelised ball of ``radius`` voxels and the exact distance to its surface."""
    c = (size - 1) / 2
    z, y, x = np.indices((size,) * 3)
    r = np.sqrt((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2)
    return r <= radius, radius - r


def test_sdf_of_a_ball_is_the_distance_to_its_surface() -> None:
    mask, exact = ball(12.0)
    field = sdf(mask)
    assert (field[mask] > 0).all() and (field[~mask] < 0).all()
    near = np.abs(exact) < 6
    assert float(np.abs(field[near] - exact[near]).max()) < 1.0  # voxelisation: under 1 mm


def test_coarse_sdf_agrees_away_from_the_surface() -> None:
    mask, exact = ball(12.0)
    coarse = sdf_coarse(mask)
    inside = exact > 3
    assert (coarse[inside] > 0).all()
    assert float(np.abs(coarse[inside] - exact[inside]).max()) < 2.5


def test_box_and_edt_outside_the_box() -> None:
    mask = np.zeros((20, 20, 20), bool)
    mask[5:9, 6:10, 7:11] = True
    box = bbox(mask, 2)
    assert box == (slice(3, 11), slice(4, 12), slice(5, 13))
    assert bbox(np.zeros((4, 4, 4), bool), 1) == (slice(0, 0),) * 3
    distance = edt(mask, box, fill=-1.0)
    assert distance[0, 0, 0] == -1.0  # outside the box: the fill
    assert distance[6, 7, 8] == 2.0  # two voxels from the nearest outside voxel
