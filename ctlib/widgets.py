"""Interactive window/level and slice browsing in a notebook (ipywidgets).

The logic is in pure functions (:func:`render_png`, :func:`window_label`);
the widgets only wire sliders to them, and are *returned*, never only
displayed, so tests can drive them. Widgets need a running kernel: every
notebook that shows one also shows a static figure of the same thing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ctlib.presets import preset
from ctlib.window import Window, window

__all__ = ["SliceViewer", "WindowViewer", "render_png", "window_label"]


def render_png(hu: npt.ArrayLike, center: float, width: float) -> bytes:
    """Window an image and encode it as PNG bytes (what the viewer displays).

    Parameters
    ----------
    hu : array_like, shape (rows, columns)
    center, width : float
        The window, in HU (LINEAR_EXACT).

    Returns
    -------
    bytes
        An 8-bit greyscale PNG.

    Examples
    --------
    >>> import numpy as np
    >>> render_png(np.zeros((4, 4)), 40, 80)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(window(hu, center, width, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def window_label(center: float, width: float) -> str:
    """The text shown above the image, e.g. ``"C 40 / W 80 (HU 0 to 80)"``.

    Examples
    --------
    >>> window_label(80, 200)
    'C 80 / W 200 (HU -20 to 180)'
    """
    w = Window(center, width)
    return f"{w} (HU {w.low:g} to {w.high:g})"


class WindowViewer:
    """Center and width sliders with preset buttons, over one slice.

    Parameters
    ----------
    hu : array_like, shape (rows, columns)
        The slice in HU.
    presets : sequence of str, optional
        Preset names offered as buttons.
    start : str, optional
        The preset shown first.

    Attributes
    ----------
    widget : ipywidgets.VBox
        What to display (the last expression of a cell, or ``display(viewer.widget)``).
    center, width : ipywidgets.IntSlider
    buttons : ipywidgets.ToggleButtons
    image : ipywidgets.Image
    label : ipywidgets.HTML
    """

    def __init__(
        self,
        hu: npt.ArrayLike,
        presets: Sequence[str] = ("brain", "subdural", "stroke", "bone"),
        start: str = "brain",
    ) -> None:
        import ipywidgets as w

        self.hu = np.asarray(hu)
        self._applying = False
        first = preset(start)
        self.center = w.IntSlider(value=int(first.center), min=-1000, max=3000, step=1,
                                  description="center", continuous_update=True)
        self.width = w.IntSlider(value=int(first.width), min=1, max=4000, step=1,
                                 description="width", continuous_update=True)
        options = [(f"{name} {int(preset(name).center)}/{int(preset(name).width)}", name)
                   for name in presets]
        self.buttons = w.ToggleButtons(options=options, value=start, description="preset")
        self.label = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(width="512px"))
        self.widget = w.VBox([self.buttons, self.center, self.width, self.label, self.image])
        self.buttons.observe(self._on_preset, names="value")
        self.center.observe(self._redraw, names="value")
        self.width.observe(self._redraw, names="value")
        self._redraw()

    def _on_preset(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        chosen = preset(change["new"])
        self._applying = True  # one redraw for both sliders, not two half-updated ones
        try:
            self.center.value = int(chosen.center)
            self.width.value = int(chosen.width)
        finally:
            self._applying = False
        self._redraw()

    def _redraw(self, change: dict[str, Any] | None = None) -> None:
        if self._applying:
            return
        c, wd = self.center.value, self.width.value
        self.image.value = render_png(self.hu, c, wd)
        self.label.value = f"<b>{window_label(c, wd)}</b>"
        if self.buttons.value is not None:
            chosen = preset(self.buttons.value)
            if (chosen.center, chosen.width) != (c, wd):
                self.buttons.value = None  # a hand-set window is no longer the preset

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


class SliceViewer:
    """A slice slider over a volume, shown through a window.

    Parameters
    ----------
    volume : array_like, shape (slices, rows, columns)
        In HU, first slice at the bottom.
    win : Window or str, optional
        The window (default brain).

    Attributes
    ----------
    widget : ipywidgets.VBox
    slider : ipywidgets.IntSlider
    image : ipywidgets.Image
    """

    def __init__(self, volume: npt.ArrayLike, win: Window | str = "brain") -> None:
        import ipywidgets as w

        self.volume = np.asarray(volume)
        self.win = preset(win) if isinstance(win, str) else win
        n = self.volume.shape[0]
        self.slider = w.IntSlider(value=n // 2, min=0, max=n - 1, description="slice")
        self.image = w.Image(format="png", layout=w.Layout(width="512px"))
        self.widget = w.VBox([self.slider, self.image])
        self.slider.observe(self._redraw, names="value")
        self._redraw()

    def _redraw(self, change: dict[str, Any] | None = None) -> None:
        self.image.value = render_png(
            self.volume[self.slider.value], self.win.center, self.win.width
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
