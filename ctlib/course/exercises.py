"""Checking the notebooks' exercises: ✓ or a hint, never the answer.

Each exercise has an identifier such as ``"02.1"`` (notebook 02, exercise 1).
Its expected answer is *computed* from the data when checked, so the
notebooks hold no answer key; :func:`check` prints ✓ with a short
confirmation, or ✗ with a hint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ctlib.course import literature
from ctlib.course.data import open_data
from ctlib.crop import series_box
from ctlib.errors import DicomError
from ctlib.hu import has_wrong_pixel_representation, to_hu
from ctlib.metrics import weighted_log_loss
from ctlib.reading import read
from ctlib.rsna import read_labels
from ctlib.series import load_series
from ctlib.window import PRESETS, preset, window

__all__ = ["EXERCISES", "check"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to get the expected answer, how close is close enough, a hint."""

    expected: Callable[[], Any]
    hint: str
    tolerance: float = 0.0
    confirm: str = ""
    #: For answers that are not a value to compare (a point, a set, a function the learner
    #: wrote): called as ``judge(answer, expected)`` instead of the tolerance comparison.
    judge: Callable[[Any, Any], bool] | None = None


def _data() -> Any:
    return open_data()


def _synthetic() -> Any:
    """The synthetic set, even when CTLIB_DATA names real data: the reading exercises of
    notebooks 04–07 measure on its tissue and lesion maps, which real scans do not have."""
    return open_data("synthetic")


def _header(sop: str, data: Any = None) -> Any:
    return read((_data() if data is None else data).path(sop), header_only=True)


def _window_edges(name: str) -> tuple[float, float]:
    """(low, high) of a preset: center ∓ width / 2, from ctlib's own table."""
    win = preset(name)  # read from the table when checked: an edited preset is followed
    return (win.center - win.width / 2, win.center + win.width / 2)


def _step_along_normal(name: str) -> float:
    """The median step between neighbouring slices along the normal, from the headers alone."""
    data = _data()
    positions, normal = [], None
    for path in (data.path(sop) for sop in data.series(name)["files"]):
        header = read(path, header_only=True)  # a truncated file still has its header
        cosines = np.array(header.ImageOrientationPatient, dtype=float)
        normal = np.cross(cosines[:3], cosines[3:]) if normal is None else normal
        positions.append(np.array(header.ImagePositionPatient, dtype=float) @ normal)
    return float(np.median(np.diff(np.sort(positions))))


def _key(name: str) -> str:
    return str(_data().key_slice(name)[0])


def _mean_hu_in(series: str, code: int, kind: str, data: Any = None) -> float:
    # Imported when an answer is checked: these pull in scipy.ndimage, which `import ctlib` must not pay
    # for (tests/test_layout.py lists the imports allowed inside functions).
    from ctlib.course.measure import mean_hu

    data = _data() if data is None else data
    sop, index = data.key_slice(series)
    hu = to_hu(read(data.path(sop)))
    mask = data.masks(series)[kind][index] == code
    return mean_hu(hu, mask)


def _edh_hu_diff() -> float:
    data = _synthetic()  # notebook 05 reads the synthetic set
    return (_mean_hu_in("epidural-swirl", 1, "lesion", data)
            - _mean_hu_in("epidural-swirl", 8, "tissue", data))


def _unreadable() -> int:
    count = 0
    for path in _data().files():
        try:
            read(path)
        except DicomError:
            count += 1
    return count


def _where(key: str) -> Any:
    """Where a reading exercise looks: `ctlib.course.lessons.EXERCISE_SERIES`."""
    # Imported when an answer is checked: these pull in scipy.ndimage, which `import ctlib` must not pay
    # for (tests/test_layout.py lists the imports allowed inside functions).
    from ctlib.course.lessons import EXERCISE_SERIES

    return EXERCISE_SERIES[key]


def _metric_by_hand() -> float:
    from ctlib.course.challenge import metric_example  # scikit-learn and pandas: when checked

    return weighted_log_loss(*metric_example())


