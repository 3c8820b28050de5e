"""Tests of ctlib.synth.series: one series' patient, pose and gravity."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth.geometry import Pose
from ctlib.synth.series import SeriesSpec, draw_patient, gravity_in_model


def test_patients_are_drawn_reproducibly() -> None:
    spec = SeriesSpec("x", 7)
    a = draw_patient(spec, np.random.default_rng(7))
    b = draw_patient(spec, np.random.default_rng(7))
    assert a == b
    assert 0.1 <= a.age <= 0.8  # drawn when the recipe does not give it
    assert draw_patient(SeriesSpec("x", 7, age=0.95), np.random.default_rng(7)).age == 0.95


def test_gravity_points_to_the_back_of_a_supine_head() -> None:
    down = gravity_in_model(Pose())
    np.testing.assert_allclose(down, [0.0, -1.0, 0.0], atol=1e-12)  # posterior in RAS
    tilted = gravity_in_model(Pose(pitch_deg=20.0))
    assert np.linalg.norm(tilted) == pytest.approx(1.0)
    assert tilted[1] < -0.9 and abs(tilted[2]) > 0.2  # the head turned, gravity did not
