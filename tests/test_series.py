"""ctlib.load_series, Volume, untilt: order, grouping, geometry, problems, HU, memory.

References are independent of the code under test: the manifest's slice order, the
generator's slice geometry (ctlib.synth.geometry.SliceStack), pydicom's own reading
(``to_hu(read(f))``), and an analytic sphere.
"""

from __future__ import annotations

import dataclasses
import shutil
import tracemalloc
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pydicom
import pytest
import scanners
from conftest import build_ct
from pydicom.dataset import Dataset
from pydicom.pixels import apply_rescale

import ctlib
from ctlib._internals.slices import scan
from ctlib.course.tissues import Tissue
from ctlib.synth.geometry import SliceStack

FOV_MM = 250.0  # the generator's field of view (ctlib.synth.series)


@pytest.fixture(scope="module")
def data(synthetic: ctlib.DataSet) -> ctlib.DataSet:
    """The full synthetic set (tests/conftest.py), under the name these tests use."""
    return synthetic


def files_of(data: ctlib.DataSet, name: str) -> list[Path]:
    """A series' files in the manifest's slice order."""
    return [data.path(sop) for sop in data.series(name)["files"]]


def truncated(data: ctlib.DataSet) -> set[str]:
    return set(data.manifest["quirks"]["truncated_pixel_data"])


