"""A table of DICOM headers: one row per file, read without decoding pixels.

:func:`metadata_table` parses only the elements it is asked for and stops before
(7FE0,0010) Pixel Data, in this process or in several worker processes, and
reports every file it cannot use in an ``error`` column instead of stopping.
"""

from __future__ import annotations

import functools
import numbers
import os
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from pydicom import dcmread
from pydicom.charset import python_encoding
from pydicom.datadict import dictionary_VM, dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag
from pydicom.uid import UID, DeflatedExplicitVRLittleEndian

from ctlib._internals.elements import (
    PIXEL_DATA_TAGS,
    PIXEL_VRS,
    SPECIFIC_CHARACTER_SET,
    expected_pixel_bytes,
    holds_expected,
    open_file,
    pixel_data_extent,
    raw_elements,
)
from ctlib.errors import ArgumentError, DicomError, brief, element_name
from ctlib.folders import files_in
from ctlib.reading import (
    HOW_TO_CHECK,
    allow_rsna_uids,
    check_complete,
    not_dicom_message,
    pixel_length_problem,
)

if TYPE_CHECKING:  # imported where used: `import ctlib` stays light (tqdm.auto pulls asyncio)
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

    import pandas as pd

__all__ = ["HEADER_KEYWORDS", "element_table", "metadata_table"]

#: The elements the table reads: the RSNA 2019 header, without Pixel Data.
HEADER_KEYWORDS: tuple[str, ...] = (
    "SOPInstanceUID", "Modality", "PatientID", "StudyInstanceUID", "SeriesInstanceUID",
    "ImagePositionPatient", "ImageOrientationPatient", "Rows", "Columns", "PixelSpacing",
    "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation", "WindowCenter",
    "WindowWidth", "RescaleIntercept", "RescaleSlope", "PhotometricInterpretation",
)

#: Image Pixel elements (PS3.3 C.7.6.3) read besides the keywords, to check the file's length.
_PIXEL_MODULE: tuple[str, ...] = (
    "Rows", "Columns", "BitsAllocated", "SamplesPerPixel", "NumberOfFrames",
)

#: VRs whose values are numbers (PS3.5 section 6.2); their columns are numeric even when empty.
_INTEGER_VRS = frozenset({"IS", "SL", "SS", "SV", "UL", "US", "UV"})
_FLOAT_VRS = frozenset({"DS", "FD", "FL"})

#: Binary VRs :func:`_raw_values` decodes: struct code and size of one value.
_BINARY: dict[str, tuple[str, int]] = {
    "US": ("H", 2), "SS": ("h", 2), "UL": ("I", 4), "SL": ("i", 4), "FL": ("f", 4),
    "FD": ("d", 8),
}
#: String VRs whose characters are always from the default repertoire (PS3.5 section 6.2).
_ASCII_VRS = frozenset({"AS", "CS", "DA", "DS", "IS", "TM", "UI"})

#: String VRs in the default repertoire unless (0008,0005) Specific Character Set says otherwise.
_TEXT_VRS = frozenset({"LO", "SH"})

#: Defined terms of (0008,0005) that one codec reads (no ISO 2022 code extensions).
_SINGLE_CODEC = {term: codec for term, codec in python_encoding.items()
                 if not term.startswith("ISO 2022") and term not in ("GB18030", "GBK")}

#: "pydicom must decode this value" (see :func:`_decoded`).
_UNDECODED: Any = object()

#: The most files one task of a worker process reads: enough that the cost of a task is
#: small next to its reading, few enough that the progress bar moves.
_MAX_CHUNK = 64

#: Modules the fork server imports once: this one, and pandas, which any caller has imported
#: too (a worker re-runs the top of the caller's script, as with ``spawn``, and would import
#: pandas again each time).
_PRELOAD: tuple[str, ...] = (__name__, "pandas")
#: Whether :func:`_context` has set the fork server's preload list (a list: set in place).
_PRELOAD_SET: list[bool] = []

#: One file's header as a worker returns it: per keyword, its values or None; the error.
_Header = tuple[tuple[tuple[Any, ...] | None, ...], str | None]


