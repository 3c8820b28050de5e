"""The RSNA 2019 data set's files: labels, where the images are, labels joined to headers.

``stage_2_train.csv`` (and the course's ``labels.csv``) has a header
``ID,Label`` and six rows per image, ``ID_<image>_<subtype>``, for the five
subtypes and ``any``. A few rows are repeated in the real file. The Kaggle
download keeps the images in one flat folder, ``stage_2_train/ID_<image>.dcm``;
which series a file belongs to is only in its header, hence
:func:`join_metadata`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ctlib.errors import CtlibError

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "LABELS",
    "SUBTYPES",
    "Layout",
    "every_image",
    "find_layout",
    "join_metadata",
    "locate",
    "read_labels",
    "submission",
]

#: (label file, image folder) names, in the order they are looked for.
LAYOUTS: tuple[tuple[str, str], ...] = (
    ("stage_2_train.csv", "stage_2_train"),  # the Kaggle download, unzipped
    ("stage_1_train.csv", "stage_1_train"),
    ("labels.csv", "images"),  # the course's synthetic set
)

#: Label columns in the RSNA order.
LABELS: tuple[str, ...] = (
    "epidural",
    "intraparenchymal",
    "intraventricular",
    "subarachnoid",
    "subdural",
    "any",
)
#: The five subtypes, in the same order (``any`` is their OR). The one list of them.
SUBTYPES: tuple[str, ...] = LABELS[:5]


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
    >>> from ctlib import open_data
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


def submission(images: Sequence[str], predictions: npt.ArrayLike) -> pd.DataFrame:
    """Predictions in the challenge's submission format: ``ID,Label``, six rows per image.

    The inverse of :func:`read_labels`: row ``ID_<image>_<label>`` holds the predicted
    probability of that label, for the five subtypes and ``any`` in RSNA's order. The
    challenge scores every test image, so give a prediction for each, the blank and the
    unreadable ones too (:func:`every_image` fills them in).

    Parameters
    ----------
    images : sequence of str
        Image IDs as in the label file (``ID_…``, the file name without ``.dcm``).
    predictions : array_like, shape (len(images), 6)
        Probabilities in [0, 1], columns in RSNA's order.

    Returns
    -------
    pandas.DataFrame
        Columns ``ID`` and ``Label``; write it with ``to_csv(path, index=False)``.

    Examples
    --------
    >>> table = submission(["ID_000039fa0"], [[0.01, 0.02, 0.03, 0.04, 0.05, 0.1]])
    >>> table.head(2).to_dict("records")
    [{'ID': 'ID_000039fa0_epidural', 'Label': 0.01}, {'ID': 'ID_000039fa0_intraparenchymal', 'Label': 0.02}]
    """
    import numpy as np
    import pandas as pd

    names = [str(image) for image in images]
    values = np.asarray(predictions, dtype=np.float64)
    if values.shape != (len(names), len(LABELS)):
        raise CtlibError(f"predictions must have shape ({len(names)}, {len(LABELS)}): one row "
                         f"per image, one column per label in RSNA's order {LABELS}; got "
                         f"{values.shape}.")
    if not np.all((values >= 0) & (values <= 1)):  # also refuses NaN
        raise CtlibError("predictions must be probabilities in [0, 1], with no NaN; give "
                         "the constant prior where a model has no answer.")
    if len(set(names)) != len(names):
        raise CtlibError("an image appears twice in images; give each test image once.")
    ids = [f"{image}_{label}" for image in names for label in LABELS]
    return pd.DataFrame({"ID": ids, "Label": values.ravel()})


def every_image(predictions: pd.DataFrame, images: Sequence[str], *, prior: npt.ArrayLike,
                blank: Iterable[str] = ()) -> pd.DataFrame:
    """A model's predictions, completed to one row for each image a submission must hold.

    An image the model did not see still needs six values: a *blank* image shows no head and
    never carries a label, so it gets 0 (the score clips it to :data:`ctlib.metrics.EPS`);
    any other missing image (unreadable, skipped) gets ``prior``, the training set's label
    frequencies (:func:`ctlib.metrics.constant_prior`), the honest guess without pixels.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Index: image ID; the six columns :data:`LABELS`, for the images the model predicted.
    images : sequence of str
        Every image to submit, in the order wanted.
    prior : array_like, shape (6,)
        Each label's frequency in training, in RSNA's order.
    blank : iterable of str
        The images that show no head (e.g. status ``blank`` in ``ctlib.prepare``'s index).

    Returns
    -------
    pandas.DataFrame
        Index ``images``, the six columns: ready for :func:`submission`.

    Examples
    --------
    >>> import pandas as pd
    >>> seen = pd.DataFrame([[0.1] * 6], index=["ID_a"], columns=LABELS)
    >>> every_image(seen, ["ID_a", "ID_b", "ID_c"], prior=[0.5] * 6, blank=["ID_c"])["any"].tolist()
    [0.1, 0.5, 0.0]
    """
    import numpy as np

    frequencies = np.asarray(prior, dtype=np.float64)
    if frequencies.shape != (len(LABELS),):
        raise CtlibError(f"prior must hold six frequencies in RSNA's order {LABELS}, got "
                         f"shape {frequencies.shape}.")
    missing = [c for c in LABELS if c not in predictions.columns]
    if missing:
        raise CtlibError(f"predictions has no column {missing}: give the six columns {LABELS}.")
    names = [str(image) for image in images]
    unknown = sorted(set(predictions.index) - set(names))
    if unknown:
        raise CtlibError(f"predictions holds {len(unknown)} image(s) not among images, e.g. "
                         f"{unknown[0]}: give every image to submit.")
    full = predictions[list(LABELS)].astype(np.float64).reindex(names)
    empty = full.isna().any(axis=1)
    full.loc[empty & full.index.isin(list(blank))] = 0.0
    full.loc[full.isna().any(axis=1)] = frequencies
    return full


@dataclass(frozen=True)
class Layout:
    """Where an RSNA-style download keeps its labels and images."""

    root: Path
    labels_csv: Path
    images: Path


def find_layout(root: str | os.PathLike[str]) -> Layout:
    """Find the label file and image folder of an RSNA-style download.

    Parameters
    ----------
    root : path-like
        The unzipped download (``rsna-intracranial-hemorrhage-detection/``) or
        a course data set (``data/synthetic``).

    Returns
    -------
    Layout

    Raises
    ------
    CtlibError
        If no known pair of label file and image folder is there.

    Examples
    --------
    >>> from ctlib import open_data
    >>> find_layout(open_data("sample").root).images.name
    'images'
    """
    base = Path(root)
    for labels, images in LAYOUTS:
        if (base / labels).is_file() and (base / images).is_dir():
            return Layout(base, base / labels, base / images)
    expected = ", ".join(f"{labels} + {images}/" for labels, images in LAYOUTS)
    raise CtlibError(
        f"{base}: no RSNA label file and image folder found (looked for {expected}). "
        "Point to the folder the Kaggle archive was unzipped into."
    )


def locate(images: str | os.PathLike[str], ids: Iterable[str]) -> list[Path]:
    """The DICOM file of each image identifier, checked to exist.

    Parameters
    ----------
    images : path-like
        The flat image folder (``stage_2_train/``).
    ids : iterable of str
        SOP Instance UIDs as RSNA writes them (``ID_…``), e.g. a label table's index.

    Returns
    -------
    list of pathlib.Path
        In the order of ``ids``.

    Raises
    ------
    CtlibError
        If files are missing; the message counts them and names a few.

    Examples
    --------
    >>> from ctlib import open_data
    >>> data = open_data("sample")
    >>> labels = read_labels(data.labels_csv)
    >>> paths = locate(data.images, labels.index[:2])
    >>> [p.name for p in paths] == [f"{i}.dcm" for i in labels.index[:2]]
    True
    """
    folder = Path(images)
    paths = [folder / f"{image_id}.dcm" for image_id in ids]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise CtlibError(
            f"{folder}: {len(missing)} of {len(paths)} images are not there, e.g. "
            f"{', '.join(missing[:3])}. Check that the archive was unzipped completely, or "
            "keep only the images you have (labels.loc[labels.index.isin(...)])."
        )
    return paths


def join_metadata(labels: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Join one-row-per-image labels to a header table, by SOP Instance UID.

    Parameters
    ----------
    labels : pandas.DataFrame
        From :func:`read_labels` (index ``SOPInstanceUID``).
    table : pandas.DataFrame
        From :func:`ctlib.metadata_table` (a ``SOPInstanceUID`` column).

    Returns
    -------
    pandas.DataFrame
        Index ``SOPInstanceUID``, the label columns then the header columns,
        for the images that have both. ``attrs`` counts the rest:
        ``"unlabelled_files"`` (headers without labels, e.g. the test set) and
        ``"missing_files"`` (labels without a readable header).

    Raises
    ------
    CtlibError
        If the table has no ``SOPInstanceUID`` column or lists one image twice.

    Examples
    --------
    >>> from ctlib import open_data
    >>> from ctlib.metadata import metadata_table
    >>> data = open_data("sample")
    >>> joined = join_metadata(read_labels(data.labels_csv),
    ...                        metadata_table(data.files(), progress=False))
    >>> len(joined), joined.attrs["missing_files"]
    (17, 0)
    """
    if "SOPInstanceUID" not in table:
        raise CtlibError(
            "the header table has no SOPInstanceUID column: make it with "
            "ctlib.metadata_table(...) and keep that column."
        )
    headers = table.dropna(subset=["SOPInstanceUID"])
    repeated = headers["SOPInstanceUID"].duplicated()
    if repeated.any():
        uid = headers.loc[repeated, "SOPInstanceUID"].iloc[0]
        raise CtlibError(
            f"(0008,0018) SOPInstanceUID {uid} appears in {int(repeated.sum()) + 1} files of "
            "the header table: the same image was copied twice. Remove the copies first."
        )
    headers = headers.set_index("SOPInstanceUID")
    joined = labels.join(headers, how="inner")
    joined.attrs = {
        "unlabelled_files": int((~headers.index.isin(labels.index)).sum()),
        "missing_files": int((~labels.index.isin(headers.index)).sum()),
    }
    return joined
