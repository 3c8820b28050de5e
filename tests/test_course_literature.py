"""The literature table, and the notebooks' numbers checked against it.

Every HU range a notebook's markdown writes ("60–80 HU", "−100 to −50 HU") and
every RSNA image count ("752,803 images") must be a value of
:mod:`ctlib.course.literature`, or be printed by a code cell of the same notebook (what
the data determine), or be listed in :data:`ALLOWED` below with the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import cells

import ctlib
from ctlib.course import literature
from ctlib.course.literature import FACTS, Fact
from ctlib.rsna import SUBTYPES

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))

REQUIRED_KEYS = {
    "air", "fat", "water", "csf", "white_matter", "gray_matter", "gm_wm_contrast",
    "blood_hyperacute", "blood_acute", "blood_acute_retracted",
    "blood_subacute_isodense_weeks", "subacute_fall_hu_per_day", "blood_chronic",
    "sdh_acute_first_hours", "anaemia_haematocrit", "calcification", "bone_cortical",
    "diploe", "scalp", "edema", "brain_noise_sd", "midline_shift_significant_mm",
    "rsna_stage1_train_images", "rsna_stage2_train_images", "rsna_stage2_test_images",
    "rsna_all_images",
}

#: HU ranges a notebook may write that are not literature values, each with its reason.
#: Window edges need no entry: those of every preset in ctlib.PRESETS and
#: ctlib.ALTERNATIVE_PRESETS are allowed (see _window_edges).
ALLOWED: dict[tuple[float, float], str] = {
    (-1024, 3071): "what 12 bits hold with intercept -1024: the classic CT number scale",
}

_NUMBER = r"[−-]?\d[\d,]*(?:\.\d+)?"
#: "60–80 HU", "60-80 HU", "−100 to −50 HU"; not part of a longer number or a C/W pair.
RANGE = re.compile(rf"(?<![\w.,/−-])({_NUMBER})\s*(?:–|—|-|to)\s*({_NUMBER})\s*HU\b")
#: "752,803 images", "674,258 training images", "121,232 test images".
COUNT = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+)(?=\s+(?:[A-Za-z-]+\s+){0,2}images\b)")
OUTPUT_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _value(written: str) -> float:
    """'−1,024' -> -1024.0."""
    return float(written.replace("−", "-").replace(",", ""))


def _window_edges() -> set[tuple[float, float]]:
    windows = [*ctlib.PRESETS.values(), *ctlib.ALTERNATIVE_PRESETS]
    return {(w.low, w.high) for w in windows}


def _literature_ranges() -> dict[tuple[float, float], str]:
    return {(f.low, f.high): f.key for f in FACTS.values()
            if f.unit == "HU" and f.high is not None}


def _literature_counts() -> dict[float, str]:
    return {f.low: f.key for f in FACTS.values() if f.unit == "images"}


@dataclass(frozen=True)
class Written:
    """A number written in a markdown cell."""

    notebook: str
    cell: int
    cell_id: str
    written: str
    context: str

    def where(self) -> str:
        return f"{self.notebook}, cell {self.cell} (markdown, id {self.cell_id})"


def _printed_outputs(path: Path) -> list[set[float]]:
    """The numbers each code cell's outputs show, one set per output."""
    sets = []
    for cell in cells(path):
        if cell["cell_type"] != "code":
            continue
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            data = output.get("data", {})
            texts += [data.get("text/plain", ""), data.get("text/html", "")]
            joined = "".join("".join(t) if isinstance(t, list) else t for t in texts)
            sets.append({_value(n) for n in OUTPUT_NUMBER.findall(joined)
                         if n.replace(",", "").replace("-", "").replace(".", "")})
    return sets


def _written(path: Path, pattern: re.Pattern[str]) -> list[tuple[Written, re.Match[str]]]:
    found = []
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for match in pattern.finditer(source):
            context = source[max(0, match.start() - 100):match.end() + 60].replace("\n", " ")
            found.append((Written(path.name, index, cell.get("id", "?"), match.group(0),
                                  context), match))
    return found