def metadata_table(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    progress: bool = True,
    keywords: Sequence[str] = HEADER_KEYWORDS,
) -> pd.DataFrame:
    """Read the headers of many DICOM files into a table, one row per file.

    Only the listed elements are parsed (pydicom's ``specific_tags``), and reading
    stops before (7FE0,0010) Pixel Data: faster than reading and decoding whole
    files, the more so the slower the disk (``benchmarks/bench_metadata.py``),
    and several processes can share the work. A file that cannot be used gets
    its reason in the ``error`` column instead of stopping a table of
    thousands of files.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        The files, for example ``data.files()``, or a folder as scanners and PACS
        export it (every file below it, or the files its DICOMDIR lists:
        :func:`ctlib.folders.files_in`). Rows come back in this order.
    workers : int, optional
        ``None`` (the default) reads in this process. An integer ``k >= 1`` reads
        in ``k`` worker processes (fewer if there are very few files), each
        given up to 64 files at a time; worth it from a few hundred files,
        with ``k`` up to ``os.cpu_count()``.
    progress : bool, optional
        Show a progress bar (``tqdm.auto``: a widget in Jupyter) counting files;
        with workers it moves as each batch of files is done.
    keywords : sequence of str, optional
        Keywords of the DICOM data dictionary (PS3.6) to read, in column order
        (default :data:`HEADER_KEYWORDS`). Sequences (VR SQ) and Pixel Data
        itself cannot be listed.

    Returns
    -------
    pandas.DataFrame
        A ``RangeIndex`` and, in this order:

        ``file``
            The file's name (``ID_….dcm``).
        ``path``
            The file's absolute path.
        one column per keyword, in the order of ``keywords``
            An element with one value (value multiplicity 1 in PS3.6) keeps its
            keyword. An element that may hold several (VM ``2``, ``3``, ``1-n``…)
            is split in place into ``<keyword>_0``, ``<keyword>_1``, …: as many
            columns as its VM requires, or as the file with most values has.
            Numbers are ``int64`` when every file has a whole-number value
            (VRs US, IS…), otherwise ``float64`` with NaN for a missing value
            (so one unreadable file makes ``Rows`` float); text is ``object``
            (``str`` values, ``None`` when missing).
        ``error``
            ``None``, or why the file cannot be used, naming the file as it
            was given (like :func:`ctlib.read`): it is
            missing, a folder, not DICOM (no ``DICM`` marker, PS3.10 section
            7.1), damaged, without a transfer syntax, or truncated (shorter than
            Rows × Columns × Samples × Frames × BitsAllocated / 8 bytes of Pixel
            Data, PS3.3 C.7.6.3), or its Pixel Data is longer than that (the
            header does not describe it). Such a file's header values are kept;
            a single value that cannot be read (e.g. a binary number of the wrong
            length) leaves its cell empty and is named in ``error``.

        The result is the same whatever ``workers`` is.

    Raises
    ------
    ArgumentError
        If ``paths`` is a path that does not exist or an empty folder, ``workers`` is not ``None`` or an integer
        of at least 1, or a keyword is not in the DICOM data dictionary, is
        listed twice, is a sequence, or is Pixel Data.

    See Also
    --------
    ctlib.read : read one file, with the same checks, and its pixels.

    Notes
    -----
    Worker processes are started with the ``forkserver`` method (``spawn``
    where it does not exist), which works in Jupyter and never forks a
    process that runs threads. As with ``spawn``, each worker re-runs the top
    level of a calling *script*, so a script must call this function under
    ``if __name__ == "__main__":``. Starting the workers takes a few hundredths
    of a second per call (about half a second for the first call in a
    process, which starts the fork server); a header takes about 0.5 ms.

    Truncation is found without reading Pixel Data, from the length of the
    file after the header, for native (uncompressed) transfer syntaxes (PS3.5
    section 8.2); a damaged compressed stream shows only when it is decoded.

    Examples
    --------
    >>> from ctlib import open_data
    >>> table = metadata_table(open_data("sample").files(), progress=False)
    >>> table.shape
    (17, 32)
    >>> table.columns[:3].tolist(), table.columns[-3:].tolist()
    (['file', 'path', 'SOPInstanceUID'], ['RescaleSlope', 'PhotometricInterpretation', 'error'])
    >>> table[["WindowCenter_0", "WindowCenter_1"]].dtypes.tolist(), table["Rows"].dtype
    ([dtype('float64'), dtype('float64')], dtype('int64'))
    >>> print(table.loc[table["error"].notna(), "error"].item())
    /.../ID_c431c9e65.dcm: (7FE0,0010) PixelData holds 483328 bytes but ... truncated. ...
    """
    import pandas as pd

    keywords = _checked_keywords(keywords)
    names = _checked_paths(paths)  # a folder's files, or the paths given
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1
    ):
        raise ArgumentError(
            f"workers={workers!r}: pass None to read in this process, or the number of "
            "worker processes as a whole number of at least 1, such as 2 or os.cpu_count()."
        )
    # Absolute paths: a worker process does not follow later os.chdir calls of this one.
    items = [(name, os.path.abspath(name)) for name in names]
    from tqdm.auto import tqdm

    with tqdm(total=len(items), desc="headers", unit="file", disable=not progress) as bar:
        if workers is None:
            headers: list[_Header] = []
            for name, path in items:
                headers.append(_read_header(name, path, keywords))
                bar.update()
        else:
            headers = _read_in_workers(items, keywords, int(workers), bar)
    columns: dict[str, pd.Series] = {
        "file": pd.Series([os.path.basename(path) for _, path in items], dtype=object),
        "path": pd.Series([path for _, path in items], dtype=object),
    }
    for index, keyword in enumerate(keywords):
        found = [values[index] for values, _ in headers]
        most = max((len(v) for v in found if v is not None), default=0)
        width = _split_width(keyword)
        if width == 0 and most <= 1:
            columns[keyword] = _column([v[0] if v else None for v in found], keyword)
        else:
            for i in range(max(width, most)):
                columns[f"{keyword}_{i}"] = _column(
                    [v[i] if v is not None and len(v) > i else None for v in found], keyword
                )
    columns["error"] = pd.Series([error for _, error in headers], dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(items)))


