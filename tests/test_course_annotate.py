"""Arrows, letters, scale bars and insets drawn on slices (ctlib.course.annotate)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from ctlib.course.annotate import MARGIN, Mark, mark, orientation_letters, scale_bar, zoom_inset

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture
def ax():
    _, ax = plt.subplots()
    ax.imshow(np.zeros((200, 200)))
    yield ax
    plt.close(ax.figure)


def test_side_labels_never_cover_the_image(ax) -> None:
    marks = [Mark(f"sign {k}", row=20 + 3 * k, col=60 + 80 * (k % 2)) for k in range(8)]
    mark(ax, marks)
    x0, x1 = sorted(ax.get_xlim())
    assert x1 - x0 == pytest.approx(200 * (1 + 2 * MARGIN))
    for text in ax.texts:
        x, _ = text.get_position()
        assert x < 0 or x > 199, text.get_text()
        assert text.xy[0] in (60, 140)  # the arrow still points at the mark


def test_side_labels_are_spread_apart(ax) -> None:
    mark(ax, [Mark(f"sign {k}", row=100, col=20) for k in range(5)])  # all at one point
    heights = sorted(text.get_position()[1] for text in ax.texts)
    assert min(np.diff(heights)) >= 0.06 * 200 - 1e-9
    assert 0 <= heights[0] and heights[-1] <= 200


def test_ray_labels_lie_on_the_ray_from_the_centre(ax) -> None:
    mark(ax, [Mark("up", row=60, col=100)], layout="rays", length=40)
    (label,) = ax.texts
    assert label.get_position() == pytest.approx((100, 20))


@pytest.mark.parametrize(("plane", "left", "top"), [("axial", "R", "A"), ("coronal", "R", "S"),
                                                    ("sagittal", "A", "S")])
def test_orientation_letters(ax, plane: str, left: str, top: str) -> None:
    letters = {t.get_text(): t.get_position() for t in orientation_letters(ax, plane).texts}
    assert min(letters, key=lambda k: letters[k][0]) == left
    assert min(letters, key=lambda k: letters[k][1]) == top  # rows grow downwards


def test_scale_bar_is_its_length_in_pixels(ax) -> None:
    (line,) = scale_bar(ax, pixel_mm=0.5, length_mm=20).lines
    assert np.ptp(line.get_xdata()) == pytest.approx(40)


def test_zoom_inset_shows_the_box(ax) -> None:
    image = np.random.default_rng(0).random((200, 200))
    inset = zoom_inset(ax, image, (slice(50, 90), slice(10, 30)))
    assert inset.get_xlim() == (9.5, 29.5) and inset.get_ylim() == (89.5, 49.5)
    assert inset.get_images()[0].get_array().shape == (200, 200)
