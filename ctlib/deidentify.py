"""De-identifying a DICOM data set: :func:`deidentify`, after DICOM PS3.15 Annex E.

A CT file from a hospital names the patient, the people who examined them, the
place and the time. PS3.15 Annex E, the *Basic Application Level
Confidentiality Profile*, lists in Table E.1-1 what a de-identifier must do with
each such element. Its action codes (legend in section E.1.1): **D** replace it
by a dummy value, **Z** replace it by a zero-length value or a dummy value, **X**
remove it, **U** replace a UID by a new one, the same new one for the same old one
so that studies, series and images still fit together. Some elements have a
choice of codes, such as X/Z.

:data:`BASIC_PROFILE` is the part of that table this module applies: the
elements a CT image can carry and that notebook A1 (``A1_dicom_details.ipynb``)
shows. In that part no element is **D**: Patient's Name and Patient ID are both
**Z**, and the UIDs are **U**. :func:`deidentify` returns a de-identified *copy*;
it never changes the data set it is given, nor any file.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Literal

from pydicom.dataelem import DataElement, empty_value_for_VR
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.uid import generate_uid

from ctlib.errors import ArgumentError, HeaderError, element_name, source_name
from ctlib.reading import allow_rsna_uids, read

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ACTIONS", "BASIC_PROFILE", "METHOD", "before_after", "deidentify", "profile_table"]

#: The action codes of PS3.15 Table E.1-1 that :func:`deidentify` uses (the table's **D**,
#: a dummy value, belongs to no element of :data:`BASIC_PROFILE`).
Action = Literal["Z", "X", "U"]

#: What each action code means (PS3.15 section E.1.1, Table E.1-1 legend), as applied here.
ACTIONS: Final[dict[str, str]] = {
    "Z": "kept, but emptied; Patient ID: a dummy value",
    "X": "removed",
    "U": "new UID, the same for the same old UID",
}

#: The **Z** elements given a dummy value rather than an empty one, which code Z allows
#: ("a zero length value, or a non-zero length value that may be a dummy value"): a
#: pseudonym keeps the files of one patient together.
_Z_DUMMY: Final[frozenset[str]] = frozenset({"PatientID"})

# PS3.15 Table E.1-1 (Application Level Confidentiality Profile Attributes), column
# "Basic Prof.", for the elements a CT image (PS3.3 A.3) can carry. Where the table offers a
# choice (X/Z, X/D, Z/D, X/Z/D), the rule of section E.1.1 applies: remove (X) unless the
# element is Type 2 in the IOD (then Z) or Type 1 (then D). The comment gives the table's
# code when it is not the action taken, and why.
#: Keyword → action (see :data:`ACTIONS`) applied by :func:`deidentify`, anywhere in the data
#: set, inside sequences too.
BASIC_PROFILE: Final[dict[str, Action]] = {
    # Patient
    "PatientName": "Z",
    "PatientID": "Z",  # given a dummy value, which Z allows: a salted pseudonym (patient_id=)
    "PatientBirthDate": "Z",
    "PatientSex": "Z",
    "PatientAge": "X",
    "PatientAddress": "X",
    "OtherPatientNames": "X",
    "OtherPatientIDs": "X",
    "OtherPatientIDsSequence": "X",
    "IssuerOfPatientID": "X",
    "PatientBirthName": "X",
    "PatientMotherBirthName": "X",
    "PatientBirthTime": "X",
    "PatientSize": "X",
    "PatientWeight": "X",
    "PatientTelephoneNumbers": "X",
    "EthnicGroup": "X",
    "Occupation": "X",
    "MedicalRecordLocator": "X",
    "AdditionalPatientHistory": "X",
    "PatientComments": "X",
    "ReferencedPatientSequence": "X",
    # Study, request and visit
    "StudyDate": "Z",
    "StudyTime": "Z",
    "AccessionNumber": "Z",
    "StudyID": "Z",
    "StudyDescription": "X",
    "ReferringPhysicianName": "Z",
    "ReferringPhysicianAddress": "X",
    "ReferringPhysicianTelephoneNumbers": "X",
    "PhysiciansOfRecord": "X",
    "NameOfPhysiciansReadingStudy": "X",
    "RequestingPhysician": "X",
    "RequestAttributesSequence": "X",
    "RequestedProcedureDescription": "X",  # X/Z: not in the CT Image IOD
    "ReasonForStudy": "X",
    "AdmittingDiagnosesDescription": "X",
    "ReferencedStudySequence": "X",  # X/Z: Type 3 in the General Study module
    # Series, acquisition and image
    "SeriesDate": "X",  # X/D: Type 3 in the General Series module
    "SeriesTime": "X",  # X/D
    "AcquisitionDate": "X",  # X/Z: Type 3 in the General Image module
    "AcquisitionTime": "X",  # X/Z
    "AcquisitionDateTime": "X",  # X/Z/D: Type 3
    "ContentDate": "Z",  # Z/D: Type 2C in the General Image module
    "ContentTime": "Z",  # Z/D
    "InstanceCreationDate": "X",  # X/D: Type 3 in the SOP Common module
    "InstanceCreationTime": "X",  # X/Z/D
    "TimezoneOffsetFromUTC": "X",
    "SeriesDescription": "X",
    "ProtocolName": "X",  # X/D: Type 3
    "PerformingPhysicianName": "X",
    "OperatorsName": "X",  # X/Z/D: Type 3
    "PerformedProcedureStepID": "X",
    "PerformedProcedureStepStartDate": "X",
    "PerformedProcedureStepStartTime": "X",
    "PerformedProcedureStepDescription": "X",
    "ReferencedPerformedProcedureStepSequence": "X",  # X/Z/D: Type 3
    "ContrastBolusAgent": "Z",  # Z/D: Type 2 in the Contrast/Bolus module
    "AcquisitionComments": "X",
    "ImageComments": "X",
    "DerivationDescription": "X",
    "IconImageSequence": "X",  # a thumbnail can show what the pixels show (Note 11)
    "OverlayDate": "X",
    "OverlayTime": "X",
    "CurveDate": "X",
    "CurveTime": "X",
    # Equipment and institution
    "InstitutionName": "X",  # X/Z/D: Type 3 in the General Equipment module
    "InstitutionAddress": "X",
    "InstitutionalDepartmentName": "X",
    "StationName": "X",  # X/Z/D: Type 3
    "StationAETitle": "X",
    "DeviceSerialNumber": "X",  # X/Z/D: Type 3
    # Copies of old values, signatures, padding
    "OriginalAttributesSequence": "X",  # may hold the values before an earlier change
    "DigitalSignaturesSequence": "X",  # holds the signer's certificate
    "DataSetTrailingPadding": "X",
    # UIDs (the file meta's MediaStorageSOPInstanceUID follows SOPInstanceUID)
    "StudyInstanceUID": "U",
    "SeriesInstanceUID": "U",
    "SOPInstanceUID": "U",
    "FrameOfReferenceUID": "U",
    "SynchronizationFrameOfReferenceUID": "U",
    "DeviceUID": "U",
    "ReferencedSOPInstanceUID": "U",  # in Referenced Image Sequence and others (X/Z/U*)
    "InstanceCreatorUID": "U",
    "IrradiationEventUID": "U",
    "ConcatenationUID": "U",
    "DimensionOrganizationUID": "U",
}

#: The value of (0012,0063) De-identification Method that :func:`deidentify` adds.
METHOD: Final[str] = "ctlib.deidentify: PS3.15 E.1 basic profile, subset"

#: (0012,0064) De-identification Method Code Sequence item: PS3.16 CID 7050, code 113100.
_PROFILE_CODE: Final[tuple[str, str, str]] = (
    "113100", "DCM", "Basic Application Confidentiality Profile",
)

#: File meta elements that name the sending station or carry private data (not in Table
#: E.1-1, which covers the data set, but as identifying as (0008,0055) Station AE Title).
_FILE_META_REMOVED: Final[tuple[str, ...]] = (
    "SourceApplicationEntityTitle", "SendingApplicationEntityTitle",
    "ReceivingApplicationEntityTitle", "PrivateInformationCreatorUID", "PrivateInformation",
)

#: Used when no salt is given: random, and the same for every call in this Python session.
_SESSION_SALT: Final[str] = secrets.token_hex(16)


def deidentify(
    ds: Dataset | str | os.PathLike[str],
    *,
    salt: str | None = None,
    patient_id: str | None = None,
    keep: Iterable[str] = (),
) -> Dataset:
    """Return a de-identified copy of a data set (PS3.15 Annex E, basic profile, in part).

    The input is never changed: the data set is deep-copied first, and a file is
    only read. To save the result, call ``new.save_as(other_path)``; never overwrite
    the original.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset or str or os.PathLike
        The data set (for example from :func:`ctlib.read`), or the path of a DICOM
        file, which is then read with :func:`ctlib.read`.
    salt : str, optional
        Secret from which new UIDs and the patient pseudonym are derived
        (deterministically: the same salt and the same old UID give the same new
        UID, in any call and any session). By default a random salt made once per
        Python session, so the files de-identified in one session still fit
        together but a later session gives other UIDs. Pass your own, such as
        ``secrets.token_hex(16)``, to de-identify files over several sessions; keep
        it secret and apart from the data, since anyone with the salt and an
        original UID can tell which new UID belongs to it.
    patient_id : str, optional
        The new (0010,0020) Patient ID, such as a study code ``"SUBJ-001"``; it is
        added if the data set had none. By default a pseudonym ``"ANON…"``
        derived from the salt and the old Patient ID, so that the files of one
        patient keep a common ID (an empty Patient ID stays empty).
    keep : iterable of str, optional
        Keywords of :data:`BASIC_PROFILE` to leave unchanged, as the profile's
        *Retain* options do (for example ``["PatientAge", "PatientSex"]`` for a
        study that needs them). Each one is listed in (0012,0063).

    Returns
    -------
    pydicom.dataset.Dataset
        A new data set in which every element of :data:`BASIC_PROFILE` found
        (at any depth, inside sequences too) has had its action, private elements
        and (50xx) curve and (60xx) overlay groups are removed, the file meta's
        (0002,0003) Media Storage SOP Instance UID equals the new SOP Instance
        UID, the 128-byte preamble is zeroed, and (0012,0062) Patient Identity
        Removed is ``"YES"`` with (0012,0063) De-identification Method and
        (0012,0064) De-identification Method Code Sequence (DCM 113100) added. It
        has no ``filename``: it comes from no file.

    Raises
    ------
    ArgumentError
        If ``ds`` is neither a data set nor a path, or ``salt``, ``patient_id`` or
        ``keep`` is not valid.
    DicomError
        If ``ds`` is a path that :func:`ctlib.read` cannot read.
    HeaderError
        If (0028,0301) Burned In Annotation is ``"YES"``: the pixels show text
        this function cannot remove.

    Notes
    -----
    What this does **not** cover:

    - Text burned into the pixels. A file that says so (Burned In Annotation
      ``YES``) is refused; but the flag is often missing or wrong, so look at the
      images. Cleaning pixels is the profile's *Clean Pixel Data Option*.
    - The face. A head CT contains it: a 3-D surface rendering can be recognised,
      so head CT for open sharing is *defaced* (Clean Recognizable Visual
      Features Option), which this function does not do.
    - Free text outside the table: descriptions and comments listed in
      :data:`BASIC_PROFILE` are removed or emptied, but a name typed into another
      element stays (the profile's *Clean Descriptors Option* would review them).
    - Private elements are removed wholesale, so vendor data (reconstruction
      details, dose information) is lost; keeping the safe ones (*Retain Safe
      Private Option*) needs a list per vendor.
    - Dates are removed or emptied, not shifted: intervals between studies are
      lost (the *Retain Longitudinal Temporal Information* options keep them).
    - Only the elements of :data:`BASIC_PROFILE` are handled, not all of Table
      E.1-1 (structured reports, radiotherapy and others have more).
    - With a known salt the result is *pseudonymised*, not anonymous: under the
      GDPR it is still personal data. Meeting a regulation (HIPAA Safe Harbor or
      Expert Determination, GDPR) takes more than a profile: a review of the
      data, its pixels and the project.

    New UIDs are made by :func:`pydicom.uid.generate_uid` from the salt and the old
    UID, so they are valid UIDs (PS3.5 section 9) even when the old one was an
    RSNA-style ``ID_…`` value.

    References
    ----------
    DICOM PS3.15 Annex E (Attribute Confidentiality Profiles), section E.1 and
    Table E.1-1; PS3.16 CID 7050 (De-identification Method).

    Examples
    --------
    >>> import ctlib
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.PatientName = "Doe^Jane"
    >>> ds.PatientID = "MRN-0012345"
    >>> ds.PatientBirthDate = "19700101"
    >>> ds.InstitutionName = "General Hospital"
    >>> ds.StudyInstanceUID = "1.2.3.4"
    >>> new = ctlib.deidentify(ds, salt="course-demo")
    >>> new.PatientName, new.PatientBirthDate, "InstitutionName" in new
    ('', '', False)
    >>> new.PatientID
    'ANONF3B73C10BABF'
    >>> new.StudyInstanceUID
    '1.2.826.0.1.3680043.8.498.63132715494351072260332187510157289621'
    >>> new.PatientIdentityRemoved
    'YES'
    >>> ds.PatientName  # the original is unchanged
    'Doe^Jane'

    The same salt gives the same new UIDs, so slices de-identified one by one still
    form one study:

    >>> ctlib.deidentify(ds, salt="course-demo").StudyInstanceUID == new.StudyInstanceUID
    True
    """
    source = _dataset(ds)
    salt = _checked_salt(salt)
    kept = _checked_keep(keep)
    if patient_id is not None:
        _check_patient_id(patient_id)
    actions = {keyword: action for keyword, action in BASIC_PROFILE.items()
               if keyword not in kept}
    with allow_rsna_uids():
        new = copy.deepcopy(source)
        _refuse_burned_in(new, source)
        new.remove_private_tags()

        def apply(dataset: Dataset, elem: DataElement) -> None:
            group = elem.tag.group
            if group % 2 == 0 and (0x5000 <= group <= 0x50FF or 0x6000 <= group <= 0x60FF):
                del dataset[elem.tag]  # a curve or an overlay plane (PS3.15 E.1-1: X)
                return
            action = actions.get(elem.keyword)
            if action == "X":
                del dataset[elem.tag]
            elif action == "Z" and elem.keyword in _Z_DUMMY:  # Patient ID: a dummy value
                elem.value = patient_id if patient_id is not None else _pseudonym(
                    str(elem.value or ""), salt)
            elif action == "Z":
                elem.value = empty_value_for_VR(elem.VR)
            elif action == "U":
                elem.value = _new_uids(elem.value, salt)

        new.walk(apply)
        if "PatientID" in actions and patient_id is not None:
            new.PatientID = patient_id
        _clean_file_meta(new, salt, keep_sop="SOPInstanceUID" in kept)
        _mark(new, kept)
    if isinstance(new, FileDataset):
        new.filename = None  # it comes from no file
        new.timestamp = None
    return new


def profile_table(examples: int = 2) -> pd.DataFrame:
    """The actions of :data:`BASIC_PROFILE`: what each means, how many elements, examples.

    Parameters
    ----------
    examples : int, optional
        How many keywords to name per action.

    Returns
    -------
    pandas.DataFrame
        Index ``action`` (Z, X, U); columns ``meaning``, ``elements``, ``for example``.

    Examples
    --------
    >>> table = profile_table()
    >>> int(table["elements"].sum()) == len(BASIC_PROFILE)
    True
    """
    import pandas as pd

    rows = []
    for action, meaning in ACTIONS.items():
        keywords = [k for k, a in BASIC_PROFILE.items() if a == action]
        rows.append({"action": action, "meaning": meaning, "elements": len(keywords),
                     "for example": ", ".join(keywords[:examples]) + ", …"})
    return pd.DataFrame(rows).set_index("action")


def before_after(
    before: Dataset, after: Dataset, elements: Iterable[str | int], *, width: int = 30
) -> pd.DataFrame:
    """Two data sets side by side, element by element: what de-identification changed.

    Parameters
    ----------
    before, after : pydicom.dataset.Dataset
    elements : iterable of str or int
        Keywords, or tags (e.g. ``0x00291010`` for a private element).
    width : int, optional
        Longer values (UIDs) are cut to this many characters, with "…".

    Returns
    -------
    pandas.DataFrame
        Index: keyword (or "(gggg,eeee) private"); columns ``before`` and ``after``,
        where "(empty)" is an element without a value, "(absent)" one that ``before``
        lacks and "(removed)" one that ``after`` lacks.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> old, new = Dataset(), Dataset()
    >>> old.PatientName, new.PatientName = "Doe^Jane", ""
    >>> new.PatientIdentityRemoved = "YES"
    >>> before_after(old, new, ["PatientName", "PatientIdentityRemoved"]).to_dict("index")
    {'PatientName': {'before': 'Doe^Jane', 'after': '(empty)'}, \
'PatientIdentityRemoved': {'before': '(absent)', 'after': 'YES'}}
    """
    import pandas as pd

    def shown(data: Dataset, element: str | int, missing: str) -> str:
        if element not in data:
            return missing
        text = str(data[element].value) or "(empty)"
        return text if len(text) <= width else text[: width - 1] + "…"

    wanted = list(elements)
    with allow_rsna_uids():
        return pd.DataFrame(
            {"before": [shown(before, e, "(absent)") for e in wanted],
             "after": [shown(after, e, "(removed)") for e in wanted]},
            index=[e if isinstance(e, str) else f"({e >> 16:04X},{e & 0xFFFF:04X}) private"
                   for e in wanted],
        )


def _dataset(ds: object) -> Dataset:
    """The data set to de-identify: ``ds`` itself, or read from a path."""
    if isinstance(ds, FileMetaDataset):
        raise ArgumentError(
            "deidentify() got the file meta information (ds.file_meta); pass the data set "
            "ds itself: its file meta information is de-identified with it."
        )
    if isinstance(ds, Dataset):
        return ds
    if isinstance(ds, (str, os.PathLike)):
        return read(ds)
    hint = (" To de-identify bytes, read them first: pydicom.dcmread(io.BytesIO(data))."
            if isinstance(ds, (bytes, bytearray)) else "")
    raise ArgumentError(
        f"deidentify() takes a pydicom Dataset (for example from ctlib.read(path)) or the "
        f"path of a DICOM file, not {type(ds).__name__}.{hint}"
    )


def _checked_salt(salt: object) -> str:
    if salt is None:
        return _SESSION_SALT
    if not isinstance(salt, str) or not salt:
        raise ArgumentError(
            f"salt must be a non-empty string, not {salt!r}: for example "
            "secrets.token_hex(16), kept secret and apart from the data (or leave it out "
            "for a random salt per session)."
        )
    return salt


def _checked_keep(keep: object) -> frozenset[str]:
    if isinstance(keep, str):  # one keyword, not its letters
        keep = [keep]
    if not isinstance(keep, Iterable):
        raise ArgumentError(
            f"keep must be a list of keywords such as ['PatientAge'], not {keep!r}."
        )
    kept: set[str] = set()
    for keyword in keep:
        if keyword not in BASIC_PROFILE:
            close = difflib.get_close_matches(str(keyword), BASIC_PROFILE, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ArgumentError(
                f"keep: {keyword!r} is not a keyword of the de-identification table.{hint} "
                "The table is BASIC_PROFILE (from ctlib.deidentify import BASIC_PROFILE)."
            )
        kept.add(keyword)
    return frozenset(kept)


def _check_patient_id(patient_id: object) -> None:
    if not isinstance(patient_id, str) or len(patient_id) > 64 or "\\" in patient_id:
        raise ArgumentError(
            f"patient_id must be a string of at most 64 characters without a backslash "
            f"(VR LO), such as 'SUBJ-001', not {patient_id!r}."
        )


def _refuse_burned_in(new: Dataset, source: Dataset) -> None:
    if str(new.get("BurnedInAnnotation", "")).strip().upper() == "YES":
        raise HeaderError(
            f"{source_name(source)}: {element_name('BurnedInAnnotation')} is YES: text such "
            "as a name or a date is drawn into the pixels, and deidentify() changes only the "
            "header. Black out that text in the pixels of a copy (or leave the image out), "
            "set BurnedInAnnotation = 'NO' on the copy, and call deidentify() on it."
        )


def _new_uid(uid: str, salt: str) -> str:
    """The new UID of ``uid``: the same for the same salt, valid even if ``uid`` is not."""
    if not uid:
        return uid
    return str(generate_uid(entropy_srcs=[f"{len(salt)}:", salt, uid]))


def _new_uids(value: object, salt: str) -> object:
    if isinstance(value, (MultiValue, list, tuple)):
        return [_new_uid(str(v), salt) for v in value]
    return _new_uid(str(value or ""), salt)


def _pseudonym(patient_id: str, salt: str) -> str:
    """``"ANON"`` and 12 hexadecimal digits of a keyed hash of the Patient ID."""
    if not patient_id:
        return patient_id
    digest = hmac.new(salt.encode(), patient_id.encode(), hashlib.sha256).hexdigest()
    return "ANON" + digest[:12].upper()


def _clean_file_meta(new: Dataset, salt: str, *, keep_sop: bool) -> None:
    """New (0002,0003) matching the new SOP Instance UID; no station names; zero preamble."""
    meta = getattr(new, "file_meta", None)
    if meta is not None:
        for keyword in _FILE_META_REMOVED:
            if keyword in meta:
                delattr(meta, keyword)
        if "MediaStorageSOPInstanceUID" in meta and not keep_sop:
            sop = new.get("SOPInstanceUID")
            meta.MediaStorageSOPInstanceUID = (
                str(sop) if sop else _new_uid(str(meta.MediaStorageSOPInstanceUID), salt)
            )
    if getattr(new, "preamble", None) is not None:
        new.preamble = bytes(128)  # other programs may keep their own header there


def _mark(new: Dataset, kept: frozenset[str]) -> None:
    """Add the de-identification elements of the SOP Common module (PS3.3 C.12.1)."""
    new.PatientIdentityRemoved = "YES"
    methods = [str(m) for m in _values(new.get("DeidentificationMethod"))]
    for value in [METHOD, *(f"kept {keyword}" for keyword in sorted(kept))]:
        if value not in methods:
            methods.append(value)
    new.DeidentificationMethod = methods[0] if len(methods) == 1 else methods
    if "DeidentificationMethodCodeSequence" not in new:
        new.DeidentificationMethodCodeSequence = []
    codes = new.DeidentificationMethodCodeSequence
    if not any(item.get("CodeValue") == _PROFILE_CODE[0] for item in codes):
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = _PROFILE_CODE
        codes.append(item)


def _values(value: object) -> list[object]:
    if value is None or value == "":
        return []
    if isinstance(value, (MultiValue, list, tuple)):
        return list(value)
    return [value]
