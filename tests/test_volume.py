"""Series, folders and objects as real scanners and PACS write them (tests/scanners.py).

Independent references: the analytic head the files were sampled from (its HU at
known LPS points), pydicom's own ``apply_rescale``, pydicom's ``FileSet`` for what a
DICOMDIR lists, and the slice positions the fixtures were written at.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import ClassVar

import numpy as np
import pydicom
import pytest
import scanners
from pydicom.dataset import FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.pixels import apply_rescale
from pydicom.uid import CTImageStorage, ImplicitVRLittleEndian

import ctlib
import ctlib.reading
from ctlib.viewer import show

MARKER = np.array([-35.0, -40.0, 35.0])  # LPS centre of the dense marker: right, front, top
# Planes through the marker on the fixtures' 4 mm grid, which starts at -94 mm.
CORONAL_AT_MARKER, SAGITTAL_AT_MARKER = 13, 15  # y = -42 mm, x = -34 mm
PLANES = {("axial", 12), ("axial", 19), ("coronal", 13), ("coronal", 24), ("sagittal", 15),
          ("sagittal", 24)}  # z = 0 (the nose) and 35 mm (the marker), y and x through both


def load_quietly(source: object) -> ctlib.Volume:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ctlib.SeriesWarning)
        return ctlib.load_series(source)  # type: ignore[arg-type]


def marker_centre(image: np.ndarray) -> np.ndarray:
    """(row, column) centre of the 1500 HU marker in a 2-D image."""
    rows, cols = np.nonzero(image > 1100)  # only the marker is denser than bone
    assert rows.size, "the marker is not in this image"
    return np.array([rows.mean(), cols.mean()])


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> ctlib.Volume:
    """The two-part protocol, loaded."""
    folder = tmp_path_factory.mktemp("two-part")
    scanners.write_series(folder, scanners.two_part_protocol())
    return load_quietly(folder)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """The three planes of the head written head first, supine, by the book."""
    folder = tmp_path_factory.mktemp("reference")
    volume = ctlib.load_series(scanners.write_series(folder, scanners.even(count=25)))
    return {f"{p} {k}": ctlib.reformat(volume, p, k)[0] for p, k in sorted(PLANES)}


class TestVariableSpacing:
    """A two-part protocol: 4 mm through the posterior fossa, then 7 mm (nothing missing)."""

    def test_true_positions(self, volume: ctlib.Volume) -> None:
        np.testing.assert_allclose(volume.positions[:, 2], scanners.two_part_protocol().z)
        assert not volume.uniform
        assert volume.steps.round(3).tolist() == [4.0] * 9 + [7.0] * 12

    def test_warning_names_a_protocol_change_not_a_gap(self, tmp_path: Path) -> None:
        scanners.write_series(tmp_path, scanners.two_part_protocol())
        with pytest.warns(ctlib.SeriesWarning) as caught:
            ctlib.load_series(tmp_path)
        message = str(caught[0].message)
        assert "from IM00010 on: slices 7 mm apart instead of 4 mm" in message
        assert "thickness 4 → 7 mm" in message and "nothing missing" in message
        assert "missing" not in message.replace("nothing missing", "")
        assert "gap" not in message

    def test_affine_refuses_and_says_what_to_do(self, volume: ctlib.Volume) -> None:
        with pytest.raises(ctlib.CtlibError, match=r"4 mm for slices 0–9, 7 mm for slices "
                           r"9–21.*ctlib.resample"):
            volume.affine  # noqa: B018 - the property raises

    def test_resample_keeps_the_true_extent(self, volume: ctlib.Volume) -> None:
        even = ctlib.resample(volume)
        assert even.uniform and even.spacing[0] == pytest.approx(4.0)
        assert even.positions[0, 2] == -60.0 and even.positions[-1, 2] == pytest.approx(60.0)
        assert even.hu.shape[0] == 31
        # The marker (600 HU, centre z = 35 mm) is where the affine says it is.
        k, i, j = np.argwhere(even.hu > 1100).mean(axis=0)
        at = even.affine @ [k, i, j, 1]
        np.testing.assert_allclose(at[:3], MARKER, atol=2.5)
        # Resampled slices that fall on an original slice are that slice.
        original = {round(z, 3): k for k, z in enumerate(volume.positions[:, 2])}
        for m, z in enumerate(even.positions[:, 2]):
            if round(z, 3) in original:
                np.testing.assert_array_equal(even.hu[m], volume.hu[original[round(z, 3)]])
        with pytest.raises(ctlib.ArgumentError, match="positive number"):
            ctlib.resample(volume, spacing=0)

    def test_reformat_is_not_squashed(self, volume: ctlib.Volume) -> None:
        """The coronal view spans the series' true 120 mm, not slices × the usual step."""
        image, aspect = ctlib.reformat(volume, "coronal", CORONAL_AT_MARKER)
        height_mm = (image.shape[0] - 1) * aspect * volume.pixel_spacing[1]
        assert height_mm == pytest.approx(120.0)
        # The marker's height in the image matches its z (the top row is z = 60 mm).
        row = marker_centre(image)[0]
        z = 60.0 - row * aspect * volume.pixel_spacing[1]
        assert z == pytest.approx(MARKER[2], abs=3.0)


