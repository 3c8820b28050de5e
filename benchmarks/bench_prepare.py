"""Speed of ctlib.prepare on Dask against a plain loop doing the same work, and its memory.

Run with ``make bench``. The synthetic set's series (645 readable files when the full set is built)
are listed 16 times under different keys, 10,320 files in all, so the run is long enough to measure
a steady rate; the copies are the same files, read from the page cache (warm), so the figures
measure decoding, HU, windowing, cropping, resizing and writing, not the disk.

Contenders, in the same run:

* a plain loop in this process: for each series, ``ctlib.training.series_inputs`` then
  ``numpy.save`` (exactly the work of one Dask task, without Dask);
* ``ctlib.training.prepare_series`` on a ``LocalCluster`` of 1 worker, then of 2 workers.

Printed: files/s, ratios against the targets, each worker's peak resident memory, and the
time the measured rates imply for the 874,035 images of the RSNA set, on this machine and on a
64-core cluster (the per-worker rate times 64: an upper bound, as a real cluster's shared disk
will be slower than this page cache).
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from distributed import Client

import ctlib
from ctlib.training import Settings, local_cluster, plan, prepare_series, series_inputs

COPIES = 16
RSNA_IMAGES = 874_035


def peak_rss_mib() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plain_loop(groups: dict[str, list[str]], out: Path, settings: Settings) -> None:
    for key, paths in groups.items():
        array, status = series_inputs(paths, settings)
        np.save(out / f"{key}.npy", array)
        status.to_csv(out / f"{key}.csv", index=False)


def on_dask(groups: dict[str, list[str]], out: Path, settings: Settings,
            workers: int) -> tuple[float, list[float]]:
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        start = time.perf_counter()
        prepare_series(groups, out, settings, client, progress=False)
        seconds = time.perf_counter() - start
        peaks = client.run(peak_rss_mib)
    return seconds, sorted(peaks.values())


def main() -> None:
    data = ctlib.open_data()
    todo = plan(data, progress=False)
    readable = todo[todo["status"] == ""]
    series = {str(uid): sorted(rows["path"]) for uid, rows in readable.groupby("series")}
    groups = {f"{uid}-{k:02d}": paths for k in range(COPIES) for uid, paths in series.items()}
    files = sum(len(paths) for paths in groups.values())
    settings = Settings.make(256, ("brain", "subdural", "soft_tissue"), 1)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {files} files "
          f"({len(series)} series x {COPIES}), size 256, 3 windows, uint8")

    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("plain loop", "dask, 1 worker", "dask, 2 workers"):
            out = folder / "series"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            if name == "plain loop":
                before = peak_rss_mib()
                start = time.perf_counter()
                plain_loop(groups, out, settings)
                seconds = time.perf_counter() - start
                memory = f"peak RSS {peak_rss_mib():.0f} MiB (was {before:.0f} before)"
            else:
                workers = 1 if "1 worker" in name else 2
                seconds, peaks = on_dask(groups, folder, settings, workers)
                memory = "worker peak RSS " + ", ".join(f"{p:.0f}" for p in peaks) + " MiB"
            rates[name] = files / seconds
            print(f"{name:<18} {seconds:7.1f} s  {rates[name]:6.0f} files/s   {memory}")

    one, two, loop = rates["dask, 1 worker"], rates["dask, 2 workers"], rates["plain loop"]
    print()
    print(f"2 workers / 1 worker (target >= 1.7x)          {two / one:5.2f}x  "
          f"{'met' if two / one >= 1.7 else 'MISSED'}")
    print(f"plain loop / 1 worker (target <= 1.3x)         {loop / one:5.2f}x  "
          f"{'met' if loop / one <= 1.3 else 'MISSED'}")
    per_worker = two / 2
    print()
    print(f"the RSNA set ({RSNA_IMAGES:,} images): {RSNA_IMAGES / two / 3600:.1f} h on this "
          f"machine (2 workers); {RSNA_IMAGES / (per_worker * 64) / 60:.0f} min on 64 cores "
          f"at {per_worker:.0f} files/s each")


if __name__ == "__main__":
    main()
