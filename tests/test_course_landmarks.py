"""Tests of ctlib.course.landmarks: where the anatomy lies on a slice of the data set."""

from __future__ import annotations

import matplotlib
import pytest
from conftest import check_mark, raw_maps

import ctlib
from ctlib.course import landmarks, lessons

matplotlib.use("Agg")


LEVEL_SERIES = ["normal-calcified", "normal-plain"]


@pytest.mark.parametrize("series", LEVEL_SERIES)
@pytest.mark.parametrize("level", list(landmarks.LEVELS))
def test_level_labels_are_on_their_structures(synthetic: ctlib.DataSet, series: str, level: str) -> None:
    """Every structure of a level is found on that level's slice, and lies on its tissue."""
    v, marks = lessons.level_marks(synthetic, series, level)
    expected = set(landmarks.STRUCTURES[level]) | ({"septum pellucidum"} if level == "third ventricle"
                                                   else set())
    assert {m.label for m in marks} == expected
    for mark in marks:
        check_mark(synthetic, series, v.index, mark)


@pytest.mark.parametrize("series", LEVEL_SERIES + ["subdural-acute", "intraventricular-layering"])
def test_standard_levels_go_up_the_head(synthetic: ctlib.DataSet, series: str) -> None:
    tissue = raw_maps(synthetic, series)["tissue"]
    levels = landmarks.standard_levels(tissue)
    assert list(levels) == list(landmarks.LEVELS)
    order = list(levels.values())
    assert order == sorted(order) and len(set(order)) == len(order)
    assert (tissue[levels["posterior fossa"]] == landmarks.GLOBE).any()  # the orbits
    assert (tissue[levels["centrum semiovale"]] == landmarks.VENTRICLE).sum() == 0
