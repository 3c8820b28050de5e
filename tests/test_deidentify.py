"""Tests of ctlib.deidentify: PS3.15 Annex E actions, consistent UIDs, an unchanged input."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from conftest import build_ct, fingerprint
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.uid import UID, CTImageStorage

import ctlib
from ctlib.deidentify import ACTIONS, BASIC_PROFILE, METHOD

#: Fake personal data put into the test data sets, each of which must be gone afterwards.
FAKE_TEXTS = [b"Doe^John", b"Smith^Anna", b"General Hospital", b"19700101", b"MRN-0012345",
              b"Main Street", b"SN-998877", b"ACC-4711"]
#: A private block and an element in it.
PRIVATE_CREATOR, PRIVATE_TAG = 0x00290010, 0x00291010
#: An overlay plane (group 6000) and a curve (group 5000).
OVERLAY_ROWS, OVERLAY_DATA, CURVE_DIMENSIONS = 0x60000010, 0x60003000, 0x50000005


def rsna_id(text: str, digits: int = 10) -> str:
    """An RSNA-style identifier such as ``ID_4f1c...`` derived from ``text``."""
    return "ID_" + hashlib.sha1(text.encode()).hexdigest()[:digits]


def clinical_slice(index: int, *, series: str = "series-1") -> Dataset:
    """A CT slice as a hospital would send it: RSNA-style UIDs and fake personal data."""
    stored = (np.arange(16 * 16, dtype=np.int16).reshape(16, 16) * 7 + index).astype(np.int16)
    with ctlib.allow_rsna_uids():
        ds = build_ct(
            stored,
            SOPInstanceUID=rsna_id(f"{series}-{index}", 9),
            StudyInstanceUID=rsna_id("study"),
            SeriesInstanceUID=rsna_id(series),
            FrameOfReferenceUID=rsna_id(f"{series}-frame"),
            PatientName="Doe^John",
            PatientID="MRN-0012345",
            PatientBirthDate="19700101",
            PatientSex="M",
            PatientAge="054Y",
            OtherPatientIDs="MRN-0012345-OLD",
            OtherPatientNames="Doe^Johnny",
            PatientAddress="1 Main Street, Springfield",
            InstitutionName="General Hospital",
            InstitutionAddress="2 Main Street, Springfield",
            ReferringPhysicianName="Smith^Anna",
            PerformingPhysicianName="Smith^Anna",
            OperatorsName="Smith^Anna",
            StationName="CT01",
            DeviceSerialNumber="SN-998877",
            AccessionNumber="ACC-4711",
            StudyID="4711",
            StudyDate="20190512",
            StudyTime="101500",
            SeriesDate="20190512",
            SeriesTime="101600",
            AcquisitionDate="20190512",
            AcquisitionTime="101601",
            ContentDate="20190512",
            ContentTime="101602",
            StudyDescription="CT head for Doe^John",
            Manufacturer="ACME",
            ImageType=["ORIGINAL", "PRIMARY", "AXIAL"],
        )
        ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid(
            entropy_srcs=[ds.SOPInstanceUID])  # as in RSNA files: a real UID, not the data set's
        ds.file_meta.SourceApplicationEntityTitle = "HOSPITAL_CT01"
        # A sequence that is kept, with identifying elements inside (Contributing Equipment).
        equipment = Dataset()
        equipment.Manufacturer = "ACME"
        equipment.InstitutionName = "General Hospital"
        equipment.OperatorsName = "Smith^Anna"
        equipment.DeviceSerialNumber = "SN-998877"
        ds.ContributingEquipmentSequence = [equipment]
        # A reference to the neighbouring slice: its UID must map like that slice's own.
        reference = Dataset()
        reference.ReferencedSOPClassUID = CTImageStorage
        reference.ReferencedSOPInstanceUID = rsna_id(f"{series}-{index + 1}", 9)
        ds.ReferencedImageSequence = [reference]
        # A sequence removed as a whole, holding a name.
        request = Dataset()
        request.RequestedProcedureID = "RP-1"
        request.ScheduledPerformingPhysicianName = "Smith^Anna"
        ds.RequestAttributesSequence = [request]
    ds.private_block(0x0029, "ACME CT PRIVATE", create=True).add_new(0x10, "LO", "Doe^John")
    ds.add_new(OVERLAY_ROWS, "US", 16)
    ds.add_new(OVERLAY_DATA, "OW", bytes(32))
    ds.add_new(CURVE_DIMENSIONS, "US", 2)
    return ds


def fake_value(keyword: str) -> Any:
    """A non-empty value of the right VR for ``keyword``, looking like personal data."""
    vr = dictionary_VR(keyword)
    if vr == "SQ":
        item = Dataset()
        item.PatientName = "Doe^John"
        return [item]
    values: dict[str, Any] = {
        "PN": "Doe^John", "DA": "19700101", "TM": "101500", "DT": "19700101101500",
        "AS": "054Y", "CS": "FAKE", "DS": "70.5", "IS": "3", "US": 1, "UL": 1, "SS": 1,
        "AE": "HOSPITAL_CT01", "SH": "FAKE-4711", "LO": "General Hospital",
        "LT": "Seen by Doe^John", "ST": "Seen by Doe^John", "UT": "Seen by Doe^John",
        "OB": b"\x00\x01", "UI": rsna_id(keyword),
    }
    return values[vr.split(" or ")[0]]


@pytest.fixture(scope="module")
def everything() -> Dataset:
    """A data set holding every element of BASIC_PROFILE, each with a fake value."""
    ds = Dataset()
    with ctlib.allow_rsna_uids():
        for keyword in BASIC_PROFILE:
            setattr(ds, keyword, fake_value(keyword))
    return ds


def action_problems(before: Dataset, after: Dataset, keyword: str) -> list[str]:
    """What is wrong with ``after`` for ``keyword``, given its action in BASIC_PROFILE."""
    action = BASIC_PROFILE[keyword]
    with ctlib.allow_rsna_uids():
        old = before[keyword].value
        if action == "X":
            return [f"{keyword}: still there"] if keyword in after else []
        if keyword not in after:
            return [f"{keyword}: removed, but the action is {action}"]
        new = after[keyword].value
        if action == "Z" and keyword != "PatientID":
            return [] if after[keyword].is_empty else [f"{keyword}: not empty: {new!r}"]
        # U, and Patient ID, whose Z is met with a dummy value (a pseudonym): a new value.
        if new == old or not new:
            return [f"{keyword}: not replaced: {new!r}"]
        if action == "U" and not UID(str(new)).is_valid:
            return [f"{keyword}: {new!r} is not a valid UID"]
    return []


class TestTable:
    """The action table itself."""

    def test_keywords_and_actions_are_known(self) -> None:
        """Every keyword is in the DICOM dictionary, every action is Z, X or U."""
        for keyword, action in BASIC_PROFILE.items():
            assert tag_for_keyword(keyword) is not None, keyword
            assert action in ACTIONS, keyword
        assert set(ACTIONS) == {"Z", "X", "U"}  # no element of the CT subset is D

    def test_covers_what_the_course_teaches(self) -> None:
        """The elements notebook 01 names as personal, and the brief's list, are all in it."""
        required = {
            "PatientName": "Z", "PatientBirthDate": "Z", "PatientSex": "Z", "PatientAge": "X",
            "OtherPatientIDs": "X", "OtherPatientNames": "X", "PatientAddress": "X",
            "InstitutionName": "X", "InstitutionAddress": "X", "ReferringPhysicianName": "Z",
            "PerformingPhysicianName": "X", "OperatorsName": "X", "StationName": "X",
            "AccessionNumber": "Z", "StudyID": "Z", "StudyDate": "Z", "StudyTime": "Z",
            "SeriesDate": "X", "SeriesTime": "X", "AcquisitionDate": "X",
            "AcquisitionTime": "X", "ContentDate": "Z", "ContentTime": "Z",
            "DeviceSerialNumber": "X", "StudyInstanceUID": "U", "SeriesInstanceUID": "U",
            "SOPInstanceUID": "U", "FrameOfReferenceUID": "U", "PatientID": "Z",
        }
        assert {k: BASIC_PROFILE.get(k) for k in required} == required


