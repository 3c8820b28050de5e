"""What both viewers show (ctlib._internals.display): the stack, its masks, their outlines."""

from __future__ import annotations

import numpy as np
import pytest

import ctlib
from ctlib._internals.display import displayed, outline


def test_a_slice_becomes_a_stack_of_one() -> None:
    stack, masks = displayed(np.full((6, 7), 40), np.ones((6, 7), int))
    assert stack.shape == (1, 6, 7) and stack.dtype == np.float32
    assert masks is not None and masks.shape == (1, 6, 7)
    assert displayed(np.zeros((2, 6, 7)))[1] is None


@pytest.mark.parametrize(("image", "masks", "message"), [
    (np.zeros(5), None, "shape"), (np.zeros((0, 4, 4)), None, "shape"),
    ([["a"]], None, "numbers"), (np.zeros((2, 4, 4)), np.zeros((2, 4, 3)), "masks"),
])
def test_refusals(image: object, masks: object, message: str) -> None:
    with pytest.raises(ctlib.ArgumentError, match=message):
        displayed(image, masks)  # type: ignore[arg-type]


def test_outline_is_the_mask_minus_its_erosion() -> None:
    mask = np.zeros((7, 7), bool)
    mask[1:6, 1:6] = True
    edge = outline(mask)
    assert edge.sum() == 16 and not edge[2:5, 2:5].any() and edge[1, 1:6].all()
