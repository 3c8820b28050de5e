"""A data-quality audit of a folder of head-CT files: find what would bite a training run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ctlib.data import DataSet
from ctlib.errors import DicomError
from ctlib.hu import has_wrong_pixel_representation, to_hu
from ctlib.metadata import metadata_table
from ctlib.reading import read
from ctlib.rsna import read_labels

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["audit"]


def audit(data: DataSet) -> pd.DataFrame:
    """Check every file and the label file; list each kind of problem found.

    Reads all headers (fast), then every image (to find unreadable and blank
    ones), then the labels. Nothing is taken from the data set's manifest: the
    audit works the same on a real download.

    Parameters
    ----------
    data : DataSet

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``finding``, ``count`` (files or rows) and up to three
        ``examples`` (file names or series).

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> report = audit(open_data("sample"))
    >>> int(report.set_index("finding").loc["unreadable file", "count"])
    1
    """
    import pandas as pd

    files = data.files()
    table = metadata_table(files, progress=False)
    findings: list[tuple[str, pd.Series]] = []

    def rows(mask: pd.Series) -> pd.Series:
        return table.loc[mask.fillna(False).astype(bool), "file"]

    intercept = table["RescaleIntercept"].astype(float)
    findings.append(("PixelRepresentation mislabel (12-bit, unsigned, intercept > -100)",
                     rows((table["BitsStored"] == 12) & (table["PixelRepresentation"] == 0)
                          & (intercept > -100))))
    if "WindowCenter_1" in table:
        two = table["WindowCenter_1"].notna()
        findings.append(("two-valued window elements", rows(two)))
        unequal = two & ((table["WindowCenter_0"] != table["WindowCenter_1"])
                         | (table["WindowWidth_0"] != table["WindowWidth_1"]))
        findings.append(("two different windows in one header", rows(unequal)))
    findings.append(("RescaleIntercept other than -1024", rows(intercept != -1024)))
    findings.append(("matrix other than 512x512", rows((table["Rows"] != 512)
                                                       | (table["Columns"] != 512))))
    tilt = table["ImageOrientationPatient_5"].astype(float).abs() > 1e-3
    findings.append(("gantry tilt (tilted image planes)", rows(tilt)))

    unreadable, blank, padded = [], [], []
    for path in files:
        try:
            ds = read(path)
            hu = to_hu(ds, padding="keep")
        except DicomError:
            unreadable.append(path.name)
            continue
        if np.ptp(hu) == 0:
            blank.append(path.name)
        if hu.min() < -1500 and not has_wrong_pixel_representation(ds):
            padded.append(path.name)
    findings.append(("unreadable file", pd.Series(unreadable, dtype=object)))
    findings.append(("blank image (one value everywhere)", pd.Series(blank, dtype=object)))
    findings.append(("padding far below air outside the scan circle", pd.Series(padded,
                                                                                 dtype=object)))
    raw = pd.read_csv(data.labels_csv)
    findings.append(("repeated row in the label file", raw.loc[raw.duplicated(), "ID"]))
    labels = read_labels(data.labels_csv)
    listed = set(labels.index)
    on_disk = {p.stem for p in data.all_files()}
    findings.append(("image without labels", pd.Series(sorted(on_disk - listed), dtype=object)))
    findings.append(("labels without an image", pd.Series(sorted(listed - on_disk), dtype=object)))
    return pd.DataFrame(
        [{"finding": name, "count": len(items), "examples": ", ".join(list(items)[:3])}
         for name, items in findings]
    )
