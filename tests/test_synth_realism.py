"""Tests of ctlib.synth.realism: the statistics that say whether a set measures like real CT."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pydicom.data
import pytest
from scipy import ndimage

from ctlib.course.tissues import Lesion, Tissue
from ctlib.synth import realism
from ctlib.synth.realism import (
    REFERENCE_RANGES,
    bone_spread,
    brain_histogram_peaks,
    csf_fraction,
    lesion_hu,
    main,
    measure_series,
    noise_correlation,
    noise_sd,
    real_slices,
    report,
    tissue_hu,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FULL = np.ones((256, 256), bool)


def sample_manifest() -> dict[str, Any]:
    """The committed sample's manifest."""
    manifest: dict[str, Any] = json.loads((SAMPLE / "manifest.json").read_text())
    return manifest


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``folder``."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def sample_report() -> str:
    """The report of the committed sample (computed once)."""
    return report(SAMPLE)


class TestBoneSpread:
    """bone_spread: the fraction of bone pixels near the commonest bone value."""

    def test_constant_skull(self) -> None:
        """A skull of a single value is all at its mode: 1.0."""
        hu = np.full((64, 64), -1000.0)
        hu[10:20, :] = 1400.0
        assert bone_spread(hu) == 1.0

    def test_uniform_spread(self) -> None:
        """Values spread evenly over 300-2000 HU: about 100/1700 lie within ±50 of the mode."""
        hu = np.random.default_rng(3).uniform(300, 2000, 200_000)
        assert bone_spread(hu) == pytest.approx(100 / 1700, abs=0.006)

    def test_ignores_soft_tissue(self) -> None:
        """Pixels at or below the threshold do not count."""
        bone = np.random.default_rng(4).uniform(300.5, 2000, 10_000)
        with_brain = np.concatenate([bone, np.full(50_000, 35.0), np.full(5_000, 300.0)])
        assert bone_spread(with_brain) == bone_spread(bone)

    def test_no_bone_is_nan(self) -> None:
        """Nothing above the threshold gives NaN."""
        assert math.isnan(bone_spread(np.zeros((8, 8))))

    def test_bad_parameters(self) -> None:
        """A bin or half-width that is not positive is refused."""
        with pytest.raises(ValueError, match="positive"):
            bone_spread(np.full(4, 1000.0), bin_hu=0)


class TestNoiseSd:
    """noise_sd: a robust noise estimate in a homogeneous tissue."""

    def test_white_noise(self) -> None:
        """White Gaussian noise of SD 4 measures close to 4."""
        hu = 29 + 4 * np.random.default_rng(5).standard_normal((256, 256))
        assert noise_sd(hu, FULL) == pytest.approx(4.0, rel=0.05)

    def test_ignores_outside_mask(self) -> None:
        """Bone next to the tissue (outside the mask) does not raise the estimate."""
        hu = 29 + 4 * np.random.default_rng(6).standard_normal((256, 256))
        mask = np.zeros((256, 256), bool)
        mask[40:216, 40:216] = True
        reference = noise_sd(hu, mask)
        hu[~mask] = 1500.0
        assert noise_sd(hu, mask) == pytest.approx(reference)
        assert reference == pytest.approx(4.0, rel=0.05)

    def test_small_mask_is_nan(self) -> None:
        """A mask that vanishes on erosion by the window gives NaN."""
        mask = np.zeros((64, 64), bool)
        mask[20:40, 20:40] = True
        assert math.isnan(noise_sd(np.zeros((64, 64)), mask))

    def test_shape_mismatch(self) -> None:
        """Image and mask of different shapes are refused."""
        with pytest.raises(ValueError, match="shape"):
            noise_sd(np.zeros((64, 64)), np.ones((32, 32), bool))