def _first_slice_25d() -> Any:
    """The 2.5D input (context 1, brain window) of the first slice of 'subdural-acute'.

    Computed from the files, not read from the notebook's cache: it also checks the cache.
    """
    from ctlib.course.challenge import NOTEBOOK_SIZE
    from ctlib.inputs import model_input, neighbours

    volume = load_series(_data().series_files("subdural-acute"))
    picks = neighbours(len(volume.hu), 0, context=1)
    box = series_box(volume.hu)  # as ctlib.prepare crops: one box for the series
    return np.stack([model_input(volume.hu[k], ["brain"], size=NOTEBOOK_SIZE, box=box)[0]
                     for k in picks])


def _judge_stack(answer: Any, expected: Any) -> bool:
    """The cache's uint8 values, or the same divided by 255 (as the cache's inputs are)."""
    values = np.asarray(answer)
    if values.shape != expected.shape:
        return False
    if values.dtype == np.uint8:
        return bool(np.array_equal(values, expected))
    return bool(np.allclose(values, expected / 255, atol=1e-6))


def _test_images_of_training_patients() -> int:
    """Test images of the hurried series-level split whose patient has training images too."""
    from ctlib.course.challenge import series_level_split
    from ctlib.training import plan

    data = _data()
    todo = plan(data, images=[p.stem for p in data.files()], progress=False)
    split = series_level_split(todo)
    patients = todo.set_index("image").loc[split.index, "patient"]
    in_training = set(patients[split == "train"])
    return int(((split == "test") & patients.isin(in_training)).sum())


def _shift_mm() -> float:
    # Imported when an answer is checked: these pull in scipy.ndimage, which `import ctlib` must not pay
    # for (tests/test_layout.py lists the imports allowed inside functions).
    from ctlib.course.lessons import EXERCISE_SERIES, frontal_horns
    from ctlib.course.signs import midline_shift

    series = EXERCISE_SERIES["shift"]
    masks = _synthetic().masks(series)
    k = frontal_horns(masks["tissue"], masks["lesion"])
    pixel = float(_header(_synthetic().series(series)["files"][k], _synthetic()).PixelSpacing[0])
    return abs(midline_shift(masks["tissue"][k], masks["lesion"][k], pixel_mm=pixel).shift_mm)


def _thickness_mm() -> float:
    # Imported when an answer is checked: these pull in scipy.ndimage, which `import ctlib` must not pay
    # for (tests/test_layout.py lists the imports allowed inside functions).
    from ctlib.course.lessons import EXERCISE_SERIES
    from ctlib.course.lessons.view import SUBDURAL
    from ctlib.course.signs import collection_thickness

    series = EXERCISE_SERIES["thickness"]
    sop, k = _synthetic().key_slice(series)
    pixel = float(_header(sop, _synthetic()).PixelSpacing[0])
    return collection_thickness(_synthetic().masks(series)["lesion"][k] == SUBDURAL,
                                pixel_mm=pixel).thickness_mm


def _level_of_exercise() -> str:
    return str(_where("level")[1])


def _judge_bleed(answer: Any, expected: Any) -> bool:
    """A (slice, row, column) within 3 pixels of blood on that slice of the series."""
    import numpy as np

    try:
        k, row, col = (round(float(x)) for x in answer)
    except (TypeError, ValueError):
        return False
    lesion = _synthetic().masks(_where("find"))["lesion"]
    if not 0 <= k < len(lesion):
        print(f"This series has slices 0 to {len(lesion) - 1}.")
        return False
    near = lesion[k][max(row - 3, 0):row + 4, max(col - 3, 0):col + 4]
    if np.any(near > 0):
        return True
    if not lesion[k].any():
        print(f"Slice {k} has no blood: look at other slices first.")
    else:
        print(f"Slice {k} is right, but (row {row}, column {col}) is not on the blood.")
    return False


def _a_bleed(series: str) -> tuple[int, int, int]:
    """A point inside the blood of a series: the deepest, on the slice with the most."""
    import numpy as np
    from scipy import ndimage

    lesion = _synthetic().masks(series)["lesion"] > 0
    k = int(np.argmax(lesion.sum(axis=(1, 2))))
    depth = ndimage.distance_transform_edt(lesion[k])
    r, c = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return k, int(r), int(c)


