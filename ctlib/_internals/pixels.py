"""Decoding a slice's pixel data with pydicom, and the checks before it.

:func:`ctlib.stored_values` (and so :func:`ctlib.to_hu`) calls :func:`decoded_pixels`: the
Image Pixel module is checked first, so that pydicom never decodes (or allocates memory for)
an image that would be refused anyway, and every failure names the element and what to do.
"""

from __future__ import annotations

import re

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import get_decoder  # type: ignore[attr-defined]  # public, not in __all__
from pydicom.pixels.utils import pixel_array
from pydicom.uid import UID

from ctlib.errors import DicomError, HeaderError, brief, element_name, source_name
from ctlib.header import first_value, header_value

__all__ = ["WRITTEN_WRONGLY", "decoded_pixels", "integer_value"]

#: What a damaged header element calls for.
WRITTEN_WRONGLY = (
    "The file was written wrongly: get it again from its source, and look at its header "
    "with ctlib.read(path, header_only=True)."
)
#: pip's names of the packages pydicom's decoder plugins require, where they differ.
_PIP_NAMES = {"gdcm": "python-gdcm"}


def decoded_pixels(ds: Dataset) -> np.ndarray:
    """The stored values of a single-frame greyscale image, decoded by pydicom.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        Read with its pixel data; not modified.

    Returns
    -------
    numpy.ndarray of integers, shape (Rows, Columns)
        As :func:`pydicom.pixels.pixel_array` returns it.

    Raises
    ------
    HeaderError
        No pixel data, an Image Pixel module (PS3.3 C.7.6.3) that is incomplete or
        impossible, several frames, or data that do not decode to one slice.
    DicomError
        A transfer syntax pydicom cannot decode here, or damaged data.
    """
    source = source_name(ds)
    if "PixelData" not in ds:
        raise HeaderError(
            f"{source}: {element_name('PixelData')} is missing. If the file was read with "
            "header_only=True, read it again without it."
        )
    _check_pixel_module(ds, source)
    syntax = _transfer_syntax(ds, source)
    try:
        arr = pixel_array(ds)
    except Exception as exc:  # pydicom raises many types; all mean "cannot decode"
        kind = "compressed data are damaged" if syntax.is_compressed else (
            "pixel data do not match the header")
        raise DicomError(
            f"{source}: cannot decode {element_name('PixelData')} with transfer syntax "
            f"{_syntax_name(syntax)} ({brief(exc)}). The {kind}: get the file again from "
            "its source."
        ) from exc
    if arr.ndim != 2:
        raise HeaderError(
            f"{source}: {element_name('PixelData')} decodes to shape {arr.shape}, not to "
            f"one 2-D slice: {element_name('Rows')} × {element_name('Columns')} do not "
            f"describe the data. {WRITTEN_WRONGLY}"
        )
    return arr


def integer_value(ds: Dataset, keyword: str) -> int | None:
    """A header element's (first) value as ``int``; ``None`` if absent; else HeaderError."""
    value = header_value(ds, keyword)
    if value is None or value == "":
        return None
    try:
        number = first_value(value)
        if not number.is_integer():
            raise ValueError
    except (HeaderError, ValueError, OverflowError):
        raise HeaderError(
            f"{source_name(ds)}: {element_name(keyword)} is {value!r}, not a whole number. "
            f"{WRITTEN_WRONGLY}"
        ) from None
    return int(number)