class TestNoiseCorrelation:
    """noise_correlation: the grain of the noise."""

    def test_white_noise(self) -> None:
        """White noise: neighbours do not correlate, at any lag."""
        white = np.random.default_rng(7).standard_normal((256, 256))
        corr = noise_correlation(white, FULL)
        assert set(corr) == {1, 2, 4, 6}
        assert all(abs(c) < 0.05 for c in corr.values())

    def test_smoothed_noise(self) -> None:
        """Noise smoothed over 3 pixels: lag-1 correlation clearly above 0.5, falling with lag."""
        field = ndimage.uniform_filter(np.random.default_rng(8).standard_normal((256, 256)), 3)
        corr = noise_correlation(field, FULL, lags=(1, 4))
        assert corr[1] > 0.5
        assert abs(corr[4]) < 0.1

    def test_only_pairs_inside_mask(self) -> None:
        """Pixels outside the (eroded) mask do not change the result."""
        rng = np.random.default_rng(9)
        white = rng.standard_normal((256, 256))
        mask = np.zeros((256, 256), bool)
        mask[:, :128] = True
        smooth = ndimage.uniform_filter(rng.standard_normal((256, 256)), 5)
        mixed = np.where(mask, white, smooth)
        mixed[:, 118:128] = white[:, 118:128]  # the band the detrending filter mixes
        corr = noise_correlation(mixed, mask, lags=(1,))[1]
        assert abs(corr) < 0.05

    def test_empty_mask_is_nan(self) -> None:
        """No pairs inside the mask give NaN."""
        assert math.isnan(noise_correlation(np.zeros((64, 64)), np.zeros((64, 64)))[1])


class TestTissueHu:
    """tissue_hu: median HU of a tissue, eroded against partial volume."""

    def test_erosion_removes_edge(self) -> None:
        """A bright rim labelled as the tissue is dropped by a 1-pixel erosion."""
        tissue = np.zeros((11, 11), np.uint8)
        tissue[1:10, 1:10] = Tissue.GRAY
        hu = np.where(tissue == Tissue.GRAY, 100.0, 0.0)
        hu[3:8, 3:8] = 38.0  # 25 of the 49 pixels left by the erosion, 25 of 81 before
        assert tissue_hu(hu, tissue, Tissue.GRAY) == 38.0
        assert tissue_hu(hu, tissue, Tissue.GRAY, erode=0) == 100.0

    def test_erodes_within_slices(self) -> None:
        """In a stack, erosion is in plane: a tissue on one slice only survives."""
        tissue = np.zeros((3, 9, 9), np.uint8)
        tissue[1, 1:8, 1:8] = Tissue.WHITE
        hu = np.full((3, 9, 9), 29.0)
        assert tissue_hu(hu, tissue, Tissue.WHITE, erode=2) == 29.0

    def test_absent_is_nan(self) -> None:
        """A tissue that is absent, or eroded away, gives NaN."""
        tissue = np.zeros((9, 9), np.uint8)
        tissue[4, :] = Tissue.CSF
        assert math.isnan(tissue_hu(np.zeros((9, 9)), tissue, Tissue.WHITE))
        assert math.isnan(tissue_hu(np.zeros((9, 9)), tissue, Tissue.CSF))


class TestLesionHu:
    """lesion_hu: median HU of a lesion code."""

    def test_median_of_lesion(self) -> None:
        """The median over the eroded lesion, other codes ignored."""
        lesion = np.zeros((12, 12), np.uint8)
        lesion[1:6, 1:6] = Lesion.SUBDURAL
        lesion[6:11, 6:11] = Lesion.EPIDURAL
        hu = np.where(lesion == Lesion.SUBDURAL, 72.0, 0.0) + (lesion == Lesion.EPIDURAL) * 65.0
        assert lesion_hu(hu, lesion, Lesion.SUBDURAL) == 72.0
        assert lesion_hu(hu, lesion, Lesion.EPIDURAL) == 65.0
        assert math.isnan(lesion_hu(hu, lesion, Lesion.SUBARACHNOID))


