"""Speed of one slider step of ctlib.viewer against redrawing a matplotlib figure.

Run with ``make bench``. A step is what the kernel does when a slider moves: window the
512x512 slice, compose the mask outline and the histogram panel, and encode both as PNG
for the browser. The naive way is the usual notebook code: ``imshow`` once, then for every
step ``set_data`` with the new window and a full ``fig.canvas.draw()`` (not even counting
the PNG encoding an inline display would add). Both are measured in the same run.
"""

from __future__ import annotations

import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import ctlib
from ctlib.viewer import show

STEPS = 200


def median_ms(step, values) -> float:  # type: ignore[no-untyped-def]
    """Median time of ``step(v)`` over the values, in milliseconds (after a warm-up)."""
    step(values[0])
    times = []
    for v in values:
        start = time.perf_counter()
        step(v)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> int:
    data = ctlib.open_data()
    series = data.series("subdural-acute")
    sop, index = data.key_slice("subdural-acute")
    hu = ctlib.to_hu(ctlib.read(data.path(sop)))
    mask = data.masks("subdural-acute")["lesion"][index]
    centers = [int(c) for c in np.linspace(0, 120, STEPS)]

    viewer = show(hu, mask)

    def viewer_step(c: int) -> None:
        viewer.center.value = c

    fig, ax = plt.subplots(figsize=(6, 6))
    image = ax.imshow(ctlib.window(hu, 40, 80), cmap="gray", vmin=0, vmax=1)

    def naive_step(c: int) -> None:
        image.set_data(ctlib.window(hu, c, 80))
        fig.canvas.draw()

    def maths_only(c: int) -> None:
        ctlib.window(hu, c, 80, dtype=np.uint8)

    viewer_ms = median_ms(viewer_step, centers)
    naive_ms = median_ms(naive_step, centers)
    maths_ms = median_ms(maths_only, centers)
    print(f"viewer step on a {hu.shape[0]}x{hu.shape[1]} slice of {series['name']!r}, "
          f"median of {STEPS} steps (Python {sys.version.split()[0]})\n")
    print(f"{'windowing maths only (uint8)':40s} {maths_ms:7.2f} ms")
    print(f"{'ctlib.viewer step (window+compose+PNG)':40s} {viewer_ms:7.2f} ms   target < 15 ms: "
          f"{'met' if viewer_ms < 15 else 'MISSED'}")
    print(f"{'matplotlib set_data + full redraw':40s} {naive_ms:7.2f} ms")
    print(f"\nnaive redraw / viewer step: {naive_ms / viewer_ms:5.1f}x   target >= 5x: "
          f"{'met' if naive_ms / viewer_ms >= 5 else 'MISSED'}")
    print(f"naive redraw / windowing maths: {naive_ms / maths_ms:5.1f}x")
    plt.close(fig)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
