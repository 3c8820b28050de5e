"""Speed and memory of ctlib.load_series against the loop learners write and the raw I/O floor.

Run with ``make bench``. A 64-slice 512×512 series is written to a temporary folder (a synthetic
header, new positions, shuffled file names) and loaded by every contender in the same run; times
are medians printed as ratios to the raw floor (read every file's bytes + ``np.frombuffer``), so
they mean something on a noisy machine. One process; load_series reads and converts pixel data
in up to four threads (ctlib._internals.slices.READ_THREADS, at most one per CPU). Peak memory is
measured with tracemalloc and printed as a multiple of the final volume's size. Nothing here is
a pass/fail test: targets are printed next to the measured values.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from pydicom.uid import generate_uid

import ctlib
from ctlib._internals.elements import read_header

SLICES = 64
SPACING_MM = 5.0


def write_series(folder: Path) -> list[Path]:
    """64 slices of a synthetic series' header and images, at new positions, names shuffled."""
    data = ctlib.open_data()
    entry = data.series("subdural-acute")
    sources = [pydicom.dcmread(data.path(sop)) for sop in entry["files"]]
    template = sources[0]
    names = np.random.default_rng(0).permutation(SLICES)
    first = np.array(template.ImagePositionPatient, dtype=float)
    paths = []
    with ctlib.allow_rsna_uids():  # the synthetic header's RSNA-style UIDs are replaced
        template.StudyInstanceUID = generate_uid()
        template.SeriesInstanceUID = generate_uid()
        for k in range(SLICES):
            template.SOPInstanceUID = generate_uid()
            template.file_meta.MediaStorageSOPInstanceUID = template.SOPInstanceUID
            position = first + np.array([0.0, 0.0, k * SPACING_MM])
            template.ImagePositionPatient = [f"{v:.6f}" for v in position]
            template.PixelData = sources[k % len(sources)].PixelData
            path = folder / f"{names[k]:08x}.dcm"
            template.save_as(path, enforce_file_format=True)
            paths.append(path)
    return paths


def raw_floor(paths: list[Path]) -> list[np.ndarray]:
    """Read every file's bytes and view its pixels with np.frombuffer: no parsing, no HU."""
    pixels = 512 * 512
    out = []
    for path in paths:
        raw = path.read_bytes()
        out.append(np.frombuffer(raw, np.int16, count=pixels, offset=len(raw) - 2 * pixels))
    return out


def naive(paths: list[Path]) -> np.ndarray:
    """The usual loop: dcmread each file, sort by z, stack pixel_array, rescale."""
    slices = [pydicom.dcmread(path) for path in paths]
    slices.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    volume = np.stack([ds.pixel_array for ds in slices]).astype(np.float32)
    return volume * float(slices[0].RescaleSlope) + float(slices[0].RescaleIntercept)


def per_file(paths: list[Path]) -> np.ndarray:
    """ctlib.read + ctlib.to_hu per file, sorted along the normal, then np.stack."""
    datasets = [ctlib.read(path) for path in paths]
    datasets.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    return np.stack([ctlib.to_hu(ds) for ds in datasets])


def header_pass(paths: list[Path]) -> list[pydicom.Dataset]:
    """Parsing every header once with dcmread (what the naive loop pays at least)."""
    return [pydicom.dcmread(path, stop_before_pixels=True) for path in paths]


def fast_header_pass(paths: list[Path]) -> list[pydicom.Dataset]:
    """What load_series pays for headers: ctlib._internals.elements.read_header (pydicom's element
    generator straight into a FileDataset)."""
    out = []
    for path in paths:
        with open(path, "rb") as stream:
            out.append(read_header(stream))
    return out


def new_volume() -> np.ndarray:
    """What the floor does not pay: writing a new float32 volume (page faults included)."""
    volume = np.empty((SLICES, 512, 512), np.float32)
    volume.fill(-1000.0)
    return volume


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of one call over ``repeat`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak memory traced by tracemalloc during one call (the result included)."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def main() -> int:
    warnings.simplefilter("error")  # a warning here would be a bug in the benchmark series
    with tempfile.TemporaryDirectory(prefix="bench_series_") as tmp:
        folder = Path(tmp)
        paths = write_series(folder)

        volume = ctlib.load_series(folder)
        reference = per_file(paths)
        assert np.array_equal(volume.hu, reference), "load_series differs from to_hu(read(f))"
        plain = naive(paths)
        measured = plain >= ctlib.PADDING_BELOW_HU  # the naive loop keeps the padding
        assert np.array_equal(plain[measured], reference[measured])
        del plain, measured

        contenders: dict[str, tuple[Callable[[], object], int]] = {
            "raw floor: read bytes + frombuffer": (lambda: raw_floor(paths), 15),
            "ctlib.load_series(folder)": (lambda: ctlib.load_series(folder), 15),
            "naive dcmread/sort/stack/rescale": (lambda: naive(paths), 7),
            "ctlib.read + to_hu per file, stack": (lambda: per_file(paths), 7),
            "  part: header pass, dcmread": (lambda: header_pass(paths), 15),
            "  part: header pass, read_header": (lambda: fast_header_pass(paths), 15),
            "  part: write a new float32 volume": (new_volume, 15),
        }
        times = {name: median_seconds(fn, repeat) for name, (fn, repeat) in contenders.items()}
        peaks = {
            "ctlib.load_series(folder)": peak_bytes(lambda: ctlib.load_series(folder)),
            "naive dcmread/sort/stack/rescale": peak_bytes(lambda: naive(paths)),
            "ctlib.read + to_hu per file, stack": peak_bytes(lambda: per_file(paths)),
        }

    size = volume.hu.nbytes
    print(f"numpy {np.__version__}, pydicom {pydicom.__version__}, Python {sys.version.split()[0]}")
    print(f"{SLICES} slices of 512x512 int16 (explicit VR little endian), shuffled names, one "
          f"process; volume {size / 2**20:.0f} MiB float32; median of repeated loads\n")
    floor = times["raw floor: read bytes + frombuffer"]
    print(f"{'contender':36s} {'median':>10s} {'x floor':>8s} {'peak/volume':>12s}")
    for name, seconds in times.items():
        peak = f"{peaks[name] / size:11.2f}x" if name in peaks else f"{'':12s}"
        print(f"{name:36s} {seconds * 1e3:7.1f} ms {seconds / floor:8.2f} {peak}")

    load = times["ctlib.load_series(folder)"]
    ratios = [
        ("load_series vs raw floor (target <= 2.5x)", load / floor, lambda r: r <= 2.5),
        ("naive / load_series", times["naive dcmread/sort/stack/rescale"] / load, None),
        ("per-file ctlib / load_series", times["ctlib.read + to_hu per file, stack"] / load, None),
        ("load_series peak / volume (target <= 1.5x)",
         peaks["ctlib.load_series(folder)"] / size, lambda r: r <= 1.5),
    ]
    print()
    for label, ratio, target in ratios:
        mark = "" if target is None else ("  met" if target(ratio) else "  MISSED")
        print(f"{label:46s} {ratio:6.2f}x{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
