"""Decoding pixel data (ctlib._internals.pixels), checked against pydicom's own decoder."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

import ctlib
from ctlib._internals.pixels import decoded_pixels, integer_value


@pytest.fixture
def ct_small():
    return dcmread(get_testdata_file("CT_small.dcm"))


def test_decoded_pixels_equal_pydicoms(ct_small) -> None:
    """pydicom's pixel_array on a real scanner file is the independent reference."""
    np.testing.assert_array_equal(decoded_pixels(ct_small), ct_small.pixel_array)


def test_missing_pixel_data_says_how_to_read_again(ct_small) -> None:
    del ct_small.PixelData
    with pytest.raises(ctlib.HeaderError, match=r"\(7FE0,0010\).*header_only=True"):
        decoded_pixels(ct_small)


def test_impossible_pixel_module_is_refused_before_decoding(ct_small) -> None:
    ds = copy.deepcopy(ct_small)
    ds.BitsStored = 20  # more bits stored than allocated (16)
    with pytest.raises(ctlib.HeaderError, match=r"\(0028,0101\)"):
        decoded_pixels(ds)


def test_several_frames_are_refused(ct_small) -> None:
    ds = copy.deepcopy(ct_small)
    ds.NumberOfFrames = 2
    with pytest.raises(ctlib.HeaderError, match="frame"):
        decoded_pixels(ds)


@pytest.mark.parametrize(("value", "expected"), [("2", 2), (2, 2), ("", None)])
def test_integer_value(ct_small, value: object, expected: int | None) -> None:
    ct_small.NumberOfFrames = value
    assert integer_value(ct_small, "NumberOfFrames") == expected


def test_integer_value_absent_and_wrong(ct_small) -> None:
    assert integer_value(ct_small, "NumberOfFrames") is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pydicom warns of the bad IS, as it should
        ct_small.add_new(0x00280008, "IS", "2.5")
    with pytest.raises(ctlib.HeaderError, match=r"\(0028,0008\).*not a whole number"):
        integer_value(ct_small, "NumberOfFrames")
