"""The RSNA 2019 challenge's score, and what a prediction must respect before it is scored.

The challenge scored a weighted multi-label logarithmic loss: for every image and each of its
six labels (five subtypes and ``any``, in :data:`ctlib.rsna.LABELS` order), the binary log loss
of the predicted probability, weighted 2 for ``any`` and 1 for each subtype, averaged over all
image × label pairs with those weights. Lower is better; a model that knows nothing but the
training set's label frequencies (:func:`constant_prior`) is the baseline to beat.

The weights reward getting ``any`` right; they do nothing for the rare subtypes (epidural is
0.4 % of images), and a log loss punishes confident mistakes without limit, so predictions are
clipped to ``[eps, 1 - eps]`` first (:data:`EPS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from ctlib.errors import ArgumentError
from ctlib.rsna import LABELS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EPS", "WEIGHTS", "constant_prior", "enforce_any", "label_array", "prior_score",
           "weighted_log_loss"]

#: Weight of each label, in :data:`ctlib.rsna.LABELS` order: 1 per subtype, 2 for ``any``.
WEIGHTS: npt.NDArray[np.float64] = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 2.0])
#: Predictions are clipped to ``[EPS, 1 - EPS]``: one certain mistake then costs
#: ``-log(1e-7)`` = 16.1 per label instead of infinity. (scikit-learn clips at the float's
#: machine epsilon, 2.2e-16, where such a mistake costs 36.)
EPS = 1e-7


def label_array(labels: npt.ArrayLike | pd.DataFrame, name: str = "y") -> npt.NDArray[np.float64]:
    """Six label columns as a float array of shape (images, 6), in RSNA order.

    A DataFrame is reordered by its column names (extra columns are ignored); an array must
    already have six columns in :data:`ctlib.rsna.LABELS` order.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame([[1, 0, 0, 0, 0, 1]], columns=[*LABELS[::-1]])  # any first
    >>> label_array(frame).tolist()
    [[1.0, 0.0, 0.0, 0.0, 0.0, 1.0]]
    """
    columns = getattr(labels, "columns", None)
    if columns is not None:
        missing = [c for c in LABELS if c not in columns]
        if missing:
            raise ArgumentError(f"{name} has no column {missing}: give the six columns "
                                f"{list(LABELS)}, e.g. from ctlib.read_labels.")
        values = np.asarray(cast("pd.DataFrame", labels)[list(LABELS)], dtype=np.float64)
    else:
        values = np.asarray(labels, dtype=np.float64)
    if values.ndim == 1 and values.size == len(LABELS):
        values = values[None, :]
    if values.ndim != 2 or values.shape[1] != len(LABELS):
        raise ArgumentError(f"{name} has shape {values.shape}; give (images, 6): one column "
                            f"per label in the order {list(LABELS)}.")
    if np.isnan(values).any():
        raise ArgumentError(f"{name} holds NaN: every image needs all six values.")
    return values


def weighted_log_loss(y_true: npt.ArrayLike | pd.DataFrame, y_pred: npt.ArrayLike | pd.DataFrame,
                      *, eps: float = EPS) -> float:
    """The RSNA 2019 score: weighted mean binary log loss over images and labels.

    .. math::

        L = -\\frac{\\sum_i \\sum_j w_j \\,[y_{ij} \\log p_{ij} + (1 - y_{ij}) \\log(1 - p_{ij})]}
                  {N \\sum_j w_j}

    with ``w = (1, 1, 1, 1, 1, 2)`` (:data:`WEIGHTS`) and ``p`` clipped to ``[eps, 1 - eps]``.

    Parameters
    ----------
    y_true : array_like or DataFrame, shape (images, 6)
        0/1 labels in :data:`ctlib.rsna.LABELS` order (epidural, intraparenchymal,
        intraventricular, subarachnoid, subdural, any), or a DataFrame with those columns.
    y_pred : array_like or DataFrame, shape (images, 6)
        Predicted probabilities, the same way.
    eps : float
        Clipping of the predictions (default :data:`EPS`, 1e-7).

    Returns
    -------
    float

    Raises
    ------
    ArgumentError
        Shapes that differ or are not (images, 6), labels other than 0 and 1, probabilities
        outside [0, 1], NaN, or no image.

    Examples
    --------
    >>> y = np.array([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]])
    >>> round(weighted_log_loss(y, np.full((2, 6), 0.5)), 4)  # a coin: log 2
    0.6931
    >>> round(weighted_log_loss(y, y * 0.9 + 0.05), 4)
    0.0513
    """
    truth, pred = label_array(y_true, "y_true"), label_array(y_pred, "y_pred")
    if truth.shape != pred.shape:
        raise ArgumentError(f"y_true has shape {truth.shape} but y_pred {pred.shape}: give one "
                            "prediction row per labelled image, in the same order.")
    if truth.shape[0] == 0:
        raise ArgumentError("no image to score: y_true is empty.")
    if not np.isin(truth, (0.0, 1.0)).all():
        raise ArgumentError("y_true must hold 0 and 1 only (the label file's values).")
    if pred.min() < 0 or pred.max() > 1:
        raise ArgumentError("y_pred must be probabilities in [0, 1]; apply a sigmoid to a "
                            "model's raw outputs first.")
    if not 0 < eps < 0.5:
        raise ArgumentError(f"eps must lie in (0, 0.5), got {eps}.")
    return _weighted_mean_loss(truth, pred, eps)


def _weighted_mean_loss(truth: npt.NDArray[np.float64], pred: npt.NDArray[np.float64],
                        eps: float) -> float:
    """The formula itself, on checked arrays: clip, binary log loss, weighted mean."""
    p = np.clip(pred, eps, 1 - eps)
    losses = -(truth * np.log(p) + (1 - truth) * np.log1p(-p))
    return float((losses @ WEIGHTS).sum() / (truth.shape[0] * WEIGHTS.sum()))


def constant_prior(y_train: npt.ArrayLike | pd.DataFrame, images: int) -> npt.NDArray[np.float64]:
    """The baseline: every image gets the training set's frequency of each label.

    This is the best a model can do that looks at no image; its score is the number a real
    model must beat.

    Examples
    --------
    >>> y = np.array([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]])
    >>> constant_prior(y, 1).tolist()
    [[0.0, 0.0, 0.0, 0.0, 0.5, 0.5]]
    """
    freq = label_array(y_train, "y_train").mean(axis=0)
    return np.tile(freq, (images, 1))


def prior_score(frequencies: npt.ArrayLike) -> float:
    """The constant prior's weighted log loss on a set with these label frequencies.

    Predicting each label's own frequency :math:`f_j` everywhere costs, per image, the
    binary entropy :math:`-f_j \\log f_j - (1 - f_j) \\log(1 - f_j)` on label :math:`j`;
    weighted as the challenge weighs (``any`` twice), this is the score of
    :func:`constant_prior` scored on the very images its frequencies come from, computed
    from the six frequencies alone: the baseline of a data set known only by its counts.

    Parameters
    ----------
    frequencies : array_like, shape (6,)
        The share of images positive for each label, in RSNA's order.

    Examples
    --------
    >>> y = np.array([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 1]])
    >>> round(prior_score(y.mean(axis=0)), 6) == round(weighted_log_loss(y, constant_prior(y, 3)), 6)
    True
    """
    f = np.asarray(frequencies, dtype=np.float64)
    if f.shape != WEIGHTS.shape or not np.all((f >= 0) & (f <= 1)):
        raise ArgumentError(f"frequencies must be six shares in [0, 1], in RSNA's order; got "
                            f"{f.tolist()}.")
    # One image whose "label" is each share: its log loss against the share is the entropy.
    return _weighted_mean_loss(f[None, :], f[None, :], EPS)


def enforce_any(y_pred: npt.ArrayLike | pd.DataFrame) -> npt.NDArray[np.float64]:
    """Raise ``any`` to at least every subtype's probability (``any`` is their OR).

    A model with six independent outputs may say 0.7 for subdural and 0.4 for ``any``, which
    no labelling can produce; the probability of a union is at least each part's.

    Examples
    --------
    >>> enforce_any([[0.1, 0, 0, 0, 0.7, 0.4]]).tolist()
    [[0.1, 0.0, 0.0, 0.0, 0.7, 0.7]]
    """
    pred = label_array(y_pred, "y_pred").copy()
    pred[:, -1] = np.maximum(pred[:, -1], pred[:, :-1].max(axis=1))
    return pred
