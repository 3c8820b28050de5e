"""Finding and opening the course's data set.

The notebooks never hard-code a path: :func:`open_data` finds the full
synthetic set (``data/synthetic``, made by ``make data``) or, failing that,
the committed sample (``data/sample``), relative to the repository, never to
the current folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ctlib.errors import CtlibError

__all__ = ["DataSet", "open_data", "repo_root"]


def repo_root() -> Path:
    """The repository folder (``ctlib`` is installed editable from it)."""
    return Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DataSet:
    """A built data set: its folder and manifest, with helpers to reach files and masks.

    Attributes
    ----------
    root : pathlib.Path
    manifest : dict
        The parsed ``manifest.json``.
    name : str
        ``"synthetic"`` or ``"sample"`` (the folder's name).
    """

    root: Path
    manifest: dict[str, Any] = field(repr=False)

    @property
    def name(self) -> str:
        """The set's folder name."""
        return self.root.name

    @property
    def images(self) -> Path:
        """The flat folder of ``ID_*.dcm`` files."""
        return self.root / "images"

    @property
    def labels_csv(self) -> Path:
        """The RSNA-format label file."""
        return self.root / "labels.csv"

    def path(self, sop_instance_uid: str) -> Path:
        """The file of one image."""
        return self.images / f"{sop_instance_uid}.dcm"

    def files(self) -> list[Path]:
        """Every image file, sorted by name (which says nothing about slice order)."""
        return sorted(self.images.glob("*.dcm"))

    def series(self, name: str) -> dict[str, Any]:
        """The manifest entry of a series, by its recipe name (e.g. ``"subdural-acute"``)."""
        for entry in self.manifest["series"]:
            if entry["name"] == name:
                return dict(entry)
        names = ", ".join(s["name"] for s in self.manifest["series"])
        raise CtlibError(f"{self.root.name}: no series called {name!r}. Known series: {names}.")

    def masks(self, series_name: str) -> dict[str, npt.NDArray[Any]]:
        """The lesion and tissue maps of a series (slices in the manifest's order)."""
        uid = self.series(series_name)["series_uid"]
        with np.load(self.root / "masks" / f"{uid}.npz") as archive:
            return {key: archive[key] for key in archive.files}

    def slice_with(
        self, series_name: str, *, tissue: int | None = None, lesion: int | None = None
    ) -> tuple[str, int]:
        """(SOP Instance UID, index) of the slice where a tissue or lesion code covers most.

        Examples
        --------
        >>> from ctlib.synth import Tissue
        >>> data = open_data("sample")
        >>> sop, index = data.slice_with("normal-calcified", tissue=Tissue.VENTRICLE)
        >>> index
        0
        """
        masks = self.masks(series_name)
        kind, code = ("tissue", tissue) if tissue is not None else ("lesion", lesion)
        if code is None:
            raise CtlibError("give tissue= or lesion=, a code from ctlib.synth.Tissue or Lesion")
        index = int(np.argmax((masks[kind] == code).sum(axis=(1, 2))))
        return str(self.series(series_name)["files"][index]), index

    def key_slice(self, series_name: str) -> tuple[str, int]:
        """(SOP Instance UID, index in the mask arrays) of the slice that shows a series best."""
        entry = self.series(series_name)
        index = entry["key_slice"] if entry.get("key_slice") is not None else 0
        return entry["files"][index], index


def open_data(kind: Literal["synthetic", "sample"] | None = None) -> DataSet:
    """Open the course data set.

    Parameters
    ----------
    kind : {"synthetic", "sample"}, optional
        Which set; by default the full synthetic set if it has been built, else
        the committed sample.

    Returns
    -------
    DataSet

    Raises
    ------
    CtlibError
        If the requested set is not there; the message says how to build it.

    Examples
    --------
    >>> data = open_data("sample")
    >>> data.name, data.manifest["images"]
    ('sample', 16)
    """
    base = Path(os.environ.get("CTLIB_SYNTH_DIR", repo_root() / "data"))
    order = [kind] if kind else ["synthetic", "sample"]
    for name in order:
        root = base / name
        if (root / "manifest.json").is_file():
            return DataSet(root, json.loads((root / "manifest.json").read_text()))
    raise CtlibError(
        f"no {' or '.join(order)} data set in {base}. Build it with `make data` "
        "(or `python -m ctlib.synth`) in the repository folder."
    )
