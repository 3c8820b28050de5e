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
from typing import BinaryIO

import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.filereader import data_element_generator, read_preamble
from pydicom.tag import BaseTag
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from ctlib.errors import DicomError, element_name

__all__ = ["allow_rsna_uids", "expected_pixel_bytes", "read", "read_header"]

_HOW_TO_CHECK = (
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
        section 7.1), lacks its (0002,0010) Transfer Syntax UID, or is
        truncated (it ends before its pixel data, or its pixel data is shorter
        than Rows × Columns × Samples × Frames × BitsAllocated / 8).

    Notes
    -----
    Truncation is detected for native (uncompressed) transfer syntaxes by
    comparing the length of Pixel Data with what the Image Pixel module
    (PS3.3 C.7.6.3) implies. For compressed transfer syntaxes the length is
    not known in advance; a damaged stream is reported when it is decoded
    (:func:`ctlib.to_hu`).

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
        with open(file, "rb") as stream:
            ds = pydicom.dcmread(stream, stop_before_pixels=header_only)
            stopped_at = stream.tell()
            size = os.fstat(stream.fileno()).st_size
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
        raise DicomError(
            f"{name}: not a DICOM file: there is no 'DICM' marker after the 128-byte "
            "preamble (DICOM PS3.10 section 7.1). Check that this is the .dcm file and "
            "not, for example, a PNG, a text file or an archive."
        ) from None
    except (EOFError, OSError, ValueError, KeyError, TypeError) as exc:
        # pydicom raises a variety of errors on damaged headers; all mean the same here.
        raise DicomError(
            f"{name}: the file is damaged and pydicom could not parse it "
            f"({type(exc).__name__}: {exc}). {_HOW_TO_CHECK}"
        ) from exc
    ds.filename = name
    _check_complete(ds, name, header_only=header_only, reached_end=stopped_at >= size)
    return ds


def read_header(stream: BinaryIO) -> Dataset:
    """``pydicom.dcmread(stream, stop_before_pixels=True)``, in half the time for common files.

    For a Part-10 file in Explicit or Implicit VR Little Endian without (0008,0005)
    Specific Character Set (every RSNA file), the elements are collected with
    pydicom's own element generator and put into a :class:`~pydicom.dataset.FileDataset`
    directly, skipping checks ``dcmread`` makes for rarer files; any other file is read
    by ``dcmread`` itself. Either way the stream is left at the start of (7FE0,0010)
    Pixel Data (or at the end of the file), and values are converted lazily as usual.

    Parameters
    ----------
    stream : binary file object
        Open for reading, at the start of the file.

    Returns
    -------
    pydicom.dataset.Dataset
        Equal to what ``dcmread(stream, stop_before_pixels=True)`` returns.

    Raises
    ------
    Exception
        Whatever ``dcmread`` raises for a file it cannot read (use :func:`read` for
        worded errors).

    Examples
    --------
    >>> from pydicom import dcmread
    >>> from ctlib.data import open_data
    >>> path = open_data("sample").files()[0]
    >>> with open(path, "rb") as stream:
    ...     fast = read_header(stream)
    >>> with allow_rsna_uids():  # comparing converts the RSNA-style UIDs
    ...     fast == dcmread(path, stop_before_pixels=True)
    True
    """
    start = stream.tell()
    try:
        preamble = read_preamble(stream, False)
        meta = FileMetaDataset(
            {raw.tag: raw for raw in data_element_generator(stream, False, True,
                                                            stop_when=_past_file_meta)}
        )
        implicit = _NATIVE_LITTLE_ENDIAN.get(str(meta.get("TransferSyntaxUID", "")))
        if implicit is not None:
            elements = {raw.tag: raw for raw in data_element_generator(
                stream, implicit, True, stop_when=_at_pixel_data)}
            if _SPECIFIC_CHARACTER_SET not in elements:
                return FileDataset(stream, elements, preamble=preamble, file_meta=meta,
                                   is_implicit_VR=implicit, is_little_endian=True)
    except Exception:  # noqa: BLE001, S110 - dcmread below reads or reports it
        pass
    stream.seek(start)
    return pydicom.dcmread(stream, stop_before_pixels=True)


#: Transfer syntaxes :func:`read_header` reads itself, and whether they are implicit VR.
_NATIVE_LITTLE_ENDIAN: dict[str, bool] = {
    str(ExplicitVRLittleEndian): False, str(ImplicitVRLittleEndian): True,
}
_SPECIFIC_CHARACTER_SET = BaseTag(0x00080005)


def _past_file_meta(tag: BaseTag, vr: str | None, length: int) -> bool:
    return tag >> 16 != 0x0002


def _at_pixel_data(tag: BaseTag, vr: str | None, length: int) -> bool:
    return bool(tag == 0x7FE00010)


def expected_pixel_bytes(ds: Dataset) -> int | None:
    """Return the length Pixel Data must have in a native transfer syntax.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A data set with the Image Pixel module (PS3.3 C.7.6.3).

    Returns
    -------
    int or None
        ``Rows × Columns × SamplesPerPixel × NumberOfFrames × BitsAllocated / 8``
        (rounded up to a whole byte), or ``None`` if an element it needs is
        missing or the transfer syntax is compressed.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.Rows, ds.Columns, ds.BitsAllocated = 512, 512, 16
    >>> expected_pixel_bytes(ds)
    524288

    """
    file_meta = getattr(ds, "file_meta", None)
    syntax = file_meta.get("TransferSyntaxUID") if file_meta is not None else None
    if syntax is not None and UID(syntax).is_compressed:
        return None
    try:
        rows, columns, bits = int(ds.Rows), int(ds.Columns), int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError):
        return None
    return (rows * columns * samples * frames * bits + 7) // 8


def _check_complete(ds: Dataset, name: str, *, header_only: bool, reached_end: bool) -> None:
    """Raise :class:`DicomError` if the data set read from ``name`` is cut short."""
    if "TransferSyntaxUID" not in ds.file_meta:
        raise DicomError(
            f"{name}: the file meta information has no {element_name('TransferSyntaxUID')}, "
            f"so the file is truncated or was not written as a DICOM file. {_HOW_TO_CHECK}"
        )
    has_pixels = (not reached_end) if header_only else "PixelData" in ds
    if not has_pixels:
        raise DicomError(
            f"{name}: the file ends before {element_name('PixelData')}: it is truncated, "
            f"or it is a DICOM object that holds no image. {_HOW_TO_CHECK}"
        )
    if header_only:
        return
    expected = expected_pixel_bytes(ds)
    actual = len(ds.PixelData)
    if expected is not None and actual < expected:
        raise DicomError(
            f"{name}: {element_name('PixelData')} holds {actual} bytes but Rows × Columns × "
            f"BitsAllocated need {expected}: the file is truncated. {_HOW_TO_CHECK}"
        )


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
