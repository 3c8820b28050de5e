"""The course's example series, found in any RSNA-style download.

The notebooks ask for series by name (``data.key_slice("subdural-acute")``).
In the synthetic set the names come from the recipe. In a real download
nobody named anything, so :func:`choose_examples` picks, for every name, the
series that fits its role best from the labels and headers alone: a normal
series for ``normal-*`` (tilted for ``normal-tilted``, 12-bit for
``normal-12bit``…), the series with the most positive slices of a subtype for
``subdural-*``, ``epidural-*``…, and so on. The result has the shape of the
synthetic manifest's ``series`` list, so the same notebooks run on either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ctlib.errors import CtlibError
from ctlib.hu import mislabel_rule
from ctlib.rsna import LABELS, SUBTYPES
from ctlib.volume import plane_tilt_deg

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ROLES", "Role", "choose_examples", "slice_order"]


_ORIENTATION = [f"ImageOrientationPatient_{k}" for k in range(6)]


@dataclass(frozen=True)
class Role:
    """What an example series must show.

    Attributes
    ----------
    subtype : str or None
        The hemorrhage it must show (``None``: a normal series, ``"several"``:
        at least two subtypes).
    prefer : tuple of str
        Header traits that make a candidate better: ``"tilt"`` (gantry tilt),
        ``"bits12"`` (12 bits stored), ``"non512"`` (another matrix),
        ``"mislabelled"`` (the 12-bit unsigned mislabel), ``"plain"`` (none of those).
    """

    subtype: str | None
    prefer: tuple[str, ...] = ()


#: Every example name the notebooks use, with its role, in the synthetic recipe's order.
ROLES: dict[str, Role] = {
    "normal-calcified": Role(None, ("plain",)),
    "normal-12bit": Role(None, ("bits12",)),
    "normal-tilted": Role(None, ("tilt",)),
    "normal-460": Role(None, ("non512",)),
    "normal-plain": Role(None, ("plain",)),
    "epidural-swirl": Role("epidural", ("plain",)),
    "epidural-frontotemporal": Role("epidural"),
    "subdural-acute": Role("subdural", ("plain",)),
    "subdural-subacute-follow-up": Role("subdural", ("plain",)),
    "subdural-acute-on-chronic": Role("subdural", ("mislabelled",)),
    "subarachnoid-aneurysmal": Role("subarachnoid", ("plain",)),
    "subarachnoid-convexity": Role("subarachnoid"),
    "intraventricular-layering": Role("intraventricular", ("plain",)),
    "intraventricular-cast": Role("intraventricular", ("mislabelled",)),
    "intraparenchymal-basal-ganglia": Role("intraparenchymal", ("plain",)),
    "intraparenchymal-lobar": Role("intraparenchymal"),
    "intraparenchymal-thalamic-ivh": Role("several"),
    "trauma-contusion": Role("several"),
    "trauma-coup-contrecoup": Role("several"),
}


def slice_order(table: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Each row's position along its slice normal (PS3.3 C.7.6.2.1.1), for sorting.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`ctlib.metadata_table` with ``ImagePositionPatient_0..2`` and
        ``ImageOrientationPatient_0..5``.

    Returns
    -------
    numpy.ndarray
        ``n · position`` with ``n`` = row direction × column direction.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({**{f"ImageOrientationPatient_{i}": [v, v] for i, v in
    ...                         enumerate([1, 0, 0, 0, 1, 0])},
    ...                      "ImagePositionPatient_0": [0, 0], "ImagePositionPatient_1": [0, 0],
    ...                      "ImagePositionPatient_2": [10.0, 5.0]})
    >>> slice_order(rows).tolist()
    [10.0, 5.0]
    """
    orientation = table[[f"ImageOrientationPatient_{i}" for i in range(6)]].to_numpy(float)
    position = table[[f"ImagePositionPatient_{i}" for i in range(3)]].to_numpy(float)
    normal = np.cross(orientation[:, :3], orientation[:, 3:])
    return np.asarray((normal * position).sum(axis=1), dtype=np.float64)


