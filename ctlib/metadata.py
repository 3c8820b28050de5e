"""A table of DICOM headers: one row per file, read without decoding pixels."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from tqdm.auto import tqdm

from ctlib.reading import allow_rsna_uids

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HEADER_KEYWORDS", "element_table", "metadata_table"]

#: The elements the table reads: the RSNA 2019 header, without Pixel Data.
HEADER_KEYWORDS: tuple[str, ...] = (
    "SOPInstanceUID", "Modality", "PatientID", "StudyInstanceUID", "SeriesInstanceUID",
    "ImagePositionPatient", "ImageOrientationPatient", "Rows", "Columns", "PixelSpacing",
    "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation", "WindowCenter",
    "WindowWidth", "RescaleIntercept", "RescaleSlope", "PhotometricInterpretation",
)


def metadata_table(
    paths: Iterable[str | os.PathLike[str]],
    *,
    keywords: Sequence[str] = HEADER_KEYWORDS,
    progress: bool = True,
) -> pd.DataFrame:
    """Read the headers of many files into a table.

    Only the listed elements are parsed (pydicom's ``specific_tags``, stopping
    before Pixel Data), which is many times faster than decoding images.

    Parameters
    ----------
    paths : iterable of path-like
    keywords : sequence of str, optional
        Elements to read (default :data:`HEADER_KEYWORDS`).
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per file: ``file``, then one column per element. Multi-valued
        elements are split into ``<keyword>_0``, ``<keyword>_1``, … (files with a
        single value have it in ``<keyword>_0``); numbers are
        floats or ints, missing elements NaN. A file that cannot be read gets its
        reason in the ``error`` column instead of stopping the whole table.

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> table = metadata_table(open_data("sample").files(), progress=False)
    >>> {"WindowCenter_0", "WindowCenter_1", "ImagePositionPatient_2"} <= set(table.columns)
    True
    """
    import pandas as pd

    files = [os.fspath(p) for p in paths]
    rows = [
        _row(path, keywords)
        for path in tqdm(files, desc="headers", unit="file", disable=not progress)
    ]
    table = pd.DataFrame(rows)
    for keyword in keywords:  # where some files hold one value and others several
        first = f"{keyword}_0"
        if keyword in table and first in table:
            table[first] = table[first].fillna(table.pop(keyword))
    if "error" not in table:
        table["error"] = None
    return table


def _row(path: str, keywords: Sequence[str]) -> dict[str, Any]:
    """One file's header as a flat dict."""
    row: dict[str, Any] = {"file": os.path.basename(path)}
    try:
        with allow_rsna_uids():
            ds = dcmread(path, stop_before_pixels=True, specific_tags=list(keywords))
            for keyword in keywords:
                value = ds.get(keyword)
                if isinstance(value, MultiValue) or isinstance(value, list):
                    for i, item in enumerate(value):
                        row[f"{keyword}_{i}"] = _plain(item)
                elif value is not None:
                    row[keyword] = _plain(value)
    except Exception as exc:  # one bad file must not stop a table of thousands
        row["error"] = f"{type(exc).__name__}: {exc}"
    return row


def _plain(value: Any) -> Any:
    """A pydicom value as a plain Python number or string."""
    if isinstance(value, int | float):
        return int(value) if isinstance(value, int) else float(value)
    return str(value)


def element_table(ds: Dataset) -> pd.DataFrame:
    """One row per data element: tag, keyword, VR, VM and a short value.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A data set or its ``file_meta``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.WindowCenter = ["36", "36"]
    >>> element_table(ds).iloc[0].to_dict()
    {'tag': '(0028,1050)', 'keyword': 'WindowCenter', 'VR': 'DS', 'VM': 2, 'value': '[36, 36]'}
    """
    import pandas as pd

    rows = []
    with allow_rsna_uids():
        for element in ds:
            if element.keyword == "PixelData":
                value = f"<{len(element.value)} bytes>"
            else:
                value = str(element.value)
                value = value if len(value) <= 48 else value[:45] + "..."
            rows.append({
                "tag": f"({element.tag.group:04X},{element.tag.element:04X})",
                "keyword": element.keyword,
                "VR": str(element.VR),
                "VM": element.VM,
                "value": value,
            })
    return pd.DataFrame(rows)
