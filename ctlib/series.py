"""From a folder of files to a volume: find the slices, group them by series, sort them.

File names, Instance Number and even z say nothing reliable about slice order
(RSNA files have no Instance Number, and with gantry tilt z is not the
direction the slices are stacked in). The order is the position of each slice
along the normal of its plane: ``n · ImagePositionPatient`` with
``n = row × column`` direction (PS3.3 C.7.6.2.1.1), turned so that an axial
stack runs from the feet to the head whatever the patient position.

Folders come as scanners and PACS write them (:func:`ctlib.folders.files_in`):
nested, files without extension, a DICOMDIR. Objects that are not slices of a
volume (the DICOMDIR, localizers, dose screens, reports, presentation states,
other modalities: :func:`ctlib.objects.not_a_slice`) are left out and listed
with the reason, never raised. The volume itself and what to do with it are in
:mod:`ctlib.volume`.
"""

from __future__ import annotations

import math
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from ctlib._internals.slices import SliceFile, decimal_numbers, fill_hu, scan, unsigned_short
from ctlib.errors import CtlibError, SeriesWarning, element_name
from ctlib.folders import files_in
from ctlib.objects import not_a_slice
from ctlib.volume import (
    SAME_POSITION_MM,
    Volume,
    describe_steps,
    reformat,
    resample,
    step_runs,
    untilt,
)

__all__ = ["Survey", "Volume", "load_series", "reformat", "resample", "series_in", "survey",
           "untilt"]

#: Orientations (direction cosines) closer than this are the same.
_SAME_DIRECTION = 1e-4
_SHOWN = 5  # files or gaps named in one message
_NOT_A_SLICE = "; not a slice of a volume, left out."

Source = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


@dataclass
class Survey:
    """What a folder holds: its series of CT slices, and every file left out, with why.

    Attributes
    ----------
    series : dict
        Series Instance UID → its slice files (in the order found).
    skipped : list of (pathlib.Path, str)
        Files that are not slices of a volume (a DICOMDIR, a localizer, a dose
        screen, a report…) or cannot be read, each with the reason.
    """

    series: dict[str, list[Path]] = field(default_factory=dict)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def __str__(self) -> str:
        files = sum(len(f) for f in self.series.values())
        head = (f"{len(self.series)} series of CT slices ({files} files); "
                f"{len(self.skipped)} file(s) left out")
        lines = [head]
        lines += [f"  {path.name}: {why.split(': ', 1)[-1]}" for path, why in self.skipped]
        return "\n".join(lines)


def survey(folder_or_paths: Source) -> Survey:
    """Find the CT slices of a folder and group them by series, reading headers only.

    Parameters
    ----------
    folder_or_paths : path-like or iterable of path-like
        A folder (nested folders, files with or without ``.dcm``, a DICOMDIR at
        its top: see :func:`ctlib.folders.files_in`), or the files themselves.

    Returns
    -------
    Survey
        The series and, separately, the files left out with the reason: nothing
        is raised for a bad or unexpected file.

    Examples
    --------
    >>> from ctlib import open_data
    >>> found = survey(open_data("sample").images)
    >>> len(found.series) > 5, found.skipped
    (True, [])
    """
    groups, skipped = _group(files_in(folder_or_paths))
    return Survey({uid: [f.path for f in files] for uid, files in groups.items()}, skipped)


def series_in(folder_or_paths: Source) -> dict[str, list[Path]]:
    """Group the CT slices of a folder (or of the files given) by (0020,000E) Series Instance UID.

    Parameters
    ----------
    folder_or_paths : path-like or iterable of path-like
        As for :func:`survey`.

    Returns
    -------
    dict
        Series Instance UID → its files (in the order found). Files that are
        not slices, or whose header cannot be read, are left out:
        :func:`survey` lists them with the reason.

    Examples
    --------
    >>> from ctlib import open_data
    >>> groups = series_in(open_data("sample").files())
    >>> len(groups) > 5
    True
    """
    return survey(folder_or_paths).series


