"""What the reading exercises show: their points, slices, zooms, and views with pixel numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctlib.course.landmarks import (
    VENTRICLE,
    label_level,
    standard_levels,
)
from ctlib.crop import head_box
from ctlib.errors import CtlibError
from ctlib.window import Window, window

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from ctlib.course.lessons.finders import bright, deepest, lesion
from ctlib.course.lessons.view import DPI, INTRAVENTRICULAR, series_maps, view
from ctlib.hu import to_hu
from ctlib.reading import read

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
    return int(standard_levels(series_maps(data, series)[0])[level_name])


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
    point = deepest(v.lesion > 0)
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
    >>> from ctlib import open_data
    >>> ax = pixel_view(open_data("sample"), "subdural-acute", None, points={"X": (250, 250)})
    >>> ax.get_xlabel(), [t.get_text() for t in ax.texts]
    ('column', ['X'])
    """
    import matplotlib.pyplot as plt


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
    >>> from ctlib import open_data
    >>> fig = contact_sheet(open_data(), "normal-plain")
    >>> sum(ax.get_visible() and bool(ax.get_images()) for ax in fig.axes)
    26
    """
    import matplotlib.pyplot as plt
    from skimage.transform import resize

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
        small = resize(window(hu[head_box(hu, margin=4)], window_), (size, size),  # type: ignore[no-untyped-call]
                       anti_aliasing=True)
        ax.imshow(small, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(f"slice {k}", fontsize=8)
    fig.suptitle(f"{series if title is None else title}: all slices, bottom (0) to top",
                 fontsize=12)
    fig.tight_layout()
    return fig
