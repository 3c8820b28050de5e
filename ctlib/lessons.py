"""The reading lessons' figures (notebooks 04 and 05): each sign the text names, found and pointed at.

A figure is a list of :class:`Panel` s. A panel names a series, a slice and a window, and lists
*finders*: small functions that find a sign on that slice from the synthetic set's maps and
pixels (the deepest point of an epidural, the septum pellucidum, a calcification's brightest
spot) and return a :class:`~ctlib.annotate.Mark`. Because every arrow is computed, a test checks
each one against the slice's pixels and maps (``tests/test_lessons.py``), and the figure cannot
claim a sign its slice does not show. :func:`figure` draws a figure, :func:`marks_of` lists its
marks with the HU measured under each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from ctlib.annotate import MARGIN, Mark, mark, orientation_letters, scale_bar, zoom_inset
from ctlib.errors import CtlibError
from ctlib.landmarks import (
    BONE,
    BRAIN,
    CSF,
    DEEP_GRAY,
    DURA,
    GRAY,
    SCALP,
    STRUCTURES,
    VENOUS_SINUS,
    VENTRICLE,
    WHITE,
    HeadFrame,
    frontal_horns,
    head_frame,
    label_level,
    standard_levels,
)
from ctlib.signs import Caliper, MidlineShift, collection_thickness, midline_shift
from ctlib.window import Window, window

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FIGURES",
    "Panel",
    "SliceView",
    "blood_age_chart",
    "contact_sheet",
    "exercise_point",
    "exercise_slice",
    "figure",
    "front_box",
    "frontal_horns",
    "lesion_box",
    "level_figure",
    "level_marks",
    "marks_of",
    "orientation_figure",
    "pixel_view",
    "view",
]

EPIDURAL, INTRAPARENCHYMAL, INTRAVENTRICULAR, SUBARACHNOID, SUBDURAL = 1, 2, 3, 4, 5
EDEMA, SUTURE, FRACTURE = 23, 24, 25
#: A narrow window for subtle, nearly isodense blood (a common choice is about 40/40).
NARROW = Window(40.0, 40.0, name="narrow")
#: The dpi of the lessons' figures: with the sizes below, every key panel is at least 400 px wide.
DPI = 100


@dataclass(frozen=True)
class SliceView:
    """One slice of a series with everything a finder needs.

    Attributes
    ----------
    series : str
    index : int
        Slice index in the manifest's order (bottom to top).
    hu : numpy.ndarray
    tissue, lesion : numpy.ndarray of int
        The slice's maps.
    pixel_mm : float
    frame : ctlib.landmarks.HeadFrame
        The series' head frame.
    """

    series: str
    index: int
    hu: npt.NDArray[np.float32] = field(repr=False)
    tissue: npt.NDArray[Any] = field(repr=False)
    lesion: npt.NDArray[Any] = field(repr=False)
    pixel_mm: float
    frame: HeadFrame = field(repr=False)

    def roi_hu(self, row: float, col: float, half: int = 1) -> float:
        """Mean HU of the (2·half+1)² square at a pixel."""
        r, c = round(row), round(col)
        return float(self.hu[r - half:r + half + 1, c - half:c + half + 1].mean())


Finder = Callable[[SliceView], "Mark | None"]


@dataclass(frozen=True)
class Panel:
    """What one panel of a lesson figure shows.

    Attributes
    ----------
    series : str
    at : int, str or None
        Which slice: ``None``, the series' key slice; ``"frontal horns"``, where midline shift
        is measured; a standard level's name (see :data:`ctlib.landmarks.LEVELS`); or an index.
    window : str or Window
    title : str
    finders : tuple of callables
        Each returns the :class:`~ctlib.annotate.Mark` of one sign on the slice (or ``None``).
    midline : bool
        Draw the ideal midline and the septum's shift from it, with the value in mm.
    caliper : int, optional
        Lesion code whose greatest thickness is drawn and written.
    inset : callable, optional
        Returns the (rows, columns) box to enlarge in a corner (fractures, thin collections).
    """

    series: str
    at: int | str | None
    window: str | Window
    title: str
    finders: tuple[Finder, ...] = ()
    midline: bool = False
    caliper: int | None = None
    inset: Callable[[SliceView], tuple[slice, slice]] | None = None


# --- reading a slice ---------------------------------------------------------------------------


#: Maps and frame per (data set folder, series): reading a series' maps takes a moment, and a
#: lesson draws the same series several times.
_MAPS: dict[tuple[str, str], tuple[npt.NDArray[Any], npt.NDArray[Any], HeadFrame]] = {}


def _series_maps(data: Any, series: str) -> tuple[npt.NDArray[Any], npt.NDArray[Any], HeadFrame]:
    key = (str(data.root), series)
    if key not in _MAPS:
        masks = data.masks(series)
        _MAPS[key] = (masks["tissue"], masks["lesion"],
                      head_frame(masks["tissue"], masks["lesion"]))
    return _MAPS[key]


def view(data: Any, series: str, slice_: int | str | None = None) -> SliceView:
    """Read one slice of a series with its maps, pixel size and head frame.

    Parameters
    ----------
    data : ctlib.data.DataSet
        A synthetic set (it has the maps).
    series : str
    slice_ : int, str or None
        See :attr:`Panel.at`.

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> v = view(open_data("sample"), "subdural-acute")
    >>> v.hu.shape, v.index == open_data("sample").key_slice("subdural-acute")[1]
    ((512, 512), True)
    """
    from ctlib.hu import to_hu
    from ctlib.reading import read

    if not data.has_masks:
        raise CtlibError("the lessons' figures need the synthetic set's maps; this data set has "
                         "none (unset CTLIB_DATA to use the synthetic set).")
    tissue, lesion, frame = _series_maps(data, series)
    entry = data.series(series)
    if slice_ is None:
        index = data.key_slice(series)[1]
    elif slice_ == "frontal horns":
        index = frontal_horns(tissue, lesion)
    elif isinstance(slice_, str):
        index = standard_levels(tissue)[slice_]
    else:
        index = int(slice_)
    sop = entry["files"][index]
    ds = read(data.path(sop))
    return SliceView(series, index, to_hu(ds), tissue[index], lesion[index],
                     float(ds.PixelSpacing[0]), frame)


# --- finders -----------------------------------------------------------------------------------


def _deepest(mask: npt.NDArray[np.bool_]) -> tuple[int, int] | None:
    if not mask.any():
        return None
    depth = ndimage.distance_transform_edt(mask)
    r, c = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return int(r), int(c)


def _region(v: SliceView, near: tuple[float, float] | None, within: float) -> npt.NDArray[np.bool_]:
    """Pixels within ``within`` frame units of ``near`` (everything if ``near`` is None)."""
    if near is None:
        return np.ones(v.tissue.shape, dtype=bool)
    rows, cols = np.indices(v.tissue.shape)
    ap, lr = v.frame.to_frame(rows.ravel(), cols.ravel())
    inside = np.hypot(ap - near[0], lr - near[1]) <= within
    return inside.reshape(v.tissue.shape)


def lesion(label: str, code: int, *, near: tuple[float, float] | None = None, within: float = 0.3,
           hu: tuple[float, float] = (40.0, 105.0)) -> Finder:
    """The deepest point of a lesion code (within a region of the head frame, if given)."""
    def find(v: SliceView) -> Mark | None:
        point = _deepest((v.lesion == code) & _region(v, near, within))
        return None if point is None else Mark(label, *point, "lesion", (code,), hu)
    return find


def tissue(label: str, codes: Sequence[int], *, near: tuple[float, float] | None = None,
           within: float = 0.3, hu: tuple[float, float] = (-np.inf, np.inf)) -> Finder:
    """The deepest point of tissue codes (within a region of the head frame, if given)."""
    def find(v: SliceView) -> Mark | None:
        point = _deepest(np.isin(v.tissue, codes) & _region(v, near, within))
        return None if point is None else Mark(label, *point, "tissue", tuple(codes), hu)
    return find


def bright(label: str, *, near: tuple[float, float] | None, within: float = 0.2,
           codes: Sequence[int] = (*BRAIN, CSF, VENTRICLE, DURA, 9, 19),
           hu: tuple[float, float] = (100.0, 2000.0)) -> Finder:
    """The brightest small spot (3 × 3 mean) inside the skull, near a place: a calcification."""
    def find(v: SliceView) -> Mark | None:
        allowed = np.isin(v.tissue, codes) & _region(v, near, within) & (v.lesion == 0)
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 3)
        smooth[~allowed] = -np.inf
        r, c = np.unravel_index(int(np.argmax(smooth)), smooth.shape)
        if not np.isfinite(smooth[r, c]) or smooth[r, c] < hu[0]:
            return None
        return Mark(label, int(r), int(c), "hu", (), hu)
    return find


def swirl(label: str = "swirl: darker, still-liquid blood", code: int = EPIDURAL) -> Finder:
    """The darkest part (5 × 5 mean) well inside a lesion: unclotted blood of an active bleed."""
    def find(v: SliceView) -> Mark | None:
        inner = ndimage.binary_erosion(v.lesion == code, iterations=3)
        if not inner.any():
            return None
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 5)
        mean = float(v.hu[v.lesion == code].mean())
        smooth[~inner] = np.inf
        r, c = np.unravel_index(int(np.argmin(smooth)), smooth.shape)
        return Mark(label, int(r), int(c), "lesion", (code,), (0.0, mean - 8.0))
    return find


def scalp_swelling(label: str = "scalp swelling", *, side: float) -> Finder:
    """The thickest point of the scalp on one side (``side`` −1: patient's right, +1: left)."""
    def find(v: SliceView) -> Mark | None:
        scalp = v.tissue == SCALP
        _, lr = v.frame.to_frame(*np.indices(scalp.shape).reshape(2, -1))
        scalp &= (np.sign(lr) == np.sign(side)).reshape(scalp.shape)
        point = _deepest(scalp)
        return None if point is None else Mark(label, *point, "tissue", (SCALP,), (-20.0, 80.0))
    return find


def effaced(label: str = "no sulci: effaced", *, side: float, radius_mm: float = 6.0) -> Finder:
    """Convexity cortex on one side, 4–15 mm from the blood, with no CSF within ``radius_mm``:
    sulci pressed shut (far enough from the blood that the arrow is not read as pointing at it)."""
    def find(v: SliceView) -> Mark | None:
        csf_far = ndimage.distance_transform_edt(v.tissue != CSF) * v.pixel_mm > radius_mm
        cortex = (v.tissue == GRAY) & csf_far
        from_blood = ndimage.distance_transform_edt(v.lesion == 0) * v.pixel_mm
        _, lr = v.frame.to_frame(*np.indices(cortex.shape).reshape(2, -1))
        lr = lr.reshape(cortex.shape)
        candidates = cortex & (from_blood > 4.0) & (from_blood < 15.0) & (np.sign(lr) == side)
        candidates &= np.abs(lr) > 0.5  # the convexity, not the insula or the deep nuclei
        if not candidates.any():
            return None
        rows, cols = np.nonzero(candidates)  # the candidate nearest the blood
        i = int(np.argmin(from_blood[rows, cols]))
        return Mark(label, int(rows[i]), int(cols[i]), "tissue", (GRAY,), (15.0, 55.0))
    return find


def open_sulcus(label: str = "sulci open", *, side: float) -> Finder:
    """A convexity sulcus with CSF on one side (the other side from the blood), for comparison:
    CSF within 5 mm of the inner table, away from the Sylvian fissure's depth."""
    def find(v: SliceView) -> Mark | None:
        from ctlib.signs import intracranial

        _, lr = v.frame.to_frame(*np.indices(v.tissue.shape).reshape(2, -1))
        lr = lr.reshape(v.tissue.shape)
        to_table = ndimage.distance_transform_edt(intracranial(v.tissue, v.lesion)) * v.pixel_mm
        csf = (v.tissue == CSF) & (np.sign(lr) == side) & (to_table < 5.0) & (np.abs(lr) > 0.6)
        point = _deepest(csf)
        return None if point is None else Mark(label, *point, "tissue", (CSF,), (-5.0, 45.0))
    return find


def suture_near(label: str = "suture", code: int = EPIDURAL, *, within_mm: float = 15.0) -> Finder:
    """The suture pixel nearest a lesion, within ``within_mm`` (where an epidural stops)."""
    def find(v: SliceView) -> Mark | None:
        from_blood = ndimage.distance_transform_edt(v.lesion != code) * v.pixel_mm
        suture = (v.tissue == SUTURE) & (from_blood < within_mm)
        if not suture.any():
            return None
        rows, cols = np.nonzero(suture)
        i = int(np.argmin(from_blood[rows, cols]))
        return Mark(label, int(rows[i]), int(cols[i]), "tissue", (SUTURE,), (-100.0, 1500.0))
    return find


def level(label: str = "fluid level: blood below, CSF above", code: int = INTRAVENTRICULAR) -> Finder:
    """The top (most anterior) edge of dependent blood in a ventricle, where the level lies."""
    def find(v: SliceView) -> Mark | None:
        blood = v.lesion == code
        csf = ndimage.binary_dilation((v.tissue == VENTRICLE) & ~blood, iterations=2)
        edge = blood & csf
        if not edge.any():
            return None
        rows, cols = np.nonzero(edge)
        ap, _ = v.frame.to_frame(rows, cols)
        i = int(np.argmin(ap))
        # two pixels below the level, into the blood (the edge itself averages blood and CSF)
        r = rows[i] + 2 * v.frame.ap[0]
        c = cols[i] + 2 * v.frame.ap[1]
        return Mark(label, round(r), round(c), "lesion", (code,), (30.0, 90.0))
    return find


def settled(label: str = "fresh blood settles to the back", code: int = SUBDURAL,
            dense_hu: float = 50.0) -> Finder:
    """The densest, dependent part of a mixed collection (acute on chronic): its deepest point."""
    def find(v: SliceView) -> Mark | None:
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 5)
        point = _deepest((v.lesion == code) & (smooth > dense_hu))
        return None if point is None else Mark(label, *point, "lesion", (code,), (dense_hu, 95.0))
    return find


