"""Tests of the built synthetic data sets: data/sample (committed) and data/synthetic (make data).

Both are checked the way a learner would use them: through ctlib.read and ctlib.to_hu
on the files, the RSNA-format label file, and the masks.
"""

from __future__ import annotations

import csv
import json
import re
from functools import cached_property
from pathlib import Path

import numpy as np
import pydicom
import pytest
from scipy import ndimage as ndi

import ctlib
from ctlib.course.data import cache_dir, repo_root
from ctlib.course.tissues import LITERATURE_HU, RSNA_SUBTYPES, Lesion, Tissue
from ctlib.synth import load_recipe, realism
from ctlib.synth.encode import ENCODINGS
from ctlib.synth.series import render_series

DATA = Path(__file__).resolve().parents[1] / "data"


class DataSet(ctlib.DataSet):
    """ctlib's DataSet plus what these tests need: raw label rows and a slice iterator."""

    @property
    def truncated(self) -> set[str]:
        return set(self.manifest["quirks"].get("truncated_pixel_data", []))

    @property
    def blank(self) -> set[str]:
        return set(self.manifest["quirks"].get("blank_slice", []))

    @cached_property
    def label_rows(self) -> list[tuple[str, int]]:
        with open(self.labels_csv, newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == ["ID", "Label"]
            return [(row[0], int(row[1])) for row in reader]

    def slices(self, every: int = 1):  # type: ignore[no-untyped-def]
        """Yield (series, index, sop, hu, lesion, tissue) for readable slices."""
        for series in self.manifest["series"]:
            masks = self.masks(series["name"])
            for k, sop in enumerate(series["files"]):
                if sop in self.truncated or sop in self.blank or k % every:
                    continue
                hu = ctlib.to_hu(ctlib.read(self.path(sop)))
                yield series, k, sop, hu, masks["lesion"][k], masks["tissue"][k]


def open_set(name: str) -> DataSet:
    """A built set as the tests' DataSet; the full one must have been made (make test does it)."""
    if not (DATA / name / "manifest.json").exists():
        pytest.fail(f"data/{name} is missing: run `make data` first")
    base = ctlib.open_data(name)  # type: ignore[arg-type]
    return DataSet(base.root, base.manifest)


@pytest.fixture(scope="module", params=["sample", "synthetic"])
def data_set(request: pytest.FixtureRequest) -> DataSet:
    """Each built set."""
    return open_set(request.param)


@pytest.fixture(scope="module")
def full_set() -> DataSet:
    """The full set only."""
    return open_set("synthetic")


class TestFiles:
    """Every file is what the manifest says."""

    def test_files_match_manifest(self, data_set: DataSet) -> None:
        """images/ holds exactly the manifest's files, named ID_<9 hex>.dcm."""
        listed = {sop for s in data_set.manifest["series"] for sop in s["files"]}
        on_disk = {p.stem for p in (data_set.root / "images").glob("*.dcm")}
        assert listed == on_disk
        assert len(listed) == data_set.manifest["images"]
        assert all(re.fullmatch(r"ID_[0-9a-f]{9}", sop) for sop in listed)

    def test_every_file_decodes(self, data_set: DataSet) -> None:
        """All files decode to HU of the series' matrix, except the truncated one."""
        for series in data_set.manifest["series"]:
            for sop in series["files"]:
                if sop in data_set.truncated:
                    with pytest.raises(ctlib.DicomError, match="truncated"):
                        ctlib.read(data_set.path(sop))
                    continue
                hu = ctlib.to_hu(ctlib.read(data_set.path(sop)))
                assert hu.shape == (series["matrix"], series["matrix"])

    def test_quirks_present(self, data_set: DataSet) -> None:
        """Each quirk the manifest lists is really in the files."""
        quirks = data_set.manifest["quirks"]
        by_name = {s["name"]: s for s in data_set.manifest["series"]}
        for name in quirks["wrong_pixel_representation"]:
            ds = ctlib.read(data_set.path(by_name[name]["files"][0]), header_only=True)
            assert ctlib.has_wrong_pixel_representation(ds)
        for name in quirks["two_valued_windows"]:
            ds = ctlib.read(data_set.path(by_name[name]["files"][0]), header_only=True)
            assert ds["WindowCenter"].VM == 2
        for sop in quirks["unequal_windows"]:
            ds = ctlib.read(data_set.path(sop), header_only=True)
            assert ctlib.header_window(ds, 0) != ctlib.header_window(ds, 1)
        for name in quirks["non_512_matrix"]:
            assert by_name[name]["matrix"] != 512
        for name in quirks["gantry_tilt"]:
            ds = ctlib.read(data_set.path(by_name[name]["files"][0]), header_only=True)
            assert abs(float(ds.ImageOrientationPatient[5])) > 0.1
        for sop in data_set.blank:
            hu = ctlib.to_hu(ctlib.read(data_set.path(sop)))
            assert np.ptp(hu) == 0

    def test_no_personal_data(self, data_set: DataSet) -> None:
        """Only the RSNA elements, synthetic IDs, no names, dates or institutions."""
        for series in data_set.manifest["series"]:
            ds = ctlib.read(data_set.path(series["files"][0]), header_only=True)
            with ctlib.allow_rsna_uids():
                keywords = {e.keyword for e in ds}
                assert re.fullmatch(r"ID_[0-9a-f]{8}", ds.PatientID)
                assert re.fullmatch(r"ID_[0-9a-f]{10}", ds.StudyInstanceUID)
            assert not keywords & {
                "PatientName",
                "PatientBirthDate",
                "InstitutionName",
                "ReferringPhysicianName",
                "AccessionNumber",
                "StudyDate",
            }
            assert len(keywords) == 21


class TestHounsfield:
    """HU values in the files."""

    def test_range_and_padding(self, data_set: DataSet) -> None:
        """Inside the scan circle HU lie between air and bone; outside, the encoding's padding."""
        for series, _, sop, _, _, _ in data_set.slices(every=4):
            ds = ctlib.read(data_set.path(sop))
            raw = ctlib.to_hu(ds, padding="keep")
            n = raw.shape[0]
            r = np.hypot(*np.indices(raw.shape) - (n - 1) / 2)
            inside, outside = r < n / 2 - 1, r > n / 2 + 1
            assert -1100 < raw[inside].min() and raw[inside].max() < 3072
            encoding = ENCODINGS[series["encoding"]]
            if encoding.padding_stored is not None:
                assert (raw[outside] == encoding.padding_stored + encoding.intercept).all()
            else:
                assert (raw[outside] == -1024).all()
            assert ctlib.to_hu(ds)[outside].max() <= -1000  # padding="air"

    def test_mislabel_fix_exact(self, data_set: DataSet) -> None:
        """On the broken series, the fix recovers the true HU exactly.

        Checked against an independent decode of the raw bits (sign bit 11) on every
        set, and against the generator's own HU on the full set (built on this machine).
        """
        names = data_set.manifest["quirks"]["wrong_pixel_representation"]
        assert names
        for series in (s for s in data_set.manifest["series"] if s["name"] in names):
            for sop in series["files"]:
                ds = ctlib.read(data_set.path(sop))
                raw = np.frombuffer(ds.PixelData, "<u2").reshape(ds.Rows, ds.Columns) & 0x0FFF
                signed = np.where(raw >= 2048, raw.astype(np.int32) - 4096, raw)
                expected = signed + float(ds.RescaleIntercept)
                np.testing.assert_array_equal(ctlib.to_hu(ds, padding="keep"), expected)
                assert ctlib.to_hu(ds, fix_pixel_representation=False).max() > 3000

    def test_mislabel_matches_generator(self, full_set: DataSet) -> None:
        """The repaired HU equal the generator's HU (rounded, in the scan circle)."""
        recipe = {e.spec.name: e.spec for e in load_recipe().series}
        name = full_set.manifest["quirks"]["wrong_pixel_representation"][0]
        series = next(s for s in full_set.manifest["series"] if s["name"] == name)
        truth = render_series(recipe[name])
        for k, sop in enumerate(series["files"]):
            hu = ctlib.to_hu(ctlib.read(full_set.path(sop)))
            expected = np.clip(np.rint(truth.hu[k]), -2048, 2047)
            np.testing.assert_array_equal(hu[truth.circle], expected[truth.circle])

    def test_tissue_hu_in_literature_ranges(self, data_set: DataSet) -> None:
        """Mean HU inside each tissue mask (its core) within the published range."""
        ranges = {code: LITERATURE_HU[code][:2] for code in (
            Tissue.VENTRICLE, Tissue.WHITE, Tissue.GRAY, Tissue.DEEP_GRAY, Tissue.BONE,
            Tissue.DIPLOE, Tissue.CALCIFICATION, Tissue.FAT)}
        values: dict[Tissue, list[np.ndarray]] = {t: [] for t in ranges}
        for _, _, _, hu, lesion, tissue in data_set.slices(every=3):
            for code in ranges:
                erode = 1 if code in (Tissue.CALCIFICATION, Tissue.FAT, Tissue.BONE) else 2
                core = ndi.binary_erosion(tissue == code, iterations=erode) & (lesion == 0)
                values[code].append(hu[core])
        for code, (low, high) in ranges.items():
            pooled = np.concatenate(values[code])
            if pooled.size < 20:
                continue  # few or none in the sample's slices
            assert low <= pooled.mean() <= high, f"{code.name}: {pooled.mean():.1f}"

    def test_bone_is_heterogeneous(self, full_set: DataSet) -> None:
        """Like real tables, bone HU spread out: few pixels near the commonest value.

        On two real 5 mm head slices, 15 % and 19 % of the pixels above 300 HU lie
        within 50 HU of their mode (see ctlib.synth.realism); one fixed table
        value, as the first generator had, gives 60 % or more.
        """
        spreads = []
        for series, k, _, hu, _, _ in full_set.slices(every=4):
            if 8 <= k <= 20:
                spreads.append(realism.bone_spread(hu))
        assert 0.05 < np.median(spreads) < 0.3

    def test_lesion_hu(self, data_set: DataSet) -> None:
        """Mean HU in each lesion's mask, by the age of its blood and the patient's haematocrit.

        Pooled over the lesion's slices (a thin edge slice alone reads lower, by partial
        volume, as on real scans).
        """
        ranges = {
            "acute": (60, 80),
            "hyperacute": (40, 72),
            "subacute": (30, 45),
            "chronic": (5, 25),
            "acute_on_chronic": (15, 70),
            "anaemic": (35, 55),
            "sah": (45, 80),
        }
        pooled: dict[tuple[str, str], list[np.ndarray]] = {}
        for series, _, _, hu, lesion, _ in data_set.slices():
            kinds = {les["type"]: les.get("kind", "acute") for les in series["lesions"]}
            anaemic = series.get("haematocrit", 42.0) < 30
            for code in np.unique(lesion[lesion > 0]):
                name = Lesion(int(code)).name.lower()
                key = "sah" if name == "subarachnoid" else kinds.get(name, "acute")
                key = "anaemic" if anaemic and key == "acute" else key
                core = ndi.binary_erosion(lesion == code, iterations=1)
                pooled.setdefault((series["name"], key), []).append(hu[core])
        assert pooled
        for (name, key), values in pooled.items():
            mean = float(np.concatenate(values).mean())
            low, high = ranges[key]
            assert low <= mean <= high, (name, key, mean)

    def test_white_matter_noise(self, full_set: DataSet) -> None:
        """The SD in white matter is 3-5 HU, as on a routine 5 mm head CT."""
        sds = []
        for series, k, _, hu, lesion, tissue in full_set.slices(every=5):
            if series["lesions"] or not 10 <= k <= 22:
                continue
            core = ndi.binary_erosion(tissue == Tissue.WHITE, iterations=3) & (lesion == 0)
            if core.sum() > 2000:
                sds.append(hu[core].std())
        assert len(sds) >= 5
        assert 3.0 <= np.median(sds) <= 5.0


class TestGeometry:
    """Slice order and each subtype's rule, on the slices as written."""

    def test_slice_order_along_normal(self, full_set: DataSet) -> None:
        """Files in manifest order lie 5 mm apart along the slice normal (tilt included)."""
        for series in full_set.manifest["series"]:
            positions = []
            for sop in series["files"]:
                ds = pydicom.dcmread(full_set.path(sop), stop_before_pixels=True)
                orientation = np.array(ds.ImageOrientationPatient, float)
                normal = np.cross(orientation[:3], orientation[3:])
                positions.append(np.dot(normal, np.array(ds.ImagePositionPatient, float)))
            steps = np.diff(positions)
            np.testing.assert_allclose(steps, 5.0, atol=1e-3)

    def test_lesions_where_they_belong(self, data_set: DataSet) -> None:
        """Each subtype lies only in the compartment it can occupy, on every slice.

        From the masks and tissue codes as written: IVH in ventricles, SAH in the
        subarachnoid CSF (and its vessels), IPH in brain (or its edema), EDH and
        SDH in the space between the inner table (or the falx and tentorium) and
        the brain, which the collection opened.
        """
        allowed = {
            Lesion.INTRAVENTRICULAR: [Tissue.VENTRICLE],
            Lesion.SUBARACHNOID: [Tissue.CSF, Tissue.VESSEL],
            Lesion.INTRAPARENCHYMAL: [Tissue.GRAY, Tissue.WHITE, Tissue.DEEP_GRAY, Tissue.EDEMA],
            Lesion.EPIDURAL: [Tissue.EXTRA_AXIAL],
            Lesion.SUBDURAL: [Tissue.EXTRA_AXIAL],
        }
        for series, k, _, _, lesion, tissue in data_set.slices():
            for code, tissues in allowed.items():
                mask = lesion == code
                if mask.sum() >= 20:
                    inside = float(np.isin(tissue[mask], tissues).mean())
                    assert inside > 0.97, (series["name"], k, code.name, inside)
            for code in (Lesion.EPIDURAL, Lesion.SUBDURAL):
                mask = lesion == code
                if mask.sum() > 30:  # against the skull, or along the falx or tentorium
                    near = ndi.binary_dilation(mask, iterations=6)
                    walls = [Tissue.BONE, Tissue.DIPLOE, Tissue.SUTURE, Tissue.FRACTURE,
                             Tissue.DURA, Tissue.VENOUS_SINUS]
                    assert np.isin(tissue[near], walls).any(), series["name"]

    def test_falx_subdural_not_by_the_ventricles(self, full_set: DataSet) -> None:
        """The layer along the falx stays in the interhemispheric fissure.

        The first generator left 97-117 subdural pixels within 2 px of the
        ventricles on slices 16-18 of this series, where it looked like IVH.
        """
        masks = full_set.masks("subdural-acute")
        for k, (lesion, tissue) in enumerate(zip(masks["lesion"], masks["tissue"], strict=True)):
            near = ndi.binary_dilation(tissue == Tissue.VENTRICLE, iterations=2)
            assert not ((lesion == Lesion.SUBDURAL) & near).any(), k

    def test_intraventricular_blood_is_dependent(self, full_set: DataSet) -> None:
        """In the supine patient blood lies posterior to (below) the ventricular CSF.

        Rows grow posteriorly (the column direction is +y, LPS). In every column
        of a ventricle holding blood, no CSF pixel lies posterior to the blood.
        """
        for name in ("intraventricular-layering", "intraparenchymal-thalamic-ivh"):
            masks = full_set.masks(name)
            checked = 0
            for lesion, tissue in zip(masks["lesion"], masks["tissue"], strict=True):
                blood = lesion == Lesion.INTRAVENTRICULAR
                csf = (tissue == Tissue.VENTRICLE) & ~blood
                labels, count = ndi.label(ndi.binary_dilation(blood | csf))
                for region in range(1, count + 1):
                    in_region = labels == region
                    for column in np.flatnonzero((blood & in_region).any(axis=0)):
                        rows_blood = np.flatnonzero(blood[:, column] & in_region[:, column])
                        # Ventricular CSF away from the wall (a 1 mm rim holds a little of
                        # each side, by partial volume).
                        core = ndi.binary_erosion(csf | blood, iterations=2)[:, column]
                        core &= csf[:, column]
                        rows_csf = np.flatnonzero(core & in_region[:, column])
                        if rows_csf.size:
                            assert rows_csf.max() <= rows_blood.min() + 1, name
                            checked += 1
            assert checked > 10, name

    def test_key_slice_shows_the_finding(self, data_set: DataSet) -> None:
        """The slice the figures show carries what the series is about.

        A lesion series' key slice shows its first lesion; a calcification series'
        key slice, calcification; the dense-sinus series', a sinus denser than 60 HU;
        no key slice is the truncated or the blank file.
        """
        for series in data_set.manifest["series"]:
            if series.get("key_slice") is None:
                continue
            sop = series["files"][series["key_slice"]]
            assert sop not in data_set.truncated | data_set.blank, series["name"]
            found = set(series["key_findings"])
            if series["lesions"]:
                assert series["lesions"][0]["type"] in found, series["name"]
            if series["name"] in ("normal-calcified", "normal-12bit"):
                assert "calcification" in found, series["name"]
            if series["name"] == "normal-dense-sinus":
                masks = data_set.masks(series["name"])
                hu = ctlib.to_hu(ctlib.read(data_set.path(sop)))
                sinus = ndi.binary_erosion(masks["tissue"][series["key_slice"]]
                                           == Tissue.VENOUS_SINUS)
                assert hu[sinus].mean() > 60


class TestLabels:
    """labels.csv in the RSNA long format."""

    def test_six_rows_per_image(self, data_set: DataSet) -> None:
        """ID_<sop>_<subtype>, the RSNA order, every image once (plus one duplicate row)."""
        rows = data_set.label_rows
        duplicate = data_set.manifest["quirks"]["duplicated_label_row"]
        assert sum(1 for r in rows if r[0] == duplicate) == 2
        unique = list(dict.fromkeys(rows))
        assert len(unique) == 6 * data_set.manifest["images"] == len(rows) - 1
        order = (*RSNA_SUBTYPES, "any")
        for i in range(0, len(unique), 6):
            block = unique[i : i + 6]
            sop = block[0][0].rsplit("_", 1)[0]
            assert [r[0] for r in block] == [f"{sop}_{name}" for name in order]

    def test_any_is_or_and_counts(self, data_set: DataSet) -> None:
        """`any` = OR of the five, and per-class counts equal the manifest's."""
        table: dict[str, dict[str, int]] = {}
        for key, value in dict.fromkeys(data_set.label_rows):
            sop, name = key.rsplit("_", 1)
            table.setdefault(sop, {})[name] = value
        for labels in table.values():
            assert labels["any"] == int(any(labels[n] for n in RSNA_SUBTYPES))
        counts = {n: sum(t[n] for t in table.values()) for n in (*RSNA_SUBTYPES, "any")}
        assert counts == data_set.manifest["positive_slices"]

    def test_labels_match_masks(self, data_set: DataSet) -> None:
        """A slice is positive for a subtype exactly where its mask covers 10 mm²."""
        table = {k: v for k, v in dict.fromkeys(data_set.label_rows)}
        area = data_set.manifest["positive_area_mm2"]
        for series in data_set.manifest["series"]:
            masks = data_set.masks(series["name"])
            assert list(masks["sop_instance_uids"]) == series["files"]
            spacing = 250.0 / series["matrix"]
            for k, sop in enumerate(series["files"]):
                for code, name in enumerate(RSNA_SUBTYPES, start=1):
                    covered = (masks["lesion"][k] == code).sum() * spacing**2
                    assert table[f"{sop}_{name}"] == int(covered >= area)

    def test_round_trip(self, data_set: DataSet, tmp_path: Path) -> None:
        """Read, pivot to one row per image, write back: the same rows (duplicate aside)."""
        unique = list(dict.fromkeys(data_set.label_rows))
        wide: dict[str, list[int]] = {}
        for key, value in unique:
            wide.setdefault(key.rsplit("_", 1)[0], []).append(value)
        back = [
            (f"{sop}_{name}", v)
            for sop, values in wide.items()
            for name, v in zip((*RSNA_SUBTYPES, "any"), values, strict=True)
        ]
        assert back == unique

    def test_split_by_patient(self, data_set: DataSet) -> None:
        """Each patient is in exactly one of train/test, and both splits have positives."""
        with open(data_set.root / "split.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        split = {r["PatientID"]: r["split"] for r in rows}
        assert len(split) == len(rows)
        patients = {s["patient_id"] for s in data_set.manifest["series"]}
        assert set(split) == patients
        assert set(split.values()) == {"train", "test"}


class TestCommittedSample:
    """data/sample is small enough for Binder and matches its checksums."""

    def test_size(self) -> None:
        """At most 20 MB, no file over 5 MB."""
        files = [p for p in (DATA / "sample").rglob("*") if p.is_file()]
        assert sum(p.stat().st_size for p in files) <= 20e6
        assert max(p.stat().st_size for p in files) <= 5e6

    def test_checksums(self) -> None:
        """Every file matches data/sample/SHA256SUMS (and nothing is unlisted)."""
        from ctlib.synth.dataset import checksums

        listed = {}
        for line in (DATA / "sample" / "SHA256SUMS").read_text().splitlines():
            digest, name = line.split(maxsplit=1)
            listed[name] = digest
        actual = checksums(DATA / "sample")
        actual.pop("SHA256SUMS")
        assert actual == listed

    def test_every_subtype_and_quirk(self) -> None:
        """A learner finds every subtype and every quirk in the sample alone."""
        manifest = json.loads((DATA / "sample" / "manifest.json").read_text())
        assert all(manifest["positive_slices"][n] >= 1 for n in RSNA_SUBTYPES)
        for quirk, where in manifest["quirks"].items():
            assert where, quirk


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

    def test_repository_and_cache_folders(self, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
        """The repository holds the committed sample; the cache follows $CTLIB_CACHE."""
        assert (repo_root() / "data" / "sample" / "manifest.json").is_file()
        assert (repo_root() / "ctlib" / "course" / "data.py").is_file()
        monkeypatch.setenv("CTLIB_CACHE", str(tmp_path / "c"))
        assert cache_dir() == tmp_path / "c"
        monkeypatch.delenv("CTLIB_CACHE")
        assert cache_dir() == Path.home() / ".cache" / "ctlib"
