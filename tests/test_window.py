"""Tests of ctlib.window: the Window class and the three DICOM VOI LUT functions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydicom.dataset import Dataset
from pydicom.pixels import apply_windowing

import ctlib
from ctlib import Window, window

# pydicom maps onto the range of signed 16-bit stored values (no rescale): [-32768, 32767].
Y_MIN, Y_MAX = -32768.0, 32767.0
CENTERS = [-1000.0, -600.0, -0.5, 0.0, 35.5, 40.0, 80.0, 600.0]
WIDTHS = [1.0, 2.0, 3.0, 7.0, 80.0, 81.0, 200.0, 2800.0]
DICOM_NAME = {"linear": "LINEAR", "linear_exact": "LINEAR_EXACT", "sigmoid": "SIGMOID"}


def pydicom_reference(x: np.ndarray, center: float, width: float, function: str) -> np.ndarray:
    """pydicom's apply_windowing for ``function``, rescaled from its output range to [0, 1]."""
    ds = Dataset()
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsStored = 16
    ds.PixelRepresentation = 1
    ds.WindowCenter = center
    ds.WindowWidth = width
    ds.VOILUTFunction = DICOM_NAME[function]
    with np.errstate(over="ignore"):  # pydicom's exp() overflows far from the center
        y = apply_windowing(x.astype(np.float64), ds)
    return (y - Y_MIN) / (Y_MAX - Y_MIN)


def probe_values(center: float, width: float) -> np.ndarray:
    """Every integer HU over a wide range plus the exact boundaries of both linear rules."""
    edges = [
        center - width / 2,  # black, both LINEAR and LINEAR_EXACT
        center + width / 2,  # white, LINEAR_EXACT
        center + width / 2 - 1,  # white, LINEAR
        center,
    ]
    near = [e + d for e in edges for d in (-0.25, 0.0, 0.25, 0.5)]
    return np.concatenate([np.arange(-1100.0, 3101.0), near])


class TestGoldenAgainstPydicom:
    """ctlib.window equals pydicom.pixels.apply_windowing (rescaled to [0, 1])."""

    @pytest.mark.parametrize(("dtype", "atol"), [(np.float64, 1e-9), (np.float32, 2e-6)])
    @pytest.mark.parametrize("function", ["linear", "linear_exact", "sigmoid"])
    @pytest.mark.parametrize("width", WIDTHS)
    @pytest.mark.parametrize("center", CENTERS)
    def test_grid(
        self, center: float, width: float, function: str, dtype: type, atol: float
    ) -> None:
        """Over a grid of centers and widths the two agree to the output's precision."""
        x = probe_values(center, width)
        expected = pydicom_reference(x, center, width, function)
        got = window(x, center, width, function=function, dtype=dtype)
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, expected, rtol=0, atol=atol)

    @pytest.mark.parametrize("function", ["linear_exact", "sigmoid"])
    @pytest.mark.parametrize("width", [0.25, 0.5])
    def test_widths_below_one(self, width: float, function: str) -> None:
        """LINEAR_EXACT and SIGMOID accept any positive width, as the standard does."""
        x = probe_values(40.0, width)
        expected = pydicom_reference(x, 40.0, width, function)
        got = window(x, 40.0, width, function=function, dtype=np.float64)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)

    @pytest.mark.parametrize("function", ["linear", "linear_exact", "sigmoid"])
    def test_uint8(self, function: str) -> None:
        """uint8 output is the [0, 1] result times 255, rounded to nearest."""
        x = probe_values(40.0, 80.0)
        expected = np.rint(pydicom_reference(x, 40.0, 80.0, function) * 255)
        got = window(x, 40.0, 80.0, function=function, dtype=np.uint8)
        assert got.dtype == np.uint8
        assert np.abs(got.astype(int) - expected).max() <= 1  # float32 rounding at .5 ties
        assert (got.astype(int) == expected).mean() > 0.99


class TestBoundaries:
    """The exact edges the standard defines."""

    @pytest.mark.parametrize(("center", "width"), [(40, 80), (80, 200), (600, 2800), (35.5, 81)])
    def test_linear_exact_edges(self, center: float, width: float) -> None:
        """LINEAR_EXACT: c - w/2 is exactly black and c + w/2 exactly white."""
        got = window(np.array([center - width / 2, center, center + width / 2]), center, width)
        assert got.tolist() == [0.0, 0.5, 1.0]

    @pytest.mark.parametrize(("center", "width"), [(40, 80), (80, 200), (600, 2800), (35, 81)])
    def test_linear_edges(self, center: float, width: float) -> None:
        """LINEAR: c - w/2 is black, c + w/2 - 1 already white (c' = c - 0.5, w' = w - 1)."""
        x = np.array([center - width / 2, center + width / 2 - 1, center + width / 2])
        got = window(x, center, width, function="linear")
        assert got.tolist() == [0.0, 1.0, 1.0]

    def test_linear_width_one_is_threshold(self) -> None:
        """LINEAR with W = 1: below or at c - 0.5 black, above it white."""
        got = window(np.array([39.0, 39.5, 39.6, 40.0]), 40, 1, function="linear")
        assert got.tolist() == [0.0, 0.0, 1.0, 1.0]

    def test_sigmoid_center_is_half(self) -> None:
        """SIGMOID gives 0.5 at the center and never reaches 0 or 1 near it."""
        got = window(np.array([0.0, 40.0, 80.0]), 40, 80, function="sigmoid", dtype=np.float64)
        assert got[1] == 0.5
        assert 0 < got[0] < got[2] < 1
        np.testing.assert_allclose(got[0], 1 / (1 + np.exp(2.0)))