def dark_band(label: str = "dark streak (beam hardening)",
              below_hu: float = 31.0) -> Finder:
    """The darkest 9 × 9 region of brain behind the petrous bones (pons and cerebellum)."""
    def find(v: SliceView) -> Mark | None:
        brain = np.isin(v.tissue, BRAIN) & _region(v, (0.35, 0.0), 0.35)
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 9)
        smooth[~ndimage.binary_erosion(brain, iterations=4)] = np.inf
        r, c = np.unravel_index(int(np.argmin(smooth)), smooth.shape)
        if not np.isfinite(smooth[r, c]) or smooth[r, c] > below_hu:
            return None
        return Mark(label, int(r), int(c), "hu", (), (-20.0, below_hu))
    return find


def partial_volume(label: str = "partial volume: bone") -> Finder:
    """Brain or CSF pixels next to the skull base that measure like blood or more: the largest
    cluster of them in the front half of the head."""
    def find(v: SliceView) -> Mark | None:
        inside = np.isin(v.tissue, (*BRAIN, CSF))
        near_bone = ndimage.distance_transform_edt(v.tissue != BONE) <= 3
        smooth = ndimage.uniform_filter(v.hu.astype(np.float64), 3)
        hot = inside & near_bone & (smooth > 65) & (smooth < 250) & _region(v, (-0.6, 0.0), 0.6)
        labels, n = ndimage.label(hot)
        if n == 0:
            return None
        biggest = 1 + int(np.argmax(ndimage.sum(hot, labels, range(1, n + 1))))
        rows, cols = np.nonzero(labels == biggest)
        i = int(np.argmax(smooth[rows, cols]))
        return Mark(label, int(rows[i]), int(cols[i]), "hu", (), (60.0, 300.0))
    return find


