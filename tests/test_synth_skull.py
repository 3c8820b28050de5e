"""Tests of ctlib.synth.skull: the vault's bones and sutures, and the scalp."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth.anatomy import base_head
from ctlib.synth.skull import BONE_NAMES, bone_identity


@pytest.mark.parametrize(("point", "bone"), [
    ((40.0, 60.0, 30.0), "frontal"),  # forehead
    ((40.0, -30.0, 60.0), "parietal"),
    ((60.0, -10.0, 0.0), "temporal"),  # above the ear
    ((20.0, -95.0, 0.0), "occipital"),
])
def test_bones_of_the_vault(point: tuple[float, float, float], bone: str) -> None:
    code = bone_identity(np.array(point, dtype=float).reshape(3, 1))[0]
    assert BONE_NAMES[int(code)] == bone
    mirrored = bone_identity(np.array([-point[0], point[1], point[2]]).reshape(3, 1))[0]
    assert mirrored == -code  # the same bone on the left, signed by side


@pytest.mark.slow
def test_scalp_covers_the_skull() -> None:
    skull = base_head().skull
    vault = (skull.outer > 0) & (skull.icv_depth == 0)
    assert (skull.head_sdf[vault] > 0).mean() > 0.99  # the bone is inside the head
    top = np.argwhere(vault)[:, 2].max()
    column = skull.head_sdf[int(base_head().origin[0]), :, top]
    assert column.max() > 0  # skin above the vertex
