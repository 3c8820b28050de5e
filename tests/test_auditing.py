"""Tests of ctlib.auditing: the data-quality audit, on the course's data set and on any folder."""

from __future__ import annotations

from pathlib import Path

import pydicom
import scanners

import ctlib
from ctlib import (
    audit,
)


class TestAuditOfAnyFolder:
    """ctlib.audit on an export: no label file needed; objects named; padding as to_hu."""

    def test_export(self, tmp_path: Path) -> None:
        export = scanners.pacs_export(tmp_path / "CD")
        report = ctlib.audit(tmp_path / "CD").set_index("finding")["count"]
        assert report["not a CT slice (DICOMDIR, localizer, report...)"] == 5
        assert report["unreadable file"] == 0
        assert report["multi-valued window elements"] == export["slices"]  # brain, then bone
        assert report["two different windows in one header"] == export["slices"]
        assert "repeated row in the label file" not in report  # no label file here

    def test_padding_threshold_is_to_hus(self, tmp_path: Path) -> None:
        """−1250 HU is padding for to_hu (below PADDING_BELOW_HU), so for the audit too."""
        files = scanners.write_series(tmp_path, scanners.even(count=3))
        ds = pydicom.dcmread(files[0])
        pixels = ds.pixel_array.copy()
        pixels[0, 0] = -1250 + 1024
        ds.PixelData = pixels.tobytes()
        ds.save_as(files[0])
        padded = ctlib.read(files[0])
        assert ctlib.padding_mask(padded, ctlib.to_hu(padded, padding="keep")).any()
        report = ctlib.audit(tmp_path).set_index("finding")
        assert report.loc["padding far below air outside the scan circle", "count"] == 1
        assert report.loc["padding far below air outside the scan circle",
                          "examples"] == files[0].name


class TestAudit:
    """The audit finds every deliberate quirk without looking at the manifest."""

    def test_finds_every_quirk(self) -> None:
        """Counts match the manifest's record of what was planted."""
        data = ctlib.open_data()
        report = audit(data).set_index("finding")["count"]
        quirks = data.manifest["quirks"]
        by_name = {s["name"]: s["slices"] for s in data.manifest["series"]}
        assert report["unreadable file"] == len(quirks["truncated_pixel_data"])
        assert report["blank image (one value everywhere)"] == len(quirks["blank_slice"])
        assert report["two different windows in one header"] == len(quirks["unequal_windows"])
        assert report["repeated row in the label file"] == 1
        mislabelled = sum(by_name[n] for n in quirks["wrong_pixel_representation"])
        assert report["PixelRepresentation mislabel (12-bit, unsigned, intercept > -100)"] == mislabelled
        assert report["matrix other than 512x512"] == sum(by_name[n] for n in quirks["non_512_matrix"])
        tilted = sum(by_name[n] for n in quirks["gantry_tilt"])
        assert report["planes not axial (gantry tilt or oblique)"] == tilted
        assert report["image without labels"] == report["labels without an image"] == 0
