"""Files written the way real CT scanners and PACS write them, for the real-file tests.

Our generator writes one tidy kind of file. Real exports differ, and these differences
broke code that only ever saw our files:

* headers: (0008,0005) Specific Character Set, vendors' private groups (GE's
  ``GEMS_*``, Siemens' ``SIEMENS CT VA0  COAD`` and CSA blob, Philips' ``ELSCINT1``),
  sequences, implicit VR (GE's default) or explicit VR, no file extension;
* geometry: every patient position (HFS, FFS, HFP, FFP) with the direction cosines
  scanners write for it, rows and columns swapped, slice spacing and thickness that
  change within one series (a two-part head protocol), a missing slice, two
  reconstructions sharing one Series Instance UID;
* folders: the PACS media layout (``DICOM/PT000000/ST000000/SE000000/IM000000``, with
  a DICOMDIR written by pydicom's :class:`~pydicom.fileset.FileSet`), nested folders;
* objects that are not CT slices: a localizer (scout), a dose screen (secondary
  capture), a radiation-dose structured report, a presentation state, an MR image.

Every image samples one analytic head (:func:`anatomy`) at the LPS position of each
pixel, so the same anatomy written in eight geometries must come back as the same
pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.fileset import FileSet
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import (
    CTImageStorage,
    ExplicitVRLittleEndian,
    GrayscaleSoftcopyPresentationStateStorage,
    ImplicitVRLittleEndian,
    MRImageStorage,
    SecondaryCaptureImageStorage,
    XRayRadiationDoseSRStorage,
    generate_uid,
)

ROOT = "1.2.826.0.1.3680043.8.498."  # pydicom's UID root: never a real patient's UID

#: The direction cosines (row, then column direction, LPS) scanners write for each
#: patient position, so that the image shows the patient as the operator sees them.
POSITIONS: dict[str, tuple[float, ...]] = {
    "HFS": (1, 0, 0, 0, 1, 0),
    "FFS": (-1, 0, 0, 0, 1, 0),
    "HFP": (-1, 0, 0, 0, -1, 0),
    "FFP": (1, 0, 0, 0, -1, 0),
}


MARKER_HU = 1500


def anatomy(points: npt.NDArray[np.float64]) -> npt.NDArray[np.int16]:
    """HU of an asymmetric analytic head at LPS points of shape (3, ...).

    A skull shell (1000 HU) around brain (35 HU) in an ellipsoid centred at the
    origin, a nose (60 HU) in front (−y), a marker denser than bone (1500 HU, so
    that no blend of skull and brain mimics it) in the patient's
    right upper front (−x, −y, +z), and air (−1000 HU) outside. Nothing about it
    is symmetric under a flip of x, y or z, so any wrong flip shows.
    """
    x, y, z = points
    r = np.sqrt((x / 70.0) ** 2 + (y / 90.0) ** 2 + (z / 80.0) ** 2)
    hu = np.full(x.shape, -1000, np.int16)
    hu[r <= 1.0] = 1000
    hu[r <= 0.9] = 35
    hu[(np.abs(x) < 12) & (y > -110) & (y < -80) & (z > -40) & (z < 10)] = 60
    hu[(x + 35) ** 2 + (y + 40) ** 2 + (z - 35) ** 2 <= 15.0 ** 2] = MARKER_HU
    return hu


@dataclass(frozen=True)
class Vendor:
    """What one vendor's headers look like (values invented, layout as theirs)."""

    manufacturer: str
    syntax: str
    charset: str
    private: tuple[tuple[int, str, tuple[tuple[int, str, Any], ...]], ...]
    signed: bool
    intercept: float


VENDORS: dict[str, Vendor] = {
    "GE": Vendor("GE MEDICAL SYSTEMS", ImplicitVRLittleEndian, "ISO_IR 100", (
        (0x0009, "GEMS_IDEN_01", ((0x01, "LO", "CT01_OC0"), (0x27, "SL", 1234567))),
        (0x0019, "GEMS_ACQU_01", ((0x23, "DS", "0.531250"), (0x9E, "LO", "HEAD"))),
        (0x0043, "GEMS_PARM_01", ((0x12, "SS", [14, 1, 0]), (0x27, "SH", "/1.0:1"))),
    ), True, -1024.0),
    "Siemens": Vendor("SIEMENS", ExplicitVRLittleEndian, "ISO_IR 100", (
        (0x0019, "SIEMENS CT VA0  COAD", ((0x92, "DS", "120"), (0xB0, "DS", "5"))),
        (0x0029, "SIEMENS CSA HEADER", ((0x08, "CS", "IMAGE NUM 4"),
                                        (0x10, "OB", b"SV10\x04\x03\x02\x01" * 64))),
    ), False, -1024.0),
    "Philips": Vendor("Philips", ExplicitVRLittleEndian, "ISO_IR 192", (
        (0x01F1, "ELSCINT1", ((0x01, "CS", "HELICAL"), (0x26, "DS", "0.984"))),
        (0x00E1, "ELSCINT1", ((0x21, "DS", "5.0"),)),
        (0x2001, "Philips Imaging DD 001", ((0x10, "CS", "NO"), (0x63, "CS", "OK"))),
    ), True, -1000.0),
}


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning
    return item


