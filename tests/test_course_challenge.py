"""Notebook 09's numbers (ctlib.course.challenge): each claim its text makes, checked here."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ctlib
from ctlib.course import challenge
from ctlib.course.challenge import (
    EXPERIMENT_WINDOWS,
    NOTEBOOK_SIZE,
    VARIANTS,
    cross_validated,
    features,
    fit_predict,
    leakage,
    level_only,
    metric_example,
    out_of_fold,
    series_level_split,
    variant_inputs,
    window_experiment,
)
from ctlib.metrics import weighted_log_loss
from ctlib.rsna import LABELS
from ctlib.training import TrainingCache, plan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> TrainingCache:
    """The cache notebook 09 makes, in a folder of the test's own."""
    data = ctlib.open_data()
    out = tmp_path_factory.mktemp("challenge")
    ctlib.prepare(data, out, size=NOTEBOOK_SIZE, windows=EXPERIMENT_WINDOWS, context=1,
                  images=[p.stem for p in data.files()], workers=2, progress=False)
    return TrainingCache(out)


@pytest.fixture(scope="module")
def experiment(cache: TrainingCache) -> pd.DataFrame:
    return window_experiment(cache)


def test_metric_example_by_hand() -> None:
    """The exercise's score, computed with math.log alone."""
    y, p = metric_example()
    w = [1, 1, 1, 1, 1, 2]
    total = sum(-w[j] * (y[i, j] * math.log(p[i, j]) + (1 - y[i, j]) * math.log(1 - p[i, j]))
                for i in range(2) for j in range(6))
    assert ctlib.metrics.weighted_log_loss(y, p) == pytest.approx(total / (2 * 7))


def test_features_are_each_channels_histogram() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (3, 2, 16, 16), dtype=np.uint8)
    f = features(x, bins=32)
    for i in range(3):
        for c in range(2):
            counts, _ = np.histogram(x[i, c], bins=32, range=(0, 256))
            np.testing.assert_allclose(f[i, 32 * c:32 * (c + 1)], counts / 256)
    with pytest.raises(ctlib.CtlibError, match="uint8"):
        features(x.astype(np.float32))


def test_fit_predict_keeps_any_above_the_subtypes() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 4))
    y = np.zeros((80, 6))
    y[x[:, 0] > 0.5, 4] = 1
    y[:, 5] = y[:, :5].max(axis=1)
    p = fit_predict(x[:60], y[:60], x[60:])
    assert (p[:, 5] >= p[:, :5].max(axis=1)).all()
    assert (p[:, 0] == 0).all()  # no epidural in training: the constant


def test_patient_folds_keep_a_patient_out() -> None:
    """A feature that only names the patient predicts nothing about new patients, and much
    about images of patients already seen: the mechanism of leakage."""
    patients = np.repeat(np.arange(20), 10)
    rng = np.random.default_rng(2)
    bleeding = rng.random(20) < 0.5
    y = np.zeros((200, 6))
    y[:, 4] = y[:, 5] = bleeding[patients]
    x = np.eye(20)[patients]
    honest, prior = cross_validated(x, y, patients)
    leaky, _ = cross_validated(x, y, None)
    assert honest >= prior - 0.01
    assert leaky < prior - 0.04


def test_variant_inputs(cache: TrainingCache) -> None:
    assert len(cache) == 644  # 646 images, one blank, one unreadable
    for variant in VARIANTS:
        inputs = variant_inputs(cache, variant)
        assert inputs.shape == (644, (2 * variant.context + 1) * len(variant.channels),
                                NOTEBOOK_SIZE, NOTEBOOK_SIZE)


def test_the_window_experiment_says_what_the_text_says(experiment: pd.DataFrame,
                                                       cache: TrainingCache) -> None:
    scores = experiment["score"]
    prior = float(experiment["constant prior"].iloc[0])
    gains = prior - scores
    assert experiment["blood - brain (grey levels)"].tolist() == [2, 3, 111, 111, 111]
    # "every input beats the constant prior, by 0.015 to 0.046"
    assert round(gains.min(), 3) == 0.015 and round(gains.max(), 3) == 0.046
    # "on its worst fold every one of them does worse than the prior"
    assert (experiment["gain, lowest fold"] < 0).all()
    assert (experiment["gain, lowest fold"] <= gains).all()
    assert (gains <= experiment["gain, highest fold"]).all()
    assert scores.idxmin() == "whole range, 16 HU per level"  # "the whole-range histogram does best"
    assert gains.idxmin() == "three windows, 2.5D"  # "the 2.5D input ... gains least"
    level = level_only(cache)
    # "beats the prior too, nearly as much as the brain window or the 2.5D input"
    assert scores.max() < level < prior
    assert prior - level > 0.6 * max(gains["brain window only"], gains["three windows, 2.5D"])


def test_fold_gains_are_each_folds_own_score(cache: TrainingCache) -> None:
    """The whiskers: recomputed from out_of_fold's predictions, fold by fold."""
    variant = VARIANTS[0]
    x = features(variant_inputs(cache, variant))
    y = cache.index[list(LABELS)].to_numpy(np.float64)
    pred, prior, fold = out_of_fold(x, y, cache.index["patient"].to_numpy())
    assert sorted(set(fold.tolist())) == [0, 1, 2, 3, 4]
    for k in range(5):  # a patient's images are in one fold only
        assert not set(cache.index["patient"][fold == k]) & set(cache.index["patient"][fold != k])
    gains = [weighted_log_loss(y[fold == k], prior[fold == k])
             - weighted_log_loss(y[fold == k], pred[fold == k]) for k in range(5)]
    row = window_experiment(cache, [variant]).iloc[0]
    assert row["gain, lowest fold"] == pytest.approx(min(gains))
    assert row["gain, highest fold"] == pytest.approx(max(gains))


def test_leakage_flatters(cache: TrainingCache) -> None:
    table = leakage(cache)["score"]
    assert table["images split at random"] < table["patients split"] - 0.05
    assert table["patients split"] < table["constant prior"]


def test_series_level_split_leaks_through_a_follow_up() -> None:
    data = ctlib.open_data()
    todo = plan(data, images=[p.stem for p in data.files()], progress=False)
    split = series_level_split(todo)
    patients = todo.set_index("image").loc[split.index, "patient"]
    both = split.groupby(patients).nunique()
    leaking = list(both[both > 1].index)
    assert leaking  # the subdural patient's two scans fall on both sides
    two_series = todo.groupby("patient")["series"].nunique()
    assert set(leaking) <= set(two_series[two_series > 1].index)
    assert split.equals(series_level_split(todo))  # the same every run


def test_the_notebook_cache_is_outside_the_data(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("CTLIB_CACHE", str(tmp_path))
    data = ctlib.open_data()
    out = challenge.notebook_cache(data)
    assert out.parent == tmp_path / "training" and out.name.startswith(data.name + "-")
    assert out.name.endswith(f"-v{ctlib.training.Settings.format}")  # a new format: a new cache
    assert data.root not in out.parents
