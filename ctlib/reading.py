"""Reading DICOM files safely: :func:`read`.

pydicom is forgiving by design: a truncated file often comes back as a data
set that simply lacks the elements after the cut, without any warning. For a
course that is the worst outcome, so :func:`read` checks what pydicom cannot
know it should check, and turns every failure into a :class:`~ctlib.DicomError`
that names the file and the cause.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pydicom
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement, empty_value_for_VR
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.tag import BaseTag
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from ctlib.errors import DicomError, brief, element_name, tag_name
from ctlib.objects import holds_no_image

__all__ = [
    "PIXEL_DATA_TAGS",
    "PIXEL_VRS",
    "PixelElement",
    "RawElements",
    "allow_rsna_uids",
    "expected_pixel_bytes",
    "not_dicom_message",
    "open_file",
    "pixel_element",
    "pixel_length_problem",
    "raw_elements",
    "read",
    "read_header",
]

HOW_TO_CHECK = (
    "Download or copy the file again; if it came from a zip archive, check the archive."
)
#: Element lengths (bytes) up to which reads are passed straight on (see :class:`_SizedReader`).
_PLAIN_READ = 1 << 24
#: The Explicit VRs of PS3.5 Table 6.2-1, to recognise a data set that lacks the Part-10 header.
_VRS = frozenset(
    b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI "
    b"UL UN UR US UT UV".split()
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
    such a length is never allocated (see :func:`open_file`).

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


def open_file(path: str | os.PathLike[str]) -> io.BufferedReader:
    """Open a file read-only for pydicom, never reserving memory for more than it holds.

    A damaged or hostile file may declare an element length of up to 4 GB (a
    32-bit length, PS3.5 section 7.1). pydicom reads a value with
    ``read(length)``, and Python's files reserve ``length`` bytes before
    reading: gigabytes for a file of a few kilobytes. The file returned here
    asks for at most what remains, so pydicom gets the same (short) value
    without that allocation.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    io.BufferedReader
        Open in binary mode for reading; use it in a ``with`` statement.

    Raises
    ------
    OSError
        As :func:`open` (missing file, folder, no permission).

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> with open_file(open_data("sample").files()[0]) as stream:
    ...     stream.read(1 << 40)[128:132]  # a 1 TB request reserves no memory
    b'DICM'
    """
    # A str name: pydicom's messages add it to text ("... in file " + name).
    return _SizedReader(io.FileIO(os.fspath(path), "r"))


class _SizedReader(io.BufferedReader):
    """A buffered binary file whose :meth:`read` never asks for more bytes than remain."""

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and 0 <= size <= _PLAIN_READ:  # the common case, as it was
            return super().read(size)
        left = os.fstat(self.fileno()).st_size - self.tell()
        return super().read(max(left, 0))


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
    encoding = _bare_data_set(head)
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


def _bare_data_set(head: bytes) -> tuple[int, str] | None:
    """(group, transfer syntax keyword) if ``head`` is the start of a little-endian data set."""
    if len(head) < 8:
        return None
    group = int.from_bytes(head[:2], "little")
    if group not in (0x0002, 0x0008):  # file meta, or Identifying elements: how data sets start
        return None
    if head[4:6] in _VRS:
        return group, "ExplicitVRLittleEndian"
    if int.from_bytes(head[4:8], "little") < 1 << 16:  # an implicit VR length of a short value
        return group, "ImplicitVRLittleEndian"
    return None


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
        Open for reading, at the start of the file; from :func:`open_file`, so
        that a damaged length cannot make it reserve gigabytes.

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
        raw = raw_elements(stream)
        if raw is not None and SPECIFIC_CHARACTER_SET not in raw.elements:
            return FileDataset(stream, raw.elements, preamble=raw.preamble,
                               file_meta=FileMetaDataset(raw.meta),
                               is_implicit_VR=raw.implicit, is_little_endian=True)
    except Exception:  # noqa: BLE001, S110 - dcmread below reads or reports it
        pass
    stream.seek(start)
    return pydicom.dcmread(stream, stop_before_pixels=True)


@dataclass(frozen=True)
class RawElements:
    """A native little-endian Part-10 file's elements as pydicom reads them, unconverted."""

    preamble: bytes | None
    meta: dict[BaseTag, Any]  #: the file meta group (0002,xxxx)
    elements: dict[BaseTag, Any]  #: the data set, up to (7FE0,0010) Pixel Data
    implicit: bool  #: Implicit VR Little Endian (else Explicit)


