"""The bad-input corpus: files learners may point ctlib at, each with the answer ctlib must give.

Every case is built here, in a test folder, from a small valid CT slice (nothing is
downloaded). :data:`CASES` is the table: for each case and each entry point of
:data:`ENTRY_POINTS`, the expected outcome is written down as

* :class:`Result`: the call returns, and the result is exactly right (the slice's
  known HU, its window, its PNG…), or passes the case's own check;
* :class:`Raises`: the call raises this :class:`ctlib.CtlibError` subclass, whose
  message contains these fragments (and the element's tag and keyword, if given);
* :class:`Reports`: (``metadata_table`` only) the call returns a row whose ``error``
  says so, with the same fragments.

``tests/test_robustness.py`` runs the table; ``len(CASES) * len(ENTRY_POINTS)``
is the number of (file, entry point) pairs tried.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from conftest import build_ct
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.pixels import get_decoder
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    HTJ2KLossless,
    JPEG2000Lossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    RLELossless,
    SecondaryCaptureImageStorage,
)

import ctlib
from ctlib.viewer import show

#: The slice every case starts from: a 32×32 gradient from −1024 to 1000 HU.
BASE_HU = np.linspace(-1024, 1000, 32 * 32).reshape(32, 32).round().astype(np.int16)
BASE_WINDOW = (40, 80)  # its (0028,1050)/(0028,1051) values, and the viewer's brain preset


def base_ct(stored: np.ndarray | None = None, **elements: Any) -> Dataset:
    """The valid CT slice (stored = HU + 1024, intercept −1024), with everything
    ``load_series`` and ``header_window`` need; ``elements`` replace or add elements."""
    elements = {"SeriesInstanceUID": "1.2.826.0.1.3680043.8.498.7",
                "ImagePositionPatient": ["0", "0", "0"],
                "ImageOrientationPatient": ["1", "0", "0", "0", "1", "0"],
                "PixelSpacing": ["0.5", "0.5"], "WindowCenter": "40", "WindowWidth": "80",
                **elements}
    if stored is None:
        stored = (BASE_HU + 1024).astype(np.int16)
    return build_ct(stored, intercept=-1024, **elements)


# --- the entry points ----------------------------------------------------------------------

def _read(path: Path) -> Any:
    return ctlib.read(path)


def _read_header(path: Path) -> Any:
    return ctlib.read(path, header_only=True)


def _to_hu(path: Path) -> Any:
    return ctlib.to_hu(ctlib.read(path))


def _window(path: Path) -> Any:
    ds = ctlib.read(path)
    chosen = ctlib.header_window(ds)  # the window the file itself suggests
    return ctlib.window(ctlib.to_hu(ds), chosen)


def _load_series(path: Path) -> Any:
    return ctlib.load_series([path])


def _metadata_table(path: Path) -> Any:
    return ctlib.metadata_table([path], progress=False)


def _viewer(path: Path) -> Any:
    return show(ctlib.to_hu(ctlib.read(path)), engine="kernel")  # renders a PNG


#: The public entry points every case goes through: name → call on one file.
ENTRY_POINTS: dict[str, Callable[[Path], Any]] = {
    "read": _read,
    "read_header": _read_header,
    "to_hu": _to_hu,
    "window": _window,
    "load_series": _load_series,
    "metadata_table": _metadata_table,
    "viewer": _viewer,
}


def _png_pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def _exact(entry: str, result: Any) -> bool:
    """The standard check of a returned result: exactly what the base slice gives."""
    if entry == "read":
        return isinstance(result, Dataset) and "PixelData" in result
    if entry == "read_header":
        return isinstance(result, Dataset) and "PixelData" not in result
    if entry == "to_hu":
        return result.dtype == np.float32 and np.array_equal(result, BASE_HU)
    if entry == "window":
        return np.array_equal(result, ctlib.window(BASE_HU, *BASE_WINDOW))
    if entry == "load_series":
        return result.hu.shape == (1, 32, 32) and np.array_equal(result.hu[0], BASE_HU)
    if entry == "metadata_table":
        return len(result) == 1 and result["error"].item() is None
    if entry == "viewer":
        expected = ctlib.window(BASE_HU, *BASE_WINDOW, dtype=np.uint8)
        return np.array_equal(_png_pixels(bytes(result.image.value)), expected)
    raise AssertionError(entry)


# --- expected outcomes ---------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """The call returns; ``check(result)`` holds (default: exactly the base slice's answer)."""

    check: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Raises:
    """The call raises ``error``; its message holds every fragment and ``element``."""

    error: type[ctlib.CtlibError]
    fragments: tuple[str, ...]
    element: str | None = None


@dataclass(frozen=True)
class Reports:
    """metadata_table returns the row, its ``error`` holding every fragment and ``element``."""

    fragments: tuple[str, ...]
    element: str | None = None


Outcome = Result | Raises | Reports


@dataclass(frozen=True)
class Case:
    """One bad input: how to build it and what each entry point must do with it."""

    name: str
    kind: str  # the bad-input class of the issue, for the closing report
    build: Callable[[Path], Path]
    expect: Mapping[str, Outcome] = field(repr=False)

    def __post_init__(self) -> None:
        assert set(self.expect) == set(ENTRY_POINTS), self.name


class Unavailable(Exception):
    """A case that cannot be built here (e.g. no JPEG 2000 encoder in Pillow)."""


def all_results() -> dict[str, Outcome]:
    """Every entry point returns the exact answer."""
    return {entry: Result() for entry in ENTRY_POINTS}


def unreadable(*fragments: str, element: str | None = None,
               header: Outcome | None = None) -> dict[str, Outcome]:
    """``read`` refuses the file: so does everything built on it (DicomError);
    ``load_series`` names it as the reason no file can be used, ``metadata_table``
    reports it in its row. ``header``: a header-only read's outcome, if it differs."""
    fails = Raises(ctlib.DicomError, fragments, element)
    return {"read": fails, "read_header": header or fails, "to_hu": fails, "window": fails,
            "viewer": fails, "load_series": Raises(ctlib.CtlibError, fragments, element),
            "metadata_table": Reports(fragments, element)}


def refused(error: type[ctlib.CtlibError], *fragments: str, element: str | None = None,
            metadata: Outcome | None = None, series: Outcome | None = None
            ) -> dict[str, Outcome]:
    """The file reads, but it is not a slice ``to_hu`` can convert: HU, window, viewer and
    ``load_series`` refuse it; the header table has the row (``metadata``: unless not)."""
    fails = Raises(error, fragments, element)
    return {"read": Result(), "read_header": Result(), "to_hu": fails, "window": fails,
            "viewer": fails, "load_series": series or Raises(ctlib.CtlibError, fragments, element),
            "metadata_table": metadata or Result()}


def bad_window(*fragments: str, element: str) -> dict[str, Outcome]:
    """Only the header's window is unusable: the HU are right, the window is refused."""
    return {**all_results(), "window": Raises(ctlib.HeaderError, fragments, element)}


def compressed(uid: UID, *, decodable_data: bool) -> dict[str, Outcome]:
    """The outcome for a compressed file, given whether a decoder is installed here."""
    if get_decoder(uid).is_available:
        if decodable_data:
            return all_results()
        return refused(ctlib.DicomError, "cannot decode", uid.name, str(uid), "damaged",
                       element="(7FE0,0010) PixelData")
    return refused(ctlib.DicomError, uid.name, str(uid), "no decoder", "pip install",
                   element="(7FE0,0010) PixelData")


# --- builders ------------------------------------------------------------------------------

def _save(ds: Dataset, path: Path) -> Path:
    ds.save_as(path, enforce_file_format=True)
    return path


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _saved(name: str, **elements: Any) -> Callable[[Path], Path]:
    """Builder: the base slice with ``elements`` changed (``None`` deletes one)."""
    def build(folder: Path) -> Path:
        ds = base_ct(**{k: v for k, v in elements.items() if v is not None})
        for keyword in [k for k, v in elements.items() if v is None]:
            delattr(ds, keyword)
        return _save(ds, folder / name)
    return build


def _patched(name: str, tag: int, value: bytes, **elements: Any) -> Callable[[Path], Path]:
    """Builder: the base slice with one element's bytes replaced (as pydicom will not write
    them): an explicit VR element with a 2-byte length, such as US or DS."""
    def build(folder: Path) -> Path:
        raw = _saved(name, **elements)(folder).read_bytes()
        key = struct.pack("<HH", tag >> 16, tag & 0xFFFF)
        at = raw.index(key, 132)
        length = struct.unpack("<H", raw[at + 6:at + 8])[0]
        patched = raw[:at + 6] + struct.pack("<H", len(value)) + value + raw[at + 8 + length:]
        return _write(folder / name, patched)
    return build


def _cut(name: str, where: Callable[[bytes], int]) -> Callable[[Path], Path]:
    """Builder: the base slice's file, cut at ``where(content)``."""
    def build(folder: Path) -> Path:
        raw = _saved(name)(folder).read_bytes()
        return _write(folder / name, raw[:where(raw)])
    return build


def _pixels_at(raw: bytes) -> int:
    return raw.rfind(b"\xe0\x7f\x10\x00")  # (7FE0,0010) Pixel Data, little endian


def _png(folder: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\0" * 20)) + chunk(b"IEND", b""))
    return _write(folder / "scan.dcm", png)  # a PNG renamed .dcm


def _bare(folder: Path) -> Path:
    """The data set alone: no preamble, no 'DICM', no file meta (a raw network capture)."""
    ds = base_ct()
    del ds.file_meta
    stream = DicomBytesIO()
    stream.is_little_endian, stream.is_implicit_VR = True, False
    write_dataset(stream, ds)
    return _write(folder / "bare.dcm", stream.getvalue())


def _no_preamble(folder: Path) -> Path:
    """File meta and data set, but no 128-byte preamble and no 'DICM'."""
    stream = io.BytesIO()
    base_ct().save_as(stream, enforce_file_format=False)
    return _write(folder / "no_preamble.dcm", stream.getvalue())


def _big_endian(folder: Path) -> Path:
    ds = base_ct()
    ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
    ds.PixelData = (BASE_HU + 1024).astype(">i2").tobytes()  # pydicom writes bytes as given
    return _save(ds, folder / "big_endian.dcm")


def _deflated(folder: Path) -> Path:
    ds = base_ct()
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    return _save(ds, folder / "deflated.dcm")


def _deflated_damaged(folder: Path) -> Path:
    raw = _deflated(folder).read_bytes()
    return _write(folder / "deflated_cut.dcm", raw[:-300])  # the zlib stream ends early


def _rle(folder: Path) -> Path:
    ds = base_ct()
    ds.compress(RLELossless)  # pydicom's own encoder
    return _save(ds, folder / "rle.dcm")


def _jpeg2000(folder: Path) -> Path:
    """A lossless JPEG 2000 slice, encoded with Pillow (unsigned stored values)."""
    from PIL import Image, features

    if not features.check("jpg_2000"):
        raise Unavailable("Pillow here cannot encode JPEG 2000")
    stored = (BASE_HU + 1024).astype(np.uint16)
    stream = io.BytesIO()
    Image.frombytes("I;16", (32, 32), stored.astype("<u2").tobytes()).save(
        stream, format="JPEG2000", irreversible=False, no_jp2=True)
    ds = base_ct(stored)
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless
    ds.PixelData = encapsulate([stream.getvalue()])
    ds["PixelData"].VR = "OB"
    return _save(ds, folder / "jpeg2000.dcm")


def _fake_compressed(name: str, uid: UID) -> Callable[[Path], Path]:
    """A file in a compressed transfer syntax whose one fragment is not a valid stream."""
    def build(folder: Path) -> Path:
        ds = base_ct()
        ds.file_meta.TransferSyntaxUID = uid
        ds.PixelData = encapsulate([b"\xff\xd8" + bytes(100) + b"\xff\xd9"])
        ds["PixelData"].VR = "OB"
        return _save(ds, folder / name)
    return build


def _secondary_capture(folder: Path) -> Path:
    """An RGB screenshot of a CT (Modality still CT), as PACS exports hold."""
    ds = base_ct()
    rgb = np.zeros((32, 32, 3), np.uint8)
    rgb[..., 0] = 200
    ds.set_pixel_data(rgb, "RGB", 8)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    return _save(ds, folder / "screenshot.dcm")


def _multi_frame(folder: Path) -> Path:
    ds = base_ct()
    ds.set_pixel_data(np.stack([(BASE_HU + 1024).astype(np.int16)] * 3), "MONOCHROME2", 16)
    return _save(ds, folder / "multi_frame.dcm")


def _huge_element(folder: Path) -> Path:
    """A private element declaring 4 GB (0xFFFFFFF0 bytes) in a file of a few KB."""
    ds = base_ct()
    ds.add_new(0x00090010, "LO", "CTLIB TEST")
    ds.add_new(0x00091010, "OB", bytes(8))
    raw = bytearray(_save(ds, folder / "huge_element.dcm").read_bytes())
    at = raw.index(b"\x09\x00\x10\x10OB")
    raw[at + 8:at + 12] = struct.pack("<I", 0xFFFFFFF0)
    return _write(folder / "huge_element.dcm", bytes(raw))


def _huge_pixel_length(folder: Path) -> Path:
    """Pixel Data declaring 4 GB, while the file holds exactly the image after it."""
    raw = bytearray(_saved("huge_pixel_length.dcm")(folder).read_bytes())
    at = _pixels_at(bytes(raw))
    raw[at + 8:at + 12] = struct.pack("<I", 0xFFFFFFF0)
    return _write(folder / "huge_pixel_length.dcm", bytes(raw))


def _pixel_vr_damaged(folder: Path) -> Path:
    """Pixel Data's VR changed from OW to 'NW' (found by the fuzz run, big endian first)."""
    raw = _saved("pixel_vr.dcm")(folder).read_bytes()
    at = _pixels_at(raw)
    return _write(folder / "pixel_vr.dcm", raw[:at + 4] + b"NW" + raw[at + 6:])


def _folder(folder: Path) -> Path:
    path = folder / "series.dcm"  # a folder whose name looks like a file
    path.mkdir()
    return path


_ROWS = "(0028,0010) Rows"
_PIXEL_DATA = "(7FE0,0010) PixelData"
_NOT_DICOM = ("not a DICOM file", "'DICM' marker")
_BARE = ("bare DICOM data set", "pydicom.dcmread(path, force=True)", "save_as")

#: The corpus. Names are unique; ``kind`` groups them as the issue lists them.
CASES: list[Case] = [
    # --- not DICOM at all, or not a Part-10 file --------------------------------------
    Case("empty", "not DICOM", lambda d: _write(d / "empty.dcm", b""), unreadable(*_NOT_DICOM)),
    Case("text", "not DICOM",
         lambda d: _write(d / "notes.dcm", b"Patient list, do not share\n" * 40),
         unreadable(*_NOT_DICOM)),
    Case("png_renamed", "not DICOM", _png, unreadable(*_NOT_DICOM)),
    Case("bare_data_set", "no preamble", _bare, unreadable(*_BARE, "(0008,0016)")),
    Case("no_preamble_with_file_meta", "no preamble", _no_preamble,
         unreadable(*_BARE, "(0002,")),
    # --- cut short, or pixel data that do not fit the header --------------------------
    Case("truncated_in_file_meta", "truncated header", _cut("cut_meta.dcm", lambda r: 150),
         unreadable("(0002,0010) TransferSyntaxUID", "truncated")),
    Case("truncated_in_data_set", "truncated header",
         _cut("cut_header.dcm", lambda r: _pixels_at(r) - 40),
         unreadable("truncated", element=_PIXEL_DATA)),
    Case("truncated_at_pixel_tag", "truncated header",
         _cut("cut_tag.dcm", lambda r: _pixels_at(r) + 6),
         unreadable("truncated", element=_PIXEL_DATA)),
    Case("truncated_pixel_data", "truncated pixel data",
         _cut("cut_pixels.dcm", lambda r: len(r) - 500),
         unreadable("holds 1548 bytes", "need 2048", "truncated", element=_PIXEL_DATA,
                    header=Result())),
    Case("pixel_data_longer_than_rows", "pixel length mismatch", _saved("long.dcm", Rows=16),
         unreadable("holds 2048 bytes", "gives 1024", "does not describe", _ROWS,
                    element=_PIXEL_DATA, header=Result())),
    Case("pixel_data_shorter_than_rows", "pixel length mismatch", _saved("short.dcm", Rows=33),
         unreadable("holds 2048 bytes", "gives 2112", "does not describe", _ROWS,
                    element=_PIXEL_DATA, header=Result())),
    Case("pixel_data_vr_damaged", "damaged element", _pixel_vr_damaged,
         unreadable("cannot be read", "'NW'", "damaged", element=_PIXEL_DATA,
                    header=Result())),
    Case("huge_element_length", "huge declared length", _huge_element,
         unreadable("declares 4294967280 bytes", "truncated", element="(0009,1010)")),
    Case("huge_pixel_data_length", "huge declared length", _huge_pixel_length, all_results()),
    Case("huge_image_size", "huge declared length",
         _saved("huge_size.dcm", Rows=65535, Columns=65535, NumberOfFrames=1000),
         unreadable("holds 2048 bytes", "gives 8589672450000", element=_PIXEL_DATA,
                    header=Result())),
    Case("folder", "folder", _folder,
         {**unreadable("is a folder, not a file"),
          "metadata_table": Reports(("is a folder, not a file", "glob"))}),
    Case("missing_file", "missing file", lambda d: d / "gone.dcm", unreadable("no such file")),
    # --- header elements missing, impossible or damaged ----------------------------
    Case("missing_rescale", "missing rescale",
         _saved("no_rescale.dcm", RescaleSlope=None, RescaleIntercept=None),
         refused(ctlib.HeaderError, "(0028,1052) RescaleIntercept", "missing",
                 "default_rescale", element="(0028,1053) RescaleSlope")),
    Case("missing_rows_columns", "missing rows/columns",
         _saved("no_size.dcm", Rows=None, Columns=None),
         refused(ctlib.HeaderError, "missing", element=_ROWS)),
    Case("bits_stored_above_allocated", "BitsStored > BitsAllocated",
         _saved("bits20.dcm", BitsStored=20, HighBit=19),
         refused(ctlib.HeaderError, "is 20", "(0028,0100) BitsAllocated",
                 element="(0028,0101) BitsStored")),
    Case("rescale_slope_garbage", "garbage text", _patched("slope_abc.dcm", 0x00281053, b"abc "),
         refused(ctlib.HeaderError, "'abc'", "not a number",
                 element="(0028,1053) RescaleSlope")),
    Case("rescale_slope_overflow", "impossible rescale",
         _patched("slope_huge.dcm", 0x00281053, b"1e30"),
         refused(ctlib.HeaderError, "finite float32", element="(0028,1053) RescaleSlope")),
    Case("damaged_binary_value", "damaged element",
         _patched("bits_damaged.dcm", 0x00280101, b"abc"),
         refused(ctlib.HeaderError, "cannot be read", "damaged",
                 element="(0028,0101) BitsStored",
                 metadata=Reports(("cannot be read",), "(0028,0101) BitsStored"))),
    Case("unknown_transfer_syntax", "unknown transfer syntax",
         lambda d: _unknown_syntax(d),
         refused(ctlib.DicomError, "'1.2.3.4'", "not a transfer syntax",
                 element="(0002,0010) TransferSyntaxUID")),
    # --- the header's window -------------------------------------------------------
    Case("window_width_negative", "bad window", _saved("w_neg.dcm", WindowWidth="-80"),
         bad_window("> 0", element="(0028,1051) WindowWidth")),
    Case("window_width_zero", "bad window", _saved("w_zero.dcm", WindowWidth="0"),
         bad_window("> 0", element="(0028,1051) WindowWidth")),
    Case("window_center_garbage", "garbage text", _patched("wc_abc.dcm", 0x00281050, b"abc "),
         bad_window("'abc'", "not a number", element="(0028,1050) WindowCenter")),
    Case("window_width_nan", "bad window", _patched("w_nan.dcm", 0x00281051, b"nan "),
         bad_window("not a finite number", element="(0028,1051) WindowWidth")),
    Case("window_missing", "bad window", _saved("w_none.dcm", WindowCenter=None),
         bad_window("missing", element="(0028,1050) WindowCenter")),
    Case("windows_of_unequal_length", "multi-valued window",
         _saved("w_multi.dcm", WindowCenter=["40", "80", "300"], WindowWidth=["80", "200"]),
         all_results()),
    # --- not a CT slice ------------------------------------------------------------
    Case("mr", "not CT", _saved("mr.dcm", Modality="MR"),
         refused(ctlib.HeaderError, "'MR'", "only for CT", element="(0008,0060) Modality",
                 # a folder scan names what the object is and leaves it out
                 series=Raises(ctlib.CtlibError, ("an MR object", "no CT slice"),
                               "(0008,0060) Modality"))),
    Case("secondary_capture_rgb", "not CT", _secondary_capture,
         refused(ctlib.HeaderError, "'RGB'", element="(0028,0004) PhotometricInterpretation",
                 series=Raises(ctlib.CtlibError, ("a secondary capture", "no CT slice")))),
    Case("monochrome1", "not CT", _saved("mono1.dcm", PhotometricInterpretation="MONOCHROME1"),
         refused(ctlib.HeaderError, "'MONOCHROME1'", "inverted",
                 element="(0028,0004) PhotometricInterpretation")),
    Case("multi_frame", "multi-frame", _multi_frame,
         refused(ctlib.HeaderError, "is 3", "several images", "pixel_array(ds, index=k)",
                 element="(0028,0008) NumberOfFrames")),
    # --- transfer syntaxes ---------------------------------------------------------
    Case("big_endian", "big endian", _big_endian, all_results()),
    Case("deflated", "deflated", _deflated, all_results()),
    Case("deflated_damaged", "deflated", _deflated_damaged,
         unreadable("damaged", "decompressing")),
    Case("rle", "compressed, decoder built in", _rle, all_results()),
    Case("jpeg2000", "compressed", _jpeg2000,
         compressed(JPEG2000Lossless, decodable_data=True)),
    Case("jpeg2000_damaged", "compressed", _fake_compressed("j2k_bad.dcm", JPEG2000Lossless),
         compressed(JPEG2000Lossless, decodable_data=False)),
    Case("jpeg_lossless", "compressed, no decoder",
         _fake_compressed("jpeg_lossless.dcm", JPEGLosslessSV1),
         compressed(JPEGLosslessSV1, decodable_data=False)),
    Case("jpeg_ls", "compressed, no decoder", _fake_compressed("jpeg_ls.dcm", JPEGLSLossless),
         compressed(JPEGLSLossless, decodable_data=False)),
    Case("htj2k", "compressed, no decoder", _fake_compressed("htj2k.dcm", HTJ2KLossless),
         compressed(HTJ2KLossless, decodable_data=False)),
]


def _unknown_syntax(folder: Path) -> Path:
    """A private transfer syntax UID ('1.2.3.4') over an Explicit VR Little Endian data set."""
    ds = base_ct()
    ds.file_meta.TransferSyntaxUID = "1.2.3.4"
    path = folder / "unknown_syntax.dcm"
    ds.save_as(path, enforce_file_format=True, implicit_vr=False, little_endian=True)
    return path


def build_corpus(folder: Path) -> dict[str, Path | Unavailable]:
    """Build every case in its own subfolder of ``folder``: case name → its path."""
    built: dict[str, Path | Unavailable] = {}
    for case in CASES:
        where = folder / case.name
        where.mkdir()
        try:
            built[case.name] = case.build(where)
        except Unavailable as reason:
            built[case.name] = reason
    return built


def bare_data_set_copy(path: Path, copy: Path) -> None:
    """What the message for a bare data set tells learners to do (tested to work)."""
    ds = pydicom.dcmread(path, force=True)
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.save_as(copy, enforce_file_format=True)


@contextmanager
def only_pydicom_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record warnings instead of raising them, then allow only pydicom's own.

    With random headers and bytes pydicom warns about invalid values, as it
    would for a learner; those warnings are its way of being forgiving, and
    whatever it then returns must still lead to a result or a CtlibError (as
    under ``-W error``, the test configuration, a warning would instead be
    raised inside pydicom). Any other warning (a numpy overflow in ctlib's
    arithmetic, say) fails the test.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    pydicom_dir = os.path.dirname(pydicom.__file__)
    for warning in caught:
        from_pydicom = os.path.abspath(warning.filename).startswith(pydicom_dir)
        allowed = (from_pydicom and issubclass(warning.category, UserWarning)) or issubclass(
            warning.category, ctlib.SeriesWarning)
        assert allowed, f"{warning.category.__name__} at {warning.filename}: {warning.message}"
