"""Reading window values from a DICOM header, as they really occur.

In the RSNA 2019 data about half the images carry *two* values in (0028,1050)
Window Center and (0028,1051) Window Width (``[36, 36]``, a few even unequal),
and the values are Decimal Strings (VR DS) such as ``"40.0"``. Code that does
``float(ds.WindowCenter)`` breaks on those files; these helpers do not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydicom.dataset import Dataset

from ctlib.errors import HeaderError, WindowError, brief, element_name, source_name
from ctlib.window import Window

__all__ = ["first_value", "header_value", "header_window"]


#: What to do when the header's window cannot be used.
_CHOOSE = "Choose a window yourself, e.g. ctlib.PRESETS['brain']."


def first_value(value: Any) -> float:
    """Return the first number of a possibly multi-valued DICOM element value.

    Parameters
    ----------
    value : number, str, or sequence of them
        An element value as pydicom returns it: a number, a Decimal String
        (``DSfloat``, ``"40.0"``), or a ``MultiValue`` / list of those.

    Returns
    -------
    float

    Raises
    ------
    HeaderError
        If the value is empty or the first item is not a number.

    Examples
    --------
    >>> from pydicom.multival import MultiValue
    >>> from pydicom.valuerep import DSfloat
    >>> first_value(MultiValue(DSfloat, ["36", "36"]))
    36.0
    >>> first_value("40.0")
    40.0
    >>> first_value(80)
    80.0

    """
    return _number_at(value, 0)


def header_value(ds: Dataset, keyword: str) -> Any:
    """Return ``ds.get(keyword)``, or a :class:`HeaderError` if pydicom cannot convert the value.

    pydicom converts an element's bytes on first access. A damaged value (a
    binary number of the wrong length, text in a number, an invalid
    character) then raises whatever the conversion raises; this function
    turns every such failure into one :class:`HeaderError` that names the
    file and the element.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    keyword : str
        A keyword of the DICOM data dictionary, such as ``"Rows"``.

    Returns
    -------
    object
        The value as pydicom gives it, or ``None`` if the element is absent.

    Raises
    ------
    HeaderError
        If the value cannot be converted.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> from pydicom.dataelem import RawDataElement
    >>> from pydicom.tag import Tag
    >>> ds = Dataset()
    >>> ds[0x00280010] = RawDataElement(Tag(0x00280010), "US", 3, b"abc", 0, False, True)
    >>> header_value(ds, "Columns") is None
    True
    >>> header_value(ds, "Rows")
    Traceback (most recent call last):
    ...
    ctlib.errors.HeaderError: <dataset in memory>: (0028,0010) Rows cannot be read ...
    """
    try:
        return ds.get(keyword)
    except Exception as exc:  # noqa: BLE001 - pydicom: ValueError, BytesLengthException, ...
        raise HeaderError(
            f"{source_name(ds)}: {element_name(keyword)} cannot be read "
            f"({brief(exc)}): its value is damaged. "
            "Look at the file's header (ctlib.read(path, header_only=True)), and get the "
            "file again from its source."
        ) from None


def header_window(ds: Dataset, index: int = 0) -> Window:
    """Return the window stored in a data set's VOI LUT module.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A data set with (0028,1050) Window Center and (0028,1051) Window Width
        (PS3.3 C.11.2, VR DS, VM 1-n).
    index : int, optional
        Which of several stored windows to return (default the first). When one
        element holds a single value and the other several, the single value
        is used for every index.

    Returns
    -------
    Window
        Named after (0028,1055) Window Center & Width Explanation when the
        header has it, else ``"header"``; its ``source`` names the file.

    Raises
    ------
    HeaderError
        If either element is missing, cannot be read, is not a finite number,
        has no value at ``index``, or the width is not positive. The message
        names the element at fault.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.WindowCenter, ds.WindowWidth = ["36", "36"], ["80", "80"]
    >>> print(header_window(ds))
    header (C 36 / W 80)

    """
    source = source_name(ds)
    values = []
    for keyword in ("WindowCenter", "WindowWidth"):
        where = f"{source}: {element_name(keyword)}"
        try:
            raw = ds.get(keyword)
        except Exception as exc:  # noqa: BLE001 - pydicom converts DS on access
            raise HeaderError(
                f"{where} cannot be read as a number ({brief(exc)}). {_CHOOSE}"
            ) from None
        if raw is None or raw == "":
            raise HeaderError(
                f"{where} is missing, so the file suggests no window. Choose one "
                "yourself, e.g. ctlib.PRESETS['brain']."
            )
        single = not _is_multi(raw)
        try:
            number = _number_at(raw, 0 if single else index)
        except HeaderError as exc:
            raise HeaderError(f"{where}: {exc} {_CHOOSE}") from None
        if not math.isfinite(number):
            raise HeaderError(f"{where} is {number!r}, not a finite number. {_CHOOSE}")
        values.append(number)
    explanation = _explanation(ds, index)
    try:
        return Window(values[0], values[1], name=explanation or "header", source=source)
    except WindowError as exc:  # only the width can be wrong now: the center is finite
        raise HeaderError(
            f"{source}: {element_name('WindowWidth')}: {exc}"
        ) from None


def _is_multi(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _number_at(value: Any, index: int) -> float:
    """Return item ``index`` of ``value`` (a scalar counts as one item) as float."""
    items = list(value) if _is_multi(value) else [value]
    if index >= len(items) or index < -len(items):
        raise HeaderError(
            f"has {len(items)} value(s), so there is no value number {index}. "
            f"Use an index below {len(items)}."
        )
    item = items[index]
    try:
        number = float(item)
    except (TypeError, ValueError, OverflowError):
        raise HeaderError(f"the value {item!r} is not a number.") from None
    return number


def _explanation(ds: Dataset, index: int) -> str | None:
    """The (0028,1055) Window Center & Width Explanation for ``index``, if any."""
    try:
        raw = ds.get("WindowCenterWidthExplanation")
    except Exception:  # noqa: BLE001 - an unreadable name: the window is still "header"
        return None
    if raw is None:
        return None
    items = list(raw) if _is_multi(raw) else [raw]
    text = str(items[index]).strip() if index < len(items) else ""
    return text or None
