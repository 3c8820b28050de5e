"""Tests of ctlib.metadata_table: header-only reading, in this process or in workers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydicom
import pytest
from conftest import build_ct
from pydicom.multival import MultiValue
from pydicom.uid import ImplicitVRLittleEndian

import ctlib
from ctlib.metadata import HEADER_KEYWORDS, metadata_table

#: The columns of a table of HEADER_KEYWORDS when no file has more values than its VM requires.
DOCUMENTED_COLUMNS = [
    "file", "path", "SOPInstanceUID", "Modality", "PatientID", "StudyInstanceUID",
    "SeriesInstanceUID", *(f"ImagePositionPatient_{i}" for i in range(3)),
    *(f"ImageOrientationPatient_{i}" for i in range(6)), "Rows", "Columns", "PixelSpacing_0",
    "PixelSpacing_1", "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation",
    "WindowCenter_0", "WindowWidth_0", "RescaleIntercept", "RescaleSlope",
    "PhotometricInterpretation", "error",
]


@pytest.fixture(scope="module")
def data(synthetic: ctlib.DataSet) -> ctlib.DataSet:
    """The full synthetic set (tests/conftest.py), under the name these tests use."""
    return synthetic


@pytest.fixture(scope="module")
def files(data: ctlib.DataSet) -> list[Path]:
    """Every file of the synthetic set, sorted by name."""
    return data.files()


@pytest.fixture(scope="module")
def serial(files: list[Path]) -> pd.DataFrame:
    """The table of the whole set, read in this process."""
    return metadata_table(files, progress=False)


@pytest.fixture(scope="module")
def truncated(data: ctlib.DataSet) -> Path:
    """The file whose pixel data is cut short."""
    (sop,) = data.manifest["quirks"]["truncated_pixel_data"]
    return data.path(sop)


@pytest.fixture
def small_ct(tmp_path: Path) -> Path:
    """A valid 4×4 CT file with a single-valued window."""
    path = tmp_path / "good.dcm"
    build_ct(np.zeros((4, 4), np.int16), WindowCenter="40", WindowWidth="80").save_as(
        path, enforce_file_format=True
    )
    return path


def pydicom_values(path: Path) -> Iterator[tuple[str, Any]]:
    """(column, value) pairs from an independent full read with pydicom."""
    with ctlib.allow_rsna_uids():
        ds = pydicom.dcmread(path)
        for keyword in HEADER_KEYWORDS:
            value = ds.get(keyword)
            if isinstance(value, MultiValue):
                for i, item in enumerate(value):
                    yield f"{keyword}_{i}", item
            elif keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing",
                             "WindowCenter", "WindowWidth"):
                yield f"{keyword}_0", value
            else:
                yield keyword, value


class TestParallel:
    """workers=k gives the same table as reading in this process."""

    def test_serial_equals_workers(self, files: list[Path], serial: pd.DataFrame) -> None:
        """Identical values, dtypes, columns and order with two processes."""
        parallel = metadata_table(files, workers=2, progress=False)
        assert parallel.equals(serial)
        assert parallel.columns.tolist() == serial.columns.tolist()
        assert (parallel.dtypes == serial.dtypes).all()

    def test_one_worker(self, files: list[Path], serial: pd.DataFrame) -> None:
        """One worker process is a valid choice too."""
        assert metadata_table(files[:40], workers=1, progress=False).equals(serial.iloc[:40])

    @pytest.mark.parametrize("workers", [None, 2])
    def test_order_follows_input(
        self, files: list[Path], serial: pd.DataFrame, workers: int | None
    ) -> None:
        """Shuffled paths come back in the shuffled order, each row with its own values."""
        order = np.random.default_rng(7).permutation(len(files))
        table = metadata_table([files[i] for i in order], workers=workers, progress=False)
        assert table["file"].tolist() == [files[i].name for i in order]
        assert table.equals(serial.iloc[order].reset_index(drop=True))

    @pytest.mark.parametrize("workers", [None, 2])
    def test_empty(self, workers: int | None) -> None:
        """No files: no rows, and the documented columns with numeric dtypes."""
        table = metadata_table([], workers=workers, progress=False)
        assert table.empty and len(table) == 0
        assert table.columns.tolist() == DOCUMENTED_COLUMNS
        assert table["Rows"].dtype == np.int64
        assert table["WindowCenter_0"].dtype == np.float64
        assert table["error"].dtype == object

    @pytest.mark.parametrize("workers", [0, -1, 1.5, "2", True, np.float64(2.0)])
    def test_bad_workers(self, small_ct: Path, workers: Any) -> None:
        """Anything but None or a whole number >= 1 is refused with what to pass."""
        with pytest.raises(ctlib.ArgumentError, match=r"workers=.*pass None .* at least 1"):
            metadata_table([small_ct], workers=workers, progress=False)

    def test_numpy_integer_workers(self, small_ct: Path) -> None:
        """A NumPy integer (e.g. from a computation) is a whole number too."""
        table = metadata_table([small_ct], workers=np.int64(1), progress=False)
        assert table["error"].isna().all()


class TestErrors:
    """A file that cannot be used gets a row with the reason, never an exception."""

    @pytest.mark.parametrize("workers", [None, 2])
    def test_bad_files(
        self, tmp_path: Path, small_ct: Path, truncated: Path, workers: int | None
    ) -> None:
        """Truncated, not DICOM, missing and a folder: each named, with its cause."""
        text = tmp_path / "notes.dcm"
        text.write_text("not dicom\n" * 30)
        missing = tmp_path / "missing.dcm"
        folder = tmp_path / "folder"
        folder.mkdir()
        paths = [small_ct, truncated, text, missing, folder, small_ct]
        table = metadata_table(paths, workers=workers, progress=False)
        assert table["file"].tolist() == [
            "good.dcm", truncated.name, "notes.dcm", "missing.dcm", "folder", "good.dcm"
        ]
        errors = table["error"].tolist()
        assert errors[0] is None and errors[-1] is None
        for path, error, cause in zip(
            paths[1:5], errors[1:5],
            ["PixelData holds 483328 bytes but .* need 524288: the file is truncated",
             "not a DICOM file.*'DICM' marker", "no such file", "is a folder, not a file"],
            strict=True,
        ):
            assert error.startswith(f"{path}: ")
            assert pd.Series([error]).str.contains(cause).item(), error

    def test_truncated_keeps_header(self, serial: pd.DataFrame, truncated: Path) -> None:
        """Only the truncated file has an error; its header values are still in the table."""
        bad = serial.loc[serial["error"].notna()]
        assert bad["file"].tolist() == [truncated.name]
        assert bad["SOPInstanceUID"].item() == truncated.stem
        assert bad["Rows"].item() == 512

    def test_unreadable_values_missing(self, tmp_path: Path) -> None:
        """A file without a header has NaN numbers and None text."""
        path = tmp_path / "x.dcm"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
        table = metadata_table([path], progress=False)
        assert table["SOPInstanceUID"].tolist() == [None]
        assert np.isnan(table["Rows"].item()) and table["Rows"].dtype == np.float64

    def test_no_pixel_data(self, tmp_path: Path) -> None:
        """A file without (7FE0,0010) Pixel Data is reported, as ctlib.read does."""
        path = tmp_path / "nopixels.dcm"
        ds = build_ct(np.zeros((4, 4), np.int16))
        del ds.PixelData
        ds.save_as(path, enforce_file_format=True)
        (error,) = metadata_table([path], progress=False)["error"]
        assert error.startswith(f"{path}: the file ends before (7FE0,0010) PixelData")

    @pytest.mark.parametrize("keep", [100, 200, 300, 400])
    def test_cut_in_header(self, tmp_path: Path, small_ct: Path, keep: int) -> None:
        """A file cut anywhere in its header gets a row whose reason names it."""
        path = tmp_path / "cut.dcm"
        path.write_bytes(small_ct.read_bytes()[:keep])
        (error,) = metadata_table([path], progress=False)["error"]
        assert error.startswith(f"{path}: ")
        assert "truncated" in error or "damaged" in error or "not a DICOM file" in error

    def test_relative_path_named_as_given(
        self, small_ct: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Messages name the path as given; the path column holds the absolute path."""
        monkeypatch.chdir(small_ct.parent)
        table = metadata_table(["good.dcm", "gone.dcm"], workers=2, progress=False)
        assert table["path"].tolist() == [str(small_ct), str(small_ct.parent / "gone.dcm")]
        assert table["error"].iloc[1].startswith("gone.dcm: no such file")

    @pytest.mark.parametrize("cut", [0, 1, 100])
    def test_implicit_vr_length(self, tmp_path: Path, cut: int) -> None:
        """Implicit VR (8-byte element header): complete is fine, a byte short is truncated."""
        path = tmp_path / "implicit.dcm"
        ds = build_ct(np.arange(64, dtype=np.int16).reshape(8, 8))
        ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
        ds.save_as(path, enforce_file_format=True)
        content = path.read_bytes()
        path.write_bytes(content[:len(content) - cut])
        (error,) = metadata_table([path], progress=False)["error"]
        if cut == 0:
            assert error is None
        else:
            assert f"holds {128 - cut} bytes" in error and "need 128" in error


