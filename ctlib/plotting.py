"""Small plotting helpers: slices in a window, HU histograms, window curves.

matplotlib is imported when a helper is called, not when ``ctlib`` is
imported, and no global style is changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ctlib.window import Window, as_window, window

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "hu_histogram",
    "show_slice",
    "window_curves",
]


def show_slice(
    hu: npt.ArrayLike,
    win: Window | str = "brain",
    *,
    ax: Axes | None = None,
    mask: npt.ArrayLike | None = None,
    mask_color: str = "red",
    title: str | None = None,
    **imshow: Any,
) -> Axes:
    """Show a slice in HU through a window, optionally outlining a mask.

    Parameters
    ----------
    hu : array_like, shape (rows, columns)
        The slice in Hounsfield units.
    win : Window or str, optional
        The window, or a preset name (default ``"brain"``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes if not given.
    mask : array_like of bool, optional
        Outlined with a thin contour.
    mask_color : str, optional
    title : str, optional
        Default: the window's label, e.g. ``"brain (C 40 / W 80)"``.
    **imshow
        Passed to :meth:`matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> ax = show_slice(np.zeros((8, 8)), "subdural")
    >>> ax.get_title()
    'subdural (C 80 / W 200)'
    """
    import matplotlib.pyplot as plt

    spec = as_window(win, None)
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(window(hu, spec), cmap="gray", vmin=0.0, vmax=1.0, **imshow)
    if mask is not None and np.any(mask):
        ax.contour(np.asarray(mask, dtype=float), levels=[0.5], colors=mask_color, linewidths=0.8)
    ax.set_title(str(spec) if title is None else title)
    ax.set_axis_off()
    return ax


def hu_histogram(
    hu: npt.ArrayLike,
    *,
    ax: Axes | None = None,
    range_hu: tuple[float, float] = (-1100, 1600),
    marks: dict[str, float] | None = None,
) -> Axes:
    """Histogram of HU values on a log scale, with reference values marked.

    Parameters
    ----------
    hu : array_like
    ax : matplotlib.axes.Axes, optional
    range_hu : (low, high), optional
    marks : dict, optional
        Name → HU to mark with a dashed line (default: air, water, brain, blood, bone).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> ax = hu_histogram(np.array([-1000.0, 0.0, 40.0]))
    >>> ax.get_xlabel()
    'HU'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    values = np.asarray(hu).ravel()
    bins = np.arange(range_hu[0], range_hu[1] + 10, 10).tolist()
    ax.hist(values, bins=bins, color="0.3", log=True)
    defaults = {"air": -1000.0, "water": 0.0, "brain": 35.0, "acute blood": 70.0, "bone": 1400.0}
    top = ax.get_ylim()[1]
    for i, (name, value) in enumerate((defaults if marks is None else marks).items()):
        ax.axvline(value, color="tab:red", lw=0.8, ls="--")
        # staggered heights, so that close values (water, brain, blood) stay readable
        ax.text(value, top / 6 ** (i % 3), f" {name}", va="top", ha="left", fontsize=8,
                color="tab:red")
    ax.set_xlabel("HU")
    ax.set_ylabel("pixels (log)")
    return ax


def window_curves(
    win: Window | str = "brain", *, ax: Axes | None = None, span: float = 0.5
) -> Axes:
    """The four windowing functions of one window, drawn as grey level against HU.

    Parameters
    ----------
    win : Window or str, optional
    ax : matplotlib.axes.Axes, optional
    span : float, optional
        How far beyond the window to draw, as a fraction of its width.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(window_curves("brain").get_lines())
    4
    """
    import matplotlib.pyplot as plt

    spec = as_window(win, None)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    x = np.linspace(spec.low - span * spec.width, spec.high + span * spec.width, 2001)
    lo, hi = spec.center - spec.width // 2, spec.center + spec.width // 2
    ax.plot(x, (np.clip(x, lo, hi) - lo) / (hi - lo), label="Kaggle clip", lw=3, alpha=0.4)
    for function, style in (("linear", "-"), ("linear_exact", "--"), ("sigmoid", ":")):
        ax.plot(x, window(x, spec, function=function, dtype=np.float64), style,
                label=f"DICOM {function.upper()}")
    ax.set_xlabel("HU")
    ax.set_ylabel("grey level (0 = black, 1 = white)")
    ax.set_title(f"{spec}: four ways to map HU to grey")
    ax.legend(loc="upper left", fontsize=8)
    return ax


