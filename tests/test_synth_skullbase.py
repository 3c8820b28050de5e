"""Tests of ctlib.synth.skullbase: orbits, sinuses and mastoid cells in a built head."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.course.tissues import Tissue
from ctlib.synth.anatomy import HeadShape, build_head
from ctlib.synth.skullbase import honeycomb


def test_honeycomb_cells_are_air_with_septa() -> None:
    g = np.linspace(-10, 10, 21, dtype=np.float32)
    p = np.meshgrid(g, g, g, indexing="ij")
    region = (6.0 - np.sqrt(p[0] ** 2 + p[1] ** 2 + p[2] ** 2)).astype(np.float32)
    cells = honeycomb(tuple(p), region, np.random.default_rng(0), cell_mm=4.0, septum_mm=1.0)
    inside = region > 0
    air = cells > 0
    assert not air[~inside].any()  # nothing outside the region
    assert 0.2 < air[inside].mean() < 0.9  # air cells, and bony septa between them


@pytest.mark.slow
def test_face_and_base_structures_are_paired_and_sized() -> None:
    head = build_head(HeadShape(seed=4))
    tissue = np.where(head.icv >= 0.5, head.tissue_intra, head.tissue_extra)
    globes = np.argwhere(tissue == Tissue.GLOBE) - head.base.origin
    left, right = globes[globes[:, 0] < 0], globes[globes[:, 0] > 0]
    assert 0.8 < len(left) / len(right) < 1.25
    each_ml = len(globes) / 2 / 1000 * 0.88 ** 3
    assert 5.0 < each_ml < 9.5  # an adult eye: about 6.5-7.5 ml (24 mm across)
    assert (tissue == Tissue.LENS).sum() > 0 and (tissue == Tissue.SINUS_AIR).sum() > 10_000