class TestColumns:
    """Column names, order and dtypes."""

    def test_documented_order(self, serial: pd.DataFrame) -> None:
        """file, path, keywords in order (split in place), error."""
        expected = [c for c in DOCUMENTED_COLUMNS if c != "WindowWidth_0"]
        at = expected.index("WindowCenter_0")
        expected[at + 1:at + 1] = ["WindowCenter_1", "WindowWidth_0", "WindowWidth_1"]
        assert serial.columns.tolist() == expected

    def test_dtypes(self, serial: pd.DataFrame) -> None:
        """Whole numbers int64, other numbers float64 (NaN if missing), text object."""
        for column in ("Rows", "Columns", "BitsAllocated", "BitsStored", "PixelRepresentation"):
            assert serial[column].dtype == np.int64, column
        for column in ("RescaleIntercept", "WindowCenter_0", "WindowCenter_1", "PixelSpacing_0"):
            assert serial[column].dtype == np.float64, column
        for column in ("file", "path", "SOPInstanceUID", "PatientID", "Modality", "error"):
            assert serial[column].dtype == object, column
        assert {type(v) for v in serial["SOPInstanceUID"]} == {str}

    def test_paths(self, serial: pd.DataFrame, files: list[Path]) -> None:
        """file is the name, path the absolute path."""
        assert serial["file"].tolist() == [f.name for f in files]
        assert serial["path"].tolist() == [str(f.absolute()) for f in files]

    def test_multi_valued_split(self, data: ctlib.DataSet, serial: pd.DataFrame) -> None:
        """Two-valued windows fill _1; single-valued ones leave it NaN; no unsplit column."""
        assert "WindowCenter" not in serial and "ImagePositionPatient" not in serial
        assert serial["ImageOrientationPatient_5"].notna().all()
        two = serial["WindowCenter_1"].notna()
        assert two.any() and (~two).any()
        assert serial["WindowCenter_0"].notna().all()
        assert (two == serial["WindowWidth_1"].notna()).all()
        series = set(serial.loc[two, "SeriesInstanceUID"])
        planted = {data.series(name)["series_uid"]
                   for name in data.manifest["quirks"]["two_valued_windows"]}
        assert planted <= series

    def test_split_by_vm(self, small_ct: Path) -> None:
        """VM 1-n is split even with one value; VM 1 is not; the order follows keywords."""
        table = metadata_table(
            [small_ct], keywords=["Rows", "WindowCenter", "Modality"], progress=False
        )
        assert table.columns.tolist() == ["file", "path", "Rows", "WindowCenter_0", "Modality",
                                          "error"]
        assert table.loc[0, "WindowCenter_0"] == 40.0 and table.loc[0, "Rows"] == 4

    def test_file_meta_and_absent(self, small_ct: Path) -> None:
        """A file meta element (group 0002) is read; an absent element is missing."""
        table = metadata_table(
            [small_ct], keywords=["TransferSyntaxUID", "SliceThickness"], progress=False
        )
        assert table.loc[0, "TransferSyntaxUID"] == pydicom.uid.ExplicitVRLittleEndian
        assert np.isnan(table.loc[0, "SliceThickness"])

    @pytest.mark.parametrize(
        ("keywords", "message"),
        [("Rows", "not a single string"), (["Rows", "Rowz"], "not a keyword"),
         (["Rows", "Rows"], "twice"), (["ReferencedImageSequence"], "sequence"),
         (["PixelData"], "stops before")],
    )
    def test_bad_keywords(self, small_ct: Path, keywords: Any, message: str) -> None:
        """Keywords that cannot make a column are refused before any file is read."""
        with pytest.raises(ctlib.ArgumentError, match=message):
            metadata_table([small_ct], keywords=keywords, progress=False)

    def test_single_path_is_not_read_letter_by_letter(self, small_ct: Path) -> None:
        """One file gives one row, its folder the folder's files; bytes and non-paths are
        refused (a str is never iterated character by character)."""
        assert metadata_table(small_ct, progress=False)["path"].tolist() == [str(small_ct)]
        assert metadata_table(str(small_ct.parent), progress=False)["path"].tolist() == [
            str(p) for p in sorted(small_ct.parent.rglob("*")) if p.is_file()]
        with pytest.raises(ctlib.ArgumentError, match="is bytes"):
            metadata_table(bytes(small_ct), progress=False)  # type: ignore[arg-type]
        with pytest.raises(ctlib.ArgumentError, match="is not a path"):
            metadata_table([small_ct, 3], progress=False)  # type: ignore[list-item]


