"""No shipped or generated file carries real-looking personal data (issue 7).

The course's files are synthetic, laid out like the RSNA 2019 data: their only
identifiers are random ``ID_<hex>`` values. These tests check that it stays so: the
committed sample (data/sample), the full synthetic set when it is built
(data/synthetic), a file written by the generator itself, and the CSV, JSON and mask
files next to the images. :func:`personal_data_problems` is tested on files with a
name, a birth date or an institution added, so that it is known to catch them.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

import ctlib
from ctlib.deidentify import BASIC_PROFILE
from ctlib.rsna import LABELS
from ctlib.synth.encode import ENCODINGS, SliceIds, encode_slice

#: The synthetic identifiers: ``ID_`` and lower-case hexadecimal digits.
SYNTHETIC_ID = re.compile(r"ID_[0-9a-f]+")
SUBTYPES = LABELS  # the label columns: the five subtypes and any
#: Elements that must be absent or empty: the ones named in notebook 01 and the issue,
#: and every element the de-identification profile removes or empties.
NO_VALUE = frozenset({
    "PatientName", "OtherPatientNames", "OtherPatientIDs", "PatientBirthDate",
    "PatientBirthTime", "PatientAge", "PatientSex", "PatientAddress", "PatientTelephoneNumbers",
    "PatientMotherBirthName", "InstitutionName", "InstitutionAddress",
    "InstitutionalDepartmentName", "ReferringPhysicianName", "PerformingPhysicianName",
    "OperatorsName", "PhysiciansOfRecord", "NameOfPhysiciansReadingStudy",
    "RequestingPhysician", "AccessionNumber", "StationName", "DeviceSerialNumber",
    "StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate", "AcquisitionDateTime",
}) | {keyword for keyword, action in BASIC_PROFILE.items()
       # Z (PS3.15 E.1-1) allows a dummy value: Patient ID keeps its synthetic pseudonym,
       # checked against SYNTHETIC_ID below; every other Z element must be empty.
       if action == "X" or (action == "Z" and keyword != "PatientID")}
#: In the bytes of a header: a person name "Family^Given" (PS3.5 6.2, VR PN) ...
PERSON_NAME = re.compile(rb"[A-Za-z]{2,}\^[A-Za-z]{2,}")
#: ... a date YYYYMMDD or YYYY-MM-DD between 1900 and 2099, not part of a UID or an ID ...
DATE = re.compile(rb"(?<![0-9A-Za-z._])(?:19|20)\d\d-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])"
                  rb"(?![0-9A-Za-z.])")
#: ... or the name of a place of care.
PLACE = re.compile(rb"(?i)hospital|clinic|klinik|krankenhaus|infirmary|medical cent|universit")


def header_bytes_and_dataset(path: Path) -> tuple[bytes, Dataset]:
    """The bytes of a file up to its pixel data, and its header (read without the pixels)."""
    with open(path, "rb") as stream, ctlib.allow_rsna_uids():
        ds = pydicom.dcmread(stream, stop_before_pixels=True)
        end = stream.tell()
        stream.seek(0)
        return stream.read(end), ds


def personal_data_problems(path: Path) -> list[str]:
    """Everything in a course DICOM file that is, or looks like, personal data."""
    raw, ds = header_bytes_and_dataset(path)
    problems: list[str] = []

    def check(dataset: Dataset, elem: DataElement) -> None:
        where = f"{elem.tag} {elem.keyword or 'private'}"
        if elem.tag.is_private:
            problems.append(f"{where}: a private element")
        elif not elem.is_empty and (elem.keyword in NO_VALUE or elem.VR in ("PN", "DA", "DT")):
            problems.append(f"{where}: holds {elem.value!r}")

    with ctlib.allow_rsna_uids():
        ds.walk(check)
        patient_id = str(ds.get("PatientID", ""))
    if not SYNTHETIC_ID.fullmatch(patient_id):
        problems.append(f"PatientID {patient_id!r} is not a synthetic ID_<hex> value")
    for name, pattern in (("a person name", PERSON_NAME), ("a date", DATE), ("a place", PLACE)):
        problems += [f"header bytes: {name} {m.group()!r}" for m in pattern.finditer(raw)]
    return problems


def files_problems(files: list[Path]) -> dict[str, list[str]]:
    """The problems of each file that has some."""
    found = {path.name: personal_data_problems(path) for path in files}
    return {name: problems for name, problems in found.items() if problems}


def strings_and_keys(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, string) for every string in a parsed JSON document, keys included."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield key, str(k)
            yield from strings_and_keys(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from strings_and_keys(v, key)
    elif isinstance(value, str):
        yield key, value


def side_file_problems(root: Path) -> list[str]:
    """Problems in labels.csv, split.csv, manifest.json and masks/*.npz of a data set."""
    problems = []
    with open(root / "labels.csv", newline="") as stream:
        rows = list(csv.reader(stream))
    if rows[0] != ["ID", "Label"]:
        problems.append(f"labels.csv: columns {rows[0]}")
    label = re.compile(r"ID_[0-9a-f]+_(" + "|".join(SUBTYPES) + ")")
    problems += [f"labels.csv: {row}" for row in rows[1:]
                 if len(row) != 2 or not label.fullmatch(row[0]) or row[1] not in ("0", "1")]
    with open(root / "split.csv", newline="") as stream:
        rows = list(csv.reader(stream))
    if rows[0] != ["PatientID", "split"]:
        problems.append(f"split.csv: columns {rows[0]}")
    problems += [f"split.csv: {row}" for row in rows[1:] if len(row) != 2
                 or not SYNTHETIC_ID.fullmatch(row[0]) or row[1] not in ("train", "test")]
    manifest = json.loads((root / "manifest.json").read_text())
    personal_key = re.compile(r"(?i)patient_?name|birth|institution|physician|operator|address"
                              r"|accession|person")
    for key, text in strings_and_keys(manifest):
        if personal_key.search(text) or "^" in text or DATE.search(text.encode()):
            problems.append(f"manifest.json: {key}: {text!r}")
        if key in ("patient_id", "series_uid", "study_uid") and not SYNTHETIC_ID.fullmatch(text):
            problems.append(f"manifest.json: {key} {text!r} is not an ID_<hex> value")
    for series in manifest["series"]:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", series["name"]):
            problems.append(f"manifest.json: series name {series['name']!r} is not a recipe slug")
    for path in sorted((root / "masks").glob("*.npz")):
        with np.load(path) as masks:
            if set(masks.files) != {"lesion", "tissue", "sop_instance_uids"}:
                problems.append(f"{path.name}: arrays {masks.files}")
            problems += [f"{path.name}: {uid!r}" for uid in masks["sop_instance_uids"].tolist()
                         if not SYNTHETIC_ID.fullmatch(uid)]
    return problems


@pytest.fixture(scope="module")
def sample() -> ctlib.DataSet:
    """The committed sample."""
    return ctlib.open_data("sample")


class TestShippedAndGenerated:
    """The course's own files."""

    def test_sample_images(self, sample: ctlib.DataSet) -> None:
        """The 16 committed files: no personal data, only synthetic IDs."""
        files = sample.files()
        assert len(files) == sample.manifest["images"] == 17
        assert files_problems(files) == {}

    def test_synthetic_images(self, synthetic: ctlib.DataSet) -> None:
        """Every file of the full synthetic set (headers only: fast)."""
        files = synthetic.files()
        assert len(files) == synthetic.manifest["images"]
        assert files_problems(files) == {}

    def test_generator_output(self, tmp_path: Path) -> None:
        """A file written by the generator now, whatever the state of data/."""
        path = tmp_path / "ID_0123abcd.dcm"
        hu = np.full((8, 8), 40.0)
        ids = SliceIds(sop="ID_0123abcd", patient="ID_4567ef01", study="ID_89ab", series="ID_cdef")
        encode_slice(path, hu, np.ones((8, 8), bool), ENCODINGS["signed16"], ids,
                     position=[0.0, 0.0, 0.0], orientation=[1, 0, 0, 0, 1, 0], spacing_mm=0.5)
        assert personal_data_problems(path) == []

    def test_sample_side_files(self, sample: ctlib.DataSet) -> None:
        """Labels, split, manifest and masks of the sample hold only IDs and labels."""
        assert side_file_problems(sample.root) == []

    def test_synthetic_side_files(self, synthetic: ctlib.DataSet) -> None:
        """The same for the full synthetic set."""
        assert side_file_problems(synthetic.root) == []


class TestTheCheckCatches:
    """personal_data_problems finds personal data added to a clean file."""

    @pytest.fixture
    def clean(self, tmp_path: Path, sample: ctlib.DataSet) -> Path:
        """A copy of a committed sample file."""
        return Path(shutil.copy(sample.files()[0], tmp_path / "clean.dcm"))

    def with_change(self, clean: Path, keyword: str, value: Any) -> Path:
        """A copy of ``clean`` with one element set (or, for "private", a private element)."""
        with ctlib.allow_rsna_uids():
            ds = pydicom.dcmread(clean)
            if keyword == "private":
                ds.private_block(0x0029, "ACME 1.0", create=True).add_new(0x10, "LO", value)
            else:
                setattr(ds, keyword, value)
            path = clean.with_name(f"with-{keyword}.dcm")
            ds.save_as(path)
        return path

    def test_clean_copy_passes(self, clean: Path) -> None:
        """The unchanged file (and one rewritten by pydicom) has no problem."""
        assert personal_data_problems(clean) == []
        assert personal_data_problems(self.with_change(clean, "Modality", "CT")) == []

    @pytest.mark.parametrize(("keyword", "value", "found"), [
        ("PatientName", "Doe^John", "PatientName: holds"),
        ("PatientBirthDate", "19800512", "PatientBirthDate: holds"),
        ("InstitutionName", "Springfield General", "InstitutionName: holds"),
        ("ReferringPhysicianName", "Smith", "ReferringPhysicianName: holds"),
        ("OtherPatientNames", "Roe^Jane", "OtherPatientNames: holds"),
        ("AccessionNumber", "A4711", "AccessionNumber: holds"),
        ("PatientID", "12345678", "PatientID '12345678' is not a synthetic"),
        ("ImageComments", "seen by Doe^John", "header bytes: a person name b'Doe^John'"),
        ("ImageComments", "scanned 2019-05-12", "header bytes: a date b'2019-05-12'"),
        ("SeriesDescription", "St Mary Hospital head", "header bytes: a place b'Hospital'"),
        ("private", "Doe^John", "a private element"),
    ])
    def test_added_personal_data(self, clean: Path, keyword: str, value: str,
                                 found: str) -> None:
        """Each addition is reported, with the element or the bytes that gave it away."""
        problems = personal_data_problems(self.with_change(clean, keyword, value))
        assert any(found in problem for problem in problems), problems

    def test_side_files(self, tmp_path: Path, sample: ctlib.DataSet) -> None:
        """A name in labels.csv, split.csv or manifest.json is reported."""
        root = Path(shutil.copytree(sample.root, tmp_path / "sample"))
        assert side_file_problems(root) == []
        with open(root / "split.csv", "a") as stream:
            stream.write("Doe^John,train\n")
        manifest = json.loads((root / "manifest.json").read_text())
        manifest["series"][0]["patient_name"] = "Doe^John"
        (root / "manifest.json").write_text(json.dumps(manifest))
        problems = side_file_problems(root)
        assert any(p.startswith("split.csv: ['Doe^John'") for p in problems), problems
        assert any("patient_name" in p for p in problems), problems
