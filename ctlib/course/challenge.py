"""What notebook 09 computes: a baseline model, the window experiment, a leaky split.

The notebook tells the story and calls these; they are here so that a learner reads one line
per step, and so that tests can check the numbers the text quotes.

The baseline is a logistic regression per label (scikit-learn) on simple features of each
image: for every channel, the histogram of its grey levels. It is chosen
because it trains in seconds on a CPU, its loss is the challenge's log loss (so it learns
probabilities, not only a ranking), and it is transparent: a histogram shows what a window lets
through. It is a baseline to measure the inputs by, not a model to enter the challenge with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ctlib.course.data import cache_dir
from ctlib.errors import CtlibError
from ctlib.inputs import stack_25d
from ctlib.metrics import constant_prior, enforce_any, weighted_log_loss
from ctlib.rsna import LABELS
from ctlib.training import Settings
from ctlib.window import Window, window

if TYPE_CHECKING:
    import pandas as pd

    from ctlib.training import TrainingCache

__all__ = [
    "EXPERIMENT_WINDOWS",
    "FOLDS",
    "VARIANTS",
    "C",
    "Variant",
    "cross_validated",
    "features",
    "fit_predict",
    "leakage",
    "metric_example",
    "notebook_cache",
    "out_of_fold",
    "series_level_split",
    "variant_inputs",
    "window_experiment",
]

#: The image size of notebook 09's cache (small, so that the notebook runs in seconds).
NOTEBOOK_SIZE = 64
#: Inverse L2 penalty of the baseline's logistic regressions (chosen on this set's folds).
C = 0.003
#: Folds of the cross-validation by patient (GroupKFold: each fold about a fifth of the images,
#: every patient's images in one fold).
FOLDS = 5
#: The channels the notebook's cache holds: every window an experiment needs, prepared once.
EXPERIMENT_WINDOWS: tuple[Window | str, ...] = (
    Window(1024, 4096, name="whole range"),  # -1024 to 3072 HU in 256 levels: 16 HU per level
    "brain", "subdural", "soft_tissue", "bone",
)


@dataclass(frozen=True)
class Variant:
    """One input of the window experiment: which channels of the cache, how many neighbours."""

    name: str
    channels: tuple[int, ...]
    context: int = 0


#: The window experiment's inputs, from the least to the most the winners used.
VARIANTS: tuple[Variant, ...] = (
    Variant("whole range, 16 HU per level", (0,)),
    Variant("bone window only", (4,)),
    Variant("brain window only", (1,)),
    Variant("three windows", (1, 2, 3)),
    Variant("three windows, 2.5D", (1, 2, 3), context=1),
)


def notebook_cache(data: Any) -> Path:
    """Where notebook 09 keeps its training cache of a data set (outside the data set).

    One folder per data set, place and cache format: two checkouts of the course never share
    a cache, and a course updated to a new format (:attr:`ctlib.training.Settings.format`)
    makes a new one rather than stopping on the old.
    """
    place = hashlib.sha256(str(Path(data.root).resolve()).encode()).hexdigest()[:10]
    return cache_dir() / "training" / f"{data.name}-{place}-v{Settings.format}"


def metric_example() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Two images' labels and a model's predictions, for computing the score by hand (09.1).

    Examples
    --------
    >>> y, p = metric_example()
    >>> y.shape, p.shape
    ((2, 6), (2, 6))
    """
    y = np.array([[0, 0, 0, 0, 1, 1],
                  [0, 0, 0, 0, 0, 0]], dtype=np.float64)
    p = np.array([[0.1, 0.1, 0.1, 0.2, 0.6, 0.8],
                  [0.1, 0.1, 0.1, 0.1, 0.2, 0.3]])
    return y, p