def choose_examples(joined: pd.DataFrame) -> list[dict[str, Any]]:
    """Pick a series for every name of :data:`ROLES` from labels joined to headers.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`ctlib.rsna.join_metadata`: one row per image, label columns
        and header columns.

    Returns
    -------
    list of dict
        Entries like the synthetic manifest's ``series``: ``name``,
        ``series_uid``, ``study_uid``, ``patient_id``, ``files`` (SOP Instance
        UIDs in slice order), ``slices``, ``key_slice``, ``matrix``, ``tilt_deg``,
        ``lesions`` (``[{"type": subtype}, …]``) and ``role``. Each name gets a
        different series while there are enough; the best fit comes first.

    Raises
    ------
    CtlibError
        If there is no series at all.

    Examples
    --------
    >>> from ctlib import open_data
    >>> from ctlib.metadata import metadata_table
    >>> from ctlib.rsna import join_metadata, read_labels
    >>> data = open_data("sample")
    >>> joined = join_metadata(read_labels(data.labels_csv),
    ...                        metadata_table(data.files(), progress=False))
    >>> examples = {e["name"]: e for e in choose_examples(joined)}
    >>> examples["epidural-swirl"]["lesions"][0]["type"]
    'epidural'
    """
    series = _series_summary(joined)
    if series.empty:
        raise CtlibError(
            "no series with labels and readable headers: check that the label file belongs "
            "to the images (their IDs must match)."
        )
    # Roles with the fewest fitting series choose first, so that a rare kind of
    # series (several subtypes, a tilt) is not taken by a role that had other options.
    order = sorted(ROLES, key=lambda name: int(_fits(series, ROLES[name]).sum()))
    used: set[str] = set()
    chosen = {}
    for name in order:
        chosen[name] = _best(series, ROLES[name], used)
        used.add(chosen[name])
    return [_entry(name, role, chosen[name], series.loc[[chosen[name]]].iloc[0], joined)
            for name, role in ROLES.items()]


def _series_summary(joined: pd.DataFrame) -> pd.DataFrame:
    """One row per series: positive slice counts and header traits."""
    table = joined.assign(
        mislabelled=mislabel_rule(joined["BitsStored"], joined["PixelRepresentation"],
                                  joined["RescaleIntercept"].astype(float)),
        tilted=plane_tilt_deg(joined[_ORIENTATION].astype(float).to_numpy()) > 0.05,
        bits12=joined["BitsStored"] == 12,
        non512=(joined["Rows"] != 512) | (joined["Columns"] != 512),
    )
    grouped = table.groupby("SeriesInstanceUID")
    summary = grouped[list(LABELS)].sum()
    summary["several"] = (summary[list(SUBTYPES)] > 0).sum(axis=1)
    for trait, column in (("tilt", "tilted"), ("bits12", "bits12"), ("non512", "non512"),
                          ("mislabelled", "mislabelled")):
        summary[trait] = grouped[column].any()
    summary["plain"] = ~summary[["tilt", "bits12", "non512", "mislabelled"]].any(axis=1)
    summary["slices"] = grouped.size()
    return summary.sort_index()


def _fits(series: pd.DataFrame, role: Role) -> pd.Series:
    """Which series show what a role needs."""
    if role.subtype is None:
        return series["any"] == 0
    if role.subtype == "several":
        return series["several"] >= 2
    return series[role.subtype] > 0


def _best(series: pd.DataFrame, role: Role, used: set[str]) -> str:
    """The series that fits a role best: right content, preferred traits, most evidence."""
    fits = _fits(series, role)
    if role.subtype is None:
        evidence = series["slices"]
    elif role.subtype == "several":
        evidence = series["several"] * 1000 + series["any"]
    else:
        evidence = series[role.subtype]
    traits = sum((series[t].astype(int) for t in role.prefer), start=series["slices"] * 0)
    if role.subtype in SUBTYPES:  # a subtype's example shows that subtype alone, if it can
        traits = traits + (series["several"] == 1).astype(int)
    score = fits.astype(int) * 10**9 + traits * 10**6 + evidence.clip(upper=10**6 - 1)
    fresh = score[~score.index.isin(used)]
    ranked = (fresh if len(fresh) else score).sort_values(ascending=False, kind="stable")
    return str(ranked.index[0])


def _entry(name: str, role: Role, uid: str, summary: pd.Series,
           joined: pd.DataFrame) -> dict[str, Any]:
    """The manifest entry of one chosen series."""
    rows = joined[joined["SeriesInstanceUID"] == uid]
    rows = rows.iloc[np.argsort(slice_order(rows), kind="stable")]
    present = [s for s in SUBTYPES if summary[s] > 0]
    if role.subtype in SUBTYPES and summary[role.subtype] > 0:
        positive = np.flatnonzero(rows[role.subtype].to_numpy() > 0)
        key = int(positive[len(positive) // 2])
    elif present:
        key = int(np.argmax(rows[list(SUBTYPES)].sum(axis=1).to_numpy()))
    else:
        key = round(0.55 * (len(rows) - 1))
    tilt = float(plane_tilt_deg(rows[_ORIENTATION].astype(float).to_numpy()[0]))
    return {
        "name": name,
        "role": "normal" if role.subtype is None else role.subtype,
        "series_uid": uid,
        "study_uid": str(rows["StudyInstanceUID"].iloc[0]),
        "patient_id": str(rows["PatientID"].iloc[0]),
        "files": [str(sop) for sop in rows.index],
        "slices": len(rows),
        "key_slice": key,
        "matrix": int(rows["Rows"].iloc[0]),
        "tilt_deg": round(tilt, 2),
        "lesions": [{"type": s} for s in present],
    }