def _checked_keywords(keywords: Sequence[str]) -> tuple[str, ...]:
    """``keywords`` as a tuple, or :class:`ArgumentError` saying which one cannot be read."""
    if isinstance(keywords, str):
        raise ArgumentError(
            f"keywords={keywords!r}: pass a list of keywords, such as [{keywords!r}], "
            "not a single string."
        )
    checked = tuple(keywords)
    for keyword in checked:
        tag = tag_for_keyword(keyword) if isinstance(keyword, str) else None
        if tag is None:
            raise ArgumentError(
                f"{keyword!r} is not a keyword of the DICOM data dictionary (PS3.6). Use "
                "keywords spelled like 'WindowCenter'; see ctlib.metadata.HEADER_KEYWORDS."
            )
        if checked.count(keyword) > 1:
            raise ArgumentError(f"keywords lists {keyword!r} twice: list each element once.")
        if dictionary_VR(tag) == "SQ":
            raise ArgumentError(
                f"{element_name(keyword)} is a sequence of nested data sets, which does not fit "
                "in a table cell. Read it from one file with ctlib.read."
            )
        if tag >= 0x7FE00008:
            raise ArgumentError(
                f"{element_name(keyword)} is not read by metadata_table, which stops before "
                "the pixel data. Use ctlib.read and ctlib.to_hu for pixels."
            )
    return checked


def _checked_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
                   ) -> list[str]:
    """Each path as a ``str`` (a folder's files for a folder), or :class:`ArgumentError`."""
    if isinstance(paths, bytes):
        raise ArgumentError(f"paths={os.fsdecode(paths)!r} is bytes: pass a folder, or a list "
                            "of files, as str or pathlib.Path.")
    if isinstance(paths, str | os.PathLike):
        return [str(p) for p in files_in(paths)]
    names = []
    for item in paths:
        name = os.fspath(item) if isinstance(item, str | os.PathLike) else None
        if not isinstance(name, str):
            raise ArgumentError(
                f"{item!r} is not a path: pass str or pathlib.Path objects, such as data.files()."
            )
        names.append(name)
    return names


def _split_width(keyword: str) -> int:
    """0 for an element with one value (VM 1, PS3.6), else the fewest values it may hold."""
    vm = dictionary_VM(keyword)
    if vm == "1":
        return 0
    least = re.match(r"\d+", vm)
    return max(1, int(least.group())) if least else 1


