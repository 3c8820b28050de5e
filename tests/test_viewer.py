"""Tests of ctlib.viewer: the pure render functions, then the widget driven from Python."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image

import ctlib
from ctlib.viewer import (
    HIST_RANGE,
    encode_png,
    histogram_counts,
    outline,
    probe_text,
    render_histogram,
    render_slice,
    show,
)

HU = np.linspace(-200, 300, 3 * 64 * 48, dtype=np.float32).reshape(3, 64, 48)
MASK = np.zeros(HU.shape, np.uint8)
MASK[1, 20:30, 10:20] = 5


def decode(png: bytes) -> np.ndarray:
    """PNG bytes → array: greys as 2-D, anything with colour as RGB."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    rgb = np.asarray(image)
    if (rgb == rgb[..., :1]).all():
        return rgb[..., 0]
    return rgb


class TestRenderSlice:
    """The windowed slice and its outline."""

    def test_grey_is_the_window(self) -> None:
        """Without a mask: exactly ctlib.window as uint8."""
        np.testing.assert_array_equal(render_slice(HU[0], 40, 80),
                                      ctlib.window(HU[0], 40, 80, dtype=np.uint8))

    def test_outline_red(self) -> None:
        """With a mask: RGB, outline pixels red, the rest grey."""
        edge = outline(MASK[1] > 0)
        rgb = render_slice(HU[1], 40, 80, edge)
        assert rgb.shape == (64, 48, 3)
        assert (rgb[edge] == [255, 40, 40]).all()
        grey = ctlib.window(HU[1], 40, 80, dtype=np.uint8)
        np.testing.assert_array_equal(rgb[~edge][:, 0], grey[~edge])
        assert edge.sum() == 36 and not edge[25, 15]  # a 10x10 square's border only


class TestHistogram:
    """Counts, band and curve."""

    def test_counts(self) -> None:
        """Counts over the panel's range sum to the pixels inside it."""
        counts = histogram_counts(HU[0])
        inside = ((HU[0] >= HIST_RANGE[0]) & (HU[0] <= HIST_RANGE[1])).sum()
        assert counts.sum() == inside and counts.size == 300

    def test_band_follows_window(self) -> None:
        """The shaded band moves with the center and widens with the width."""
        counts = np.zeros(300, int)
        band = lambda c, w: (render_histogram(counts, c, w)[0] == (215, 232, 250)).all(axis=1)
        narrow, wide, moved = band(40, 80), band(40, 800), band(600, 80)
        assert 0 < narrow.sum() < wide.sum()
        assert np.flatnonzero(moved).min() > np.flatnonzero(narrow).max()

    def test_curve_rises(self) -> None:
        """The orange curve goes from the bottom (black) to the top (white) left to right."""
        img = render_histogram(np.zeros(300, int), 40, 400)
        orange = (img == (240, 130, 20)).all(axis=2)
        rows = [np.flatnonzero(orange[:, col]).max() for col in range(300)]
        assert rows[0] == img.shape[0] - 1 and min(rows) <= 1
        assert all(a >= b for a, b in itertools.pairwise(rows))


class TestProbe:
    """The HU read-out."""

    def test_value_and_outside(self) -> None:
        """Reads a pixel; says so when outside."""
        assert probe_text(HU[0], 0, 0) == "HU at row 0, column 0: -200"
        assert "outside the 64×48 image" in probe_text(HU[0], 70, 0)


class TestViewer:
    """The widget, driven as a user would."""

    def test_center_and_width_redraw(self) -> None:
        """Sliders change the image, the histogram and the title."""
        viewer = show(HU, engine="kernel")
        before, hist = viewer.image.value, viewer.histogram.value
        viewer.center.value = 100
        viewer.width.value = 120
        assert viewer.image.value != before and viewer.histogram.value != hist
        k = viewer.slice.value
        np.testing.assert_array_equal(decode(viewer.image.value),
                                      ctlib.window(HU[k], 100, 120, dtype=np.uint8))
        assert viewer.title.value == f"<b>C 100 / W 120 · slice {k + 1}/3</b>"
        assert viewer.presets.value is None

    def test_preset_sets_both(self) -> None:
        """A preset sets center and width in one redraw and stays selected."""
        viewer = show(HU, engine="kernel")
        viewer.presets.value = "bone"
        assert (viewer.center.value, viewer.width.value) == (600, 2800)
        assert viewer.presets.value == "bone"
        assert viewer.title.value.startswith("<b>bone · C 600 / W 2800")

    def test_slice_and_mask_toggle(self) -> None:
        """The slice slider shows that slice; the outline appears and disappears."""
        viewer = show(HU, MASK, engine="kernel")
        viewer.slice.value = 1
        shown = decode(viewer.image.value)
        assert shown.ndim == 3 and (shown == [255, 40, 40]).all(axis=2).sum() == 36
        grey = np.minimum(ctlib.window(HU[1], 40, 80, dtype=np.uint8), 254)
        edge = outline(MASK[1] > 0)
        np.testing.assert_array_equal(shown[~edge][:, 0], grey[~edge])
        viewer.masks_on.value = False
        assert decode(viewer.image.value).ndim == 2

    def test_probe_follows_slice(self) -> None:
        """The read-out updates with coordinates and slice."""
        viewer = show(HU, engine="kernel")
        viewer.row.value, viewer.column.value = 0, 0
        viewer.slice.value = 2
        assert viewer.readout.value == probe_text(HU[2], 0, 0)

    def test_single_slice(self) -> None:
        """A 2-D image: no slice slider to move, no slice in the title."""
        viewer = show(HU[0], engine="kernel")
        assert viewer.slice.disabled
        assert "slice" not in viewer.title.value

    def test_min_is_multiple_of_step(self) -> None:
        """Slider minima are multiples of their step, so values never snap."""
        viewer = show(HU, engine="kernel")
        for slider in (viewer.center, viewer.width, viewer.slice):
            assert slider.min % slider.step == 0

    def test_static_figure(self) -> None:
        """The same view as a matplotlib figure, for pages without a kernel."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = show(HU, MASK, engine="kernel").figure()
        assert len(fig.axes) == 2
        plt.close(fig)

    def test_bad_masks(self) -> None:
        """Masks of another shape are refused."""
        with pytest.raises(ctlib.ArgumentError, match="masks have shape"):
            show(HU, MASK[0, :10], engine="kernel")


def test_fast_path_is_exact_without_mask() -> None:
    """Without an outline the palette PNG holds exactly the window's grey levels."""
    from ctlib.viewer import encode_slice_png

    png = encode_slice_png(HU[0], 40, 80)
    np.testing.assert_array_equal(decode(png), ctlib.window(HU[0], 40, 80, dtype=np.uint8))


def test_encode_png_round_trip() -> None:
    """encode_png is lossless."""
    rgb = np.random.default_rng(0).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode(encode_png(rgb)), rgb)


def test_the_default_engine_windows_in_the_browser() -> None:
    from ctlib.viewer_browser import BrowserViewer

    assert isinstance(show(HU), BrowserViewer)
    assert isinstance(show(HU, engine="kernel"), ctlib.viewer.Viewer)
    with pytest.raises(ctlib.ArgumentError, match="engine"):
        show(HU, engine="gpu")  # type: ignore[arg-type]