class TestKaggleClip:
    """The clip every tutorial copies, compared with the DICOM functions."""

    @staticmethod
    def kaggle_clip(hu: np.ndarray, center: int, width: int) -> np.ndarray:
        """The RSNA 2019 kernels' window: integer half-width, clip, rescale."""
        lo, hi = center - width // 2, center + width // 2
        return (np.clip(hu, lo, hi) - lo) / (hi - lo)

    @pytest.mark.parametrize(("center", "width"), [(40, 80), (80, 200), (600, 2800), (40, 40)])
    def test_equals_linear_exact_for_even_widths(self, center: int, width: int) -> None:
        """For even widths the clip is LINEAR_EXACT."""
        hu = np.arange(-1100.0, 3100.0)
        np.testing.assert_allclose(
            window(hu, center, width, dtype=np.float64),
            self.kaggle_clip(hu, center, width),
            atol=1e-12,
        )

    def test_differs_from_linear_by_one_over_width(self) -> None:
        """Against LINEAR the largest difference is 1/W: 0.0125 for the 40/80 brain window."""
        hu = np.arange(-1100.0, 3100.0)
        diff = np.abs(window(hu, 40, 80, function="linear", dtype=np.float64)
                      - self.kaggle_clip(hu, 40, 80))
        assert diff.max() == pytest.approx(1 / 80)


class TestArguments:
    """The forms window() accepts, and the ones it refuses."""

    def test_window_object_and_preset_name(self) -> None:
        """A Window, a preset name and center/width give the same result."""
        hu = np.array([-20.0, 0.0, 40.0, 100.0])
        by_numbers = window(hu, 40, 80)
        np.testing.assert_array_equal(window(hu, Window(40, 80)), by_numbers)
        np.testing.assert_array_equal(window(hu, "brain"), by_numbers)
        np.testing.assert_array_equal(window(hu, "brain", function="LINEAR_EXACT"), by_numbers)

    def test_integer_input(self) -> None:
        """int16 input (stored values) gives the same as float input."""
        hu = np.arange(-1024, 2000, dtype=np.int16)
        np.testing.assert_array_equal(window(hu, 40, 80), window(hu.astype(np.float64), 40, 80))

    def test_shape_kept_and_new_array(self) -> None:
        """The output has the input's shape and never shares its memory."""
        hu = np.zeros((3, 4, 5), dtype=np.float32)
        out = window(hu, 40, 80)
        assert out.shape == hu.shape
        assert not np.shares_memory(out, hu)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"center": 40, "width": 0.5, "function": "linear"}, r"\(0028,1051\).*>= 1.*LINEAR"),
            ({"center": 40, "width": 0}, "width must be a finite number > 0"),
            ({"center": 40, "width": -80}, "width must be a finite number > 0"),
            ({"center": 40, "width": float("inf")}, "width must be a finite number > 0"),
            ({"center": float("nan"), "width": 80}, "center must be a finite number"),
            ({"center": 40, "width": 80, "function": "gamma"}, "unknown VOI LUT function 'gamma'"),
            ({"center": 40, "width": 80, "dtype": np.int32}, "dtype must be float32"),
            ({"center": 40}, "needs a width"),
            ({"center": "brain", "width": 80}, "either a Window/preset name"),
            ({"center": "lung"}, "no window preset called 'lung'"),
        ],
    )
    def test_errors(self, kwargs: dict, message: str) -> None:
        """Bad arguments raise WindowError with a message that says what to do."""
        with pytest.raises(ctlib.WindowError, match=message):
            window(np.zeros(3), **kwargs)

    def test_nan_refused(self) -> None:
        """NaN has no grey level: refused rather than passed on silently."""
        with pytest.raises(ctlib.WindowError, match="1 NaN values"):
            window(np.array([0.0, np.nan, 40.0]), 40, 80)

    def test_infinities_clip(self) -> None:
        """±inf are just very low/high values."""
        got = window(np.array([-np.inf, np.inf]), 40, 80)
        assert got.tolist() == [0.0, 1.0]

    def test_non_numeric_refused(self) -> None:
        """Strings are not HU."""
        with pytest.raises(ctlib.WindowError, match="real numbers"):
            window(np.array(["a", "b"]), 40, 80)

    def test_window_error_is_value_error(self) -> None:
        """WindowError can also be caught as ValueError."""
        assert issubclass(ctlib.WindowError, ValueError)
        assert issubclass(ctlib.WindowError, ctlib.CtlibError)


