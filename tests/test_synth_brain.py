"""Tests of ctlib.synth.brain: brain and CSF fields from the MNI maps, against anatomy."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth.anatomy import base_head
from ctlib.synth.brain import mm_axes

pytestmark = pytest.mark.slow


def test_axes_are_mni_millimetres() -> None:
    x, y, z = mm_axes((197, 233, 189))
    assert x.shape == (197, 1, 1) and y.shape == (1, 233, 1) and z.shape == (1, 1, 189)
    assert float(x.min()) == -98.0 and float(z.max()) == 116.0


def test_ventricles_and_deep_grey_are_where_anatomy_puts_them() -> None:
    base = base_head()
    brain, origin = base.brain, base.origin
    ventricles = np.argwhere(brain.ventricle_sdf < 0) - origin
    ventricles_ml = len(ventricles) / 1000 * 0.88 ** 3  # at a typical head scale
    assert 7 < ventricles_ml < 45  # adults: about 7-40 ml
    assert abs(float(np.median(ventricles[:, 0]))) < 3  # both sides: centred on the midline
    deep = np.argwhere(brain.deep_gray) - origin
    left, right = deep[deep[:, 0] < 0], deep[deep[:, 0] > 0]
    assert 0.8 < len(left) / len(right) < 1.25  # basal ganglia and thalami on both sides
    assert float(np.median(np.abs(deep[:, 0]))) < 30  # deep, not cortical


def test_grey_is_outside_white() -> None:
    brain = base_head().brain
    cortex = (brain.gray > 0.5) & (brain.pial_depth > 0) & (brain.pial_depth < 2)
    assert float(np.mean(brain.white[cortex])) < 0.2  # the surface is grey matter
