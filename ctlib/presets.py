"""Window presets for head CT, each with where its values come from.

Sources disagree, most of all on "bone" and "subdural": :data:`PRESETS` holds
one value per name (the one most used in hemorrhage-detection work) and
:data:`ALTERNATIVE_PRESETS` the other values in circulation, so the course can
compare them side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ctlib.errors import WindowError
from ctlib.window import Window

__all__ = ["ALTERNATIVE_PRESETS", "PRESETS", "preset"]

_APPIAN = (
    "Appian's RSNA 2019 Kaggle kernel (brain 40/80, subdural 80/200, soft tissue 40/380), "
    "the widely copied recipe used by the 2nd-place solution"
)

#: The course's presets, by name (read-only).
PRESETS: Mapping[str, Window] = MappingProxyType(
    {
        "brain": Window(
            40, 80, "brain",
            "near-universal: OHIF Viewer, fastai dicom_windows.brain, " + _APPIAN,
        ),
        "subdural": Window(80, 200, "subdural", _APPIAN),
        "bone": Window(
            600, 2800, "bone",
            "fastai dicom_windows.brain_bone (a temporal-bone window); in it brain (0.30) and "
            "acute blood (0.31) are indistinguishable: a poor blood channel",
        ),
        "stroke": Window(
            40, 40, "stroke",
            "common narrow window for grey/white-matter differentiation in early ischaemia",
        ),
        "soft_tissue": Window(
            40, 380, "soft_tissue",
            "soft-tissue window, the third channel of " + _APPIAN
            + " (fastai dicom_windows.brain_soft: 40/375)",
        ),
    }
)

#: Other values published under the same names, for comparison.
ALTERNATIVE_PRESETS: tuple[Window, ...] = (
    Window(50, 100, "brain", "3D Slicer CT-Brain preset"),
    Window(100, 254, "subdural", "fastai dicom_windows.subdural"),
    Window(400, 1000, "bone", "3D Slicer CT-Bone preset"),
    Window(480, 2500, "bone", "OHIF Viewer CT bone preset"),
    Window(500, 2000, "bone", "common textbook bone window"),
    Window(32, 8, "stroke", "fastai dicom_windows.stroke"),
    Window(40, 400, "soft_tissue", "common textbook soft-tissue window"),
)


def preset(name: str) -> Window:
    """Return the preset called ``name`` (case and spaces ignored).

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`, e.g. ``"brain"`` or ``"Soft tissue"``.

    Returns
    -------
    Window

    Raises
    ------
    WindowError
        If there is no such preset; the message lists the names there are.

    Examples
    --------
    >>> print(preset("Subdural"))
    subdural (C 80 / W 200)
    >>> preset("lung")
    Traceback (most recent call last):
    ...
    ctlib.errors.WindowError: no window preset called 'lung'. Known presets: brain, ...

    """
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return PRESETS[key]
    except KeyError:
        raise WindowError(
            f"no window preset called {name!r}. Known presets: {', '.join(PRESETS)}; "
            "or pass a center and a width."
        ) from None
