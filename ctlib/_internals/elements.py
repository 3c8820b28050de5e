"""The bytes of a DICOM file: the only module of ``ctlib`` that reads them itself.

pydicom reads every file correctly; what it does not do is stop early or skip cheaply. This
module walks a Part-10 file's elements with :mod:`struct` (PS3.10 section 7.1, PS3.5 sections
7.1 and 7.5), finds (7FE0,0010) Pixel Data and says how many of its bytes the file holds.
:func:`ctlib.read` (its completeness check), :func:`ctlib.metadata_table` (its fast path) and
:func:`ctlib.load_series` (its direct reads) use it, and nothing else here touches bytes. Every
result equals pydicom's: ``tests/test_reading.py`` and ``tests/test_metadata.py`` compare.
"""

from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Literal

import pydicom
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement, empty_value_for_VR
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.tag import BaseTag
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

__all__ = [
    "PIXEL_DATA_TAGS",
    "PIXEL_VRS",
    "SPECIFIC_CHARACTER_SET",
    "UNDEFINED_LENGTH",
    "PixelElement",
    "PixelExtent",
    "RawElements",
    "bare_data_set",
    "expected_pixel_bytes",
    "holds_expected",
    "open_file",
    "pixel_data_extent",
    "pixel_element",
    "raw_elements",
    "read_header",
]

#: The length of an element whose end is marked by a delimiter (PS3.5 section 7.1.1).
UNDEFINED_LENGTH = 0xFFFFFFFF


#: Element lengths (bytes) up to which reads are passed straight on (see :class:`_SizedReader`).
_PLAIN_READ = 1 << 24


#: The Explicit VRs of PS3.5 Table 6.2-1, to recognise a data set that lacks the Part-10 header.
_VRS = frozenset(
    b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI "
    b"UL UN UR US UT UV".split()
)


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
    >>> from ctlib import open_data
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


def bare_data_set(head: bytes) -> tuple[int, str] | None:
    """(group, transfer syntax keyword) if ``head`` is the start of a little-endian data set.

    For a file without the ``DICM`` marker: a data set written without the Part-10 header
    (PS3.10 section 7.1) starts with a group 0002 or 0008 element, then an explicit VR or
    a short implicit length.

    Examples
    --------
    >>> bare_data_set(bytes.fromhex("08000500") + b"CS" + bytes.fromhex("0a00"))
    (8, 'ExplicitVRLittleEndian')
    >>> bare_data_set(b"%PDF-1.7") is None
    True
    """
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
    >>> from ctlib import allow_rsna_uids, open_data
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
    >>> from ctlib import open_data
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
            if length != UNDEFINED_LENGTH:
                pos += length
                continue
            while True:  # an undefined-length item: its elements, then the item delimiter
                tag, vr, length, value = self._header(pos, implicit)
                if tag == _ITEM_END:
                    pos = value
                    break
                pos = (self._skip_sequence(value, implicit or vr == "UN")
                       if length == UNDEFINED_LENGTH else value + length)

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
            if length != UNDEFINED_LENGTH and wanted is not None and tag not in wanted:
                pos = value + length
                continue
            if isinstance(vr, bytes):
                vr = vr.decode("ascii")
            data: bytes | None  # or an empty value of the VR's type, as pydicom's reader
            if length == UNDEFINED_LENGTH:  # a sequence: its items, kept as bytes
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


#: The (7FE0,0010) Pixel Data tag as the file holds it: little endian, big endian.
PIXEL_DATA_TAGS = (b"\xe0\x7f\x10\x00", b"\x7f\xe0\x00\x10")


@dataclass(frozen=True)
class PixelExtent:
    """Where a file's Pixel Data value starts, and how many of its bytes the file holds."""

    element: PixelElement
    held: int  #: bytes of the value in the file (at most the declared length)
    cut: bool  #: the file ends before the declared length (it is truncated)


def pixel_data_extent(stream: IO[bytes], *, implicit: bool, little: bool = True
                      ) -> PixelExtent | None:
    """Read the Pixel Data element header at the stream's position; how much value follows.

    The stream is where a header read stopped (:func:`read_header`,
    :func:`raw_elements`, ``dcmread(stop_before_pixels=True)``); it is left 12 bytes on.

    Parameters
    ----------
    stream : binary file object
    implicit, little : bool
        The transfer syntax's encoding.

    Returns
    -------
    PixelExtent or None
        ``None`` if no Pixel Data tag is there or its element header is cut short.

    Examples
    --------
    >>> import io, os, tempfile
    >>> header = bytes.fromhex("e07f1000") + b"OW" + bytes.fromhex("0000 00020000")
    >>> with tempfile.TemporaryFile() as stream:
    ...     _ = stream.write(header + bytes(100))
    ...     _ = stream.seek(0)
    ...     extent = pixel_data_extent(stream, implicit=False)
    >>> extent.held, extent.cut, holds_expected(extent.held, 512)
    (100, True, False)
    """
    at = stream.tell()
    size = os.fstat(stream.fileno()).st_size
    found = pixel_element(stream.read(12), at, implicit=implicit, little=little)
    if found is None:
        return None
    available = max(0, size - found.start)
    if found.length == UNDEFINED_LENGTH:  # encapsulated: its end is a delimiter
        return PixelExtent(found, available, False)
    return PixelExtent(found, min(available, found.length), available < found.length)


def holds_expected(held: int, expected: int) -> bool:
    """Whether ``held`` bytes of native Pixel Data are what the header needs.

    ``expected`` (from :func:`expected_pixel_bytes`), or one byte more: the padding of
    an odd length to an even one (PS3.5 section 7.1.1).

    Examples
    --------
    >>> holds_expected(524288, 524288), holds_expected(524289, 524288), holds_expected(10, 11)
    (True, True, False)
    """
    return expected <= held <= expected + 1
