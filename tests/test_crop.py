"""Tests of ctlib.crop: the head's box on a slice."""

from __future__ import annotations

import numpy as np

import ctlib
from ctlib.crop import head_box


class TestHeadBox:
    def test_square_around_the_head(self) -> None:
        hu = np.full((100, 120), -1000.0)
        hu[30:60, 20:100] = 40.0  # a wide head
        rows, cols = head_box(hu, margin=4)
        assert rows.stop - rows.start == cols.stop - cols.start  # square: no distortion
        assert (hu[rows, cols] > -300).sum() == (hu > -300).sum()  # the whole head inside
        assert cols.start == 16 and cols.stop == 104  # 80 wide + 2 × 4 margin

    def test_stays_inside_the_image(self) -> None:
        hu = np.full((64, 64), -1000.0)
        hu[0:10, 50:64] = 40.0  # a head at the corner
        rows, cols = head_box(hu, margin=8)
        assert 0 <= rows.start < rows.stop <= 64 and 0 <= cols.start < cols.stop <= 64

    def test_an_empty_slice_is_kept_whole(self) -> None:
        hu = np.full((32, 48), -1000.0)
        assert head_box(hu) == (slice(0, 32), slice(0, 48))

    def test_on_a_real_slice_the_box_holds_the_skull(self) -> None:
        data = ctlib.open_data("sample")
        hu = ctlib.to_hu(ctlib.read(data.files()[0]))
        rows, cols = head_box(hu)
        bone = hu > 300
        assert bone[rows, cols].sum() == bone.sum()
        assert (rows.stop - rows.start) < hu.shape[0]  # the air around is cut away


def test_largest_leaves_the_headrest_out() -> None:
    """On a real-looking slice the holder lies below the head, apart: 'largest' drops it."""
    data = ctlib.open_data("sample")
    sop, _ = data.key_slice("subdural-acute")
    hu = ctlib.to_hu(ctlib.read(data.path(sop)))
    tissue = data.masks("subdural-acute")["tissue"][data.key_slice("subdural-acute")[1]]
    holder = tissue == 10
    rows_all, cols_all = head_box(hu)
    rows_head, cols_head = head_box(hu, keep="largest")
    assert holder[rows_all, cols_all].sum() == holder.sum()
    assert holder[rows_head, cols_head].sum() < 0.5 * holder.sum()  # the cradle's tips at most
    head = np.nonzero((tissue > 0) & (tissue != 10) & (tissue != 21))
    assert rows_head.start <= head[0].min() and rows_head.stop > head[0].max()
    assert cols_head.start <= head[1].min() and cols_head.stop > head[1].max()
