"""Speed of ctlib.window and ctlib.to_channels against the code learners usually copy.

Run with ``make bench``. Every contender is timed in the same run on the same 512×512 int16
slice, and results are printed as ratios, so the figures mean something on a noisy machine.
Nothing here is a pass/fail test: targets are printed next to the measured ratios.
"""

from __future__ import annotations

import statistics
import sys
import timeit
from collections.abc import Callable

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels import apply_modality_lut, apply_windowing

import ctlib

CENTER, WIDTH = 40, 80


def head_like_slice(seed: int = 0) -> np.ndarray:
    """A 512×512 int16 HU image shaped like an axial head slice: air, skull, brain, noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[-256:256, -256:256] / 256.0
    r = np.hypot(x / 0.78, y / 0.92)
    hu = np.full((512, 512), -1000.0)
    hu[r < 1.0] = 1200.0  # skull
    hu[r < 0.93] = 35.0  # brain
    hu[(r < 0.93) & (np.abs(x) < 0.04)] = 5.0  # a CSF-like midline
    hu += rng.normal(0, 4, hu.shape)
    hu[np.hypot(x, y) > 0.98] = -3024.0  # padding outside the scan circle
    return hu.round().astype(np.int16)


def naive_window(img: np.ndarray, center: float, width: float,
                 slope: float = 1.0, intercept: float = 0.0) -> np.ndarray:
    """The function from the 2019 RSNA Kaggle kernels that tutorials copy, plus its [0, 1] step."""
    img = img * slope + intercept
    img_min = center - width // 2
    img_max = center + width // 2
    img[img < img_min] = img_min
    img[img > img_max] = img_max
    return (img - img_min) / (img_max - img_min)


def pydicom_dataset() -> Dataset:
    """Header for pydicom's processing functions: signed 16-bit, slope 1, intercept 0, 40/80."""
    ds = Dataset()
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsStored, ds.PixelRepresentation = 16, 1
    ds.RescaleSlope, ds.RescaleIntercept = 1, 0
    ds.WindowCenter, ds.WindowWidth = CENTER, WIDTH
    return ds


def median_seconds(fn: Callable[[], object], *, repeat: int = 41, budget: float = 0.02) -> float:
    """Median time of one call, over ``repeat`` batches sized to about ``budget`` seconds each."""
    fn()  # warm up caches and the allocator
    once = timeit.timeit(fn, number=1)
    number = max(1, int(budget / max(once, 1e-7)))
    times = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(times) / number


def main() -> int:
    hu = head_like_slice()
    dst = np.empty_like(hu)
    ds = pydicom_dataset()
    windows = [ctlib.PRESETS[name] for name in ("brain", "subdural", "bone")]

    # Same answer before comparing speed: the naive clip is LINEAR_EXACT for even widths.
    diff = np.abs(ctlib.window(hu, CENTER, WIDTH) - naive_window(hu, CENTER, WIDTH)).max()
    assert diff < 1e-6, diff

    def naive_channels() -> np.ndarray:
        return np.stack([naive_window(hu, w.center, w.width) for w in windows], axis=-1)

    contenders: dict[str, Callable[[], object]] = {
        "numpy.copyto (memory floor)": lambda: np.copyto(dst, hu),
        "ctlib.window float32": lambda: ctlib.window(hu, CENTER, WIDTH),
        "ctlib.window uint8": lambda: ctlib.window(hu, CENTER, WIDTH, dtype=np.uint8),
        "naive clip-and-rescale": lambda: naive_window(hu, CENTER, WIDTH),
        "pydicom modality LUT + windowing": lambda: apply_windowing(apply_modality_lut(hu, ds), ds),
        "ctlib.to_channels (3 windows)": lambda: ctlib.to_channels(hu),
        "naive x3 + numpy.stack": naive_channels,
    }
    times = {name: median_seconds(fn) for name, fn in contenders.items()}

    print(f"numpy {np.__version__}, pydicom {pydicom.__version__}, Python {sys.version.split()[0]}")
    print(f"512x512 int16 slice, window C {CENTER} / W {WIDTH}; median time per call\n")
    floor = times["numpy.copyto (memory floor)"]
    print(f"{'contender':36s} {'median':>10s} {'x copy':>8s}")
    for name, seconds in times.items():
        print(f"{name:36s} {seconds * 1e6:8.1f} us {seconds / floor:8.1f}")

    ratios = [
        ("ctlib.window vs copy (target <= 10x)",
         times["ctlib.window float32"] / floor, lambda r: r <= 10),
        ("naive / ctlib.window (target >= 3.5x)",
         times["naive clip-and-rescale"] / times["ctlib.window float32"], lambda r: r >= 3.5),
        ("pydicom / ctlib.window",
         times["pydicom modality LUT + windowing"] / times["ctlib.window float32"], None),
        ("naive x3 + stack / to_channels (target >= 3x)",
         times["naive x3 + numpy.stack"] / times["ctlib.to_channels (3 windows)"],
         lambda r: r >= 3),
    ]
    print()
    for label, ratio, target in ratios:
        mark = "" if target is None else ("  met" if target(ratio) else "  MISSED")
        print(f"{label:46s} {ratio:6.1f}x{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
