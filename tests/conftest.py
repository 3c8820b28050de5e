"""Shared fixtures: small, valid CT data sets built in memory with pydicom 3."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_rescale
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

import ctlib
from ctlib.rsna import join_metadata, read_labels

if TYPE_CHECKING:
    import pandas as pd

    from ctlib.course.annotate import Mark


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


@pytest.fixture
def export(tmp_path: Path) -> dict[str, object]:
    """A CD/USB export with a DICOMDIR (tests/scanners.py): a CT series and five other objects."""
    import scanners

    return scanners.pacs_export(tmp_path / "CD")


# The reading lessons' checks of a mark on its slice (tests/test_course_*.py).

def pixels_hu(data: ctlib.DataSet, series: str, index: int) -> np.ndarray:
    """The slice in HU through pydicom's Modality LUT (not ctlib's reader)."""
    path = data.path(data.series(series)["files"][index])
    with ctlib.allow_rsna_uids():
        ds = pydicom.dcmread(path)
    if ctlib.has_wrong_pixel_representation(ds):  # the 12-bit quirk: pydicom reads it unsigned
        return ctlib.to_hu(ctlib.read(path))
    return np.asarray(apply_rescale(ds.pixel_array, ds), dtype=np.float64)


def raw_maps(data: ctlib.DataSet, series: str) -> dict[str, np.ndarray]:
    uid = data.series(series)["series_uid"]
    with np.load(data.root / "masks" / f"{uid}.npz") as archive:
        return {key: archive[key] for key in ("tissue", "lesion")}


def check_mark(data: ctlib.DataSet, series: str, index: int, mark: Mark) -> None:
    """The mark's pixel lies on its codes (within its radius) and measures in its HU range."""
    hu = pixels_hu(data, series, index)
    r, c = round(mark.row), round(mark.col)
    roi = float(hu[r - 1:r + 2, c - 1:c + 2].mean())
    where = f"{series} slice {index}: {mark.label!r} at ({r}, {c})"
    assert mark.hu[0] <= roi <= mark.hu[1], f"{where} measures {roi:.0f} HU, not {mark.hu}"
    if mark.kind in ("tissue", "lesion"):
        codes = raw_maps(data, series)[mark.kind][index]
        k = mark.radius
        near = codes[max(r - k, 0):r + k + 1, max(c - k, 0):c + k + 1]
        assert np.isin(near, mark.codes).any(), f"{where} is not on {mark.kind} {mark.codes}"


@pytest.fixture(scope="session")
def joined(synthetic: ctlib.DataSet) -> pd.DataFrame:
    """Synthetic labels joined to the synthetic headers."""
    table = ctlib.metadata_table(synthetic.files(), progress=False)
    return join_metadata(read_labels(synthetic.labels_csv), table)
