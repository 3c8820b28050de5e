"""The reading lessons' figures (notebooks 04 to 07): each sign the text names, found and pointed at.

A figure is a list of :class:`Panel` s. A panel names a series, a slice and a window, and lists
*finders*: small functions that find a sign on that slice from the synthetic set's maps and
pixels (the deepest point of an epidural, the septum pellucidum, a calcification's brightest
spot) and return a :class:`~ctlib.course.annotate.Mark`. Because every arrow is computed, a test checks
each one against the slice's pixels and maps (``tests/test_lessons.py``), and the figure cannot
claim a sign its slice does not show. :func:`figure` draws a figure, :func:`marks_of` lists its
marks with the HU measured under each.
"""

from __future__ import annotations

from ctlib.course.annotate import MARGIN
from ctlib.course.landmarks import frontal_horns
from ctlib.course.lessons.catalogue import FIGURES, LEFT, RIGHT, Panel
from ctlib.course.lessons.figures import (
    blood_age_chart,
    case_figure,
    draw_panel,
    figure,
    level_figure,
    level_marks,
    marks_of,
    meninges_diagram,
    orientation_figure,
    tissue_outlines,
)
from ctlib.course.lessons.finders import (
    bright,
    dark_band,
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
from ctlib.course.lessons.practice import (
    EXERCISE_SERIES,
    contact_sheet,
    exercise_point,
    exercise_slice,
    front_box,
    lesion_box,
    pixel_view,
)
from ctlib.course.lessons.view import DPI, NARROW, SliceView, view

__all__ = [
    "DPI",
    "EXERCISE_SERIES",
    "FIGURES",
    "LEFT",
    "MARGIN",
    "NARROW",
    "RIGHT",
    "Panel",
    "SliceView",
    "blood_age_chart",
    "bright",
    "case_figure",
    "contact_sheet",
    "dark_band",
    "draw_panel",
    "effaced",
    "exercise_point",
    "exercise_slice",
    "figure",
    "front_box",
    "frontal_horns",
    "lesion",
    "lesion_box",
    "level",
    "level_figure",
    "level_marks",
    "marks_of",
    "meninges_diagram",
    "open_sulcus",
    "orientation_figure",
    "partial_volume",
    "pixel_view",
    "scalp_swelling",
    "settled",
    "suture_near",
    "swirl",
    "tissue",
    "tissue_outlines",
    "view",
]
