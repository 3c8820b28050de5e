"""Tests of ctlib.channels.to_channels."""

from __future__ import annotations

import numpy as np
import pytest

import ctlib

HU = np.linspace(-1100, 3000, 64 * 48, dtype=np.float32).reshape(64, 48)


class TestToChannels:
    """Several windows stacked as channels."""

    def test_default_is_brain_subdural_bone(self) -> None:
        """Shape (H, W, 3), channel k equal to window() with preset k."""
        out = ctlib.to_channels(HU)
        assert out.shape == (64, 48, 3)
        assert out.dtype == np.float32
        for k, name in enumerate(["brain", "subdural", "bone"]):
            np.testing.assert_array_equal(out[..., k], ctlib.window(HU, name))

    @pytest.mark.parametrize("function", ["linear", "sigmoid"])
    def test_uint8_rgb_and_function(self, function: str) -> None:
        """uint8 output is an RGB picture; the VOI function is passed through."""
        out = ctlib.to_channels(HU, dtype=np.uint8, function=function)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(
            out[..., 2], ctlib.window(HU, "bone", dtype=np.uint8, function=function)
        )

    def test_mixed_window_forms(self) -> None:
        """Names, Window objects and (center, width) pairs; any number of channels."""
        out = ctlib.to_channels(HU, ["stroke", ctlib.Window(80, 200), (600, 2800), (40, 80)])
        assert out.shape == (64, 48, 4)
        np.testing.assert_array_equal(out[..., 3], ctlib.window(HU, 40, 80))

    def test_input_untouched(self) -> None:
        """The HU image is never modified."""
        hu = HU.copy()
        ctlib.to_channels(hu)
        np.testing.assert_array_equal(hu, HU)

    @pytest.mark.parametrize(
        ("windows", "message"),
        [([], "windows is empty"), ([40], "Window, a preset name or a \\(center, width\\)"),
         (["lung"], "no window preset called 'lung'"), ([(40, 0)], "width must be")],
    )
    def test_errors(self, windows: list, message: str) -> None:
        """Unusable window lists raise WindowError."""
        with pytest.raises(ctlib.WindowError, match=message):
            ctlib.to_channels(HU, windows)

    def test_linear_width_checked_per_channel(self) -> None:
        """A LINEAR width below 1 in any channel is refused, as in window()."""
        with pytest.raises(ctlib.WindowError, match=">= 1 for the LINEAR"):
            ctlib.to_channels(HU, ["brain", (40, 0.5)], function="linear")

    def test_nan_refused(self) -> None:
        """NaN is refused as in window()."""
        with pytest.raises(ctlib.WindowError, match="NaN"):
            ctlib.to_channels(np.array([[np.nan]]))

    def test_width_one_threshold_channel(self) -> None:
        """A LINEAR W = 1 channel is the threshold window() gives."""
        out = ctlib.to_channels(HU, [(40, 1), "brain"], function="linear")
        np.testing.assert_array_equal(out[..., 0], ctlib.window(HU, 40, 1, function="linear"))
