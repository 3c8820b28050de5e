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
from ctlib.synth import load_recipe
from ctlib.synth.encode import ENCODINGS
from ctlib.synth.series import render_series
from ctlib.synth.tissues import RSNA_SUBTYPES, Lesion, Tissue

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
            assert -1100 < raw[inside].min() and raw[inside].max() < 2000
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
        ranges = {
            Tissue.VENTRICLE: (0, 15),
            Tissue.WHITE: (20, 30),
            Tissue.GRAY: (37, 45),
            Tissue.BONE: (700, 1900),
            Tissue.DIPLOE: (300, 700),
            Tissue.CALCIFICATION: (100, 500),
            Tissue.FAT: (-100, -50),
        }
        values: dict[Tissue, list[np.ndarray]] = {t: [] for t in ranges}
        for _, _, _, hu, lesion, tissue in data_set.slices(every=3):
            for code in ranges:
                erode = 1 if code in (Tissue.CALCIFICATION, Tissue.FAT) else 2
                core = ndi.binary_erosion(tissue == code, iterations=erode) & (lesion == 0)
                values[code].append(hu[core])
        for code, (low, high) in ranges.items():
            pooled = np.concatenate(values[code])
            if code in (Tissue.CALCIFICATION, Tissue.FAT) and pooled.size < 20:
                continue  # few or none in the sample's slices
            assert low <= pooled.mean() <= high, f"{code.name}: {pooled.mean():.1f}"

    def test_lesion_hu(self, data_set: DataSet) -> None:
        """Mean HU in each lesion's mask: acute blood 60-80, subacute isodense, SAH diluted.

        Pooled over the lesion's slices (a thin edge slice alone reads lower, by partial
        volume, as on real scans).
        """
        ranges = {
            "acute": (60, 80),
            "subacute": (30, 45),
            "acute_on_chronic": (15, 70),
            "sah": (50, 80),
        }
        pooled: dict[tuple[str, str], list[np.ndarray]] = {}
        for series, _, _, hu, lesion, _ in data_set.slices():
            kinds = {les["type"]: les.get("kind", "acute") for les in series["lesions"]}
            for code in np.unique(lesion[lesion > 0]):
                name = Lesion(int(code)).name.lower()
                key = "sah" if name == "subarachnoid" else kinds.get(name, "acute")
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
        """IVH in ventricles, IPH in brain, EDH/SDH against the skull."""
        for series, _, _, _, lesion, tissue in data_set.slices():
            ivh = lesion == Lesion.INTRAVENTRICULAR
            if ivh.any():
                assert (tissue[ivh] == Tissue.VENTRICLE).mean() > 0.99
            iph = lesion == Lesion.INTRAPARENCHYMAL
            if iph.any():
                assert np.isin(tissue[iph], [Tissue.GRAY, Tissue.WHITE]).mean() > 0.99
            for code in (Lesion.EPIDURAL, Lesion.SUBDURAL):
                mask = lesion == code
                if mask.sum() > 30:
                    near = ndi.binary_dilation(mask, iterations=4)
                    assert np.isin(tissue[near], [Tissue.BONE, Tissue.DIPLOE]).any(), series["name"]


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
