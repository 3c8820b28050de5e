"""The reading lessons (notebooks 04–06): every arrow on its sign, every measurement right.

Each figure's marks are computed by ``ctlib.course.lessons`` from the data set's maps. These tests check
each mark against evidence read independently: the slice's pixels through pydicom's own Modality
LUT, and the maps straight from the ``.npz`` file, so a finder that drifts off its sign, or a
caption that names a sign the slice does not show, fails here.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from conftest import check_mark, pixels_hu, raw_maps
from scipy import ndimage

import ctlib
from ctlib.course import landmarks, lessons, signs

matplotlib.use("Agg")
import matplotlib.pyplot as plt

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
READING = sorted(NOTEBOOKS.glob("0[4567]_*.ipynb"))


@pytest.fixture(scope="module")
def data() -> ctlib.DataSet:
    return ctlib.open_data()


FIGURE_PANELS = [(name, i) for name, (_, panels) in lessons.FIGURES.items()
                 for i in range(len(panels))]


@pytest.mark.parametrize(("name", "panel"), FIGURE_PANELS, ids=lambda x: str(x))
def test_every_sign_is_on_its_slice(data: ctlib.DataSet, name: str, panel: int) -> None:
    """Each finder of a panel finds its sign (none is silently dropped), on the right pixels."""
    spec = lessons.FIGURES[name][1][panel]
    v = lessons.view(data, spec.series, spec.at)
    for find in spec.finders:
        mark = find(v)
        assert mark is not None, f"{name} panel {panel}: a sign was not found on slice {v.index}"
        check_mark(data, spec.series, v.index, mark)


@pytest.mark.parametrize(("name", "panel"), FIGURE_PANELS, ids=lambda x: str(x))
def test_measurements_drawn_are_possible(data: ctlib.DataSet, name: str, panel: int) -> None:
    """A panel that draws a shift or a thickness can measure it on its slice."""
    spec = lessons.FIGURES[name][1][panel]
    v = lessons.view(data, spec.series, spec.at)
    if spec.midline:
        shift = signs.midline_shift(v.tissue, v.lesion, pixel_mm=v.pixel_mm)
        assert abs(shift.shift_mm) < 15
    if spec.caliper is not None:
        assert signs.collection_thickness(v.lesion == spec.caliper,
                                          pixel_mm=v.pixel_mm).thickness_mm > 1


def test_effaced_sulci_are_open_on_the_other_side(data: ctlib.DataSet) -> None:
    """The 'no sulci' mark has no CSF within 6 mm; the convexity on the blood's side holds less
    than half the CSF of the other side at the same level; the 'sulci open' mark is CSF."""
    v = lessons.view(data, "subdural-acute", "frontal horns")
    mark = lessons.effaced(side=lessons.LEFT)(v)
    other = lessons.open_sulcus(side=lessons.RIGHT)(v)
    assert mark is not None and other is not None
    csf = v.tissue == landmarks.CSF
    far = ndimage.distance_transform_edt(~csf) * v.pixel_mm
    assert far[int(mark.row), int(mark.col)] > 6.0
    assert csf[int(other.row), int(other.col)]
    rows, cols = np.indices(csf.shape)
    ap, lr = v.frame.to_frame(rows.ravel(), cols.ravel())
    ap, lr = ap.reshape(csf.shape), lr.reshape(csf.shape)
    band = (np.abs(lr) > 0.5) & (np.abs(lr) < 0.95) & (np.abs(ap) < 0.5)
    left, right = int((csf & band & (lr > 0)).sum()), int((csf & band & (lr < 0)).sum())
    assert left < right / 2, (left, right)


@pytest.mark.parametrize("name", list(lessons.FIGURES))
def test_figures_are_large_enough(data: ctlib.DataSet, name: str) -> None:
    """Key panels at least 400 px wide, figures at 100 dpi or more."""
    fig = lessons.figure(data, name)
    try:
        assert fig.dpi >= 100
        fig.canvas.draw()
        for ax in fig.axes:  # the panels (insets are their children, not listed here)
            if ax.get_images():
                width = ax.get_window_extent().width / (1 + 2 * lessons.MARGIN)  # minus labels
                assert width >= 400, (name, width)
    finally:
        plt.close(fig)


def test_level_and_orientation_figures_are_large_enough(data: ctlib.DataSet) -> None:
    fig = lessons.orientation_figure(data)
    fig.canvas.draw()
    assert fig.dpi >= 100 and all(ax.get_window_extent().width >= 400 for ax in fig.axes)
    plt.close(fig)
    ax = lessons.level_figure(data, "normal-calcified", "third ventricle")
    assert ax.get_window_extent().width / (1 + 2 * lessons.MARGIN) >= 400
    plt.close(ax.figure)


def test_orientation_letters_follow_the_convention(data: ctlib.DataSet) -> None:
    """Axial: R on the left; coronal: R on the left, S on top; sagittal: A on the left."""
    fig = lessons.orientation_figure(data)
    for ax, (left, right, top, bottom) in zip(fig.axes, [("R", "L", "A", "P"), ("R", "L", "S", "I"),
                                                         ("A", "P", "S", "I")], strict=True):
        texts = {t.get_text(): t.get_position() for t in ax.texts}
        assert texts[left][0] < texts[right][0]
        assert texts[top][1] < texts[bottom][1]  # image rows grow downwards
    plt.close(fig)


def test_the_header_agrees_with_the_letters(data: ctlib.DataSet) -> None:
    """Rows run to the patient's left (+x), columns to posterior (+y): R on the left, A on top."""
    ds = ctlib.read(data.path(data.key_slice("normal-calcified")[0]), header_only=True)
    row, col = np.array(ds.ImageOrientationPatient[:3]), np.array(ds.ImageOrientationPatient[3:])
    assert row[0] > 0.9 and col[1] > 0.9


