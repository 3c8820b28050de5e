"""A series as a 3-D array with its geometry: :class:`Volume`, and what to do with one.

A volume is the slices' HU stacked in order along the slice normal, with where
each slice is (its (0020,0032) Image Position (Patient)) and how its rows and
columns run ((0020,0037) Image Orientation (Patient)); everything else is
derived from those (PS3.3 C.7.6.2.1.1):

* the **normal** ``n`` = row direction × column direction, pointing the way the
  slices are stacked;
* the **steps** between neighbouring slices along ``n``. Real protocols change
  them part-way (4 mm through the posterior fossa, 7 mm above), and a missing
  file leaves one step twice as long: then there is no single affine, and
  :func:`resample` puts the slices on a uniform grid first;
* the **tilt**: the angle between the direction the slices are stacked in and
  ``n`` (gantry tilt shears the stack; :func:`untilt` straightens it);
* the **affine** mapping a voxel index to millimetres, when the steps are equal.

:func:`reformat` cuts axial, coronal and sagittal planes and always shows them
the radiological way, whatever the patient position and the direction cosines
the scanner wrote: head up, anterior up in axial, the patient's right on the
image's left.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.valuerep import DSfloat

from ctlib.errors import ArgumentError, CtlibError
from ctlib.hu import AIR_HU
from ctlib.reading import allow_rsna_uids

__all__ = ["Volume", "reformat", "resample", "untilt"]

#: Two slices closer than this along the normal (mm) are at the same position.
SAME_POSITION_MM = 1e-3
#: Steps differing from the usual one by more than this fraction are uneven.
UNEVEN_FRACTION = 0.01

Plane = Literal["axial", "coronal", "sagittal"]


@dataclass(eq=False, repr=False)
class Volume:
    """A series as a 3-D array in HU, with its geometry.

    Parameters
    ----------
    hu : numpy.ndarray, shape (slices, rows, columns), float32
        Slices ordered along the normal: for an axial series, from the feet
        towards the head, whatever the patient position.
    positions : array_like, shape (slices, 3)
        (0020,0032) Image Position (Patient) of every slice, in order: the
        centre of its first pixel, in mm (LPS: x to the patient's left, y to
        the back, z to the head).
    orientation : array_like, shape (6,)
        (0020,0037) Image Orientation (Patient): the row direction (along a
        row, as the column index grows), then the column direction (down a
        column), as direction cosines in LPS.
    pixel_spacing : (float, float)
        (0028,0030) Pixel Spacing: between rows, then between columns, in mm
        (PS3.3 10.7.1.3).
    headers : list of pydicom.dataset.Dataset, optional
        The slices' headers, in order (without Pixel Data).
    files : list of pathlib.Path, optional
        The slices' files, in order.
    skipped : list of (pathlib.Path, str), optional
        Files that were left out, each with the reason (unreadable, not a
        slice, another orientation…).

    Examples
    --------
    >>> import numpy as np
    >>> volume = Volume(np.zeros((3, 4, 4), np.float32),
    ...                 positions=[[0, 0, 5.0 * k] for k in range(3)],
    ...                 orientation=[1, 0, 0, 0, 1, 0], pixel_spacing=(0.5, 0.5))
    >>> volume
    Volume(3×4×4 slices×rows×columns, spacing (5.0, 0.5, 0.5) mm, tilt 0.0°)
    >>> volume.affine @ [2, 1, 3, 1]  # slice 2, row 1, column 3
    array([ 1.5,  0.5, 10. ,  1. ])
    """

    hu: npt.NDArray[np.float32]
    positions: npt.NDArray[np.float64]
    orientation: npt.NDArray[np.float64]
    pixel_spacing: tuple[float, float]
    headers: list[Dataset] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.positions = np.asarray(self.positions, dtype=np.float64).reshape(-1, 3)
        self.orientation = np.asarray(self.orientation, dtype=np.float64).reshape(6)
        row_mm, col_mm = (float(v) for v in self.pixel_spacing)
        self.pixel_spacing = (row_mm, col_mm)
        self.headers, self.files = list(self.headers), [Path(f) for f in self.files]
        self.skipped = list(self.skipped)
        if self.hu.ndim != 3 or len(self.positions) != self.hu.shape[0]:
            raise ArgumentError(
                f"a Volume needs hu of shape (slices, rows, columns) and one position per "
                f"slice: got hu of shape {self.hu.shape} and {len(self.positions)} position(s)."
            )

    @property
    def normal(self) -> npt.NDArray[np.float64]:
        """Unit normal of the slice planes (row × column direction), pointing the way they are
        stacked (LPS)."""
        n = np.cross(self.orientation[:3], self.orientation[3:])
        n = n / np.linalg.norm(n)
        if len(self.positions) > 1 and (self.positions[-1] - self.positions[0]) @ n < 0:
            n = -n
        return n + 0.0  # no negative zeros

    @property
    def steps(self) -> npt.NDArray[np.float64]:
        """The distance from each slice to the next along the normal, in mm (slices − 1 values)."""
        return np.diff(self.positions @ self.normal)

    @property
    def uniform(self) -> bool:
        """Whether every step equals the usual one (within 1 %): then the affine holds."""
        steps = self.steps
        if not steps.size:
            return True
        usual = float(np.median(steps))
        return bool(np.abs(steps - usual).max() <= max(UNEVEN_FRACTION * usual, SAME_POSITION_MM))

    @property
    def spacing(self) -> tuple[float, float, float]:
        """(slice, row, column) in mm: the usual (median) step, then the pixel spacing.

        The slice value is the median step, 0.0 for one slice; when the steps
        are not :attr:`uniform` it does not describe every slice (see :attr:`steps`).
        """
        steps = self.steps
        return (float(np.median(steps)) if steps.size else 0.0, *self.pixel_spacing)

    @property
    def tilt_deg(self) -> float:
        """Gantry tilt: the angle between the stacking direction and the normal, in degrees.

        For one slice: the angle between the normal and z.
        """
        if len(self.positions) > 1:
            return _angle_deg(self.positions[-1] - self.positions[0], self.normal)
        return float(plane_tilt_deg(self.orientation))

    @property
    def affine(self) -> npt.NDArray[np.float64]:
        """Voxel (k, i, j, 1) → LPS mm (PS3.3 equation C.7.6.2.1-1 plus the slice step).

        Column 0 is the step from one slice's position to the next (so a sheared
        stack has a sheared affine; for one slice, the unit normal), column 1 the
        column direction × row spacing, column 2 the row direction × column
        spacing, column 3 the first slice's position.

        Raises
        ------
        CtlibError
            If the steps are not :attr:`uniform`: no single affine then maps
            indices to millimetres; :func:`resample` first.
        """
        if not self.uniform:
            raise CtlibError(
                f"{self._name()}: the slices are not evenly spaced along the normal "
                f"({describe_steps(self.steps)}), so no single affine maps a voxel index to "
                "millimetres. Use volume.positions (each slice's true place), or "
                "ctlib.resample(volume) for a uniform grid that has one."
            )
        affine = np.eye(4)
        count = len(self.positions)
        affine[:3, 0] = ((self.positions[-1] - self.positions[0]) / (count - 1) if count > 1
                         else self.normal)
        affine[:3, 1] = self.orientation[3:] * self.pixel_spacing[0]
        affine[:3, 2] = self.orientation[:3] * self.pixel_spacing[1]
        affine[:3, 3] = self.positions[0]
        return affine + 0.0

    @property
    def series_uid(self) -> str:
        """The (0020,000E) Series Instance UID (empty if there are no headers)."""
        if not self.headers:
            return ""
        with allow_rsna_uids():
            return str(self.headers[0].SeriesInstanceUID)

    def _name(self) -> str:
        return f"series {self.series_uid}" if self.series_uid else "this volume"

    def __repr__(self) -> str:
        shape = "×".join(str(n) for n in self.hu.shape)
        spacing = tuple(round(v, 3) for v in self.spacing)
        uneven = "" if self.uniform else f", uneven steps ({describe_steps(self.steps)})"
        skipped = f", {len(self.skipped)} file(s) skipped" if self.skipped else ""
        return (f"Volume({shape} slices×rows×columns, spacing {spacing} mm, "
                f"tilt {self.tilt_deg:.1f}°{uneven}{skipped})")


def plane_tilt_deg(orientation: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The angle between each plane's normal and z, in degrees, from (0020,0037) alone.

    What a header says about tilt without the other slices' positions: 0 for an
    axial plane, the gantry angle for a tilted one (about x), 90 for a sagittal or
    coronal plane. The tilt of a *stack* is measured from its positions
    (:attr:`Volume.tilt_deg`).

    Parameters
    ----------
    orientation : array_like, shape (6,) or (n, 6)
        Row direction, then column direction (LPS), as in the header; NaN rows
        (no orientation) give NaN.

    Returns
    -------
    numpy.ndarray of float64, shape () or (n,)

    Examples
    --------
    >>> import numpy as np
    >>> t = np.radians(15)
    >>> plane_tilt_deg([[1, 0, 0, 0, 1, 0], [1, 0, 0, 0, np.cos(t), -np.sin(t)]]).round(6)
    array([ 0., 15.])
    """
    cosines = np.asarray(orientation, dtype=np.float64)
    normal = np.cross(cosines[..., :3], cosines[..., 3:])
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.abs(normal[..., 2]) / np.linalg.norm(normal, axis=-1)
    angle: npt.NDArray[np.float64] = np.degrees(np.arccos(np.clip(cosine, 0.0, 1.0)))
    return angle


