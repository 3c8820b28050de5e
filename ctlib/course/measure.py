"""Measuring HU inside masks: the numbers the notebooks compare with the literature."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.course.data import DataSet
from ctlib.course.tissues import LITERATURE_HU, Lesion, Tissue
from ctlib.errors import CtlibError
from ctlib.hu import to_hu
from ctlib.reading import read

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["lesion_hu", "mean_hu", "tissue_hu_table"]


def mean_hu(hu: npt.ArrayLike, mask: npt.ArrayLike) -> float:
    """Mean HU where ``mask`` is true; NaN (and no warning) for an empty mask.

    Parameters
    ----------
    hu : array_like
    mask : array_like of bool, same shape

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> mean_hu(np.array([10.0, 30.0, 99.0]), np.array([True, True, False]))
    20.0
    >>> mean_hu(np.zeros(3), np.zeros(3, bool))
    nan
    """
    values = np.asarray(hu)[np.asarray(mask, dtype=bool)]
    return float(values.mean()) if values.size else float("nan")


def tissue_hu_table(
    data: DataSet, series: Sequence[str] = ("normal-calcified", "normal-plain", "normal-12bit"),
    *, every: int = 3, erode: int = 2,
) -> pd.DataFrame:
    """Mean and SD of HU inside each tissue mask, beside the published range.

    Parameters
    ----------
    data : DataSet
    series : sequence of str
        Series to measure (normal ones: no lesion).
    every : int, optional
        Use every n-th slice.
    erode : int, optional
        Pixels removed from each mask's edge, so that partial volume with the
        neighbouring tissue does not bias the mean.

    Returns
    -------
    pandas.DataFrame
        One row per tissue: measured mean, median, SD, pixel count, literature range. Where
        the mean and the median differ, partial volume with a neighbouring tissue pulls the
        mean (thin layers such as the scalp, cut obliquely by a 5 mm slice near the vertex).

    Examples
    --------
    >>> from ctlib import open_data
    >>> table = tissue_hu_table(open_data("sample"), ["normal-calcified"], every=1)
    >>> table.loc["white matter", "literature"]
    '20 to 34'
    """
    import pandas as pd

    values: dict[Tissue, list[np.ndarray]] = {t: [] for t in LITERATURE_HU}
    for name in series:
        entry = data.series(name)
        masks = data.masks(name)
        for k, sop in enumerate(entry["files"]):
            if k % every:
                continue
            try:
                hu = to_hu(read(data.path(sop)))
            except CtlibError:  # the truncated file of the data-quality lesson
                continue
            for tissue, found in values.items():
                core = ndi.binary_erosion(masks["tissue"][k] == tissue, iterations=erode)
                found.append(hu[core])
    rows = []
    for tissue, (low, high, source) in LITERATURE_HU.items():
        pooled = np.concatenate(values[tissue]) if values[tissue] else np.array([])
        rows.append({
            "tissue": tissue.label,
            "measured mean": round(float(pooled.mean()), 1) if pooled.size else np.nan,
            "median": round(float(np.median(pooled)), 1) if pooled.size else np.nan,
            "SD": round(float(pooled.std()), 1) if pooled.size else np.nan,
            "pixels": int(pooled.size),
            "literature": f"{low:g} to {high:g}",
            "source": source,
        })
    return pd.DataFrame(rows).set_index("tissue")


def lesion_hu(data: DataSet, series: str) -> dict[str, float]:
    """Mean HU inside each lesion of a series' key slice (mask eroded by one pixel).

    Parameters
    ----------
    data : DataSet
    series : str

    Returns
    -------
    dict
        Subtype name → mean HU.

    Examples
    --------
    >>> from ctlib import open_data
    >>> 60 < lesion_hu(open_data("sample"), "intraparenchymal-basal-ganglia")["intraparenchymal"] < 80
    True
    """
    sop, index = data.key_slice(series)
    hu = to_hu(read(data.path(sop)))
    lesion = data.masks(series)["lesion"][index]
    out = {}
    for code in np.unique(lesion[lesion > 0]):
        core = ndi.binary_erosion(lesion == code)
        if core.any():
            out[Lesion(int(code)).name.lower()] = round(float(hu[core].mean()), 1)
    return out
