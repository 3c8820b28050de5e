"""Tests of ctlib.widgets: the render functions and the widgets driven from Python."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

import ctlib
from ctlib.widgets import SliceViewer, WindowViewer, render_png, window_label

HU = np.linspace(-200, 300, 64 * 48, dtype=np.float32).reshape(64, 48)


def decode(png: bytes) -> np.ndarray:
    """PNG bytes → array."""
    return np.asarray(Image.open(io.BytesIO(png)))


class TestRender:
    """Pure functions behind the sliders."""

    def test_png_is_the_window(self) -> None:
        """The PNG decodes to exactly ctlib.window(..., uint8)."""
        np.testing.assert_array_equal(
            decode(render_png(HU, 40, 80)), ctlib.window(HU, 40, 80, dtype=np.uint8)
        )

    def test_label(self) -> None:
        """The label names the window and its HU range."""
        assert window_label(40, 80) == "C 40 / W 80 (HU 0 to 80)"


class TestWindowViewer:
    """Moving the sliders and presets changes the image and the label."""

    def test_sliders_redraw(self) -> None:
        """A new center gives a new image, matching the window at that center."""
        viewer = WindowViewer(HU)
        before = viewer.image.value
        viewer.center.value = 100
        assert viewer.image.value != before
        np.testing.assert_array_equal(
            decode(viewer.image.value), ctlib.window(HU, 100, 80, dtype=np.uint8)
        )
        assert "C 100 / W 80" in viewer.label.value
        assert viewer.buttons.value is None  # no longer the brain preset

    def test_preset_sets_both(self) -> None:
        """A preset button sets center and width together and is shown as selected."""
        viewer = WindowViewer(HU)
        viewer.buttons.value = "subdural"
        assert (viewer.center.value, viewer.width.value) == (80, 200)
        assert viewer.buttons.value == "subdural"
        np.testing.assert_array_equal(
            decode(viewer.image.value), ctlib.window(HU, 80, 200, dtype=np.uint8)
        )

    def test_widget_returned(self) -> None:
        """The factory returns a displayable widget."""
        viewer = WindowViewer(HU)
        assert viewer.widget.children[-1] is viewer.image
        assert "application/vnd.jupyter.widget-view+json" in viewer._repr_mimebundle_()


class TestSliceViewer:
    """The slice slider."""

    def test_slider_changes_slice(self) -> None:
        """Each slice position shows that slice."""
        volume = np.stack([np.full((8, 8), v, np.float32) for v in (0, 40, 80)])
        viewer = SliceViewer(volume)
        assert decode(viewer.image.value)[0, 0] == 128
        viewer.slider.value = 2
        assert decode(viewer.image.value)[0, 0] == 255