def describe_steps(steps: npt.NDArray[np.float64]) -> str:
    """The steps as runs: ``"4 mm for slices 0–9, 7 mm for slices 9–21"``.

    Examples
    --------
    >>> import numpy as np
    >>> describe_steps(np.array([4.0, 4.0, 7.0, 7.0, 7.0]))
    '4 mm for slices 0–2, 7 mm for slices 2–5'
    """
    parts = []
    for step, first, last in step_runs(steps):
        parts.append(f"{step:.4g} mm for slices {first}–{last}")
    shown = parts[:4] + ([f"and {len(parts) - 4} more"] if len(parts) > 4 else [])
    return ", ".join(shown)


def step_runs(steps: npt.NDArray[np.float64]) -> list[tuple[float, int, int]]:
    """Runs of equal steps: (step, first slice, last slice) for each."""
    runs: list[tuple[float, int, int]] = []
    for k, step in enumerate(steps):
        if runs and abs(step - runs[-1][0]) <= max(UNEVEN_FRACTION * runs[-1][0],
                                                     SAME_POSITION_MM):
            runs[-1] = (runs[-1][0], runs[-1][1], k + 1)
        else:
            runs.append((float(step), k, k + 1))
    return runs


def resample(volume: Volume, spacing: float | None = None) -> Volume:
    """Put the slices on a uniform grid along the normal, by linear interpolation.

    Parameters
    ----------
    volume : Volume
    spacing : float, optional
        The new step in mm; by default the smallest step of the volume, so that
        no detail is lost.

    Returns
    -------
    Volume
        Slices at ``first + m × spacing`` along the line through the slices'
        positions, from the first slice to the last: the volume's true extent.
        Each new slice is interpolated between its two neighbours (their
        positions too, so a tilted stack stays tilted); its header is a copy of
        the nearer one's with the new (0020,0032) Image Position (Patient), and
        ``files`` names the nearer one's file. ``skipped`` is the input's.

    Raises
    ------
    ArgumentError
        If ``spacing`` is not a positive number.

    Examples
    --------
    >>> import numpy as np
    >>> z = [0.0, 4.0, 8.0, 15.0, 22.0]  # 4 mm, then 7 mm
    >>> volume = Volume(np.arange(5, dtype=np.float32)[:, None, None] * np.ones((5, 2, 2)),
    ...                 positions=[[0, 0, v] for v in z], orientation=[1, 0, 0, 0, 1, 0],
    ...                 pixel_spacing=(1.0, 1.0))
    >>> volume.uniform
    False
    >>> even = resample(volume)
    >>> even.uniform, even.spacing[0], even.hu.shape[0], float(even.positions[-1, 2])
    (True, 4.0, 6, 20.0)
    >>> float(even.hu[3, 0, 0])  # 12 mm: 4/7 of the way from the slice at 8 mm to 15 mm
    2.5714285...
    """
    count = len(volume.positions)
    if spacing is not None and not (isinstance(spacing, int | float) and spacing > 0
                                    and math.isfinite(spacing)):
        raise ArgumentError(f"spacing must be a positive number of mm, not {spacing!r}.")
    if count < 2:
        return _copy(volume)
    along = volume.positions @ volume.normal
    step = float(spacing) if spacing is not None else float(volume.steps.min())
    if step < SAME_POSITION_MM:
        raise CtlibError(f"{volume._name()}: two slices lie at the same position; resample "
                         "needs distinct positions.")
    if volume.uniform and abs(step - volume.spacing[0]) < SAME_POSITION_MM:
        return _copy(volume)
    total = along[-1] - along[0]
    targets = along[0] + step * np.arange(math.floor(total / step + 1e-6) + 1)
    below = np.clip(np.searchsorted(along, targets, side="right") - 1, 0, count - 2)
    weight = np.clip((targets - along[below]) / (along[below + 1] - along[below]), 0.0, 1.0)
    hu = np.empty((len(targets), *volume.hu.shape[1:]), dtype=np.float32)
    for m, (k, w) in enumerate(zip(below, weight, strict=True)):
        hu[m] = volume.hu[k] if w == 0 else (1 - w) * volume.hu[k] + w * volume.hu[k + 1]
    positions = ((1 - weight)[:, None] * volume.positions[below]
                 + weight[:, None] * volume.positions[below + 1])
    nearest = np.where(weight < 0.5, below, below + 1)
    headers = ([volume.headers[k] for k in nearest] if len(volume.headers) == count else [])
    files = [volume.files[k] for k in nearest] if len(volume.files) == count else []
    return Volume(hu, positions, volume.orientation.copy(), volume.pixel_spacing,
                  _moved(headers, positions), files, volume.skipped)


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
        For example from :func:`ctlib.load_series` of a series with gantry tilt.

    Returns
    -------
    Volume
        A new volume: ``hu`` resampled (the same shape), ``positions`` moved
        onto the line through the first slice's position along the normal (so
        ``tilt_deg`` is 0 and the affine orthogonal), and the headers copied
        with the new (0020,0032) Image Position (Patient). ``files`` and
        ``skipped`` are the input's. An untilted stack comes back unchanged
        (copied).

    Notes
    -----
    The table moves along z while the planes are tilted by the gantry angle θ
    about x, so slice ``k`` sits ``k·Δz·sin θ`` further along the column
    direction than slice 0 (``Δz`` the table step): the stacked array is
    sheared, and a coronal or sagittal cut through it is slanted. After
    resampling, :func:`reformat` shows true angles and distances. Structures
    near the edge of the field of view of the top slices may be cut, as on the
    scanner's own reformats.

    Examples
    --------
    >>> import numpy as np
    >>> tilt = np.radians(15)
    >>> orientation = [1, 0, 0, 0, np.cos(tilt), -np.sin(tilt)]  # planes tilted about x
    >>> positions = [[0, 0, k * 5 / np.cos(tilt)] for k in range(3)]  # table moves along z
    >>> sheared = Volume(np.zeros((3, 8, 8), np.float32), positions, orientation, (1.0, 1.0))
    >>> round(sheared.tilt_deg, 3), sheared.affine[:3, 0].round(3)  # the step: along z
    (15.0, array([0.   , 0.   , 5.176]))
    >>> straight = untilt(sheared)
    >>> straight.tilt_deg, straight.affine[:3, 0].round(3)
    (0.0, array([0.   , 1.294, 4.83 ]))
    """
    from scipy import ndimage  # here, not at import: `import ctlib` stays light

    row_dir, col_dir = volume.orientation[:3], volume.orientation[3:]
    normal = volume.normal
    row_mm, col_mm = volume.pixel_spacing
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
    return Volume(hu, positions, volume.orientation.copy(), volume.pixel_spacing,
                  _moved(volume.headers, positions), volume.files, volume.skipped)


def reformat(volume: Volume, plane: Plane, index: int | None = None
             ) -> tuple[npt.NDArray[np.float32], float]:
    """Cut a plane through a volume, shown the radiological way and undistorted.

    Whatever the patient position (head or feet first, supine or prone) and the
    direction cosines the scanner wrote, the image comes out as a reader
    expects: axial seen from the feet, anterior up, the patient's right on the
    image's left; coronal seen from the front, head up, the patient's right on
    the left; sagittal seen from the patient's left, head up, anterior on the
    left. Slices that are not evenly spaced are first put on a uniform grid
    (:func:`resample`), so distances along the slice axis are true.

    Parameters
    ----------
    volume : Volume
    plane : {"axial", "coronal", "sagittal"}
    index : int, optional
        Which plane, counted from the feet (axial), the front (coronal) or the
        patient's right (sagittal); the middle one by default.

    Returns
    -------
    image : numpy.ndarray
    aspect : float
        Height/width of a pixel, for ``imshow(image, aspect=aspect)``.

    Raises
    ------
    ArgumentError
        An unknown plane, or an index that is not an integer from 0 to the
        number of planes − 1.

    Examples
    --------
    >>> import numpy as np
    >>> volume = Volume(np.zeros((30, 512, 512), np.float32), [[0, 0, 5.0 * k] for k in range(30)],
    ...                 [1, 0, 0, 0, 1, 0], (0.5, 0.5))
    >>> image, aspect = reformat(volume, "coronal")
    >>> image.shape, aspect
    ((30, 512), 10.0)

    Notes
    -----
    With gantry tilt the slices are sheared against the patient axes, so a
    coronal or sagittal cut through the stacked array is slanted; reformat
    ``untilt(volume)`` instead (:func:`untilt`), whose voxels are orthogonal.
    """
    axes = {"axial": 0, "coronal": 1, "sagittal": 2}
    if plane not in axes:
        raise ArgumentError(f"unknown plane {plane!r}: use 'axial', 'coronal' or 'sagittal'.")
    if not volume.uniform:  # the geometry only: no copies of the headers for a picture
        volume = resample(Volume(volume.hu, volume.positions, volume.orientation,
                                 volume.pixel_spacing))
    hu, (dz, dy, dx) = display_axes(volume)
    count = hu.shape[axes[plane]]
    if index is None:
        index = count // 2
    elif isinstance(index, bool) or not isinstance(index, int | np.integer) or not (
            0 <= index < count):
        raise ArgumentError(
            f"index {index!r} is outside the {count} {plane} planes of this volume: give an "
            f"integer from 0 to {count - 1} (counted from the "
            f"{ {'axial': 'feet', 'coronal': 'front', 'sagittal': 'right'}[plane] })."
        )
    if plane == "axial":
        return hu[index], dy / dx
    if plane == "coronal":
        return hu[::-1, index, :], dz / dx
    return hu[::-1, :, index], dz / dy


def display_axes(volume: Volume, array: npt.NDArray[Any] | None = None
                 ) -> tuple[npt.NDArray[Any], tuple[float, float, float]]:
    """The volume's array turned so its axes run feet→head, front→back, right→left.

    Returns a view of ``volume.hu`` (or of ``array``, of the same shape, e.g. a
    mask) flipped and transposed as the geometry needs, and the spacing along
    those three axes in mm. The axis whose direction is closest to z becomes
    the first, closest to y the second, closest to x the third.

    Examples
    --------
    >>> import numpy as np
    >>> feet_first = Volume(np.arange(8, dtype=np.float32).reshape(2, 2, 2),
    ...                     [[0, 0, 0], [0, 0, -5.0]], [-1, 0, 0, 0, 1, 0], (1.0, 1.0))
    >>> hu, spacing = display_axes(feet_first)
    >>> hu[0].tolist(), spacing  # the upper slice (−5 mm) last, columns turned right→left
    ([[5.0, 4.0], [7.0, 6.0]], (5.0, 1.0, 1.0))
    """
    directions = np.array([volume.normal, volume.orientation[3:], volume.orientation[:3]])
    spacing = np.array([volume.spacing[0] or 1.0, *volume.pixel_spacing])
    # Assign array axes to patient axes z, y, x: the largest direction cosine first.
    wanted: dict[int, int] = {}  # patient axis (x=0, y=1, z=2) → array axis
    weights = np.abs(directions)
    for _ in range(3):
        axis, patient = np.unravel_index(np.argmax(weights), weights.shape)
        wanted[int(patient)] = int(axis)
        weights[axis, :], weights[:, patient] = -1, -1
    order = [wanted[2], wanted[1], wanted[0]]
    source_array = volume.hu if array is None else array
    if source_array.shape != volume.hu.shape:
        raise ArgumentError(f"the array has shape {source_array.shape}, the volume "
                            f"{volume.hu.shape}: pass an array of the volume's shape.")
    hu: npt.NDArray[Any] = np.transpose(source_array, order)
    for target, source in enumerate(order):
        patient_axis = 2 - target
        if directions[source][patient_axis] < 0:
            hu = np.flip(hu, axis=target)
    dz, dy, dx = (float(spacing[a]) for a in order)
    return hu, (dz, dy, dx)


def _copy(volume: Volume) -> Volume:
    return Volume(volume.hu.copy(), volume.positions.copy(), volume.orientation.copy(),
                  volume.pixel_spacing, list(volume.headers), volume.files, volume.skipped)


def _angle_deg(u: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> float:
    """Angle between two lines (directions up to sign), in degrees."""
    cosine = abs(float(u @ v)) / float(np.linalg.norm(u) * np.linalg.norm(v))
    return math.degrees(math.acos(min(1.0, cosine)))


def _moved(headers: list[Dataset], positions: npt.NDArray[np.float64]) -> list[Dataset]:
    """Copies of ``headers`` with (0020,0032) Image Position (Patient) set to ``positions``."""
    moved = []
    with allow_rsna_uids():
        for header, position in zip(headers, positions, strict=False):
            header = copy.deepcopy(header)
            header.ImagePositionPatient = [DSfloat(v, auto_format=True) for v in position]
            moved.append(header)
    return moved
