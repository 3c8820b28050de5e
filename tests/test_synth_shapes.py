"""Tests of ctlib.synth.shapes: signed distances of shapes and the partial-volume painter."""

from __future__ import annotations

import numpy as np

from ctlib.synth.shapes import Painter, box, capsule_path, coverage, ellipsoid, smooth_min, tube


def axis(values: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array(values, dtype=np.float32)
    zero = np.zeros_like(x)
    return x, zero, zero


def test_signs_inside_and_outside() -> None:
    p = axis([0.0, 4.0, 6.0])
    np.testing.assert_allclose(ellipsoid(p, (0, 0, 0), (5, 5, 5)), [5.0, 1.0, -1.0], atol=1e-6)
    np.testing.assert_allclose(box(p, (0, 0, 0), (5, 5, 5)), [5.0, 1.0, -1.0], atol=1e-6)
    np.testing.assert_allclose(tube(p, (0, 0, 0), (0, 0, 10), 5.0), [5.0, 1.0, -1.0])
    np.testing.assert_allclose(capsule_path(p, [(0, 0, 0), (0, 0, 10)], 5.0), [5.0, 1.0, -1.0])


def test_smooth_min_is_a_soft_union() -> None:
    """Of two insides (> 0), the union keeps the deeper one, rounded by at most k / 4."""
    a, b = np.array([1.0, 5.0, 3.0], np.float32), np.array([5.0, 1.0, 3.0], np.float32)
    joined = smooth_min(a, b, k=2.0)
    deeper = np.maximum(a, b)
    assert (joined >= deeper).all() and (joined <= deeper + 2.0 / 4 + 1e-6).all()
    assert joined[2] == 3.5  # where the two meet: the most rounding


def test_painter_blends_by_coverage() -> None:
    hu = np.zeros(3, np.float32)
    painter = Painter(hu, np.zeros(3, np.uint8), np.ones(3, np.float32))
    used = painter.paint(np.array([-2.0, 0.0, 2.0], np.float32), 100.0, 7)
    np.testing.assert_allclose(used, coverage([-2.0, 0.0, 2.0]))
    np.testing.assert_allclose(painter.hu, [0.0, 50.0, 100.0])  # half a voxel: half the value
    assert painter.tissue.tolist() == [0, 7, 7]
