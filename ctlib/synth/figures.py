"""Figures of a built synthetic set, made from its files the way a learner would read them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ctlib.course.tissues import RSNA_SUBTYPES, Lesion
from ctlib.crop import head_box
from ctlib.hu import to_hu
from ctlib.plotting import show_slice
from ctlib.reading import read

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["subtype_montage"]


def subtype_montage(set_dir: str | os.PathLike[str]) -> Figure:
    """One slice per hemorrhage subtype: the brain window bare and outlined, subdural and bone.

    Each row is the key slice of the first series named after the subtype, cropped to the
    head so that thin collections and fractures keep enough pixels to be seen.

    Parameters
    ----------
    set_dir : path-like
        A set made by :func:`ctlib.synth.generate` (or the committed sample).

    Returns
    -------
    matplotlib.figure.Figure
        Five rows (RSNA order), four columns: brain window, brain window with the lesion's mask
        outlined, subdural window, bone window.
    """
    import matplotlib.pyplot as plt

    root = Path(set_dir)
    manifest = json.loads((root / "manifest.json").read_text())
    fig, axes = plt.subplots(5, 4, figsize=(16, 20.6), layout="constrained")
    for row, subtype in zip(axes, RSNA_SUBTYPES, strict=True):
        series = next(s for s in manifest["series"] if s["name"].startswith(subtype))
        index = series["key_slice"] if series["key_slice"] is not None else 0
        sop = series["files"][index]
        hu = to_hu(read(root / "images" / f"{sop}.dcm"))
        with np.load(root / "masks" / f"{series['series_uid']}.npz") as masks:
            lesion = masks["lesion"][index] == Lesion[subtype.upper()]
        box = head_box(hu)
        panels = (("brain", None), ("brain", lesion[box]), ("subdural", None), ("bone", None))
        for ax, (win, mask) in zip(row, panels, strict=True):
            show_slice(hu[box], win, ax=ax, mask=mask)
        row[0].set_title(f"{series['name']}: brain (C 40 / W 80)", fontsize=11)
        row[1].set_title("the same, mask outlined", fontsize=11)
        row[2].set_title("subdural (C 80 / W 200)", fontsize=11)
        row[3].set_title("bone (C 600 / W 2800)", fontsize=11)
    fig.suptitle("Synthetic head CT: the five subtypes, key slice of one series each", fontsize=13)
    return fig