# --- the figures -------------------------------------------------------------------------------


def _inset_around(code: int, *, kind: str = "lesion", half_mm: float = 22.0
                  ) -> Callable[[SliceView], tuple[slice, slice]]:
    """A square box around the largest part of a code, for a zoomed inset."""
    def box(v: SliceView) -> tuple[slice, slice]:
        maps = v.lesion if kind == "lesion" else v.tissue
        point = _deepest(maps == code)
        if point is None:
            raise CtlibError(f"no {kind} code {code} on slice {v.index} of {v.series}")
        half = int(half_mm / v.pixel_mm)
        r, c = point
        return slice(max(r - half, 0), r + half), slice(max(c - half, 0), c + half)
    return box


def _inset_at(finder: Finder, *, half_mm: float = 14.0
              ) -> Callable[[SliceView], tuple[slice, slice]]:
    """A square box around the sign a finder marks, for a zoomed inset."""
    def box(v: SliceView) -> tuple[slice, slice]:
        m = finder(v)
        if m is None:
            raise CtlibError(f"nothing to enlarge on slice {v.index} of {v.series}")
        half = int(half_mm / v.pixel_mm)
        r, c = int(m.row), int(m.col)
        return slice(max(r - half, 0), r + half), slice(max(c - half, 0), c + half)
    return box


RIGHT, LEFT = -1.0, 1.0  # the patient's sides in the head frame (right = image left)

