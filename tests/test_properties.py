"""Property-based tests: random headers and arrays through the HU and window paths.

Hypothesis builds data sets as a file would give them (raw, unconverted elements) with
random, missing, damaged and garbage values, and random images, and feeds them to
``to_hu``, ``stored_values``, ``hu_plan``, ``header_window``, ``window``, ``to_channels``
and the viewer's ``render_slice``. The only exceptions allowed are
:class:`ctlib.CtlibError` subclasses; whatever is returned is finite and in range
(HU float32 and finite; windowed floats in [0, 1]; PNG-ready uint8).

The examples are derandomized (the same on every run, no database written), so the
test run is reproducible in CI; ``CTLIB_FUZZ_RANDOM=1`` draws new examples each run.
"""

from __future__ import annotations

import os
import struct
from typing import Any

import numpy as np
import pytest
from corpus import only_pydicom_warnings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian

import ctlib
from ctlib._internals.hu_plan import hu_plan
from ctlib.hu import stored_to_hu, stored_values
from ctlib.viewer import render_slice

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=os.environ.get("CTLIB_FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

#: A raw element value: bytes as a file holds them, or None for an absent element.
Raw = bytes | None


def raw_dataset(elements: dict[str, Raw], pixels: bytes | None) -> Dataset:
    """A data set as read from an Explicit VR Little Endian file: nothing converted yet."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    for keyword, value in elements.items():
        if value is None:
            continue
        tag = Tag(tag_for_keyword(keyword))
        ds[tag] = RawDataElement(tag, dictionary_VR(tag), len(value), value, 0, False, True)
    if pixels is not None:
        tag = Tag(0x7FE00010)
        ds[tag] = RawDataElement(tag, "OW", len(pixels), pixels, 0, False, True)
    return ds


def us(value: int) -> bytes:
    return struct.pack("<H", value)


def text(value: str) -> bytes:
    data = value.encode("latin-1", "replace")
    return data + b" " * (len(data) % 2)


#: Decimal strings: numbers as files write them, the special and absurd ones, and garbage.
decimal_strings = st.one_of(
    st.none(),
    st.integers(-5000, 5000).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.6g}"),
    st.sampled_from(["0", "-0", "1", "-1024", "nan", "NaN", "inf", "-inf", "1e30", "-1e38",
                     "1e-30", "1e308", "", " ", "1\\2", "1\\abc", "40\\40\\400", "0x10",
                     "1,5", "--1", "1e", "."]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=16),
).map(lambda v: None if v is None else text(v))

#: Damaged binary values: a length no 2-byte number has.
damaged = st.one_of(st.binary(min_size=1, max_size=1), st.binary(min_size=3, max_size=3))


def unsigned(usual: list[int]) -> st.SearchStrategy[Raw]:
    """Unsigned shorts: usual values, any value, absent, or damaged bytes."""
    return st.one_of(st.sampled_from(usual).map(us), st.integers(0, 65535).map(us), st.none(),
                     damaged)


#: What a corrupted element may hold instead of its sane value.
CORRUPTED: dict[str, st.SearchStrategy[Raw]] = {
    "Modality": st.sampled_from([b"MR", b"ct", b"OT", b"", None]),
    "PhotometricInterpretation": st.sampled_from(
        [b"MONOCHROME1 ", b"RGB ", b"PALETTE COLOR ", b"", None]),
    "Rows": unsigned([0, 1, 7]),
    "Columns": unsigned([0, 1, 7]),
    "BitsAllocated": unsigned([8, 32, 12, 0, 64]),
    "BitsStored": unsigned([12, 16, 20, 1, 0]),
    "PixelRepresentation": unsigned([0, 1, 2]),
    "SamplesPerPixel": unsigned([3, 0]),
    "NumberOfFrames": st.sampled_from([b"1 ", b"2 ", b"0 ", b"abc ", b"-1", b""]),
    "RescaleSlope": decimal_strings,
    "RescaleIntercept": decimal_strings,
    "PixelPaddingValue": st.one_of(st.integers(0, 65535).map(us), damaged),
    "PixelPaddingRangeLimit": st.one_of(st.integers(0, 65535).map(us), damaged),
}


@st.composite
def ct_headers_and_pixels(draw: st.DrawFn) -> tuple[Dataset, np.ndarray]:
    """A random image with a sane header (random rescale and padding), in which up to
    three elements are corrupted (random, absent, garbage or damaged), and pixel data
    that may be cut, extended or missing."""
    dtype = draw(st.sampled_from([np.int16, np.uint16]))
    rows, columns = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    stored = draw(hnp.arrays(dtype, (rows, columns)))
    bits = draw(st.sampled_from([16, 12]))
    elements: dict[str, Raw] = {
        "Modality": b"CT", "PhotometricInterpretation": b"MONOCHROME2 ",
        "Rows": us(rows), "Columns": us(columns), "BitsAllocated": us(16),
        "BitsStored": us(bits), "PixelRepresentation": us(int(dtype == np.int16)),
        "SamplesPerPixel": us(1), "NumberOfFrames": None,
        "RescaleSlope": text(draw(st.sampled_from(["1", "1.0", "0.5", "2", "-1", "1e-3"]))),
        "RescaleIntercept": text(str(draw(st.integers(-3000, 3000)))),
        "PixelPaddingValue": draw(st.one_of(st.none(), st.integers(0, 65535).map(us))),
        "PixelPaddingRangeLimit": None,
    }
    for keyword in draw(st.lists(st.sampled_from(sorted(CORRUPTED)), max_size=3, unique=True)):
        elements[keyword] = draw(CORRUPTED[keyword])
    pixels = stored.astype(stored.dtype.newbyteorder("<")).tobytes()
    change = draw(st.sampled_from(["none"] * 6 + ["cut", "extend", "drop"]))
    if change == "cut":
        pixels = pixels[:draw(st.integers(0, len(pixels) - 1))]
    elif change == "extend":
        pixels += draw(st.binary(min_size=1, max_size=8))
    return raw_dataset(elements, None if change == "drop" else pixels), stored


class TestHuPath:
    """to_hu and its helpers on random headers and images."""

    @PROPERTY_SETTINGS
    @given(case=ct_headers_and_pixels(), padding=st.sampled_from(["air", "keep"]),
           fix=st.booleans())
    def test_to_hu(self, case: tuple[Dataset, np.ndarray], padding: str, fix: bool) -> None:
        """A CtlibError, or finite float32 HU of the header's size."""
        ds, _ = case
        with only_pydicom_warnings():
            assert isinstance(ctlib.has_wrong_pixel_representation(ds), bool)  # never raises
            try:
                hu = ctlib.to_hu(ds, padding=padding,  # type: ignore[arg-type]
                                 fix_pixel_representation=fix)
            except ctlib.CtlibError as exc:
                event(f"refused: {type(exc).__name__}")
                return
        event("HU returned")
        assert hu.dtype == np.float32 and hu.ndim == 2
        assert hu.shape == (ds.Rows, ds.Columns)
        assert np.isfinite(hu).all()
        if padding == "air":
            assert hu.min() >= ctlib.PADDING_BELOW_HU

    @PROPERTY_SETTINGS
    @given(case=ct_headers_and_pixels())
    def test_plan_equals_stored_to_hu(self, case: tuple[Dataset, np.ndarray]) -> None:
        """The load_series fast path (hu_plan) gives stored_to_hu's result, or both refuse."""
        ds, stored = case
        with only_pydicom_warnings():
            try:
                expected = stored_to_hu(ds, stored)
            except ctlib.CtlibError:
                expected = None
            try:
                plan = hu_plan(ds, stored.dtype)
            except ctlib.CtlibError:
                assert expected is None
                event("both refused")
                return
        event("plan applied")
        assert plan is not None and expected is not None
        got = plan.apply(stored, np.empty(stored.shape, np.float32))
        np.testing.assert_array_equal(got, expected)
        assert np.isfinite(got).all()

    @PROPERTY_SETTINGS
    @given(case=ct_headers_and_pixels())
    def test_stored_values(self, case: tuple[Dataset, np.ndarray]) -> None:
        """A CtlibError, or one 2-D integer slice of the header's size."""
        ds, _ = case
        with only_pydicom_warnings():
            try:
                values = stored_values(ds)
            except ctlib.CtlibError as exc:
                event(f"refused: {type(exc).__name__}")
                return
        event("stored values returned")
        assert values.ndim == 2 and values.dtype.kind in "iu"
        assert values.shape == (ds.Rows, ds.Columns)


#: Window Center/Width values: plausible numbers, several values, or anything decimal_strings has.
window_values = st.one_of(
    st.integers(-1000, 4000).map(lambda v: text(str(v))),
    st.floats(0.5, 4000).map(lambda v: text(f"{v:.6g}")),
    st.lists(st.integers(1, 400).map(str), min_size=2, max_size=3).map(
        lambda parts: text("\\".join(parts))),
    st.lists(st.sampled_from(["40", "80", "-80", "0", "nan", "abc", "1e39", ""]), min_size=2,
             max_size=3).map(lambda parts: text("\\".join(parts))),
    decimal_strings,
)

#: Images in HU (or anything numeric): integers, floats with infinities and huge values.
images = st.one_of(
    hnp.arrays(st.sampled_from([np.int16, np.uint16, np.int32]),
               hnp.array_shapes(min_dims=2, max_dims=2, max_side=6)),
    hnp.arrays(st.sampled_from([np.float32, np.float64]),
               hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
               elements=st.floats(allow_nan=False, width=32)),
)
#: Centers and widths: plausible ones (often), any float, and the edges of float32.
numbers = st.one_of(
    st.floats(1, 4000),
    st.floats(-1000, 4000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 1e-40, 1.17549e-38, 1e38, 1e39, 0.5]),
)
functions = st.sampled_from(["linear", "linear_exact", "sigmoid", "LINEAR", "bogus"])
out_types = st.sampled_from([np.float32, np.float64, np.uint8])