class TestActions:
    """Each element of the table gets its action, at any depth."""

    @pytest.mark.parametrize("keyword", list(BASIC_PROFILE))
    def test_action(self, everything: Dataset, keyword: str) -> None:
        """Z: empty (Patient ID: a dummy value); X: gone; U: a new valid UID."""
        new = ctlib.deidentify(everything, salt="test")
        assert action_problems(everything, new, keyword) == []

    def test_check_can_fail(self, everything: Dataset) -> None:
        """Without de-identification, the check above reports every single element."""
        with ctlib.allow_rsna_uids():
            unchanged = copy.deepcopy(everything)
        for keyword in BASIC_PROFILE:
            assert action_problems(everything, unchanged, keyword), keyword

    def test_private_overlays_and_curves_removed(self) -> None:
        """Odd groups, and the (60xx) overlay and (50xx) curve groups, are removed."""
        ds = clinical_slice(0)
        new = ctlib.deidentify(ds, salt="test")
        for tag in (PRIVATE_CREATOR, PRIVATE_TAG, OVERLAY_ROWS, OVERLAY_DATA, CURVE_DIMENSIONS):
            assert tag in ds and tag not in new, hex(tag)

    def test_inside_sequences(self) -> None:
        """Elements of the table are handled inside kept sequences; other elements stay."""
        new = ctlib.deidentify(clinical_slice(0), salt="test")
        (equipment,) = new.ContributingEquipmentSequence
        assert equipment.Manufacturer == "ACME"
        for keyword in ("InstitutionName", "OperatorsName", "DeviceSerialNumber"):
            assert keyword not in equipment
        assert "RequestAttributesSequence" not in new
        assert new.Manufacturer == "ACME" and list(new.ImageType) == ["ORIGINAL", "PRIMARY",
                                                                       "AXIAL"]

    def test_marked_as_deidentified(self) -> None:
        """(0012,0062) YES, (0012,0063) the method, (0012,0064) DCM 113100."""
        new = ctlib.deidentify(clinical_slice(0), salt="test")
        assert new.PatientIdentityRemoved == "YES"
        assert new.DeidentificationMethod == METHOD
        (code,) = new.DeidentificationMethodCodeSequence
        assert (code.CodeValue, code.CodingSchemeDesignator) == ("113100", "DCM")

    def test_file_meta_and_preamble(self) -> None:
        """The file meta names no station, and the preamble holds nothing."""
        ds = clinical_slice(0)
        ds.preamble = b"HOSPITAL" + bytes(120)
        new = ctlib.deidentify(ds, salt="test")
        assert "SourceApplicationEntityTitle" not in new.file_meta
        assert new.preamble == bytes(128)

    def test_keep(self) -> None:
        """Kept keywords stay as they were and are listed in the method."""
        new = ctlib.deidentify(clinical_slice(0), salt="test", keep=["PatientAge", "PatientSex"])
        assert (new.PatientAge, new.PatientSex) == ("054Y", "M")
        assert new.PatientName == ""
        assert list(new.DeidentificationMethod) == [METHOD, "kept PatientAge", "kept PatientSex"]
        assert ctlib.deidentify(clinical_slice(0), keep="PatientAge").PatientAge == "054Y"

    def test_patient_id(self) -> None:
        """A pseudonym per patient by default; the given ID when there is one."""
        first = ctlib.deidentify(clinical_slice(0), salt="test")
        second = ctlib.deidentify(clinical_slice(1), salt="test")
        assert first.PatientID == second.PatientID != "MRN-0012345"
        assert first.PatientID.startswith("ANON")
        assert ctlib.deidentify(clinical_slice(0), salt="other").PatientID != first.PatientID
        ds = clinical_slice(0)
        ds.ContributingEquipmentSequence[0].PatientID = "MRN-0012345"  # also in a sequence
        chosen = ctlib.deidentify(ds, patient_id="SUBJ-001")
        assert chosen.PatientID == "SUBJ-001"
        assert chosen.ContributingEquipmentSequence[0].PatientID == "SUBJ-001"
        nested = ctlib.deidentify(ds, salt="test").ContributingEquipmentSequence[0].PatientID
        assert nested == first.PatientID
        assert ctlib.deidentify(Dataset(), patient_id="SUBJ-001").PatientID == "SUBJ-001"


