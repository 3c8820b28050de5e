"""Tests of the helpers the notebooks call: data access, checker, labels, metadata, series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import build_ct

import ctlib
from ctlib.exercises import EXERCISES
from ctlib.rsna import LABELS


class TestOpenData:
    """ctlib.open_data and DataSet."""

    def test_prefers_full_set(self) -> None:
        """Without an argument the full set is used when it has been built."""
        assert ctlib.open_data().name == "synthetic"
        assert ctlib.open_data("sample").manifest["images"] == 17

    def test_missing_set(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """A missing set says how to build it."""
        monkeypatch.setenv("CTLIB_SYNTH_DIR", str(tmp_path))
        with pytest.raises(ctlib.CtlibError, match="make data"):
            ctlib.open_data()

    def test_series_and_masks(self) -> None:
        """Series by name, masks aligned with the manifest's files."""
        data = ctlib.open_data("sample")
        sop, index = data.key_slice("subdural-acute")
        masks = data.masks("subdural-acute")
        assert masks["sop_instance_uids"][index] == sop
        assert (masks["lesion"][index] == 5).any()
        with pytest.raises(ctlib.CtlibError, match="no series called 'lung'"):
            data.series("lung")


class TestCheck:
    """The exercise checker: ✓ or a hint, never the answer."""

    @pytest.mark.parametrize("exercise", sorted(EXERCISES))
    def test_expected_answer_passes(self, exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
        """Each exercise accepts its own expected answer."""
        expected = EXERCISES[exercise].expected()
        assert ctlib.check(exercise, expected)
        assert capsys.readouterr().out.startswith("✓")

    @pytest.mark.parametrize("exercise", sorted(EXERCISES))
    def test_wrong_answer_gets_hint(self, exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
        """A wrong answer gets the hint, which does not contain the answer."""
        expected = EXERCISES[exercise].expected()
        assert not ctlib.check(exercise, "certainly wrong")
        out = capsys.readouterr().out
        assert out.startswith("✗ Not yet. Hint:")
        if not isinstance(expected, tuple):
            assert f" {expected}" not in out.replace(EXERCISES[exercise].hint, "")

    def test_unanswered(self, capsys: pytest.CaptureFixture[str]) -> None:
        """... means not answered yet."""
        assert not ctlib.check("01.1", ...)
        assert "Not answered yet" in capsys.readouterr().out

    def test_tolerance(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Numbers are compared with the exercise's tolerance, text without case."""
        assert ctlib.check("08.1", 5.004)
        assert ctlib.check("05.1", " Epidural ")
        assert not ctlib.check("08.1", 5.5)


class TestReadLabels:
    """ctlib.read_labels on the RSNA long format."""

    def test_sample(self) -> None:
        """One row per image, six columns, the duplicate row dropped and counted."""
        data = ctlib.open_data("sample")
        labels = ctlib.read_labels(data.labels_csv)
        assert list(labels.columns) == list(LABELS)
        assert len(labels) == data.manifest["images"]
        assert labels.attrs["duplicates"] == 1
        assert labels.sum().to_dict() == data.manifest["positive_slices"]

    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            (["ID_a_epidural,1"] + [f"ID_a_{n},0" for n in LABELS[1:]], "'any' is not the OR"),
            ([f"ID_a_{n},0" for n in LABELS[:5]], "does not have all six"),
            (["ID_a_spinal,1"], "unknown label names"),
            ([f"ID_a_{n},0" for n in LABELS] + ["ID_a_any,1"], "two different values"),
        ],
    )
    def test_bad_files(self, tmp_path: Path, rows: list[str], message: str) -> None:
        """Inconsistent files are refused with the image named."""
        path = tmp_path / "labels.csv"
        path.write_text("ID,Label\n" + "\n".join(rows) + "\n")
        with pytest.raises(ctlib.CtlibError, match=message):
            ctlib.read_labels(path)


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


class TestLoadSeries:
    """ctlib.load_series and reformat."""

    def test_shuffled_tilted_series(self) -> None:
        """Files in any order come back sorted along the normal, tilt measured, bad file skipped."""
        data = ctlib.open_data()
        entry = data.series("normal-tilted")
        files = [data.path(sop) for sop in entry["files"]]
        rng = np.random.default_rng(0)
        truncated = set(data.manifest["quirks"]["truncated_pixel_data"])
        with pytest.warns(ctlib.SeriesWarning, match="|".join(truncated)):  # its gap
            volume = ctlib.load_series([files[i] for i in rng.permutation(len(files))])
        assert [p.stem for p in volume.files] == [s for s in entry["files"] if s not in truncated]
        assert [p.stem for p, _ in volume.skipped] == sorted(truncated & set(entry["files"]))
        assert volume.tilt_deg == pytest.approx(15.0, abs=0.01)
        assert volume.spacing[0] == pytest.approx(5.0, abs=1e-3)
        along = volume.positions @ volume.normal
        assert (np.diff(along) > 0).all()

    def test_flat_folder_needs_series(self) -> None:
        """A flat folder of many series: choose one."""
        data = ctlib.open_data("sample")
        with pytest.raises(ctlib.CtlibError, match="series found; pass series_uid"):
            ctlib.load_series(data.images)

    def test_duplicate_position(self, tmp_path: Path) -> None:
        """Two slices at one position are an error naming both files."""
        for name in ("a", "b"):
            ds = build_ct(np.zeros((4, 4), np.int16), SeriesInstanceUID="1.2.3",
                          ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
                          ImagePositionPatient=[0, 0, 0], PixelSpacing=[0.5, 0.5])
            ds.save_as(tmp_path / f"{name}.dcm", enforce_file_format=True)
        with pytest.raises(ctlib.CtlibError, match="same position"):
            ctlib.load_series(tmp_path)

    def test_reformat_planes(self) -> None:
        """Coronal and sagittal cuts have superior at the top and the right aspect."""
        hu = np.zeros((10, 8, 6), np.float32)
        hu[-1] = 1.0  # the top slice
        volume = ctlib.Volume(hu, [[0, 0, 5.0 * k] for k in range(10)], [1, 0, 0, 0, 1, 0],
                              (0.5, 0.25))
        coronal, aspect = ctlib.reformat(volume, "coronal")
        assert coronal.shape == (10, 6) and aspect == 20.0 and coronal[0].all()
        sagittal, aspect = ctlib.reformat(volume, "sagittal")
        assert sagittal.shape == (10, 8) and aspect == 10.0
        with pytest.raises(ctlib.CtlibError, match="unknown plane"):
            ctlib.reformat(volume, "oblique")  # type: ignore[arg-type]


class TestExpectedAnswersAreComputed:
    """Answers come from the data and ctlib's tables, not typed-in numbers."""

    def test_window_edges_follow_the_preset_table(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from ctlib import presets

        assert EXERCISES["03.1"].expected() == (20.0, 60.0)
        edited = dict(presets.PRESETS, stroke=ctlib.Window(35, 30, "stroke"))
        monkeypatch.setattr(presets, "PRESETS", edited)
        assert EXERCISES["03.1"].expected() == (20.0, 50.0)

    def test_slice_step_is_measured_from_the_headers(self) -> None:
        data = ctlib.open_data()
        entry = data.series("normal-tilted")
        with pytest.warns(ctlib.SeriesWarning):  # the truncated file leaves a gap
            volume = ctlib.load_series([data.path(s) for s in entry["files"]])
        assert EXERCISES["08.1"].expected() == pytest.approx(volume.spacing[0], abs=1e-6)
        assert EXERCISES["00.2"].expected() == "CT"