class TestGapsAndReconstructions:
    def test_a_missing_slice_is_a_gap(self, tmp_path: Path) -> None:
        files = scanners.write_series(tmp_path, scanners.even(missing=[7]))
        with pytest.warns(ctlib.SeriesWarning) as caught:
            volume = ctlib.load_series(tmp_path)
        message = str(caught[0].message)
        assert f"between {files[6].name} and {files[7].name}: 10.000 mm instead of 5.000 mm" \
            in message
        assert "a gap: 1 slice(s) missing" in message and "protocol" not in message
        assert len(volume.hu) == 24 and ctlib.resample(volume).hu.shape[0] == 25

    def test_two_reconstructions_in_one_series(self, tmp_path: Path) -> None:
        """5 mm STANDARD and 5 mm BONE images written under one Series Instance UID."""
        study, series = pydicom.uid.generate_uid(), pydicom.uid.generate_uid()
        plan = scanners.even(count=6)
        scanners.write_series(tmp_path / "soft", plan, study=study, series=series)
        bone = scanners.write_series(tmp_path / "bone", plan, study=study, series=series,
                                     names="BONE{:03d}")
        for path in bone:
            ds = pydicom.dcmread(path)
            ds.ConvolutionKernel, ds.SliceThickness = "BONE", "1.25"
            ds.save_as(path)
        with pytest.raises(ctlib.CtlibError, match=r"2 reconstructions share one Series "
                           r"Instance UID \(thickness 1\.25 mm, kernel BONE; thickness 5 mm, "
                           r"kernel STANDARD\)"):
            ctlib.load_series(tmp_path)

    def test_a_copied_slice(self, tmp_path: Path) -> None:
        files = scanners.write_series(tmp_path, scanners.even(count=5))
        shutil.copy(files[2], tmp_path / "copy")
        with pytest.raises(ctlib.CtlibError, match="the same image copied twice"):
            ctlib.load_series(tmp_path)


class TestPatientPositions:
    """The same anatomy written eight ways shows the same, radiologically oriented, pictures."""

    GEOMETRIES: ClassVar[list[tuple[str, bool]]] = [(p, t) for p in scanners.POSITIONS
                                                    for t in (False, True)]

    @pytest.mark.parametrize(("position", "transpose"), GEOMETRIES,
                             ids=[f"{p}{'-transposed' if t else ''}" for p, t in GEOMETRIES])
    def test_same_pictures(self, tmp_path: Path, reference: dict[str, np.ndarray],
                           position: str, transpose: bool) -> None:
        files = scanners.write_series(tmp_path, scanners.even(count=25),
                                      patient_position=position, transpose=transpose)
        volume = ctlib.load_series(files[::-1])  # the order given does not matter
        assert volume.positions[0, 2] < volume.positions[-1, 2]  # feet first in the stack
        for plane, index in sorted(PLANES):
            image, aspect = ctlib.reformat(volume, plane, index)  # type: ignore[arg-type]
            np.testing.assert_array_equal(image, reference[f"{plane} {index}"],
                                          err_msg=f"{position} {plane} {index}")
            assert aspect == pytest.approx(5.0 / 4.0 if plane != "axial" else 1.0)
        shown = show(volume, window="bone")  # the viewer turns a Volume the same way
        np.testing.assert_array_equal(shown.volume[19], reference["axial 19"])

    def test_reference_is_radiological(self, reference: dict[str, np.ndarray]) -> None:
        """Checked against the anatomy: anterior up, the patient's right on the image left,
        head up; sagittal seen from the left (anterior on the left)."""
        size = 48
        nose_rows = np.nonzero((reference["axial 12"] == 60).any(axis=1))[0]
        assert nose_rows.size and nose_rows.max() < size // 4  # the nose at the top
        row, col = marker_centre(reference["axial 19"])  # right front: upper left
        assert row < size / 2 and col < size / 2
        for plane in (f"coronal {CORONAL_AT_MARKER}", f"sagittal {SAGITTAL_AT_MARKER}"):
            row, col = marker_centre(reference[plane])
            assert row < reference[plane].shape[0] / 2, plane  # head up
            assert col < size / 2, plane  # right (coronal) / anterior (sagittal): on the left
        nose = np.nonzero((reference["sagittal 24"] == 60).any(axis=0))[0]
        assert nose.size and nose.max() < size // 4  # sagittal: the face on the left

    def test_index_out_of_range(self, tmp_path: Path) -> None:
        volume = ctlib.load_series(scanners.write_series(tmp_path, scanners.even(count=5)))
        for plane, index in (("axial", 5), ("axial", -1), ("coronal", 48), ("sagittal", 2.0)):
            with pytest.raises(ctlib.ArgumentError, match=r"outside the .* planes .* from 0 to"):
                ctlib.reformat(volume, plane, index)  # type: ignore[arg-type]
        with pytest.raises(ctlib.ArgumentError, match="unknown plane"):
            ctlib.reformat(volume, "oblique")  # type: ignore[arg-type]


