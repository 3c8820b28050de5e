"""One slice with everything a lesson figure needs: pixels in HU, maps, pixel size, head frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ctlib.course.annotate import Mark
from ctlib.course.landmarks import (
    HeadFrame,
    frontal_horns,
    head_frame,
    standard_levels,
)
from ctlib.errors import CtlibError
from ctlib.hu import to_hu
from ctlib.reading import read
from ctlib.window import Window

EPIDURAL, INTRAPARENCHYMAL, INTRAVENTRICULAR, SUBARACHNOID, SUBDURAL = 1, 2, 3, 4, 5
EDEMA, SUTURE, FRACTURE = 23, 24, 25
#: A narrow window for subtle, nearly isodense blood (a common choice is about 40/40).
NARROW = Window(40.0, 40.0, name="narrow")
#: The dpi of the lessons' figures: with the sizes below, every key panel is at least 400 px wide.
DPI = 100


@dataclass(frozen=True)
class SliceView:
    """One slice of a series with everything a finder needs.

    Attributes
    ----------
    series : str
    index : int
        Slice index in the manifest's order (bottom to top).
    hu : numpy.ndarray
    tissue, lesion : numpy.ndarray of int
        The slice's maps.
    pixel_mm : float
    frame : ctlib.course.landmarks.HeadFrame
        The series' head frame.
    """

    series: str
    index: int
    hu: npt.NDArray[np.float32] = field(repr=False)
    tissue: npt.NDArray[Any] = field(repr=False)
    lesion: npt.NDArray[Any] = field(repr=False)
    pixel_mm: float
    frame: HeadFrame = field(repr=False)

    def roi_hu(self, row: float, col: float, half: int = 1) -> float:
        """Mean HU of the (2·half+1)² square at a pixel."""
        r, c = round(row), round(col)
        return float(self.hu[r - half:r + half + 1, c - half:c + half + 1].mean())


Finder = Callable[[SliceView], "Mark | None"]


# --- reading a slice ---------------------------------------------------------------------------


#: Maps and frame per (data set folder, series): reading a series' maps takes a moment, and a
#: lesson draws the same series several times.
_MAPS: dict[tuple[str, str], tuple[npt.NDArray[Any], npt.NDArray[Any], HeadFrame]] = {}


def series_maps(data: Any, series: str) -> tuple[npt.NDArray[Any], npt.NDArray[Any], HeadFrame]:
    """A series' tissue and lesion maps and its head frame, read once per data set."""
    key = (str(data.root), series)
    if key not in _MAPS:
        masks = data.masks(series)
        _MAPS[key] = (masks["tissue"], masks["lesion"],
                      head_frame(masks["tissue"], masks["lesion"]))
    return _MAPS[key]


def view(data: Any, series: str, slice_: int | str | None = None) -> SliceView:
    """Read one slice of a series with its maps, pixel size and head frame.

    Parameters
    ----------
    data : ctlib.course.data.DataSet
        A synthetic set (it has the maps).
    series : str
    slice_ : int, str or None
        See :attr:`Panel.at`.

    Examples
    --------
    >>> from ctlib import open_data
    >>> v = view(open_data("sample"), "subdural-acute")
    >>> v.hu.shape, v.index == open_data("sample").key_slice("subdural-acute")[1]
    ((512, 512), True)
    """
    if not data.has_masks:
        raise CtlibError("the lessons' figures need the synthetic set's maps; this data set has "
                         "none (unset CTLIB_DATA to use the synthetic set).")
    tissue, lesion, frame = series_maps(data, series)
    entry = data.series(series)
    if slice_ is None:
        index = data.key_slice(series)[1]
    elif slice_ == "frontal horns":
        index = frontal_horns(tissue, lesion)
    elif isinstance(slice_, str):
        index = standard_levels(tissue)[slice_]
    else:
        index = int(slice_)
    sop = entry["files"][index]
    ds = read(data.path(sop))
    return SliceView(series, index, to_hu(ds), tissue[index], lesion[index],
                     float(ds.PixelSpacing[0]), frame)


