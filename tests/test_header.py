"""Tests of ctlib.header: window values as real headers hold them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import roundtrip
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import Tag
from pydicom.valuerep import IS, DSfloat

import ctlib


def window_ds(center: object, width: object, **extra: object) -> Dataset:
    """A data set with only Window Center/Width (and optional extra elements)."""
    ds = Dataset()
    ds.WindowCenter = center
    ds.WindowWidth = width
    for keyword, value in extra.items():
        setattr(ds, keyword, value)
    return ds


class TestFirstValue:
    """ctlib.first_value."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (MultiValue(DSfloat, ["36", "36"]), 36.0),
            (MultiValue(DSfloat, ["00036.5", "80"]), 36.5),
            ([40, 50], 40.0),
            ((40,), 40.0),
            ("40.0", 40.0),
            (" -1024 ", -1024.0),
            (DSfloat("80.0"), 80.0),
            (IS("12"), 12.0),
            (80, 80.0),
            (np.float32(2.5), 2.5),
        ],
    )
    def test_values(self, value: object, expected: float) -> None:
        """Scalars, strings and multi-values all give the first number as float."""
        got = ctlib.first_value(value)
        assert got == expected
        assert type(got) is float

    @pytest.mark.parametrize(("value", "message"), [([], "has 0 value"), ("abc", "not a number")])
    def test_errors(self, value: object, message: str) -> None:
        """Empty values and text are HeaderErrors."""
        with pytest.raises(ctlib.HeaderError, match=message):
            ctlib.first_value(value)


class TestHeaderWindow:
    """ctlib.header_window."""

    def test_single(self) -> None:
        """Single decimal-string values, as in a file."""
        w = ctlib.header_window(roundtrip_header(window_ds("40.0", "80.0")))
        assert (w.center, w.width, w.name) == (40.0, 80.0, "header")

    def test_multi_valued(self) -> None:
        """[36, 36] / [80, 80] (RSNA style): index 0 by default."""
        w = ctlib.header_window(window_ds(["36", "36"], ["80", "80"]))
        assert (w.center, w.width) == (36.0, 80.0)

    def test_unequal_pair_by_index(self) -> None:
        """Two different windows: index selects one, names from the explanation."""
        ds = window_ds(["40", "600"], ["80", "2800"],
                       WindowCenterWidthExplanation=["BRAIN", "BONE"])
        first, second = ctlib.header_window(ds, 0), ctlib.header_window(ds, 1)
        assert (first.center, first.width, first.name) == (40.0, 80.0, "BRAIN")
        assert (second.center, second.width, second.name) == (600.0, 2800.0, "BONE")

    def test_one_single_one_multi(self) -> None:
        """A single center with two widths: the center serves both."""
        ds = window_ds("40", ["80", "350"])
        assert ctlib.header_window(ds, 1).width == 350.0
        assert ctlib.header_window(ds, 1).center == 40.0

    def test_index_out_of_range(self) -> None:
        """Asking for a window that is not there names the element."""
        with pytest.raises(ctlib.HeaderError, match=r"\(0028,1050\) WindowCenter: has 2 value"):
            ctlib.header_window(window_ds(["36", "36"], ["80", "80"]), 2)

    def test_missing(self) -> None:
        """No window in the header: error naming the element and suggesting a preset."""
        ds = Dataset()
        ds.WindowWidth = 80
        message = r"\(0028,1050\) WindowCenter is missing.*PRESETS"
        with pytest.raises(ctlib.HeaderError, match=message):
            ctlib.header_window(ds)

    def test_garbage_text(self) -> None:
        """A Window Center that is not a number (as read from a broken file)."""
        ds = window_ds("40", "80")
        ds[0x00281050] = RawDataElement(Tag(0x00281050), "DS", 4, b"abc ", 0, True, True)
        with pytest.raises(ctlib.HeaderError, match=r"\(0028,1050\) WindowCenter.*'abc'"):
            ctlib.header_window(ds)

    @pytest.mark.parametrize("width", ["0", "-80"])
    def test_non_positive_width(self, width: str) -> None:
        """Zero or negative widths cannot be displayed."""
        with pytest.raises(ctlib.HeaderError, match=r"\(0028,1051\) WindowWidth.*> 0"):
            ctlib.header_window(window_ds("40", width))

    def test_source_names_file(self, ct_file: object) -> None:
        """The returned window says which file it came from."""
        ds = ctlib.read(ct_file, header_only=True)  # type: ignore[arg-type]
        ds.WindowCenter, ds.WindowWidth = "40", "80"
        assert ctlib.header_window(ds).source == str(ct_file)


def roundtrip_header(ds: Dataset) -> Dataset:
    """Round-trip a header-only data set through a file, via a tiny CT image."""
    from conftest import build_ct

    image = build_ct(np.zeros((2, 2), np.int16))
    image.update(ds)
    return roundtrip(image)