class TestUids:
    """UIDs are replaced consistently, so the slices still form a series."""

    def test_consistent_across_slices(self) -> None:
        """Two slices de-identified one by one still share study, series and frame UIDs."""
        before = [clinical_slice(0), clinical_slice(1)]
        after = [ctlib.deidentify(ds, salt="test") for ds in before]
        with ctlib.allow_rsna_uids():
            for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
                assert after[0][keyword].value == after[1][keyword].value, keyword
                assert after[0][keyword].value != before[0][keyword].value, keyword
            assert after[0].SOPInstanceUID != after[1].SOPInstanceUID
            reference = after[0].ReferencedImageSequence[0]
            assert reference.ReferencedSOPInstanceUID == after[1].SOPInstanceUID
            assert reference.ReferencedSOPClassUID == CTImageStorage

    def test_valid_and_matching_file_meta(self) -> None:
        """RSNA-style ID_ values become valid UIDs; (0002,0003) equals the new SOP UID."""
        new = ctlib.deidentify(clinical_slice(0), salt="test")
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
                        "FrameOfReferenceUID"):
            assert UID(new[keyword].value).is_valid, keyword
        assert new.file_meta.MediaStorageSOPInstanceUID == new.SOPInstanceUID

    def test_salt(self) -> None:
        """Another salt gives other UIDs; no salt, the same UIDs within this session."""
        ds = clinical_slice(0)
        assert (ctlib.deidentify(ds, salt="a").SeriesInstanceUID
                != ctlib.deidentify(ds, salt="b").SeriesInstanceUID)
        assert ctlib.deidentify(ds).SeriesInstanceUID == ctlib.deidentify(ds).SeriesInstanceUID

    def test_sample_files(self) -> None:
        """Every committed sample file de-identifies to valid UIDs without a warning."""
        for path in ctlib.open_data("sample").files():
            new = ctlib.deidentify(ctlib.read(path, header_only=True), salt="test")
            for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
                assert UID(new[keyword].value).is_valid, (path.name, keyword)