def _named(*aliases: str) -> Callable[[Any, Any], bool]:
    """A judge for a name: the expected one or one of its usual other names, any case."""
    def judge(answer: Any, expected: Any) -> bool:
        given = " ".join(str(answer).strip().lower().replace("_", " ").split())
        return given in {expected.lower(), *aliases}
    return judge


def _subtypes_of(series: str) -> set[str]:
    labels = read_labels(_synthetic().labels_csv)
    files = _synthetic().series(series)["files"]
    positive = labels.loc[labels.index.intersection(files)].drop(columns="any").any()
    return {str(name) for name, yes in positive.items() if yes}


def _judge_subtypes(answer: Any, expected: Any) -> bool:
    if isinstance(answer, str):
        answer = [answer]
    try:
        given = {str(a).strip().lower() for a in answer}
    except TypeError:
        return False
    return bool(given == expected)


def _blood_or_calcification() -> list[str]:
    """What lies under exercise 06.2's letters A and B, from the maps."""
    # Imported when an answer is checked: these pull in scipy.ndimage, which `import ctlib` must not pay
    # for (tests/test_layout.py lists the imports allowed inside functions).
    from ctlib.course.lessons import EXERCISE_SERIES, exercise_point

    series, _ = EXERCISE_SERIES["blood-or-calcification"]
    lesion = _synthetic().masks(series)["lesion"]
    kinds = []
    for letter in ("A", "B"):
        k, r, c = exercise_point(_synthetic(), letter)
        kinds.append("blood" if lesion[k][r, c] > 0 else "calcification")
    return kinds


def _reference_to_hu(ds: Any) -> Any:
    """Exercise 02.3's reference: the Modality LUT alone (padding kept, nothing repaired)."""
    return to_hu(ds, padding="keep")


def _to_hu_cases() -> list[tuple[str, Any]]:
    """(description, data set) pairs exercise 02.3 is checked on.

    A normal 16-bit file, the one whose intercept is −1000, a 12-bit unsigned one, and a
    copy of the first with RescaleSlope 0.5 (none of the course's files has a slope other
    than 1, but some scanners write one). Mislabelled files are left out: their repair is
    not the formula.
    """
    import copy
    from pathlib import Path

    data = _data()
    names = [s["name"] for s in data.manifest["series"]]
    quirks = data.manifest.get("quirks") or {}
    wanted = ["normal-calcified", *quirks.get("intercept_minus_1000", []), "normal-12bit"]
    cases = []
    for name in dict.fromkeys(n for n in wanted if n in names) or names[:1]:
        ds = read(data.path(data.key_slice(name)[0]))
        if not has_wrong_pixel_representation(ds):
            cases.append((f"{Path(ds.filename).name} of '{name}'", ds))
    scaled = copy.deepcopy(cases[0][1])
    scaled.RescaleSlope = 0.5
    cases.append((f"a copy of {cases[0][0]} with RescaleSlope 0.5", scaled))
    return cases


def _describe_rescale(ds: Any) -> str:
    """The header elements the conversion depends on, for a hint."""
    signed = "signed" if int(ds.PixelRepresentation) else "unsigned"
    return (f"BitsStored {ds.BitsStored}, {signed}, RescaleSlope {float(ds.RescaleSlope):g}, "
            f"RescaleIntercept {float(ds.RescaleIntercept):g}")


def _judge_to_hu(answer: Any, expected: Any) -> bool:
    """Run the learner's ``my_to_hu(ds)`` and the reference on each case; say where they differ."""
    import numpy as np

    if not callable(answer):
        return False
    for name, ds in _to_hu_cases():
        want = np.asarray(expected(ds), dtype=np.float64)
        got = np.asarray(answer(ds), dtype=np.float64)
        where = f"{name} ({_describe_rescale(ds)})"
        if got.shape != want.shape:
            print(f"On {where}: your function returned shape {got.shape}, the image is "
                  f"{want.shape}.")
            return False
        bad = ~(np.abs(got - want) <= 0.5)  # NaN counts as a difference
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            print(f"On {where}: at pixel (row {row}, column {col}) your function gives "
                  f"{got[row, col]:g} HU, ctlib.to_hu gives {want[row, col]:g} HU "
                  f"({int(bad.sum())} pixels differ).")
            return False
    return True