class TestValues:
    """The table holds what pydicom reads from the same file with a full read."""

    def test_against_pydicom(
        self, data: ctlib.DataSet, files: list[Path], serial: pd.DataFrame
    ) -> None:
        """A random sample, the truncated file and one file of every planted quirk series."""
        rng = np.random.default_rng(2019)
        picked = {int(i) for i in rng.choice(len(files), size=30, replace=False)}
        quirks = data.manifest["quirks"]
        by_name = {f.stem: i for i, f in enumerate(files)}
        for key in ("truncated_pixel_data", "blank_slice", "unequal_windows"):
            picked |= {by_name[sop] for sop in quirks[key]}
        for key in ("two_valued_windows", "wrong_pixel_representation", "non_512_matrix",
                    "gantry_tilt", "intercept_minus_1000"):
            picked |= {by_name[data.series(name)["files"][0]] for name in quirks[key]}
        for index in sorted(picked):
            row = serial.iloc[index]
            expected = dict(pydicom_values(files[index]))
            for column, value in expected.items():
                assert row[column] == value, (files[index].name, column)
            split = [c for c in serial.columns[2:-1] if c not in expected]
            assert row[split].isna().all(), (files[index].name, split)


class TestProgress:
    """The tqdm progress bar, on stderr outside Jupyter."""

    @pytest.mark.parametrize("workers", [None, 2])
    def test_enabled(
        self, files: list[Path], capsys: pytest.CaptureFixture[str], workers: int | None
    ) -> None:
        """It counts files up to the total."""
        metadata_table(files[:30], workers=workers, progress=True)
        err = capsys.readouterr().err
        assert "headers" in err and "30/30" in err

    @pytest.mark.parametrize("workers", [None, 2])
    def test_disabled(
        self, files: list[Path], capsys: pytest.CaptureFixture[str], workers: int | None
    ) -> None:
        """progress=False prints nothing at all."""
        metadata_table(files[:30], workers=workers, progress=False)
        assert capsys.readouterr() == ("", "")