class TestVendors:
    """GE (implicit VR), Siemens (unsigned, CSA blob), Philips (UTF-8 names): HU as pydicom's."""

    @pytest.mark.parametrize("vendor", sorted(scanners.VENDORS))
    def test_hu_equal_pydicom(self, tmp_path: Path, vendor: str) -> None:
        files = scanners.write_series(tmp_path, scanners.even(count=6), vendor=vendor)
        volume = ctlib.load_series(tmp_path)
        for k, path in enumerate(files):
            ds = pydicom.dcmread(path)
            assert "SpecificCharacterSet" in ds and any(e.tag.is_private for e in ds)
            np.testing.assert_array_equal(volume.hu[k], apply_rescale(ds.pixel_array, ds))
        table = ctlib.metadata_table(tmp_path, progress=False)
        assert table["error"].isna().all() and len(table) == 6
        assert table["RescaleIntercept"].eq(scanners.VENDORS[vendor].intercept).all()


class TestExports:
    """A CD/USB export with a DICOMDIR, and the same files as plain nested folders."""

    @pytest.fixture
    def export(self, tmp_path: Path) -> dict[str, object]:
        return scanners.pacs_export(tmp_path / "CD")

    def test_dicomdir_lists_the_files(self, export: dict[str, object]) -> None:
        root = Path(export["dicomdir"]).parent  # type: ignore[arg-type]
        listed = ctlib.folders.files_in(root)
        fileset = pydicom.fileset.FileSet(pydicom.dcmread(root / "DICOMDIR"))
        assert sorted(listed[1:]) == sorted(Path(i.path) for i in fileset)
        fileset._stage["t"].cleanup()  # FileSet's staging folder, else a ResourceWarning
        assert all(p.suffix == "" for p in listed)  # files without extension

    def test_load_series_from_the_export(self, export: dict[str, object]) -> None:
        root = Path(export["dicomdir"]).parent  # type: ignore[arg-type]
        volume = ctlib.load_series(root)  # one CT series among five other objects
        assert volume.series_uid == export["series"] and len(volume.hu) == export["slices"]
        reasons = sorted(why.split(": ", 1)[1] for _, why in volume.skipped)
        kinds = ["a DICOMDIR", "a localizer (scout) image", "a presentation state",
                 "a secondary capture", "a structured report"]
        assert all(r.startswith(kind) for r, kind in zip(reasons, kinds, strict=True))
        assert all(r.endswith("not a slice of a volume, left out.") for r in reasons)

    def test_series_in_and_survey_of_a_folder(self, export: dict[str, object]) -> None:
        root = Path(export["dicomdir"]).parent  # type: ignore[arg-type]
        assert list(ctlib.series_in(root)) == [export["series"]]
        assert list(ctlib.series_in(str(root))) == [export["series"]]  # not its characters
        found = ctlib.survey(root)
        assert len(found.skipped) == 5 and "5 file(s) left out" in str(found)
        # The same files, nested, without the DICOMDIR: found by walking the tree.
        (root / "DICOMDIR").unlink()
        assert ctlib.survey(root).series.keys() == found.series.keys()
        assert len(ctlib.survey(root).skipped) == 4

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

    def test_localizer_alone(self, tmp_path: Path) -> None:
        """A scout is named, never loaded as a 90° tilted volume with aspect 0."""
        scanners.localizer(tmp_path / "scout", study=pydicom.uid.generate_uid())
        with pytest.raises(ctlib.CtlibError, match=r"no CT slice .* a localizer \(scout\)"):
            ctlib.load_series(tmp_path)

    def test_other_modality_in_the_folder(self, tmp_path: Path) -> None:
        scanners.write_series(tmp_path / "ct", scanners.even(count=4))
        scanners.mr_image(tmp_path / "mr" / "MR1", study=pydicom.uid.generate_uid())
        volume = ctlib.load_series(tmp_path)
        assert len(volume.hu) == 4
        assert "an MR object, not CT" in volume.skipped[0][1]