#: The figures of notebooks 04–06, by name: (caption, panels).
FIGURES: dict[str, tuple[str, tuple[Panel, ...]]] = {
    "secondary-signs": ("Secondary signs: what a mass does to the brain around it", (
        Panel("subdural-acute", "frontal horns", "brain", "shift, effacement, compression", (
            effaced(side=LEFT), open_sulcus(side=RIGHT),
            tissue("frontal horn, compressed", (VENTRICLE,), near=(-0.35, 0.1), within=0.15,
                   hu=(-5.0, 30.0)),
            tissue("frontal horn, open", (VENTRICLE,), near=(-0.35, -0.1), within=0.15,
                   hu=(-5.0, 30.0))), midline=True),
        Panel("subarachnoid-hydrocephalus", "suprasellar cistern", "brain",
              "hydrocephalus after SAH", (
            tissue("temporal horn, dilated", (VENTRICLE,), near=(0.05, -0.4), within=0.3,
                   hu=(-5.0, 30.0)),
            tissue("temporal horn, dilated ", (VENTRICLE,), near=(0.05, 0.4), within=0.3,
                   hu=(-5.0, 30.0)),
            lesion("blood in the basal cisterns", SUBARACHNOID, hu=(35.0, 90.0)))),
    )),
    "epidural": ("Epidural: a lens against the inner table, a fracture above it", (
        Panel("epidural-swirl", None, "subdural", "subdural window: lens, swirl, shift", (
            lesion("biconvex lens (epidural)", EPIDURAL), swirl()), midline=True),
        Panel("epidural-swirl", None, "brain", "brain window: the sulci beneath it closed", (
            effaced(side=RIGHT), open_sulcus(side=LEFT))),
        Panel("epidural-swirl", None, "bone", "bone window: the fracture (enlarged)", (
            tissue("fracture", (FRACTURE,), hu=(-200.0, 900.0)),
            scalp_swelling(side=RIGHT)), inset=_inset_around(FRACTURE, kind="tissue")),
    )),
    "epidural-vs-subdural": ("A second epidural: the lens ends at a suture", (
        Panel("epidural-frontotemporal", None, "bone", "bone window: the suture at its end", (
            suture_near("suture, at the lens's end"), lesion("epidural", EPIDURAL)),
              inset=_inset_at(suture_near(), half_mm=12.0)),
    )),
    "subdural": ("Acute subdural: crescent, falx, mass effect", (
        Panel("subdural-acute", None, "subdural", "high: the crescent and the falx", (
            lesion("crescent along the convexity", SUBDURAL, near=(0.0, LEFT), within=0.6),
            lesion("blood along the falx", SUBDURAL, near=(0.0, 0.0), within=0.1)),
            caliper=SUBDURAL),
        Panel("subdural-acute", None, "brain", "the same slice at 40/80: as white as bone", ()),
        Panel("subdural-acute", "frontal horns", "brain", "lower: mass effect", (
            effaced(side=LEFT), open_sulcus(side=RIGHT),
            tissue("frontal horn, compressed", (VENTRICLE,), near=(-0.35, 0.1), within=0.15,
                   hu=(-5.0, 30.0))), midline=True),
    )),
    "subdural-subtle": ("Subtle subdurals: thin, along the tentorium, on both sides; a look-alike", (
        Panel("subdural-thin", None, "subdural", "thin (enlarged): no significant shift", (
            lesion("thin subdural", SUBDURAL, hu=(40.0, 105.0)),),
            inset=_inset_around(SUBDURAL, half_mm=18.0)),
        Panel("subdural-tentorial", None, "subdural", "along the tentorium", (
            lesion("subdural on the tentorium", SUBDURAL),)),
        Panel("subdural-bilateral-isodense", "frontal horns", NARROW,
              "bilateral and isodense: no significant shift", (
                  lesion("isodense (right)", SUBDURAL, near=(0.0, RIGHT), within=0.6,
                         hu=(25.0, 50.0)),
                  lesion("isodense (left)", SUBDURAL, near=(0.0, LEFT), within=0.6,
                         hu=(25.0, 50.0))), midline=True),
        Panel("normal-dense-sinus", None, "subdural", "look-alike: dense sinuses, no bleed", (
            tissue("dense sinus (right)", (VENOUS_SINUS,), near=(0.8, RIGHT * 0.5), within=0.4,
                   hu=(50.0, 110.0)),
            tissue("dense sinus (left)", (VENOUS_SINUS,), near=(0.8, LEFT * 0.5), within=0.4,
                   hu=(50.0, 110.0)))),
    )),
    "subdural-ages": ("A subdural ages: isodense at 1–3 weeks, then near CSF", (
        Panel("subdural-subacute-follow-up", "frontal horns", NARROW,
              "subacute: isodense (narrow window)", (
                  lesion("isodense subdural", SUBDURAL, hu=(25.0, 50.0)), effaced(side=LEFT)),
              midline=True),
        Panel("subdural-chronic", "frontal horns", "brain", "chronic: near CSF", (
            lesion("chronic subdural", SUBDURAL, hu=(0.0, 30.0)),), midline=True),
        Panel("subdural-acute-on-chronic", None, "subdural", "acute on chronic", (
            settled(), lesion("older, darker part", SUBDURAL, near=(-0.4, RIGHT), within=0.5,
                              hu=(0.0, 40.0)))),
    )),
    "subarachnoid": ("Aneurysmal subarachnoid: blood in the basal cisterns, asymmetric", (
        Panel("subarachnoid-aneurysmal", "suprasellar cistern", "brain", "basal cisterns and Sylvian fissures", (
            lesion("suprasellar cistern: blood", SUBARACHNOID, near=(-0.1, 0.0), within=0.2,
                   hu=(35.0, 90.0)),
            lesion("right Sylvian: blood", SUBARACHNOID, near=(-0.42, -0.42), within=0.1,
                   hu=(35.0, 90.0)),
            lesion("left Sylvian: little", SUBARACHNOID, near=(-0.34, 0.3), within=0.1,
                   hu=(10.0, 90.0)))),
        Panel("subarachnoid-aneurysmal", 12, "brain", "higher: reflux into the ventricles", (
            lesion("blood in the occipital horn", INTRAVENTRICULAR, hu=(35.0, 95.0)),
            lesion("interhemispheric: blood", SUBARACHNOID, near=(-0.5, 0.0),
                   within=0.15, hu=(30.0, 90.0)))),
    )),
    "subarachnoid-subtle": ("Subtle SAH: a convexity sulcus; hydrocephalus", (
        Panel("subarachnoid-convexity", None, "brain", "a sulcus filled with blood (enlarged)", (
            lesion("blood in a sulcus", SUBARACHNOID, hu=(30.0, 90.0)),),
            inset=_inset_around(SUBARACHNOID, half_mm=18.0)),
        Panel("subarachnoid-hydrocephalus", "suprasellar cistern", "brain",
              "basal blood, dilated temporal horns", (
            lesion("basal cistern blood", SUBARACHNOID, hu=(35.0, 90.0)),
            tissue("temporal horn, dilated", (VENTRICLE,), near=(0.05, -0.4), within=0.3,
                   hu=(-5.0, 30.0)))),
    )),
    "intraventricular": ("Intraventricular: blood settles to the back, under CSF", (
        Panel("intraventricular-layering", None, "brain", "layering in the occipital horns", (
            level(), tissue("CSF above the level", (VENTRICLE,), near=(0.3, 0.3), within=0.3,
                            hu=(-5.0, 30.0)))),
        Panel("intraventricular-cast", None, "brain", "a cast: the ventricles filled", (
            lesion("ventricle filled with blood", INTRAVENTRICULAR, hu=(40.0, 100.0)),)),
    )),
    "intraparenchymal": ("Intraparenchymal: a hematoma in the brain, edema and mass effect", (
        Panel("intraparenchymal-basal-ganglia", None, "brain", "basal ganglia haematoma", (
            lesion("hematoma", INTRAPARENCHYMAL), tissue("edema (darker rim)", (EDEMA,),
                                                          hu=(5.0, 30.0)),
            tissue("frontal horn, compressed", (VENTRICLE,), near=(-0.35, -0.1), within=0.2,
                   hu=(-5.0, 30.0)))),
        Panel("intraparenchymal-anaemic", None, "brain", "anemia: a paler hematoma", (
            lesion("hematoma, hematocrit 25 %", INTRAPARENCHYMAL, hu=(35.0, 70.0)),
            tissue("edema", (EDEMA,), hu=(5.0, 30.0)))),
    )),
    "trauma": ("Trauma: contusions and blood in several compartments", (
        Panel("trauma-coup-contrecoup", None, "subdural", "coup and contrecoup", (
            lesion("epidural (coup)", EPIDURAL),
            lesion("subdural (contrecoup)", SUBDURAL),
            lesion("subarachnoid (sulci)", SUBARACHNOID, hu=(30.0, 95.0)))),
        Panel("trauma-contusion", 7, "brain", "contusion: specks of blood in swollen cortex", (
            lesion("contusion", INTRAPARENCHYMAL, hu=(30.0, 95.0)),
            tissue("edema around it", (EDEMA,), hu=(5.0, 32.0)),
            lesion("hyperacute subdural", SUBDURAL, hu=(25.0, 70.0)))),
        Panel("trauma-contusion", None, NARROW, "higher: hyperacute subdural, SAH (40/40)", (
            lesion("hyperacute subdural (paler)", SUBDURAL, hu=(25.0, 70.0)),
            lesion("subarachnoid", SUBARACHNOID, hu=(30.0, 95.0)))),
    )),
    "mimics": ("Look-alikes: physiological calcifications", (
        Panel("normal-calcified", "third ventricle", "brain", "pineal calcification", (
            bright("pineal: calcified", near=(0.08, 0.0)),)),
        Panel("normal-calcified", "lateral ventricles", "brain", "choroid plexus calcification", (
            bright("choroid plexus: calcified", near=(0.25, 0.3), within=0.2),)),
        Panel("normal-12bit", 8, "brain", "basal ganglia calcification", (
            bright("basal ganglia: calcified", near=(-0.15, -0.25), within=0.15,
                   codes=(DEEP_GRAY, 9, WHITE)),)),
        Panel("normal-12bit", 17, "brain", "falx calcification", (
            bright("falx: calcified", near=(-0.45, 0.0), within=0.15,
                   codes=(DURA, 9, CSF, GRAY)),)),
    )),
    "artefacts": ("Artefacts at the skull base", (
        Panel("normal-plain", 3, "brain", "posterior fossa: streaks from the petrous bones", (
            dark_band(), tissue("petrous bone", (BONE,), near=(0.1, 0.45), within=0.2,
                                hu=(300.0, 3000.0)))),
        Panel("normal-calcified", 4, "brain", "skull base: partial volume", (
            partial_volume(),)),
    )),
}