def raw_elements(stream: BinaryIO, wanted: frozenset[int] | None = None) -> RawElements | None:
    """Collect a file's raw elements with pydicom's element generator, without a Dataset.

    The preamble and ``DICM`` (PS3.10 section 7.1), the file meta group in Explicit VR
    Little Endian, then the data set up to Pixel Data, where the stream is left. Used by
    :func:`read_header` and :func:`ctlib.metadata_table`, whose values are decoded only
    when asked for.

    Parameters
    ----------
    stream : binary file object
        At the start of the file.
    wanted : frozenset of int, optional
        Keep only these tags of the data set (the others are skipped unread).

    Returns
    -------
    RawElements or None
        ``None`` if the transfer syntax is not Explicit or Implicit VR Little Endian (or
        is missing): read such a file with ``dcmread``.

    Raises
    ------
    Exception
        What pydicom's reader raises for a file it cannot parse (e.g. no ``DICM``).

    Examples
    --------
    >>> from ctlib.data import open_data
    >>> with open(open_data("sample").files()[0], "rb") as stream:
    ...     raw = raw_elements(stream)
    ...     at_pixels = stream.read(4) == b"\\xe0\\x7f\\x10\\x00"
    >>> raw.implicit, 0x00280010 in raw.elements, at_pixels
    (False, True, True)
    """
    preamble = stream.read(128)
    if stream.read(4) != b"DICM":
        raise InvalidDicomError("no 'DICM' after the 128-byte preamble (PS3.10 section 7.1)")
    walker = _ElementWalker(stream)
    meta = walker.walk(implicit=False, meta=True)  # always Explicit VR Little Endian
    syntax = meta.get(_TRANSFER_SYNTAX)
    if syntax is None or not isinstance(syntax.value, bytes):
        return None
    implicit = _NATIVE_LITTLE_ENDIAN.get(syntax.value.decode("ascii", "replace").strip("\x00 "))
    if implicit is None:
        return None
    if not walker.encoded_as(implicit):  # e.g. Implicit VR declared, Explicit VR written
        return None  # pydicom detects and handles it
    elements = walker.walk(implicit=implicit, wanted=wanted)
    return RawElements(preamble, meta, elements, implicit)


#: Explicit VRs whose length takes 4 bytes after 2 reserved ones (PS3.5 Table 7.1-1).
_LONG_VRS = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())
_IMPLICIT_HEADER = struct.Struct("<HHL")
_EXPLICIT_HEADER = struct.Struct("<HH2sH")
_LENGTH = struct.Struct("<L")
_ITEM, _ITEM_END, _SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF
_CHUNK = 1 << 14  # a header's usual size; a longer one is read on