def features(inputs: npt.NDArray[Any], *, bins: int = 32) -> npt.NDArray[np.float64]:
    """Per channel, the histogram of its grey levels: the fraction of the image in each bin.

    What a window lets through, and nothing of where: the baseline cannot overfit to the
    position of a few training patients' bleeds.

    Parameters
    ----------
    inputs : numpy.ndarray of uint8, shape (images, channels, size, size)
    bins : int
        Bins over the 256 grey levels.

    Returns
    -------
    numpy.ndarray, shape (images, channels * bins)

    Examples
    --------
    >>> x = np.zeros((2, 3, 16, 16), np.uint8); x[1] = 255
    >>> f = features(x, bins=4)
    >>> f.shape, f[0, :4].tolist(), f[1, :4].tolist()
    ((2, 12), [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0])
    """
    x = np.asarray(inputs)
    if x.dtype != np.uint8:
        raise CtlibError(f"features expects uint8 images (0-255), got {x.dtype}.")
    n, c = x.shape[:2]
    levels = (x.reshape(n * c, -1).astype(np.intp) * bins) // 256
    counts = np.stack([np.bincount(row, minlength=bins) for row in levels]) / levels.shape[1]
    return counts.reshape(n, c * bins)


def variant_inputs(cache: TrainingCache, variant: Variant) -> npt.NDArray[np.uint8]:
    """The cache's images with a variant's channels and neighbours, in ``cache.index`` order."""
    channels: dict[str, npt.NDArray[np.uint8]] = {}  # each series read once, not once per image
    out = []
    for uid, position in zip(cache.index["series"].astype(str), cache.index["position"],
                             strict=True):
        if uid not in channels:
            channels[uid] = np.asarray(cache.series(uid))[:, list(variant.channels)]
        out.append(stack_25d(channels[uid], int(position), variant.context))
    return np.stack(out)


def fit_predict(x_train: npt.NDArray[np.float64], y_train: npt.NDArray[np.float64],
                x_test: npt.NDArray[np.float64], *, c: float = C) -> npt.NDArray[np.float64]:
    """Fit one logistic regression per label; predict probabilities with ``any`` enforced.

    Features are standardised on the training images; ``c`` is the inverse of the L2
    penalty (small: a few hundred images from a few patients). A label with one class only
    in training gets that constant.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 3)); y = np.zeros((40, 6)); y[x[:, 0] > 0, 4:] = 1
    >>> p = fit_predict(x, y, np.array([[2.0, 0, 0], [-2.0, 0, 0]]), c=1.0)
    >>> (p[:, 4] > 0.5).tolist(), p[:, 0].tolist()
    ([True, False], [0.0, 0.0])
    """
    from sklearn.linear_model import LogisticRegression  # scikit-learn: only for this notebook
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pred = np.empty((len(x_test), len(LABELS)))
    for j in range(len(LABELS)):
        column = y_train[:, j]
        if column.min() == column.max():
            pred[:, j] = column[0]
            continue
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
        model.fit(x_train, column)
        pred[:, j] = model.predict_proba(x_test)[:, 1]
    return enforce_any(pred)