def assert_in_range(out: np.ndarray, dtype: Any, shape: tuple[int, ...]) -> None:
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    if out.dtype != np.uint8:
        assert np.isfinite(out).all() and out.min(initial=0) >= 0 and out.max(initial=0) <= 1


class TestWindowPath:
    """header_window, window, to_channels and render_slice on random values."""

    @PROPERTY_SETTINGS
    @given(center=window_values, width=window_values, index=st.integers(0, 3),
           hu=images, function=functions, dtype=out_types)
    def test_header_window_then_window(self, center: Raw, width: Raw, index: int,
                                       hu: np.ndarray, function: str, dtype: Any) -> None:
        """A HeaderError, or a finite window with a positive width; then windowed in range."""
        ds = raw_dataset({"WindowCenter": center, "WindowWidth": width}, None)
        with only_pydicom_warnings():
            try:
                win = ctlib.header_window(ds, index)
            except ctlib.HeaderError:
                event("header window refused")
                return
        assert np.isfinite([win.center, win.width]).all() and win.width > 0
        try:
            out = ctlib.window(hu, win, function=function, dtype=dtype)
        except ctlib.WindowError:
            event("window refused")
            return
        event("windowed")
        assert_in_range(out, dtype, hu.shape)

    @PROPERTY_SETTINGS
    @given(hu=images, center=numbers, width=numbers, function=functions, dtype=out_types)
    def test_window(self, hu: np.ndarray, center: float, width: float, function: str,
                    dtype: Any) -> None:
        """Any numbers as center and width: a WindowError, or output in range; input untouched."""
        before = hu.copy()
        try:
            out = ctlib.window(hu, center, width, function=function, dtype=dtype)
        except ctlib.WindowError:
            event("refused")
            return
        finally:
            np.testing.assert_array_equal(hu, before)
        event("windowed")
        assert_in_range(out, dtype, hu.shape)

    @PROPERTY_SETTINGS
    @given(hu=images, windows=st.lists(st.one_of(
        st.tuples(st.floats(-1000, 1000), st.floats(1, 4000)),
        st.sampled_from(["brain", "bone", "subdural", "stroke"]),
        st.tuples(numbers, numbers), st.sampled_from(["nope", ""]), st.tuples(numbers),
        st.none(), st.text(max_size=3)), max_size=4),
        function=functions, dtype=out_types)
    def test_to_channels(self, hu: np.ndarray, windows: list[Any], function: str,
                         dtype: Any) -> None:
        """A CtlibError, or one in-range channel per window."""
        try:
            out = ctlib.to_channels(hu, windows, function=function, dtype=dtype)
        except ctlib.CtlibError:
            event("refused")
            return
        event("channels returned")
        assert_in_range(out, dtype, hu.shape + (len(windows),))

    @PROPERTY_SETTINGS
    @given(hu=images, center=numbers, width=numbers, edge_kind=st.sampled_from(
        ["none", "same", "same", "other"]), data=st.data())
    def test_render_slice(self, hu: np.ndarray, center: float, width: float, edge_kind: str,
                          data: st.DataObject) -> None:
        """The viewer's picture: a CtlibError, or uint8 grey (or RGB with an outline)."""
        edge = None if edge_kind == "none" else data.draw(hnp.arrays(
            bool, hu.shape if edge_kind == "same"
            else hnp.array_shapes(min_dims=1, max_dims=3, max_side=6)))
        try:
            out = render_slice(hu, center, width, edge)
        except ctlib.CtlibError:
            event("refused")
            return
        event("rendered")
        assert out.dtype == np.uint8
        assert out.shape == (hu.shape if edge is None else hu.shape + (3,))


def test_settings_are_reproducible() -> None:
    """CI runs the same examples each time unless asked otherwise."""
    if os.environ.get("CTLIB_FUZZ_RANDOM") == "1":
        pytest.skip("random examples asked for")
    assert PROPERTY_SETTINGS.derandomize and PROPERTY_SETTINGS.database is None
