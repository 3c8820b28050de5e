"""What a DICOM object is, when it is not a CT slice.

A folder exported by a scanner or a PACS holds more than the axial slices: a
DICOMDIR (the index of the media), localizer (scout) images, the dose summary
screen (a secondary capture), a radiation-dose structured report, presentation
states (saved windows and annotations), sometimes another modality. None of
them is a slice of a CT volume. :func:`not_a_slice` names each, from the header
alone, so that folder code can skip it and say why.

The SOP Class UID says what an object is (PS3.4 Annex B lists the storage
classes); (0008,0008) Image Type value 3 says LOCALIZER for a scout, which is a
CT Image Storage object like any slice (PS3.3 C.8.2.1.1.1).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydicom.dataset import Dataset
from pydicom.uid import UID

__all__ = ["MEDIA_DIRECTORY", "holds_no_image", "not_a_slice"]

#: (0002,0002) Media Storage SOP Class UID of a DICOMDIR (PS3.10 section 8.6).
MEDIA_DIRECTORY = "1.2.840.10008.1.3.10"
_CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
#: SOP class UID prefixes of families that hold no image (PS3.4 B.5).
_NO_IMAGE = {
    "1.2.840.10008.5.1.4.1.1.88.": "a structured report (SR), such as a radiation-dose report",
    "1.2.840.10008.5.1.4.1.1.11.": "a presentation state (a saved window, zoom and annotations)",
    "1.2.840.10008.5.1.4.1.1.104.": "an encapsulated document (PDF or CDA)",
    "1.2.840.10008.5.1.4.1.1.66": "raw data or a registration (no image)",
    "1.2.840.10008.5.1.4.1.1.481.": "a radiotherapy object",
    MEDIA_DIRECTORY: "a DICOMDIR: the index of a CD/USB export, which lists the files and "
    "holds no image",
}
_SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def _text(header: Dataset | None, keyword: str) -> str:
    """An element's value as text, from its raw bytes if pydicom has not converted it.

    Converting (and validating) values costs more than the whole check, which runs on
    every file of a folder; these elements are plain ASCII (CS, UI), values joined
    by backslashes.
    """
    if header is None:
        return ""
    element = header.get_item(keyword)
    if element is None:
        return ""
    value = element.value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("ascii", "replace").strip("\0 ")
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip("\0 ")
    if isinstance(value, Iterable):
        return "\\".join(str(v) for v in value)
    return str(value)


def _sop_class(header: Dataset) -> str:
    return (_text(header, "SOPClassUID")
            or _text(getattr(header, "file_meta", None), "MediaStorageSOPClassUID"))


def holds_no_image(header: Dataset) -> str | None:
    """What the object is, if its SOP class never holds pixel data; else ``None``.

    Parameters
    ----------
    header : pydicom.dataset.Dataset

    Returns
    -------
    str or None

    Examples
    --------
    >>> from pydicom.dataset import Dataset
    >>> sr = Dataset()
    >>> sr.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.67"  # X-Ray Radiation Dose SR
    >>> holds_no_image(sr)
    'a structured report (SR), such as a radiation-dose report'
    """
    sop = _sop_class(header)
    if "DirectoryRecordSequence" in header:
        return _NO_IMAGE[MEDIA_DIRECTORY]
    for prefix, what in _NO_IMAGE.items():
        if sop.startswith(prefix):
            return what
    return None


def not_a_slice(header: Dataset) -> str | None:
    """Why an object is not a slice of a CT volume, in a few words; ``None`` if it is one.

    Parameters
    ----------
    header : pydicom.dataset.Dataset
        A header (pixel data not needed), e.g. from ``ctlib.read(path, header_only=True)``.

    Returns
    -------
    str or None
        For example ``"a localizer (scout) image: (0008,0008) ImageType is
        ORIGINAL\\PRIMARY\\LOCALIZER"``. A header without SOP Class UID or
        Modality (some anonymised files) counts as a slice: the geometry checks
        of :func:`ctlib.load_series` judge it.

    Examples
    --------
    >>> from pydicom.dataset import Dataset
    >>> scout = Dataset()
    >>> scout.SOPClassUID, scout.Modality = "1.2.840.10008.5.1.4.1.1.2", "CT"
    >>> scout.ImageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"]
    >>> not_a_slice(scout)
    'a localizer (scout) image: (0008,0008) ImageType is ORIGINAL\\\\PRIMARY\\\\LOCALIZER'
    >>> scout.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    >>> not_a_slice(scout) is None
    True
    """
    no_image = holds_no_image(header)
    if no_image is not None:
        return no_image
    sop = _sop_class(header)
    if sop.startswith(_SECONDARY_CAPTURE):
        description = _text(header, "SeriesDescription")
        named = f" ({description!r})" if description else ""
        return (f"a secondary capture{named}: a picture of a screen, such as the scanner's "
                "dose summary")
    modality = _text(header, "Modality").upper()
    if modality and modality != "CT":
        article = "an" if modality[0] in "AEFHILMNORSX" else "a"  # "an MR", "a PT"
        return f"{article} {modality} object, not CT: (0008,0060) Modality is {modality!r}"
    if sop and sop != _CT_IMAGE and not sop.startswith(_CT_IMAGE + "."):
        return f"not a CT image: its SOP class is {UID(sop).name or sop}"
    if sop.startswith(_CT_IMAGE + "."):  # Enhanced CT and its relatives: many frames in one file
        return (f"{UID(sop).name or sop}: a multi-frame object, while ctlib reads one slice "
                "per file (convert it with dcm2niix or highdicom)")
    image_type = [v.strip().upper() for v in _text(header, "ImageType").split("\\")]
    if "LOCALIZER" in image_type:
        return ("a localizer (scout) image: (0008,0008) ImageType is "
                + "\\".join(image_type))
    return None