class TestInputUnchanged:
    """The data set passed in and the file it came from are never modified."""

    def test_dataset_unchanged(self) -> None:
        """The input equals a deep copy taken before, file meta and preamble included."""
        ds = clinical_slice(0)
        ds.preamble = b"HOSPITAL" + bytes(120)
        with ctlib.allow_rsna_uids():
            before = copy.deepcopy(ds)
        new = ctlib.deidentify(ds, salt="test")
        assert new is not ds
        with ctlib.allow_rsna_uids():
            assert ds == before
            assert ds.file_meta == before.file_meta
        assert ds.preamble == before.preamble
        assert ds.PatientName == "Doe^John" and PRIVATE_TAG in ds

    @pytest.mark.parametrize("as_path", [False, True])
    def test_file_unchanged(self, tmp_path: Path, as_path: bool) -> None:
        """Neither a path nor a data set read from it changes the file; nothing is written."""
        path = tmp_path / "clinical.dcm"
        with ctlib.allow_rsna_uids():
            clinical_slice(0).save_as(path, enforce_file_format=True)
        before = fingerprint(path)
        new = ctlib.deidentify(path if as_path else ctlib.read(path), salt="test")
        assert fingerprint(path) == before
        assert list(tmp_path.iterdir()) == [path]
        assert new.filename is None  # it must not be saved over the original by mistake
        assert new.PatientName == ""


class TestResult:
    """The result is a valid file with the same pixels and no trace of the fake data."""

    def test_saves_and_reads_back(self, tmp_path: Path) -> None:
        """Saved, it reads back with pydicom and ctlib; HU identical; no fake text in it."""
        ds = clinical_slice(0)
        path = tmp_path / "deidentified.dcm"
        ctlib.deidentify(ds, salt="test").save_as(path, enforce_file_format=True)
        again = pydicom.dcmread(path)  # no RSNA-style value left: no warning either
        assert again.PatientIdentityRemoved == "YES"
        assert np.array_equal(ctlib.to_hu(ctlib.read(path)), ctlib.to_hu(ds))
        raw = path.read_bytes()
        for text in FAKE_TEXTS:
            assert text not in raw, text

    def test_twice(self) -> None:
        """De-identifying a de-identified data set works and adds no duplicate marks."""
        once = ctlib.deidentify(clinical_slice(0), salt="test")
        twice = ctlib.deidentify(once, salt="test")
        assert twice.PatientIdentityRemoved == "YES"
        assert twice.DeidentificationMethod == METHOD
        assert len(twice.DeidentificationMethodCodeSequence) == 1
        assert twice.SOPInstanceUID != once.SOPInstanceUID  # a UID is a UID: replaced again
        assert twice.file_meta.MediaStorageSOPInstanceUID == twice.SOPInstanceUID


