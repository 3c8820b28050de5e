"""From a folder of slices to a volume: group by series, sort along the normal, untilt.

File names, Instance Number and even z say nothing reliable about slice order
(RSNA files have no Instance Number, and with gantry tilt z is not the
direction the slices are stacked in). The order is the position of each slice
along the normal of its plane: ``n · ImagePositionPatient`` with
``n = row × column`` direction (PS3.3 C.7.6.2.1.1).

With gantry tilt the table still moves along z while the planes are tilted,
so the stacked array is *sheared*: voxel columns are not perpendicular to the
slices. :attr:`Volume.affine` says so honestly, and :func:`untilt` resamples
the stack onto an orthogonal grid.
"""

from __future__ import annotations

import copy
import math
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.valuerep import DSfloat

from ctlib.errors import CtlibError, SeriesWarning, element_name
from ctlib.hu import AIR_HU
from ctlib.reading import allow_rsna_uids
from ctlib.volume_io import SliceFile, decimal_numbers, fill_hu, scan, unsigned_short

__all__ = ["Volume", "load_series", "reformat", "series_in", "untilt"]

#: Two slices closer than this along the normal (mm) are at the same position.
_SAME_POSITION_MM = 1e-3
#: A step differing from the series' usual one by more than this fraction is uneven.
_UNEVEN_FRACTION = 0.01
#: Orientations (direction cosines) closer than this are the same.
_SAME_DIRECTION = 1e-4
_SHOWN = 5  # files or gaps named in one message


@dataclass(init=False, repr=False, eq=False)
class Volume:
    """A series as a 3-D array in HU, with its geometry.

    Parameters are the attributes, in this order; ``skipped``, ``affine`` and
    ``orientation`` are optional (``affine`` and ``orientation`` are then
    derived from the headers, or from ``normal``, ``positions`` and ``spacing``).

    Attributes
    ----------
    hu : numpy.ndarray, shape (slices, rows, columns), float32
        Slices ordered along the normal, bottom (first) to top.
    spacing : (slice, row, column) in mm
        Slice: the usual step between neighbouring positions measured along
        the normal (their median; 0.0 for a single slice). Row and column:
        (0028,0030) Pixel Spacing, i.e. the distance between rows, then
        between columns (PS3.3 10.7.1.3).
    normal : numpy.ndarray, shape (3,)
        Unit normal of the slice planes, row direction × column direction (LPS).
    positions : numpy.ndarray, shape (slices, 3)
        (0020,0032) Image Position (Patient) of every slice, in order: the
        centre of its first pixel, in mm (LPS).
    tilt_deg : float
        Gantry tilt: angle between the direction the slices are stacked in
        (the step between positions) and the normal; 0 for an orthogonal
        stack. For a single slice, the angle between the normal and z.
    headers : list of pydicom.dataset.Dataset
        The slices' headers, in order (without Pixel Data).
    files : list of pathlib.Path
        The slices' files, in order.
    skipped : list of (pathlib.Path, str)
        Files that were left out, with the reason: files of the series that
        could not be read (e.g. truncated) and files whose header could not
        be read at all (their series is unknown). The volume is built from
        the others; a missing slice leaves a gap (:class:`ctlib.SeriesWarning`).
    affine : numpy.ndarray, shape (4, 4), float64
        Maps a voxel index ``(k, i, j, 1)`` (slice, row, column) to LPS mm:
        column 0 is the step from one slice's position to the next (so a
        sheared stack has a sheared affine; for one slice, the unit normal),
        column 1 is the column direction × row spacing, column 2 the row
        direction × column spacing, column 3 the first slice's position
        (PS3.3 C.7.6.2.1.1, equation C.7.6.2.1-1).
    orientation : numpy.ndarray, shape (6,)
        (0020,0037) Image Orientation (Patient): row direction, then column
        direction (direction cosines, LPS).

    Examples
    --------
    >>> import numpy as np
    >>> volume = Volume(np.zeros((3, 4, 4), np.float32), (5.0, 0.5, 0.5),
    ...                 np.array([0, 0, 1.0]), np.array([[0, 0, 5.0 * k] for k in range(3)]),
    ...                 0.0, [], [])
    >>> volume
    Volume(3×4×4 slices×rows×columns, spacing (5.0, 0.5, 0.5) mm, tilt 0.0°)
    >>> volume.affine @ [2, 1, 3, 1]  # slice 2, row 1, column 3
    array([ 1.5,  0.5, 10. ,  1. ])
    """

    hu: npt.NDArray[np.float32]
    spacing: tuple[float, float, float]
    normal: npt.NDArray[np.float64]
    positions: npt.NDArray[np.float64]
    tilt_deg: float
    headers: list[Dataset] = field(repr=False)
    files: list[Path] = field(repr=False)
    skipped: list[tuple[Path, str]] = field(repr=False)
    affine: npt.NDArray[np.float64] = field(repr=False)
    orientation: npt.NDArray[np.float64] = field(repr=False)

    def __init__(
        self,
        hu: npt.NDArray[np.float32],
        spacing: tuple[float, float, float],
        normal: npt.ArrayLike,
        positions: npt.ArrayLike,
        tilt_deg: float,
        headers: Sequence[Dataset],
        files: Sequence[str | os.PathLike[str]],
        skipped: Sequence[tuple[Path, str]] | None = None,
        affine: npt.ArrayLike | None = None,
        orientation: npt.ArrayLike | None = None,
    ) -> None:
        self.hu = hu
        slice_mm, row_mm, col_mm = (float(v) for v in spacing)
        self.spacing = (slice_mm, row_mm, col_mm)
        self.normal = np.asarray(normal, dtype=np.float64)
        self.positions = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
        self.tilt_deg = float(tilt_deg)
        self.headers = list(headers)
        self.files = [Path(f) for f in files]
        self.skipped = list(skipped or [])
        self.orientation = (
            np.asarray(orientation, dtype=np.float64)
            if orientation is not None
            else _orientation_of(self.headers, self.normal)
        )
        self.affine = (
            np.asarray(affine, dtype=np.float64)
            if affine is not None
            else _affine(self.positions, self.orientation, self.spacing, self.normal)
        )

    def __repr__(self) -> str:
        shape = "×".join(str(n) for n in self.hu.shape)
        spacing = tuple(round(v, 3) for v in self.spacing)
        skipped = f", {len(self.skipped)} file(s) skipped" if self.skipped else ""
        return (
            f"Volume({shape} slices×rows×columns, spacing {spacing} mm, "
            f"tilt {self.tilt_deg:.1f}°{skipped})"
        )

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
    groups, _ = _group([Path(p) for p in paths])
    return {uid: [f.path for f in files] for uid, files in groups.items()}