class TestWindowClass:
    """The frozen Window dataclass."""

    def test_low_high(self) -> None:
        """low/high are center ∓ width/2."""
        w = Window(80, 200)
        assert (w.low, w.high) == (-20.0, 180.0)

    def test_frozen(self) -> None:
        """A Window cannot be changed after creation."""
        with pytest.raises(dataclasses.FrozenInstanceError):
            Window(40, 80).center = 50  # type: ignore[misc]

    def test_numbers_normalised(self) -> None:
        """Decimal strings and ints become floats, so equal windows compare equal."""
        assert Window("40.0", 80) == Window(40, 80.0)

    def test_str(self) -> None:
        """str() gives the C/W label used in figure titles."""
        assert str(Window(40, 80)) == "C 40 / W 80"
        assert str(Window(-600, 1500, name="lung")) == "lung (C -600 / W 1500)"

    def test_not_numbers(self) -> None:
        """Garbage values are refused."""
        with pytest.raises(ctlib.WindowError, match="must be numbers"):
            Window("abc", 80)


finite_hu = hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64, np.int16, np.int32]),
    shape=hnp.array_shapes(max_dims=2, max_side=40),
    elements={"min_value": -5000, "max_value": 5000, "allow_nan": False},
)


class TestProperties:
    """Property-based tests over random images and windows."""

    @settings(max_examples=300, deadline=None)
    @given(
        hu=finite_hu,
        center=st.floats(-2000, 4000),
        width=st.floats(1, 5000),
        function=st.sampled_from(["linear", "linear_exact", "sigmoid"]),
        dtype=st.sampled_from([np.float32, np.float64, np.uint8]),
    )
    def test_bounded_monotonic_untouched(
        self, hu: np.ndarray, center: float, width: float, function: str, dtype: type
    ) -> None:
        """Output in range, non-decreasing in HU, same shape; the input is not modified."""
        original = hu.copy()
        out = window(hu, center, width, function=function, dtype=dtype)
        np.testing.assert_array_equal(hu, original)
        assert out.shape == hu.shape
        assert out.dtype == np.dtype(dtype)
        top = 255 if dtype is np.uint8 else 1
        assert np.all((out >= 0) & (out <= top))
        order = np.argsort(hu, axis=None, kind="stable")
        assert np.all(np.diff(out.ravel()[order].astype(np.float64)) >= 0)


# The presets: ctlib.window's named windows.

REQUIRED = {
    "brain": (40, 80),
    "subdural": (80, 200),
    "bone": (600, 2800),
    "stroke": (40, 40),
    "soft_tissue": (40, 380),
}


class TestPresets:
    """PRESETS, ALTERNATIVE_PRESETS and preset()."""

    @pytest.mark.parametrize(("name", "values"), REQUIRED.items())
    def test_values_and_sources(self, name: str, values: tuple[int, int]) -> None:
        """The course's presets have the agreed values, their own name and a source."""
        w = ctlib.PRESETS[name]
        assert (w.center, w.width) == values
        assert w.name == name
        assert w.source

    def test_alternatives_documented(self) -> None:
        """The disagreeing values in circulation are listed with sources."""
        pairs = {(w.name, w.center, w.width) for w in ctlib.ALTERNATIVE_PRESETS}
        for expected in [("subdural", 100, 254), ("bone", 400, 1000), ("bone", 480, 2500),
                         ("brain", 50, 100)]:
            assert expected in pairs
        assert all(w.source for w in ctlib.ALTERNATIVE_PRESETS)
        assert all(w.name in ctlib.PRESETS for w in ctlib.ALTERNATIVE_PRESETS)

    def test_read_only(self) -> None:
        """Learners cannot overwrite a preset by accident."""
        with pytest.raises(TypeError):
            ctlib.PRESETS["brain"] = ctlib.Window(0, 1)  # type: ignore[index]

    @pytest.mark.parametrize(
        ("spelling", "name"),
        [("brain", "brain"), ("Brain", "brain"), (" BRAIN ", "brain"),
         ("soft tissue", "soft_tissue"), ("Soft-Tissue", "soft_tissue")],
    )
    def test_lookup_forgiving(self, spelling: str, name: str) -> None:
        """preset() ignores case, surrounding spaces, and space/hyphen vs underscore."""
        assert ctlib.preset(spelling).name == name

    def test_unknown(self) -> None:
        """An unknown name lists the known ones."""
        with pytest.raises(ctlib.WindowError, match="Known presets: brain, subdural, bone"):
            ctlib.preset("lung")