def _reference_window(hu: Any, center: float, width: float) -> Any:
    """Exercise 03.3's reference: LINEAR_EXACT in grey levels 0-255."""
    import numpy as np

    return window(hu, center, width, dtype=np.uint8)


def _judge_window(answer: Any, expected: Any) -> bool:
    """Compare ``my_window(hu, center, width)`` with the reference on every preset, edges included."""
    import numpy as np

    if not callable(answer):
        return False
    for w in PRESETS.values():
        edges = [w.low - 1, w.low, w.low + 0.5, w.center, w.high - 0.5, w.high, w.high + 1]
        hu = np.concatenate([np.arange(-1100.0, 3101.0, 10.0), edges]).reshape(-1, 1)
        want = np.asarray(expected(hu, w.center, w.width), dtype=np.float64)
        got = np.asarray(answer(hu.copy(), w.center, w.width), dtype=np.float64)
        name = f"the {w.name} window (C {w.center:g} / W {w.width:g})"
        if got.shape != want.shape:
            print(f"With {name}: your function returned shape {got.shape} for an input of "
                  f"shape {hu.shape}.")
            return False
        finite = got[np.isfinite(got)]
        if finite.size and finite.max() <= 1.0 < want.max():
            print(f"With {name}: your grey levels stay between 0 and 1; this exercise wants "
                  "0 (black) to 255 (white).")
            return False
        bad = ~(np.abs(got - want) <= 1.0)
        if bad.any():
            k = int(np.argmax(np.where(bad, np.abs(got - want), -1.0)))
            print(f"With {name}: at {hu[k, 0]:g} HU your function gives {got[k, 0]:.1f}, "
                  f"ctlib.window gives {want[k, 0]:.0f}.")
            return False
    return True