def _printed(numbers: tuple[float, ...], outputs: list[set[float]]) -> bool:
    return any(set(numbers) <= printed for printed in outputs)


def _nearby_facts(low: float, high: float) -> str:
    near = [f for f in FACTS.values() if f.unit == "HU" and f.high is not None
            and f.low <= high and low <= f.high]
    return ", ".join(f"{f.key} = {literature.text(f.key)}" for f in near) or "none overlaps"


def unsourced_numbers(path: Path) -> list[str]:
    """Problems with the HU ranges and RSNA counts in one notebook's markdown."""
    outputs = _printed_outputs(path)
    ranges, counts = _literature_ranges(), _literature_counts()
    edges = _window_edges()
    problems = []
    for item, match in _written(path, RANGE):
        low, high = _value(match.group(1)), _value(match.group(2))
        if (low, high) in ranges or (low, high) in edges or (low, high) in ALLOWED:
            continue
        if _printed((low, high), outputs):
            continue
        problems.append(
            f"{item.where()}: {item.written!r} is neither a value of ctlib.course.literature nor "
            f"printed by this notebook's code (…{item.context}…). Overlapping literature "
            f"values: {_nearby_facts(low, high)}. Write one of those (or show it with "
            "literature.text(key)), print the measured value from the data, or, for a "
            "window's edges or another deliberate range, add it to ALLOWED in "
            "tests/test_literature.py with the reason."
        )
    for item, match in _written(path, COUNT):
        count = _value(match.group(1))
        if count in counts:
            key = counts[count]
            if key != "rsna_all_images" and "stage" not in item.context.lower():
                problems.append(
                    f"{item.where()}: {item.written!r} is the {key} count; say which stage "
                    f"it is (…{item.context}…): {literature.fact(key).what}."
                )
            continue
        if _printed((count,), outputs):
            continue
        problems.append(
            f"{item.where()}: {item.written!r} is not an RSNA count of ctlib.course.literature "
            f"({', '.join(literature.text(k) + ' = ' + k for k in counts.values())}) nor "
            f"printed by this notebook's code (…{item.context}…)."
        )
    return problems