def _base(sop_class: str, modality: str, vendor: Vendor, study: str, series: str,
          number: int) -> Dataset:
    """Patient, study, series and equipment modules with a vendor's extras."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = vendor.syntax
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(ROOT)
    ds.SOPClassUID = sop_class
    ds.SpecificCharacterSet = vendor.charset
    ds.Modality = modality
    ds.Manufacturer = vendor.manufacturer
    ds.PatientName = "Müller^Jörg" if vendor.charset == "ISO_IR 192" else "Phantom^Head"
    ds.PatientID = "PHANTOM-01"
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.StudyDate, ds.StudyTime, ds.StudyID, ds.AccessionNumber = "20260101", "101500", "1", ""
    ds.SeriesNumber = number
    ds.FrameOfReferenceUID = generate_uid(ROOT, entropy_srcs=[study])
    ds.InstanceNumber = 1
    ds.ContentDate, ds.ContentTime = "20260101", "101600"
    ds.ProcedureCodeSequence = DicomSequence([_code("CTHEADWO", "L", "CT HEAD W/O CONTRAST")])
    ds.RequestAttributesSequence = DicomSequence([Dataset()])
    ds.RequestAttributesSequence[0].RequestedProcedureID = "RP1"
    for group, creator, elements in vendor.private:
        block = ds.private_block(group, creator, create=True)
        for offset, vr, value in elements:
            block.add_new(offset, vr, value)
    return ds


def ct_slice(hu: npt.NDArray[np.int16], *, vendor: str = "GE", study: str, series: str,
             number: int = 2, position: Sequence[float], orientation: Sequence[float],
             pixel_mm: float, thickness: float, instance: int,
             image_type: Sequence[str] = ("ORIGINAL", "PRIMARY", "AXIAL"),
             patient_position: str = "HFS") -> Dataset:
    """One CT image as a scanner writes it, holding ``hu``."""
    v = VENDORS[vendor]
    ds = _base(CTImageStorage, "CT", v, study, series, number)
    ds.ImageType = list(image_type)
    ds.PatientPosition = patient_position
    ds.InstanceNumber = instance
    ds.ImagePositionPatient = [f"{p:.4f}" for p in position]
    ds.ImageOrientationPatient = [f"{c:.6f}" for c in orientation]
    ds.PixelSpacing = [f"{pixel_mm:.6f}", f"{pixel_mm:.6f}"]
    ds.SliceThickness = f"{thickness:g}"
    ds.SliceLocation = f"{position[2]:.4f}"
    ds.KVP, ds.ConvolutionKernel = "120", "STANDARD"
    ds.WindowCenter, ds.WindowWidth = ["40", "600"], ["80", "2800"]  # brain, then bone
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = f"{v.intercept:g}", "1", "HU"
    ds.SourceImageSequence = DicomSequence([Dataset()])
    ds.SourceImageSequence[0].ReferencedSOPClassUID = CTImageStorage
    ds.SourceImageSequence[0].ReferencedSOPInstanceUID = generate_uid(ROOT)
    stored = hu.astype(np.int32) - int(v.intercept)
    ds.set_pixel_data(stored.astype(np.int16 if v.signed else np.uint16), "MONOCHROME2", 16)
    return ds


@dataclass(frozen=True)
class Plan:
    """Where the slices of a series are: positions along z and their thicknesses."""

    z: tuple[float, ...]
    thickness: tuple[float, ...]


def two_part_protocol() -> Plan:
    """4 mm slices through the posterior fossa, then 7 mm above (nothing missing)."""
    lower = [-60.0 + 4.0 * k for k in range(10)]  # -60 … -24
    upper = [lower[-1] + 7.0 * k for k in range(1, 13)]  # -17 … 60
    return Plan(tuple(lower + upper), (4.0,) * 10 + (7.0,) * 12)


def even(step: float = 5.0, count: int = 25, first: float = -60.0,
         missing: Sequence[int] = ()) -> Plan:
    """Evenly spaced slices, leaving out the indices in ``missing`` (a gap)."""
    z = [first + step * k for k in range(count) if k not in set(missing)]
    return Plan(tuple(z), (step,) * len(z))


def write_series(folder: Path, plan: Plan, *, vendor: str = "GE", patient_position: str = "HFS",
                 transpose: bool = False, size: int = 48, pixel_mm: float = 4.0,
                 study: str | None = None, series: str | None = None, number: int = 2,
                 names: str = "IM{:05d}") -> list[Path]:
    """Write a head series sampled from :func:`anatomy`; returns the files in z order.

    ``transpose`` swaps the row and column directions (a rotated reconstruction),
    which with the four positions gives eight geometries. The in-plane grid covers
    the same points whatever the geometry, so images must agree exactly.
    """
    folder.mkdir(parents=True, exist_ok=True)
    study = study or generate_uid(ROOT)
    series = series or generate_uid(ROOT)
    cosines = np.array(POSITIONS[patient_position], float)
    row, col = cosines[:3], cosines[3:]
    if transpose:
        row, col = col, row
    half = (size - 1) / 2 * pixel_mm
    paths = []
    for k, (z, thickness) in enumerate(zip(plan.z, plan.thickness, strict=True)):
        # First pixel: the corner the row and column directions start from.
        first = -half * row - half * col + np.array([0.0, 0.0, z])
        grid = np.arange(size) * pixel_mm
        points = (first[:, None, None] + row[:, None, None] * grid[None, None, :]
                  + col[:, None, None] * grid[None, :, None])
        ds = ct_slice(anatomy(points), vendor=vendor, study=study, series=series,
                      number=number, position=first, orientation=[*row, *col],
                      pixel_mm=pixel_mm, thickness=thickness, instance=k + 1,
                      patient_position=patient_position)
        path = folder / names.format(k + 1)
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def localizer(path: Path, *, study: str, series: str | None = None) -> Path:
    """A lateral scout: a projection image in the sagittal plane, ImageType LOCALIZER."""
    ds = _base(CTImageStorage, "CT", VENDORS["GE"], study, series or generate_uid(ROOT), 1)
    ds.ImageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"]
    ds.ImagePositionPatient = ["0", "-250", "250"]
    ds.ImageOrientationPatient = ["0", "1", "0", "0", "0", "-1"]
    ds.PixelSpacing = ["0.976562", "0.976562"]
    ds.SliceThickness = "0"  # what scanners write for a scout: the source of 'aspect 0'
    ds.RescaleIntercept, ds.RescaleSlope = "-1024", "1"
    ds.set_pixel_data(np.full((64, 64), 1024, np.int16), "MONOCHROME2", 16)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def dose_screen(path: Path, *, study: str) -> Path:
    """The scanner's dose summary page: a secondary capture (RGB screenshot)."""
    ds = _base(SecondaryCaptureImageStorage, "CT", VENDORS["GE"], study, generate_uid(ROOT), 999)
    ds.ImageType = ["DERIVED", "SECONDARY", "SCREEN SAVE"]
    ds.SeriesDescription = "Dose Report"
    ds.ConversionType = "WSD"
    ds.set_pixel_data(np.zeros((32, 48, 3), np.uint8), "RGB", 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def dose_report(path: Path, *, study: str) -> Path:
    """A radiation-dose structured report (no pixels)."""
    ds = _base(XRayRadiationDoseSRStorage, "SR", VENDORS["Siemens"], study, generate_uid(ROOT),
               998)
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = DicomSequence([_code("113701", "DCM",
                                                      "X-Ray Radiation Dose Report")])
    ds.ContinuityOfContent = "SEPARATE"
    ds.CompletionFlag, ds.VerificationFlag = "COMPLETE", "UNVERIFIED"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def presentation_state(path: Path, *, study: str) -> Path:
    """A grayscale softcopy presentation state (a saved window and annotations)."""
    ds = _base(GrayscaleSoftcopyPresentationStateStorage, "PR", VENDORS["Philips"], study,
               generate_uid(ROOT), 997)
    ds.ContentLabel = "WINDOW"
    ds.PresentationCreationDate, ds.PresentationCreationTime = "20260101", "101700"
    ds.ContentDescription = "saved window"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def mr_image(path: Path, *, study: str) -> Path:
    """An MR slice of the same patient (another modality in the same export)."""
    ds = _base(MRImageStorage, "MR", VENDORS["Siemens"], study, generate_uid(ROOT), 5)
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    ds.ImagePositionPatient, ds.ImageOrientationPatient = ["0", "0", "0"], [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = ["1", "1"]
    ds.set_pixel_data(np.zeros((16, 16), np.uint16), "MONOCHROME2", 12)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def pacs_export(root: Path, plan: Plan | None = None) -> dict[str, Any]:
    """A CD/USB export: a DICOMDIR and every object under DICOM/, files without extension.

    Holds one head series, a localizer, a dose screen, a dose report and a
    presentation state, all of one study, as a scanner's "export to media" writes
    them. Returns the series' UID, the study's UID and the DICOMDIR's path.
    """
    staging = root.parent / (root.name + "-staging")
    study, series = generate_uid(ROOT), generate_uid(ROOT)
    slices = write_series(staging / "series", plan or even(count=12), study=study, series=series)
    others = [localizer(staging / "scout", study=study), dose_screen(staging / "dose", study=study),
              dose_report(staging / "sr", study=study),
              presentation_state(staging / "pr", study=study)]
    fileset = FileSet()
    for path in [*slices, *others]:
        fileset.add(path)
    fileset.write(root)
    fileset._stage["t"].cleanup()  # FileSet's staging folder, else a ResourceWarning later
    return {"study": study, "series": series, "dicomdir": root / "DICOMDIR",
            "slices": len(slices), "others": len(others)}