def load_series(
    folder_or_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    series_uid: str | None = None,
) -> Volume:
    """Load one series as a volume in HU, sorted along the slice normal.

    Each header is read once (grouping and geometry), then the pixel data of
    the chosen series go straight into the volume, each slice exactly
    ``ctlib.to_hu(ctlib.read(file))``.

    Parameters
    ----------
    folder_or_paths : path-like or iterable of path-like
        A folder (every ``*.dcm`` in it) or the files themselves; it may hold
        several series, as RSNA's flat folder does.
    series_uid : str, optional
        Which series, when there are several.

    Returns
    -------
    Volume
        Files that cannot be read are in ``Volume.skipped``, with the reason.

    Raises
    ------
    CtlibError
        No file, several series and no ``series_uid``, an unknown
        ``series_uid``, no usable file in the series, slices of different
        orientation, size or pixel spacing, or two slices at the same
        position. The message names the files and says what to do.

    Warns
    -----
    SeriesWarning
        The slices are not evenly spaced along the normal (a slice is
        missing): the message names the files on either side of each gap.

    Notes
    -----
    Geometry comes from the Image Plane module (PS3.3 C.7.6.2): slices are
    sorted by ``n · IPP``, ``n`` the cross product of the row and column
    directions of (0020,0037) Image Orientation (Patient). Gantry tilt is
    measured from the positions, not taken from (0018,1120) Gantry/Detector
    Tilt, which is often absent and whose sign convention varies by vendor.

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> data = open_data("sample")
    >>> uid = data.series("subdural-acute")["series_uid"]
    >>> volume = load_series(data.images, series_uid=uid)
    >>> volume.hu.shape, volume.tilt_deg
    ((1, 512, 512), 0.0)
    >>> volume.affine[:3, :3].round(3)  # one slice: column 0 is the unit normal
    array([[0.   , 0.   , 0.488],
           [0.   , 0.488, 0.   ],
           [1.   , 0.   , 0.   ]])
    """
    paths = _paths(folder_or_paths)
    groups, unreadable = _group(paths, wanted=series_uid)
    uid = _choose(groups, series_uid, paths, unreadable)
    usable: list[SliceFile] = []
    geometry: list[_Plane] = []
    rejected: list[SliceFile] = []
    for found in groups[uid]:
        plane = _plane(found.header) if found.problem is None else found.problem
        if isinstance(plane, _Plane):
            usable.append(found)
            geometry.append(plane)
        else:
            rejected.append(_with_problem(found, plane))
    skipped = unreadable + [(f.path, f.problem or "") for f in rejected]
    if not usable:
        raise CtlibError(
            f"series {uid}: none of its {len(groups[uid])} file(s) can be used. The first "
            f"reason: {skipped[0][1]}"
        )
    _check_consistent(uid, usable, geometry)
    orientation = geometry[0].orientation
    normal = np.cross(orientation[:3], orientation[3:])
    normal = normal / np.linalg.norm(normal) + 0.0  # + 0.0: no negative zeros
    positions = np.array([g.position for g in geometry])
    order = np.argsort(positions @ normal, kind="stable")
    _check_distinct([usable[i].path for i in order], positions[order] @ normal)
    ordered = [usable[i] for i in order]
    positions = positions[order]

    rows, columns = geometry[0].shape
    hu = np.empty((len(ordered), rows, columns), dtype=np.float32)
    failures = fill_hu(ordered, hu)
    if failures:  # rare (no rescale, undecodable data): close the ranks, keep the memory
        failed = {k for k, _ in failures}
        keep = [k for k in range(len(ordered)) if k not in failed]
        for target, source in enumerate(keep):
            hu[target] = hu[source]
        hu.resize((len(keep), rows, columns), refcheck=False)
        skipped += [(ordered[k].path, reason) for k, reason in failures]
        rejected += [_with_problem(ordered[k], reason) for k, reason in failures]
        ordered, positions = [ordered[k] for k in keep], positions[keep]
        if not keep:
            raise CtlibError(f"series {uid}: no file can be decoded. The first reason: "
                             f"{failures[0][1]}")

    along = positions @ normal
    _warn_if_uneven(uid, [f.path for f in ordered], along, rejected, normal)
    steps = np.diff(along)
    slice_mm = float(np.median(steps)) if len(steps) else 0.0
    spacing = (slice_mm, *geometry[0].pixel_spacing)
    affine = _affine(positions, orientation, spacing, normal)
    if len(positions) > 1:
        tilt = _angle_deg(affine[:3, 0], normal)
    else:
        tilt = _angle_deg(normal, np.array([0.0, 0.0, 1.0]))
    return Volume(
        hu,
        spacing,
        normal,
        positions,
        tilt,
        [f.header for f in ordered if f.header is not None],  # all have one (scan)
        [f.path for f in ordered],
        sorted(skipped),
        affine=affine,
        orientation=orientation,
    )


