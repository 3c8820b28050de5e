"""Series, folders and objects as real scanners and PACS write them (tests/scanners.py).

Independent references: the analytic head the files were sampled from (its HU at
known LPS points), pydicom's own ``apply_rescale``, pydicom's ``FileSet`` for what a
DICOMDIR lists, and the slice positions the fixtures were written at.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import scanners

import ctlib
from ctlib.viewer import show
from ctlib.volume import describe_steps, plane_tilt_deg, step_runs

MARKER = np.array([-35.0, -40.0, 35.0])  # LPS centre of the dense marker: right, front, top
# Planes through the marker on the fixtures' 4 mm grid, which starts at -94 mm.
CORONAL_AT_MARKER, SAGITTAL_AT_MARKER = 13, 15  # y = -42 mm, x = -34 mm
PLANES = {("axial", 12), ("axial", 19), ("coronal", 13), ("coronal", 24), ("sagittal", 15),
          ("sagittal", 24)}  # z = 0 (the nose) and 35 mm (the marker), y and x through both


def load_quietly(source: object) -> ctlib.Volume:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ctlib.SeriesWarning)
        return ctlib.load_series(source)  # type: ignore[arg-type]


def marker_centre(image: np.ndarray) -> np.ndarray:
    """(row, column) centre of the 1500 HU marker in a 2-D image."""
    rows, cols = np.nonzero(image > 1100)  # only the marker is denser than bone
    assert rows.size, "the marker is not in this image"
    return np.array([rows.mean(), cols.mean()])


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> ctlib.Volume:
    """The two-part protocol, loaded."""
    folder = tmp_path_factory.mktemp("two-part")
    scanners.write_series(folder, scanners.two_part_protocol())
    return load_quietly(folder)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """The three planes of the head written head first, supine, by the book."""
    folder = tmp_path_factory.mktemp("reference")
    volume = ctlib.load_series(scanners.write_series(folder, scanners.even(count=25)))
    return {f"{p} {k}": ctlib.reformat(volume, p, k)[0] for p, k in sorted(PLANES)}


class TestVariableSpacing:
    """A two-part protocol: 4 mm through the posterior fossa, then 7 mm (nothing missing)."""

    def test_true_positions(self, volume: ctlib.Volume) -> None:
        np.testing.assert_allclose(volume.positions[:, 2], scanners.two_part_protocol().z)
        assert not volume.uniform
        assert volume.steps.round(3).tolist() == [4.0] * 9 + [7.0] * 12

    def test_warning_names_a_protocol_change_not_a_gap(self, tmp_path: Path) -> None:
        scanners.write_series(tmp_path, scanners.two_part_protocol())
        with pytest.warns(ctlib.SeriesWarning) as caught:
            ctlib.load_series(tmp_path)
        message = str(caught[0].message)
        assert "from IM00010 on: slices 7 mm apart instead of 4 mm" in message
        assert "thickness 4 → 7 mm" in message and "nothing missing" in message
        assert "missing" not in message.replace("nothing missing", "")
        assert "gap" not in message

    def test_affine_refuses_and_says_what_to_do(self, volume: ctlib.Volume) -> None:
        with pytest.raises(ctlib.CtlibError, match=r"4 mm for slices 0–9, 7 mm for slices "
                           r"9–21.*ctlib.resample"):
            volume.affine  # noqa: B018 - the property raises

    def test_resample_keeps_the_true_extent(self, volume: ctlib.Volume) -> None:
        even = ctlib.resample(volume)
        assert even.uniform and even.spacing[0] == pytest.approx(4.0)
        assert even.positions[0, 2] == -60.0 and even.positions[-1, 2] == pytest.approx(60.0)
        assert even.hu.shape[0] == 31
        # The marker (600 HU, centre z = 35 mm) is where the affine says it is.
        k, i, j = np.argwhere(even.hu > 1100).mean(axis=0)
        at = even.affine @ [k, i, j, 1]
        np.testing.assert_allclose(at[:3], MARKER, atol=2.5)
        # Resampled slices that fall on an original slice are that slice.
        original = {round(z, 3): k for k, z in enumerate(volume.positions[:, 2])}
        for m, z in enumerate(even.positions[:, 2]):
            if round(z, 3) in original:
                np.testing.assert_array_equal(even.hu[m], volume.hu[original[round(z, 3)]])
        with pytest.raises(ctlib.ArgumentError, match="positive number"):
            ctlib.resample(volume, spacing=0)

    def test_reformat_is_not_squashed(self, volume: ctlib.Volume) -> None:
        """The coronal view spans the series' true 120 mm, not slices × the usual step."""
        image, aspect = ctlib.reformat(volume, "coronal", CORONAL_AT_MARKER)
        height_mm = (image.shape[0] - 1) * aspect * volume.pixel_spacing[1]
        assert height_mm == pytest.approx(120.0)
        # The marker's height in the image matches its z (the top row is z = 60 mm).
        row = marker_centre(image)[0]
        z = 60.0 - row * aspect * volume.pixel_spacing[1]
        assert z == pytest.approx(MARKER[2], abs=3.0)


