"""One synthetic series: a patient, their lesions, and the slices a scanner makes of them.

The order follows the acquisition: draw the patient (:class:`~ctlib.synth.anatomy.HeadShape`)
and how they lie in the scanner (:class:`~ctlib.synth.geometry.Pose`, which also gives
gravity's direction for fluid levels), paint the lesions at 1 mm
(:mod:`~ctlib.synth.lesions`), average the model over each 5 mm slab (so a
bone edge or a thin clot in part of the slab gives an intermediate value, as
on a real 5 mm slice), sample every slice through a slight, smooth
deformation that makes each head asymmetric in its own way, add the head
holder, and reconstruct it as the series' scanner would (:mod:`~ctlib.synth.scanner`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.course.tissues import HU, Tissue
from ctlib.synth import lesions
from ctlib.synth.anatomy import HeadShape, build_head
from ctlib.synth.fields import bbox
from ctlib.synth.geometry import Pose, SliceStack, rotation
from ctlib.synth.scanner import SCANNERS, Scanner, acquire, holder, holder_layer
from ctlib.synth.skullbase import BaseShape
from ctlib.synth.template import ORIGIN

__all__ = ["LESION_PAINTERS", "SeriesSpec", "SeriesVolume", "draw_patient", "render_series"]

#: The lesion painters, by the ``type`` used in the data recipe.
LESION_PAINTERS: dict[str, Any] = {
    "epidural": lesions.epidural,
    "subdural": lesions.subdural,
    "subarachnoid": lesions.subarachnoid,
    "intraventricular": lesions.intraventricular,
    "intraparenchymal": lesions.intraparenchymal,
}
_MODEL_Z_RANGE = (-52.0, 84.0)  # RAS mm covered: foramen magnum to vertex
_SLAB_MM = 5


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
    holder: str | bool = "cradle"  #: "cradle", "flat", "none" (True means cradle)
    noise_scale: float = 1.0  #: dose factor on the scanner's noise
    ventricle_mm: float = 0.0
    patient: str | None = None  #: series sharing a patient key share the PatientID
    blank_slice: bool = False
    age: float | None = None  #: 0 young … 1 old; drawn when not given
    hydrocephalus: float = 0.0
    dense_sinus: bool = False  #: a high haematocrit makes the venous sinuses dense
    haematocrit: float = 42.0
    scanner: str | None = None  #: a kernel name of :data:`ctlib.synth.scanner.SCANNERS`


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
    scanner: Scanner
    shape: HeadShape
    findings: tuple[str, ...] = ()


def draw_patient(spec: SeriesSpec, rng: np.random.Generator) -> HeadShape:
    """Draw the patient-to-patient variation of one series.

    Examples
    --------
    >>> import numpy as np
    >>> shape = draw_patient(SeriesSpec("x", 0, age=0.9), np.random.default_rng(0))
    >>> shape.age
    0.9
    """
    age = float(spec.age) if spec.age is not None else float(rng.uniform(0.1, 0.8))
    offset = float(rng.normal(0.0, 2.0))  # scanners differ in their brain HU
    base = BaseShape(
        mastoid_air=(float(rng.uniform(0.2, 1.0)), float(rng.uniform(0.2, 1.0))),
        sinus_scale=float(rng.uniform(0.85, 1.1)),
        globe_mm=float(rng.uniform(12.4, 13.4)),
        bone_hu=float(rng.uniform(1550.0, 1900.0)),
        jitter=(float(rng.normal(0, 1.0)), float(rng.normal(0, 1.5)), float(rng.normal(0, 1.5))),
        ear_angle_deg=float(rng.uniform(15.0, 35.0)),
    )
    return HeadShape(
        age=age,
        ventricle_mm=spec.ventricle_mm + float(rng.uniform(-0.5, 0.5)),
        hydrocephalus=spec.hydrocephalus,
        skull_scale=float(rng.uniform(0.85, 1.2)),
        inner_table_mm=float(rng.uniform(1.2, 2.0)),
        outer_table_mm=float(rng.uniform(1.4, 2.3)),
        bone_hu=base.bone_hu,
        diploe_hu=float(rng.uniform(480.0, 720.0)),
        suture_open=float(rng.uniform(0.3, 0.9)) * (1.0 - 0.5 * age),
        skin_mm=float(rng.uniform(1.3, 2.0)),
        fat_mm=float(rng.uniform(1.0, 4.5)),
        gray_hu=HU["gray"] + offset + float(rng.normal(0, 0.7)),
        white_hu=HU["white"] + offset + float(rng.normal(0, 0.7)),
        csf_hu=HU["csf"] + 0.5 * offset,
        base=base,
        seed=int(rng.integers(2**31)),
    )


def _pose_and_stack(spec: SeriesSpec, rng: np.random.Generator) -> tuple[Pose, SliceStack]:
    """Draw this series' head pose and slice geometry.

    The MNI template is larger than a real head (its brain is about 1.1 times
    an average one), so heads are scaled by 0.84–0.93.
    """
    scale = float(rng.uniform(0.84, 0.93))
    table_z = float(rng.uniform(40.0, 160.0))
    pose = Pose(
        scale=scale,
        yaw_deg=float(rng.normal(0, 3.5)),
        pitch_deg=float(rng.normal(-3, 4)),
        roll_deg=float(rng.normal(0, 2.5)),
        shift_mm=(float(rng.normal(0, 4)), float(rng.normal(6, 5)), table_z),
    )
    spacing = 250.0 / spec.matrix
    bottom = table_z + scale * (_MODEL_Z_RANGE[0] + float(rng.uniform(-4, 4)))
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


def gravity_in_model(pose: Pose) -> npt.NDArray[np.float64]:
    """Direction of gravity in model (RAS) coordinates for a supine, head-first patient.

    Gravity points posterior, +y in the patient's LPS frame; the model's axes
    are turned by the pose, so the level of a fluid is flat in the scanner.
    """
    r = rotation(pose.yaw_deg, pose.pitch_deg, pose.roll_deg)
    down_lps = np.array([0.0, 1.0, 0.0])
    model = r.T @ (np.diag([-1.0, -1.0, 1.0]) @ down_lps)
    return np.asarray(model / np.linalg.norm(model))


def render_series(spec: SeriesSpec) -> SeriesVolume:
    """Build the patient, paint the lesions, and acquire the slices.

    Parameters
    ----------
    spec : SeriesSpec

    Returns
    -------
    SeriesVolume
        Deterministic for a given ``spec`` (and package versions).
    """
    rng = np.random.default_rng(spec.seed)
    shape = draw_patient(spec, rng)
    pose, stack = _pose_and_stack(spec, rng)
    scanner = _scanner(spec, rng)
    head = build_head(shape)
    if spec.dense_sinus:
        head.sinus_hu = HU["dense_sinus"]
    canvas = lesions.Canvas(head, rng, gravity=gravity_in_model(pose), haematocrit=spec.haematocrit)
    # Physiological calcification is the rule in adults: pineal in about 60 %, choroid
    # plexus in about 70 %; series that are about calcifications set theirs in the recipe.
    calcified = dict(spec.calcifications) or {"pineal": bool(rng.random() < 0.6),
                                             "choroid": bool(rng.random() < 0.7)}
    if any(calcified.values()):
        lesions.calcifications(canvas, **calcified)
    for lesion in spec.lesions:
        params = dict(lesion)
        LESION_PAINTERS[params.pop("type")](canvas, **params)
    midline = canvas.finish()
    findings = set(canvas.findings) | ({"dense sinus"} if spec.dense_sinus else set())
    volume = _acquire(canvas, spec, pose, stack, scanner, rng)
    volume.midline_shift_mm = midline * pose.scale
    volume.findings = tuple(sorted(findings))
    return volume


def _scanner(spec: SeriesSpec, rng: np.random.Generator) -> Scanner:
    chosen = SCANNERS[int(rng.integers(len(SCANNERS)))]
    if spec.scanner is not None:
        matches = [s for s in SCANNERS if s.kernel == spec.scanner]
        if not matches:
            raise ValueError(f"unknown scanner kernel {spec.scanner!r}")
        chosen = matches[0]
    return chosen


def _model_volumes(canvas: lesions.Canvas) -> tuple[npt.NDArray[Any], ...]:
    """The 1 mm volumes a slice is cut from: HU, tissue, lesion, intracranial fraction."""
    head = canvas.head
    icv = head.icv
    hu = icv * head.hu_intra + (1.0 - icv) * head.hu_extra
    hu = hu * (1.0 - head.dura) + head.dura * HU["dura"]
    blood = canvas.lesion > 0
    sinus = np.where(blood, 0.0, head.sinus)  # a collection pushes the sinus wall, never mixes
    hu = (hu * (1.0 - sinus) + sinus * head.sinus_hu).astype(np.float32)
    tissue = np.where(icv >= 0.5, head.tissue_intra, head.tissue_extra).astype(np.uint8)
    tissue[(head.dura >= 0.5) & ~blood] = Tissue.DURA
    tissue[(sinus >= 0.5)] = Tissue.VENOUS_SINUS
    lesion = np.where(icv >= 0.5, canvas.lesion, 0).astype(np.uint8)
    return hu, tissue, lesion, icv


def _warp(rng: np.random.Generator, amplitude_mm: float = 1.8) -> npt.NDArray[np.float64]:
    """Coefficients of a smooth random deformation: no two heads are quite alike.

    Each displacement component is a random polynomial of degree 2 in the
    model's coordinates (scaled by 80 mm): one hemisphere or one side of the
    skull a little larger, the head a little skewed, as real heads are.
    """
    return rng.normal(0.0, amplitude_mm / 3.0, size=(3, 9))


def _warp_at(warp: npt.NDArray[np.float64], index: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The deformation (in voxels) at model voxel indices."""
    u = [(index[a] - ORIGIN[a]) / 80.0 for a in range(3)]
    basis = (u[0], u[1], u[2], u[0] * u[0], u[1] * u[1], u[2] * u[2], u[0] * u[1],
             u[0] * u[2], u[1] * u[2])
    return np.stack([sum(warp[a, b] * basis[b] for b in range(9)) for a in range(3)])