class TestAuditOfAnyFolder:
    """ctlib.audit on an export: no label file needed; objects named; padding as to_hu."""

    def test_export(self, tmp_path: Path) -> None:
        export = scanners.pacs_export(tmp_path / "CD")
        report = ctlib.audit(tmp_path / "CD").set_index("finding")["count"]
        assert report["not a CT slice (DICOMDIR, localizer, report...)"] == 5
        assert report["unreadable file"] == 0
        assert report["multi-valued window elements"] == export["slices"]  # brain, then bone
        assert report["two different windows in one header"] == export["slices"]
        assert "repeated row in the label file" not in report  # no label file here

    def test_padding_threshold_is_to_hus(self, tmp_path: Path) -> None:
        """−1250 HU is padding for to_hu (below PADDING_BELOW_HU), so for the audit too."""
        files = scanners.write_series(tmp_path, scanners.even(count=3))
        ds = pydicom.dcmread(files[0])
        pixels = ds.pixel_array.copy()
        pixels[0, 0] = -1250 + 1024
        ds.PixelData = pixels.tobytes()
        ds.save_as(files[0])
        padded = ctlib.read(files[0])
        assert ctlib.padding_mask(padded, ctlib.to_hu(padded, padding="keep")).any()
        report = ctlib.audit(tmp_path).set_index("finding")
        assert report.loc["padding far below air outside the scan circle", "count"] == 1
        assert report.loc["padding far below air outside the scan circle",
                          "examples"] == files[0].name


class TestHeaderWalker:
    """Files where a struct-based header walk could go wrong without raising (a review's
    cases): each must read as pydicom reads it, or be refused as ctlib.read refuses it."""

    @staticmethod
    def _ct(rows: int = 16) -> pydicom.Dataset:
        ds = pydicom.Dataset()
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, pydicom.uid.generate_uid()
        ds.Modality, ds.SeriesInstanceUID = "CT", pydicom.uid.generate_uid()
        ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 1], [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing, ds.RescaleIntercept, ds.RescaleSlope = [0.5, 0.5], -1024, 1
        ds.set_pixel_data(np.zeros((rows, rows), np.int16), "MONOCHROME2", 16)
        return ds

    def test_explicit_vr_written_under_an_implicit_syntax(self, tmp_path: Path) -> None:
        """pydicom sees the mismatch and reads it; so must the fast paths."""
        ds = self._ct(rows=1024)  # large, so a misread length lands inside the pixels
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = (ds.SOPClassUID,
                                                                         ds.SOPInstanceUID)
        meta.TransferSyntaxUID = ImplicitVRLittleEndian
        head, body = DicomBytesIO(), DicomBytesIO()
        head.is_little_endian = body.is_little_endian = True
        head.is_implicit_VR = body.is_implicit_VR = False
        write_file_meta_info(head, meta, enforce_standard=True)
        write_dataset(body, ds)
        path = tmp_path / "mismatch.dcm"
        path.write_bytes(b"\0" * 128 + b"DICM" + head.getvalue() + body.getvalue())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pydicom: "Expected implicit VR"
            reference = pydicom.dcmread(path, stop_before_pixels=True)
            with ctlib.reading.open_file(path) as stream:
                fast = ctlib.reading.read_header(stream)
            table = ctlib.metadata_table([path], progress=False)
        assert fast == reference
        assert table.loc[0, "error"] is None
        assert table.loc[0, "SeriesInstanceUID"] == ds.SeriesInstanceUID

    def test_a_length_that_swallows_pixel_data(self, tmp_path: Path) -> None:
        ds = self._ct()
        ds.private_block(0x0029, "ACME", create=True).add_new(0x10, "OB", b"\x01" * 100)
        path = tmp_path / "swallow.dcm"
        ds.save_as(path, enforce_file_format=True)
        raw = bytearray(path.read_bytes())
        at = raw.index(b"\x29\x00\x10\x10OB")
        raw[at + 8:at + 12] = (100 + 12 + 512).to_bytes(4, "little")  # past Pixel Data's start
        path.write_bytes(bytes(raw))
        with pytest.raises(ctlib.DicomError, match="ends before") as refused:
            ctlib.read(path)
        assert ctlib.metadata_table([path], progress=False).loc[0, "error"] == str(refused.value)

    def test_padding_spaces_as_pydicom(self, tmp_path: Path) -> None:
        """Leading spaces stay, trailing padding goes: pydicom's values exactly."""
        ds = self._ct()
        ds.PatientID, ds.Modality = " 0042", " CT"
        path = tmp_path / "spaces.dcm"
        ds.save_as(path, enforce_file_format=True)
        reference = pydicom.dcmread(path)
        table = ctlib.metadata_table([path], progress=False)
        assert table.loc[0, "PatientID"] == reference.PatientID == " 0042"
        assert table.loc[0, "Modality"] == reference.Modality


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
