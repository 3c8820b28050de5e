"""Tests of ctlib.synth.geometry: poses and slice planes, as DICOM defines them (PS3.3 C.7.6.2)."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth.geometry import Pose, SliceStack, rotation


@pytest.mark.parametrize("angles", [(0, 0, 0), (10, -5, 3), (90, 0, 0), (-30, 20, 45)])
def test_rotations_are_proper(angles: tuple[float, float, float]) -> None:
    r = rotation(*angles)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(r) == pytest.approx(1.0)


def test_pose_round_trip() -> None:
    pose = Pose(scale=0.9, yaw_deg=4, pitch_deg=-3, roll_deg=2, shift_mm=(1.0, 6.0, 90.0))
    model = np.array([10.0, -20.0, 30.0])
    back = pose.to_model(pose.to_patient(model).reshape(3, 1))[:, 0]
    np.testing.assert_allclose(back, model, atol=1e-9)


def test_model_right_is_patient_right() -> None:
    """The model is RAS, DICOM's patient frame LPS: +x in the model is -x in the file."""
    pose = Pose()
    assert pose.to_patient([10.0, 0.0, 0.0])[0] == pytest.approx(-10.0)
    assert pose.to_patient([0.0, 10.0, 0.0])[1] == pytest.approx(-10.0)  # anterior: -y in LPS


def test_tilted_stack_keeps_its_thickness_apart() -> None:
    stack = SliceStack(count=10, first_z=0.0, tilt_deg=15.0, thickness_mm=5.0)
    steps = np.diff([stack.position(k) @ stack.normal for k in range(10)])
    np.testing.assert_allclose(steps, 5.0)  # planes 5 mm apart along the normal
    assert stack.z_step > 5.0  # the table moves further
    assert np.linalg.norm(stack.normal) == pytest.approx(1.0)
    pts = stack.points(0, step=511)
    np.testing.assert_allclose(pts[:, 0, 0], stack.position(0))
