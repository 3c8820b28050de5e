"""A data-quality audit of head-CT files: find what would bite a training run.

:func:`audit` works on the course's data set (headers, images and the label
file) and on any folder as scanners and PACS export it (headers and images).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ctlib.errors import DicomError
from ctlib.folders import files_in
from ctlib.hu import has_wrong_pixel_representation, mislabel_rule, padding_mask, to_hu
from ctlib.metadata import metadata_table
from ctlib.objects import not_a_slice
from ctlib.reading import read
from ctlib.rsna import read_labels
from ctlib.volume import plane_tilt_deg

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LabelledSet", "audit"]


@runtime_checkable
class LabelledSet(Protocol):
    """A data set with a label file, as :class:`ctlib.DataSet` is (the audit reads no more).

    Any object with these three members is audited with its labels: the course's data
    sets, a real RSNA download opened by :func:`ctlib.open_data`, or a learner's own.
    """

    @property
    def labels_csv(self) -> Path:
        """The RSNA-style label file (``ID,Label`` rows)."""

    def files(self) -> list[Path]:
        """The image files to audit."""

    def all_files(self) -> list[Path]:
        """Every image file on disk, for matching against the labels."""


def audit(data: LabelledSet | str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
          ) -> pd.DataFrame:
    """Check every file (and a data set's label file); list each kind of problem found.

    Reads all headers (fast), then every image (to find unreadable and blank
    ones), then, for a :class:`~ctlib.DataSet`, the labels. Nothing is taken
    from the data set's manifest: the audit works the same on a real download.

    Parameters
    ----------
    data : LabelledSet (e.g. ctlib.DataSet), or a folder, or file paths
        A folder is read as :func:`ctlib.folders.files_in` finds its files
        (nested folders, no extension, a DICOMDIR); the label checks need a
        :class:`~ctlib.DataSet` and are left out otherwise.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``finding``, ``count`` (files or rows) and up to three
        ``examples`` (file names or series).

    Notes
    -----
    Padding is found as :func:`ctlib.to_hu` finds it (:func:`ctlib.padding_mask`:
    (0028,0120) Pixel Padding Value, or below :data:`ctlib.PADDING_BELOW_HU`). Every value of (0028,1050) Window Center
    and (0028,1051) Window Width is compared, however many a header holds.
    Planes are "not axial" when their normal (row × column direction, PS3.3
    C.7.6.2.1.1) is more than 0.5° from z: gantry tilt or an oblique
    reconstruction.

    Examples
    --------
    >>> from ctlib import open_data
    >>> report = audit(open_data("sample"))
    >>> int(report.set_index("finding").loc["unreadable file", "count"])
    1
    """
    import pandas as pd

    files = data.files() if isinstance(data, LabelledSet) else files_in(data)
    table = metadata_table(files, progress=False)
    findings: list[tuple[str, pd.Series]] = []

    def rows(mask: pd.Series) -> pd.Series:
        return table.loc[mask.fillna(False).astype(bool), "file"]

    intercept = table["RescaleIntercept"].astype(float)
    findings.append(("PixelRepresentation mislabel (12-bit, unsigned, intercept > -100)",
                     rows(mislabel_rule(table["BitsStored"], table["PixelRepresentation"],
                                        intercept))))
    def every_value(element: str) -> pd.DataFrame:
        """All the columns of an element (``_0``, ``_1``, …), in order, as numbers."""
        columns = sorted((str(c) for c in table if str(c).startswith(element + "_")),
                         key=lambda c: int(c.rsplit("_", 1)[1]))
        return table[columns].astype(float)

    centers, widths = every_value("WindowCenter"), every_value("WindowWidth")
    findings.append(("multi-valued window elements",
                     rows(centers.iloc[:, 1:].notna().any(axis=1))))
    differ = pd.Series(False, index=table.index)
    for values in (centers, widths):
        for column in values.columns[1:]:
            differ |= values[column].notna() & (values[column] != values.iloc[:, 0])
    findings.append(("two different windows in one header", rows(differ)))
    findings.append(("RescaleIntercept other than -1024", rows(intercept != -1024)))
    findings.append(("matrix other than 512x512", rows((table["Rows"] != 512)
                                                       | (table["Columns"] != 512))))
    tilt = plane_tilt_deg(table[[f"ImageOrientationPatient_{k}" for k in range(6)]]
                          .astype(float).to_numpy())
    findings.append(("planes not axial (gantry tilt or oblique)",
                     rows(pd.Series(tilt > 0.5, index=table.index))))

    unreadable: list[str] = []
    blank: list[str] = []
    padded: list[str] = []
    others: list[str] = []
    for path in files:
        try:
            ds = read(path)
        except DicomError:
            try:
                what = not_a_slice(read(path, header_only=True))
            except DicomError:
                what = None
            (others if what else unreadable).append(path.name)
            continue
        if not_a_slice(ds):
            others.append(path.name)
            continue
        try:
            hu = to_hu(ds, padding="keep")
        except DicomError:
            unreadable.append(path.name)
            continue
        if np.ptp(hu) == 0:
            blank.append(path.name)
        if padding_mask(ds, hu).any() and not has_wrong_pixel_representation(ds):
            padded.append(path.name)
    findings.append(("unreadable file", pd.Series(unreadable, dtype=object)))
    findings.append(("not a CT slice (DICOMDIR, localizer, report...)",
                     pd.Series(others, dtype=object)))
    findings.append(("blank image (one value everywhere)", pd.Series(blank, dtype=object)))
    findings.append(("padding far below air outside the scan circle", pd.Series(padded,
                                                                                 dtype=object)))
    if isinstance(data, LabelledSet):
        raw = pd.read_csv(data.labels_csv)
        findings.append(("repeated row in the label file", raw.loc[raw.duplicated(), "ID"]))
        labels = read_labels(data.labels_csv)
        listed = set(labels.index)
        on_disk = {p.stem for p in data.all_files()}
        findings.append(("image without labels", pd.Series(sorted(on_disk - listed),
                                                           dtype=object)))
        findings.append(("labels without an image", pd.Series(sorted(listed - on_disk),
                                                              dtype=object)))
    return pd.DataFrame(
        [{"finding": name, "count": len(items), "examples": ", ".join(list(items)[:3])}
         for name, items in findings]
    )
