"""From a folder of slices to a volume: group by series, sort along the normal.

File names, Instance Number and even z say nothing reliable about slice order
(RSNA files have no Instance Number, and with gantry tilt z is not the
direction the slices are stacked in). The order is the position of each slice
along the normal of its plane: ``n · ImagePositionPatient`` with
``n = row × column`` direction (PS3.3 C.7.6.2.1.1).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from ctlib.errors import CtlibError, DicomError
from ctlib.hu import to_hu
from ctlib.reading import allow_rsna_uids, read

__all__ = ["Volume", "load_series", "reformat", "series_in"]


@dataclass
class Volume:
    """A series as a 3-D array in HU, with its geometry.

    Attributes
    ----------
    hu : numpy.ndarray, shape (slices, rows, columns), float32
        Slices ordered along the normal, bottom (first) to top.
    spacing : (slice, row, column) in mm
        Slice spacing (the smallest step between positions, so a missing slice
        shows as a gap rather than changing it); row/column from (0028,0030).
    normal : numpy.ndarray, shape (3,)
        Unit normal of the slice planes (LPS).
    positions : numpy.ndarray, shape (slices, 3)
        Image Position (Patient) of every slice, in order.
    tilt_deg : float
        Gantry tilt: angle between the normal and the z axis.
    headers : list of pydicom.dataset.Dataset
        The slices' headers, in order (pixel data removed).
    files : list of pathlib.Path
    skipped : list of (pathlib.Path, str)
        Files of the series that could not be read, with the reason; the
        volume is built from the others (look at ``spacing`` for the gap).
    """

    hu: npt.NDArray[np.float32]
    spacing: tuple[float, float, float]
    normal: npt.NDArray[np.float64]
    positions: npt.NDArray[np.float64]
    tilt_deg: float
    headers: list[Dataset] = field(repr=False)
    files: list[Path] = field(repr=False)
    skipped: list[tuple[Path, str]] = field(default_factory=list, repr=False)

    @property
    def series_uid(self) -> str:
        """The (0020,000E) Series Instance UID."""
        with allow_rsna_uids():
            return str(self.headers[0].SeriesInstanceUID)


def series_in(paths: Iterable[str | os.PathLike[str]]) -> dict[str, list[Path]]:
    """Group files by (0020,000E) Series Instance UID, reading headers only.

    Parameters
    ----------
    paths : iterable of path-like

    Returns
    -------
    dict
        Series Instance UID → its files (in the order given). Files whose
        header cannot be read are left out (:func:`ctlib.read` says why).

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> groups = series_in(open_data("sample").files())
    >>> len(groups) > 5
    True
    """
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        try:
            ds = read(path, header_only=True)
        except DicomError:
            continue
        with allow_rsna_uids():
            groups[str(ds.SeriesInstanceUID)].append(Path(path))
    return dict(groups)


def load_series(
    folder_or_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    series_uid: str | None = None,
) -> Volume:
    """Load one series as a volume in HU, sorted along the slice normal.

    Parameters
    ----------
    folder_or_paths : path-like or iterable of path-like
        A folder (every ``*.dcm`` in it) or the files themselves; it may hold
        several series.
    series_uid : str, optional
        Which series, when there are several.

    Returns
    -------
    Volume

    Raises
    ------
    CtlibError
        Several series and no ``series_uid``, an unknown ``series_uid``, slices of
        different orientation or size, or two slices at the same position.

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> data = open_data("sample")
    >>> uid = data.series("subdural-acute")["series_uid"]
    >>> volume = load_series(data.images, series_uid=uid)
    >>> volume.hu.shape, volume.tilt_deg
    ((1, 512, 512), 0.0)
    """
    if isinstance(folder_or_paths, str | os.PathLike) and Path(folder_or_paths).is_dir():
        paths: list[Path] = sorted(Path(folder_or_paths).glob("*.dcm"))
    else:
        paths = [Path(p) for p in folder_or_paths]  # type: ignore[union-attr]
    groups = series_in(paths)
    if series_uid is None:
        if len(groups) != 1:
            raise CtlibError(
                f"{len(groups)} series found; pass series_uid= one of {sorted(groups)[:5]}"
                + (" …" if len(groups) > 5 else "")
            )
        series_uid = next(iter(groups))
    if series_uid not in groups:
        raise CtlibError(f"no series {series_uid!r} among the {len(groups)} found.")
    datasets, files, skipped = [], [], []
    for path in groups[series_uid]:
        try:
            datasets.append(read(path))
            files.append(path)
        except DicomError as exc:  # e.g. truncated pixel data: report, do not stop
            skipped.append((path, str(exc)))
    if not datasets:
        raise CtlibError(f"no readable file in series {series_uid!r}: {skipped[0][1]}")
    orientation = np.array(datasets[0].ImageOrientationPatient, dtype=float)
    for ds in datasets[1:]:
        if not np.allclose(np.array(ds.ImageOrientationPatient, float), orientation, atol=1e-4):
            raise CtlibError(f"{ds.filename}: its orientation differs from the series'.")
        if (ds.Rows, ds.Columns) != (datasets[0].Rows, datasets[0].Columns):
            raise CtlibError(f"{ds.filename}: {ds.Rows}×{ds.Columns} differs from the series'.")
    normal = np.cross(orientation[:3], orientation[3:])
    positions = np.array([np.array(ds.ImagePositionPatient, float) for ds in datasets])
    along = positions @ normal
    order = np.argsort(along, kind="stable")
    steps = np.diff(along[order])
    if len(steps) and steps.min() < 1e-3:
        i = int(np.argmin(steps))
        raise CtlibError(
            f"{datasets[order[i]].filename} and {datasets[order[i + 1]].filename} lie at the "
            "same position: duplicated slices. Remove one."
        )
    hu = np.stack([to_hu(datasets[i]) for i in order])
    row_mm, col_mm = (float(v) for v in datasets[0].PixelSpacing)
    slice_mm = float(np.min(steps)) if len(steps) else 0.0
    tilt = float(np.degrees(np.arccos(min(1.0, abs(normal[2])))))
    headers = []
    for i in order:
        header = datasets[i].copy()
        del header.PixelData
        headers.append(header)
    return Volume(
        hu=hu,
        spacing=(slice_mm, row_mm, col_mm),
        normal=normal,
        positions=positions[order],
        tilt_deg=tilt,
        headers=headers,
        files=[files[i] for i in order],
        skipped=skipped,
    )


def reformat(
    volume: Volume, plane: Literal["axial", "coronal", "sagittal"], index: int | None = None
) -> tuple[npt.NDArray[np.float32], float]:
    """Cut a plane through a volume, with the aspect ratio that shows it undistorted.

    Parameters
    ----------
    volume : Volume
    plane : {"axial", "coronal", "sagittal"}
    index : int, optional
        Which slice/row/column; the middle one by default.

    Returns
    -------
    image : numpy.ndarray
        For coronal and sagittal, superior is at the top.
    aspect : float
        Height/width of a pixel, for ``imshow(image, aspect=aspect)``.

    Examples
    --------
    >>> import numpy as np
    >>> volume = Volume(np.zeros((30, 512, 512), np.float32), (5.0, 0.5, 0.5), np.array([0, 0, 1.0]),
    ...                 np.zeros((30, 3)), 0.0, [], [])
    >>> image, aspect = reformat(volume, "coronal")
    >>> image.shape, aspect
    ((30, 512), 10.0)

    Notes
    -----
    With gantry tilt the slices are sheared against the patient axes, so a
    coronal or sagittal cut through the stacked array is slanted; correcting
    that means resampling (see the notebook on series and volumes).
    """
    slices, row_mm, col_mm = volume.spacing
    if plane == "axial":
        k = volume.hu.shape[0] // 2 if index is None else index
        return volume.hu[k], row_mm / col_mm
    if plane == "coronal":
        r = volume.hu.shape[1] // 2 if index is None else index
        return volume.hu[::-1, r, :], slices / col_mm
    if plane == "sagittal":
        c = volume.hu.shape[2] // 2 if index is None else index
        return volume.hu[::-1, :, c], slices / row_mm
    raise CtlibError(f"unknown plane {plane!r}: use 'axial', 'coronal' or 'sagittal'.")
