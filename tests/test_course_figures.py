"""Tests of the measuring, audit, environment and plotting helpers used by the notebooks."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import ctlib
from ctlib import (
    audit,
    plotting,
)
from ctlib.environment import check_environment, print_environment
from ctlib.measure import lesion_hu, tissue_hu_table


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


class TestMeasure:
    """HU measured in masks, against the literature."""

    def test_tissue_table_within_literature(self) -> None:
        """On the full set, every measured tissue mean lies in its published range."""
        table = tissue_hu_table(ctlib.open_data())
        for tissue, row in table.iterrows():
            low, high = (float(v) for v in row["literature"].split(" to "))
            if tissue in ("scalp",):  # thin layers: partial volume with bone and air
                assert low <= row["median"] <= high < row["measured mean"], tissue
                continue
            assert low <= row["measured mean"] <= high, tissue

    def test_lesion_hu(self) -> None:
        """Acute blood reads 60-80 HU on the key slices."""
        data = ctlib.open_data()
        for name in ("epidural-swirl", "intraventricular-layering", "subdural-acute"):
            values = lesion_hu(data, name)
            assert all(60 <= v <= 80 for v in values.values()), (name, values)


class TestAudit:
    """The audit finds every deliberate quirk without looking at the manifest."""

    def test_finds_every_quirk(self) -> None:
        """Counts match the manifest's record of what was planted."""
        data = ctlib.open_data()
        report = audit(data).set_index("finding")["count"]
        quirks = data.manifest["quirks"]
        by_name = {s["name"]: s["slices"] for s in data.manifest["series"]}
        assert report["unreadable file"] == len(quirks["truncated_pixel_data"])
        assert report["blank image (one value everywhere)"] == len(quirks["blank_slice"])
        assert report["two different windows in one header"] == len(quirks["unequal_windows"])
        assert report["repeated row in the label file"] == 1
        mislabelled = sum(by_name[n] for n in quirks["wrong_pixel_representation"])
        assert report["PixelRepresentation mislabel (12-bit, unsigned, intercept > -100)"] == mislabelled
        assert report["matrix other than 512x512"] == sum(by_name[n] for n in quirks["non_512_matrix"])
        tilted = sum(by_name[n] for n in quirks["gantry_tilt"])
        assert report["planes not axial (gantry tilt or oblique)"] == tilted
        assert report["image without labels"] == report["labels without an image"] == 0


class TestEnvironment:
    """The setup check."""

    def test_ready_here(self, capsys: pytest.CaptureFixture[str]) -> None:
        """In the course environment every package is present and in range."""
        assert all(ok for *_, ok in check_environment())
        assert print_environment()
        assert "✓ numpy" in capsys.readouterr().out


class TestPlotting:
    """Plotting helpers take ax= and return it."""

    def test_ax_is_used_and_returned(self) -> None:
        """Each helper draws into the given axes."""
        _, axes = plt.subplots(1, 4)
        assert plotting.show_slice(np.zeros((8, 8)), ax=axes[0]) is axes[0]
        assert plotting.hu_histogram(np.zeros(10), ax=axes[1]) is axes[1]
        assert plotting.window_curves("bone", ax=axes[2]) is axes[2]
        assert plotting.meninges_diagram(ax=axes[3]) is axes[3]

    def test_window_curves_agree(self) -> None:
        """The plotted Kaggle clip and LINEAR_EXACT coincide for an even width."""
        ax = plotting.window_curves("brain")
        clip, _, exact, _ = (line.get_ydata() for line in ax.get_lines())
        np.testing.assert_allclose(clip, exact, atol=1e-12)
