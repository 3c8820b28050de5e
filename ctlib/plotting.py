"""Small plotting helpers: one CT slice in a window, with a mask outline.

matplotlib is imported when a helper is called, not when ``ctlib`` is
imported, and no global style is changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ctlib.window import Window, _as_window, window

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["show_slice"]


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

    spec = _as_window(win, None)
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(window(hu, spec), cmap="gray", vmin=0.0, vmax=1.0, **imshow)
    if mask is not None and np.any(mask):
        ax.contour(np.asarray(mask, dtype=float), levels=[0.5], colors=mask_color, linewidths=0.8)
    ax.set_title(str(spec) if title is None else title)
    ax.set_axis_off()
    return ax
