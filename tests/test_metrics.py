"""The RSNA score (ctlib.metrics) against scikit-learn's log_loss, an independent implementation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

import ctlib
from ctlib.metrics import EPS, WEIGHTS, constant_prior, enforce_any, prior_score, weighted_log_loss
from ctlib.rsna import LABELS


def sklearn_score(y: np.ndarray, p: np.ndarray) -> float:
    """The same score as scikit-learn computes it: one weighted sample per image × label."""
    p = np.clip(p, EPS, 1 - EPS)
    weights = np.tile(WEIGHTS, len(y))
    return float(log_loss(y.ravel(), p.ravel(), sample_weight=weights, labels=[0, 1]))


@pytest.mark.parametrize("seed", range(20))
def test_matches_sklearn_on_random_inputs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    y = (rng.random((n, 6)) < rng.random(6)).astype(int)
    p = rng.random((n, 6)) ** rng.uniform(0.2, 5)  # many near 0, some near 1
    p[rng.random((n, 6)) < 0.05] = rng.choice([0.0, 1.0])  # exact 0 and 1 are clipped
    assert weighted_log_loss(y, p) == pytest.approx(sklearn_score(y, p), rel=1e-12)


def test_any_weighs_twice() -> None:
    """A mistake on `any` costs twice a mistake on one subtype."""
    y = np.zeros((1, 6))
    wrong_any, wrong_sdh = np.full((1, 6), 0.01), np.full((1, 6), 0.01)
    wrong_any[0, 5] = 0.99
    wrong_sdh[0, 4] = 0.99
    base = weighted_log_loss(y, np.full((1, 6), 0.01))
    assert weighted_log_loss(y, wrong_any) - base == pytest.approx(
        2 * (weighted_log_loss(y, wrong_sdh) - base))


def test_a_certain_mistake_costs_what_eps_says() -> None:
    y = np.zeros((1, 6))
    p = np.zeros((1, 6))
    p[0, 0] = 1.0
    assert weighted_log_loss(y, p) == pytest.approx(-np.log(EPS) / 7, rel=1e-6)


def test_dataframes_are_read_by_column_name() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random((50, 6)) < 0.3).astype(int)
    p = rng.random((50, 6))
    shuffled = list(LABELS[::-1])
    frame_y = pd.DataFrame(y, columns=list(LABELS))[shuffled]
    frame_p = pd.DataFrame(p, columns=list(LABELS))[shuffled].assign(extra=1.0)
    assert weighted_log_loss(frame_y, frame_p) == pytest.approx(weighted_log_loss(y, p))


@pytest.mark.parametrize(("y", "p", "message"), [
    (np.zeros((2, 6)), np.zeros((3, 6)), "same order"),
    (np.zeros((2, 5)), np.zeros((2, 5)), r"\(images, 6\)"),
    (np.full((1, 6), 2), np.zeros((1, 6)), "0 and 1"),
    (np.zeros((1, 6)), np.full((1, 6), 1.5), "sigmoid"),
    (np.zeros((1, 6)), np.full((1, 6), np.nan), "NaN"),
    (np.zeros((0, 6)), np.zeros((0, 6)), "empty"),
    (pd.DataFrame({"any": [1]}), np.zeros((1, 6)), "no column"),
])
def test_refuses_what_cannot_be_scored(y: object, p: object, message: str) -> None:
    with pytest.raises(ctlib.ArgumentError, match=message):
        weighted_log_loss(y, p)  # type: ignore[arg-type]


def test_constant_prior_is_the_best_constant() -> None:
    """No other constant prediction scores better on the training labels themselves."""
    rng = np.random.default_rng(2)
    y = (rng.random((400, 6)) < [0.004, 0.05, 0.035, 0.05, 0.06, 0.14]).astype(int)
    prior = constant_prior(y, len(y))
    best = weighted_log_loss(y, prior)
    for _ in range(50):
        other = np.clip(prior * rng.uniform(0.5, 1.5, 6), 0, 1)
        assert weighted_log_loss(y, other) >= best - 1e-12


def test_enforce_any_makes_predictions_consistent() -> None:
    """`any` is raised to the largest subtype, which helps wherever a subtype is present."""
    rng = np.random.default_rng(3)
    subtypes = (rng.random((300, 5)) < 0.1).astype(int)
    y = np.column_stack([subtypes, subtypes.max(axis=1)])
    p = rng.random((300, 6))
    fixed = enforce_any(p)
    assert (fixed[:, 5] >= fixed[:, :5].max(axis=1)).all()
    assert (fixed[:, :5] == p[:, :5]).all()
    bleeding = y[:, 5] == 1
    assert weighted_log_loss(y[bleeding], fixed[bleeding]) < weighted_log_loss(y[bleeding],
                                                                               p[bleeding])


@pytest.mark.parametrize("seed", range(5))
def test_prior_score_is_the_constant_priors_score_from_counts_alone(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random((300, 6)) < rng.random(6) * 0.3).astype(float)
    y[:, 5] = y[:, :5].max(axis=1)
    assert prior_score(y.mean(axis=0)) == pytest.approx(
        sklearn_score(y, constant_prior(y, len(y))), rel=1e-9)


def test_prior_score_of_a_label_never_seen_is_zero_and_bad_shares_are_refused() -> None:
    assert prior_score(np.zeros(6)) == pytest.approx(0.0, abs=1e-5)
    with pytest.raises(ctlib.ArgumentError, match="six shares"):
        prior_score([0.1] * 5)
    with pytest.raises(ctlib.ArgumentError, match="six shares"):
        prior_score([0.1, 0.1, 0.1, 0.1, 0.1, 1.5])
