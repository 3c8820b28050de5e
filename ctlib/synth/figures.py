"""Figures of a built synthetic set, made from its files the way a learner would read them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ctlib.hu import to_hu
from ctlib.plotting import show_slice
from ctlib.reading import read
from ctlib.synth.tissues import RSNA_SUBTYPES, Lesion

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["subtype_montage"]


def subtype_montage(set_dir: str | os.PathLike[str]) -> Figure:
    """One slice per hemorrhage subtype, in the brain, subdural and bone windows.

    Parameters
    ----------
    set_dir : path-like
        A set made by :func:`ctlib.synth.generate` (or the committed sample).

    Returns
    -------
    matplotlib.figure.Figure
        Five rows (RSNA order), three columns; each lesion's mask is outlined.
    """
    import matplotlib.pyplot as plt

    root = Path(set_dir)
    manifest = json.loads((root / "manifest.json").read_text())
    fig, axes = plt.subplots(5, 3, figsize=(9, 15), layout="constrained")
    for row, subtype in zip(axes, RSNA_SUBTYPES, strict=True):
        series = next(s for s in manifest["series"] if s["name"].startswith(subtype))
        index = series["key_slice"] if series["key_slice"] is not None else 0
        sop = series["files"][index]
        hu = to_hu(read(root / "images" / f"{sop}.dcm"))
        with np.load(root / "masks" / f"{series['series_uid']}.npz") as masks:
            lesion = masks["lesion"][index] == Lesion[subtype.upper()]
        for ax, win in zip(row, ("brain", "subdural", "bone"), strict=True):
            show_slice(hu, win, ax=ax, mask=lesion if win == "brain" else None)
        row[0].set_title(f"{subtype}\nbrain (C 40 / W 80)", fontsize=9)
        row[1].set_title("subdural (C 80 / W 200)", fontsize=9)
        row[2].set_title("bone (C 600 / W 2800)", fontsize=9)
    fig.suptitle("Synthetic head CT: the five subtypes (mask outlined in red)", fontsize=11)
    return fig