def out_of_fold(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                groups: npt.ArrayLike | None, *, folds: int = FOLDS, seed: int = 0
                ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """Each image's prediction by a model not trained on it: (model, constant prior, fold).

    ``groups`` (one patient ID per image) keeps each patient's images in one fold: the
    predictions are those for new patients. ``None`` splits images at random, as a leaky
    set-up would.
    """
    from sklearn.model_selection import GroupKFold, KFold

    splitter = (KFold(folds, shuffle=True, random_state=seed) if groups is None
                else GroupKFold(folds))
    pred, prior = np.empty_like(y), np.empty_like(y)
    fold = np.empty(len(y), np.intp)
    for k, (train, test) in enumerate(splitter.split(x, y, groups)):
        pred[test] = fit_predict(x[train], y[train], x[test])
        prior[test] = constant_prior(y[train], len(test))
        fold[test] = k
    return pred, prior, fold


def cross_validated(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                    groups: npt.ArrayLike | None, *, folds: int = FOLDS, seed: int = 0
                    ) -> tuple[float, float]:
    """(model's score, constant prior's score), each image predicted by a model not trained on it.

    ``groups`` as in :func:`out_of_fold`.
    """
    pred, prior, _ = out_of_fold(x, y, groups, folds=folds, seed=seed)
    return weighted_log_loss(y, pred), weighted_log_loss(y, prior)


def window_experiment(cache: TrainingCache, variants: Sequence[Variant] = VARIANTS
                      ) -> pd.DataFrame:
    """Each variant's cross-validated score on new patients, beside the constant prior's.

    Returns
    -------
    pandas.DataFrame
        Index: variant name; columns ``features``, ``blood - brain (grey levels)`` (how far
        apart acute blood at 70 HU and brain at 35 HU are in the variant's first window),
        ``score``, ``constant prior``, and ``gain, lowest fold`` and ``gain, highest fold``:
        the least and the most the model beats the prior by on one fold's patients (how much
        the score depends on which patients are tested).
    """
    import pandas as pd

    y = cache.index[list(LABELS)].to_numpy(np.float64)
    patients = cache.index["patient"].to_numpy()
    windows = [Window(c, w) for c, w in cache.settings.windows]
    rows = {}
    for variant in variants:
        x = features(variant_inputs(cache, variant))
        grey = window(np.array([35.0, 70.0]), windows[variant.channels[0]], dtype=np.uint8)
        pred, prior, fold = out_of_fold(x, y, patients)
        gains = [weighted_log_loss(y[fold == k], prior[fold == k])
                 - weighted_log_loss(y[fold == k], pred[fold == k]) for k in np.unique(fold)]
        rows[variant.name] = {"features": x.shape[1],
                              "blood - brain (grey levels)": int(grey[1]) - int(grey[0]),
                              "score": weighted_log_loss(y, pred),
                              "constant prior": weighted_log_loss(y, prior),
                              "gain, lowest fold": min(gains), "gain, highest fold": max(gains)}
    return pd.DataFrame.from_dict(rows, orient="index")


def level_only(cache: TrainingCache, *, bins: int = 8) -> float:
    """The score of a model that sees only where the slice lies in its series (a shortcut).

    The slice's relative position (0 at the lowest slice, 1 at the highest), in ``bins``
    bins, is the only feature: bleeds are rare on the lowest and highest slices, so even this
    beats the constant prior. Cross-validated by patient, as :func:`window_experiment`.
    """
    index = cache.index
    y = index[list(LABELS)].to_numpy(np.float64)
    slices = index.groupby("series")["position"].transform("max").to_numpy() + 1
    relative = index["position"].to_numpy() / np.maximum(slices - 1, 1)
    x = np.eye(bins)[np.minimum((relative * bins).astype(np.intp), bins - 1)]
    return cross_validated(x, y, index["patient"].to_numpy())[0]


def leakage(cache: TrainingCache, variant: Variant = VARIANTS[3]) -> pd.DataFrame:
    """The same model, cross-validated with images split at random and with patients split.

    A random split of images puts neighbouring slices of one patient on both sides: the test
    images then have near-copies in training, and the score looks better than it will be on
    new patients.
    """
    import pandas as pd

    x = features(variant_inputs(cache, variant))
    y = cache.index[list(LABELS)].to_numpy(np.float64)
    leaky, _ = cross_validated(x, y, None)
    honest, prior = cross_validated(x, y, cache.index["patient"].to_numpy())
    return pd.DataFrame({"score": [leaky, honest, prior]},
                        index=["images split at random", "patients split", "constant prior"])


def series_level_split(todo: pd.DataFrame) -> pd.Series:
    """A split that ignores the patients, as a hurried entrant might make it (exercise 09.3).

    Each series goes to ``train`` or ``test`` by a hash of its UID; the first salt that sends
    two series of one patient to different sides is used, so that the split leaks through a
    follow-up scan. A set where no patient has two series (a few series of a real download) is
    split by image instead, which leaks through neighbouring slices.

    Parameters
    ----------
    todo : pandas.DataFrame
        With ``image``, ``patient`` and ``series`` columns (:func:`ctlib.training.plan`).

    Returns
    -------
    pandas.Series
        Image → ``"train"`` or ``"test"``.
    """
    import pandas as pd

    def side(key: str, salt: int) -> str:
        return "train" if hashlib.sha256(f"{salt}{key}".encode()).digest()[0] % 2 else "test"

    known = todo.dropna(subset=["series"])
    for salt in range(1000):
        sides = {uid: side(str(uid), salt) for uid in known["series"].unique()}
        split = known["series"].map(sides)
        if (split.groupby(known["patient"]).nunique() > 1).any():
            return pd.Series(split.to_numpy(), index=known["image"].to_numpy(), name="split")
    by_image = [side(str(image), 0) for image in known["image"]]
    return pd.Series(by_image, index=known["image"].to_numpy(), name="split")
