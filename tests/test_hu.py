"""Tests of ctlib.hu: stored values to Hounsfield units, and the quirks of real data."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import pytest
from conftest import build_ct, roundtrip
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydicom.dataset import Dataset
from pydicom.pixels import apply_rescale
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

import ctlib

MakeCT = Callable[..., Dataset]
TRUE_HU = np.array([[-1000, -500, -1, 0], [40, 80, 1000, 1000]], dtype=np.int16)


class TestGoldenAgainstPydicom:
    """to_hu equals pydicom.pixels.apply_rescale wherever there is no padding."""

    @pytest.mark.parametrize(
        ("dtype", "bits", "slope", "intercept"),
        [
            (np.int16, 16, 1, -1024),
            (np.int16, 12, 1, -1024),
            (np.uint16, 16, 1, -1024),
            (np.uint16, 12, 1, -1024),
            (np.int16, 16, "1.0", "-1024.0"),  # decimal strings, as files store them
            (np.uint16, 16, 0.5, -1000),
            (np.int16, 16, 2, 0),
            (np.uint16, 16, 1, "-1024.5"),
        ],
    )
    def test_matches_apply_rescale(
        self, make_ct: MakeCT, dtype: type, bits: int, slope: object, intercept: object
    ) -> None:
        """Several representations, slopes and intercepts, through a file round trip."""
        info = np.iinfo(dtype)
        top = min(info.max, 2 ** (bits - (1 if info.min < 0 else 0)) - 1)
        rng = np.random.default_rng(7)
        stored = rng.integers(max(info.min, -top - 1), top, size=(16, 16), endpoint=True)
        ds = roundtrip(make_ct(stored.astype(dtype), bits_stored=bits, slope=slope,
                               intercept=intercept))
        expected = apply_rescale(ds.pixel_array, ds)
        got = ctlib.to_hu(ds, padding="keep")
        assert got.dtype == np.float32
        assert got.shape == (16, 16)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-3)

    def test_modality_lut_sequence(self, make_ct: MakeCT) -> None:
        """A Modality LUT Sequence is applied as pydicom applies it."""
        stored = np.arange(16, dtype=np.uint16).reshape(4, 4)
        ds = make_ct(stored, bits_stored=12, slope=None, intercept=None)
        item = Dataset()
        item.LUTDescriptor = [16, 0, 16]
        item.LUTData = [i * 100 for i in range(16)]
        item["LUTData"].VR = "US"
        ds.ModalityLUTSequence = Sequence([item])
        got = ctlib.to_hu(ds, padding="keep")
        np.testing.assert_array_equal(got, apply_rescale(stored, ds).astype(np.float32))


class TestPixelRepresentationMislabel:
    """The RSNA 2019 files whose 12-bit signed values are labelled unsigned."""

    @pytest.mark.parametrize("intercept", [0, 1, "0.0"])
    def test_recovered_exactly(self, make_ct: MakeCT, intercept: object) -> None:
        """True HU −1000…1000 written as 12-bit two's complement come back exactly."""
        base = int(float(intercept))  # type: ignore[arg-type]
        stored = ((TRUE_HU.astype(np.int32) - base) & 0x0FFF).astype(np.uint16)
        ds = roundtrip(make_ct(stored, bits_stored=12, intercept=intercept))
        assert ds.PixelRepresentation == 0
        assert ctlib.has_wrong_pixel_representation(ds)
        np.testing.assert_array_equal(ctlib.to_hu(ds), TRUE_HU.astype(np.float32))

    def test_high_bits_set_in_container(self, make_ct: MakeCT) -> None:
        """The same when the unused top 4 bits hold the sign too (full 16-bit pattern)."""
        stored = TRUE_HU.view(np.uint16).copy()
        ds = make_ct(stored.astype(np.uint16) & 0x0FFF, bits_stored=12, intercept=0)
        ds.PixelData = stored.tobytes()  # bypass set_pixel_data's range check
        np.testing.assert_array_equal(ctlib.to_hu(ds), TRUE_HU.astype(np.float32))

    def test_unfixed_shows_the_bug(self, make_ct: MakeCT) -> None:
        """Without the fix, air (−1000 HU) reads as +3096 HU: bright, not black."""
        stored = ((TRUE_HU.astype(np.int32)) & 0x0FFF).astype(np.uint16)
        ds = make_ct(stored, bits_stored=12, intercept=0)
        raw = ctlib.to_hu(ds, fix_pixel_representation=False)
        assert raw[0, 0] == 3096.0

    @pytest.mark.parametrize(
        ("bits", "representation", "intercept", "expected"),
        [
            (12, 0, 1, True),
            (12, 0, -99, True),
            (12, 0, -100, False),
            (12, 0, -1024, False),
            (16, 0, 0, False),
            (12, 1, 0, False),
        ],
    )
    def test_detection_rule(
        self, bits: int, representation: int, intercept: int, expected: bool
    ) -> None:
        """Only 12-bit, unsigned, intercept above −100 is the mislabel."""
        ds = Dataset()
        ds.BitsStored, ds.PixelRepresentation, ds.RescaleIntercept = bits, representation, intercept
        assert ctlib.has_wrong_pixel_representation(ds) is expected

    def test_real_unsigned_left_alone(self, make_ct: MakeCT) -> None:
        """Genuine unsigned 12-bit data with intercept −1024 is not touched."""
        stored = (TRUE_HU.astype(np.int32) + 1024).astype(np.uint16)
        ds = make_ct(stored, bits_stored=12, intercept=-1024)
        np.testing.assert_array_equal(ctlib.to_hu(ds), TRUE_HU.astype(np.float32))


