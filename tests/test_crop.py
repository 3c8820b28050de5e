"""Tests of ctlib.crop: the head's box on a slice and on a series."""

from __future__ import annotations

import numpy as np
import pytest

import ctlib
from ctlib.crop import head_box, series_box


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


class TestSeriesBox:
    def test_holds_the_head_on_every_slice_and_is_square(self) -> None:
        volume = np.full((3, 80, 90), -1000.0)
        volume[0, 30:40, 40:50] = 40.0  # near the vertex: a small section
        volume[1, 10:70, 15:75] = 40.0  # the widest
        volume[2, 20:60, 5:45] = 40.0  # off to one side
        rows, cols = series_box(volume, margin=3)
        assert rows.stop - rows.start == cols.stop - cols.start
        for section in volume:
            assert (section[rows, cols] > -300).sum() == (section > -300).sum()
        assert series_box(volume[:1], margin=3) == head_box(volume[0], margin=3, keep="largest")

    def test_leaves_the_headrest_out_like_largest(self) -> None:
        volume = np.full((2, 64, 64), -1000.0)
        volume[:, 10:40, 10:40] = 40.0
        volume[:, 60:62, :] = 300.0  # a table, apart from the head on every slice
        assert series_box(volume, margin=2)[0] == head_box(volume[0], margin=2,
                                                           keep="largest")[0]

    def test_blank_slices_do_not_count_and_an_empty_series_is_kept_whole(self) -> None:
        volume = np.full((3, 48, 48), -1000.0)
        assert series_box(volume) == (slice(0, 48), slice(0, 48))
        volume[1, 20:30, 20:30] = 40.0
        assert series_box(volume, margin=1) == head_box(volume[1], margin=1)

    def test_refuses_a_single_slice(self) -> None:
        with pytest.raises(ctlib.ArgumentError, match="slices, rows, columns"):
            series_box(np.zeros((32, 32)))
