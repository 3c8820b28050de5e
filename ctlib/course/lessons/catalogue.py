"""The lessons' figures as data: which series, slice, window and signs each panel shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ctlib.course.landmarks import (
    BONE,
    CSF,
    DEEP_GRAY,
    DURA,
    GRAY,
    VENOUS_SINUS,
    VENTRICLE,
    WHITE,
)
from ctlib.course.lessons.finders import (
    bright,
    dark_band,
    deepest,
    effaced,
    lesion,
    level,
    open_sulcus,
    partial_volume,
    scalp_swelling,
    settled,
    suture_near,
    swirl,
    tissue,
)
from ctlib.course.lessons.view import (
    EDEMA,
    EPIDURAL,
    FRACTURE,
    INTRAPARENCHYMAL,
    INTRAVENTRICULAR,
    NARROW,
    SUBARACHNOID,
    SUBDURAL,
    Finder,
    SliceView,
)
from ctlib.errors import CtlibError
from ctlib.window import Window


@dataclass(frozen=True)
class Panel:
    """What one panel of a lesson figure shows.

    Attributes
    ----------
    series : str
    at : int, str or None
        Which slice: ``None``, the series' key slice; ``"frontal horns"``, where midline shift
        is measured; a standard level's name (see :data:`ctlib.course.landmarks.LEVELS`); or an index.
    window : str or Window
    title : str
    finders : tuple of callables
        Each returns the :class:`~ctlib.course.annotate.Mark` of one sign on the slice (or ``None``).
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


# --- the figures -------------------------------------------------------------------------------


def _inset_around(code: int, *, kind: str = "lesion", half_mm: float = 22.0
                  ) -> Callable[[SliceView], tuple[slice, slice]]:
    """A square box around the largest part of a code, for a zoomed inset."""
    def box(v: SliceView) -> tuple[slice, slice]:
        maps = v.lesion if kind == "lesion" else v.tissue
        point = deepest(maps == code)
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


