"""Tests of ctlib.synth.template: the MNI maps and the CT template on one 1 mm grid."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth.template import (
    GRID_SHAPE,
    ORIGIN,
    cormack_to_hu,
    ct_template,
    grid_mm,
    mni_maps,
    template_path,
)


def test_grid_puts_the_origin_at_zero() -> None:
    for axis in range(3):
        mm = grid_mm(axis)
        assert mm.size == GRID_SHAPE[axis] and mm[int(ORIGIN[axis])] == 0.0
        assert np.all(np.diff(mm) == 1.0)  # 1 mm voxels


def test_cormack_units_round_trip() -> None:
    """The inverse of the template's stretch C = x + max(0, x - 900) + 9 clip(x - 900, 0, 200)."""
    hu = np.array([-1024.0, -500.0, -124.0, 0.0, 40.0, 76.0, 500.0, 1500.0])
    x = hu + 1024
    stored = x + np.maximum(0, x - 900) + 9 * np.clip(x - 900, 0, 200)
    np.testing.assert_allclose(cormack_to_hu(stored), hu, atol=1e-9)


def test_the_template_and_its_licence_are_shipped() -> None:
    path = template_path()
    assert path.is_file() and path.stat().st_size > 100_000
    assert "BSD" in (path.parent / "LICENSE").read_text() or "Redistribution" in (
        path.parent / "LICENSE").read_text()


@pytest.mark.slow
def test_maps_and_ct_share_the_grid_and_read_as_tissue() -> None:
    maps, ct = mni_maps(), ct_template()
    assert maps.gray.shape == maps.white.shape == ct.hu.shape == GRID_SHAPE
    assert 0.0 <= float(maps.gray.min()) and float(maps.gray.max()) <= 1.0 + 1e-6
    brain = ct.hu[maps.brain & ct.inside]
    assert 15 < float(np.median(brain)) < 50  # brain on CT: 20-45 HU
    centre = tuple(int(o) for o in ORIGIN)
    assert ct.hu[centre[0], centre[1], centre[2] + 110] < -500  # air above the vertex