def _check_pixel_module(ds: Dataset, source: str) -> None:
    """Raise HeaderError unless the Image Pixel module describes one greyscale frame.

    PS3.3 C.7.6.3: Rows, Columns, Bits Allocated, Bits Stored, Pixel
    Representation and Samples per Pixel are required (Type 1); Bits Stored
    cannot exceed Bits Allocated; a CT slice has one sample per pixel and one
    frame. Checked before decoding, so that pydicom never decodes (or
    allocates memory for) an image that would be refused anyway.
    """
    values: dict[str, int] = {}
    for keyword in ("Rows", "Columns", "BitsAllocated", "BitsStored", "PixelRepresentation",
                    "SamplesPerPixel"):
        number = integer_value(ds, keyword)
        if number is None:
            raise HeaderError(
                f"{source}: {element_name(keyword)} is missing, but the Image Pixel module "
                "(PS3.3 C.7.6.3) needs it to decode the pixel data. " + WRITTEN_WRONGLY
            )
        values[keyword] = number
    problem = None
    if values["Rows"] < 1 or values["Columns"] < 1:
        keyword = "Rows" if values["Rows"] < 1 else "Columns"
        problem = (keyword, "an image has at least one row and one column")
    elif values["BitsAllocated"] not in (8, 16, 32):
        problem = ("BitsAllocated", "a CT image has 16 (sometimes 8 or 32) bits per value")
    elif not 1 <= values["BitsStored"] <= values["BitsAllocated"]:
        problem = ("BitsStored", (f"it must be between 1 and {element_name('BitsAllocated')} "
                                  f"({values['BitsAllocated']}): a value cannot use more bits "
                                  "than it is given (PS3.5 section 8.1.1)"))
    elif values["PixelRepresentation"] not in (0, 1):
        problem = ("PixelRepresentation", "it must be 0 (unsigned) or 1 (signed)")
    elif values["SamplesPerPixel"] != 1:
        problem = ("SamplesPerPixel", ("a CT image has one grey value per pixel; this is a "
                                       "colour image, such as a screenshot or a secondary "
                                       "capture"))
    if problem is not None:
        keyword, why = problem
        raise HeaderError(
            f"{source}: {element_name(keyword)} is {values[keyword]}, but {why}. "
            + WRITTEN_WRONGLY
        )
    frames = integer_value(ds, "NumberOfFrames")
    if frames is not None and frames > 1:
        raise HeaderError(
            f"{source}: {element_name('NumberOfFrames')} is {frames}: the file holds "
            "several images (a multi-frame object, such as an Enhanced CT), but ctlib "
            "converts single-frame slices, one per file. Decode one frame with "
            "frame = pydicom.pixels.pixel_array(ds, index=k) and convert it with "
            "ctlib.hu.stored_to_hu(ds, frame), or split the file into single-frame files."
        )


def _transfer_syntax(ds: Dataset, source: str) -> UID:
    """The data set's transfer syntax, or an error if pydicom cannot decode it here."""
    file_meta = getattr(ds, "file_meta", None)
    value = file_meta.get("TransferSyntaxUID") if file_meta is not None else None
    if not value:
        raise HeaderError(
            f"{source}: {element_name('TransferSyntaxUID')} is missing from ds.file_meta, "
            "so the encoding of the pixel data is unknown. Read files with ctlib.read; for "
            "a data set built in memory, set ds.file_meta.TransferSyntaxUID."
        )
    syntax = UID(value)
    if not syntax.is_transfer_syntax:
        raise DicomError(
            f"{source}: {element_name('TransferSyntaxUID')} is {str(syntax)!r}, not a "
            "transfer syntax of the DICOM standard (PS3.5 Annex A) that pydicom knows, so "
            "the pixel data cannot be decoded. Convert the file to Explicit VR Little "
            "Endian with the software that wrote it."
        )
    if not syntax.is_compressed:
        return syntax
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        raise DicomError(
            f"{source}: {element_name('PixelData')} is compressed with "
            f"{_syntax_name(syntax)}, which pydicom cannot decode. Convert the file to an "
            "uncompressed transfer syntax, e.g. with dcmtk (dcmdjpeg, dcmdrle) or "
            "gdcmconv --raw."
        ) from None
    if not decoder.is_available:
        raise DicomError(
            f"{source}: {element_name('PixelData')} is compressed with "
            f"{_syntax_name(syntax)}, and no decoder for it is installed. Install one of: "
            f"{_install_hints(decoder.missing_dependencies)}; then restart the kernel "
            "(or Python) and read the file again."
        )
    return syntax


def _syntax_name(syntax: UID) -> str:
    """``"JPEG 2000 Image Compression (1.2.840.10008.1.2.4.91)"``; the UID alone if unnamed."""
    return f"{syntax.name} ({syntax})" if syntax.name != str(syntax) else str(syntax)


def _install_hints(missing: list[str]) -> str:
    """pip commands from pydicom's ``missing_dependencies`` (``"gdcm - requires gdcm>=3"``).

    Examples
    --------
    >>> print(_install_hints(["gdcm - requires gdcm>=3.0.10",
    ...                       "pylibjpeg - requires pylibjpeg>=2.0 and pylibjpeg-libjpeg>=2.1"]))
    'pip install python-gdcm' (plugin gdcm), 'pip install pylibjpeg pylibjpeg-libjpeg' ...
    """
    hints = []
    for entry in missing:
        plugin, _, needs = entry.partition(" - requires ")
        names = [re.split(r"[<>=!~ ]", need.strip(), maxsplit=1)[0]
                 for need in needs.split(" and ")]
        packages = [_PIP_NAMES.get(name, name) for name in names if name and name != "numpy"]
        if packages:
            hints.append(f"'pip install {' '.join(packages)}' (plugin {plugin.strip()})")
        else:
            hints.append(entry)
    return ", ".join(hints) or "a decoder plugin of pydicom (see pydicom's documentation)"
