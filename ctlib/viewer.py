"""A window/level viewer for notebooks: sliders, presets, histogram, HU probe, masks.

:func:`show` returns, by default, the viewer that windows in the browser
(:mod:`ctlib.viewer_browser`); with ``engine="kernel"`` it returns a :class:`Viewer`, an
``ipywidgets.VBox`` that works wherever ipywidgets do, with no extension to build. Everything it draws comes
from pure functions (array in, array or bytes out), tested on their own:

* :func:`render_slice`: the windowed slice, with the mask's outline in red;
* :func:`render_histogram`: the slice's HU histogram (log scale) with the window
  drawn on it as a shaded band and the grey-level mapping as a curve;
* :func:`encode_png`: the bytes the browser displays.

Per slice the histogram counts and the mask outline are computed once; a slider
step only re-windows (a fraction of a millisecond), composes and encodes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal

import ipywidgets as widgets
import numpy as np
import numpy.typing as npt

from ctlib._internals.display import displayed, outline
from ctlib.errors import ArgumentError
from ctlib.viewer_browser import BrowserViewer
from ctlib.viewer_browser import show as show_in_browser
from ctlib.volume import Volume
from ctlib.window import Window, preset, window

__all__ = [
    "HIST_RANGE",
    "Viewer",
    "displayed",
    "encode_png",
    "encode_slice_png",
    "histogram_counts",
    "outline",
    "probe_text",
    "render_histogram",
    "render_slice",
    "show",
]

#: HU range of the histogram panel.
HIST_RANGE = (-1100.0, 1900.0)
_RED = np.array([255, 40, 40], dtype=np.uint8)


def render_slice(
    hu: npt.ArrayLike,
    center: float,
    width: float,
    edge: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.uint8]:
    """Window a slice to grey levels and draw an outline in red.

    Parameters
    ----------
    hu : array_like, shape (rows, columns)
    center, width : float
        The window (LINEAR_EXACT), in HU.
    edge : numpy.ndarray of bool, optional
        Pixels to paint red (see :func:`outline`).

    Returns
    -------
    numpy.ndarray of uint8
        ``(rows, columns)`` grey, or ``(rows, columns, 3)`` RGB when ``edge`` is given.

    Raises
    ------
    WindowError
        As :func:`ctlib.window` (e.g. a width ≤ 0, NaN values).
    ArgumentError
        If ``edge`` does not have the shape of ``hu``.

    Examples
    --------
    >>> import numpy as np
    >>> render_slice(np.array([[0.0, 40.0, 80.0]]), 40, 80)
    array([[  0, 128, 255]], dtype=uint8)
    """
    grey = np.asarray(window(hu, center, width, dtype=np.uint8), dtype=np.uint8)
    if edge is None:
        return grey
    edge = _checked_edge(edge, grey.shape)
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    rgb[edge] = _RED
    return rgb


def _checked_edge(edge: npt.ArrayLike, shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    """``edge`` as a boolean array of ``shape``, or :class:`ArgumentError`."""
    mask = np.asarray(edge)
    if mask.shape != shape:
        raise ArgumentError(
            f"edge has shape {mask.shape}, the image {shape}: pass an outline of the same "
            "slice, e.g. outline(mask) for a mask of the image's shape."
        )
    return mask.astype(bool, copy=False)


def histogram_counts(
    hu: npt.ArrayLike, bins: int = 300, hu_range: tuple[float, float] = HIST_RANGE
) -> npt.NDArray[np.int64]:
    """HU histogram of a slice over ``hu_range`` (values outside are left out).

    Examples
    --------
    >>> import numpy as np
    >>> histogram_counts(np.array([-1000.0, 0.0, 0.0]), bins=3, hu_range=(-1500, 1500)).tolist()
    [1, 2, 0]
    """
    counts, _ = np.histogram(np.asarray(hu).ravel(), bins=bins, range=hu_range)
    return counts


def render_histogram(
    counts: npt.ArrayLike,
    center: float,
    width: float,
    *,
    height: int = 120,
    hu_range: tuple[float, float] = HIST_RANGE,
) -> npt.NDArray[np.uint8]:
    """Draw a histogram (log scale) with the window band and its mapping curve.

    One image column per bin. The band (light blue) covers ``center ± width/2``;
    the curve (orange) is the grey level each HU gets, from the bottom (black)
    to the top (white).

    Parameters
    ----------
    counts : array_like of int
    center, width : float
    height : int, optional
    hu_range : (low, high), optional
        The HU range the bins cover.

    Returns
    -------
    numpy.ndarray of uint8, shape (height, len(counts), 3)

    Examples
    --------
    >>> render_histogram([0, 10, 100], 0, 1000, height=20, hu_range=(-1500, 1500)).shape
    (20, 3, 3)
    """
    c = np.asarray(counts, dtype=np.float64)
    bins = c.size
    img = np.full((height, bins, 3), 255, dtype=np.uint8)
    edges = np.linspace(hu_range[0], hu_range[1], bins + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    w = Window(center, width)
    band = (mids >= w.low) & (mids <= w.high)
    img[:, band] = (215, 232, 250)
    level = np.log1p(c) / max(np.log1p(c).max(), 1e-9)
    bar_top = (height - 1 - np.round(level * (height - 1))).astype(int)
    rows = np.arange(height)[:, None]
    img[(rows >= bar_top[None, :]) & (c[None, :] > 0)] = (80, 80, 80)
    curve = height - 1 - np.round(window(mids, w) * (height - 1)).astype(int)
    img[curve, np.arange(bins)] = (240, 130, 20)
    img[np.clip(curve - 1, 0, height - 1), np.arange(bins)] = (240, 130, 20)
    return img


def encode_png(image: npt.ArrayLike) -> bytes:
    """Encode grey or RGB uint8 pixels as PNG (fast compression: speed matters here).

    Examples
    --------
    >>> import numpy as np
    >>> encode_png(np.zeros((2, 2), np.uint8))[:4]
    b'\\x89PNG'
    """
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


_GREY_PALETTE = np.repeat(np.arange(256, dtype=np.uint8), 3).tobytes()
_OUTLINE_PALETTE = np.repeat(np.arange(255, dtype=np.uint8), 3).tobytes() + bytes(_RED)


def encode_slice_png(
    hu: npt.ArrayLike, center: float, width: float, edge: npt.NDArray[np.bool_] | None = None
) -> bytes:
    """Window a slice and encode it as an indexed (palette) PNG, the viewer's fast path.

    A palette image is one byte per pixel and encodes about 4 times faster than
    RGB. Without an outline the palette is the 256 grey levels, so the pixels
    are exactly ``window(..., dtype=uint8)``. With one, index 255 is red, and the
    top grey level 255 is drawn as 254 (a difference of 1/255, at pure white only).

    Parameters
    ----------
    hu : array_like, shape (rows, columns)
    center, width : float
    edge : numpy.ndarray of bool, optional

    Returns
    -------
    bytes

    Raises
    ------
    WindowError
        As :func:`ctlib.window`.
    ArgumentError
        If ``hu`` is not 2-D, or ``edge`` does not have its shape.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from PIL import Image
    >>> png = encode_slice_png(np.array([[0.0, 40.0, 80.0]]), 40, 80)
    >>> np.asarray(Image.open(io.BytesIO(png)).convert("L")).tolist()
    [[0, 128, 255]]
    """
    from PIL import Image

    index = window(hu, center, width, dtype=np.uint8)
    if index.ndim != 2 or 0 in index.shape:
        raise ArgumentError(
            f"hu has shape {index.shape}: a PNG shows one slice, a 2-D array with at least "
            "one row and one column. Pass volume[k] for slice k of a volume."
        )
    palette = _GREY_PALETTE
    if edge is not None:
        edge = _checked_edge(edge, index.shape)
        np.minimum(index, 254, out=index)
        index[edge] = 255
        palette = _OUTLINE_PALETTE
    image = Image.frombytes("P", (index.shape[1], index.shape[0]), index.tobytes())
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def probe_text(hu: npt.ArrayLike, row: int, column: int) -> str:
    """The HU read-out for one pixel.

    Examples
    --------
    >>> import numpy as np
    >>> probe_text(np.array([[12.4, 40.0]]), 0, 1)
    'HU at row 0, column 1: 40'
    """
    values = np.asarray(hu)
    if not (0 <= row < values.shape[0] and 0 <= column < values.shape[1]):
        return f"row {row}, column {column} is outside the {values.shape[0]}×{values.shape[1]} image"
    return f"HU at row {row}, column {column}: {values[row, column]:.0f}"


class Viewer(widgets.VBox):  # type: ignore[misc]
    """The viewer widget made by :func:`show`; its parts are attributes tests can drive.

    Attributes
    ----------
    center, width, slice : ipywidgets.IntSlider
        ``slice`` is disabled for a single image.
    presets : ipywidgets.ToggleButtons
    title : ipywidgets.HTML
        Preset, C/W and slice: a screenshot explains itself.
    image, histogram : ipywidgets.Image
    row, column : ipywidgets.BoundedIntText
    readout : ipywidgets.HTML
    masks_on : ipywidgets.Checkbox
    """

    def __init__(
        self,
        volume: npt.NDArray[np.floating],
        masks: npt.NDArray[np.integer] | None,
        start: str,
        preset_names: Sequence[str],
    ) -> None:
        self.volume = volume
        self.masks = masks
        self._busy = False
        self._count_cache: dict[int, npt.NDArray[np.int64]] = {}
        self._edge_cache: dict[int, npt.NDArray[np.bool_]] = {}
        n, rows, cols = volume.shape
        first = preset(start)
        self.center = widgets.IntSlider(value=int(first.center), min=-1000, max=3000, step=1,
                                        description="center")
        self.width = widgets.IntSlider(value=int(first.width), min=1, max=4000, step=1,
                                       description="width")
        self.slice = widgets.IntSlider(value=n // 2, min=0, max=n - 1, description="slice",
                                       disabled=n == 1)
        options = [(f"{name} {preset(name).center:g}/{preset(name).width:g}", name)
                   for name in preset_names]
        self.presets = widgets.ToggleButtons(options=options, value=start, description="preset")
        self.title = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="512px"))
        self.histogram = widgets.Image(format="png", layout=widgets.Layout(width="512px",
                                                                           height="120px"))
        self.row = widgets.BoundedIntText(value=rows // 2, min=0, max=rows - 1, description="row",
                                          layout=widgets.Layout(width="160px"))
        self.column = widgets.BoundedIntText(value=cols // 2, min=0, max=cols - 1,
                                             description="column",
                                             layout=widgets.Layout(width="160px"))
        self.readout = widgets.HTML()
        self.masks_on = widgets.Checkbox(value=masks is not None, description="mask outline",
                                         disabled=masks is None)
        controls = widgets.VBox([self.presets, self.center, self.width, self.slice,
                                 widgets.HBox([self.masks_on, self.row, self.column,
                                               self.readout])])
        caption = widgets.HTML(
            f"<small>HU {HIST_RANGE[0]:g} to {HIST_RANGE[1]:g}, pixel counts on a log scale; "
            "blue band: the window; orange curve: the grey level each HU gets</small>"
        )
        super().__init__([controls, self.title, self.image, self.histogram, caption])
        self.presets.observe(self._on_preset, names="value")
        for control in (self.center, self.width, self.slice, self.masks_on):
            control.observe(self._redraw, names="value")
        for control in (self.row, self.column):
            control.observe(self._probe, names="value")
        self._redraw()

    # -- per-slice caches: computed once per slice, not per slider step ---------------------
    def _counts(self, k: int) -> npt.NDArray[np.int64]:
        if k not in self._count_cache:
            self._count_cache[k] = histogram_counts(self.volume[k])
        return self._count_cache[k]

    def _edge(self, k: int) -> npt.NDArray[np.bool_] | None:
        if self.masks is None:
            return None
        if k not in self._edge_cache:
            self._edge_cache[k] = outline(self.masks[k] > 0)
        return self._edge_cache[k]

    # -- callbacks -----------------------------------------------------------------------
    def _on_preset(self, change: dict[str, Any]) -> None:
        if change["new"] is None:
            return
        chosen = preset(change["new"])
        self._busy = True
        try:
            self.center.value, self.width.value = int(chosen.center), int(chosen.width)
        finally:
            self._busy = False
        self._redraw()

    def _redraw(self, change: dict[str, Any] | None = None) -> None:
        if self._busy:
            return
        k, c, w = self.slice.value, self.center.value, self.width.value
        edge = self._edge(k) if self.masks_on.value else None
        self.image.value = encode_slice_png(self.volume[k], c, w, edge)
        self.histogram.value = encode_png(render_histogram(self._counts(k), c, w))
        name = self.presets.value
        if name is not None and (preset(name).center, preset(name).width) != (c, w):
            self._busy = True
            self.presets.value = None  # a hand-set window is no longer the preset
            self._busy = False
            name = None
        label = f"{name} · " if name else ""
        of = f" · slice {k + 1}/{self.volume.shape[0]}" if self.volume.shape[0] > 1 else ""
        self.title.value = f"<b>{label}C {c} / W {w}{of}</b>"
        self._probe()

    def _probe(self, change: dict[str, Any] | None = None) -> None:
        self.readout.value = probe_text(self.volume[self.slice.value], self.row.value,
                                        self.column.value)

    def figure(self) -> Any:
        """The current view as a matplotlib figure (for a static page, or to save)."""
        import matplotlib.pyplot as plt

        k, c, w = self.slice.value, self.center.value, self.width.value
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 7.5), height_ratios=[5, 1.2])
        top.imshow(render_slice(self.volume[k], c, w, self._edge(k) if self.masks_on.value else None),
                   cmap="gray", vmin=0, vmax=255)
        top.set_title(f"C {c} / W {w}, slice {k + 1}/{self.volume.shape[0]}")
        top.set_axis_off()
        bottom.imshow(render_histogram(self._counts(k), c, w), aspect="auto",
                      extent=(*HIST_RANGE, 0, 1))
        bottom.set_yticks([])
        bottom.set_xlabel("HU (histogram, log scale; band = window, curve = grey level)")
        return fig


def show(
    volume_or_slice: Volume | npt.ArrayLike,
    masks: npt.ArrayLike | None = None,
    *,
    window: str = "brain",
    presets: Sequence[str] = ("brain", "subdural", "stroke", "bone"),
    engine: Literal["browser", "kernel"] = "browser",
) -> BrowserViewer | Viewer:
    """Open a viewer on a slice or a volume in HU.

    Two engines draw the same picture. ``"browser"`` (the default,
    :class:`ctlib.viewer_browser.BrowserViewer`, an anywidget) sends each slice once and
    windows in the page: drag, wheel, keys and a click-to-read HU as in a PACS, with no
    round trip per step, in JupyterLab 4, Notebook 7, VS Code and Colab. ``"kernel"``
    (:class:`Viewer`, plain ipywidgets) computes every step in the kernel and sends a PNG: it
    works with any front end that shows ipywidgets, including those that cannot load an
    anywidget module, and its histogram also draws the grey-level curve.

    Parameters
    ----------
    volume_or_slice : Volume or array_like, shape (rows, columns) or (slices, rows, columns)
        A :class:`ctlib.Volume` is shown the radiological way (axial from the
        feet, anterior up, the patient's right on the left), whatever its patient
        position, slices from the feet up; its masks, if given in the volume's
        shape, are turned with it.
    masks : array_like of int, optional
        Same shape; non-zero pixels are outlined (a checkbox turns it off).
    window : str, optional
        The preset shown first.
    presets : sequence of str, optional
        The preset buttons.
    engine : {"browser", "kernel"}, optional
        Where the window is computed (above).

    Returns
    -------
    BrowserViewer or Viewer
        A widget: make it the last expression of a cell to display it.

    Raises
    ------
    ArgumentError
        If the image is not 2-D or 3-D with at least one slice, row and column,
        or ``masks`` does not have its shape.
    WindowError
        If ``window`` or a name in ``presets`` is not a preset, or the image
        holds NaN values.

    Examples
    --------
    >>> import numpy as np
    >>> viewer = show(np.zeros((3, 16, 16)), engine="kernel")
    >>> viewer.center.value = 60
    >>> viewer.title.value
    '<b>C 60 / W 80 · slice 2/3</b>'
    >>> type(show(np.zeros((3, 16, 16)))).__name__
    'BrowserViewer'
    """
    if engine == "browser":
        return show_in_browser(volume_or_slice, masks, window=window, presets=presets)
    if engine != "kernel":
        raise ArgumentError(f"engine must be 'browser' or 'kernel', got {engine!r}.")
    volume, mask_array = displayed(volume_or_slice, masks)
    return Viewer(volume, mask_array, window, presets)
