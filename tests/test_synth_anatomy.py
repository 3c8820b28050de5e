"""Tests of ctlib.synth.anatomy: the 1 mm head, measured against adult anatomy.

Real values: intracranial volume 1,200-1,700 ml in adults, brain 1,000-1,400 ml (e.g.
Buckner et al., NeuroImage 2004;23:724); vault 3-10 mm thick (about 6-7 mm in most
places; Lynnerup, Forensic Sci Int 2001;117:45). The model is the MNI152 template, about
1.1 times an average brain: a series scales it by 0.84-0.93 (ctlib.synth.series).
"""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.course.tissues import Tissue
from ctlib.synth.anatomy import HeadShape, base_head, build_head, shape_digest, smooth_noise

pytestmark = pytest.mark.slow
SCALES = (0.84, 0.93)  # the series' head scales


def test_intracranial_and_brain_volume_are_adult() -> None:
    base = base_head()
    icv_ml = float((base.skull.icv_depth > 0).sum()) / 1000
    brain_ml = float((base.brain.gray + base.brain.white).sum()) / 1000
    assert 1150 < icv_ml * SCALES[0] ** 3 and icv_ml * SCALES[1] ** 3 < 1750
    assert 950 < brain_ml * SCALES[0] ** 3 and brain_ml * SCALES[1] ** 3 < 1450


def test_vault_thickness_is_real() -> None:
    skull = base_head().skull
    over = skull.thickness[(skull.icv_depth == 0) & (skull.icv_out > 0) & (skull.icv_out < 1.5)]
    assert 5.0 < float(np.median(over)) < 8.0
    assert 2.5 <= float(np.percentile(over, 5)) and float(np.percentile(over, 95)) <= 11.0


def test_a_head_has_its_tissues_at_their_hu() -> None:
    head = build_head(HeadShape(age=0.4, seed=3))
    inside = head.icv >= 0.5
    tissue = np.where(inside, head.tissue_intra, head.tissue_extra)
    hu = np.where(inside, head.hu_intra, head.hu_extra)
    median = {t: float(np.median(hu[tissue == t])) for t in (Tissue.GRAY, Tissue.WHITE,
                                                              Tissue.CSF, Tissue.BONE,
                                                              Tissue.FAT)}
    assert 4 < median[Tissue.GRAY] - median[Tissue.WHITE] < 12  # grey over white: 5-10 HU
    assert 0 <= median[Tissue.CSF] <= 15
    assert median[Tissue.BONE] > 1000 and median[Tissue.FAT] < -50


def test_heads_are_reproducible_and_differ_by_seed() -> None:
    assert shape_digest(HeadShape(seed=1)) == shape_digest(HeadShape(seed=1))
    assert shape_digest(HeadShape(seed=1)) != shape_digest(HeadShape(seed=2))
    noise = smooth_noise((32, 32, 32), 2.0, np.random.default_rng(0))
    assert noise.dtype == np.float32 and abs(float(noise.std()) - 1.0) < 0.2
