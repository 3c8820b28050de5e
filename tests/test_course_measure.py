"""Tests of ctlib.course.measure: HU measured in the data set's masks, against the literature."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ctlib
from ctlib.course.measure import lesion_hu, tissue_hu_table


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
