"""Tests of ctlib.plotting: helpers take ax= and return it; no global style changed."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ctlib import (
    plotting,
)
from ctlib.course import lessons


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


class TestPlotting:
    """Plotting helpers take ax= and return it."""

    def test_ax_is_used_and_returned(self) -> None:
        """Each helper draws into the given axes."""
        _, axes = plt.subplots(1, 4)
        assert plotting.show_slice(np.zeros((8, 8)), ax=axes[0]) is axes[0]
        assert plotting.hu_histogram(np.zeros(10), ax=axes[1]) is axes[1]
        assert plotting.window_curves("bone", ax=axes[2]) is axes[2]
        assert lessons.meninges_diagram(ax=axes[3]) is axes[3]

    def test_window_curves_agree(self) -> None:
        """The plotted Kaggle clip and LINEAR_EXACT coincide for an even width."""
        ax = plotting.window_curves("brain")
        clip, _, exact, _ = (line.get_ydata() for line in ax.get_lines())
        np.testing.assert_allclose(clip, exact, atol=1e-12)
