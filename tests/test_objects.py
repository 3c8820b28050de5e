"""Tests of ctlib.objects: DICOM objects that are not CT slices, named for what they are."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
import scanners
from pydicom.dataset import Dataset

import ctlib
from ctlib.objects import MEDIA_DIRECTORY, holds_no_image, not_a_slice


def header_of(path: Path) -> Dataset:
    return pydicom.dcmread(path, stop_before_pixels=True)


class TestNamedFromTheHeader:
    """Each object a scanner or PACS export holds, as tests/scanners.py writes them."""

    def test_a_ct_slice_is_a_slice(self, tmp_path: Path) -> None:
        files = scanners.write_series(tmp_path, scanners.even(count=2))
        assert not_a_slice(header_of(files[0])) is None
        assert holds_no_image(header_of(files[0])) is None

    @pytest.mark.parametrize(("write", "named"), [
        (scanners.localizer, "a localizer (scout) image"),
        (scanners.dose_screen, "a secondary capture"),
        (scanners.dose_report, "a structured report"),
        (scanners.presentation_state, "a presentation state"),
        (scanners.mr_image, "an MR object, not CT"),
    ])
    def test_each_object_is_named(self, tmp_path: Path, write: object, named: str) -> None:
        path = tmp_path / "object"
        write(path, study=pydicom.uid.generate_uid())  # type: ignore[operator]
        assert str(not_a_slice(header_of(path))).startswith(named)

    def test_only_objects_without_pixels_hold_no_image(self, tmp_path: Path) -> None:
        scanners.localizer(tmp_path / "scout", study=pydicom.uid.generate_uid())
        scanners.dose_report(tmp_path / "sr", study=pydicom.uid.generate_uid())
        assert holds_no_image(header_of(tmp_path / "scout")) is None  # it is an image
        assert "structured report" in str(holds_no_image(header_of(tmp_path / "sr")))

    def test_dicomdir(self, export: dict[str, object]) -> None:
        header = header_of(Path(export["dicomdir"]))  # type: ignore[arg-type]
        assert header.file_meta.MediaStorageSOPClassUID == MEDIA_DIRECTORY
        assert str(not_a_slice(header)).startswith("a DICOMDIR")


class TestReadingThem:
    """ctlib.read and ctlib.metadata_table on them: named, never 'truncated'."""

    def test_non_slices_read_and_named(self, export: dict[str, object]) -> None:
        dicomdir = Path(export["dicomdir"])  # type: ignore[arg-type]
        header = ctlib.read(dicomdir, header_only=True)  # a complete header: no complaint
        assert "DirectoryRecordSequence" in header
        with pytest.raises(ctlib.DicomError, match=r"DICOMDIR: this is a DICOMDIR.*Pass the "
                           r"folder it is in to ctlib.load_series"):
            ctlib.read(dicomdir)
        sr = next(p for p in dicomdir.parent.rglob("SR*"))
        with pytest.raises(ctlib.DicomError, match="a structured report"):
            ctlib.read(sr)
        table = ctlib.metadata_table(dicomdir.parent, progress=False)
        assert len(table) == 1 + export["slices"] + export["others"]  # type: ignore[operator]