class TestNumpy2Overflow:
    """uint16 data and integer intercepts under numpy 2's type rules."""

    def test_the_trap_exists(self) -> None:
        """The premise: numpy 2 refuses uint16 + (−1024) and wraps uint16 + 1024."""
        stored = np.array([0, 65000], dtype=np.uint16)
        with pytest.raises(OverflowError):
            stored + (-1024)
        assert (stored + 1024)[1] == (65000 + 1024) % 65536

    def test_to_hu_is_safe(self, make_ct: MakeCT) -> None:
        """to_hu gives exact HU for uint16 data with an integer intercept."""
        stored = np.array([[0, 1024], [4095, 65535]], dtype=np.uint16)
        ds = make_ct(stored, bits_stored=16, intercept=-1024)
        got = ctlib.to_hu(ds, padding="keep")
        np.testing.assert_array_equal(got, [[-1024, 0], [3071, 64511]])


class TestPadding:
    """Pixels outside the scan circle."""

    def test_padding_value_becomes_air(self, make_ct: MakeCT) -> None:
        """A declared (0028,0120) Pixel Padding Value (signed −2000) becomes −1000 HU."""
        stored = np.array([[-2000, -1024], [0, 40]], dtype=np.int16)
        ds = roundtrip(make_ct(stored, intercept=0, PixelPaddingValue=-2000))
        assert ctlib.to_hu(ds).tolist() == [[-1000, -1024], [0, 40]]
        assert ctlib.to_hu(ds, padding="keep")[0, 0] == -2000

    def test_padding_value_written_unsigned(self, make_ct: MakeCT) -> None:
        """A padding value stored as US (63536) is read as the signed −2000 it means."""
        stored = np.array([[-2000, 0]], dtype=np.int16)
        ds = make_ct(stored, intercept=0)
        ds.add_new(0x00280120, "US", 63536)
        assert ctlib.padding_mask(ds, ctlib.to_hu(ds, padding="keep")).tolist() == [[True, False]]

    def test_padding_range(self, make_ct: MakeCT) -> None:
        """(0028,0121) Pixel Padding Range Limit extends the padding to a range."""
        stored = np.array([[0, 5, 10, 11]], dtype=np.uint16)
        ds = make_ct(stored, intercept=0, PixelPaddingValue=10, PixelPaddingRangeLimit=0)
        ds["PixelPaddingValue"].VR = "US"
        ds["PixelPaddingRangeLimit"].VR = "US"
        mask = ctlib.padding_mask(ds, ctlib.to_hu(ds, padding="keep"))
        assert mask.tolist() == [[True, True, True, False]]

    def test_far_below_air_without_declaration(self, make_ct: MakeCT) -> None:
        """With no declared padding, values below −1200 HU (e.g. −3024) are padding."""
        stored = np.array([[-2000, -1024, -150, 1000]], dtype=np.int16)
        ds = make_ct(stored, intercept=-1024)
        assert ctlib.to_hu(ds).tolist() == [[-1000, -1000, -1174, -24]]
        assert ctlib.to_hu(ds, padding="keep")[0, 0] == -3024

    def test_bad_option(self, make_ct: MakeCT) -> None:
        """padding takes 'air' or 'keep' only."""
        ds = make_ct(np.zeros((2, 2), np.int16))
        with pytest.raises(ctlib.ArgumentError, match="'air' or 'keep'"):
            ctlib.to_hu(ds, padding="nan")  # type: ignore[arg-type]


