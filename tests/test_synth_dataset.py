"""Tests of ctlib.synth.dataset: the recipe, determinism, composition and figures."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from ctlib.course.tissues import RSNA_SUBTYPES
from ctlib.synth import generate, load_recipe
from ctlib.synth.dataset import checksums

DATA = Path(__file__).resolve().parents[1] / "data"


class TestRecipe:
    """data/recipe.toml."""

    def test_loads(self) -> None:
        """Every series has a unique name, a split and a known encoding."""
        recipe = load_recipe()
        names = [e.spec.name for e in recipe.series]
        assert len(names) == len(set(names)) >= 15
        assert {e.split for e in recipe.series} == {"train", "test"}

    def test_every_subtype_in_several_variants(self) -> None:
        """Each subtype appears in at least two series."""
        recipe = load_recipe()
        for subtype in RSNA_SUBTYPES:
            series = [
                e for e in recipe.series if any(les["type"] == subtype for les in e.spec.lesions)
            ]
            assert len(series) >= 2, subtype

    def test_bad_encoding(self, tmp_path: Path) -> None:
        """A typo in the recipe is reported with the file and series."""
        bad = tmp_path / "recipe.toml"
        bad.write_text(
            'seed = 1\npositive_area_mm2 = 10.0\n[[series]]\nname = "x"\n'
            'patient = "P"\nsplit = "train"\nencoding = "signed15"\n'
        )
        with pytest.raises(ValueError, match="series 'x': unknown encoding 'signed15'"):
            load_recipe(bad)


class TestDeterminism:
    """Same recipe, same versions: the same bytes."""

    def test_identical_files(self, tmp_path: Path) -> None:
        """Two builds of a series are byte-identical; another seed is not."""
        recipe = load_recipe()
        first = generate(
            tmp_path / "a", recipe=recipe, workers=1, progress=False, only=["normal-460"]
        )
        generate(tmp_path / "b", recipe=recipe, workers=1, progress=False, only=["normal-460"])
        a, b = checksums(tmp_path / "a"), checksums(tmp_path / "b")
        assert a == b
        assert len(a) == first["images"] + 5  # + mask, labels, split, manifest, SHA256SUMS
        other = dataclasses.replace(recipe, seed=recipe.seed + 1)
        generate(tmp_path / "c", recipe=other, workers=1, progress=False, only=["normal-460"])
        c = checksums(tmp_path / "c")
        assert c["labels.csv"] != a["labels.csv"]


class TestComposition:
    """The full set looks like the real one in the ways that matter for learning."""

    def test_epidural_rarest_subdural_commonest(self) -> None:
        """As in RSNA 2019: epidural is the rarest subtype, subdural the commonest."""
        manifest = json.loads((DATA / "synthetic" / "manifest.json").read_text())
        counts = {n: manifest["positive_slices"][n] for n in RSNA_SUBTYPES}
        assert min(counts, key=counts.get) == "epidural"  # type: ignore[arg-type]
        assert max(counts, key=counts.get) == "subdural"  # type: ignore[arg-type]
        assert 400 <= manifest["images"] <= 1000
        assert 0 < manifest["positive_slices"]["any"] < manifest["images"] / 2

    def test_mass_effect_recorded(self) -> None:
        """Masses record the septum's shift as measured on their slices; normal heads ~0."""
        manifest = json.loads((DATA / "synthetic" / "manifest.json").read_text())
        shifts = {s["name"]: s["midline_shift_mm"] for s in manifest["series"]}
        assert shifts["subdural-acute"] > 3 and shifts["intraparenchymal-basal-ganglia"] > 3
        assert shifts["subdural-bilateral-isodense"] < 1.5  # blood on both sides: no shift
        assert all(shifts[s["name"]] < 1.5 for s in manifest["series"] if not s["lesions"])

    def test_readme_shifts_are_the_manifests(self) -> None:
        """data/README.md's table quotes each series' shift exactly as the manifest records it."""
        manifest = json.loads((DATA / "synthetic" / "manifest.json").read_text())
        shifts = {s["name"]: s["midline_shift_mm"] for s in manifest["series"]}
        rows = re.findall(r"^\| `([a-z0-9-]+)` \|.*?shift ([0-9.]+) mm", (DATA / "README.md").read_text(),
                          flags=re.MULTILINE)
        assert len(rows) >= 10
        assert {name: float(mm) for name, mm in rows} == {name: shifts[name] for name, _ in rows}


class TestFigures:
    """The montage linked from data/README.md."""

    def test_linked_from_readme(self) -> None:
        """data/README.md shows the committed montage."""
        assert "](montage.png)" in (DATA / "README.md").read_text()
        assert (DATA / "montage.png").stat().st_size > 50_000
