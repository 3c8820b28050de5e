"""The package as a user installs it: a built wheel, in a fresh virtual environment.

The editable install of `make test` sees the whole repository, so a module or a data
file left out of the wheel goes unnoticed there. This test builds the wheel, installs
it (not editable) with its declared dependencies in a new virtual environment, and
runs a smoke script from a folder outside the repository.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SMOKE = textwrap.dedent('''
    import sys, warnings
    from pathlib import Path
    import numpy as np
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
    import ctlib
    assert "site-packages" in ctlib.__file__, ctlib.__file__  # the wheel, not the repository
    folder = Path("series")
    folder.mkdir()
    series = generate_uid()
    for k in range(3):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.Modality, ds.SeriesInstanceUID = "CT", series
        ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 5 * k], [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing, ds.RescaleSlope, ds.RescaleIntercept = [1, 1], 1, -1024
        ds.set_pixel_data(np.full((8, 8), 1064, np.int16), "MONOCHROME2", 16)
        ds.save_as(folder / f"IM{k}", enforce_file_format=True)
    hu = ctlib.to_hu(ctlib.read(folder / "IM0"))
    assert float(hu.mean()) == 40.0
    assert int(ctlib.window(hu, "brain", dtype=np.uint8).mean()) == 128
    volume = ctlib.load_series(folder)
    assert volume.hu.shape == (3, 8, 8) and volume.spacing[0] == 5.0
    assert len(ctlib.metadata_table(folder, progress=False)) == 3
    import importlib.util
    assert importlib.util.find_spec("nilearn") is None  # the generator's packages: an extra
    from ctlib.synth.dataset import require_generator_packages
    try:
        require_generator_packages()
    except ctlib.CtlibError as error:
        assert 'pip install "ctlib[synth]"' in str(error), error
    else:
        raise AssertionError("the generator's missing packages went unnoticed")
    print("smoke ok")
''')


@pytest.mark.slow
def test_wheel_in_a_fresh_environment(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(ROOT)], check=True, cwd=tmp_path)
    (wheel,) = dist.glob("ctlib-*.whl")
    names = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(wheel)], check=True,
                           capture_output=True, text=True).stdout
    for member in ("ctlib/synth/__main__.py", "ctlib/synth/templates/", "ctlib/py.typed",
                   "ctlib/course/lessons/__init__.py", "ctlib/static/window_viewer.js"):
        assert member in names, f"{member} is not in the wheel"
    assert "_notebooks" not in names  # the course's own tool stays in the repository (tools/)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    smoke = subprocess.run([str(python), "-c", SMOKE], cwd=work, capture_output=True, text=True,
                           check=False)
    assert smoke.returncode == 0 and "smoke ok" in smoke.stdout, smoke.stderr
    generator = subprocess.run([str(python), "-m", "ctlib.synth", "--help"], cwd=work,
                               capture_output=True, text=True, check=False)
    assert generator.returncode == 0 and "usage" in generator.stdout.lower(), generator.stderr
