"""Reading DICOM files safely: :func:`read`.

pydicom is forgiving by design: a truncated file often comes back as a data
set that simply lacks the elements after the cut, without any warning. For a
course that is the worst outcome, so :func:`read` checks what pydicom cannot
know it should check, and turns every failure into a :class:`~ctlib.DicomError`
that names the file and the cause.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.tag import BaseTag
from pydicom.uid import DeflatedExplicitVRLittleEndian

from ctlib._internals.elements import (
    PIXEL_DATA_TAGS,
    UNDEFINED_LENGTH,
    bare_data_set,
    expected_pixel_bytes,
    holds_expected,
    open_file,
)
from ctlib.errors import DicomError, brief, element_name, tag_name
from ctlib.objects import holds_no_image

__all__ = [
    "HOW_TO_CHECK",
    "allow_rsna_uids",
    "check_complete",
    "not_dicom_message",
    "pixel_length_problem",
    "read",
]

#: What to do about a damaged or truncated file, at the end of those messages.
HOW_TO_CHECK = (
    "Download or copy the file again; if it came from a zip archive, check the archive."
)
def read(path: str | os.PathLike[str], *, header_only: bool = False) -> Dataset:
    """Read a DICOM Part-10 file into a :class:`pydicom.dataset.Dataset`.

    The file is opened read-only and never written to.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    header_only : bool, optional
        If ``True``, stop before (7FE0,0010) Pixel Data (pydicom's
        ``stop_before_pixels``): much faster when only metadata is needed.

    Returns
    -------
    pydicom.dataset.Dataset
        The data set, with its file meta information in ``ds.file_meta``.

    Raises
    ------
    DicomError
        If the file is missing, is a folder, cannot be opened, is not a DICOM
        Part-10 file (no ``DICM`` marker after the 128-byte preamble, PS3.10
        section 7.1; a bare data set without that header is named as such),
        cannot be parsed, lacks its (0002,0010) Transfer Syntax UID, or is
        truncated (it ends before its pixel data, or its pixel data is shorter
        than Rows × Columns × Samples × Frames × BitsAllocated / 8), or if its
        pixel data is longer than that (the header does not describe them, so
        the image would come out garbled).

    Notes
    -----
    The length of Pixel Data is checked for native (uncompressed) transfer
    syntaxes against what the Image Pixel module (PS3.3 C.7.6.3) implies; one
    byte more is the padding to an even length (PS3.5 section 7.1.1). For
    compressed transfer syntaxes the length is not known in advance; a damaged
    stream is reported when it is decoded (:func:`ctlib.to_hu`). For the
    Deflated transfer syntax a ``header_only`` read cannot tell whether pixel
    data follow (that takes inflating the whole file); a full read does.

    A damaged file may declare an element longer than the file (up to 4 GB);
    such a length is never allocated (see :func:`ctlib._internals.elements.open_file`).

    See Also
    --------
    pydicom.filereader.dcmread : the reader used underneath.

    Examples
    --------
    >>> import ctlib
    >>> ctlib.read("no/such/file.dcm")
    Traceback (most recent call last):
    ...
    ctlib.errors.DicomError: no/such/file.dcm: no such file. Check the path ...

    """
    name = str(path)
    file = Path(path)
    if file.is_dir():
        raise DicomError(
            f"{name}: is a folder, not a file. Pass the path of one .dcm file inside it."
        )
    try:
        with open_file(file) as stream:
            ds = pydicom.dcmread(stream, stop_before_pixels=header_only)
            next_tag = stream.read(4)  # header_only: pydicom stopped before Pixel Data's tag
    except FileNotFoundError:
        raise DicomError(
            f"{name}: no such file. Check the path (it is relative to the current "
            "folder unless it starts with '/')."
        ) from None
    except PermissionError:
        raise DicomError(
            f"{name}: permission denied. Make the file readable (chmod u+r) or copy it."
        ) from None
    except InvalidDicomError:
        raise DicomError(not_dicom_message(name, file)) from None
    except Exception as exc:
        # pydicom raises many types on damaged files (EOFError, ValueError, KeyError,
        # struct.error, zlib.error for a damaged Deflated file, ...): all mean the same here.
        raise DicomError(
            f"{name}: the file is damaged and pydicom could not parse it "
            f"({brief(exc)}). {HOW_TO_CHECK}"
        ) from exc
    ds.filename = name
    deflated = ds.file_meta.get("TransferSyntaxUID") == DeflatedExplicitVRLittleEndian
    check_complete(ds, name, header_only=header_only,
                    at_pixel_data=next_tag in PIXEL_DATA_TAGS or deflated)
    return ds


def not_dicom_message(name: str, path: str | os.PathLike[str]) -> str:
    """The message for a file without the ``DICM`` marker of a Part-10 file.

    A file that starts with a DICOM data element (a bare data set, as some
    PACS exports and network captures write them) is told apart from one
    that is not DICOM at all, with what to do for each.

    Parameters
    ----------
    name : str
        The path as the caller gave it, for the message.
    path : str or os.PathLike
        The file, whose first bytes are looked at.

    Returns
    -------
    str

    Examples
    --------
    >>> print(not_dicom_message("notes.dcm", "/no/such/file"))
    notes.dcm: not a DICOM file: there is no 'DICM' marker after the 128-byte preamble ...
    """
    try:
        with open(path, "rb") as stream:
            head = stream.read(8)
    except OSError:
        head = b""
    encoding = bare_data_set(head)
    if encoding is None:
        return (
            f"{name}: not a DICOM file: there is no 'DICM' marker after the 128-byte "
            "preamble (DICOM PS3.10 section 7.1). Check that this is the .dcm file and "
            "not, for example, a PNG, a text file or an archive."
        )
    group, syntax = encoding
    tag = f"({group:04X},{int.from_bytes(head[2:4], 'little'):04X})"
    recipe = "ds = pydicom.dcmread(path, force=True); "
    if group != 0x0002:  # no file meta information: say which encoding it has
        recipe += f"ds.file_meta.TransferSyntaxUID = pydicom.uid.{syntax}; "
    recipe += "ds.save_as(new_path, enforce_file_format=True)"
    return (
        f"{name}: not a DICOM Part-10 file: there is no 'DICM' marker after a 128-byte "
        f"preamble, but the file starts with the data element {tag}: it is a bare DICOM "
        "data set, without the file header of PS3.10 section 7.1 (some PACS exports and "
        "network captures are written so). ctlib reads Part-10 files only: convert a copy "
        f"with pydicom ({recipe}) and read the copy."
    )


def pixel_length_problem(name: str, held: int, expected: int, *, cut: bool) -> str | None:
    """Say what is wrong when Pixel Data does not hold what the header implies, if anything.

    Parameters
    ----------
    name : str
        The file, for the message.
    held : int
        The bytes of (7FE0,0010) Pixel Data the file holds.
    expected : int
        What :func:`~ctlib._internals.elements.expected_pixel_bytes` gives for its header.
    cut : bool
        Whether the file ends before the length Pixel Data declares (truncated).

    Returns
    -------
    str or None
        ``None`` if ``held`` is ``expected`` or one byte more (the padding to an
        even length, PS3.5 section 7.1.1); else the message of the
        :class:`~ctlib.DicomError` to raise.

    Examples
    --------
    >>> pixel_length_problem("a.dcm", 524288, 524288, cut=False) is None
    True
    >>> print(pixel_length_problem("a.dcm", 1000, 524288, cut=True))
    a.dcm: (7FE0,0010) PixelData holds 1000 bytes but ... need 524288: the file is truncated. ...
    """
    if holds_expected(held, expected):
        return None
    if held < expected and cut:
        return (
            f"{name}: {element_name('PixelData')} holds {held} bytes but Rows × Columns × "
            f"BitsAllocated need {expected}: the file is truncated. {HOW_TO_CHECK}"
        )
    size = ", ".join(element_name(k) for k in ("Rows", "Columns", "BitsAllocated",
                                               "SamplesPerPixel", "NumberOfFrames"))
    return (
        f"{name}: {element_name('PixelData')} holds {held} bytes, but the header's image size "
        f"({size}) gives {expected}: the header does not describe the pixel data, so any "
        "image decoded from them would be garbled. The file was written wrongly: get it "
        "again from its source, and compare those elements (ctlib.read(path, "
        "header_only=True)) with the ones of a good slice of the same series."
    )


def check_complete(
    ds: Dataset, name: str, *, header_only: bool, at_pixel_data: bool
) -> None:
    """Raise :class:`DicomError` if the data set read from ``name`` is cut short or inconsistent.

    ``at_pixel_data``: for a ``header_only`` read, whether the file goes on with the
    (7FE0,0010) Pixel Data tag where pydicom stopped. (Not "the file goes on": after a
    damaged element pydicom may stop anywhere, with the elements read so far.)
    """
    if "TransferSyntaxUID" not in ds.file_meta:
        raise DicomError(
            f"{name}: the file meta information has no {element_name('TransferSyntaxUID')}, "
            f"so the file is truncated or was not written as a DICOM file. {HOW_TO_CHECK}"
        )
    has_pixels = at_pixel_data if header_only else "PixelData" in ds
    no_image = None if has_pixels else holds_no_image(ds)
    if no_image is not None:
        if header_only:
            return  # a complete header of an object that never has pixel data
        advice = (" Pass the folder it is in to ctlib.load_series or ctlib.series_in, which "
                  "read the files it lists." if "DICOMDIR" in no_image else
                  " Read its header with ctlib.read(path, header_only=True); for images, "
                  "use the CT slices of the same study.")
        raise DicomError(f"{name}: this is {no_image}, so it has no (7FE0,0010) PixelData "
                         f"to show.{advice}")
    if not has_pixels:
        ended_inside = _cut_element(ds)
        if ended_inside is not None:
            tag, declared, held = ended_inside
            raise DicomError(
                f"{name}: the file ends inside {tag_name(tag)}, which declares {declared} "
                f"bytes but has only {held}: the file is truncated, or that length is "
                f"damaged; either way it ends before {element_name('PixelData')}. "
                + HOW_TO_CHECK
            )
        raise DicomError(
            f"{name}: the file ends before {element_name('PixelData')}: it is truncated, "
            f"or it is a DICOM object that holds no image. {HOW_TO_CHECK}"
        )
    if header_only:
        return
    expected = expected_pixel_bytes(ds)
    if expected is None:
        return
    pixel_length = getattr(ds.get_item(_PIXEL_DATA, keep_deferred=True), "length", None)
    try:
        held = len(ds.PixelData)  # pydicom converts the element here: its VR may be damaged
    except Exception as exc:  # noqa: BLE001 - e.g. NotImplementedError for an unknown VR
        raise DicomError(
            f"{name}: {element_name('PixelData')} cannot be read ({brief(exc)}): the file is "
            f"damaged. {HOW_TO_CHECK}"
        ) from None
    cut = (pixel_length is not None and pixel_length != UNDEFINED_LENGTH
           and pixel_length > held)
    problem = pixel_length_problem(name, held, expected, cut=cut)
    if problem is not None:
        raise DicomError(problem)


_PIXEL_DATA = BaseTag(0x7FE00010)
def _cut_element(ds: Dataset) -> tuple[int, int, int] | None:
    """(tag, declared length, bytes held) of the element the end of the file cut, if any.

    pydicom keeps a value it has not converted as read, with the length the file
    declared: a value shorter than that is where the file ended.
    """
    for tag in reversed(list(ds.keys())):
        element = ds.get_item(tag, keep_deferred=True)  # as read: no conversion
        declared = getattr(element, "length", None)
        value = getattr(element, "value", None)
        if (isinstance(value, bytes) and declared is not None
                and declared != UNDEFINED_LENGTH and declared > len(value)):
            return int(tag), int(declared), len(value)
    return None


#: The warning pydicom 3 gives for an RSNA-style identifier in a UI element.
_RSNA_UID_WARNING = r"Invalid value for VR UI: 'ID_[0-9a-f]+'"


@contextmanager
def allow_rsna_uids() -> Iterator[None]:
    """Silence pydicom's warning about RSNA-style ``ID_<hex>`` UIDs, and only that one.

    The RSNA 2019 data replaced every UID (SOP Instance, Study, Series) by
    ``ID_`` and hexadecimal digits. Those are not valid UIDs (PS3.5 section
    9.1 allows only digits and dots), so pydicom 3 warns each time such a
    value is set or first accessed. Inside this block that warning is ignored;
    any other warning, including one about a different invalid UID, still
    shows.

    Parameters
    ----------
    None

    Returns
    -------
    contextlib.AbstractContextManager
        Use it in a ``with`` statement.

    Examples
    --------
    >>> import warnings
    >>> from pydicom import Dataset
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error")
    ...     with allow_rsna_uids():
    ...         ds = Dataset()
    ...         ds.SOPInstanceUID = "ID_000012eaf"
    >>> ds.SOPInstanceUID
    'ID_000012eaf'
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_RSNA_UID_WARNING, category=UserWarning)
        yield
