"""Tests of ctlib.course.examples: the example series chosen from a real RSNA download."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ctlib
from ctlib.course.examples import ROLES, choose_examples, slice_order
from ctlib.rsna import LABELS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pathlib import Path


class TestExamples:
    """choose_examples finds the roles' series from labels and headers alone."""

    def test_roles(self, synthetic: ctlib.DataSet, joined: pd.DataFrame) -> None:
        """Each name gets a fitting, distinct series; the header traits are found."""
        examples = {e["name"]: e for e in choose_examples(joined)}
        assert list(examples) == list(ROLES)
        assert len({e["series_uid"] for e in examples.values()}) == len(ROLES)
        for name, entry in examples.items():
            labels = joined.loc[entry["files"]]
            role = ROLES[name].subtype
            if role is None:
                assert labels["any"].sum() == 0, name
            elif role == "several":
                assert (labels[list(LABELS[:5])].sum() > 0).sum() >= 2, name
            else:
                assert labels[role].iloc[entry["key_slice"]] == 1, name
        quirks = synthetic.manifest["quirks"]
        by_uid = {s["series_uid"]: s["name"] for s in synthetic.manifest["series"]}
        assert by_uid[examples["normal-tilted"]["series_uid"]] in quirks["gantry_tilt"]
        assert by_uid[examples["normal-460"]["series_uid"]] in quirks["non_512_matrix"]
        assert (by_uid[examples["subdural-acute-on-chronic"]["series_uid"]]
                in quirks["wrong_pixel_representation"])
        assert examples["normal-tilted"]["tilt_deg"] == pytest.approx(15.0)

    def test_slice_order(self, synthetic: ctlib.DataSet, joined: pd.DataFrame) -> None:
        """Files come out in the generator's slice order, for every series, tilted or not."""
        examples = choose_examples(joined)
        by_uid = {s["series_uid"]: s for s in synthetic.manifest["series"]}
        for entry in examples:
            truth = by_uid[entry["series_uid"]]["files"]
            assert entry["files"] == [f for f in truth if f in joined.index], entry["name"]
        rows = joined.loc[by_uid[examples[2]["series_uid"]]["files"]]
        assert np.all(np.diff(slice_order(rows)) > 0)

    def test_no_series(self, joined: pd.DataFrame) -> None:
        """An empty join is an error that says to check the IDs."""
        with pytest.raises(ctlib.CtlibError, match="IDs must match"):
            choose_examples(joined.iloc[:0])
