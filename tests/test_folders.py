"""Tests of ctlib.folders: the files of a folder as scanners and PACS export them (nested, no extension, DICOMDIR)."""

from __future__ import annotations

from pathlib import Path

import pydicom
import scanners

import ctlib


class TestStaleDicomdir:
    def test_files_added_after_the_export_are_found(self, tmp_path: Path) -> None:
        export = scanners.pacs_export(tmp_path / "CD")
        extra = scanners.write_series(tmp_path / "CD" / "LATER", scanners.even(count=3))
        found = ctlib.survey(tmp_path / "CD")
        assert set(found.series) == {export["series"],
                                     pydicom.dcmread(extra[0]).SeriesInstanceUID}
        listed = ctlib.folders.files_in(tmp_path / "CD")
        assert listed[0].name == "DICOMDIR" and listed[-3:] == extra

    def test_a_listed_file_that_is_missing_is_reported(self, tmp_path: Path) -> None:
        export = scanners.pacs_export(tmp_path / "CD")
        gone = next(p for p in (tmp_path / "CD").rglob("IM000003"))
        gone.unlink()
        found = ctlib.survey(tmp_path / "CD")
        assert len(found.series[str(export["series"])]) == int(export["slices"]) - 1
        assert any(path == gone and "no such file" in why for path, why in found.skipped)


class TestExports:
    def test_dicomdir_lists_the_files(self, export: dict[str, object]) -> None:
        root = Path(export["dicomdir"]).parent  # type: ignore[arg-type]
        listed = ctlib.folders.files_in(root)
        fileset = pydicom.fileset.FileSet(pydicom.dcmread(root / "DICOMDIR"))
        assert sorted(listed[1:]) == sorted(Path(i.path) for i in fileset)
        fileset._stage["t"].cleanup()  # FileSet's staging folder, else a ResourceWarning
        assert all(p.suffix == "" for p in listed)  # files without extension