def figure(data: Any, name: str) -> Figure:
    """Draw one of :data:`FIGURES`: two panels side by side per row, each at least 400 px wide.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ctlib.data import open_data
    >>> fig = figure(open_data("sample"), "epidural")
    >>> [round(ax.get_window_extent().width) >= 400 for ax in fig.axes[:2]]
    [True, True]
    """
    import matplotlib.pyplot as plt

    if name not in FIGURES:
        raise CtlibError(f"no lesson figure {name!r}: choose one of {', '.join(FIGURES)}.")
    caption, panels = FIGURES[name]
    rows = (len(panels) + 1) // 2
    # Each panel shows the head with a label column on either side: (1 + 2 · MARGIN) : 1.
    height = 8.2 / (1 + 2 * MARGIN) + 0.6
    fig, axes = plt.subplots(rows, 2, figsize=(16.4, height * rows + 0.5), dpi=DPI, squeeze=False)
    for ax, panel in zip(axes.ravel(), panels, strict=False):
        draw_panel(data, panel, ax=ax)
    for ax in axes.ravel()[len(panels):]:
        ax.set_axis_off()
    fig.suptitle(caption, fontsize=15)
    fig.tight_layout()
    return fig


def draw_panel(data: Any, panel: Panel, *, ax: Axes) -> Axes:
    """Draw one panel: the slice cropped to the head, its marks, and the optional extras."""
    from ctlib.synth.figures import head_box

    v = view(data, panel.series, panel.at)
    shown = window(v.hu, panel.window)
    ax.imshow(shown, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    rows, cols = head_box(v.hu, margin=4)
    ax.set_xlim(cols.start - 0.5, cols.stop - 0.5)
    ax.set_ylim(rows.stop - 0.5, rows.start - 0.5)
    ax.set_axis_off()
    label = panel.window if isinstance(panel.window, str) else str(panel.window)
    ax.set_title(f"{panel.title}\n{panel.series}, slice {v.index}, {label}", fontsize=11)
    if panel.midline:
        _draw_midline(ax, midline_shift(v.tissue, v.lesion, pixel_mm=v.pixel_mm))
    if panel.caliper is not None:
        _draw_caliper(ax, collection_thickness(v.lesion == panel.caliper, pixel_mm=v.pixel_mm))
    orientation_letters(ax)
    scale_bar(ax, v.pixel_mm)
    marks = [m for m in (find(v) for find in panel.finders) if m is not None]
    _with_labels(ax, marks, v.frame.centre)
    if panel.inset is not None:
        # in the label column on the side of what it enlarges, at the far end from the labels
        box = panel.inset(v)
        row, col = (box[0].start + box[0].stop) / 2, (box[1].start + box[1].stop) / 2
        on_left = col < v.frame.centre[1]
        near = [m.row for m in marks if (m.col < v.frame.centre[1]) == on_left]
        top, bottom = sorted(ax.get_ylim())
        low = (np.mean(near) if near else row) < (top + bottom) / 2  # labels high: inset low
        side = MARGIN / (1 + 2 * MARGIN)
        height = side * (1 + 2 * MARGIN) * 0.95
        where = (0.005 if on_left else 1 - side - 0.005, 0.01 if low else 0.99 - height, side,
                 height)
        zoom_inset(ax, shown, box, where=where)
    return ax


def _with_labels(ax: Axes, marks: Sequence[Mark], centre: tuple[float, float]) -> None:
    """Widen the view by a label column on each side, then label the marks there."""
    x0, x1 = ax.get_xlim()
    margin = MARGIN * (x1 - x0)
    ax.set_xlim(x0 - margin, x1 + margin)
    mark(ax, marks, center=centre, columns=(x0 - 0.03 * margin, x1 + 0.03 * margin))


def _draw_midline(ax: Axes, shift: MidlineShift) -> None:
    (r0, c0), (r1, c1) = shift.front, shift.back
    ax.plot([c0, c1], [r0, r1], color="#7fd4ff", lw=1.0, ls="--")
    (rs, cs), (rf, cf) = shift.septum, shift.foot
    ax.plot([cs, cf], [rs, rf], color="#ff5050", lw=2.2)
    ax.text(min(cs, cf) - 8, max(rs, rf) + 14, f"shift {abs(shift.shift_mm):.1f} mm",
            color="#ff5050", fontsize=10, fontweight="bold", ha="right", va="top",
            bbox={"boxstyle": "round,pad=0.15", "fc": "black", "ec": "none", "alpha": 0.6})


def _draw_caliper(ax: Axes, caliper: Caliper) -> None:
    (r0, c0), (r1, c1) = caliper.start, caliper.end
    ax.plot([c0, c1], [r0, r1], color="#50ff50", lw=2.0)
    # written past the end that lies inside the head, away from the label columns
    inward = np.array([r1 - r0, c1 - c0]) / max(float(np.hypot(r1 - r0, c1 - c0)), 1.0)
    tr, tc = np.array([r1, c1]) + 18 * inward
    ax.text(tc, tr, f"{caliper.thickness_mm:.0f} mm thick", color="#50ff50", fontsize=10,
            fontweight="bold", ha="center", va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "black", "ec": "none", "alpha": 0.6})


