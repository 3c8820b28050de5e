"""Tests of ctlib.presets."""

from __future__ import annotations

import pytest

import ctlib

REQUIRED = {
    "brain": (40, 80),
    "subdural": (80, 200),
    "bone": (600, 2800),
    "stroke": (40, 40),
    "soft_tissue": (40, 380),
}


class TestPresets:
    """PRESETS, ALTERNATIVE_PRESETS and preset()."""

    @pytest.mark.parametrize(("name", "values"), REQUIRED.items())
    def test_values_and_sources(self, name: str, values: tuple[int, int]) -> None:
        """The course's presets have the agreed values, their own name and a source."""
        w = ctlib.PRESETS[name]
        assert (w.center, w.width) == values
        assert w.name == name
        assert w.source

    def test_alternatives_documented(self) -> None:
        """The disagreeing values in circulation are listed with sources."""
        pairs = {(w.name, w.center, w.width) for w in ctlib.ALTERNATIVE_PRESETS}
        for expected in [("subdural", 100, 254), ("bone", 400, 1000), ("bone", 480, 2500),
                         ("brain", 50, 100)]:
            assert expected in pairs
        assert all(w.source for w in ctlib.ALTERNATIVE_PRESETS)
        assert all(w.name in ctlib.PRESETS for w in ctlib.ALTERNATIVE_PRESETS)

    def test_read_only(self) -> None:
        """Learners cannot overwrite a preset by accident."""
        with pytest.raises(TypeError):
            ctlib.PRESETS["brain"] = ctlib.Window(0, 1)  # type: ignore[index]

    @pytest.mark.parametrize(
        ("spelling", "name"),
        [("brain", "brain"), ("Brain", "brain"), (" BRAIN ", "brain"),
         ("soft tissue", "soft_tissue"), ("Soft-Tissue", "soft_tissue")],
    )
    def test_lookup_forgiving(self, spelling: str, name: str) -> None:
        """preset() ignores case, surrounding spaces, and space/hyphen vs underscore."""
        assert ctlib.preset(spelling).name == name

    def test_unknown(self) -> None:
        """An unknown name lists the known ones."""
        with pytest.raises(ctlib.WindowError, match="Known presets: brain, subdural, bone"):
            ctlib.preset("lung")