def test_notebooks_use_only_known_figures() -> None:
    used = set()
    for path in READING:
        text = path.read_text()
        used |= set(re.findall(r'lessons\.figure\(data, \\"([a-z-]+)\\"\)', text))
    assert used and used <= set(lessons.FIGURES)
    assert set(lessons.FIGURES) <= used, set(lessons.FIGURES) - used


@pytest.mark.parametrize("path", READING, ids=lambda p: p.stem)
def test_reading_notebook_images_are_large(path: Path) -> None:
    """Every image the reading lessons store is at least 400 pixels wide, at 100 dpi."""
    nb = json.loads(path.read_text())
    widths = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                head = base64.b64decode(png)[:24]
                widths.append(struct.unpack(">I", head[16:20])[0])
    assert widths and min(widths) >= 400, widths


class TestExercises:
    """The reading exercises: the right answer passes, near misses fail, hints say why."""

    def test_structure_and_level(self, data: ctlib.DataSet) -> None:
        assert ctlib.check("04.1", "Thalamus")
        assert not ctlib.check("04.1", "caudate head")
        assert ctlib.check("04.2", "suprasellar cistern")
        assert not ctlib.check("04.2", "posterior fossa")

    def test_shift(self, data: ctlib.DataSet) -> None:
        from ctlib.course.exercises import EXERCISES

        truth = EXERCISES["04.3"].expected()
        assert 3.0 < truth < 7.0
        assert ctlib.check("04.3", truth + 1.0)
        assert not ctlib.check("04.3", truth + 2.5)

    def test_thickness(self, data: ctlib.DataSet) -> None:
        from ctlib.course.exercises import EXERCISES

        truth = EXERCISES["05.3"].expected()
        assert 8.0 < truth < 20.0
        assert ctlib.check("05.3", truth - 1.5)
        assert not ctlib.check("05.3", truth / 2)

    def test_find_the_bleed(self, data: ctlib.DataSet, capsys: pytest.CaptureFixture[str]) -> None:
        lesion = raw_maps(data, "intraparenchymal-lobar")["lesion"]
        k = int(np.argmax((lesion > 0).sum(axis=(1, 2))))
        r, c = (int(x) for x in np.argwhere(lesion[k] > 0)[0])
        assert ctlib.check("06.1", (k, r, c))
        empty = int(np.argmin((lesion > 0).sum(axis=(1, 2))))
        assert not ctlib.check("06.1", (empty, r, c))
        assert f"Slice {empty} has no blood" in capsys.readouterr().out
        assert not ctlib.check("06.1", (k, 5, 5))
        assert not ctlib.check("06.1", "somewhere")

    def test_blood_or_calcification(self, data: ctlib.DataSet) -> None:
        k, ra, ca = lessons.exercise_point(data, "A")
        _, rb, cb = lessons.exercise_point(data, "B")
        hu = pixels_hu(data, "intraventricular-cast", k)
        assert hu[ra - 1:ra + 2, ca - 1:ca + 2].mean() > 100  # A is calcium by measurement
        assert 50 < hu[rb - 1:rb + 2, cb - 1:cb + 2].mean() < 100  # B is blood
        assert ctlib.check("07.1", ("calcification", "blood"))
        assert not ctlib.check("07.1", ("blood", "blood"))

    def test_subtypes(self, data: ctlib.DataSet) -> None:
        assert ctlib.check("06.2", ["Intraparenchymal", "intraventricular"])
        assert not ctlib.check("06.2", ["intraparenchymal"])
        assert not ctlib.check("06.2", "intraventricular")


def test_exercise_series_are_not_shown_in_the_lessons() -> None:
    """The reading exercises look at series no lesson figure has shown."""
    shown = {panel.series for _, panels in lessons.FIGURES.values() for panel in panels}
    for key in ("find", "subtypes"):
        assert lessons.EXERCISE_SERIES[key] not in shown
    assert lessons.EXERCISE_SERIES["shift"] not in {p.series for _, panels in lessons.FIGURES.values()
                                                    for p in panels if p.midline}