def test_worker_warnings_silent(files: list[Path], tmp_path: Path) -> None:
    """Workers read RSNA-style UIDs without warnings, even under -W error (spawned processes
    inherit -W options)."""
    script = tmp_path / "run.py"
    script.write_text(
        "import ctlib\n"
        "if __name__ == '__main__':\n"
        f"    files = {[str(f) for f in files[:20]]!r}\n"
        "    table = ctlib.metadata_table(files, workers=2, progress=False)\n"
        "    assert table['error'].isna().all(), table['error'].dropna().tolist()\n"
        "    print(len(table))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)], check=False, capture_output=True,
        text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "20" and done.stderr == ""


class TestWellFormedPath:
    """The fast path (pydicom's element generator, no Dataset) agrees with dcmread."""

    def test_same_values_as_dcmread_on_every_file(self) -> None:
        """Every synthetic file: fast values equal the full path's, or the file falls back."""
        from ctlib.metadata import _full_values, _well_formed_values

        keywords = (*HEADER_KEYWORDS, "TransferSyntaxUID", "SpecificCharacterSet")
        fast_count = 0
        for path in ctlib.open_data().files():
            with open(path, "rb") as stream:
                fast = _well_formed_values(stream, keywords)
            full, error = _full_values(path.name, str(path), keywords)
            if fast is None:
                assert error is not None, path.name  # only the unusable file falls back
                continue
            fast_count += 1
            assert error is None and fast == full, path.name
        assert fast_count == ctlib.open_data().manifest["images"] - 1

    def test_falls_back_for_what_it_cannot_decode(self, tmp_path: Path) -> None:
        """A person name, big endian and a missing transfer syntax go through dcmread."""
        from ctlib.metadata import _well_formed_values

        source = ctlib.open_data("sample").files()[0]
        with open(source, "rb") as stream:
            assert _well_formed_values(stream, ("Rows",)) is not None
            stream.seek(0)
            assert _well_formed_values(stream, ("PatientName",)) == (None,)  # absent: fine
        ds = pydicom.dcmread(source)
        ds.PatientName = "Anonymous^Learner"
        named = tmp_path / "named.dcm"
        ds.save_as(named)
        with open(named, "rb") as stream:
            assert _well_formed_values(stream, ("PatientName",)) is None
        table = metadata_table([named], keywords=("PatientName", "Rows"), progress=False)
        assert table.loc[0, "PatientName"] == "Anonymous^Learner"
        assert table.loc[0, "Rows"] == ds.Rows


class TestMetadataTable:
    """ctlib.metadata_table."""

    def test_sample(self) -> None:
        """One row per file, windows split into columns, numbers as numbers."""
        data = ctlib.open_data("sample")
        table = ctlib.metadata_table(data.files(), progress=False)
        assert len(table) == 17
        assert table["Rows"].dtype.kind == "i"
        two = table["WindowCenter_1"].notna()
        assert two.any() and (~two).any()
        assert table["WindowCenter_0"].notna().all() and "WindowCenter" not in table
        truncated = set(data.manifest["quirks"]["truncated_pixel_data"])
        assert table["error"].notna().tolist() == [f.stem in truncated for f in data.files()]
        assert table.loc[table["error"].notna(), "Rows"].notna().all()  # its header still read

    def test_bad_file_reported(self, tmp_path: Path) -> None:
        """A file that is not DICOM gets a row with the reason, not an exception."""
        good = tmp_path / "good.dcm"
        build_ct(np.zeros((2, 2), np.int16)).save_as(good, enforce_file_format=True)
        bad = tmp_path / "bad.dcm"
        bad.write_text("not dicom")
        table = ctlib.metadata_table([good, bad], progress=False)
        assert table["error"].isna().tolist() == [True, False]
        assert "bad.dcm: not a DICOM file" in table.loc[1, "error"]  # as ctlib.read says
