"""Reading the files of a series fast: one header pass, then pixel bytes straight into a volume.

:func:`ctlib.load_series` parses each header once, with pydicom stopping before
(7FE0,0010) Pixel Data (:func:`scan`), and notes where the Pixel Data value
starts in the file. Once the slices are sorted, :func:`fill_hu` reads each
file's pixel bytes into one reused buffer and converts them to HU in place, in
a volume allocated once: no data set with pixel data and no list of per-slice
arrays is built, so memory stays close to the volume's own size.

Only the common native layouts take that shortcut: (0002,0010) Explicit or
Implicit VR Little Endian, 16 bits allocated, one sample, one frame (PS3.5
section 8 and Annex A.1/A.2; PS3.3 C.7.6.3). Everything else (compressed or
big-endian transfer syntaxes, other pixel layouts) goes through
:func:`ctlib.read` and :func:`ctlib.to_hu`. Either way a slice is exactly
``to_hu(read(path))``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from ctlib._internals.elements import (
    UNDEFINED_LENGTH,
    expected_pixel_bytes,
    holds_expected,
    open_file,
    pixel_data_extent,
    read_header,
)
from ctlib._internals.hu_plan import HU_HEADER_KEYWORDS, HuPlan, hu_plan
from ctlib.errors import DicomError
from ctlib.hu import stored_to_hu, to_hu
from ctlib.reading import read

__all__ = ["SliceFile", "decimal_numbers", "fill_hu", "scan", "unsigned_short"]

#: Transfer syntaxes whose Pixel Data is read straight from the file: UID → implicit VR?
_DIRECT_SYNTAXES = {ExplicitVRLittleEndian: False, ImplicitVRLittleEndian: True}
#: Native transfer syntaxes, whose Pixel Data length is checked here: UID → (implicit, little).
_NATIVE_SYNTAXES = {ExplicitVRLittleEndian: (False, True), ImplicitVRLittleEndian: (True, True),
                    ExplicitVRBigEndian: (False, False)}


def _tag(keyword: str) -> BaseTag:
    tag = tag_for_keyword(keyword)
    assert tag is not None, keyword
    return BaseTag(tag)


_HU_TAGS = tuple(_tag(keyword) for keyword in HU_HEADER_KEYWORDS)
_MODALITY_LUT_SEQUENCE = _tag("ModalityLUTSequence")
_SERIES_INSTANCE_UID = _tag("SeriesInstanceUID")
_NUMBER_OF_FRAMES = _tag("NumberOfFrames")


@dataclass(frozen=True)
class SliceFile:
    """One file after the header pass.

    Attributes
    ----------
    path : pathlib.Path
    header : pydicom.dataset.Dataset or None
        The data set without Pixel Data; ``None`` if the header is unreadable.
    series_uid : str
        (0020,000E) Series Instance UID; empty if absent or unreadable.
    problem : str or None
        Why the file cannot be used (the :class:`~ctlib.DicomError` message
        of :func:`ctlib.read`), or ``None``.
    pixel_offset : int or None
        Where the Pixel Data value starts in the file, if its bytes can be used
        as they are (16-bit little-endian, one frame); ``None`` means: decode
        with :func:`ctlib.read`.
    bits_stored : int
        (0028,0101) Bits Stored, for the direct read.
    signed : bool
        (0028,0103) Pixel Representation is 1, for the direct read.
    """

    path: Path
    header: Dataset | None
    series_uid: str = ""
    problem: str | None = None
    pixel_offset: int | None = None
    bits_stored: int = 16
    signed: bool = True


def scan(path: Path) -> SliceFile:
    """Read one file's header, note where its pixel bytes start, detect truncation.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    SliceFile
        Never raises for a bad file: the reason is in ``problem``, worded by
        :func:`ctlib.read` (which is called only for files found faulty). For a
        native transfer syntax the Pixel Data length is checked against Rows ×
        Columns × … here, so a header that declares a huge image is refused
        before :func:`ctlib.load_series` allocates the volume.

    Examples
    --------
    >>> from ctlib import open_data
    >>> data = open_data("sample")
    >>> entry = data.series("subdural-acute")
    >>> found = scan(data.path(entry["files"][0]))
    >>> found.problem is None, found.pixel_offset > 132, found.series_uid == entry["series_uid"]
    (True, True, True)
    >>> print(scan(data.path(data.manifest["quirks"]["truncated_pixel_data"][0])).problem)
    /.../ID_c431c9e65.dcm: (7FE0,0010) PixelData holds 483328 bytes but ... truncated. ...
    """
    try:
        with open_file(path) as stream:
            header = read_header(stream)
            at = stream.tell()  # pydicom rewinds to the start of the Pixel Data element
            size = os.fstat(stream.fileno()).st_size
            syntax = header.file_meta.get("TransferSyntaxUID")
            native = _NATIVE_SYNTAXES.get(syntax)
            extent = (pixel_data_extent(stream, implicit=native[0], little=native[1])
                      if native is not None and at < size else None)
    except Exception:  # noqa: BLE001 - any failure to parse: ctlib.read words the reason
        return _checked(path, None, header_only=True)
    header.filename = str(path)
    if syntax is None or at >= size:  # no syntax, or no pixel data: ctlib.read says so
        return _checked(path, header, header_only=True)
    uid = _series_uid(header)
    if native is None:  # compressed or deflated: the length shows when decoding
        return SliceFile(path, header, uid)
    if extent is None or extent.element.length == UNDEFINED_LENGTH:  # not raw pixels here
        return SliceFile(path, header, uid)
    layout = _direct_layout(header) if syntax in _DIRECT_SYNTAXES else None
    expected = layout[0] * layout[1] * 2 if layout is not None else expected_pixel_bytes(header)
    if expected is not None and not holds_expected(extent.held, expected):
        return _checked(path, header, header_only=False)  # ctlib.read gives the reason
    if layout is None:
        return SliceFile(path, header, uid)
    _, _, bits_stored, signed = layout  # rows and columns: checked above
    return SliceFile(path, header, uid, None, extent.element.start, bits_stored, signed)


def decimal_numbers(header: Dataset, keyword: str) -> list[float] | None:
    """The numbers of a Decimal String element, or ``None`` if absent or not numbers.

    A value still in its raw form (as pydicom leaves it until first use) is
    parsed directly from its bytes, which is several times faster than having
    pydicom convert it, and leaves the header as it was.

    Parameters
    ----------
    header : pydicom.dataset.Dataset
    keyword : str
        A DS element, e.g. ``"ImagePositionPatient"`` (PS3.5 section 6.2).

    Returns
    -------
    list of float or None

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.PixelSpacing = ["0.5", "0.25"]
    >>> decimal_numbers(ds, "PixelSpacing"), decimal_numbers(ds, "ImagePositionPatient")
    ([0.5, 0.25], None)
    """
    element = header.get_item(_tag(keyword))
    if element is None:
        return None
    value = element.value
    try:
        if isinstance(value, bytes):
            return [float(part) for part in value.split(b"\\")] if value.strip() else None
        if value is None or value == "":
            return None
        if isinstance(value, str | int | float):
            return [float(value)]
        return [float(part) for part in value]
    except (TypeError, ValueError):
        return None


#: Threads that read and convert pixel data in :func:`fill_hu`.
READ_THREADS = min(4, os.cpu_count() or 1)


def fill_hu(files: Sequence[SliceFile], out: npt.NDArray[np.float32]) -> list[tuple[int, str]]:
    """Write ``to_hu(read(file))`` of ``files[k]`` into ``out[k]``.

    Parameters
    ----------
    files : sequence of SliceFile
        In slice order, all of ``out``'s size (Rows, Columns).
    out : numpy.ndarray of float32, shape (len(files), Rows, Columns)

    Returns
    -------
    list of (int, str)
        Index and reason of the files that could not be converted (e.g.
        undecodable pixel data, no rescale); their slot in ``out`` is left as
        it was.

    Examples
    --------
    >>> import numpy as np
    >>> from ctlib import open_data
    >>> data = open_data("sample")
    >>> found = scan(data.path(data.series("subdural-acute")["files"][0]))
    >>> out = np.empty((1, 512, 512), np.float32)
    >>> fill_hu([found], out), bool((out[0] == to_hu(read(found.path))).all())
    ([], True)
    """
    failures: list[tuple[int, str]] = []

    def direct(indices: range) -> list[int]:
        """Convert the slices that can be read directly; return the others."""
        buffers: dict[bool, np.ndarray] = {}
        plans: dict[tuple[object, ...], HuPlan] = {}
        pending = []
        for k in indices:
            file = files[k]
            try:
                if file.pixel_offset is None or not _read_direct(file, out[k], buffers,
                                                                 plans):
                    pending.append(k)
            except DicomError as exc:  # HeaderError included: the slot is skipped
                failures.append((k, str(exc)))
        return pending

    # Reading a file and converting it release the GIL, so threads overlap them; each
    # thread has its own buffers and headers. pydicom's full reads stay in this thread.
    threads = max(1, min(READ_THREADS, len(files)))
    parts = [range(t, len(files), threads) for t in range(threads)]
    if threads == 1:
        pending = direct(parts[0])
    else:
        with ThreadPoolExecutor(threads) as pool:
            pending = sorted(k for part in pool.map(direct, parts) for k in part)
    for k in pending:
        try:
            out[k] = to_hu(read(files[k].path))
        except DicomError as exc:
            failures.append((k, str(exc)))
    return sorted(failures)


def unsigned_short(header: Dataset, keyword: str, default: int | None = None) -> int | None:
    """A single US value, parsed from its raw bytes if pydicom has not converted it yet.

    Parameters
    ----------
    header : pydicom.dataset.Dataset
    keyword : str
        A US element with one value, e.g. ``"Rows"``.
    default : int, optional
        Returned if the element is absent.

    Returns
    -------
    int or None
        ``None`` if the value is not one unsigned short.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.Rows = 512
    >>> unsigned_short(ds, "Rows"), unsigned_short(ds, "Columns", 0)
    (512, 0)
    """
    element = header.get_item(_tag(keyword))
    if element is None:
        return default
    value = element.value
    if isinstance(value, bytes):
        little = header.original_encoding[1] is not False
        return int.from_bytes(value, "little" if little else "big") if len(value) == 2 else None
    return value if isinstance(value, int) else None


def _checked(path: Path, header: Dataset | None, *, header_only: bool) -> SliceFile:
    """Let :func:`ctlib.read` find what is wrong with a file and word it."""
    try:
        ds = read(path, header_only=header_only)
    except DicomError as exc:
        return SliceFile(path, header, _series_uid(header), problem=str(exc))
    # ctlib.read finds nothing wrong: decode this file the slow, safe way.
    if header is None:
        header = ds
        if "PixelData" in header:
            del header.PixelData
    return SliceFile(path, header, _series_uid(header))


def _series_uid(header: Dataset | None) -> str:
    """(0020,000E) as text, read without pydicom's UID validation (RSNA's are ``ID_…``)."""
    element = header.get_item(_SERIES_INSTANCE_UID) if header is not None else None
    if element is None:
        return ""
    value = element.value
    if isinstance(value, bytes):  # as pydicom's convert_UI: ASCII, trailing NUL/space removed
        value = value.decode("ascii", "replace")
    return str(value or "").rstrip("\0 ")


def _direct_layout(header: Dataset) -> tuple[int, int, int, bool] | None:
    """(rows, columns, bits stored, signed) if the pixels are one 16-bit greyscale frame."""
    frames = header.get_item(_NUMBER_OF_FRAMES)
    if unsigned_short(header, "BitsAllocated") != 16 or (
        frames is not None and frames.value not in (1, "1", b"1", b"1 ", None, "", b"")
    ):
        return None
    rows, columns = unsigned_short(header, "Rows"), unsigned_short(header, "Columns")
    bits_stored = unsigned_short(header, "BitsStored")
    representation = unsigned_short(header, "PixelRepresentation")
    if unsigned_short(header, "SamplesPerPixel", 1) != 1 or rows is None or columns is None:
        return None
    if rows < 1 or columns < 1 or bits_stored is None or not 1 <= bits_stored <= 16:
        return None
    if representation not in (0, 1):
        return None
    return rows, columns, bits_stored, representation == 1


def _hu_key(header: Dataset) -> tuple[object, ...] | None:
    """The values of the elements :func:`ctlib.hu.stored_to_hu` reads, raw where possible.

    Equal keys mean equal HU for equal stored values, so the conversion can use a header
    already converted by pydicom instead of converting the same values again for every
    slice. ``None`` (no reuse) if there is a Modality LUT Sequence.
    """
    if header.get_item(_MODALITY_LUT_SEQUENCE) is not None:
        return None
    key = []
    for tag in _HU_TAGS:
        element = header.get_item(tag)
        value = None if element is None else element.value
        key.append(value if value is None or isinstance(value, bytes) else repr(value))
    return tuple(key)


def _read_direct(
    file: SliceFile,
    out: npt.NDArray[np.float32],
    buffers: dict[bool, np.ndarray],
    plans: dict[tuple[object, ...], HuPlan],
) -> bool:
    """Read a slice's pixel bytes into a reused buffer and convert them into ``out``.

    Returns ``False`` (nothing written) if the bytes are no longer all there, so
    that the caller falls back on :func:`ctlib.read`, which says what happened.
    ``plans`` maps :func:`_hu_key` to the conversion decided for the first such header.
    """
    assert file.header is not None and file.pixel_offset is not None
    stored = buffers.get(file.signed)
    if stored is None or stored.shape != out.shape:
        stored = buffers[file.signed] = np.empty(out.shape, "<i2" if file.signed else "<u2")
    try:
        with open(file.path, "rb") as stream:
            stream.seek(file.pixel_offset)
            count = stream.readinto(stored.reshape(-1).view(np.uint8).data)
    except OSError:
        return False
    if count != stored.nbytes:
        return False
    unused = 16 - file.bits_stored
    if unused:  # as pydicom does: ignore the bits above Bits Stored (PS3.5 section 8.1.1)
        np.left_shift(stored, unused, out=stored)
        np.right_shift(stored, unused, out=stored)
    key = _hu_key(file.header)
    plan = plans.get(key) if key is not None else None
    if plan is None:
        plan = hu_plan(file.header, stored.dtype)
        if plan is None:  # a Modality LUT Sequence: pydicom applies it
            stored_to_hu(file.header, stored, out=out)
            return True
        if key is not None:
            plans[key] = plan
    plan.apply(stored, out)
    return True
