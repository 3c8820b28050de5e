"""Shared fixtures: small, valid CT data sets built in memory with pydicom 3."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid


def build_ct(
    stored: np.ndarray,
    *,
    bits_stored: int = 16,
    slope: Any = 1,
    intercept: Any = -1024,
    **elements: Any,
) -> Dataset:
    """Return a minimal CT Image data set holding ``stored`` as its pixel data.

    ``stored`` must already have the dtype that matches the intended Pixel
    Representation (``uint16`` for 0, ``int16`` for 1). ``slope``/``intercept``
    of ``None`` leave the element out. Extra keyword arguments become elements.
    """
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    digest = hashlib.sha256(stored.tobytes()).hexdigest()
    uid = generate_uid(entropy_srcs=[digest, repr(sorted(elements.items()))])
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = uid
    ds.Modality = "CT"
    ds.PatientID = "SYNTH-0001"
    if slope is not None:
        ds.RescaleSlope = slope
    if intercept is not None:
        ds.RescaleIntercept = intercept
    ds.set_pixel_data(stored, "MONOCHROME2", bits_stored)
    for keyword, value in elements.items():
        setattr(ds, keyword, value)
    return ds


def cells(path: Path) -> list[dict[str, Any]]:
    """A notebook's cells, with each cell's source joined into ``"text"``."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell["text"] = "".join(cell["source"])
    return list(nb["cells"])


def roundtrip(ds: Dataset) -> Dataset:
    """Write ``ds`` as a Part-10 file into memory and read it back."""
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    buffer.seek(0)
    return pydicom.dcmread(buffer)


def fingerprint(path: Path) -> tuple[str, int]:
    """SHA-256 of a file's bytes and its modification time in nanoseconds."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


@pytest.fixture
def make_ct() -> Callable[..., Dataset]:
    """Factory for in-memory CT data sets (see :func:`build_ct`)."""
    return build_ct


@pytest.fixture
def ct_file(tmp_path: Path) -> Path:
    """A small valid CT file on disk: a 64×64 gradient from -1024 to 1000 HU."""
    hu = np.linspace(-1024, 1000, 64 * 64).reshape(64, 64).round().astype(np.int16)
    path = tmp_path / "slice.dcm"
    build_ct((hu + 1024).astype(np.int16), intercept=-1024).save_as(
        path, enforce_file_format=True
    )
    return path


@pytest.fixture(scope="session")
def synthetic() -> Any:
    """The full synthetic set (646 files in 26 series), skipped if it has not been built."""
    import ctlib

    try:
        return ctlib.open_data("synthetic")
    except ctlib.CtlibError:
        pytest.skip("data/synthetic is not built: run `make data` (or python -m ctlib.synth)")


#: Debian's Chromium, driven by Playwright (never `playwright install`), and its flags.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium_browser() -> Any:
    """One headless Chromium for the whole session (Playwright's sync API allows one at a time).

    Skipped where /usr/bin/chromium is missing, except in CI, where it is an error.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("no /usr/bin/chromium here (apt-get install chromium); CI runs this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