def _nearest_code(
    lesion: npt.NDArray[Any], tissue: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Near a lesion, each voxel takes the lesion code, and the tissue, of the nearest blood.

    A mask pixel of a 5 mm slice is blood over at least half its slab; the
    compartment it reports is that of the blood, not of whatever happens to be
    at the slab's centre.
    """
    box = bbox(lesion > 0, _SLAB_MM + 2)
    sub = lesion[box]
    _, nearest = ndi.distance_transform_edt(sub == 0, return_indices=True)
    codes = np.zeros_like(lesion)
    codes[box] = sub[tuple(nearest)]
    under = np.zeros_like(tissue)
    under[box] = tissue[box][tuple(nearest)]
    return codes, under


def _extent(mask: npt.NDArray[np.bool_], margin: int) -> npt.NDArray[np.float64]:
    """Voxel-index bounding box of ``mask`` grown by ``margin``: rows (low, high) per axis."""
    where = np.argwhere(mask)
    return np.stack([where.min(axis=0) - margin, where.max(axis=0) + margin]).T.astype(float)


def _reaches(extent: npt.NDArray[np.float64], index: npt.NDArray[Any]) -> bool:
    """Whether any of a slice's sample points fall in a lesion's bounding box."""
    for a in range(3):
        lo, hi = float(index[a].min()), float(index[a].max())
        if hi < extent[a, 0] or lo > extent[a, 1]:
            return False
    return True


def _posterior_reach(
    stack: SliceStack,
    pose: Pose,
    base: Any,
    warp: npt.NDArray[np.float64],
    head_sdf: npt.NDArray[np.float32],
    center: tuple[float, float],
    kind: str,
) -> float:
    """How far behind ``center`` the head reaches over the whole series (mm, LPS y).

    The holder is rigid, so it is placed once for the series, against the back
    of the head.
    """
    reach = 0.0
    for k in range(stack.count):
        points = stack.points(k, step=4)
        index = pose.to_model(points) + base.origin.reshape(3, 1, 1)
        index = index + _warp_at(warp, index)
        inside = ndi.map_coordinates(head_sdf, index, order=1, mode="constant", cval=-100.0) > 0
        if not inside.any():
            continue
        x, y = points[0][inside] - center[0], points[1][inside] - center[1]
        back = y > 1.5 * np.abs(x)  # the occiput, within about 35 degrees of straight back
        if back.any():
            reach = max(reach, float(y[back].max()))
    return reach


def _head_window(
    head_sdf: npt.NDArray[np.float32], index: npt.NDArray[Any], size: tuple[int, int]
) -> tuple[slice, slice]:
    """Rows and columns of a slice that can hold anything but air (the head, ears, margin).

    ``index`` is the model index of every 8th pixel of the slice.
    """
    coarse = index
    near = ndi.map_coordinates(head_sdf, coarse, order=1, mode="constant", cval=-100.0) > -28.0
    if not near.any():
        return slice(0, 0), slice(0, 0)
    r = np.flatnonzero(near.any(axis=1))
    c = np.flatnonzero(near.any(axis=0))
    n_rows, n_cols = size
    return (slice(max(0, 8 * int(r[0]) - 8), min(n_rows, 8 * int(r[-1]) + 9)),
            slice(max(0, 8 * int(c[0]) - 8), min(n_cols, 8 * int(c[-1]) + 9)))


def _acquire(
    canvas: lesions.Canvas,
    spec: SeriesSpec,
    pose: Pose,
    stack: SliceStack,
    scanner: Scanner,
    rng: np.random.Generator,
) -> SeriesVolume:
    """Average the model over the slabs, cut the slices, add holder, artefacts and noise."""
    hu1, tissue1, lesion1, icv1 = _model_volumes(canvas)
    base = canvas.head.base
    slab = ndi.uniform_filter1d(hu1, _SLAB_MM, axis=2, mode="nearest")
    icv_slab = ndi.uniform_filter1d(icv1, _SLAB_MM, axis=2, mode="nearest")
    codes = [int(c) for c in np.unique(lesion1) if c]
    # One slab fraction for all blood, and each voxel's nearest lesion code: two samples
    # per slice instead of one per subtype (collections of two subtypes rarely touch).
    fraction = ndi.uniform_filter1d((lesion1 > 0).astype(np.float32), _SLAB_MM, axis=2)
    nearest_code, under = _nearest_code(lesion1, tissue1) if codes else (lesion1, tissue1)
    extent = _extent(lesion1 > 0, margin=_SLAB_MM) if codes else None
    warp = _warp(rng)
    head_sdf = canvas.head.base.skull.head_sdf
    kind = spec.holder if isinstance(spec.holder, str) else ("cradle" if spec.holder else "none")
    noise_scale = spec.noise_scale * float(rng.uniform(0.85, 1.2))
    grain = float(pose.yaw_deg)

    shape = (stack.count, stack.rows, stack.columns)
    hu = np.empty(shape, dtype=np.float32)
    tissue = np.empty(shape, dtype=np.uint8)
    lesion = np.zeros(shape, dtype=np.uint8)
    circle = stack.scan_circle()
    head_center = (pose.shift_mm[0], pose.shift_mm[1] - 12.0 * pose.scale)
    reach = _posterior_reach(stack, pose, base, warp, head_sdf, head_center, kind)
    pad_mm = float(rng.uniform(8.0, 18.0))
    cradle_mm = float(rng.uniform(68.0, 82.0))
    layer: tuple[npt.NDArray[np.float32], npt.NDArray[np.uint8]] | None = None
    for k in range(stack.count):
        if spec.blank_slice and k == stack.count - 1:
            hu[k], tissue[k] = HU["air"], Tissue.AIR
            continue
        points = stack.points(k)
        coarse = pose.to_model(stack.points(k, step=8)) + base.origin.reshape(3, 1, 1)
        rows, cols = _head_window(head_sdf, coarse + _warp_at(warp, coarse),
                                  (stack.rows, stack.columns))
        sub = pose.to_model(points[:, rows, cols]) + base.origin.reshape(3, 1, 1)
        sub = sub + _warp_at(warp, sub)
        hu[k] = HU["air"]
        tissue[k] = Tissue.AIR
        hu[k][rows, cols] = ndi.map_coordinates(slab, sub, order=1, mode="constant",
                                                cval=HU["air"])
        tissue[k][rows, cols] = ndi.map_coordinates(tissue1, sub, order=0, mode="constant",
                                                    cval=0)
        if extent is not None and _reaches(extent, sub):
            f = ndi.map_coordinates(fraction, sub, order=1, mode="constant", cval=0.0)
            blood = f >= 0.5
            if blood.any():
                at = sub[:, blood]
                window = np.zeros(f.shape, dtype=np.uint8)
                code = ndi.map_coordinates(nearest_code, at, order=0, mode="constant", cval=0)
                # A pixel interpolated partly from bone is not blood (where the table runs
                # nearly parallel to the slice even 25 % bone adds 350 HU): keep mask pixels
                # at least 90 % intracranial, so that a mask's HU is the lesion's, not bone's.
                inside = ndi.map_coordinates(icv_slab, at, order=1, mode="constant", cval=0.0)
                window[blood] = np.where(inside >= 0.9, code, 0)
                lesion[k][rows, cols] = window
                compartment = ndi.map_coordinates(under, at, order=0, mode="constant", cval=0)
                tissue_window = tissue[k][rows, cols]
                tissue_window[blood] = np.where(window[blood] > 0, compartment,
                                                tissue_window[blood])
                tissue[k][rows, cols] = tissue_window
        if layer is None or stack.tilt_deg:  # a tilted plane cuts the holder differently
            layer = holder_layer(points, kind, head_center, reach, pad_mm, cradle_mm)
        holder(hu[k], tissue[k], layer)
        # Streaks and beam hardening matter where the skull base is: below the tentorium.
        skull_base = float(np.median(coarse[2])) - base.origin[2] < -12.0
        hu[k] = acquire(hu[k], stack.spacing_mm, scanner, rng, noise_scale=noise_scale,
                        grain_angle_deg=grain, with_artefacts=skull_base)
    return SeriesVolume(spec, hu, tissue, lesion, stack, pose, 0.0, circle, scanner,
                        canvas.head.shape)
