"""Tests of ctlib._internals.elements: the one byte-level reader, against pydicom."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import CTImageStorage, ImplicitVRLittleEndian

import ctlib
from ctlib._internals import elements


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
            with elements.open_file(path) as stream:
                fast = elements.read_header(stream)
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