class TestHeaderProblems:
    """Missing or unusable header elements give a HeaderError that says what to do."""

    @pytest.mark.parametrize(
        ("slope", "intercept", "missing"),
        [(None, None, r"\(0028,1053\) RescaleSlope and \(0028,1052\) RescaleIntercept"),
         (1, None, r"\(0028,1052\) RescaleIntercept missing"),
         (None, -1024, r"\(0028,1053\) RescaleSlope missing")],
    )
    def test_missing_rescale(
        self, make_ct: MakeCT, slope: object, intercept: object, missing: str
    ) -> None:
        """No silent guess: an error naming the missing element(s) and default_rescale."""
        ds = make_ct(np.zeros((2, 2), np.int16), slope=slope, intercept=intercept)
        with pytest.raises(ctlib.HeaderError, match=missing + ".*default_rescale"):
            ctlib.to_hu(ds)

    def test_default_rescale(self, make_ct: MakeCT) -> None:
        """An explicit default_rescale is used when the header has none."""
        ds = make_ct(np.array([[0, 1064]], np.int16), slope=None, intercept=None)
        assert ctlib.to_hu(ds, default_rescale=(1.0, -1024.0)).tolist() == [[-1024, 40]]

    def test_default_rescale_ignored_when_header_has_it(self, make_ct: MakeCT) -> None:
        """The header wins over default_rescale."""
        ds = make_ct(np.array([[1064]], np.int16), intercept=-1000)
        assert ctlib.to_hu(ds, default_rescale=(1.0, -1024.0)).tolist() == [[64]]

    def test_zero_slope(self, make_ct: MakeCT) -> None:
        """A zero slope would erase the image."""
        ds = make_ct(np.zeros((2, 2), np.int16), slope=0)
        with pytest.raises(ctlib.HeaderError, match="slope must be a finite non-zero"):
            ctlib.to_hu(ds)

    def test_not_ct(self, make_ct: MakeCT) -> None:
        """An MR image has no Hounsfield units."""
        ds = make_ct(np.zeros((2, 2), np.int16), Modality="MR")
        with pytest.raises(ctlib.HeaderError, match=r"\(0008,0060\) Modality is 'MR'"):
            ctlib.to_hu(ds)

    def test_monochrome1(self, make_ct: MakeCT) -> None:
        """An inverted grey scale is not what a CT slice is."""
        ds = make_ct(np.zeros((2, 2), np.int16), PhotometricInterpretation="MONOCHROME1")
        with pytest.raises(ctlib.HeaderError, match=r"\(0028,0004\).*MONOCHROME1"):
            ctlib.to_hu(ds)

    def test_header_only(self, ct_file: object) -> None:
        """A header-only data set has no pixels; the message says how to fix that."""
        ds = ctlib.read(ct_file, header_only=True)  # type: ignore[arg-type]
        with pytest.raises(ctlib.HeaderError, match=r"slice\.dcm: \(7FE0,0010\).*header_only"):
            ctlib.to_hu(ds)

    def test_undecodable(self, make_ct: MakeCT) -> None:
        """Pixel data pydicom cannot decode becomes a DicomError naming the transfer syntax."""
        ds = make_ct(np.zeros((4, 4), np.int16))
        ds.PixelData = ds.PixelData[:10]
        with pytest.raises(ctlib.DicomError, match="cannot decode.*Explicit VR Little Endian"):
            ctlib.to_hu(ds)


class TestPurity:
    """to_hu and its helpers leave the data set as they found it."""

    def test_dataset_unchanged(self, make_ct: MakeCT) -> None:
        """Same elements, same values, no cached pixel array added."""
        stored = ((TRUE_HU.astype(np.int32)) & 0x0FFF).astype(np.uint16)
        ds = make_ct(stored, bits_stored=12, intercept=0, PixelPaddingValue=4095)
        ds["PixelPaddingValue"].VR = "US"
        before = copy.deepcopy(ds)
        ctlib.to_hu(ds)
        assert ds == before
        assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
        assert getattr(ds, "_pixel_array", None) is None


class TestProperties:
    """Property-based: random stored images and rescale values against pydicom."""

    @settings(max_examples=150, deadline=None)
    @given(
        signed=st.booleans(),
        bits=st.sampled_from([12, 16]),
        slope=st.sampled_from([1, 0.5, 2, "1.0", 0.25]),
        intercept=st.integers(-2048, 1024),
        data=st.data(),
    )
    def test_matches_apply_rescale(
        self, signed: bool, bits: int, slope: object, intercept: int, data: st.DataObject
    ) -> None:
        """to_hu(padding='keep') == apply_rescale wherever the mislabel rule does not apply."""
        dtype = np.int16 if signed else np.uint16
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        stored = data.draw(hnp.arrays(dtype, (6, 5), elements=st.integers(low, high)))
        ds = build_ct(stored, bits_stored=bits, slope=slope, intercept=intercept)
        before = ds.PixelData
        got = ctlib.to_hu(ds, padding="keep")
        assert ds.PixelData == before
        if ctlib.has_wrong_pixel_representation(ds):
            signed_values = np.where(stored >= 2048, stored.astype(np.int32) - 4096, stored)
            expected = signed_values * float(slope) + intercept  # type: ignore[arg-type]
        else:
            expected = apply_rescale(stored, ds)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-3)
        air = ctlib.to_hu(ds)
        assert air.min() >= ctlib.PADDING_BELOW_HU  # padding="air" leaves nothing below