class TestTable:
    """ctlib.course.literature's invariants."""

    def test_required_keys(self) -> None:
        """Every key the notebooks and tests use is there, and each entry knows its key."""
        assert REQUIRED_KEYS <= set(FACTS)
        for key, item in FACTS.items():
            assert item.key == key
            assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key

    def test_read_only(self) -> None:
        """Nobody changes a value at run time."""
        with pytest.raises(TypeError):
            FACTS["blood_acute"] = FACTS["air"]  # type: ignore[index]

    def test_full_citations(self) -> None:
        """Every source names a year and more than an author: no 'Nakamura 2019' alone."""
        for item in FACTS.values():
            assert re.search(r"(19|20)\d\d", item.source), item.key
            assert len(item.source) >= 60, (item.key, item.source)
            assert item.what, item.key

    @pytest.mark.parametrize(
        ("key", "written"),
        [("blood_acute", "60–80 HU"), ("air", "−1000 HU"), ("fat", "−100 to −50 HU"),
         ("rsna_stage1_train_images", "674,258 images"), ("calcification", "> 100 HU"),
         ("subacute_fall_hu_per_day", "≈ 1.5 HU per day"),
         ("blood_subacute_isodense_weeks", "1–3 weeks")],
    )
    def test_text(self, key: str, written: str) -> None:
        """En dash, minus sign, unit, thousands separators for counts."""
        assert literature.text(key) == written

    def test_blood_in_order(self) -> None:
        """Unclotted < clotted ≤ retracted clot; chronic below hyperacute; calcification above all."""
        f = literature.fact
        assert f("blood_hyperacute").high <= f("blood_acute").low
        assert f("blood_acute").high == f("blood_acute_retracted").low
        assert f("blood_chronic").high < f("blood_hyperacute").low
        assert f("calcification").low >= f("blood_acute_retracted").high
        assert f("sdh_acute_first_hours").high <= f("blood_acute_retracted").high

    def test_tissues_in_order(self) -> None:
        """Air < fat < water ≤ CSF < white < grey matter; diploë below cortical bone."""
        f = literature.fact
        assert f("air").low < f("fat").low < f("fat").high < f("water").low <= f("csf").low
        assert f("csf").high <= f("white_matter").low
        assert f("white_matter").high < f("gray_matter").low
        assert f("diploe").high <= f("bone_cortical").low

    def test_rsna_counts_add_up(self) -> None:
        """Stage 2 train + stage 2 test = all; stage 1 train is part of stage 2 train."""
        f = literature.fact
        assert f("rsna_stage2_train_images").low + f("rsna_stage2_test_images").low == \
            f("rsna_all_images").low
        assert f("rsna_stage1_train_images").low < f("rsna_stage2_train_images").low
        stage1 = f("rsna_stage1_train_images").low
        for group in (("bits_stored_16", "bits_stored_12"), ("signed", "unsigned"),
                      ("intercept_minus_1024", "intercept_minus_1000", "intercept_0",
                       "intercept_1"), ("no_hemorrhage", "any")):
            assert sum(f(f"rsna_stage1_{name}").low for name in group) == stage1, group
        assert all(f(f"rsna_stage1_{name}").low < f("rsna_stage1_any").low for name in SUBTYPES)

    def test_unknown_key(self) -> None:
        """A ctlib error that lists the keys."""
        with pytest.raises(ctlib.ArgumentError, match="Known keys: air, water"):
            literature.fact("fresh_blood")
        with pytest.raises(ctlib.CtlibError, match="did you mean blood_acute"):
            literature.text("blood_acut")

    def test_table(self) -> None:
        """One row per fact, its value as text() writes it."""
        frame = literature.table()
        assert list(frame.index) == list(FACTS)
        assert frame.loc["blood_hyperacute", "value"] == "35–50 HU"
        assert frame["source"].str.len().min() >= 60

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [((80, 60), "above high"), ((float("nan"), None), "finite"), ((1, 2, ">"), "bound")],
    )
    def test_bad_fact(self, arguments: tuple, message: str) -> None:
        """Reversed ranges, NaN, a bound on a range: refused with the reason."""
        low, high, *bound = arguments
        with pytest.raises(ctlib.ArgumentError, match=message):
            Fact("x", low, high, "HU", "what", "source", *bound)


class TestScanner:
    """The notebook scan finds what it should, and only that."""

    def test_patterns(self) -> None:
        """Ranges in both spellings, negative numbers, counts before 'images'."""
        text = ("blood (60–80 HU), fat −100 to −50 HU, 5-10 HU apart, C 40/80, "
                "752,803 training images, 25,000 exams")
        assert [m.group(0) for m in RANGE.finditer(text)] == \
            ["60–80 HU", "−100 to −50 HU", "5-10 HU"]
        assert [m.group(1) for m in COUNT.finditer(text)] == ["752,803"]

    def test_reports_notebook_and_cell(self, tmp_path: Path) -> None:
        """A wrong range and an unnamed stage are reported with the notebook and the cell."""
        nb = {"cells": [
            {"cell_type": "markdown", "id": "a1", "source": ["Acute blood: 60–100 HU."]},
            {"cell_type": "markdown", "id": "b2", "source": ["It has 674,258 images."]},
            {"cell_type": "markdown", "id": "c3", "source": ["Measured: 12–14 HU."]},
            {"cell_type": "code", "id": "d4", "source": [], "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["from 12 to 14\n"]}]},
        ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        path = tmp_path / "09_example.ipynb"
        path.write_text(json.dumps(nb))
        problems = unsourced_numbers(path)
        assert len(problems) == 2, problems
        assert problems[0].startswith("09_example.ipynb, cell 0 (markdown, id a1): '60–100 HU'")
        assert "blood_acute = 60–80 HU" in problems[0]
        assert problems[1].startswith("09_example.ipynb, cell 1") and "which stage" in problems[1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_numbers_are_sourced(path: Path) -> None:
    """HU ranges and RSNA counts in markdown come from ctlib.course.literature or the notebook's code."""
    problems = unsourced_numbers(path)
    assert not problems, "\n".join(problems)