EXERCISES: dict[str, Exercise] = {
    "00.1": Exercise(
        lambda: len(_data().manifest["series"]),
        "Each entry of data.manifest['series'] is one series; count them with len().",
        confirm="every series is one scan of one patient, a stack of slices.",
    ),
    "00.2": Exercise(
        lambda: str(_header(_key("subdural-acute")).Modality),
        "The modality is element (0008,0060); read it as ds.Modality.",
        confirm="and only CT images have Hounsfield units.",
    ),
    "01.1": Exercise(
        lambda: str(_header(_key("subdural-acute")).Rows),
        "Rows is element (0028,0010); read the header with ctlib.read(..., header_only=True) "
        "and look at ds.Rows. Give it as a string or a number.",
        confirm="Rows × Columns is the matrix; pixel spacing turns it into millimetres.",
    ),
    "01.2": Exercise(
        lambda: len({s["patient_id"] for s in _data().manifest["series"]}),
        "Count distinct PatientID values, not series or files: one patient can have two studies.",
        confirm="fewer patients than series: one patient came back for a follow-up scan.",
    ),
    "02.1": Exercise(
        lambda: round(_mean_hu_in("normal-calcified", 6, "tissue")),
        "Take the key slice of 'normal-calcified', convert it with ctlib.to_hu, and average the "
        "pixels where the tissue mask equals Tissue.VENTRICLE (6). Round to a whole HU.",
        tolerance=1.0,
        confirm=f"CSF is close to water: {literature.text('csf')} in the literature.",
    ),
    "02.2": Exercise(
        lambda: float((3096 ^ 0x800) - 0x800),  # two's complement of 12 bits; slope 1, intercept 0
        "Sign-extend the 12-bit value 3096 (values from 2048 up are negative: subtract 4096), "
        "then apply slope 1 and intercept 0.",
        confirm="air. Read as unsigned it would have been +3096 HU, denser than bone.",
    ),
    "02.3": Exercise(
        lambda: _reference_to_hu,
        "Use each file's own (0028,1053) RescaleSlope and (0028,1052) RescaleIntercept, never "
        "fixed numbers, and turn the stored values into floating point before the arithmetic "
        "(section 6 shows why).",
        confirm="your function gives the HU of ctlib.to_hu on every file it was run on, "
        "whatever their slope and intercept.",
        judge=_judge_to_hu,
    ),
    "03.1": Exercise(
        lambda: _window_edges("stroke"),
        "A window spans center ± width / 2. Give (low, high) in HU.",
        confirm="everything below the low edge is black, above the high edge white.",
    ),
    "03.2": Exercise(
        lambda: "subdural",
        "Which preset is wide enough that acute blood (" + literature.text("blood_acute") + ") "
        "is not yet white while bone (diploë " + literature.text("diploe") + ", more in the "
        "tables) is? Answer with a preset name.",
        confirm="at 80/200 a thin blood layer stays grey while bone goes white.",
    ),
    "03.3": Exercise(
        lambda: _reference_window,
        "Check the edges: every value at or below C − W/2 must give 0, every value above "
        "C + W/2 must give 255, and nothing may fall outside 0–255.",
        confirm="that is DICOM's LINEAR_EXACT window, the default of ctlib.window, in 256 grey "
        "levels.",
        judge=_judge_window,
    ),
    "04.1": Exercise(
        lambda: _where("structure")[2],
        "Find the slice's level first (which ventricles does it cut?), then compare the place "
        "of X with the labelled figure of that level in section 2. Answer with one of the "
        "names in the question.",
        confirm="at this level the deep grey nuclei frame the internal capsule.",
        judge=_named("thalami", "the thalamus", "left thalamus", "right thalamus"),
    ),
    "04.2": Exercise(
        _level_of_exercise,
        "Go up from the bottom of the series: which cisterns and ventricles does this slice cut? "
        "Answer with one of the six level names.",
        confirm="the star of CSF in front of the midbrain gives this level away.",
    ),
    "04.3": Exercise(
        _shift_mm,
        "Draw the ideal midline from the falx's front attachment to its back one, find the "
        "septum between the frontal horns, and measure the distance perpendicular to the line "
        "in pixels; multiply by the pixel size in the title. Give millimetres.",
        tolerance=1.5,
        confirm="measured the way a report gives it: septum to ideal midline.",
    ),
    "05.1": Exercise(
        lambda: "epidural",
        "Lens-shaped, stops at the sutures, often with a fracture: which subtype? Use the RSNA "
        "name (lower case).",
        confirm="the dura is stripped from the skull, and it is fixed at the sutures.",
        judge=_named("epidural hematoma", "epidural haematoma", "edh", "extradural",
                     "extradural hematoma", "extradural haematoma"),
    ),
    "05.2": Exercise(
        lambda: round(_edh_hu_diff()),
        "Mean HU of the epidural mask minus mean HU of white matter (tissue code 8) on the key "
        "slice of 'epidural-swirl'. Round to a whole HU.",
        tolerance=3.0,
        confirm="a few dozen HU: that is all the contrast a window has to work with.",
    ),
    "05.3": Exercise(
        _thickness_mm,
        "A chronic collection is as dark as CSF: follow the inner table, then the brain's "
        "surface pushed away from it, find where the gap between them is widest, and count "
        "the pixels across it, perpendicular to the skull; times the pixel size in the title.",
        tolerance=2.0,
        confirm="the greatest thickness, the number a report gives (with the shift).",
    ),
    "06.1": Exercise(
        lambda: _a_bleed(_where("find")),
        "Scan the contact sheet for the slice with something brighter than brain, open that "
        "slice with row and column numbers, and give a point inside it as (slice, row, column).",
        confirm="found by looking, slice by slice, as a reader does.",
        judge=_judge_bleed,
    ),
    "07.1": Exercise(
        lambda: tuple(_blood_or_calcification()),
        "Measure the mean HU of a 3 × 3 square at each letter (hu[row-1:row+2, col-1:col+2]) "
        "and compare with the values section 1 gives for calcium and for blood. Answer as a "
        "pair, e.g. ('blood', 'blood').",
        confirm="measured, not guessed: calcification is well above 100 HU, blood below 100.",
    ),
    "06.2": Exercise(
        lambda: _subtypes_of(_where("subtypes")),
        "Read every slice with the search pattern (blood, cisterns, brain, ventricles, bone); "
        "give every subtype you see, as a list of RSNA names.",
        confirm="both, as the label file says: a thalamic bleed that opened into the ventricles.",
        judge=_judge_subtypes,
    ),
    "07.2": Exercise(
        lambda: round(literature.fact("rsna_stage1_subdural").low
                      / literature.fact("rsna_stage1_epidural").low, 1),
        "Divide the number of subdural images by the number of epidural images of the RSNA "
        "stage-1 training set (section 3's table gives the percentages; their ratio is the same).",
        tolerance=0.3,
        confirm="a model sees one epidural for every fifteen subdurals: rare classes need care.",
    ),
    "08.1": Exercise(
        lambda: _step_along_normal("normal-tilted"),
        "Project each ImagePositionPatient on the slice normal (cross product of the two "
        "ImageOrientationPatient directions) and take the difference between neighbours.",
        tolerance=0.01,
        confirm="the true spacing along the normal, even in the tilted series where z steps are "
        "longer.",
    ),
    "08.2": Exercise(
        _unreadable,
        "Read every file with ctlib.read inside try/except ctlib.DicomError and count the failures.",
        confirm="a data-quality audit finds it before a training run does.",
    ),
    "09.1": Exercise(
        _metric_by_hand,
        "Use the formula of section 5 on the two rows: one binary log loss per image and label, "
        "weighted, then the weighted mean.",
        tolerance=1e-3,
        confirm="the challenge's score; ctlib.metrics.weighted_log_loss(y, p) gives the same.",
    ),
    "09.2": Exercise(
        _first_slice_25d,
        "Keep channel 1 (brain) of the series' array, and stack the slices below, at and above "
        "slice 0. What lies below slice 0?",
        confirm="at the edge of a series the end slice is repeated, so every input has three "
        "slices.",
        judge=_judge_stack,
    ),
    "09.3": Exercise(
        _test_images_of_training_patients,
        "Map each image of the split to its patient (todo's 'patient' column), find the "
        "patients with training images, and count the test images that belong to them.",
        confirm="a follow-up scan of a training patient sits in the test set: those images "
        "have near-copies in training. Split by patient.",
    ),
}