class TestErrors:
    """Wrong arguments and images it cannot clean: worded errors."""

    @pytest.mark.parametrize(("argument", "message"), [
        (42, r"takes a pydicom Dataset .* or the path of a DICOM file, not int"),
        (b"DICM", r"not bytes\. To de-identify bytes, read them first"),
        ([], "not list"),
    ])
    def test_wrong_type(self, argument: Any, message: str) -> None:
        """Not a data set nor a path."""
        with pytest.raises(ctlib.ArgumentError, match=message):
            ctlib.deidentify(argument)

    def test_file_meta_passed(self) -> None:
        """The file meta instead of the data set."""
        with pytest.raises(ctlib.ArgumentError, match=r"pass the data set ds itself"):
            ctlib.deidentify(clinical_slice(0).file_meta)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A path that does not exist: ctlib.read's error."""
        with pytest.raises(ctlib.DicomError, match="no such file"):
            ctlib.deidentify(tmp_path / "nope.dcm")

    @pytest.mark.parametrize(("options", "message"), [
        ({"salt": ""}, "salt must be a non-empty string"),
        ({"salt": 5}, "salt must be a non-empty string"),
        ({"keep": ["PatientsAge"]}, r"'PatientsAge' is not a keyword .* Did you mean 'PatientAge'"),
        ({"keep": 3}, r"keep must be a list of keywords"),
        ({"patient_id": "x" * 65}, "at most 64 characters"),
    ])
    def test_wrong_options(self, options: dict[str, Any], message: str) -> None:
        """Each option is checked, and the message says what to pass."""
        with pytest.raises(ctlib.ArgumentError, match=message):
            ctlib.deidentify(clinical_slice(0), **options)

    def test_burned_in_annotation(self) -> None:
        """Text in the pixels cannot be removed from the header: refused, with what to do."""
        ds = clinical_slice(0)
        ds.BurnedInAnnotation = "YES"
        with pytest.raises(ctlib.HeaderError, match=r"\(0028,0301\) BurnedInAnnotation is YES"
                                                    r".*Black out that text"):
            ctlib.deidentify(ds)
        ds.BurnedInAnnotation = "NO"
        assert ctlib.deidentify(ds).BurnedInAnnotation == "NO"


class TestTables:
    """The tables appendix A1 shows: the profile by action, and a before/after comparison."""

    def test_profile_table_counts_every_element(self) -> None:
        """One row per action; the counts add up to the profile; examples are its keywords."""
        from ctlib.deidentify import ACTIONS, BASIC_PROFILE, profile_table

        table = profile_table(examples=1)
        assert list(table.index) == list(ACTIONS)
        for action, row in table.iterrows():
            assert row["elements"] == sum(a == action for a in BASIC_PROFILE.values())
            assert BASIC_PROFILE[row["for example"].removesuffix(", …")] == action

    def test_before_after_marks_and_cuts(self) -> None:
        """Empty, absent and removed are told apart; private tags are labelled; long values cut."""
        from pydicom import Dataset

        from ctlib.deidentify import before_after

        old, new = Dataset(), Dataset()
        old.PatientName, new.PatientName = "Doe^Jane", ""
        old.StudyInstanceUID = new.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.1234567890123"
        old.add_new(0x00291010, "LO", "Doe^Jane")
        new.PatientIdentityRemoved = "YES"
        table = before_after(old, new, ["PatientName", "StudyInstanceUID", 0x00291010,
                                        "PatientIdentityRemoved"], width=10)
        assert table.to_dict("index") == {
            "PatientName": {"before": "Doe^Jane", "after": "(empty)"},
            "StudyInstanceUID": {"before": "1.2.826.0…", "after": "1.2.826.0…"},
            "(0029,1010) private": {"before": "Doe^Jane", "after": "(removed)"},
            "PatientIdentityRemoved": {"before": "(absent)", "after": "YES"},
        }