def untilt(volume: Volume) -> Volume:
    """Correct gantry tilt: resample a sheared stack onto an orthogonal grid.

    Each slice ``k`` is shifted within its plane by the in-plane component of
    ``P_k − P_0`` (``P`` the Image Position (Patient), PS3.3 C.7.6.2.1.1), as
    dcm2niix does, with linear interpolation (air, −1000 HU, comes in at the
    edges). The planes stay where they were; only the voxels' in-plane grid is
    aligned with the first slice's, so that voxel columns run along the normal.

    Parameters
    ----------
    volume : Volume
        For example from :func:`load_series` of a series with gantry tilt.

    Returns
    -------
    Volume
        A new volume: ``hu`` resampled (the same shape), ``positions`` moved
        onto the line through the first slice's position along the normal,
        ``affine`` with column 0 = ``spacing[0] × normal`` (orthogonal
        voxels), ``tilt_deg`` 0, and the headers copied with the new
        (0020,0032) Image Position (Patient). ``files`` and ``skipped`` are
        the input's. An untilted stack comes back unchanged (copied).

    Notes
    -----
    The table moves along z while the planes are tilted by the gantry angle θ
    about x, so slice ``k`` sits ``k·Δz·sin θ`` further along the column
    direction than slice 0 (``Δz`` the table step): the stacked array is
    sheared, and a coronal or sagittal cut through it is slanted. After
    resampling, coronal and sagittal reformats (:func:`reformat`) show true
    angles and distances. Structures near the edge of the field of view of
    the top slices may be cut, as on the scanner's own reformats.

    Examples
    --------
    >>> import numpy as np
    >>> tilt = np.radians(15)
    >>> orientation = [1, 0, 0, 0, np.cos(tilt), -np.sin(tilt)]  # planes tilted about x
    >>> positions = [[0, 0, k * 5 / np.cos(tilt)] for k in range(3)]  # table moves along z
    >>> sheared = Volume(np.zeros((3, 8, 8), np.float32), (5.0, 1.0, 1.0),
    ...                  np.cross(orientation[:3], orientation[3:]), positions, 15.0, [], [],
    ...                  orientation=orientation)
    >>> sheared.affine[:3, 0].round(3)  # the step between slices: along z, not the normal
    array([0.   , 0.   , 5.176])
    >>> straight = untilt(sheared)
    >>> straight.tilt_deg, straight.affine[:3, 0].round(3)
    (0.0, array([0.   , 1.294, 4.83 ]))
    """
    if len(volume.positions) != volume.hu.shape[0]:
        raise CtlibError(
            f"the volume has {volume.hu.shape[0]} slices but {len(volume.positions)} "
            "positions: untilt needs the position of every slice."
        )
    from scipy import ndimage  # here, not at import: `import ctlib` stays light

    row_dir, col_dir = volume.orientation[:3], volume.orientation[3:]
    normal = volume.normal / np.linalg.norm(volume.normal) + 0.0
    _, row_mm, col_mm = volume.spacing
    offsets = volume.positions - volume.positions[0]
    # Output row i' of slice k is at P_0 + (offset·n) n + i'·Δr·c: input row i' - (offset·c)/Δr.
    shifts = np.column_stack([offsets @ col_dir / row_mm, offsets @ row_dir / col_mm])
    hu = np.empty_like(volume.hu)
    for k, shift in enumerate(shifts):
        if np.abs(shift).max() < 1e-6:
            hu[k] = volume.hu[k]
        else:
            ndimage.shift(volume.hu[k], shift, output=hu[k], order=1, mode="constant",
                          cval=AIR_HU)
    positions = volume.positions[0] + np.outer(offsets @ normal, normal)
    affine = volume.affine.copy()
    affine[:3, 0] = normal * (volume.spacing[0] if volume.spacing[0] > 0 else 1.0)
    affine[:3, 3] = volume.positions[0]
    return Volume(
        hu,
        volume.spacing,
        normal,
        positions,
        0.0,
        _moved(volume.headers, positions),
        volume.files,
        volume.skipped,
        affine=affine,
        orientation=volume.orientation.copy(),
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
    >>> volume = Volume(np.zeros((30, 512, 512), np.float32), (5.0, 0.5, 0.5),
    ...                 np.array([0, 0, 1.0]), np.zeros((30, 3)), 0.0, [], [])
    >>> image, aspect = reformat(volume, "coronal")
    >>> image.shape, aspect
    ((30, 512), 10.0)

    Notes
    -----
    With gantry tilt the slices are sheared against the patient axes, so a
    coronal or sagittal cut through the stacked array is slanted; reformat
    ``untilt(volume)`` instead (:func:`untilt`), whose voxels are orthogonal.
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


# --- reading and grouping ----------------------------------------------------------------


@dataclass(frozen=True)
class _Plane:
    """The Image Plane and size of one slice (PS3.3 C.7.6.2, C.7.6.3)."""

    orientation: npt.NDArray[np.float64]
    position: npt.NDArray[np.float64]
    pixel_spacing: tuple[float, float]
    shape: tuple[int, int]


def _paths(
    folder_or_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> list[Path]:
    """The files to read: every ``*.dcm`` of a folder, or the paths given."""
    if isinstance(folder_or_paths, str | os.PathLike):
        folder = Path(folder_or_paths)
        if folder.is_dir():
            paths = sorted(folder.glob("*.dcm"))
            if not paths:
                raise CtlibError(
                    f"{folder}: no .dcm file in this folder. Check the path, or pass the "
                    "files themselves (a list of paths) if they have another extension."
                )
            return paths
        return [folder]
    paths = [Path(p) for p in folder_or_paths]
    if not paths:
        raise CtlibError("no file given: pass a folder or a non-empty list of files.")
    return paths


def _group(
    paths: Sequence[Path], wanted: str | None = None
) -> tuple[dict[str, list[SliceFile]], list[tuple[Path, str]]]:
    """Read every header once; group by series (keeping only ``wanted``'s, if given)."""
    groups: dict[str, list[SliceFile]] = {}
    unreadable: list[tuple[Path, str]] = []
    for path in paths:
        found = scan(path)
        if found.header is None:
            unreadable.append((path, found.problem or f"{path}: cannot be read."))
            continue
        uid = found.series_uid
        if not uid:  # a damaged file's own problem (e.g. cut before the element) comes first
            unreadable.append((path, found.problem or (
                f"{path}: {element_name('SeriesInstanceUID')} is missing, so the series the "
                "file belongs to is unknown. Pass the files of one series explicitly."
            )))
            continue
        members = groups.setdefault(uid, [])
        if wanted is None or uid == wanted:
            members.append(found)
    return groups, unreadable


def _choose(
    groups: dict[str, list[SliceFile]],
    series_uid: str | None,
    paths: Sequence[Path],
    unreadable: Sequence[tuple[Path, str]],
) -> str:
    """The series to load, or an error that says how to choose."""
    if not groups:
        raise CtlibError(
            f"none of the {len(paths)} file(s) has a readable DICOM header. The first "
            f"reason: {unreadable[0][1]}"
        )
    if series_uid is None:
        if len(groups) != 1:
            raise CtlibError(
                f"{len(groups)} series found; pass series_uid= one of {sorted(groups)[:5]}"
                + (" …" if len(groups) > 5 else "")
                + " (ctlib.series_in(files) lists the files of each)."
            )
        return next(iter(groups))
    if series_uid not in groups:
        raise CtlibError(
            f"no series {series_uid!r} among the {len(groups)} found: check the UID "
            "(ctlib.series_in(files) lists them)."
        )
    return series_uid


def _with_problem(found: SliceFile, problem: str) -> SliceFile:
    return SliceFile(found.path, found.header, found.series_uid, problem=problem)


def _plane(header: Dataset | None) -> _Plane | str:
    """The slice's plane and size, or why the header does not give them."""
    assert header is not None
    source = str(header.filename)
    values: dict[str, list[float]] = {}
    for keyword, count in (("ImageOrientationPatient", 6), ("ImagePositionPatient", 3),
                           ("PixelSpacing", 2), ("Rows", 1), ("Columns", 1)):
        if keyword in ("Rows", "Columns"):
            number = unsigned_short(header, keyword)
            numbers = None if number is None else [float(number)]
        else:
            numbers = decimal_numbers(header, keyword)
        if numbers is None or len(numbers) != count or not all(map(math.isfinite, numbers)):
            raw = header.get(keyword)
            shown = "missing" if raw is None or raw == "" else f"{raw!r}"
            return (
                f"{source}: {element_name(keyword)} is {shown}, but {count} number(s) are "
                "needed to place the slice in the volume (PS3.3 C.7.6.2). The file is left "
                "out; check where it came from."
            )
        values[keyword] = numbers
    orientation = values["ImageOrientationPatient"]
    row_dir, col_dir = orientation[:3], orientation[3:]
    if (abs(math.hypot(*row_dir) - 1) > 1e-3 or abs(math.hypot(*col_dir) - 1) > 1e-3
            or abs(sum(r * c for r, c in zip(row_dir, col_dir, strict=True))) > 1e-3):
        return (
            f"{source}: {element_name('ImageOrientationPatient')} is {orientation}: "
            "the row and column directions must be orthogonal unit vectors "
            "(PS3.3 C.7.6.2.1.1). The file is left out; check where it came from."
        )
    spacing = values["PixelSpacing"]
    rows, columns = int(values["Rows"][0]), int(values["Columns"][0])
    if min(spacing) <= 0 or rows < 1 or columns < 1:
        return (
            f"{source}: {element_name('PixelSpacing')} {spacing} and "
            f"{element_name('Rows')} × {element_name('Columns')} {rows}×{columns} must be "
            "positive. The file is left out; check where it came from."
        )
    return _Plane(
        orientation=np.array(orientation),
        position=np.array(values["ImagePositionPatient"]),
        pixel_spacing=(spacing[0], spacing[1]),
        shape=(rows, columns),
    )


# --- geometry checks ---------------------------------------------------------------------


def _check_consistent(uid: str, files: Sequence[SliceFile], planes: Sequence[_Plane]) -> None:
    """Raise :class:`CtlibError` if the slices differ in orientation, size or pixel spacing."""
    checks = [
        ("orientation", element_name("ImageOrientationPatient"),
         [p.orientation for p in planes], _SAME_DIRECTION,
         ("the slices are not one stack of parallel planes (a localizer, or two acquisitions "
          "in one series?): load the files of each orientation separately")),
        ("size", f"{element_name('Rows')} × {element_name('Columns')}",
         [np.array(p.shape, float) for p in planes], 0.5,
         ("a volume needs one size for every slice: load the files of each size separately "
          "(load_series(files)), or leave the odd ones out")),
        ("pixel spacing", element_name("PixelSpacing"),
         [np.array(p.pixel_spacing) for p in planes], 1e-4,
         ("a volume needs one pixel spacing for every slice: load the files of each spacing "
          "separately, or resample them first")),
    ]
    for what, element, values, tolerance, advice in checks:
        common = Counter(tuple(np.round(v, 6)) for v in values).most_common(1)[0][0]
        reference = np.array(common)
        odd = [i for i, v in enumerate(values) if np.abs(v - reference).max() > tolerance]
        if not odd:
            continue
        example = next(i for i in range(len(values)) if i not in set(odd))
        shown = ", ".join(f"{files[i].path} has {_show(values[i])}" for i in odd[:_SHOWN])
        more = f" and {len(odd) - _SHOWN} more" if len(odd) > _SHOWN else ""
        raise CtlibError(
            f"series {uid} mixes slices of different {what} ({element}): {shown}{more}, while "
            f"{len(values) - len(odd)} file(s) (e.g. {files[example].path}) have "
            f"{_show(values[example])}. So {advice}."
        )


def _show(value: npt.NDArray[np.float64]) -> str:
    if value.size == 2 and (value == value.round()).all() and value[0] > 2:
        return f"{int(value[0])}×{int(value[1])}"
    return "[" + ", ".join(f"{v:.6g}" for v in value) + "]"


def _check_distinct(paths: Sequence[Path], along: npt.NDArray[np.float64]) -> None:
    """Raise :class:`CtlibError` naming the files of slices at the same position."""
    same = np.flatnonzero(np.diff(along) < _SAME_POSITION_MM)
    if not same.size:
        return
    pairs = "; ".join(
        f"{paths[i]} and {paths[i + 1]} ({along[i]:.3f} mm along the normal)"
        for i in same[:_SHOWN]
    )
    more = f" and {same.size - _SHOWN} more pair(s)" if same.size > _SHOWN else ""
    raise CtlibError(
        f"{pairs}{more}: these lie at the same position: duplicated slices (the same image "
        "copied twice, or two reconstructions sharing a Series Instance UID). Remove one of "
        "each pair, or load the reconstructions separately (load_series(files))."
    )


def _warn_if_uneven(
    uid: str,
    paths: Sequence[Path],
    along: npt.NDArray[np.float64],
    rejected: Sequence[SliceFile],
    normal: npt.NDArray[np.float64],
) -> None:
    """Warn (:class:`SeriesWarning`) about steps that differ from the usual one, naming files."""
    if len(along) < 3:
        return
    steps = np.diff(along)
    usual = float(np.median(steps))
    odd = np.flatnonzero(np.abs(steps - usual) > max(_UNEVEN_FRACTION * usual, 1e-3))
    if not odd.size:
        return
    skipped_at = []  # skipped files of this series whose header still says where they were
    for found in rejected:
        plane = _plane(found.header) if found.header is not None else ""
        if not isinstance(plane, str):
            skipped_at.append((found.path.name, float(plane.position @ normal)))
    lines = []
    for i in odd[:_SHOWN]:
        if steps[i] > usual:
            count = max(1, round(steps[i] / usual) - 1)
            what = f"a gap: about {count} slice(s) missing"
            inside = [name for name, at in skipped_at if along[i] < at < along[i + 1]]
            if inside:
                what += f" ({', '.join(inside)} was skipped: see Volume.skipped)"
        else:
            what = "closer than the others: two reconstructions mixed?"
        lines.append(
            f"  between {paths[i].name} and {paths[i + 1].name}: {steps[i]:.3f} mm "
            f"instead of {usual:.3f} mm, {what}"
        )
    if odd.size > _SHOWN:
        lines.append(f"  and {odd.size - _SHOWN} more place(s)")
    warnings.warn(
        f"series {uid}: the slices are not evenly spaced along the normal:\n"
        + "\n".join(lines)
        + "\nThe volume's slice axis is not uniform there: coronal and sagittal reformats are "
        "distorted, and spacing and affine (which use the usual step) do not hold past the "
        "gap. Find the missing file(s) and load again, or use the parts on either side "
        "separately (volume.positions gives each slice's true place).",
        SeriesWarning,
        stacklevel=3,
    )


# --- affine and orientation --------------------------------------------------------------


def _affine(
    positions: npt.NDArray[np.float64],
    orientation: npt.NDArray[np.float64],
    spacing: tuple[float, float, float],
    normal: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Voxel (k, i, j, 1) → LPS mm: PS3.3 equation C.7.6.2.1-1 plus the step between slices."""
    affine = np.eye(4)
    step = np.median(np.diff(positions, axis=0), axis=0) if len(positions) > 1 else None
    if step is None or np.linalg.norm(step) < _SAME_POSITION_MM:
        unit = normal / np.linalg.norm(normal)
        step = unit * (spacing[0] if spacing[0] > 0 else 1.0)
    affine[:3, 0] = step
    affine[:3, 1] = orientation[3:] * spacing[1]  # down the rows: column direction × Δrow
    affine[:3, 2] = orientation[:3] * spacing[2]  # along a row: row direction × Δcolumn
    affine[:3, 3] = positions[0] if len(positions) else 0.0
    return affine + 0.0  # no negative zeros


def _orientation_of(
    headers: Sequence[Dataset], normal: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """(0020,0037) of the first header, or a row/column pair whose cross product is ``normal``."""
    if headers:
        plane = _plane(headers[0])
        if not isinstance(plane, str):
            return plane.orientation
    unit = normal / np.linalg.norm(normal)
    axis = np.array([1.0, 0.0, 0.0]) if abs(unit[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    row = axis - (axis @ unit) * unit
    row /= np.linalg.norm(row)
    return np.concatenate([row, np.cross(unit, row)])


def _angle_deg(u: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> float:
    """Angle between two lines (directions up to sign), in degrees."""
    cosine = abs(float(u @ v)) / float(np.linalg.norm(u) * np.linalg.norm(v))
    return math.degrees(math.acos(min(1.0, cosine)))


def _moved(headers: Sequence[Dataset], positions: npt.NDArray[np.float64]) -> list[Dataset]:
    """Copies of ``headers`` with (0020,0032) Image Position (Patient) set to ``positions``."""
    moved = []
    with allow_rsna_uids():
        for header, position in zip(headers, positions, strict=False):
            header = copy.deepcopy(header)
            header.ImagePositionPatient = [DSfloat(v, auto_format=True) for v in position]
            moved.append(header)
    return moved
