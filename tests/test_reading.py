"""Tests of ctlib.reading: reading files, and failing clearly on bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fingerprint

import ctlib


class TestRead:
    """ctlib.read on valid files."""

    def test_reads_pixels(self, ct_file: Path) -> None:
        """A full read has the pixel data and remembers the path as given."""
        ds = ctlib.read(ct_file)
        assert "PixelData" in ds
        assert ds.Rows == 64
        assert ds.filename == str(ct_file)

    def test_header_only_skips_pixels(self, ct_file: Path) -> None:
        """header_only=True stops before (7FE0,0010) but keeps the header."""
        ds = ctlib.read(ct_file, header_only=True)
        assert "PixelData" not in ds
        assert ds.Modality == "CT"

    def test_accepts_str(self, ct_file: Path) -> None:
        """A plain string path works as well as a Path."""
        assert ctlib.read(str(ct_file)).Columns == 64

    @pytest.mark.parametrize("header_only", [False, True])
    def test_file_unchanged(self, ct_file: Path, header_only: bool) -> None:
        """Reading never changes the file's bytes or modification time."""
        before = fingerprint(ct_file)
        ctlib.read(ct_file, header_only=header_only)
        assert fingerprint(ct_file) == before


class TestReadErrors:
    """ctlib.read on files it must refuse, each with a DicomError naming file and cause."""

    def test_missing_file(self, tmp_path: Path) -> None:
        """A path that does not exist."""
        path = tmp_path / "nope.dcm"
        with pytest.raises(ctlib.DicomError, match=r"nope\.dcm: no such file"):
            ctlib.read(path)

    def test_folder(self, tmp_path: Path) -> None:
        """A folder is not a file."""
        with pytest.raises(ctlib.DicomError, match="is a folder"):
            ctlib.read(tmp_path)

    @pytest.mark.parametrize(
        "content", [b"", b"hello, this is a text file\n" * 20, b"\x89PNG\r\n\x1a\n" + bytes(200)]
    )
    def test_not_dicom(self, tmp_path: Path, content: bytes) -> None:
        """Empty, text and PNG content: no DICM marker."""
        path = tmp_path / "fake.dcm"
        path.write_bytes(content)
        before = fingerprint(path)
        with pytest.raises(ctlib.DicomError, match=r"fake\.dcm: not a DICOM file.*DICM"):
            ctlib.read(path)
        assert fingerprint(path) == before

    @pytest.mark.parametrize("header_only", [False, True])
    @pytest.mark.parametrize(
        "where", ["preamble", "file meta", "data set", "pixel tag", "pixel data", "last byte"]
    )
    def test_truncated(self, ct_file: Path, where: str, header_only: bool) -> None:
        """A file cut anywhere is reported, never returned half-read (pydicom would)."""
        data = ct_file.read_bytes()
        pixels_at = data.rfind(b"\xe0\x7f\x10\x00")  # (7FE0,0010) tag, little endian
        cut = {
            "preamble": 100,
            "file meta": 150,
            "data set": pixels_at - 30,
            "pixel tag": pixels_at + 6,
            "pixel data": pixels_at + 500,
            "last byte": len(data) - 1,
        }[where]
        path = ct_file.with_name("cut.dcm")
        path.write_bytes(data[:cut])
        before = fingerprint(path)
        if header_only and cut >= pixels_at + 12:
            # The header and Pixel Data's own 12-byte element header are there:
            # a header-only read is complete.
            assert ctlib.read(path, header_only=True).Rows == 64
        else:
            with pytest.raises(ctlib.DicomError, match=r"cut\.dcm: .*(truncated|DICM)"):
                ctlib.read(path, header_only=header_only)
        assert fingerprint(path) == before

    def test_truncated_pixel_data_message(self, ct_file: Path) -> None:
        """A short Pixel Data says how many bytes it has and needs."""
        path = ct_file.with_name("short.dcm")
        path.write_bytes(ct_file.read_bytes()[:-100])
        with pytest.raises(ctlib.DicomError, match=r"\(7FE0,0010\) PixelData holds 8092 bytes"):
            ctlib.read(path)

    def test_errors_are_ctlib_errors(self, tmp_path: Path) -> None:
        """DicomError is a CtlibError, so one except clause catches everything."""
        assert issubclass(ctlib.DicomError, ctlib.CtlibError)
        with pytest.raises(ctlib.CtlibError):
            ctlib.read(tmp_path / "missing.dcm")


class TestReadHeader:
    """ctlib._internals.elements.read_header gives what dcmread(stop_before_pixels=True) gives."""

    @staticmethod
    def both(path: Path) -> tuple[object, int, object, int]:
        """(fast header, stream position, dcmread header, stream position)."""
        import pydicom

        from ctlib._internals.elements import read_header

        with open(path, "rb") as stream:
            fast = read_header(stream)
            fast_at = stream.tell()
        with open(path, "rb") as stream:
            full = pydicom.dcmread(stream, stop_before_pixels=True)
            full_at = stream.tell()
        return fast, fast_at, full, full_at

    def test_every_synthetic_file(self) -> None:
        """Same elements, file meta, encoding and stream position, for all 646 files."""
        with ctlib.allow_rsna_uids():
            for path in ctlib.open_data().files():
                fast, fast_at, full, full_at = self.both(path)
                assert fast == full and fast.file_meta == full.file_meta, path.name
                assert fast.original_encoding == full.original_encoding, path.name
                assert fast.preamble == full.preamble and fast_at == full_at, path.name

    @pytest.mark.parametrize("variant", ["implicit", "big_endian", "charset", "no_preamble"])
    def test_other_files_go_to_dcmread(self, variant: str, tmp_path: Path) -> None:
        """Implicit VR is read directly; big endian, a character set, no preamble via dcmread."""
        import numpy as np
        from conftest import build_ct
        from pydicom.uid import ExplicitVRBigEndian, ImplicitVRLittleEndian

        ds = build_ct(np.arange(16, dtype=np.int16).reshape(4, 4))
        path = tmp_path / f"{variant}.dcm"
        if variant == "implicit":
            ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
        elif variant == "big_endian":
            ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
            ds.PixelData = ds.pixel_array.astype(">i2").tobytes()
        elif variant == "charset":
            ds.SpecificCharacterSet = "ISO_IR 100"
            ds.PatientName = "Müller^Anna"
        if variant == "no_preamble":
            ds.save_as(path, enforce_file_format=False, implicit_vr=False, little_endian=True)
            raw = path.read_bytes()
            path.write_bytes(raw[raw.index(b"\x08\x00"):])  # the data set alone
            import pydicom
            from pydicom.errors import InvalidDicomError

            from ctlib._internals.elements import read_header

            with open(path, "rb") as stream, pytest.raises(InvalidDicomError):  # as dcmread
                read_header(stream)
            with pytest.raises(InvalidDicomError):
                pydicom.dcmread(path, stop_before_pixels=True)
            return
        ds.save_as(path, enforce_file_format=True)
        fast, fast_at, full, full_at = self.both(path)
        assert fast == full and fast_at == full_at
        assert fast.original_encoding == full.original_encoding
        if variant == "charset":
            assert str(fast.PatientName) == "Müller^Anna"
