"""The RSNA 2019 label file: long format in, one row per image out.

``stage_2_train.csv`` (and the course's ``labels.csv``) has a header
``ID,Label`` and six rows per image, ``ID_<image>_<subtype>``, for the five
subtypes and ``any``. A few rows are repeated in the real file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ctlib.errors import CtlibError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LABELS", "read_labels"]

#: Label columns in the RSNA order.
LABELS: tuple[str, ...] = (
    "epidural",
    "intraparenchymal",
    "intraventricular",
    "subarachnoid",
    "subdural",
    "any",
)


def read_labels(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an RSNA-format label file into one row per image.

    Parameters
    ----------
    path : path-like
        ``labels.csv`` / ``stage_2_train.csv``.

    Returns
    -------
    pandas.DataFrame
        Index ``SOPInstanceUID`` (``ID_…``), one int column per label in RSNA
        order. Repeated rows are dropped (the count is in ``df.attrs["duplicates"]``).

    Raises
    ------
    CtlibError
        If the file is not in the format, an image lacks one of the six rows,
        two rows for the same label disagree, or ``any`` is not the OR of the five.

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> labels = read_labels(open_data("sample").labels_csv)
    >>> list(labels.columns)
    ['epidural', 'intraparenchymal', 'intraventricular', 'subarachnoid', 'subdural', 'any']
    >>> labels.attrs["duplicates"]
    1
    """
    import pandas as pd

    raw = pd.read_csv(path)
    if list(raw.columns) != ["ID", "Label"]:
        raise CtlibError(f"{path}: expected the header 'ID,Label', got {list(raw.columns)}.")
    duplicates = int(raw.duplicated().sum())
    raw = raw.drop_duplicates()
    parts = raw["ID"].str.rsplit("_", n=1, expand=True)
    raw = raw.assign(image=parts[0], label=parts[1])
    unknown = set(raw["label"]) - set(LABELS)
    if unknown:
        raise CtlibError(f"{path}: unknown label names {sorted(unknown)}; expected {LABELS}.")
    if raw.duplicated(["image", "label"]).any():
        bad = raw.loc[raw.duplicated(["image", "label"]), "ID"].iloc[0]
        raise CtlibError(f"{path}: two different values for {bad}. Check the file.")
    wide = raw.pivot(index="image", columns="label", values="Label").reindex(columns=list(LABELS))
    if wide.isna().any().any():
        image = wide.index[wide.isna().any(axis=1)][0]
        raise CtlibError(f"{path}: image {image} does not have all six label rows.")
    wide = wide[list(LABELS)].astype(int)
    wide.index.name = "SOPInstanceUID"
    wide.columns.name = None
    inconsistent = wide["any"] != wide[list(LABELS[:5])].max(axis=1)
    if inconsistent.any():
        raise CtlibError(
            f"{path}: 'any' is not the OR of the five subtypes for {int(inconsistent.sum())} "
            f"image(s), e.g. {wide.index[inconsistent][0]}."
        )
    wide.attrs["duplicates"] = duplicates
    return wide
