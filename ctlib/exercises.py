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

__all__ = ["check", "EXERCISES"]


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
    from ctlib.data import open_data

    return open_data()


def _header(sop: str) -> Any:
    from ctlib.reading import read

    return read(_data().path(sop), header_only=True)


def _key(name: str) -> str:
    return str(_data().key_slice(name)[0])


def _mean_hu_in(series: str, code: int, kind: str) -> float:
    from ctlib.hu import to_hu
    from ctlib.measure import mean_hu
    from ctlib.reading import read

    data = _data()
    sop, index = data.key_slice(series)
    hu = to_hu(read(data.path(sop)))
    mask = data.masks(series)[kind][index] == code
    return mean_hu(hu, mask)


def _edh_hu_diff() -> float:
    return _mean_hu_in("epidural-swirl", 1, "lesion") - _mean_hu_in("epidural-swirl", 8, "tissue")


def _unreadable() -> int:
    from ctlib.errors import DicomError
    from ctlib.reading import read

    count = 0
    for path in _data().files():
        try:
            read(path)
        except DicomError:
            count += 1
    return count


EXERCISES: dict[str, Exercise] = {
    "00.1": Exercise(
        lambda: len(_data().manifest["series"]),
        "Each entry of data.manifest['series'] is one series; count them with len().",
        confirm="every series is one scan of one patient, a stack of slices.",
    ),
    "00.2": Exercise(
        lambda: "CT",
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
        confirm="CSF is close to water, 0-15 HU.",
    ),
    "02.2": Exercise(
        lambda: -1000.0,
        "Sign-extend the 12-bit value 3096 (values from 2048 up are negative: subtract 4096), "
        "then apply slope 1 and intercept 0.",
        confirm="air. Read as unsigned it would have been +3096 HU, denser than bone.",
    ),
    "03.1": Exercise(
        lambda: (20.0, 60.0),
        "A window spans center ± width / 2. Give (low, high) in HU.",
        confirm="everything below the low edge is black, above the high edge white.",
    ),
    "03.2": Exercise(
        lambda: "subdural",
        "Which preset has a width wide enough to keep blood (70 HU) from turning as white as "
        "bone (>700 HU)? Answer with a preset name.",
        confirm="at 80/200 a thin blood layer stays grey while bone goes white.",
    ),
    "05.1": Exercise(
        lambda: "epidural",
        "Lens-shaped, stops at the sutures, often with a fracture: which subtype? Use the RSNA "
        "name (lower case).",
        confirm="the dura is stripped from the skull, and it is fixed at the sutures.",
    ),
    "05.2": Exercise(
        lambda: round(_edh_hu_diff()),
        "Mean HU of the epidural mask minus mean HU of white matter (tissue code 8) on the key "
        "slice of 'epidural-swirl'. Round to a whole HU.",
        tolerance=3.0,
        confirm="a few dozen HU: that is all the contrast a window has to work with.",
    ),
    "06.1": Exercise(
        lambda: 5.0,
        "Project each ImagePositionPatient on the slice normal (cross product of the two "
        "ImageOrientationPatient directions) and take the difference between neighbours.",
        tolerance=0.01,
        confirm="5 mm along the normal, even in the tilted series where z steps are longer.",
    ),
    "06.2": Exercise(
        _unreadable,
        "Read every file with ctlib.read inside try/except ctlib.DicomError and count the failures.",
        confirm="a data-quality audit finds it before a training run does.",
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
        except Exception as error:  # a learner's function may fail in any way: say how
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

