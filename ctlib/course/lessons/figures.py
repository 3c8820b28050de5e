"""Drawing the lessons' figures: panels with their marks, levels, orientation, the age of blood."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ctlib.course.annotate import MARGIN, Mark, mark, orientation_letters, scale_bar, zoom_inset
from ctlib.course.landmarks import (
    STRUCTURES,
    label_level,
)
from ctlib.course.signs import Caliper, MidlineShift, collection_thickness, midline_shift
from ctlib.course.tissues import Tissue
from ctlib.crop import head_box
from ctlib.errors import CtlibError
from ctlib.hu import to_hu
from ctlib.plotting import show_slice
from ctlib.reading import read
from ctlib.window import Window, window

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from ctlib.course.lessons.catalogue import FIGURES, Panel
from ctlib.course.lessons.view import DPI, SliceView, view
from ctlib.course.literature import fact
from ctlib.series import load_series, reformat


def figure(data: Any, name: str) -> Figure:
    """Draw one of :data:`FIGURES`: two panels side by side per row, each at least 400 px wide.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ctlib import open_data
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
    >>> from ctlib import open_data
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
    >>> from ctlib import open_data
    >>> ax = level_figure(open_data(), "normal-calcified", "third ventricle")
    >>> ax.get_title().splitlines()[1]
    'third ventricle'
    """
    import matplotlib.pyplot as plt


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
    >>> from ctlib import open_data
    >>> fig = orientation_figure(open_data())
    >>> [ax.get_title().split(":")[0] for ax in fig.axes]
    ['axial', 'coronal', 'sagittal']
    """
    import matplotlib.pyplot as plt

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

    The bands are the literature values of :mod:`ctlib.course.literature`: hyperacute (unclotted) blood,
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


def meninges_diagram(*, ax: Axes | None = None) -> Axes:
    """A labelled cross-section of the layers around the brain, and where each bleed sits.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(meninges_diagram().texts) > 10
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5.5))
    layers = [  # (name, thickness, colour, what lies there)
        ("scalp", 1.2, "#e8c4a0", ""),
        ("skull (bone)", 1.4, "#f2f2f2", "fracture line"),
        ("epidural space (potential)", 0.6, "#ffffff", "EPIDURAL: artery torn, lens, stops at sutures"),
        ("dura mater", 0.3, "#7f7f7f", ""),
        ("subdural space (potential)", 0.6, "#ffffff", "SUBDURAL: bridging veins, crescent, crosses sutures"),
        ("arachnoid", 0.2, "#a6a6a6", ""),
        ("subarachnoid space (CSF)", 0.8, "#cfe8ff", "SUBARACHNOID: aneurysm/trauma, in sulci and cisterns"),
        ("pia mater", 0.15, "#b07070", ""),
        ("brain (cortex, white matter)", 2.0, "#d9b3b3", "INTRAPARENCHYMAL: in the tissue, edema rim"),
        ("ventricle (CSF)", 1.0, "#cfe8ff", "INTRAVENTRICULAR: settles in the dependent horns"),
    ]
    y = 0.0
    for name, thickness, colour, bleed in layers:
        ax.add_patch(Rectangle((0, -y - thickness), 4, thickness, facecolor=colour,
                               edgecolor="0.4", lw=0.5))
        ax.text(0.1, -y - thickness / 2, name, va="center", fontsize=9)
        if bleed:
            ax.text(4.2, -y - thickness / 2, bleed, va="center", fontsize=9,
                    color="darkred" if bleed.isupper() or bleed[0].isupper() else "0.2")
            ax.plot([3.95, 4.15], [-y - thickness / 2] * 2, color="darkred", lw=1)
        y += thickness
    ax.set_xlim(0, 10.5)
    ax.set_ylim(-y - 0.2, 0.2)
    ax.set_axis_off()
    ax.set_title("From the outside in: the layers, and the space each hemorrhage fills")
    return ax


def case_figure(data: Any, series: str, best_window: str) -> Any:
    """A series' key slice three ways: brain window with the lesion outlined, the best window, bone.

    Parameters
    ----------
    data : ctlib.course.data.DataSet
    series : str
        A series name of the data set.
    best_window : str
        The preset that shows this lesion best.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ctlib import open_data
    >>> len(case_figure(open_data("sample"), "subdural-acute", "subdural").axes)
    3
    """
    import matplotlib.pyplot as plt

    sop, index = data.key_slice(series)
    hu = to_hu(read(data.path(sop)))
    lesion = data.masks(series)["lesion"][index]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.6))
    show_slice(hu, "brain", ax=axes[0], mask=lesion > 0,
               title="brain (C 40 / W 80), mask outlined")
    show_slice(hu, best_window, ax=axes[1])
    show_slice(hu, "bone", ax=axes[2])
    fig.suptitle(series)
    return fig


def tissue_outlines(
    hu: npt.ArrayLike, tissue: npt.ArrayLike, *, ax: Axes | None = None
) -> Axes:
    """A slice in the brain window with its tissue map drawn as coloured outlines and a legend.

    Parameters
    ----------
    hu : array_like, shape (rows, columns)
    tissue : array_like of int
        Codes of :class:`ctlib.course.tissues.Tissue`.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> t = np.zeros((8, 8), int); t[2:6, 2:6] = 6
    >>> len(tissue_outlines(np.zeros((8, 8)), t).get_legend().get_texts())
    5
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D


    colours = {Tissue.SCALP: "tab:orange", Tissue.BONE: "white", Tissue.CSF: "tab:cyan",
               Tissue.VENTRICLE: "tab:blue", Tissue.CALCIFICATION: "yellow"}
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    show_slice(hu, "brain", ax=ax, title="the layers on a slice (from its tissue map)")
    codes = np.asarray(tissue)
    for code, colour in colours.items():
        if (codes == code).any():
            ax.contour(codes == code, [0.5], colors=colour, linewidths=0.7)
    ax.legend(handles=[Line2D([], [], color=c, label=t.label) for t, c in colours.items()],
              loc="lower right", fontsize=8)
    return ax