def copy_series(files: list[Path], folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [Path(shutil.copy(f, folder / f.name)) for f in files]


def stack_of(data: ctlib.DataSet, name: str) -> SliceStack:
    """The generator's geometry of a series, from the manifest and the first file's position."""
    entry = data.series(name)
    matrix, spacing = entry["matrix"], FOV_MM / entry["matrix"]
    probe = SliceStack(count=1, first_z=0.0, rows=matrix, columns=matrix, spacing_mm=spacing,
                       tilt_deg=entry["tilt_deg"])
    first = np.array(pydicom.dcmread(files_of(data, name)[0]).ImagePositionPatient, float)
    center = first - probe.position(0)  # position(0) is linear in the centre and first_z
    return SliceStack(count=entry["slices"], first_z=float(center[2]), rows=matrix,
                      columns=matrix, spacing_mm=spacing, tilt_deg=entry["tilt_deg"],
                      center_xy=(float(center[0]), float(center[1])))


def voxel_centres(affine: npt.NDArray[np.float64], shape: tuple[int, ...]) -> np.ndarray:
    """LPS mm of every voxel centre, shape (3, *shape)."""
    index = np.indices(shape, dtype=float)
    return np.tensordot(affine[:3, :3], index, axes=1) + affine[:3, 3].reshape(3, 1, 1, 1)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    return float(2 * (a & b).sum() / (a.sum() + b.sum()))


def write_slice(path: Path, hu: np.ndarray, position: Any, *,
                uid: str = "1.2.826.0.1.3680043.8.498.1", orientation: Any = (1, 0, 0, 0, 1, 0),
                spacing: Any = (1.0, 1.0), **elements: Any) -> Dataset:
    """A CT slice file holding ``hu`` (stored = HU + 1024, intercept -1024)."""
    ds = build_ct((np.asarray(hu) + 1024).astype(np.int16), SeriesInstanceUID=uid,
                  ImageOrientationPatient=[f"{v:.8f}" for v in orientation],
                  ImagePositionPatient=[f"{v:.6f}" for v in position],
                  PixelSpacing=[f"{v:.6f}" for v in spacing], **elements)
    ds.save_as(path, enforce_file_format=True)
    return ds


class TestOrder:
    """Slices sorted along the normal, whatever the file names and the order given."""

    def test_tilted_and_shuffled(self, data: ctlib.DataSet) -> None:
        """The manifest's order comes back from shuffled files; the truncated one is skipped."""
        files = files_of(data, "normal-tilted")
        shuffled = [files[i] for i in np.random.default_rng(1).permutation(len(files))]
        with pytest.warns(ctlib.SeriesWarning):
            volume = ctlib.load_series(shuffled)
        bad = truncated(data)
        assert [p.stem for p in volume.files] == [f.stem for f in files if f.stem not in bad]
        assert [(p.stem, "truncated" in why) for p, why in volume.skipped] == [(s, True)
                                                                               for s in bad]
        assert "(7FE0,0010) PixelData" in volume.skipped[0][1]
        assert len(volume.headers) == volume.hu.shape[0] == len(volume.positions)

    def test_every_series_of_the_flat_folder(self, data: ctlib.DataSet) -> None:
        """Each series loaded from the one folder comes in the manifest's order."""
        for entry in data.manifest["series"]:
            gap = entry["name"] == "normal-tilted"  # its truncated slice; others: no warning
            with pytest.warns(ctlib.SeriesWarning) if gap else nullcontext():
                volume = ctlib.load_series(data.images, series_uid=entry["series_uid"])
            expected = [s for s in entry["files"] if s not in truncated(data)]
            assert [p.stem for p in volume.files] == expected, entry["name"]
            assert volume.series_uid == entry["series_uid"]


class TestGrouping:
    """A flat folder of many series, as RSNA's."""

    def test_series_in_splits_the_folder(self, data: ctlib.DataSet) -> None:
        groups = ctlib.series_in(data.files())
        expected = {s["series_uid"]: set(s["files"]) for s in data.manifest["series"]}
        assert len(groups) == len(data.manifest["series"])
        assert {uid: {p.stem for p in files} for uid, files in groups.items()} == expected

    def test_several_series_need_a_uid(self, data: ctlib.DataSet) -> None:
        count = len(data.manifest["series"])
        with pytest.raises(ctlib.CtlibError, match=f"{count} series found; pass series_uid"):
            ctlib.load_series(data.images)
        with pytest.raises(ctlib.CtlibError, match=f"no series 'ID_nope' among the {count}"):
            ctlib.load_series(data.images, series_uid="ID_nope")

    def test_empty_folder(self, tmp_path: Path) -> None:
        with pytest.raises(ctlib.CtlibError, match=r"holds no file"):
            ctlib.load_series(tmp_path)


class TestGeometry:
    """Spacing, affine, orientation and tilt match what the generator wrote."""

    @pytest.mark.parametrize("name", ["normal-tilted", "normal-460"])
    def test_affine_maps_voxels_to_the_generator_points(
        self, data: ctlib.DataSet, name: str
    ) -> None:
        stack = stack_of(data, name)
        files = files_of(data, name)[:19]  # before the tilted series' missing slice: no gap
        volume = ctlib.load_series(files)
        rows = np.array([0, 7, stack.rows // 2, stack.rows - 1])
        columns = np.array([0, 3, stack.columns // 3, stack.columns - 1])
        for k in range(len(files)):
            truth = stack.points(k)[:, rows[:, None], columns[None, :]]  # (3, 4, 4)
            i, j = np.meshgrid(rows, columns, indexing="ij")
            index = np.stack([np.full(i.shape, k), i, j, np.ones(i.shape)]).reshape(4, -1)
            mapped = (volume.affine @ index)[:3].reshape(truth.shape)
            np.testing.assert_allclose(mapped, truth, atol=2e-3)  # DS values keep 6 decimals
            np.testing.assert_allclose(volume.positions[k], stack.position(k), atol=1e-5)
        np.testing.assert_allclose(volume.spacing, (5.0, stack.spacing_mm, stack.spacing_mm),
                                   atol=1e-5)
        np.testing.assert_allclose(volume.orientation, stack.orientation(), atol=1e-6)
        np.testing.assert_allclose(volume.normal, stack.normal, atol=1e-6)
        np.testing.assert_allclose(volume.affine[:3, 0], [0, 0, stack.z_step], atol=1e-5)
        assert volume.tilt_deg == pytest.approx(stack.tilt_deg, abs=1e-3)
        np.testing.assert_array_equal(volume.affine[3], [0, 0, 0, 1])

    def test_positions_after_a_gap_are_the_true_ones(self, data: ctlib.DataSet) -> None:
        stack = stack_of(data, "normal-tilted")
        with pytest.warns(ctlib.SeriesWarning):
            volume = ctlib.load_series(files_of(data, "normal-tilted"))
        index = [data.series("normal-tilted")["files"].index(p.stem) for p in volume.files]
        np.testing.assert_allclose(volume.positions, [stack.position(k) for k in index],
                                   atol=1e-5)
        assert volume.spacing[0] == pytest.approx(5.0, abs=1e-4)  # the usual step, not the gap

    def test_single_slice(self, data: ctlib.DataSet) -> None:
        """One slice: its tilt is the normal's angle to z; the affine's slice column is n."""
        volume = ctlib.load_series(files_of(data, "normal-tilted")[:1])
        assert volume.tilt_deg == pytest.approx(15.0, abs=1e-3)
        assert volume.spacing[0] == 0.0
        np.testing.assert_allclose(volume.affine[:3, 0], volume.normal)

    def test_construction_derives_the_geometry(self) -> None:
        """Volume(hu, positions, orientation, pixel_spacing) derives normal, spacing, affine."""
        volume = ctlib.Volume(np.zeros((2, 3, 4), np.float32), [[1, 2, 3], [1, 2, 5]],
                              [1, 0, 0, 0, 1, 0], (0.5, 0.25))
        np.testing.assert_allclose(volume.affine @ [1, 2, 3, 1], [1.75, 3.0, 5.0, 1.0])
        assert volume.skipped == [] and volume.spacing == (2.0, 0.5, 0.25)
        assert volume.normal.tolist() == [0, 0, 1] and volume.tilt_deg == 0.0
        with pytest.raises(ctlib.ArgumentError, match="one position per slice"):
            ctlib.Volume(np.zeros((3, 3, 4), np.float32), [[1, 2, 3]], [1, 0, 0, 0, 1, 0],
                         (0.5, 0.25))


class TestProblems:
    """Bad files are reported, inconsistent series refused, gaps warned, naming files."""

    def test_corrupt_files_are_skipped_not_fatal(self, data: ctlib.DataSet,
                                                 tmp_path: Path) -> None:
        files = copy_series(files_of(data, "normal-plain"), tmp_path)
        (tmp_path / "notes.dcm").write_text("not a DICOM file")
        (tmp_path / "empty.dcm").write_bytes(b"")
        top = files[-1].read_bytes()
        files[-1].write_bytes(top[: len(top) - 4096])  # the top slice: truncated, no gap
        volume = ctlib.load_series(tmp_path)
        assert volume.hu.shape[0] == len(files) - 1
        reasons = {p.name: why for p, why in volume.skipped}
        assert set(reasons) == {"notes.dcm", "empty.dcm", files[-1].name}
        assert "not a DICOM file" in reasons["notes.dcm"]
        assert "truncated" in reasons[files[-1].name]
        assert all(str(tmp_path) in why for why in reasons.values())  # each names its file

    def test_missing_slice_warns_naming_the_neighbours(self, data: ctlib.DataSet,
                                                       tmp_path: Path) -> None:
        files = copy_series(files_of(data, "normal-plain"), tmp_path)
        middle = len(files) // 2
        files[middle].unlink()
        with pytest.warns(ctlib.SeriesWarning) as caught:
            volume = ctlib.load_series(tmp_path)
        message = str(caught[0].message)
        assert f"between {files[middle - 1].name} and {files[middle + 1].name}" in message
        assert "10.000 mm instead of 5.000 mm" in message and "1 slice(s) missing" in message
        assert "a gap" in message and "Find the missing file" in message
        assert "volume.affine refuses" in message
        assert volume.hu.shape[0] == len(files) - 1

    def test_warning_is_a_ctlib_error_when_warnings_are_errors(self) -> None:
        assert issubclass(ctlib.SeriesWarning, UserWarning)
        assert issubclass(ctlib.SeriesWarning, ctlib.CtlibError)

    def test_duplicate_position(self, data: ctlib.DataSet, tmp_path: Path) -> None:
        files = copy_series(files_of(data, "normal-plain")[:4], tmp_path)
        twin = tmp_path / "ID_twin.dcm"
        shutil.copy(files[2], twin)
        with pytest.raises(ctlib.CtlibError, match="same position") as raised:
            ctlib.load_series(tmp_path)
        assert str(files[2]) in str(raised.value) and str(twin) in str(raised.value)

    def test_mixed_shapes(self, tmp_path: Path) -> None:
        for k in range(3):
            write_slice(tmp_path / f"s{k}.dcm", np.zeros((8, 8)), (0, 0, 2.0 * k))
        write_slice(tmp_path / "odd.dcm", np.zeros((6, 8)), (0, 0, 6.0))
        with pytest.raises(ctlib.CtlibError, match=r"different size .*Rows.*odd\.dcm has 6×8, "
                           r"while 3 file\(s\) \(e\.g\. .*s0\.dcm\) have 8×8"):
            ctlib.load_series(tmp_path)

    def test_mixed_orientations(self, tmp_path: Path) -> None:
        for k in range(3):
            write_slice(tmp_path / f"s{k}.dcm", np.zeros((4, 4)), (0, 0, 2.0 * k))
        write_slice(tmp_path / "scout.dcm", np.zeros((4, 4)), (0, 0, 0),
                    orientation=(1, 0, 0, 0, 0, -1))
        with pytest.raises(ctlib.CtlibError, match=r"ImageOrientationPatient.*scout\.dcm has "
                           r"\[1, 0, 0, 0, 0, -1\].*localizer"):
            ctlib.load_series(tmp_path)

    def test_missing_position_and_rescale_are_skipped(self, tmp_path: Path) -> None:
        """A file without a position, and one without rescale, are set aside with the reason."""
        hu = np.full((4, 4), 40.0)
        for k in range(7):
            write_slice(tmp_path / f"s{k}.dcm", hu + k, (0, 0, 2.0 * k))
        ds = pydicom.dcmread(tmp_path / "s6.dcm")
        del ds.ImagePositionPatient
        ds.save_as(tmp_path / "s6.dcm")
        ds = pydicom.dcmread(tmp_path / "s2.dcm")
        del ds.RescaleSlope, ds.RescaleIntercept
        ds.save_as(tmp_path / "s2.dcm")
        with pytest.warns(ctlib.SeriesWarning,
                          match=r"between s1.dcm and s3.dcm: .*\(s2.dcm was skipped"):
            volume = ctlib.load_series(tmp_path)
        reasons = {p.name: why for p, why in volume.skipped}
        assert "(0020,0032) ImagePositionPatient is missing" in reasons["s6.dcm"]
        assert "(0028,1053) RescaleSlope" in reasons["s2.dcm"]
        assert [p.name for p in volume.files] == ["s0.dcm", "s1.dcm", "s3.dcm", "s4.dcm",
                                                  "s5.dcm"]
        np.testing.assert_array_equal(volume.hu[:, 0, 0], [40, 41, 43, 44, 45])
        np.testing.assert_allclose(volume.positions[:, 2], [0, 2, 6, 8, 10])
        assert volume.hu.flags.owndata  # not a view of a bigger array


class TestHU:
    """Every slice is exactly to_hu(read(f)), on the fast path and on the fallback."""

    @pytest.mark.slow
    def test_synthetic_set(self, data: ctlib.DataSet) -> None:
        """Every series: 12-bit, mislabelled, intercept -1000, padded, 460x460."""
        names = {s["name"] for s in data.manifest["series"]}
        quirks = data.manifest["quirks"]
        assert set(quirks["wrong_pixel_representation"]) <= names  # covered below
        assert set(quirks["padding_below_air"]) <= names
        for entry in data.manifest["series"]:
            files = [data.path(s) for s in entry["files"] if s not in truncated(data)]
            gap = entry["name"] == "normal-tilted"  # where the truncated slice was
            with pytest.warns(ctlib.SeriesWarning) if gap else nullcontext():
                volume = ctlib.load_series(files)
            assert all(scan(f).pixel_offset is not None for f in files)  # the fast path
            for k, path in enumerate(volume.files):
                np.testing.assert_array_equal(volume.hu[k], ctlib.to_hu(ctlib.read(path)),
                                              err_msg=f"{entry['name']} slice {k}")

    def test_memory_peak(self, data: ctlib.DataSet) -> None:
        """Loading allocates little besides the volume itself (no per-slice arrays kept)."""
        files = files_of(data, "normal-plain")
        tracemalloc.start()
        try:
            volume = ctlib.load_series(files)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak / volume.hu.nbytes <= 1.5, peak / volume.hu.nbytes


class TestUntilt:
    """Gantry tilt correction by resampling."""

    TILT_DEG, STEP_MM, RADIUS_MM, SLICES, SIZE = 20.0, 2.0, 9.0, 36, 64

    def sphere_series(self, folder: Path) -> np.ndarray:
        """A 60 HU sphere in air, scanned with tilted planes; returns its centre (LPS mm)."""
        t = np.radians(self.TILT_DEG)
        row, col = np.array([1.0, 0, 0]), np.array([0, np.cos(t), -np.sin(t)])
        first = np.array([-32.0, -30.0, 0.0])
        z_step = self.STEP_MM / np.cos(t)  # the table moves along z only
        centre = first + 18 * z_step * np.array([0, 0, 1.0]) + 40 * col + 32 * row
        pixels = np.arange(self.SIZE, dtype=float)
        for k in range(self.SLICES):
            origin = first + np.array([0, 0, k * z_step])
            points = (origin[:, None, None] + row[:, None, None] * pixels[None, None, :]
                      + col[:, None, None] * pixels[None, :, None])
            inside = np.linalg.norm(points - centre[:, None, None], axis=0) <= self.RADIUS_MM
            name = f"{(k * 7919) % 1000:03d}.dcm"  # names in no particular order
            write_slice(folder / name, np.where(inside, 60, -1000), origin,
                        orientation=(*row, *col))
        return centre

    def test_sphere_geometry(self, tmp_path: Path) -> None:
        centre = self.sphere_series(tmp_path)
        sheared = ctlib.load_series(tmp_path)
        assert sheared.tilt_deg == pytest.approx(self.TILT_DEG, abs=1e-4)

        def truth(affine: np.ndarray) -> np.ndarray:
            points = voxel_centres(affine, sheared.hu.shape)
            return np.linalg.norm(points - centre.reshape(3, 1, 1, 1), axis=0) <= self.RADIUS_MM

        # The sheared affine describes the sheared stack exactly.
        assert dice(sheared.hu > -470, truth(sheared.affine)) > 0.99
        straight = ctlib.untilt(sheared)
        assert straight.tilt_deg == 0.0
        axes = straight.affine[:3, :3]
        np.testing.assert_allclose(axes.T @ axes, np.diag([self.STEP_MM**2, 1, 1]), atol=1e-4)
        np.testing.assert_allclose(straight.spacing, (self.STEP_MM, 1.0, 1.0), atol=1e-5)
        orthogonal = truth(straight.affine)
        assert dice(straight.hu > -470, orthogonal) > 0.95
        # Reading the uncorrected stack on an orthogonal grid misplaces the sphere.
        assert dice(sheared.hu > -470, orthogonal) < 0.5
        # Headers and positions follow the resampled slices.
        np.testing.assert_allclose(
            [np.array(h.ImagePositionPatient, float) for h in straight.headers],
            straight.positions, atol=1e-5)
        np.testing.assert_allclose(straight.positions, voxel_centres(
            straight.affine, (self.SLICES, 1, 1))[:, :, 0, 0].T, atol=1e-4)

    def test_tilted_synthetic_series(self, data: ctlib.DataSet) -> None:
        """Each slice moves by k·Δz·sin(tilt)/Δrow rows (k its place in the generator's stack)."""
        stack = stack_of(data, "normal-tilted")
        with pytest.warns(ctlib.SeriesWarning):
            sheared = ctlib.load_series(files_of(data, "normal-tilted"))
        # The head holder stays with the table while the gantry tilts: leave it out.
        masks = data.masks("normal-tilted")["tissue"]
        order = data.series("normal-tilted")["files"]
        support = np.stack([np.isin(masks[order.index(p.stem)], (Tissue.HOLDER, Tissue.PAD))
                            for p in sheared.files])
        sheared = dataclasses.replace(sheared, hu=np.where(support, -1000.0, sheared.hu)
                                      .astype(np.float32))
        straight = ctlib.untilt(sheared)
        assert straight.tilt_deg == 0.0
        order = data.series("normal-tilted")["files"]
        rows = np.arange(stack.rows, dtype=float)
        checked = 0
        for k, path in enumerate(sheared.files):
            index = order.index(path.stem)  # the truncated slice leaves a gap: use the true k
            expected = index * stack.z_step * np.sin(np.radians(stack.tilt_deg)) / stack.spacing_mm
            before = sheared.hu[k] > -500  # head (and the table's edge) on this slice
            after = straight.hu[k] > -500
            if before.sum() < 2000 or after.sum() != pytest.approx(before.sum(), rel=0.02):
                continue  # too little head, or cut by the edge of the field of view
            centroid = (rows @ before.sum(axis=1)) / before.sum()
            moved = (rows @ after.sum(axis=1)) / after.sum()
            assert centroid - moved == pytest.approx(expected, abs=0.3), (k, index)
            checked += 1
        assert checked >= 15

    def test_straight_series_unchanged(self, data: ctlib.DataSet) -> None:
        volume = ctlib.load_series(files_of(data, "normal-plain")[:6])
        straight = ctlib.untilt(volume)
        np.testing.assert_array_equal(straight.hu, volume.hu)
        np.testing.assert_allclose(straight.affine, volume.affine, atol=1e-9)
        assert straight.hu is not volume.hu


class TestGapsAndReconstructions:
    def test_a_missing_slice_is_a_gap(self, tmp_path: Path) -> None:
        files = scanners.write_series(tmp_path, scanners.even(missing=[7]))
        with pytest.warns(ctlib.SeriesWarning) as caught:
            volume = ctlib.load_series(tmp_path)
        message = str(caught[0].message)
        assert f"between {files[6].name} and {files[7].name}: 10.000 mm instead of 5.000 mm" \
            in message
        assert "a gap: 1 slice(s) missing" in message and "protocol" not in message
        assert len(volume.hu) == 24 and ctlib.resample(volume).hu.shape[0] == 25

    def test_two_reconstructions_in_one_series(self, tmp_path: Path) -> None:
        """5 mm STANDARD and 5 mm BONE images written under one Series Instance UID."""
        study, series = pydicom.uid.generate_uid(), pydicom.uid.generate_uid()
        plan = scanners.even(count=6)
        scanners.write_series(tmp_path / "soft", plan, study=study, series=series)
        bone = scanners.write_series(tmp_path / "bone", plan, study=study, series=series,
                                     names="BONE{:03d}")
        for path in bone:
            ds = pydicom.dcmread(path)
            ds.ConvolutionKernel, ds.SliceThickness = "BONE", "1.25"
            ds.save_as(path)
        with pytest.raises(ctlib.CtlibError, match=r"2 reconstructions share one Series "
                           r"Instance UID \(thickness 1\.25 mm, kernel BONE; thickness 5 mm, "
                           r"kernel STANDARD\)"):
            ctlib.load_series(tmp_path)

    def test_a_copied_slice(self, tmp_path: Path) -> None:
        files = scanners.write_series(tmp_path, scanners.even(count=5))
        shutil.copy(files[2], tmp_path / "copy")
        with pytest.raises(ctlib.CtlibError, match="the same image copied twice"):
            ctlib.load_series(tmp_path)


class TestVendors:
    """GE (implicit VR), Siemens (unsigned, CSA blob), Philips (UTF-8 names): HU as pydicom's."""

    @pytest.mark.parametrize("vendor", sorted(scanners.VENDORS))
    def test_hu_equal_pydicom(self, tmp_path: Path, vendor: str) -> None:
        files = scanners.write_series(tmp_path, scanners.even(count=6), vendor=vendor)
        volume = ctlib.load_series(tmp_path)
        for k, path in enumerate(files):
            ds = pydicom.dcmread(path)
            assert "SpecificCharacterSet" in ds and any(e.tag.is_private for e in ds)
            np.testing.assert_array_equal(volume.hu[k], apply_rescale(ds.pixel_array, ds))
        table = ctlib.metadata_table(tmp_path, progress=False)
        assert table["error"].isna().all() and len(table) == 6
        assert table["RescaleIntercept"].eq(scanners.VENDORS[vendor].intercept).all()


class TestExports:
    def test_load_series_from_the_export(self, export: dict[str, object]) -> None:
        root = Path(export["dicomdir"]).parent  # type: ignore[arg-type]
        volume = ctlib.load_series(root)  # one CT series among five other objects
        assert volume.series_uid == export["series"] and len(volume.hu) == export["slices"]
        reasons = sorted(why.split(": ", 1)[1] for _, why in volume.skipped)
        kinds = ["a DICOMDIR", "a localizer (scout) image", "a presentation state",
                 "a secondary capture", "a structured report"]
        assert all(r.startswith(kind) for r, kind in zip(reasons, kinds, strict=True))
        assert all(r.endswith("not a slice of a volume, left out.") for r in reasons)

    def test_series_in_and_survey_of_a_folder(self, export: dict[str, object]) -> None:
        root = Path(export["dicomdir"]).parent  # type: ignore[arg-type]
        assert list(ctlib.series_in(root)) == [export["series"]]
        assert list(ctlib.series_in(str(root))) == [export["series"]]  # not its characters
        found = ctlib.survey(root)
        assert len(found.skipped) == 5 and "5 file(s) left out" in str(found)
        # The same files, nested, without the DICOMDIR: found by walking the tree.
        (root / "DICOMDIR").unlink()
        assert ctlib.survey(root).series.keys() == found.series.keys()
        assert len(ctlib.survey(root).skipped) == 4

    def test_other_modality_in_the_folder(self, tmp_path: Path) -> None:
        scanners.write_series(tmp_path / "ct", scanners.even(count=4))
        scanners.mr_image(tmp_path / "mr" / "MR1", study=pydicom.uid.generate_uid())
        volume = ctlib.load_series(tmp_path)
        assert len(volume.hu) == 4
        assert "an MR object, not CT" in volume.skipped[0][1]

    def test_localizer_alone(self, tmp_path: Path) -> None:
        """A scout is named, never loaded as a 90° tilted volume with aspect 0."""
        scanners.localizer(tmp_path / "scout", study=pydicom.uid.generate_uid())
        with pytest.raises(ctlib.CtlibError, match=r"no CT slice .* a localizer \(scout\)"):
            ctlib.load_series(tmp_path)


class TestLoadSeries:
    """ctlib.load_series and reformat."""

    def test_shuffled_tilted_series(self) -> None:
        """Files in any order come back sorted along the normal, tilt measured, bad file skipped."""
        data = ctlib.open_data()
        entry = data.series("normal-tilted")
        files = [data.path(sop) for sop in entry["files"]]
        rng = np.random.default_rng(0)
        truncated = set(data.manifest["quirks"]["truncated_pixel_data"])
        with pytest.warns(ctlib.SeriesWarning, match="|".join(truncated)):  # its gap
            volume = ctlib.load_series([files[i] for i in rng.permutation(len(files))])
        assert [p.stem for p in volume.files] == [s for s in entry["files"] if s not in truncated]
        assert [p.stem for p, _ in volume.skipped] == sorted(truncated & set(entry["files"]))
        assert volume.tilt_deg == pytest.approx(15.0, abs=0.01)
        assert volume.spacing[0] == pytest.approx(5.0, abs=1e-3)
        along = volume.positions @ volume.normal
        assert (np.diff(along) > 0).all()

    def test_flat_folder_needs_series(self) -> None:
        """A flat folder of many series: choose one."""
        data = ctlib.open_data("sample")
        with pytest.raises(ctlib.CtlibError, match="series found; pass series_uid"):
            ctlib.load_series(data.images)

    def test_duplicate_position(self, tmp_path: Path) -> None:
        """Two slices at one position are an error naming both files."""
        for name in ("a", "b"):
            ds = build_ct(np.zeros((4, 4), np.int16), SeriesInstanceUID="1.2.3",
                          ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
                          ImagePositionPatient=[0, 0, 0], PixelSpacing=[0.5, 0.5])
            ds.save_as(tmp_path / f"{name}.dcm", enforce_file_format=True)
        with pytest.raises(ctlib.CtlibError, match="same position"):
            ctlib.load_series(tmp_path)

    def test_reformat_planes(self) -> None:
        """Coronal and sagittal cuts have superior at the top and the right aspect."""
        hu = np.zeros((10, 8, 6), np.float32)
        hu[-1] = 1.0  # the top slice
        volume = ctlib.Volume(hu, [[0, 0, 5.0 * k] for k in range(10)], [1, 0, 0, 0, 1, 0],
                              (0.5, 0.25))
        coronal, aspect = ctlib.reformat(volume, "coronal")
        assert coronal.shape == (10, 6) and aspect == 20.0 and coronal[0].all()
        sagittal, aspect = ctlib.reformat(volume, "sagittal")
        assert sagittal.shape == (10, 8) and aspect == 10.0
        with pytest.raises(ctlib.CtlibError, match="unknown plane"):
            ctlib.reformat(volume, "oblique")  # type: ignore[arg-type]
