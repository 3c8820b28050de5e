"""Tests of ctlib.synth.encode: RSNA-layout files, each encoding read back exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

import ctlib
from ctlib.synth.encode import ENCODINGS, SliceIds, encode_slice

HU = np.array([[-1000, -500, -1, 0], [40, 80, 1000, 1400]], dtype=np.float32)
IDS = SliceIds("ID_0123456ab", "ID_0a1b2c3d", "ID_0123456789", "ID_abcdef0123")
#: The 21 data elements of an RSNA 2019 file, besides Pixel Data.
RSNA_ELEMENTS = {
    "SOPInstanceUID",
    "Modality",
    "PatientID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "StudyID",
    "ImagePositionPatient",
    "ImageOrientationPatient",
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "Rows",
    "Columns",
    "PixelSpacing",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation",
    "WindowCenter",
    "WindowWidth",
    "RescaleIntercept",
    "RescaleSlope",
}


def write(tmp_path: Path, encoding: str) -> Path:
    """Write HU with the scan circle excluding the first pixel."""
    circle = np.ones(HU.shape, bool)
    circle[0, 0] = False
    path = tmp_path / f"{encoding}.dcm"
    encode_slice(
        path,
        HU,
        circle,
        ENCODINGS[encoding],
        IDS,
        position=[-125.0, -120.0, 77.5],
        orientation=[1, 0, 0, 0, 1, 0],
        spacing_mm=0.48828125,
    )
    return path


class TestEncodeSlice:
    """Each encoding, written and read back through ctlib."""

    @pytest.mark.parametrize("encoding", sorted(ENCODINGS))
    def test_round_trip(self, tmp_path: Path, encoding: str) -> None:
        """ctlib.to_hu returns the HU that were written, inside the scan circle."""
        ds = ctlib.read(write(tmp_path, encoding))
        got = ctlib.to_hu(ds, padding="keep")
        np.testing.assert_array_equal(got.ravel()[1:], HU.ravel()[1:])

    @pytest.mark.parametrize(
        ("encoding", "outside"),
        [
            ("signed16", -3024.0),
            ("intercept1000", -3000.0),
            ("unsigned12", -1024.0),
            ("mislabel0", -1024.0),
            ("mislabel1", -1024.0),
        ],
    )
    def test_outside_circle(self, tmp_path: Path, encoding: str, outside: float) -> None:
        """Padding far below air for signed files, air for 12-bit ones."""
        ds = ctlib.read(write(tmp_path, encoding))
        assert ctlib.to_hu(ds, padding="keep")[0, 0] == outside

    @pytest.mark.parametrize("encoding", ["mislabel0", "mislabel1"])
    def test_mislabel_is_the_rsna_fault(self, tmp_path: Path, encoding: str) -> None:
        """Declared unsigned 12-bit with intercept 0/1, detected, and wrong without the fix."""
        ds = ctlib.read(write(tmp_path, encoding))
        assert (ds.BitsStored, ds.PixelRepresentation) == (12, 0)
        assert ctlib.has_wrong_pixel_representation(ds)
        assert ctlib.to_hu(ds, fix_pixel_representation=False)[0, 1] > 3000

    def test_header_like_rsna(self, tmp_path: Path) -> None:
        """Exactly the RSNA elements, ID_ identifiers, a real UID only in the file meta."""
        ds = ctlib.read(write(tmp_path, "unsigned12"))
        with ctlib.allow_rsna_uids():  # iterating converts every value, the UIDs too
            assert {e.keyword for e in ds} == RSNA_ELEMENTS | {"PixelData"}
            assert ds.SOPInstanceUID == IDS.sop
            assert ds.PatientID == IDS.patient
        assert pydicom.uid.UID(ds.file_meta.MediaStorageSOPInstanceUID).is_valid
        assert list(ds.WindowCenter) == [36.0, 36.0]
        assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian


    def test_file_meta_group_length(self, tmp_path: Path) -> None:
        """(0002,0000) is written (Type 1, PS3.10 Table 7.1-1) and counts the group's bytes."""
        path = write(tmp_path, "signed16")
        meta = pydicom.dcmread(path).file_meta
        raw = path.read_bytes()
        assert raw[128:132] == b"DICM"
        assert raw[132:140] == b"\x02\x00\x00\x00UL\x04\x00"  # (0002,0000), UL, 4 bytes
        length = int.from_bytes(raw[140:144], "little")
        assert meta.FileMetaInformationGroupLength == length
        # The group ends where the data set begins, with (0008,0018) SOP Instance UID.
        assert raw[144 + length : 144 + length + 4] == b"\x08\x00\x18\x00"

    def test_media_storage_uid_differs_like_rsna(self, tmp_path: Path) -> None:
        """(0002,0003) is a valid UID, not the ``ID_`` SOP Instance UID: the RSNA quirk, kept."""
        ds = pydicom.dcmread(write(tmp_path, "signed16"))
        media = ds.file_meta.MediaStorageSOPInstanceUID
        with ctlib.allow_rsna_uids():
            sop = ds.SOPInstanceUID
            assert not pydicom.uid.UID(sop).is_valid
        assert sop == IDS.sop
        assert media != sop
        assert pydicom.uid.UID(media).is_valid

    def test_media_storage_uid_repeatable(self, tmp_path: Path) -> None:
        """The same identifiers give the same (0002,0003), so a rebuilt set is byte-identical."""
        uids = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            meta = pydicom.dcmread(write(tmp_path / name, "signed16")).file_meta
            uids.append(meta.MediaStorageSOPInstanceUID)
        assert uids[0] == uids[1]


def test_sample_files_have_the_quirk() -> None:
    """The committed sample lists the quirk for every series, and its files show it."""
    data = ctlib.open_data("sample")
    listed = set(data.manifest["quirks"]["media_storage_sop_instance_uid_differs"])
    assert listed == {s["name"] for s in data.manifest["series"]}
    for series in data.manifest["series"]:
        ds = pydicom.dcmread(data.path(series["files"][0]), stop_before_pixels=True)
        assert "FileMetaInformationGroupLength" in ds.file_meta
        with ctlib.allow_rsna_uids():
            assert ds.file_meta.MediaStorageSOPInstanceUID != ds.SOPInstanceUID
