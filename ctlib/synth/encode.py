"""Write synthetic slices as DICOM files laid out like the RSNA 2019 data set.

Each file carries the same 21 data elements as an RSNA file plus Pixel Data,
in Explicit VR Little Endian, with RSNA-style ``ID_<hex>`` identifiers. Its
File Meta Information (DICOM PS3.10 Table 7.1-1) has every Type 1 element,
(0002,0000) File Meta Information Group Length included, and keeps one RSNA
quirk on purpose: (0002,0003) Media Storage SOP Instance UID holds a valid
UID, while (0008,0018) SOP Instance UID holds the ``ID_<hex>`` name, although
the standard asks the two to be equal.

How the Hounsfield values are stored depends on the series' *encoding*, which
reproduces the variants (and the faults) found in the real data:

``signed16``
    PixelRepresentation 1, 16 bits, intercept −1024; outside the scan circle
    the stored value is −2000 (−3024 HU).
``unsigned12``
    PixelRepresentation 0, 12 bits, intercept −1024, two-valued window
    elements (``[36, 36]``/``[80, 80]``); outside the circle stored 0 (−1024 HU).
``mislabel0`` / ``mislabel1``
    12-bit two's-complement values declared unsigned (PixelRepresentation 0)
    with intercept 0 or 1: the RSNA fault that :func:`ctlib.to_hu` repairs.
``intercept1000``
    Like ``signed16`` with intercept −1000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset, FileMetaDataset, validate_file_meta
from pydicom.multival import MultiValue
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
from pydicom.valuerep import DSfloat

from ctlib.reading import allow_rsna_uids

__all__ = ["ENCODINGS", "Encoding", "SliceIds", "encode_slice", "stored_from_hu"]


@dataclass(frozen=True)
class Encoding:
    """How one series stores its values."""

    bits_stored: int
    representation: int  #: (0028,0103) as written in the header (may be wrong on purpose)
    intercept: float
    padding_stored: int | None  #: stored value outside the scan circle (None: air)
    two_windows: bool = False
    twos_complement_12: bool = False  #: the values really are signed 12-bit


ENCODINGS: dict[str, Encoding] = {
    "signed16": Encoding(16, 1, -1024.0, -2000),
    "unsigned12": Encoding(12, 0, -1024.0, None, two_windows=True),
    "mislabel0": Encoding(12, 0, 0.0, None, twos_complement_12=True),
    "mislabel1": Encoding(12, 0, 1.0, None, twos_complement_12=True),
    "intercept1000": Encoding(16, 1, -1000.0, -2000),
}


@dataclass(frozen=True)
class SliceIds:
    """The identifiers of one file (RSNA style: not valid UIDs)."""

    sop: str
    patient: str
    study: str
    series: str


def stored_from_hu(
    hu: npt.NDArray[np.floating], circle: npt.NDArray[np.bool_], encoding: Encoding
) -> npt.NDArray[np.integer]:
    """Turn HU into the stored integers of ``encoding`` (the inverse of ``to_hu``)."""
    values = np.rint(hu) - encoding.intercept
    if encoding.twos_complement_12:
        signed = np.clip(values, -2048, 2047).astype(np.int32)
        stored = (signed & 0x0FFF).astype(np.uint16)
        air = (int(-1024 - encoding.intercept)) & 0x0FFF
        return np.where(circle, stored, air).astype(np.uint16)
    if encoding.representation == 0:
        top = 2**encoding.bits_stored - 1
        stored = np.clip(values, 0, top).astype(np.uint16)
        outside = 0 if encoding.padding_stored is None else encoding.padding_stored
        return np.where(circle, stored, outside).astype(np.uint16)
    info = np.iinfo(np.int16)
    stored = np.clip(values, info.min, info.max).astype(np.int16)
    outside = (
        int(-1024 - encoding.intercept)
        if encoding.padding_stored is None
        else encoding.padding_stored
    )
    return np.where(circle, stored, outside).astype(np.int16)


def _ds(value: float) -> str:
    """A Decimal String as RSNA files write positions: six decimals."""
    return f"{value:.6f}"


def encode_slice(
    path: Path,
    hu: npt.NDArray[np.floating],
    circle: npt.NDArray[np.bool_],
    encoding: Encoding,
    ids: SliceIds,
    *,
    position: Sequence[float],
    orientation: Sequence[float],
    spacing_mm: float,
    window: tuple[Sequence[float], Sequence[float]] | None = None,
) -> None:
    """Write one slice to ``path`` as an RSNA-style CT Image Storage file.

    Parameters
    ----------
    path : pathlib.Path
    hu : numpy.ndarray
        The slice in HU.
    circle : numpy.ndarray of bool
        Pixels inside the scan circle.
    encoding : Encoding
    ids : SliceIds
    position, orientation : sequence of float
        (0020,0032) and (0020,0037).
    spacing_mm : float
        (0028,0030), the same along rows and columns.
    window : (centers, widths), optional
        Overrides the encoding's usual window elements (for the slices with
        unequal multi-valued windows).
    """
    stored = stored_from_hu(hu, circle, encoding)
    meta = FileMetaDataset()
    # (0002,0000) is Type 1 (PS3.10 Table 7.1-1); pydicom fills in the byte count on writing.
    meta.FileMetaInformationGroupLength = 0
    meta.MediaStorageSOPClassUID = CTImageStorage
    # The RSNA quirk, kept on purpose: a real UID here, while (0008,0018) is "ID_...".
    # PS3.10 Table 7.1-1 asks the two to be equal.
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[ids.sop])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationVersionName = "CTLIB_SYNTH_1"
    validate_file_meta(meta, enforce_standard=True)  # adds version and implementation UID
    ds = Dataset()
    ds.file_meta = meta
    ds.preamble = bytes(128)
    with allow_rsna_uids():
        ds.SOPInstanceUID = ids.sop
        ds.Modality = "CT"
        ds.PatientID = ids.patient
        ds.StudyInstanceUID = ids.study
        ds.SeriesInstanceUID = ids.series
        ds.StudyID = ""
        ds.ImagePositionPatient = [_ds(v) for v in position]
        ds.ImageOrientationPatient = [_ds(v) for v in orientation]
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = stored.shape
        ds.PixelSpacing = [_ds(spacing_mm), _ds(spacing_mm)]
        ds.BitsAllocated = 16
        ds.BitsStored = encoding.bits_stored
        ds.HighBit = encoding.bits_stored - 1
        ds.PixelRepresentation = encoding.representation
        centers, widths = window or (
            ([36.0, 36.0], [80.0, 80.0]) if encoding.two_windows else ([40.0], [80.0])
        )
        ds.WindowCenter = _multi(centers)
        ds.WindowWidth = _multi(widths)
        ds.RescaleIntercept = f"{encoding.intercept:.1f}"
        ds.RescaleSlope = "1.0"
        ds.PixelData = stored.tobytes()
        ds["PixelData"].VR = "OW"
        # Written as built (the group length is still updated, since it is present):
        # enforce_file_format=True would replace (0002,0003) by the "ID_..." of (0008,0018).
        ds.save_as(path, enforce_file_format=False)


def _multi(values: Sequence[float]) -> DSfloat | MultiValue[DSfloat]:
    """One DS value, or a multi-valued DS element for several."""
    texts = [f"{v:.1f}" for v in values]
    return DSfloat(texts[0]) if len(texts) == 1 else MultiValue(DSfloat, texts)
