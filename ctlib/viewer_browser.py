"""A viewer that windows in the browser: PACS-style window/level without a kernel round trip.

:class:`BrowserViewer` is an `anywidget <https://anywidget.dev>`_ widget (JupyterLab,
Notebook 7, VS Code, Colab). The kernel sends each slice once, as int16 HU
(``rows × columns × 2`` bytes), with its mask's outline; windowing, the grey-level mapping and the
outline are computed in the page by ``ctlib/static/window_viewer.js``, with ctlib.window's formula
(DICOM LINEAR_EXACT, PS3.3 C.11.2.1.3.2). A window step sends nothing from the kernel.

In the page: drag to change the window (right: wider; down: higher center), the wheel or the
arrow keys to move through the slices, a click for the HU under the pointer, the number keys for
the presets, ``r`` to reset. Where no front-end runs the page's JavaScript (a static page,
nbviewer, GitHub), show a static figure beside it, as every notebook of the course does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import numpy.typing as npt
import traitlets

from ctlib._internals.display import displayed, outline
from ctlib._internals.voi import checked_input
from ctlib.volume import Volume
from ctlib.window import preset

__all__ = ["ESM", "BrowserViewer", "as_int16", "show"]

#: The page's half of the widget: one small ES module, no build step.
ESM = Path(__file__).with_name("static") / "window_viewer.js"


def as_int16(hu: npt.ArrayLike) -> npt.NDArray[np.int16]:
    """HU rounded to whole numbers and clipped to int16, as the page receives them.

    CT values are whole numbers of HU (the rescale of integer stored values with the usual slope
    1), so nothing is lost; values beyond ±32767 (none on a head CT) are clipped.

    Examples
    --------
    >>> as_int16([-1024.4, 40.6, 1e6]).tolist()
    [-1024, 41, 32767]
    """
    values = np.rint(np.asarray(hu, dtype=np.float64))
    return np.clip(values, -32768, 32767).astype("<i2")


class BrowserViewer(anywidget.AnyWidget):
    """Window/level in the page; the kernel sends a slice only when the slice changes.

    Attributes
    ----------
    center, width : float
        The window, kept in step with the page (a drag there changes them here).
    slice_index : int
        The slice shown; changing it (here or by the wheel in the page) sends that slice.
    values : bytes
        The shown slice as little-endian int16 HU.
    outline : bytes
        One byte per pixel, 1 on the mask's outline (empty without masks).
    """

    _esm = ESM
    values = traitlets.Bytes(b"").tag(sync=True)
    outline = traitlets.Bytes(b"").tag(sync=True)
    rows = traitlets.Int(0).tag(sync=True)
    columns = traitlets.Int(0).tag(sync=True)
    slices = traitlets.Int(1).tag(sync=True)
    slice_index = traitlets.Int(0).tag(sync=True)
    center = traitlets.Float(40.0).tag(sync=True)
    width = traitlets.Float(80.0).tag(sync=True)
    presets = traitlets.List(traitlets.Dict()).tag(sync=True)
    show_outline = traitlets.Bool(True).tag(sync=True)
    display_width = traitlets.Int(512).tag(sync=True)

    def __init__(self, volume: npt.NDArray[np.int16], masks: npt.NDArray[Any] | None,
                 start: str, preset_names: Sequence[str], **kwargs: Any) -> None:
        self.volume = volume
        self.masks = masks
        self._outlines: dict[int, bytes] = {}
        first = preset(start)
        windows = [preset(name) for name in preset_names]
        super().__init__(
            rows=volume.shape[1], columns=volume.shape[2], slices=volume.shape[0],
            slice_index=volume.shape[0] // 2, center=float(first.center),
            width=float(first.width),
            presets=[{"name": w.name, "center": float(w.center), "width": float(w.width)}
                     for w in windows],
            **kwargs,
        )
        self._send_slice()

    @traitlets.observe("slice_index")
    def _on_slice(self, change: dict[str, Any]) -> None:
        self._send_slice()

    def _send_slice(self) -> None:
        k = int(np.clip(self.slice_index, 0, self.slices - 1))
        if self.masks is not None and k not in self._outlines:
            self._outlines[k] = outline(self.masks[k]).astype(np.uint8).tobytes()
        self.outline = self._outlines.get(k, b"")
        self.values = self.volume[k].tobytes()


def show(
    volume_or_slice: Volume | npt.ArrayLike,
    masks: npt.ArrayLike | None = None,
    *,
    window: str = "brain",
    presets: Sequence[str] = ("brain", "subdural", "stroke", "bone"),
) -> BrowserViewer:
    """Open a viewer that windows in the browser on a slice or a volume in HU.

    Parameters
    ----------
    volume_or_slice : Volume or array_like, shape (rows, columns) or (slices, rows, columns)
        A :class:`ctlib.Volume` is shown the radiological way, as :func:`ctlib.viewer.show`.
    masks : array_like of int, optional
        Same shape; non-zero pixels are outlined in red.
    window : str
        The preset shown first.
    presets : sequence of str
        The preset buttons (number keys 1, 2, … in the page).

    Returns
    -------
    BrowserViewer
        Make it the last expression of a cell to display it.

    Raises
    ------
    ArgumentError
        If the image is not 2-D or 3-D, or ``masks`` does not have its shape.
    WindowError
        If the image holds NaN values, or ``window`` or a name in ``presets`` is no preset.

    Examples
    --------
    >>> import numpy as np
    >>> viewer = show(np.full((3, 16, 16), 40.0))
    >>> viewer.slice_index, len(viewer.values), [p["name"] for p in viewer.presets][:2]
    (1, 512, ['brain', 'subdural'])
    """
    volume, mask_array = displayed(volume_or_slice, masks)
    checked_input(volume, np.float32)  # NaN has no grey level: say so here, not in the page
    return BrowserViewer(as_int16(volume), mask_array, window, presets)