class TestPatientPositions:
    """The same anatomy written eight ways shows the same, radiologically oriented, pictures."""

    GEOMETRIES: ClassVar[list[tuple[str, bool]]] = [(p, t) for p in scanners.POSITIONS
                                                    for t in (False, True)]

    @pytest.mark.parametrize(("position", "transpose"), GEOMETRIES,
                             ids=[f"{p}{'-transposed' if t else ''}" for p, t in GEOMETRIES])
    def test_same_pictures(self, tmp_path: Path, reference: dict[str, np.ndarray],
                           position: str, transpose: bool) -> None:
        files = scanners.write_series(tmp_path, scanners.even(count=25),
                                      patient_position=position, transpose=transpose)
        volume = ctlib.load_series(files[::-1])  # the order given does not matter
        assert volume.positions[0, 2] < volume.positions[-1, 2]  # feet first in the stack
        for plane, index in sorted(PLANES):
            image, aspect = ctlib.reformat(volume, plane, index)  # type: ignore[arg-type]
            np.testing.assert_array_equal(image, reference[f"{plane} {index}"],
                                          err_msg=f"{position} {plane} {index}")
            assert aspect == pytest.approx(5.0 / 4.0 if plane != "axial" else 1.0)
        shown = show(volume, window="bone")  # the viewer turns a Volume the same way
        np.testing.assert_array_equal(shown.volume[19], reference["axial 19"])

    def test_reference_is_radiological(self, reference: dict[str, np.ndarray]) -> None:
        """Checked against the anatomy: anterior up, the patient's right on the image left,
        head up; sagittal seen from the left (anterior on the left)."""
        size = 48
        nose_rows = np.nonzero((reference["axial 12"] == 60).any(axis=1))[0]
        assert nose_rows.size and nose_rows.max() < size // 4  # the nose at the top
        row, col = marker_centre(reference["axial 19"])  # right front: upper left
        assert row < size / 2 and col < size / 2
        for plane in (f"coronal {CORONAL_AT_MARKER}", f"sagittal {SAGITTAL_AT_MARKER}"):
            row, col = marker_centre(reference[plane])
            assert row < reference[plane].shape[0] / 2, plane  # head up
            assert col < size / 2, plane  # right (coronal) / anterior (sagittal): on the left
        nose = np.nonzero((reference["sagittal 24"] == 60).any(axis=0))[0]
        assert nose.size and nose.max() < size // 4  # sagittal: the face on the left

    def test_index_out_of_range(self, tmp_path: Path) -> None:
        volume = ctlib.load_series(scanners.write_series(tmp_path, scanners.even(count=5)))
        for plane, index in (("axial", 5), ("axial", -1), ("coronal", 48), ("sagittal", 2.0)):
            with pytest.raises(ctlib.ArgumentError, match=r"outside the .* planes .* from 0 to"):
                ctlib.reformat(volume, plane, index)  # type: ignore[arg-type]
        with pytest.raises(ctlib.ArgumentError, match="unknown plane"):
            ctlib.reformat(volume, "oblique")  # type: ignore[arg-type]


class TestStepsAndPlanes:
    """The helpers that describe a stack's steps and a plane's tilt (ctlib.volume)."""

    def test_step_runs_split_a_two_part_protocol(self) -> None:
        steps = np.array([4.0] * 9 + [7.0] * 12)
        assert step_runs(steps) == [(4.0, 0, 9), (7.0, 9, 21)]
        assert describe_steps(steps) == "4 mm for slices 0–9, 7 mm for slices 9–21"

    def test_step_runs_ignore_rounding_in_the_header(self) -> None:
        """Positions written to 0.01 mm give steps within 1 % of each other: one run."""
        steps = np.diff(np.round(-94.333 + np.arange(30) * 5.0033, 2))
        assert len(step_runs(steps)) == 1

    def test_many_runs_are_summarised(self) -> None:
        steps = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        assert describe_steps(steps).endswith("and 2 more")

    @pytest.mark.parametrize("degrees", [0.0, 12.0, 25.0])
    def test_plane_tilt_is_the_gantry_angle(self, degrees: float) -> None:
        t = np.radians(degrees)
        orientation = [1, 0, 0, 0, np.cos(t), -np.sin(t)]
        assert float(plane_tilt_deg(orientation)) == pytest.approx(degrees)

    def test_localizer_planes_are_90_degrees_and_missing_ones_nan(self) -> None:
        tilts = plane_tilt_deg([[0, 1, 0, 0, 0, -1], [1, 0, 0, 0, 0, -1], [np.nan] * 6])
        assert tilts[:2] == pytest.approx([90.0, 90.0]) and np.isnan(tilts[2])