def _column(values: list[Any], keyword: str) -> pd.Series:
    """One column: int64 if all values are integers, float64 if numbers, else object.

    A column without any value (no file has the element) takes its type from the
    element's VR (PS3.5 section 6.2), so that the columns of a table do not depend on
    which files it holds.
    """
    import pandas as pd

    present = [v for v in values if v is not None]
    if present:
        kinds = {type(v) for v in present}
        integers, numbers_ = kinds <= {int}, kinds <= {int, float}
    else:
        vr = dictionary_VR(keyword)
        integers, numbers_ = vr in _INTEGER_VRS, vr in _INTEGER_VRS | _FLOAT_VRS
    if integers and len(present) == len(values):
        try:
            return pd.Series(values, dtype="int64")
        except OverflowError:  # an unsigned 64-bit value (VR UV) beyond int64
            return pd.Series(values, dtype=object)
    if numbers_:
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    return pd.Series(values, dtype=object)


def _read_in_workers(
    items: list[tuple[str, str]], keywords: tuple[str, ...], workers: int, bar: Any
) -> list[_Header]:
    """Headers of ``items`` read by ``workers`` processes, in the order of ``items``."""
    if not items:
        return []
    # At least four tasks per process, so that one slow task does not leave the others idle.
    size = max(1, min(_MAX_CHUNK, len(items) // (4 * workers)))
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    parts: list[list[_Header]] = [[] for _ in chunks]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(min(workers, len(chunks)), mp_context=_context()) as pool:
        futures: dict[Future[list[_Header]], int] = {
            pool.submit(_read_chunk, chunk, keywords): index for index, chunk in enumerate(chunks)
        }
        try:
            for future in as_completed(futures):
                index = futures[future]
                parts[index] = future.result()
                bar.update(len(chunks[index]))
        except BaseException:  # e.g. KeyboardInterrupt: do not read the files still queued
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [header for part in parts for header in part]


def _context() -> BaseContext:
    """How worker processes start: ``forkserver`` where it exists, else ``spawn``.

    Both start workers from a clean process, never by forking this one (which may run
    threads, as a Jupyter kernel does; Python 3.12 warns about that). The fork server
    imports ``__main__`` and :data:`_PRELOAD` once, when it starts, so that the workers
    forked from it for each call need not. ``ctlib`` sets that list once per process,
    before its first pool (``multiprocessing`` has no public way to read the list back,
    and the setting has no effect once the fork server runs).
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    if not _PRELOAD_SET:
        context.set_forkserver_preload(["__main__", *_PRELOAD])
        _PRELOAD_SET.append(True)
    return context


def _read_chunk(chunk: list[tuple[str, str]], keywords: tuple[str, ...]) -> list[_Header]:
    """The headers of some files: the task a worker process runs."""
    return [_read_header(name, path, keywords) for name, path in chunk]


def _read_header(name: str, path: str, keywords: tuple[str, ...]) -> _Header:
    """One file's values of ``keywords`` (as plain numbers and strings) and its error.

    ``name`` is the path as the caller gave it (for messages), ``path`` the absolute one.
    Well-formed files take :func:`_well_formed_values`; any other file (and any
    doubt) takes the full path through ``dcmread``, which also words the error.
    """
    try:
        with open_file(path) as stream:
            fast = _well_formed_values(stream, keywords)
        if fast is not None:
            return fast, None
    except Exception:  # noqa: BLE001, S110 - the full path below says what is wrong
        pass
    return _full_values(name, path, keywords)


def _full_values(name: str, path: str, keywords: tuple[str, ...]) -> _Header:
    """:func:`_read_header` through ``dcmread``: any file, and the reason it is unusable."""
    try:
        with open_file(path) as stream, allow_rsna_uids():
            # specific_tags would only add work here: elements are parsed lazily anyway.
            ds = dcmread(stream, stop_before_pixels=True)
            little = ds.original_encoding[1] is not False
            problem = _incomplete(ds, name, stream)  # first: it looks at elements as read
            values, damaged = [], None
            for keyword in keywords:
                try:
                    values.append(_raw_values(ds, keyword, little) or _values(ds, keyword))
                except Exception as exc:  # noqa: BLE001 - one damaged value: an empty cell
                    values.append(None)
                    damaged = damaged or (
                        f"{name}: {element_name(keyword)} cannot be read ({brief(exc)}): its "
                        "value is damaged, so its cell is empty. Get the file again from its "
                        "source."
                    )
            return tuple(values), problem or damaged
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a table of thousands
        return (None,) * len(keywords), _reason(name, path, exc)


def _well_formed_values(
    stream: BinaryIO, keywords: tuple[str, ...]
) -> tuple[tuple[Any, ...] | None, ...] | None:
    """The values of a well-formed native little-endian file, or None for any other file.

    Uses pydicom's element generator without building a Dataset (PS3.10 section 7.1:
    preamble, ``DICM``, file meta group in Explicit VR Little Endian; then the data
    set in the transfer syntax's encoding, up to (7FE0,0010) Pixel Data), and checks,
    as :func:`_incomplete` does, that Pixel Data holds Rows × Columns × BitsAllocated
    / 8 bytes. ``None`` when anything is unusual: another transfer syntax, no pixel
    data, too few bytes, or a wanted value that only pydicom can decode.
    """
    wanted = _wanted_tags(keywords)
    raw = raw_elements(stream, wanted)
    if raw is None:
        return None
    meta, elements, implicit = raw.meta, raw.elements, raw.implicit
    expected = _expected_bytes([_decoded(_element(elements, k), k, True, "ascii")
                                for k in _PIXEL_MODULE])
    if expected is None:
        return None
    # The walk stopped at Pixel Data, which must hold what the image size needs.
    extent = pixel_data_extent(stream, implicit=implicit)
    if extent is None or extent.element.vr not in (None, *PIXEL_VRS):
        return None  # no Pixel Data there, or a damaged one: the full path says which
    if not holds_expected(extent.held, expected):
        return None
    encoding = _text_encoding(_element(elements, "SpecificCharacterSet"))
    values = []
    for keyword in keywords:
        tag = _tag_and_vr(keyword)[0]
        source = meta if tag is not None and tag >> 16 == 0x0002 else elements
        value = _decoded(_element(source, keyword), keyword, True, encoding)
        if value is _UNDECODED:
            return None
        values.append(value)
    return tuple(values)


@functools.cache
def _wanted_tags(keywords: tuple[str, ...]) -> frozenset[int]:
    """The data set's tags :func:`_well_formed_values` reads: the keywords', the Image
    Pixel module's (for the length check) and (0008,0005) Specific Character Set."""
    tags = {_tag_and_vr(k)[0] for k in (*keywords, *_PIXEL_MODULE)}
    return frozenset(int(t) for t in tags if t is not None and t >> 16 != 0x0002) | {
        int(SPECIFIC_CHARACTER_SET)}


def _element(elements: Mapping[Any, Any], keyword: str) -> Any:
    """The raw element of a keyword in a tag → element mapping, or None."""
    tag = _int_tag(keyword)
    return None if tag is None else elements.get(tag)


@functools.cache
def _int_tag(keyword: str) -> int | None:
    """A keyword's tag as a plain ``int`` (a BaseTag key is slower to look up)."""
    tag = _tag_and_vr(keyword)[0]
    return None if tag is None else int(tag)



@functools.cache
def _tag_and_vr(keyword: str) -> tuple[BaseTag | None, str]:
    """A keyword's tag and its VR in the data dictionary (looked up once)."""
    tag = tag_for_keyword(keyword)
    if tag is None:
        return None, ""
    return BaseTag(tag), dictionary_VR(tag)


def _raw_values(ds: Dataset, keyword: str, little: bool) -> tuple[Any, ...] | None:
    """Values of an element of ``ds`` not yet converted by pydicom (see :func:`_decoded`).

    ``None`` for an absent element, or one that pydicom must decode: then
    :func:`_values` asks pydicom.
    """
    tag = _tag_and_vr(keyword)[0]
    if tag is None or tag >> 16 == 0x0002:
        return None
    value = _decoded(ds.get_item(tag), keyword, little,
                     _text_encoding(ds.get_item(SPECIFIC_CHARACTER_SET)))
    return None if value is _UNDECODED else value


def _text_encoding(charset: Any) -> str | None:
    """The Python codec of a (0008,0005) Specific Character Set, if one codec reads it all.

    No element, or ``ISO_IR 6``: ASCII (the default repertoire). One defined term
    without code extensions (``ISO_IR 100`` Latin-1, ``ISO_IR 192`` UTF-8…, PS3.3
    C.12.1.1.2): the codec pydicom uses for it (``pydicom.charset.python_encoding``).
    Several terms (ISO 2022 escape sequences) or an unknown one: ``None``, pydicom
    decodes.
    """
    if charset is None:
        return "ascii"
    value = charset.value
    if not isinstance(value, bytes | bytearray):
        return None
    terms = [t.strip(" \x00") for t in bytes(value).decode("ascii", "replace").split("\\")]
    if len(terms) != 1:
        return None
    if terms[0] in ("", "ISO_IR 6"):
        return "ascii"
    return _SINGLE_CODEC.get(terms[0])


def _decoded(raw: Any, keyword: str, little: bool, encoding: str | None) -> Any:
    """An element's values decoded straight from its bytes.

    pydicom turns each value into a validated object (``DSfloat``, ``UID``…), which
    costs more than reading the whole header; a table needs plain numbers and strings.
    Only VRs with a fixed encoding are decoded here: binary numbers (PS3.5 section
    6.2), the strings of the default character repertoire (DS, IS, CS, UI, DA, TM,
    AS), and LO/SH in the codec of the (0008,0005) Specific Character Set
    (``encoding``, see :func:`_text_encoding`; ``None``: pydicom decodes them).
    Returns the values as a tuple, ``None`` if the element is absent, or
    :data:`_UNDECODED` for anything else (empty, odd, or another VR): pydicom decides.
    """
    if raw is None:
        return None
    if not isinstance(raw.value, bytes | bytearray):
        return _UNDECODED
    vr = raw.VR or _tag_and_vr(keyword)[1]
    data = bytes(raw.value)
    if not data:
        return _UNDECODED
    if vr in _BINARY:
        code, size = _BINARY[vr]
        if len(data) % size:
            return _UNDECODED
        order = "<" if little else ">"
        return tuple(struct.unpack(f"{order}{len(data) // size}{code}", data))
    if vr not in _ASCII_VRS and not (vr in _TEXT_VRS and encoding is not None):
        return _UNDECODED
    codec = "ascii" if vr in _ASCII_VRS or encoding is None else encoding
    try:
        text = data.decode(codec)
        # As pydicom: LO/SH lose each value's trailing padding, the other string VRs the
        # whole string's (pydicom.values.convert_text, multi_string); leading spaces stay.
        items = ([item.rstrip(" \x00") for item in text.split("\\")] if vr in _TEXT_VRS
                 else text.rstrip(" \x00").split("\\"))
        if vr == "DS":
            return tuple(float(item) for item in items)
        if vr == "IS":
            return tuple(int(item) for item in items)
    except (UnicodeDecodeError, ValueError):
        return _UNDECODED
    return tuple(items) if items != [""] else _UNDECODED


def _values(ds: Dataset, keyword: str) -> tuple[Any, ...] | None:
    """An element's values as plain ``int``, ``float`` or ``str``; None if absent or empty."""
    tag = tag_for_keyword(keyword)
    source = ds.file_meta if tag is not None and tag >> 16 == 0x0002 else ds
    value = source.get(keyword)
    if value is None:
        return None
    if isinstance(value, MultiValue | list | tuple):
        return tuple(_plain(item) for item in value) or None
    return (_plain(value),)


def _plain(value: Any) -> int | float | str:
    """A pydicom value (DSfloat, IS, UID, PersonName…) as a plain Python number or string."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float | Decimal):
        return float(value)
    return str(value)


def _incomplete(ds: Dataset, name: str, stream: IO[bytes]) -> str | None:
    """Why a file whose header was read is unusable, or None; ``stream`` is at Pixel Data.

    The checks of ``ctlib.read(header_only=True)``, and the length test of a full
    ``ctlib.read`` done without reading Pixel Data: the bytes after its element header
    (8 bytes in Implicit VR, 12 in Explicit VR for OB/OW, PS3.5 section 7.1) must hold
    what Rows × Columns × Samples × Frames × BitsAllocated / 8 requires, and in Explicit
    VR the element's VR must be one pydicom can read it with (OB, OW or UN).

    A Deflated file is read whole instead (positions in ``stream`` are not those of the
    inflated data set, and pydicom inflates all of it anyway), and given the checks of a
    full ``ctlib.read``.
    """
    stopped_at = stream.tell()
    syntax = UID(ds.file_meta.get("TransferSyntaxUID", ""))
    if syntax == DeflatedExplicitVRLittleEndian:
        stream.seek(0)
        try:
            check_complete(dcmread(stream), name, header_only=False, at_pixel_data=False)
        except DicomError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - as ctlib.read words it
            return (
                f"{name}: the file is damaged and pydicom could not parse it ({brief(exc)}). "
                + HOW_TO_CHECK
            )
        return None
    at_pixel_data = stream.read(4) in PIXEL_DATA_TAGS
    stream.seek(stopped_at)
    try:
        check_complete(ds, name, header_only=True, at_pixel_data=at_pixel_data)
    except DicomError as exc:
        return str(exc)
    try:
        implicit, little = syntax.is_implicit_VR, syntax.is_little_endian
        expected = None if syntax.is_compressed else _pixel_bytes(ds, little)
    except ValueError:  # a transfer syntax pydicom does not know: the length cannot be judged
        return None
    if expected is None:
        return None
    extent = pixel_data_extent(stream, implicit=implicit, little=little)
    if extent is None:  # the element's header itself is cut short
        return pixel_length_problem(name, 0, expected, cut=True)
    if extent.element.vr not in (None, *PIXEL_VRS):
        return (  # as ctlib.read finds
            f"{name}: {element_name('PixelData')} cannot be read (its VR is "
            f"{extent.element.vr!r}, not OB or OW): the file is damaged. {HOW_TO_CHECK}"
        )
    return pixel_length_problem(name, extent.held, expected, cut=extent.cut)


def _pixel_bytes(ds: Dataset, little: bool) -> int | None:
    """:func:`ctlib._internals.elements.expected_pixel_bytes`, from the raw values when it can."""
    expected = _expected_bytes([_raw_values(ds, k, little) for k in _PIXEL_MODULE])
    return expected if expected is not None else expected_pixel_bytes(ds)


def _expected_bytes(numbers_: Sequence[Any]) -> int | None:
    """Rows × Columns × Samples × Frames × BitsAllocated / 8, rounded up (PS3.3 C.7.6.3).

    ``numbers_`` are the decoded values of :data:`_PIXEL_MODULE`, in its order; ``None``
    unless the first three are one number each and none is :data:`_UNDECODED`.
    """
    if any(n is _UNDECODED for n in numbers_) or any(not n or len(n) != 1
                                                     for n in numbers_[:3]):
        return None
    rows, columns, bits = (int(n[0]) for n in numbers_[:3])
    samples, frames = (int(n[0]) if n and n[0] else 1 for n in numbers_[3:])
    return (rows * columns * samples * frames * bits + 7) // 8


def _reason(name: str, path: str, exc: Exception) -> str:
    """The ``error`` text for a file whose header could not be read (as ``ctlib.read`` words it)."""
    if isinstance(exc, IsADirectoryError | PermissionError) and os.path.isdir(path):
        return (
            f"{name}: is a folder, not a file. List the .dcm files inside it, such as "
            "sorted(folder.glob('*.dcm'))."
        )
    if isinstance(exc, FileNotFoundError):
        return (
            f"{name}: no such file. Check the path (it is relative to the current folder "
            "unless it starts with '/')."
        )
    if isinstance(exc, PermissionError):
        return f"{name}: permission denied. Make the file readable (chmod u+r) or copy it."
    if isinstance(exc, InvalidDicomError):
        return not_dicom_message(name, path)
    return (
        f"{name}: the file is damaged and pydicom could not parse its header "
        f"({brief(exc)}). {HOW_TO_CHECK}"
    )


def element_table(ds: Dataset) -> pd.DataFrame:
    """One row per data element: tag, keyword, VR, VM and a short value.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A data set or its ``file_meta``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.WindowCenter = ["36", "36"]
    >>> element_table(ds).iloc[0].to_dict()
    {'tag': '(0028,1050)', 'keyword': 'WindowCenter', 'VR': 'DS', 'VM': 2, 'value': '[36, 36]'}
    """
    import pandas as pd

    rows = []
    with allow_rsna_uids():
        for element in ds:
            if element.keyword == "PixelData":
                value = f"<{len(element.value)} bytes>"
            else:
                value = str(element.value)
                value = value if len(value) <= 48 else value[:45] + "..."
            rows.append({
                "tag": f"({element.tag.group:04X},{element.tag.element:04X})",
                "keyword": element.keyword,
                "VR": str(element.VR),
                "VM": element.VM,
                "value": value,
            })
    return pd.DataFrame(rows)