def marks_of(data: Any, name: str) -> pd.DataFrame:
    """Every mark of a figure with the HU under it (3 × 3 mean): what the text may quote.

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> table = marks_of(open_data("sample"), "epidural")
    >>> list(table.columns)
    ['panel', 'series', 'slice', 'sign', 'row', 'col', 'HU']
    """
    import pandas as pd

    rows = []
    for i, panel in enumerate(FIGURES[name][1]):
        v = view(data, panel.series, panel.at)
        for find in panel.finders:
            m = find(v)
            if m is not None:
                rows.append({"panel": i, "series": v.series, "slice": v.index, "sign": m.label,
                             "row": int(m.row), "col": int(m.col),
                             "HU": round(v.roi_hu(m.row, m.col))})
    return pd.DataFrame(rows)


def level_figure(data: Any, series: str, level_name: str, *, ax: Axes | None = None,
                 window_: str | Window = "brain") -> Axes:
    """One standard level of a series, its structures labelled (notebook 04).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ctlib.data import open_data
    >>> ax = level_figure(open_data(), "normal-calcified", "third ventricle")
    >>> ax.get_title().splitlines()[1]
    'third ventricle'
    """
    import matplotlib.pyplot as plt

    from ctlib.synth.figures import head_box

    if level_name not in STRUCTURES:
        raise CtlibError(f"unknown level {level_name!r}: use one of {', '.join(STRUCTURES)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 6.2), dpi=DPI)
    v = view(data, series, level_name)
    ax.imshow(window(v.hu, window_), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    rows, cols = head_box(v.hu, margin=4)
    ax.set_xlim(cols.start - 0.5, cols.stop - 0.5)
    ax.set_ylim(rows.stop - 0.5, rows.start - 0.5)
    ax.set_axis_off()
    ax.set_title(f"{series}, slice {v.index}\n{level_name}", fontsize=12)
    orientation_letters(ax)
    scale_bar(ax, v.pixel_mm)
    _with_labels(ax, label_level(v.tissue, level_name, v.lesion, frame=v.frame), v.frame.centre)
    return ax


def level_marks(data: Any, series: str, level_name: str) -> tuple[SliceView, list[Mark]]:
    """The slice of a standard level and the marks :func:`level_figure` draws on it."""
    v = view(data, series, level_name)
    return v, label_level(v.tissue, level_name, v.lesion, frame=v.frame)


def orientation_figure(data: Any, series: str = "normal-calcified") -> Figure:
    """Axial, coronal and sagittal views of one series, each with its patient directions.

    The axial view is the standard level of the third ventricle; the coronal and sagittal ones are
    cut through the middle of the volume (:func:`ctlib.reformat`), head up.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ctlib.data import open_data
    >>> fig = orientation_figure(open_data())
    >>> [ax.get_title().split(":")[0] for ax in fig.axes]
    ['axial', 'coronal', 'sagittal']
    """
    import matplotlib.pyplot as plt

    from ctlib.series import load_series, reformat
    from ctlib.synth.figures import head_box

    entry = data.series(series)
    volume = load_series([data.path(sop) for sop in entry["files"]])
    v = view(data, series, "third ventricle")
    fig, axes = plt.subplots(1, 3, figsize=(18, 6.6), dpi=DPI,
                             gridspec_kw={"width_ratios": [1.0, 1.0, 1.0]})
    rows, cols = head_box(v.hu, margin=4)
    middle_row = (rows.start + rows.stop) // 2
    middle_col = (cols.start + cols.stop) // 2
    views = [
        ("axial", v.hu, 1.0, "axial: looking up from the feet"),
        ("coronal", *reformat(volume, "coronal", middle_row), "coronal: facing the patient"),
        ("sagittal", *reformat(volume, "sagittal", middle_col), "sagittal: from the patient's left"),
    ]
    for ax, (plane, image, aspect, title) in zip(axes, views, strict=True):
        ax.imshow(window(image, "brain"), cmap="gray", vmin=0.0, vmax=1.0, aspect=aspect,
                  interpolation="nearest")
        if plane == "axial":
            ax.set_xlim(cols.start - 0.5, cols.stop - 0.5)
            ax.set_ylim(rows.stop - 0.5, rows.start - 0.5)
        elif plane == "coronal":
            ax.set_xlim(cols.start - 0.5, cols.stop - 0.5)
        else:
            ax.set_xlim(rows.start - 0.5, rows.stop - 0.5)
        ax.set_axis_off()
        ax.set_title(title, fontsize=12)
        orientation_letters(ax, plane)  # type: ignore[arg-type]
    fig.suptitle(f"{series}: the radiological convention", fontsize=14)
    fig.tight_layout()
    return fig


def blood_age_chart(
    measured: dict[str, tuple[float, float]] | None = None, *, ax: Axes | None = None
) -> Axes:
    """How the CT density of a haematoma changes with its age, with measured values marked.

    The bands are the literature values of :mod:`ctlib.literature`: hyperacute (unclotted) blood,
    acute clot (denser still as it retracts), the subacute fall through the brain's density at
    about 1–3 weeks, and chronic collections near CSF.

    Parameters
    ----------
    measured : dict, optional
        Label → (age in days, HU) pairs to mark, e.g. from the data set.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> blood_age_chart().get_xlabel()
    'age of the blood (days, log scale)'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.8), dpi=DPI)
    from ctlib.literature import fact

    def hu(key: str) -> tuple[float, float]:
        item = fact(key)
        return item.low, item.low if item.high is None else item.high

    weeks = fact("blood_subacute_isodense_weeks")
    white, gray, csf = hu("white_matter"), hu("gray_matter"), hu("csf")
    bands = [  # (first day, last day, (low HU, high HU), label)
        (0.02, 0.25, hu("blood_hyperacute"), "hyperacute\n(unclotted)"),
        (0.25, 3.0, hu("blood_acute"), "acute clot"),
        (1.0, 3.0, hu("blood_acute_retracted"), "retracted clot"),
        (7.0 * weeks.low, 7.0 * (weeks.high or weeks.low), (white[0], gray[1]),
         f"isodense\n({weeks.low:g}–{weeks.high:g} weeks)"),
        (7.0 * (weeks.high or weeks.low), 120.0, hu("blood_chronic"), "chronic\n(near CSF)"),
    ]
    for first, last, (low, high), label in bands:
        ax.fill_between([first, last], low, high, color="tab:red", alpha=0.25, lw=0)
        ax.text((first * last) ** 0.5, high + 2, label, ha="center", va="bottom", fontsize=9)
    ax.axhspan(*white, color="0.5", alpha=0.2, lw=0)
    ax.axhspan(*gray, color="0.3", alpha=0.2, lw=0)
    ax.text(0.022, sum(white) / 2, "white matter", fontsize=8, va="center")
    ax.text(0.022, sum(gray) / 2, "grey matter", fontsize=8, va="center")
    ax.axhspan(*csf, color="tab:blue", alpha=0.12, lw=0)
    ax.text(0.022, sum(csf) / 2, "CSF", fontsize=8, va="center", color="tab:blue")
    for i, (label, (days, value)) in enumerate((measured or {}).items()):
        ax.plot(days, value, "o", color="black", ms=6)
        ax.annotate(label, (days, value), xytext=(-8 if i % 2 else 8, -16),
                    ha="right" if i % 2 else "left", textcoords="offset points", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(0.02, 150)
    ax.set_ylim(-5, 112)
    ax.set_xlabel("age of the blood (days, log scale)")
    ax.set_ylabel("HU")
    ax.set_title("A haematoma's density over time (haematocrit ~ 40 %; anaemia lowers every band)")
    return ax


# --- the exercises' slices and points ------------------------------------------------------------

#: Where the reading exercises of notebooks 04–07 look (none of these slices is in a lesson figure).
EXERCISE_SERIES: dict[str, Any] = {
    "structure": ("normal-plain", "third ventricle", "thalamus"),
    "level": ("normal-plain", "suprasellar cistern"),
    "shift": "intraparenchymal-basal-ganglia",
    "thickness": "subdural-chronic",
    "find": "intraparenchymal-lobar",
    "blood-or-calcification": ("intraventricular-cast", 11),
    "subtypes": "intraparenchymal-thalamic-ivh",
}


def exercise_point(data: Any, which: str) -> tuple[int, int, int]:
    """(slice, row, column) an exercise points at with a letter, computed from the maps.

    ``which``: ``"structure"`` (the unlabelled structure of exercise 04.1), ``"A"`` and ``"B"``
    (the two bright spots of exercise 07.1: A is a calcification, B blood).
    """
    if which == "structure":
        series, level_name, name = EXERCISE_SERIES["structure"]
        v = view(data, series, level_name)
        found = label_level(v.tissue, level_name, v.lesion, frame=v.frame, names=[name])
        if not found:
            raise CtlibError(f"no {name} found on {series}, slice {v.index}")
        return v.index, int(found[0].row), int(found[0].col)
    series, index = EXERCISE_SERIES["blood-or-calcification"]
    v = view(data, str(series), int(index))
    if which == "A":
        m = bright("", near=(0.3, 0.0), within=0.45, codes=(VENTRICLE, 9, 19))(v)  # an atrium
    elif which == "B":
        m = lesion("", INTRAVENTRICULAR)(v)
    else:
        raise CtlibError(f"unknown exercise point {which!r}: use 'structure', 'A' or 'B'.")
    if m is None:
        raise CtlibError(f"exercise point {which} not found on {series}, slice {index}")
    return v.index, int(m.row), int(m.col)


def exercise_slice(data: Any, which: str) -> int:
    """The slice an exercise shows, without naming what it is (``"level"``: exercise 04.2)."""
    if which != "level":
        raise CtlibError(f"unknown exercise slice {which!r}: use 'level'.")
    series, level_name = EXERCISE_SERIES["level"]
    return int(standard_levels(_series_maps(data, series)[0])[level_name])


def front_box(data: Any, series: str, slice_: int, *, half_mm: float = 22.0
              ) -> tuple[slice, slice]:
    """A square around the front of the head's midline (where the frontal horns and the septum
    usually are), from the head frame only: a zoom that says nothing about where the septum is."""
    v = view(data, series, slice_)
    r, c = v.frame.to_pixel(-0.3, 0.0)
    half = int(half_mm / v.pixel_mm)
    return slice(int(r) - half, int(r) + half), slice(int(c) - half, int(c) + half)


def lesion_box(data: Any, series: str, slice_: int | str | None, *, half_mm: float = 30.0
               ) -> tuple[slice, slice]:
    """A square around the deepest point of the blood on a slice: the zoom for measuring it."""
    v = view(data, series, slice_)
    point = _deepest(v.lesion > 0)
    if point is None:
        raise CtlibError(f"no blood on slice {v.index} of {series}")
    half = int(half_mm / v.pixel_mm)
    r, c = point
    return slice(max(r - half, 0), r + half), slice(max(c - half, 0), c + half)


def pixel_view(data: Any, series: str, slice_: int | str | None, *, window_: str | Window = "brain",
               points: dict[str, tuple[int, int]] | None = None, ax: Axes | None = None,
               box: tuple[slice, slice] | None = None, title: str | None = None) -> Axes:
    """A slice with row and column numbers on its axes, for measuring by hand in an exercise.

    Parameters
    ----------
    points : dict, optional
        Letter → (row, col): drawn as a cross with its letter, nothing else said.
    box : (rows, cols), optional
        The part to show (default: the head): a zoom, to read pixels one by one.
    title : str, optional
        Shown instead of the series' name (an exercise's case should not give its answer away).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ctlib.data import open_data
    >>> ax = pixel_view(open_data("sample"), "subdural-acute", None, points={"X": (250, 250)})
    >>> ax.get_xlabel(), [t.get_text() for t in ax.texts]
    ('column', ['X'])
    """
    import matplotlib.pyplot as plt

    from ctlib.synth.figures import head_box

    if ax is None:
        _, ax = plt.subplots(figsize=(7.6, 7.6), dpi=DPI)
    v = view(data, series, slice_)
    ax.imshow(window(v.hu, window_), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    rows, cols = head_box(v.hu, margin=4) if box is None else box
    ax.set_xlim(cols.start - 0.5, cols.stop - 0.5)
    ax.set_ylim(rows.stop - 0.5, rows.start - 0.5)
    step = 20 if cols.stop - cols.start > 150 else 10
    ax.set_xticks(range((cols.start // step + 1) * step, cols.stop, step))
    ax.set_yticks(range((rows.start // step + 1) * step, rows.stop, step))
    ax.tick_params(labelsize=8)
    plt.setp(ax.get_xticklabels(), rotation=90)
    ax.grid(color="#7fd4ff", alpha=0.25, lw=0.5)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    label = window_ if isinstance(window_, str) else str(window_)
    name = series if title is None else title
    ax.set_title(f"{name}, slice {v.index}, {label}; pixel {v.pixel_mm:.3f} mm", fontsize=11)
    for letter, (r, c) in (points or {}).items():
        ax.plot(c, r, "+", color="#ff5050", ms=14, mew=2)
        ax.text(c + 6, r - 6, letter, color="#ff5050", fontsize=14, fontweight="bold")
    return ax


def contact_sheet(data: Any, series: str, *, window_: str | Window = "brain",
                  columns: int = 9, size: int = 104, title: str | None = None) -> Figure:
    """Every slice of a series, small, numbered: to find where to look, as a viewer's overview.

    Each slice is cropped to the head and shrunk to ``size`` pixels (with anti-aliasing): enough
    to see where something is, not to read it; open the slice itself to read it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ctlib.data import open_data
    >>> fig = contact_sheet(open_data(), "normal-plain")
    >>> sum(ax.get_visible() and bool(ax.get_images()) for ax in fig.axes)
    26
    """
    import matplotlib.pyplot as plt
    from skimage.transform import resize

    from ctlib.hu import to_hu
    from ctlib.reading import read
    from ctlib.synth.figures import head_box

    files = data.series(series)["files"]
    rows = -(-len(files) // columns)
    inches = size / DPI
    fig, axes = plt.subplots(rows, columns, figsize=(inches * columns * 1.04, (inches + 0.22) * rows),
                             dpi=DPI, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if k >= len(files):
            continue
        hu = to_hu(read(data.path(files[k])))
        small = resize(window(hu[head_box(hu, margin=4)], window_), (size, size),
                       anti_aliasing=True)
        ax.imshow(small, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(f"slice {k}", fontsize=8)
    fig.suptitle(f"{series if title is None else title}: all slices, bottom (0) to top",
                 fontsize=12)
    fig.tight_layout()
    return fig
