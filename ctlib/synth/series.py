"""One synthetic series: a head, its lesions, and its slices in HU with their maps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.synth import lesions
from ctlib.synth.anatomy import HeadShape, build_head
from ctlib.synth.geometry import Pose, SliceStack
from ctlib.synth.noise import ct_noise
from ctlib.synth.tissues import HU, Tissue

__all__ = ["SeriesSpec", "SeriesVolume", "render_series", "LESION_PAINTERS"]

#: The lesion painters, by the ``type`` used in the data recipe.
LESION_PAINTERS: dict[str, Any] = {
    "epidural": lesions.epidural,
    "subdural": lesions.subdural,
    "subarachnoid": lesions.subarachnoid,
    "intraventricular": lesions.intraventricular,
    "intraparenchymal": lesions.intraparenchymal,
}
_MODEL_Z_RANGE = (-70.0, 92.0)  # RAS mm covered: foramen magnum to vertex


@dataclass(frozen=True)
class SeriesSpec:
    """Everything that makes one series what it is (read from the data recipe)."""

    name: str
    seed: int
    lesions: tuple[dict[str, Any], ...] = ()
    encoding: str = "signed16"
    matrix: int = 512
    tilt_deg: float = 0.0
    calcifications: dict[str, bool] = field(default_factory=dict)
    holder: bool = False
    noise_sd: float = 4.0
    ventricle_mm: float = 0.0
    patient: str | None = None  #: series sharing a patient key share the PatientID
    blank_slice: bool = False


@dataclass
class SeriesVolume:
    """A rendered series: HU with noise, tissue and lesion maps, geometry."""

    spec: SeriesSpec
    hu: npt.NDArray[np.float32]  #: (slices, rows, columns)
    tissue: npt.NDArray[np.uint8]
    lesion: npt.NDArray[np.uint8]
    stack: SliceStack
    pose: Pose
    midline_shift_mm: float
    circle: npt.NDArray[np.bool_]


def _pose_and_stack(spec: SeriesSpec, rng: np.random.Generator) -> tuple[Pose, SliceStack]:
    """Draw this series' head pose and slice geometry."""
    scale = float(rng.uniform(0.93, 1.06))
    table_z = float(rng.uniform(40.0, 160.0))
    pose = Pose(
        scale=scale,
        yaw_deg=float(rng.normal(0, 3)),
        pitch_deg=float(rng.normal(0, 3)),
        roll_deg=float(rng.normal(0, 2)),
        shift_mm=(float(rng.normal(0, 4)), float(rng.normal(8, 4)), table_z),
    )
    fov = 250.0
    spacing = fov / spec.matrix
    bottom = table_z + scale * _MODEL_Z_RANGE[0]
    count = int(np.ceil(scale * (_MODEL_Z_RANGE[1] - _MODEL_Z_RANGE[0]) / 5.0))
    stack = SliceStack(
        count=count + int(spec.blank_slice),
        first_z=round(bottom, 3),
        rows=spec.matrix,
        columns=spec.matrix,
        spacing_mm=spacing,
        tilt_deg=spec.tilt_deg,
        center_xy=(0.0, round(float(rng.normal(5, 3)), 3)),
    )
    return pose, stack


def render_series(spec: SeriesSpec) -> SeriesVolume:
    """Build the head, paint the lesions, and sample the slices.

    Parameters
    ----------
    spec : SeriesSpec

    Returns
    -------
    SeriesVolume
        Deterministic for a given ``spec`` (and package versions).
    """
    rng = np.random.default_rng(spec.seed)
    shape = HeadShape(
        inner_table_mm=float(rng.uniform(1.4, 2.2)),
        diploe_mm=float(rng.uniform(2.0, 4.0)),
        outer_table_mm=float(rng.uniform(1.4, 2.2)),
        scalp_mm=float(rng.uniform(4.0, 6.5)),
        fat_mm=float(rng.uniform(1.2, 2.5)),
        ventricle_mm=spec.ventricle_mm + float(rng.uniform(-0.8, 0.8)),
    )
    canvas = lesions.Canvas(build_head(shape), rng)
    if spec.calcifications:
        lesions.calcifications(canvas, **spec.calcifications)
    for lesion in spec.lesions:
        params = dict(lesion)
        LESION_PAINTERS[params.pop("type")](canvas, **params)
    midline = canvas.finish()
    pose, stack = _pose_and_stack(spec, rng)
    return _sample(canvas, spec, pose, stack, midline * pose.scale, rng)


def _sample(
    canvas: lesions.Canvas,
    spec: SeriesSpec,
    pose: Pose,
    stack: SliceStack,
    midline_mm: float,
    rng: np.random.Generator,
) -> SeriesVolume:
    """Cut the slices out of the 1 mm model, add the holder and the noise."""
    base = canvas.head.base
    hu1 = np.where(base.icv, canvas.hu_intra, canvas.hu_extra).astype(np.float32)
    tissue1 = np.where(base.icv, canvas.tissue_intra, canvas.tissue_extra).astype(np.uint8)
    lesion1 = (canvas.lesion * base.icv).astype(np.uint8)
    icv1 = base.icv.astype(np.float32)

    shape = (stack.count, stack.rows, stack.columns)
    hu = np.empty(shape, dtype=np.float32)
    tissue = np.empty(shape, dtype=np.uint8)
    lesion = np.empty(shape, dtype=np.uint8)
    circle = stack.scan_circle()
    for k in range(stack.count):
        if spec.blank_slice and k == stack.count - 1:
            hu[k], tissue[k], lesion[k] = HU["air"], Tissue.AIR, 0
            continue
        points = stack.points(k)
        index = pose.to_model(points) + base.origin.reshape(3, 1, 1)
        hu[k] = ndi.map_coordinates(hu1, index, order=1, mode="constant", cval=HU["air"])
        tissue[k] = ndi.map_coordinates(tissue1, index, order=0, mode="constant", cval=0)
        lesion[k] = ndi.map_coordinates(lesion1, index, order=0, mode="constant", cval=0)
        # A pixel interpolated partly from bone is not blood (where the table runs nearly
        # parallel to the slice even 25 % bone adds 350 HU): keep mask pixels that are at
        # least 95 % intracranial, so a mask's HU is the lesion's, not the table's.
        inside = ndi.map_coordinates(icv1, index, order=1, mode="constant", cval=0.0)
        lesion[k][inside < 0.95] = 0
        if spec.holder:
            _head_holder(hu[k], tissue[k], points, pose)
        hu[k] += ct_noise(hu[k].shape, spec.noise_sd, rng, spacing_mm=stack.spacing_mm)
    return SeriesVolume(spec, hu, tissue, lesion, stack, pose, midline_mm, circle)


def _head_holder(
    hu: npt.NDArray[np.float32],
    tissue: npt.NDArray[np.uint8],
    points: npt.NDArray[np.float64],
    pose: Pose,
) -> None:
    """Draw the scanner's curved head holder behind (posterior to) the head, in place."""
    x0, y0 = pose.shift_mm[0], pose.shift_mm[1] - 15.0
    radius = 128.0 * pose.scale
    r = np.hypot(points[0] - x0, points[1] - y0)
    arc = (np.abs(r - radius) < 2.0) & (points[1] > y0 + 0.55 * radius) & (tissue == Tissue.AIR)
    hu[arc] = HU["holder"]
    tissue[arc] = Tissue.HOLDER