class TestCsfFraction:
    """csf_fraction: CSF as a fraction of the intracranial pixels."""

    def test_crafted_map(self) -> None:
        """4 CSF + 2 ventricle pixels out of 12 intracranial; scalp, bone, globe excluded."""
        intracranial = [Tissue.CSF] * 4 + [Tissue.VENTRICLE] * 2 + [Tissue.GRAY] * 3 + [
            Tissue.WHITE, Tissue.DEEP_GRAY, Tissue.DURA]
        outside = [Tissue.SCALP, Tissue.BONE, Tissue.GLOBE, Tissue.AIR, Tissue.FAT, Tissue.DIPLOE]
        tissue = np.array(intracranial + outside).reshape(3, 6)
        assert csf_fraction(tissue) == pytest.approx(6 / 12)

    def test_lesion_pixels_are_intracranial(self) -> None:
        """A lesion pixel counts as intracranial whatever its tissue code."""
        tissue = np.array([[Tissue.CSF, Tissue.GRAY, Tissue.BONE, Tissue.AIR]])
        lesion = np.array([[0, Lesion.SUBDURAL, Lesion.EPIDURAL, 0]])
        assert csf_fraction(tissue, lesion) == pytest.approx(1 / 3)

    def test_no_intracranial_is_nan(self) -> None:
        """No intracranial pixel gives NaN."""
        assert math.isnan(csf_fraction(np.full((4, 4), Tissue.SCALP)))


class TestBrainHistogramPeaks:
    """brain_histogram_peaks: one population, one peak."""

    rng = np.random.default_rng(10)

    def test_one_and_two_populations(self) -> None:
        """One Gaussian gives one peak; two 15 HU apart give two."""
        one = self.rng.normal(33, 4, 40_000)
        two = np.concatenate([self.rng.normal(26, 3, 20_000), self.rng.normal(41, 3, 20_000)])
        assert brain_histogram_peaks(one, np.ones(one.shape, bool)) == 1
        assert brain_histogram_peaks(two, np.ones(two.shape, bool)) == 2

    def test_quantisation_ripple(self) -> None:
        """Integer values with every sixth value missing (a rescaled real image): one peak."""
        values = np.round(self.rng.normal(30, 7, 50_000))
        values = values[values % 6 != 4]
        assert brain_histogram_peaks(values, np.ones(values.shape, bool)) == 1

    def test_mask_and_range(self) -> None:
        """Only masked pixels in 0-80 HU count; none gives 0."""
        hu = np.concatenate([self.rng.normal(33, 4, 10_000), np.full(10_000, 1000.0)])
        mask = np.ones(hu.shape, bool)
        assert brain_histogram_peaks(hu, mask) == 1
        assert brain_histogram_peaks(hu, np.zeros(hu.shape, bool)) == 0


class TestReferenceRanges:
    """REFERENCE_RANGES: each quantity with a range and a source."""

    def test_well_formed(self) -> None:
        """Low ≤ high and a non-empty source for every entry."""
        for key, (low, high, source) in REFERENCE_RANGES.items():
            assert low <= high, key
            assert source.strip(), key

    def test_literature_values(self) -> None:
        """The ranges quoted from the literature and measured on real slices."""
        assert REFERENCE_RANGES["gm"][:2] == (32.0, 45.0)
        assert REFERENCE_RANGES["wm"][:2] == (20.0, 34.0)
        assert REFERENCE_RANGES["acute"][:2] == (60.0, 100.0)
        assert REFERENCE_RANGES["peaks"][:2] == (1.0, 1.0)
        assert "real" in REFERENCE_RANGES["corr_lag1"][2]


