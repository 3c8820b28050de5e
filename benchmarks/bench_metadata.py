"""Speed of ctlib.metadata_table against reading every image whole, and in two processes.

Run with ``make bench``. Every contender reads the same files (the whole data set of
:func:`ctlib.open_data`, 646 files when the synthetic set is built) in the same run, and
results are printed as ratios, so the figures mean something on a noisy machine. Nothing
here is a pass/fail test: targets are printed next to the measured ratios.

A second part times files with real scanners' headers (tests/scanners.py: GE in
Implicit VR, Siemens and Philips in Explicit VR, each with (0008,0005) Specific Character
Set, private groups and sequences, 512 × 512 images): metadata_table against a plain loop
of ``pydicom.dcmread(path, stop_before_pixels=True)`` and against decoding the pixels.

Two conditions are timed:

* warm: the files are in the operating system's page cache (as after a first pass), so
  the figures measure parsing and decoding;
* cold: before every run each file is dropped from the page cache with
  ``posix_fadvise(POSIX_FADV_DONTNEED)`` (Linux), as for a data set larger than memory
  such as the 450 GB RSNA download, so the figures include reading from disk.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pydicom
from pydicom.multival import MultiValue

import ctlib
from ctlib.metadata import HEADER_KEYWORDS, metadata_table

#: How often each contender runs; the median is reported.
REPEAT = {"warm": 7, "cold": 3}


def naive_table(files: Sequence[Path]) -> pd.DataFrame:
    """The 2019 RSNA Kaggle way: read each file whole, decode its pixels, collect elements.

    Files that fail to decode (the truncated one) get their exception in ``error``, as a
    ``try``/``except`` in those kernels would skip them.
    """
    rows = []
    with ctlib.allow_rsna_uids():
        for path in files:
            ds = pydicom.dcmread(path)
            row: dict[str, Any] = {"file": path.name}
            try:
                ds.pixel_array  # noqa: B018 - decoding is the cost being measured
            except ValueError as exc:
                row["error"] = str(exc)
            for keyword in HEADER_KEYWORDS:
                value = ds.get(keyword)
                if isinstance(value, MultiValue):
                    row.update({f"{keyword}_{i}": item for i, item in enumerate(value)})
                elif value is not None:
                    row[keyword] = value
            rows.append(row)
    return pd.DataFrame(rows)


def evict(files: Sequence[Path]) -> None:
    """Drop the files' pages from the page cache, so that the next read comes from disk."""
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def median_seconds(
    fn: Callable[[], object], files: Sequence[Path], *, condition: str
) -> float:
    """Median time of one call over :data:`REPEAT` runs, after one run to warm up."""
    fn()
    times = []
    for _ in range(REPEAT[condition]):
        if condition == "cold":
            evict(files)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scanner_headers() -> list[tuple[str, float | None, Callable[[float], bool] | None]]:
    """Time metadata_table on files written as GE, Siemens and Philips scanners write them."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import scanners

    with tempfile.TemporaryDirectory() as folder:
        files: list[Path] = []
        for vendor in sorted(scanners.VENDORS):
            files += scanners.write_series(Path(folder) / vendor,
                                           scanners.even(step=1.0, count=100), vendor=vendor,
                                           size=512, pixel_mm=0.4)
        # Same values as pydicom's before comparing speed.
        table = metadata_table(files, progress=False)
        for path, row in zip(files, table.itertuples(index=False), strict=True):
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            for keyword in ("PatientID", "SeriesInstanceUID", "ImagePositionPatient",
                            "WindowCenter", "RescaleIntercept", "PixelRepresentation"):
                value = ds.get(keyword)
                values = list(value) if isinstance(value, MultiValue) else [value]
                for k, item in enumerate(values):
                    column = f"{keyword}_{k}" if len(values) > 1 or keyword in (
                        "ImagePositionPatient", "WindowCenter") else keyword
                    got = getattr(row, column)
                    assert str(got) == str(item) or float(got) == float(item), (column, got, item)

        def pydicom_headers() -> None:
            for path in files:
                pydicom.dcmread(path, stop_before_pixels=True)

        def pixels() -> None:
            for path in files:
                pydicom.dcmread(path).pixel_array  # noqa: B018 - the cost measured

        times = {
            "metadata_table": median_seconds(lambda: metadata_table(files, progress=False),
                                             files, condition="warm"),
            "pydicom headers": median_seconds(pydicom_headers, files, condition="warm"),
            "pixels": median_seconds(pixels, files, condition="warm"),
        }
    print(f"\n{len(files)} files with GE/Siemens/Philips-like headers (512 x 512), warm:")
    for name, seconds in times.items():
        print(f"{name:42s} {seconds:7.3f} s {len(files) / seconds:9.0f}")
    return [
        ("scanner headers: dcmread loop / metadata_table (target >= 2x)",
         times["pydicom headers"] / times["metadata_table"], lambda r: r >= 2),
        ("scanner headers: decoding pixels / metadata_table (target >= 5x)",
         times["pixels"] / times["metadata_table"], lambda r: r >= 5),
    ]


def main() -> int:
    data = ctlib.open_data()
    files = data.files()
    many = files * 4  # more paths per call, so starting the workers weighs less

    # Same answer before comparing speed: the naive table holds the values metadata_table reads.
    ours = metadata_table(files, progress=False)
    naive = naive_table(files)
    for column in ("SOPInstanceUID", "Rows", "WindowCenter_1", "RescaleIntercept",
                   "ImagePositionPatient_2"):
        assert ours[column].astype(object).equals(naive[column].astype(object)), column
    assert ours["error"].notna().tolist() == naive["error"].notna().tolist()

    start = time.perf_counter()
    metadata_table(files[:8], workers=2, progress=False)  # starts this process's fork server
    first_parallel = time.perf_counter() - start

    contenders: dict[str, tuple[Callable[[], object], Sequence[Path], str]] = {
        "naive dcmread + pixel_array, warm": (lambda: naive_table(files), files, "warm"),
        "metadata_table, warm": (lambda: metadata_table(files, progress=False), files, "warm"),
        "metadata_table workers=2, warm": (
            lambda: metadata_table(files, workers=2, progress=False), files, "warm"),
        "metadata_table, 4x paths, warm": (
            lambda: metadata_table(many, progress=False), many, "warm"),
        "metadata_table workers=2, 4x paths, warm": (
            lambda: metadata_table(many, workers=2, progress=False), many, "warm"),
    }
    if hasattr(os, "posix_fadvise"):
        contenders |= {
            "naive dcmread + pixel_array, cold": (lambda: naive_table(files), files, "cold"),
            "metadata_table, cold": (
                lambda: metadata_table(files, progress=False), files, "cold"),
            "metadata_table workers=2, cold": (
                lambda: metadata_table(files, workers=2, progress=False), files, "cold"),
        }
    times = {name: median_seconds(fn, paths, condition=condition)
             for name, (fn, paths, condition) in contenders.items()}

    print(f"pandas {pd.__version__}, pydicom {pydicom.__version__}, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{len(files)} files of the {data.name} set ({len(many)} paths for '4x paths'); "
          "median time per table")
    print("warm: files in the page cache; cold: dropped from it before each run "
          "(posix_fadvise DONTNEED)\n")
    print(f"{'contender':42s} {'median':>9s} {'files/s':>9s}")
    for name, seconds in times.items():
        count = len(contenders[name][1])
        print(f"{name:42s} {seconds:7.3f} s {count / seconds:9.0f}")
    print(f"{'first workers=2 call (starts fork server)':42s} {first_parallel:7.3f} s")

    def ratio(slow: str, fast: str) -> float | None:
        return times[slow] / times[fast] if slow in times and fast in times else None

    ratios = [
        ("naive / metadata_table, warm (target >= 5x)",
         ratio("naive dcmread + pixel_array, warm", "metadata_table, warm"), lambda r: r >= 5),
        ("naive / metadata_table, cold (target >= 5x)",
         ratio("naive dcmread + pixel_array, cold", "metadata_table, cold"), lambda r: r >= 5),
        ("serial / workers=2, warm (ideal 2x on 2 CPUs)",
         ratio("metadata_table, warm", "metadata_table workers=2, warm"), None),
        ("serial / workers=2, 4x paths, warm",
         ratio("metadata_table, 4x paths, warm", "metadata_table workers=2, 4x paths, warm"),
         None),
        ("serial / workers=2, cold",
         ratio("metadata_table, cold", "metadata_table workers=2, cold"), None),
    ]
    ratios += scanner_headers()
    print()
    for label, value, target in ratios:
        if value is None:
            print(f"{label:64s}    n/a (no posix_fadvise)")
            continue
        mark = "" if target is None else ("  met" if target(value) else "  MISSED")
        print(f"{label:64s} {value:6.1f}x{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
