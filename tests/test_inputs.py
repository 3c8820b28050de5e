"""Model inputs (ctlib.inputs): windows as channels, the head cropped, one size, neighbours."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import ctlib
from ctlib.crop import series_box
from ctlib.inputs import MODEL_WINDOWS, is_blank, model_input, neighbours, stack_25d


@pytest.fixture(scope="module")
def slice_hu() -> np.ndarray:
    data = ctlib.open_data("sample")
    sop, _ = data.key_slice("subdural-acute")
    return ctlib.to_hu(ctlib.read(data.path(sop)))


def test_channels_are_the_windows_of_the_cropped_head(slice_hu: np.ndarray) -> None:
    """Each channel is ctlib.window of the head's square, resized: checked without cropping."""
    x = model_input(slice_hu, size=512, crop=False, dtype=np.float32)
    for k, name in enumerate(MODEL_WINDOWS):
        expected = ctlib.window(slice_hu, name)
        np.testing.assert_allclose(x[k], expected, atol=1e-6)


def test_crop_spends_the_pixels_on_the_head(slice_hu: np.ndarray) -> None:
    cropped, whole = model_input(slice_hu, size=256), model_input(slice_hu, size=256, crop=False)
    head = [np.count_nonzero(x[2] > 0) for x in (cropped, whole)]  # soft tissue window
    assert head[0] > 1.3 * head[1]


@pytest.mark.parametrize("shape", [(512, 512), (400, 300), (768, 768), (256, 512)])
def test_any_size_in_gives_one_size_out(shape: tuple[int, int]) -> None:
    """A few RSNA images are not 512 x 512; the model sees the same size and scale."""
    hu = np.full(shape, -1024.0)
    r, c = np.indices(shape)
    hu[np.hypot((r - shape[0] / 2) / shape[0], (c - shape[1] / 2) / shape[1]) < 0.3] = 40
    x = model_input(hu, size=128)
    assert x.shape == (3, 128, 128) and x.dtype == np.uint8
    assert x[0, 64, 64] == 128  # 40 HU is mid-grey in the brain window (40/80)


def test_resizing_agrees_with_scipy_zoom() -> None:
    rng = np.random.default_rng(0)
    hu = rng.normal(40, 30, (100, 100))
    x = model_input(hu, ["brain"], size=50, crop=False, dtype=np.float32)[0]
    zoomed = ndimage.zoom(hu.astype(np.float32), 0.5, order=1, mode="nearest", grid_mode=True)
    np.testing.assert_allclose(x, ctlib.window(zoomed, "brain"), atol=1e-6)


def test_blank_slices() -> None:
    assert is_blank(np.full((512, 512), -3024.0))
    hu = np.full((512, 512), -1024.0)
    hu[:2, :] = 500  # a line of the table only
    assert is_blank(hu)
    x = model_input(np.full((512, 512), -1024.0), size=64)
    assert x.shape == (3, 64, 64) and x.max() == 0


@pytest.mark.parametrize(("kwargs", "message"), [({"size": 4}, "size"),
                                                 ({"dtype": np.int16}, "dtype")])
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ctlib.ArgumentError, match=message):
        model_input(np.zeros((32, 32)), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ctlib.ArgumentError, match="one slice"):
        model_input(np.zeros((2, 32, 32)))


def test_neighbours_repeat_the_edges() -> None:
    assert neighbours(5, 2, 2).tolist() == [0, 1, 2, 3, 4]
    assert neighbours(5, 4, 1).tolist() == [3, 4, 4]
    assert neighbours(1, 0, 1).tolist() == [0, 0, 0]
    assert neighbours(5, 2, 0).tolist() == [2]
    with pytest.raises(ctlib.ArgumentError, match="not a slice"):
        neighbours(5, 5)
    with pytest.raises(ctlib.ArgumentError, match="context"):
        neighbours(5, 2, -1)


def test_stack_25d_orders_below_to_above() -> None:
    series = np.arange(6, dtype=np.uint8)[:, None, None, None] * np.ones((6, 2, 4, 4), np.uint8)
    series[:, 1] += 100  # the second window
    stacked = stack_25d(series, 3, context=1)
    assert stacked.shape == (6, 4, 4)
    assert stacked[:, 0, 0].tolist() == [2, 102, 3, 103, 4, 104]
    with pytest.raises(ctlib.ArgumentError, match="slices, channels"):
        stack_25d(series[0], 0)


def test_a_given_box_crops_every_slice_alike() -> None:
    """Cropped to one box, a point that does not move through the series stays on one pixel
    of every slice's input; cropped each to its own head, it moves."""
    volume = np.full((2, 128, 128), -1000.0)
    volume[0, 50:70, 50:70] = 40.0  # a small section
    volume[1, 10:110, 10:110] = 40.0  # a wide one
    volume[:, 52, 52] = 1000.0  # a mark at one place in the head, off its centre
    box = series_box(volume)
    marks = [np.unravel_index(np.argmax(model_input(s, ("bone",), size=64, box=box,
                                                    dtype=np.float32)[0]), (64, 64))
             for s in volume]
    own = [np.unravel_index(np.argmax(model_input(s, ("bone",), size=64,
                                                  dtype=np.float32)[0]), (64, 64))
           for s in volume]
    assert marks[0] == marks[1]
    assert own[0] != own[1]


def test_an_empty_box_is_refused() -> None:
    with pytest.raises(ctlib.ArgumentError, match="holds no pixel"):
        model_input(np.zeros((32, 32)), box=(slice(40, 50), slice(0, 10)))