class _ElementWalker:
    """The data set's top-level elements up to (7FE0,0010) Pixel Data, from a few reads.

    The same :class:`~pydicom.dataelem.RawDataElement` values pydicom's
    ``data_element_generator`` yields (values as bytes, converted lazily by pydicom),
    in a fraction of the time: the header is read in 64 KiB chunks and walked with
    :mod:`struct`, and a sequence is kept as its bytes (pydicom parses them if the
    sequence is ever used) instead of being parsed into items. Element encoding:
    PS3.5 sections 7.1 (element headers), 7.5 (sequences and their delimiters).
    Leaves the stream at the start of Pixel Data (or at the end of the file).
    Raises ``EOFError`` if the file ends inside an element, ``ValueError`` for bytes
    that are not an element; callers then let ``dcmread`` word the problem.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.pos = stream, 0
        self.base = stream.tell()
        self.buffer = stream.read(_CHUNK)
        self.at_end = len(self.buffer) < _CHUNK

    def _need(self, end: int) -> bool:
        """Make ``buffer[:end]`` available if the file has it; whether it does."""
        while len(self.buffer) < end and not self.at_end:
            more = self.stream.read(max(_CHUNK, end - len(self.buffer)))
            self.at_end = not more
            self.buffer += more
        return len(self.buffer) >= end

    def encoded_as(self, implicit: bool) -> bool:
        """Whether the next element is encoded with the VR rule given (pydicom's test)."""
        if not self._need(self.pos + 6):
            return True  # nothing follows: either rule reads nothing
        vr = self.buffer[self.pos + 4:self.pos + 6]
        looks_explicit = 0x40 < vr[0] < 0x5B and 0x40 < vr[1] < 0x5B
        return looks_explicit != implicit

    def _header(self, pos: int, implicit: bool) -> tuple[int, str | None, int, int]:
        """(tag, VR or None, length, offset of the value) of the element at ``pos``."""
        if not self._need(pos + 8):
            raise EOFError("the file ends inside an element's header")
        if implicit:
            group, element, length = _IMPLICIT_HEADER.unpack_from(self.buffer, pos)
            return group << 16 | element, None, length, pos + 8
        group, element, vr, length = _EXPLICIT_HEADER.unpack_from(self.buffer, pos)
        tag = group << 16 | element
        if group == 0xFFFE:  # item and delimiters have no VR, even in Explicit VR
            return tag, None, _LENGTH.unpack_from(self.buffer, pos + 4)[0], pos + 8
        if vr in _LONG_VRS:
            if not self._need(pos + 12):
                raise EOFError("the file ends inside an element's header")
            return tag, vr.decode("ascii"), _LENGTH.unpack_from(self.buffer, pos + 8)[0], pos + 12
        if not b"AA" <= vr <= b"ZZ":  # pydicom's test: anything else, pydicom decides
            raise ValueError(f"no VR at byte {self.base + pos}")
        return tag, vr.decode("ascii"), length, pos + 8

    def _skip_sequence(self, pos: int, implicit: bool) -> int:
        """From the first item of an undefined-length sequence to past its delimiter."""
        while True:
            tag, _, length, pos = self._header(pos, True)  # items: tag and 4-byte length
            if tag == _SEQUENCE_END:
                return pos
            if tag != _ITEM:
                raise ValueError(f"no sequence item at byte {self.base + pos - 8}")
            if length != _UNDEFINED:
                pos += length
                continue
            while True:  # an undefined-length item: its elements, then the item delimiter
                tag, vr, length, value = self._header(pos, implicit)
                if tag == _ITEM_END:
                    pos = value
                    break
                pos = (self._skip_sequence(value, implicit or vr == "UN")
                       if length == _UNDEFINED else value + length)

    def walk(self, *, implicit: bool, wanted: frozenset[int] | None = None, meta: bool = False
             ) -> dict[BaseTag, RawDataElement]:
        """The elements by tag, from where the last walk stopped.

        ``meta``: the file meta group (0002,xxxx), up to the first other element;
        otherwise the data set up to Pixel Data. ``wanted``: keep only these tags
        (the others are skipped unread).
        """
        elements: dict[BaseTag, RawDataElement] = {}
        # Stop before (7FE0,0008) Float, (7FE0,0009) Double Float or (7FE0,0010) Pixel Data.
        pos, last = self.pos, 0x7FE00007
        implicit_header, explicit_header = _IMPLICIT_HEADER.unpack_from, _EXPLICIT_HEADER.unpack_from
        long_vrs, base = _LONG_VRS, self.base
        buffer, size = self.buffer, len(self.buffer)
        while True:
            if size < pos + 12:  # read on (the file's end: stop)
                if not self._need(pos + 12) and not self._need(pos + 8):
                    break
                buffer, size = self.buffer, len(self.buffer)
            if implicit and not meta:
                group, number, length = implicit_header(buffer, pos)
                vr, value = None, pos + 8
            else:  # the inline fast case of _header
                group, number, raw_vr, length = explicit_header(buffer, pos)
                if meta and group != 0x0002:
                    break  # the data set starts, perhaps in Implicit VR
                if group == 0xFFFE or raw_vr in long_vrs or not b"AA" <= raw_vr <= b"ZZ":
                    _, vr, length, value = self._header(pos, False)
                else:
                    vr, value = raw_vr, pos + 8  # bytes: decoded only if kept
            tag = group << 16 | number
            if tag > last:
                break
            if length != _UNDEFINED and wanted is not None and tag not in wanted:
                pos = value + length
                continue
            if isinstance(vr, bytes):
                vr = vr.decode("ascii")
            data: bytes | None  # or an empty value of the VR's type, as pydicom's reader
            if length == _UNDEFINED:  # a sequence: its items, kept as bytes
                if vr not in (None, "SQ") or (vr is None and _dictionary_vr(tag) not in ("SQ", "")):
                    raise ValueError(f"undefined length with VR {vr}")  # pydicom's case
                end = self._skip_sequence(value, implicit and not meta)
                buffer, size = self.buffer, len(self.buffer)
                data, vr = buffer[value:end - 8], "SQ"  # without the sequence delimiter
            else:
                end = value + length
                if end > size:
                    if not self._need(end):
                        raise EOFError(f"the file ends inside ({group:04X},{number:04X})")
                    buffer, size = self.buffer, len(self.buffer)
                data = (buffer[value:end] if length
                        else empty_value_for_VR(vr, raw=True))  # type: ignore[assignment]
            # Every element for a Dataset (keys as pydicom's, BaseTag); plain int keys for a
            # ``wanted`` few, which makes looking them up several times faster.
            key = BaseTag(tag) if wanted is None else tag
            elements[key] = RawDataElement(key, vr, length, data, base + value, implicit, True)
            pos = end
        self.pos = pos
        self.stream.seek(base + min(pos, len(self.buffer)))
        return elements


@dataclass(frozen=True)
class PixelElement:
    """The header of a (7FE0,0010) Pixel Data element, as written in a file."""

    start: int  #: file offset of the value
    length: int  #: declared length; 0xFFFFFFFF for encapsulated (compressed) pixels
    vr: bytes | None  #: the explicit VR (OB, OW, UN or a damaged one), None in Implicit VR


def pixel_element(header: bytes, at: int, *, implicit: bool, little: bool = True
                  ) -> PixelElement | None:
    """Parse the element header of Pixel Data found at file offset ``at``.

    The one place that reads these bytes (PS3.5 section 7.1: tag, then in Explicit
    VR a VR and a 2- or 4-byte length, in Implicit VR a 4-byte length), for
    :func:`ctlib.load_series`'s direct reads and :func:`ctlib.metadata_table`'s
    length check. A file that declares Implicit VR but writes Explicit VR (pydicom
    reads those) is read as written.

    Parameters
    ----------
    header : bytes
        At least the 12 bytes from ``at`` (8 suffice in Implicit VR).
    at : int
    implicit, little : bool
        The transfer syntax's encoding.

    Returns
    -------
    PixelElement or None
        ``None`` if the bytes are not the Pixel Data tag, or too few.

    Examples
    --------
    >>> header = bytes.fromhex("e07f1000") + b"OW" + bytes.fromhex("0000 00020000")
    >>> element = pixel_element(header, 1000, implicit=False)
    >>> element.start, element.length, element.vr
    (1012, 512, b'OW')
    """
    if len(header) < 8 or header[:4] != PIXEL_DATA_TAGS[0 if little else 1]:
        return None
    order: Literal["little", "big"] = "little" if little else "big"
    vr = header[4:6]
    if implicit and not (len(header) >= 12 and vr in PIXEL_VRS):
        return PixelElement(at + 8, int.from_bytes(header[4:8], order), None)
    if len(header) < 12:
        return None
    if vr in _LONG_VRS:
        return PixelElement(at + 12, int.from_bytes(header[8:12], order), vr)
    return PixelElement(at + 8, int.from_bytes(header[6:8], order), vr)


#: The VRs Pixel Data may have in Explicit VR (PS3.5 section 8.2; UN after a conversion).
PIXEL_VRS = frozenset({b"OB", b"OW", b"UN"})


def _dictionary_vr(tag: int) -> str:
    """The data dictionary's VR of a tag, "" for a tag it does not know (private)."""
    try:
        return str(dictionary_VR(tag))
    except KeyError:
        return ""


#: Transfer syntaxes :func:`read_header` reads itself, and whether they are implicit VR.
_NATIVE_LITTLE_ENDIAN: dict[str, bool] = {
    str(ExplicitVRLittleEndian): False, str(ImplicitVRLittleEndian): True,
}
SPECIFIC_CHARACTER_SET = BaseTag(0x00080005)
_TRANSFER_SYNTAX = BaseTag(0x00020010)


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
        missing or unreadable, or the transfer syntax is compressed or unknown.

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
    if syntax is not None:
        uid = UID(syntax)
        if not uid.is_transfer_syntax or uid.is_compressed:  # unknown or compressed: no rule
            return None
    try:
        rows, columns, bits = int(ds.Rows), int(ds.Columns), int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except Exception:  # noqa: BLE001 - missing or damaged (pydicom raises many types)
        return None
    if min(rows, columns, samples, frames, bits) < 0:
        return None
    return (rows * columns * samples * frames * bits + 7) // 8


def pixel_length_problem(name: str, held: int, expected: int, *, cut: bool) -> str | None:
    """Say what is wrong when Pixel Data does not hold what the header implies, if anything.

    Parameters
    ----------
    name : str
        The file, for the message.
    held : int
        The bytes of (7FE0,0010) Pixel Data the file holds.
    expected : int
        What :func:`expected_pixel_bytes` gives for its header.
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
    if expected <= held <= expected + 1:
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
    cut = (pixel_length is not None and pixel_length != _UNDEFINED_LENGTH
           and pixel_length > held)
    problem = pixel_length_problem(name, held, expected, cut=cut)
    if problem is not None:
        raise DicomError(problem)


_PIXEL_DATA = BaseTag(0x7FE00010)
_UNDEFINED_LENGTH = 0xFFFFFFFF
#: The (7FE0,0010) Pixel Data tag as the file holds it: little endian, big endian.
PIXEL_DATA_TAGS = (b"\xe0\x7f\x10\x00", b"\x7f\xe0\x00\x10")


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
                and declared != _UNDEFINED_LENGTH and declared > len(value)):
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
