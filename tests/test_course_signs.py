"""Tests of ctlib.course.signs: midline shift and thickness, on known shapes and on the data set."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from conftest import raw_maps

import ctlib
from ctlib.course import landmarks, lessons, signs

matplotlib.use("Agg")


def test_septum_lies_between_the_horns(synthetic: ctlib.DataSet) -> None:
    """The septum point has ventricle within a few pixels on both sides, across the midline."""
    tissue = raw_maps(synthetic, "normal-calcified")["tissue"]
    k = landmarks.standard_levels(tissue)["third ventricle"]
    shift = signs.midline_shift(tissue[k])
    r, c = (round(x) for x in shift.septum)
    row = tissue[k][r]
    assert (row[c - 8:c] == landmarks.VENTRICLE).any() and (row[c + 1:c + 9] == landmarks.VENTRICLE).any()


def test_normal_heads_have_no_shift_and_masses_push_away(synthetic: ctlib.DataSet) -> None:
    """Normal series measure under 1.5 mm; a subdural pushes the septum away from itself."""
    for entry in synthetic.manifest["series"]:
        maps = raw_maps(synthetic, entry["name"])
        try:
            k = lessons.frontal_horns(maps["tissue"], maps["lesion"])
        except ctlib.CtlibError:
            continue
        shift = signs.midline_shift(maps["tissue"][k], maps["lesion"][k], pixel_mm=0.5)
        if not entry["lesions"]:
            assert abs(shift.shift_mm) < 1.5, entry["name"]
    maps = raw_maps(synthetic, "subdural-acute")
    k = lessons.frontal_horns(maps["tissue"], maps["lesion"])
    shift = signs.midline_shift(maps["tissue"][k], maps["lesion"][k], pixel_mm=0.5)
    blood_col = np.nonzero(maps["lesion"][k])[1].mean()
    assert shift.shift_mm > 2 * 0.5 or shift.shift_mm < -2 * 0.5
    assert np.sign(shift.shift_mm) == -np.sign(blood_col - shift.septum[1])


def test_collection_thickness_of_a_known_shape() -> None:
    """A band 10 pixels wide, tilted 30°, measures 10 pixels."""
    rows, cols = np.indices((200, 200))
    band = np.abs((rows - 100) * np.cos(np.radians(30)) - (cols - 100) * np.sin(np.radians(30))) < 5
    caliper = signs.collection_thickness(band & (np.hypot(rows - 100, cols - 100) < 60), pixel_mm=0.5)
    assert caliper.thickness_mm == pytest.approx(5.0, abs=0.6)
    length = np.hypot(caliper.end[0] - caliper.start[0], caliper.end[1] - caliper.start[1])
    assert length == pytest.approx(10, abs=1.2)


def test_midline_shift_of_a_rotated_head() -> None:
    """A head turned by 12° with its septum 6 pixels off the midline measures 6 pixels."""
    head = np.zeros((300, 300), int)
    rows, cols = np.indices(head.shape)
    angle = np.radians(12)
    ap = (rows - 150) * np.cos(angle) + (cols - 150) * np.sin(angle)   # along the head
    lr = -(rows - 150) * np.sin(angle) + (cols - 150) * np.cos(angle)  # across it
    head[(ap / 120) ** 2 + (lr / 95) ** 2 < 1] = landmarks.WHITE
    horns = (ap > -60) & (ap < -20) & (np.abs(lr - 6) > 1.5) & (np.abs(lr - 6) < 14)
    head[horns] = landmarks.VENTRICLE
    shift = signs.midline_shift(head, pixel_mm=1.0)
    assert shift.shift_mm == pytest.approx(6.0, abs=1.0)


def test_no_frontal_horns_is_a_clear_error() -> None:
    head = np.zeros((100, 100), int)
    head[10:90, 20:80] = landmarks.WHITE
    with pytest.raises(ctlib.CtlibError, match="no ventricle"):
        signs.midline_shift(head)
    head[40:60, 45:55] = landmarks.VENTRICLE  # one ventricle, no septum
    with pytest.raises(ctlib.CtlibError, match="frontal horns"):
        signs.midline_shift(head)
