"""Drawing on a slice: arrows with labels, orientation letters, a scale bar, a zoomed inset.

The reading lessons (notebooks 04 and 05) point at every sign their text names.
These helpers only draw: *where* a sign is comes from :mod:`ctlib.course.landmarks` and
:mod:`ctlib.course.signs`, which compute it from the data, so a test can check each arrow
against the pixels. Every helper takes ``ax=`` and returns what it drew on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Mark", "mark", "orientation_letters", "scale_bar", "zoom_inset"]

#: The letters at the edges of each plane in the radiological convention: patient's right on
#: the image's left, anterior up (axial); head up (coronal, sagittal); anterior left (sagittal).
EDGES: dict[str, tuple[str, str, str, str]] = {  # left, right, top, bottom
    "axial": ("R", "L", "A", "P"),
    "coronal": ("R", "L", "S", "I"),
    "sagittal": ("A", "P", "S", "I"),
}


#: The width of the label columns :func:`mark` adds on each side, as a fraction of the view.
MARGIN = 0.36


@dataclass(frozen=True)
class Mark:
    """A sign or structure to point at on a slice.

    Attributes
    ----------
    label : str
        The text shown beside the arrow, e.g. ``"septum pellucidum"``.
    row, col : float
        The pixel the arrow points at.
    kind : {"tissue", "lesion", "hu"}
        What the point is checked against by the tests: a code of the tissue or lesion map
        (``codes``), or only a HU range.
    codes : tuple of int
        The map's codes the point must lie on (one of them, within ``radius`` pixels).
    hu : (low, high)
        The range the mean HU of a 3 × 3 region at the point must fall in.
    radius : int
        How far (pixels) the nearest pixel of ``codes`` may be: arrows point at thin things.
    """

    label: str
    row: float
    col: float
    kind: Literal["tissue", "lesion", "hu"] = "tissue"
    codes: tuple[int, ...] = ()
    hu: tuple[float, float] = (-np.inf, np.inf)
    radius: int = 2


def mark(
    ax: Axes,
    marks: Sequence[Mark],
    *,
    center: tuple[float, float] | None = None,
    layout: Literal["sides", "rays"] = "sides",
    columns: tuple[float, float] | None = None,
    length: float = 70.0,
    color: str = "#ffd000",
    fontsize: float = 10.0,
) -> Axes:
    """Draw an arrow and a label at each mark.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes showing the slice (``imshow``), in pixel coordinates.
    marks : sequence of Mark
    center : (row, col), optional
        The head's centre (default: the image centre): marks left of it are labelled on the
        left, the others on the right.
    layout : {"sides", "rays"}
        ``"sides"``: labels in columns beside the image (the axes are widened, so no label
        covers anatomy), spread out so none overlap. ``"rays"``: each label ``length`` pixels
        from its mark, on the ray from ``center`` through it (for one or two marks).
    columns : (x_left, x_right), optional
        For ``"sides"``: where the label columns end (left labels end at ``x_left``, right ones
        start at ``x_right``) when the caller has already made room; default: the view is
        widened by :data:`MARGIN` on both sides.
    length : float
        Distance (pixels) from a mark to its label, for ``"rays"``.
    color, fontsize
        Of arrows and labels; labels have a dark box, readable on any grey.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> _ = ax.imshow(np.zeros((100, 100)))
    >>> len(mark(ax, [Mark("here", 20, 30), Mark("there", 22, 70)]).texts)
    2
    """
    rows, cols = _image_shape(ax)
    cy, cx = (rows / 2, cols / 2) if center is None else center
    x0, x1 = ax.get_xlim()
    style: dict[str, Any] = {"color": color, "fontsize": fontsize, "va": "center",
             "bbox": {"boxstyle": "round,pad=0.2", "fc": "black", "ec": "none", "alpha": 0.7},
             "arrowprops": {"arrowstyle": "->", "color": color, "lw": 1.3, "shrinkA": 2,
                            "shrinkB": 2}}
    if layout == "rays":
        for item in marks:
            direction = np.array([item.col - cx, item.row - cy], float)
            norm = float(np.hypot(*direction))
            direction = np.array([0.0, -1.0]) if norm < 1 else direction / norm
            tx = float(np.clip(item.col + length * direction[0], 0.04 * cols, 0.96 * cols))
            ty = float(np.clip(item.row + length * direction[1], 0.04 * rows, 0.96 * rows))
            ha = "left" if direction[0] > 0.3 else "right" if direction[0] < -0.3 else "center"
            ax.annotate(item.label, xy=(item.col, item.row), xytext=(tx, ty), ha=ha, **style)
        return ax
    left = sorted((m for m in marks if m.col < cx), key=lambda m: m.row)
    right = sorted((m for m in marks if m.col >= cx), key=lambda m: m.row)
    if columns is None:
        margin = MARGIN * (x1 - x0)
        ax.set_xlim(x0 - margin, x1 + margin)  # both sides, so panels side by side stay alike
        columns = (x0 - 0.03 * margin, x1 + 0.03 * margin)
    ax.set_facecolor("black")
    top, bottom = sorted(ax.get_ylim())
    gap = 0.06 * (bottom - top)
    for group, x, ha in ((left, columns[0], "right"), (right, columns[1], "left")):
        heights = _spread([m.row - top for m in group], gap, bottom - top)
        for item, y in zip(group, heights, strict=True):
            ax.annotate(item.label, xy=(item.col, item.row), xytext=(x, top + y), ha=ha, **style)
    return ax


def _spread(wanted: Sequence[float], gap: float, height: float) -> list[float]:
    """Heights as close to ``wanted`` (sorted) as possible, at least ``gap`` apart, on the image."""
    ys = [float(np.clip(y, gap / 2, height - gap / 2)) for y in wanted]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    overflow = ys[-1] - (height - gap / 2) if ys else 0.0
    if overflow > 0:
        ys = [y - overflow for y in ys]
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - gap)
    return ys


def orientation_letters(
    ax: Axes, plane: Literal["axial", "coronal", "sagittal"] = "axial", *, color: str = "#7fd4ff"
) -> Axes:
    """Write the patient directions at the four edges of a view (radiological convention).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> _ = ax.imshow(np.zeros((100, 100)))
    >>> sorted(t.get_text() for t in orientation_letters(ax, "sagittal").texts)
    ['A', 'I', 'P', 'S']
    """
    left, right, top, bottom = EDGES[plane]
    style: dict[str, Any] = {"color": color, "fontsize": 13, "fontweight": "bold"}
    # In data coordinates of the current view, so letters stay at the image's edges even when
    # mark() later widens the axes for its labels.
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    dx, dy = 0.015 * (x1 - x0), 0.015 * (y1 - y0)
    # side letters high up, where they meet fewer arrows than at mid-height
    ax.text(x0 + dx, y0 + 0.12 * (y1 - y0), left, ha="left", va="center", **style)
    ax.text(x1 - dx, y0 + 0.12 * (y1 - y0), right, ha="right", va="center", **style)
    ax.text((x0 + x1) / 2, y0 + dy, top, ha="center", va="top", **style)
    ax.text((x0 + x1) / 2, y1 - dy, bottom, ha="center", va="bottom", **style)
    return ax


def scale_bar(ax: Axes, pixel_mm: float, *, length_mm: float = 20.0, color: str = "white") -> Axes:
    """A bar of ``length_mm`` in the lower right corner, so sizes can be judged by eye.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> _ = ax.imshow(np.zeros((100, 100)))
    >>> scale_bar(ax, 0.5).texts[0].get_text()
    '20 mm'
    """
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    right = x1 - 0.05 * (x1 - x0)
    left = right - length_mm / pixel_mm
    y = y1 - 0.05 * (y1 - y0)  # image rows grow downwards: y1 is the bottom
    ax.plot([left, right], [y, y], color=color, lw=3, solid_capstyle="butt")
    ax.text((left + right) / 2, y - 0.015 * (y1 - y0), f"{length_mm:g} mm", color=color,
            ha="center", va="bottom", fontsize=9)
    return ax


def zoom_inset(
    ax: Axes,
    image: np.ndarray,
    box: tuple[slice, slice],
    *,
    where: tuple[float, float, float, float] = (0.62, 0.62, 0.37, 0.37),
    color: str = "#ffd000",
) -> Axes:
    """Show ``image[box]`` enlarged in a corner of ``ax``, with the zoomed region outlined.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The main view (the same image shown with ``imshow``).
    image : numpy.ndarray
        The displayed (windowed) image.
    box : (rows, columns) slices
        The region to enlarge.
    where : (x, y, width, height)
        The inset's place in axes fractions.

    Returns
    -------
    matplotlib.axes.Axes
        The inset's axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> img = np.zeros((100, 100))
    >>> _ = ax.imshow(img)
    >>> inset = zoom_inset(ax, img, (slice(10, 30), slice(40, 60)))
    >>> tuple(float(x) for x in inset.get_xlim())
    (39.5, 59.5)
    """
    rows, cols = box
    inset = ax.inset_axes(where)
    inset.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    inset.set_xlim(cols.start - 0.5, cols.stop - 0.5)
    inset.set_ylim(rows.stop - 0.5, rows.start - 0.5)
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(1.5)
    ax.indicate_inset_zoom(inset, edgecolor=color, alpha=0.9)
    return inset


def _image_shape(ax: Axes) -> tuple[int, int]:
    """(rows, columns) of the first image on the axes (100 × 100 if none)."""
    images = ax.get_images()
    if not images:
        return 100, 100
    array = images[0].get_array()
    if array is None:
        return 100, 100
    shape = array.shape
    return int(shape[0]), int(shape[1])
