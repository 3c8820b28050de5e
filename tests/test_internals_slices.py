"""Tests of ctlib._internals.slices: the fast and the fallback paths of load_series' reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from conftest import build_ct
from pydicom.uid import ImplicitVRLittleEndian, RLELossless

import ctlib
from ctlib._internals.slices import scan


class TestHU:
    def test_fallback_and_odd_layouts(self, tmp_path: Path) -> None:
        """RLE, implicit VR, 12-bit with junk high bits, padding value, slope 2, mixed."""
        rng = np.random.default_rng(3)
        hu = rng.integers(-1100, 1500, (6, 16, 16)).astype(np.int16)
        hu[:, :2] = -3024
        paths = []
        for k in range(6):
            path = tmp_path / f"{k}.dcm"
            stored = (hu[k] + 1024).astype(np.int16)
            extra: dict[str, Any] = {}
            if k == 3:  # 12 bits stored, signed, with junk above bit 11
                stored = (hu[k] // 2).astype(np.int16)
                extra = {"bits_stored": 12}
            ds = build_ct(stored, SeriesInstanceUID="1.2.3.4", PixelSpacing=[0.5, 0.5],
                          ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
                          ImagePositionPatient=[0, 0, 3 * k], **extra)
            if k == 3:
                junk = stored.view(np.uint16) ^ np.uint16(0x5000)
                ds.PixelData = junk.tobytes()
                ds.RescaleSlope, ds.RescaleIntercept = 2, 0
            if k == 4:
                ds.PixelPaddingValue = int(stored[0, 0])
                ds.RescaleIntercept = -1000
            if k == 1:
                ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
            if k == 2:
                ds.compress(RLELossless)
            ds.save_as(path, enforce_file_format=True)
            paths.append(path)
        volume = ctlib.load_series(list(reversed(paths)))
        assert [p.name for p in volume.files] == [p.name for p in paths]
        assert scan(paths[2]).pixel_offset is None  # RLE: read and decoded by pydicom
        assert scan(paths[1]).pixel_offset is not None  # implicit VR: read directly
        for k, path in enumerate(paths):
            np.testing.assert_array_equal(volume.hu[k], ctlib.to_hu(ctlib.read(path)))
        assert volume.hu[4, 0, 0] == ctlib.AIR_HU  # the padding value became air