class TestMeasureSeries:
    """measure_series on the committed sample (key slices only, key_slice null)."""

    def test_every_series(self) -> None:
        """Every series measures; readable ones give plausible tissue values."""
        manifest = sample_manifest()
        for entry in manifest["series"]:
            result = measure_series(SAMPLE, entry)
            assert result["name"] == entry["name"]
            assert 0 <= result["read"] <= len(entry["files"])
            assert 0 < result["csf_fraction"] < 1
            if result["read"]:
                assert result["key_file"] in entry["files"]
                assert -10 < result["series"]["wm"] < 60
                assert 0 <= result["bone_spread"] <= 1
            else:
                assert result["key_file"] is None and math.isnan(result["bone_spread"])

    def test_lesions_found(self) -> None:
        """A series with a lesion on its slice reports that lesion's HU."""
        names = {"subdural": "SDH", "epidural": "EDH", "subarachnoid": "SAH",
                 "intraventricular": "IVH", "intraparenchymal": "IPH"}
        found = 0
        for entry in sample_manifest()["series"]:
            result = measure_series(SAMPLE, entry)
            for short, value in result["series"]["lesions"].items():
                assert short in names.values()
                assert 0 < value < 120
                found += 1
        assert found > 0

    def test_skipped_files(self) -> None:
        """Files listed as truncated or blank are not read."""
        entry = sample_manifest()["series"][0]
        result = measure_series(SAMPLE, entry, quirks={"blank_slice": entry["files"]})
        assert result["read"] == 0
        assert result["peaks"] is None and math.isnan(result["series"]["gm"])

    def test_mismatched_masks(self) -> None:
        """A manifest entry whose files do not match the masks is a clear error."""
        entry = dict(sample_manifest()["series"][0])
        entry["files"] = [*entry["files"], "ID_missing"]
        with pytest.raises(ValueError, match="slices"):
            measure_series(SAMPLE, entry)

    def test_missing_masks(self, tmp_path: Path) -> None:
        """A set without the series' masks is a clear error."""
        (tmp_path / "manifest.json").write_text(json.dumps({"series": []}))
        with pytest.raises(FileNotFoundError, match="masks"):
            measure_series(tmp_path, sample_manifest()["series"][0])


class TestRealSlices:
    """real_slices: the real comparison, only if the optional data is installed."""

    def test_optional(self) -> None:
        """A dict, empty or with the same statistics for each available slice."""
        for stats in real_slices().values():
            assert {"bone_spread", "noise_sd", "corr", "peaks", "brain_median"} <= set(stats)

    def test_unavailable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Nothing installed: empty, and no download is attempted."""
        calls: list[dict[str, Any]] = []

        def missing(name: str, **kwargs: Any) -> None:
            calls.append(kwargs)

        monkeypatch.setattr(pydicom.data, "get_testdata_file", missing)
        assert real_slices() == {}
        assert calls and all(call.get("download") is False for call in calls)

    def test_measures_a_slice(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A readable head slice is measured with the crude brain mask."""
        sop = sample_manifest()["series"][0]["files"][0]
        path = str(SAMPLE / "images" / f"{sop}.dcm")
        monkeypatch.setattr(pydicom.data, "get_testdata_file", lambda name, **kw: path)
        stats = real_slices()
        assert set(stats) == set(realism._REAL)
        for value in stats.values():
            assert 0 < value["noise_sd"] < 20
            assert 0 < value["bone_spread"] <= 1
            assert value["peaks"] >= 1


class TestReport:
    """report: one table for the set."""

    def test_sample(self, sample_report: str) -> None:
        """Every series has a row; the reference row and the ranges are printed."""
        for entry in sample_manifest()["series"]:
            assert entry["name"] in sample_report
        assert "reference" in sample_report and "32-45" in sample_report
        assert "real slices" in sample_report

    def test_writes_nothing(self) -> None:
        """The set folder is left as it was."""
        before = snapshot(SAMPLE)
        report(SAMPLE)
        assert snapshot(SAMPLE) == before

    def test_missing_set(self, tmp_path: Path) -> None:
        """A folder without a manifest is a clear error."""
        with pytest.raises(FileNotFoundError, match=r"manifest\.json"):
            report(tmp_path)


class TestMain:
    """main: the command line."""

    def test_prints_report(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Exit code 0 and the table on stdout."""
        assert main([str(SAMPLE), "--no-progress"]) == 0
        out = capsys.readouterr().out
        assert "GM-WM" in out and sample_manifest()["series"][0]["name"] in out

    def test_error(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Exit code 1 and the reason on stderr for a folder that is not a set."""
        assert main([str(tmp_path), "--no-progress"]) == 1
        assert "manifest.json" in capsys.readouterr().err