def load_series(folder_or_paths: Source, *, series_uid: str | None = None) -> Volume:
    """Load one series as a volume in HU, sorted along the slice normal.

    Each header is read once (finding, grouping and geometry), then the pixel
    data of the chosen series go straight into the volume, each slice exactly
    ``ctlib.to_hu(ctlib.read(file))``.

    Parameters
    ----------
    folder_or_paths : path-like or iterable of path-like
        A folder as scanners and PACS export them (see :func:`survey`) or the
        files themselves; it may hold several series, as RSNA's flat folder does.
    series_uid : str, optional
        Which series, when there are several.

    Returns
    -------
    Volume
        Slices from the feet to the head (for an axial series). Files left out
        are in ``Volume.skipped``, with the reason: files that cannot be read,
        and objects that are not slices (a DICOMDIR, localizers, dose screens…).

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
        The slices are not evenly spaced along the normal, and the message
        says which kind: a **gap** (one step a multiple of the usual one, same
        thickness: a slice is missing), a **protocol change** (thickness and
        spacing change part-way, e.g. 4 mm then 7 mm: nothing is missing), or
        steps that are shorter than the others (two reconstructions mixed?).

    Notes
    -----
    Geometry comes from the Image Plane module (PS3.3 C.7.6.2): slices are
    sorted by ``n · IPP``, ``n`` the cross product of the row and column
    directions of (0020,0037) Image Orientation (Patient), turned to point to
    the head for an axial stack. Gantry tilt is measured from the positions,
    not taken from (0018,1120) Gantry/Detector Tilt, which is often absent and
    whose sign convention varies by vendor.

    Examples
    --------
    >>> from ctlib import open_data
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
    paths = files_in(folder_or_paths)
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
    normal = normal / np.linalg.norm(normal)
    if normal[np.argmax(np.abs(normal))] < 0:  # feet first, prone…: stack from the feet up
        normal = -normal
    positions = np.array([g.position for g in geometry])
    order = np.argsort(positions @ normal, kind="stable")
    _check_distinct([usable[i] for i in order], positions[order] @ normal)
    ordered = [usable[i] for i in order]
    positions = positions[order]

    rows, columns = geometry[0].shape
    hu = np.empty((len(ordered), rows, columns), dtype=np.float32)
    failures = fill_hu(ordered, hu)
    if failures:  # rare (no rescale, undecodable data): close the ranks in place
        failed = {k for k, _ in failures}
        keep = [k for k in range(len(ordered)) if k not in failed]
        if not keep:
            raise CtlibError(f"series {uid}: no file can be decoded. The first reason: "
                             f"{failures[0][1]}")
        hu = hu[keep]  # a copy of the good slices: the full stack is freed on return
        skipped += [(ordered[k].path, reason) for k, reason in failures]
        rejected += [_with_problem(ordered[k], reason) for k, reason in failures]
        ordered, positions = [ordered[k] for k in keep], positions[keep]

    _warn_if_uneven(uid, ordered, positions @ normal, rejected, normal)
    return Volume(
        hu,
        positions,
        orientation,
        geometry[0].pixel_spacing,
        [f.header for f in ordered if f.header is not None],  # all have one (scan)
        [f.path for f in ordered],
        sorted(skipped),
    )


# --- reading and grouping ----------------------------------------------------------------


@dataclass(frozen=True)
class _Plane:
    """The Image Plane and size of one slice (PS3.3 C.7.6.2, C.7.6.3)."""

    orientation: npt.NDArray[np.float64]
    position: npt.NDArray[np.float64]
    pixel_spacing: tuple[float, float]
    shape: tuple[int, int]


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
        what = not_a_slice(found.header) if found.problem is None else None
        if what is not None:
            unreadable.append((path, f"{path}: {what}{_NOT_A_SLICE}"))
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
        objects = [why for _, why in unreadable if why.endswith(_NOT_A_SLICE)]
        if objects:
            raise CtlibError(
                f"no CT slice among the {len(paths)} file(s): {len(objects)} are other "
                f"objects, {len(unreadable) - len(objects)} cannot be read. The first: "
                f"{objects[0]} Use ctlib.survey(folder) to list every file with the reason, "
                "and pass a folder (or files) holding CT slices."
            )
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


def _check_distinct(files: Sequence[SliceFile], along: npt.NDArray[np.float64]) -> None:
    """Raise :class:`CtlibError` naming the files of slices at the same position.

    Two slices at one position are either one image copied twice, or two
    reconstructions (e.g. 5 mm soft tissue and 1.25 mm bone) written under one
    Series Instance UID: the message says which, from thickness and kernel.
    """
    same = np.flatnonzero(np.diff(along) < SAME_POSITION_MM)
    if not same.size:
        return
    pairs = "; ".join(
        f"{files[i].path} and {files[i + 1].path} ({along[i]:.3f} mm along the normal)"
        for i in same[:_SHOWN]
    )
    more = f" and {same.size - _SHOWN} more pair(s)" if same.size > _SHOWN else ""
    kinds = sorted({_reconstruction(f.header) for f in files})
    if len(kinds) > 1:
        shown = "; ".join(kinds[:4])
        raise CtlibError(
            f"{pairs}{more}: these lie at the same position because {len(kinds)} "
            f"reconstructions share one Series Instance UID ({shown}). Load each on its own: "
            f"group the files by {element_name('SliceThickness')} and "
            f"{element_name('ConvolutionKernel')} and pass each group to load_series(files)."
        )
    raise CtlibError(
        f"{pairs}{more}: these lie at the same position with the same thickness and kernel: "
        "duplicated slices (the same image copied twice). Remove one file of each pair."
    )


def _reconstruction(header: Dataset | None) -> str:
    """"thickness 5 mm, kernel STANDARD": what tells two reconstructions apart."""
    thickness = decimal_numbers(header, "SliceThickness") if header is not None else None
    kernel = header.get("ConvolutionKernel", "") if header is not None else ""
    kernel = "\\".join(kernel) if isinstance(kernel, list | tuple) else str(kernel or "")
    mm = f"{thickness[0]:g} mm" if thickness else "unknown"
    return f"thickness {mm}, kernel {kernel or 'unknown'}"


def _thickness(found: SliceFile) -> float | None:
    values = decimal_numbers(found.header, "SliceThickness") if found.header else None
    return values[0] if values else None


def _warn_if_uneven(
    uid: str,
    files: Sequence[SliceFile],
    along: npt.NDArray[np.float64],
    rejected: Sequence[SliceFile],
    normal: npt.NDArray[np.float64],
) -> None:
    """Warn (:class:`SeriesWarning`) about uneven steps, saying which kind each is.

    A **gap**: one step about m times its neighbours' step, the thickness the
    same on both sides (m − 1 slices missing). A **protocol change**: the step
    changes and stays changed (usually with the thickness). A step **shorter**
    than its neighbours: two reconstructions mixed? Files are named.
    """
    if len(along) < 3:
        return
    steps = np.diff(along)
    runs = step_runs(steps)
    if len(runs) == 1:
        return
    names = [f.path.name for f in files]
    thickness = [_thickness(f) for f in files]
    skipped_at = []  # skipped files of this series whose header still says where they were
    for found in rejected:
        plane = _plane(found.header) if found.header is not None else ""
        if not isinstance(plane, str):
            skipped_at.append((found.path.name, float(plane.position @ normal)))
    lines, gaps, changes = [], 0, 0
    for r, (step, first, last) in enumerate(runs):
        before = runs[r - 1] if r > 0 else None
        after = runs[r + 1] if r + 1 < len(runs) else None
        around = [run[0] for run in (before, after) if run is not None and run[2] - run[1] >= 2]
        if last - first == 1 and around:  # one odd step between regular ones
            usual = min(around)
            count = round(step / usual)
            same_thickness = thickness[first] == thickness[last]
            where = f"between {names[first]} and {names[last]}: {step:.3f} mm instead of " \
                    f"{usual:.3f} mm"
            if count >= 2 and abs(step - count * usual) <= 0.05 * usual and same_thickness:
                gaps += 1
                what = f"a gap: {count - 1} slice(s) missing"
                inside = [n for n, at in skipped_at if along[first] < at < along[last]]
                if inside:
                    what += f" ({', '.join(inside)} was skipped: see Volume.skipped)"
            elif step < usual:
                what = "closer than the others: two reconstructions mixed?"
            else:
                what = "an odd step"
            lines.append(f"  {where}, {what}")
        elif before is not None and before[2] - before[1] >= 2 and last - first >= 2:
            changes += 1
            was, now = thickness[before[1]], thickness[first + 1]
            thick = (f"thickness {was:g} → {now:g} mm" if was is not None and now is not None
                     and was != now else "thickness unchanged")
            lines.append(
                f"  from {names[first]} on: slices {step:.3g} mm apart instead of "
                f"{before[0]:.3g} mm ({thick}): a protocol that changes part-way, nothing missing"
            )
    if not lines:
        lines.append(f"  steps: {describe_steps(steps)}")
    advice = []
    if gaps:
        advice.append("Find the missing file(s) and load again, or use the parts on either "
                      "side separately.")
    advice.append("volume.positions holds each slice's true place; volume.affine refuses "
                  "(there is no single step) and ctlib.reformat resamples onto a uniform grid "
                  "first (ctlib.resample(volume) does it explicitly).")
    shown = lines[:_SHOWN] + ([f"  and {len(lines) - _SHOWN} more place(s)"]
                              if len(lines) > _SHOWN else [])
    warnings.warn(
        f"series {uid}: the slices are not evenly spaced along the normal:\n"
        + "\n".join(shown) + "\n" + " ".join(advice),
        SeriesWarning,
        stacklevel=3,
    )
