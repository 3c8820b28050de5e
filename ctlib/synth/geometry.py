"""Where each synthetic slice lies: the head's pose and the image planes.

Patient coordinates follow DICOM (PS3.3 C.7.6.2.1.1): x towards the patient's
left, y posterior, z superior (LPS). The head model uses RAS millimetres, so a
point ``m`` of the model is placed at ``p = F (s R m) + t`` with
``F = diag(-1, -1, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["Pose", "SliceStack", "rotation"]

_FLIP = np.diag([-1.0, -1.0, 1.0])


def rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> npt.NDArray[np.float64]:
    """Rotation matrix: yaw about z, then pitch about x, then roll about y (degrees)."""
    a, b, c = np.radians([yaw_deg, pitch_deg, roll_deg])
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    ry = np.array([[np.cos(c), 0, np.sin(c)], [0, 1, 0], [-np.sin(c), 0, np.cos(c)]])
    return np.asarray(ry @ rx @ rz, dtype=np.float64)


@dataclass(frozen=True)
class Pose:
    """How a head lies in the scanner: size, rotation and position."""

    scale: float = 1.0
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    shift_mm: tuple[float, float, float] = (0.0, 0.0, 0.0)  #: LPS position of the model origin

    def to_model(self, points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """LPS patient mm → RAS model mm; ``points`` has x, y, z on its first axis."""
        r = rotation(self.yaw_deg, self.pitch_deg, self.roll_deg)
        shifted = points - np.asarray(self.shift_mm).reshape(3, *([1] * (points.ndim - 1)))
        matrix = r.T @ _FLIP / self.scale
        return np.tensordot(matrix, shifted, axes=1)

    def to_patient(self, model_mm: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """RAS model mm → LPS patient mm, for one point."""
        r = rotation(self.yaw_deg, self.pitch_deg, self.roll_deg)
        return np.asarray(_FLIP @ (self.scale * r @ np.asarray(model_mm, float)) + self.shift_mm)


@dataclass(frozen=True)
class SliceStack:
    """A series of parallel axial slices, possibly with gantry tilt.

    The table moves along z only, so with a tilt the Image Position (Patient)
    of successive slices differs in z alone while the planes are tilted about
    the x axis: posterior is lower, as on most scanners' head protocols.
    """

    count: int
    first_z: float
    rows: int = 512
    columns: int = 512
    spacing_mm: float = 0.48828125  # 250 mm / 512
    thickness_mm: float = 5.0
    tilt_deg: float = 0.0
    center_xy: tuple[float, float] = (0.0, 0.0)
    row_dir: npt.NDArray[np.float64] = field(init=False, repr=False)
    col_dir: npt.NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        t = np.radians(self.tilt_deg)
        object.__setattr__(self, "row_dir", np.array([1.0, 0.0, 0.0]))
        object.__setattr__(self, "col_dir", np.array([0.0, np.cos(t), -np.sin(t)]))

    @property
    def normal(self) -> npt.NDArray[np.float64]:
        """Unit normal of the planes (row × column direction)."""
        return np.cross(self.row_dir, self.col_dir)

    @property
    def z_step(self) -> float:
        """Table movement per slice, so that planes are ``thickness_mm`` apart."""
        return self.thickness_mm / float(self.normal[2])

    def orientation(self) -> list[float]:
        """Image Orientation (Patient) (0020,0037)."""
        return [float(v) for v in (*self.row_dir, *self.col_dir)]

    def position(self, k: int) -> npt.NDArray[np.float64]:
        """Image Position (Patient) (0020,0032): centre of the first pixel of slice ``k``."""
        center = np.array([self.center_xy[0], self.center_xy[1], self.first_z + k * self.z_step])
        half_c = (self.columns - 1) / 2 * self.spacing_mm
        half_r = (self.rows - 1) / 2 * self.spacing_mm
        return center - half_c * self.row_dir - half_r * self.col_dir

    def points(self, k: int, step: int = 1) -> npt.NDArray[np.float64]:
        """LPS mm of every ``step``-th pixel centre of slice ``k``, shape (3, rows, columns)."""
        r = np.arange(0, self.rows, step) * self.spacing_mm
        c = np.arange(0, self.columns, step) * self.spacing_mm
        origin = self.position(k).reshape(3, 1, 1)
        return (
            origin
            + self.row_dir.reshape(3, 1, 1) * c.reshape(1, 1, -1)
            + self.col_dir.reshape(3, 1, 1) * r.reshape(1, -1, 1)
        )

    def scan_circle(self) -> npt.NDArray[np.bool_]:
        """Pixels inside the reconstruction circle (diameter = the smaller side)."""
        r = (np.arange(self.rows) - (self.rows - 1) / 2)[:, None]
        c = (np.arange(self.columns) - (self.columns - 1) / 2)[None, :]
        return np.asarray(r**2 + c**2 <= (min(self.rows, self.columns) / 2) ** 2)
