"""Tests of ctlib.synth.figures: the subtype montage of a built set (data/montage.png)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import ctlib
from ctlib.synth.figures import subtype_montage


class TestMontage:
    def test_montage_from_sample(self) -> None:
        """Five subtypes × four panels, each an image cropped to the head, from the sample."""
        fig = subtype_montage(ctlib.open_data("sample").root)
        assert len(fig.axes) == 20
        assert all(ax.images for ax in fig.axes)
        shape = fig.axes[0].images[0].get_array().shape
        assert 300 < shape[0] == shape[1] < 512  # cropped to the head, square
        plt.close(fig)