def check(exercise: str, answer: Any) -> bool:
    """Check an answer; print ✓ or a hint. Returns whether it is right.

    Parameters
    ----------
    exercise : str
        The exercise's identifier, e.g. ``"03.1"``.
    answer : Any
        Your answer; ``...`` (Ellipsis) means "not answered yet".

    Returns
    -------
    bool

    Examples
    --------
    >>> check("03.1", ...)
    ✗ Not answered yet: replace ... with your answer. Hint: A window spans center ± width / 2. Give (low, high) in HU.
    False
    >>> check("03.1", (20, 60))
    ✓ Correct: everything below the low edge is black, above the high edge white.
    True
    """
    item = EXERCISES[exercise]
    if answer is Ellipsis:
        print(f"✗ Not answered yet: replace ... with your answer. Hint: {item.hint}")
        return False
    expected = item.expected()
    if isinstance(expected, float) and math.isnan(expected):
        print("✗ This exercise measures inside the synthetic set's masks, and this data set has "
              "none: run it on the synthetic set (unset CTLIB_DATA).")
        return False
    if item.judge is not None:
        try:
            ok = bool(item.judge(answer, expected))
        except Exception as error:  # noqa: BLE001 (a learner's function may fail in any way)
            print(f"✗ Your answer raised {type(error).__name__}: {error}. Hint: {item.hint}")
            return False
    else:
        ok = _matches(answer, expected, item.tolerance)
    if ok:
        print(f"✓ Correct: {item.confirm}" if item.confirm else "✓ Correct.")
    else:
        print(f"✗ Not yet. Hint: {item.hint}")
    return ok


def _matches(answer: Any, expected: Any, tolerance: float) -> bool:
    """Compare numbers (with tolerance), sequences item by item, and text without case."""
    if isinstance(expected, str):
        return str(answer).strip().lower() == expected.lower()
    if isinstance(expected, tuple):
        try:
            items = list(answer)
        except TypeError:
            return False
        return len(items) == len(expected) and all(
            _matches(a, e, tolerance) for a, e in zip(items, expected, strict=True)
        )
    try:
        return bool(abs(float(answer) - float(expected)) <= tolerance + 1e-9)
    except (TypeError, ValueError):
        return False

