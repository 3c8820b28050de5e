"""Finding and opening the course's data set.

The notebooks never hard-code a path: :func:`open_data` finds the full
synthetic set (``data/synthetic``, made by ``make data``) relative to the
repository, never to the current folder. The committed sample
(``data/sample``, one key slice per series) is opened only when asked for by
name: the notebooks need whole series. Set the environment variable ``CTLIB_DATA`` to the folder
of a real RSNA download (or of another built synthetic set) and the same
notebooks run on it instead: see :class:`RsnaData`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ctlib.course.examples import choose_examples
from ctlib.errors import CtlibError
from ctlib.metadata import metadata_table
from ctlib.rsna import find_layout, join_metadata, read_labels

__all__ = ["DataSet", "RsnaData", "cache_dir", "open_data", "repo_root"]


def repo_root() -> Path:
    """The repository folder (``ctlib`` is installed editable from it)."""
    return Path(__file__).resolve().parents[2]


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

    @property
    def has_masks(self) -> bool:
        """Whether the set has lesion and tissue maps (synthetic sets do, real data does not)."""
        return (self.root / "masks").is_dir()

    def files(self) -> list[Path]:
        """The course's image files, sorted by name (which says nothing about slice order)."""
        return sorted(self.images.glob("*.dcm"))

    def all_files(self) -> list[Path]:
        """Every image file of the set (for a synthetic set, the same as :meth:`files`)."""
        return self.files()

    def series(self, name: str) -> dict[str, Any]:
        """The manifest entry of a series, by its recipe name (e.g. ``"subdural-acute"``)."""
        for entry in self.manifest["series"]:
            if entry["name"] == name:
                return dict(entry)
        names = ", ".join(s["name"] for s in self.manifest["series"])
        raise CtlibError(f"{self.root.name}: no series called {name!r}. Known series: {names}.")

    def series_files(self, name: str) -> list[Path]:
        """The files of a series, by its name, in slice order (as the manifest lists them)."""
        return [self.path(sop) for sop in self.series(name)["files"]]

    def masks(self, series_name: str) -> dict[str, npt.NDArray[Any]]:
        """The lesion and tissue maps of a series (slices in the manifest's order).

        A set without masks (real data: see :attr:`has_masks`) gives maps of
        zeros, "nothing outlined", so that code written for the synthetic set runs.
        """
        entry = self.series(series_name)
        if not self.has_masks:
            shape = (entry["slices"], entry["matrix"], entry["matrix"])
            return {"lesion": np.zeros(shape, np.uint8), "tissue": np.zeros(shape, np.uint8),
                    "sop_instance_uids": np.array(entry["files"])}
        uid = entry["series_uid"]
        with np.load(self.root / "masks" / f"{uid}.npz") as archive:
            return {key: archive[key] for key in archive.files}

    def slice_with(
        self, series_name: str, *, tissue: int | None = None, lesion: int | None = None
    ) -> tuple[str, int]:
        """(SOP Instance UID, index) of the slice where a tissue or lesion code covers most.

        Examples
        --------
        >>> from ctlib.course.tissues import Tissue
        >>> data = open_data("sample")
        >>> sop, index = data.slice_with("normal-calcified", tissue=Tissue.VENTRICLE)
        >>> index
        0
        """
        masks = self.masks(series_name)
        kind, code = ("tissue", tissue) if tissue is not None else ("lesion", lesion)
        if code is None:
            raise CtlibError("give tissue= or lesion=, a code from ctlib.course.tissues.Tissue or Lesion")
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
        Which set; by default the folder named by the environment variable
        ``CTLIB_DATA`` if it is set (a real RSNA download, see
        :meth:`RsnaData.open`, or a synthetic set), else the full synthetic set.
        ``"sample"`` is the committed sample of 17 slices (key slices and quirk files).

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
    ('sample', 17)
    """
    chosen = os.environ.get("CTLIB_DATA")
    if chosen and kind is None:
        folder = Path(chosen).expanduser()
        if (folder / "manifest.json").is_file():
            return DataSet(folder, json.loads((folder / "manifest.json").read_text()))
        return RsnaData.open(folder)
    base = Path(os.environ.get("CTLIB_SYNTH_DIR", repo_root() / "data"))
    name = kind or "synthetic"
    root = base / name
    if (root / "manifest.json").is_file():
        return DataSet(root, json.loads((root / "manifest.json").read_text()))
    raise CtlibError(
        f"no {name} data set in {base}. Build it with `make data` in the repository folder "
        "(on Binder or Colab: `python -m ctlib.synth`, about two minutes). "
        'open_data("sample") opens the committed sample of 17 slices (key slices and quirk files) meanwhile.'
    )


def cache_dir() -> Path:
    """Where ``ctlib`` keeps what it computed about real data: ``$CTLIB_CACHE`` or ~/.cache/ctlib.

    Nothing is ever written into a data set's own folder.
    """
    return Path(os.environ.get("CTLIB_CACHE", Path.home() / ".cache" / "ctlib")).expanduser()


@dataclass(frozen=True)
class RsnaData(DataSet):
    """A real RSNA download, seen through the course's examples.

    The manifest is derived: :func:`ctlib.course.examples.choose_examples` picks a real
    series for every example name the notebooks use, from the labels and the
    headers of every file. :meth:`files` are the files of those series (the
    course's subset; :meth:`all_files` lists the whole download). There are no
    masks: :meth:`masks` gives zeros and ``manifest["quirks"]`` is ``None``.
    """

    layout: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """Always ``"rsna"``."""
        return "rsna"

    @property
    def images(self) -> Path:
        """The download's flat image folder (``stage_2_train/``)."""
        return Path(self.layout.images)

    @property
    def labels_csv(self) -> Path:
        """The download's label file (``stage_2_train.csv``)."""
        return Path(self.layout.labels_csv)

    @property
    def has_masks(self) -> bool:
        """Real data has no masks."""
        return False

    def files(self) -> list[Path]:
        """The files of the example series, sorted by name."""
        return sorted(self.path(sop) for entry in self.manifest["series"]
                      for sop in dict.fromkeys(entry["files"]))

    def all_files(self) -> list[Path]:
        """Every image of the download."""
        return sorted(self.images.glob("*.dcm"))

    def headers(self) -> Any:
        """The header table of every file (:func:`ctlib.metadata_table`), as indexed."""
        import pandas as pd

        return pd.read_pickle(self._cache() / "headers.pkl")

    def _cache(self) -> Path:
        return _cache_for(self.layout)

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, workers: int | None = None,
             progress: bool = True) -> RsnaData:
        """Open a download, indexing its headers the first time.

        Parameters
        ----------
        root : path-like
            The unzipped download (holding ``stage_2_train.csv`` and
            ``stage_2_train/``), see :func:`ctlib.rsna.find_layout`.
        workers : int, optional
            Processes that read headers the first time (default: one per CPU).
        progress : bool, optional
            Show a progress bar while indexing.

        Returns
        -------
        RsnaData

        Notes
        -----
        The first call reads the header of every file (header only, no pixels:
        about 0.1-0.2 ms per file and process when the files are cached, more
        when they come from disk; the 752,803 training images of the 2019
        challenge take minutes, not hours) and keeps the result in
        :func:`cache_dir`; later calls reuse it until the image folder or the
        label file changes.
        """
        layout = find_layout(root)
        cache = _cache_for(layout)
        stamp = _stamp(layout)
        saved = cache / "manifest.json"
        if saved.is_file():
            manifest = json.loads(saved.read_text())
            if manifest.get("stamp") == stamp:
                return cls(Path(layout.root), manifest, layout)
        files = sorted(Path(layout.images).glob("*.dcm"))
        if not files:
            raise CtlibError(f"{layout.images}: no .dcm files. Unzip the images into it.")
        table = metadata_table(files, workers=workers or os.cpu_count() or 1, progress=progress)
        joined = join_metadata(read_labels(layout.labels_csv), table)
        examples = choose_examples(joined)
        manifest = {
            "description": "Real RSNA data: the course's example series, chosen by ctlib.course.examples",
            "stamp": stamp,
            "images": len({sop for e in examples for sop in e["files"]}),
            "images_total": len(files),
            "unreadable_headers": int(table["error"].notna().sum()),
            "series": examples,
            "quirks": None,
        }
        cache.mkdir(parents=True, exist_ok=True)
        table.to_pickle(cache / "headers.pkl")
        saved.write_text(json.dumps(manifest, indent=1))
        return cls(Path(layout.root), manifest, layout)


def _cache_for(layout: Any) -> Path:
    """The cache folder of one download (named after its absolute path)."""
    key = hashlib.sha1(str(Path(layout.root).resolve()).encode()).hexdigest()[:12]
    return cache_dir() / f"rsna-{key}"


def _stamp(layout: Any) -> str:
    """Changes when files are added to or removed from the download, or the labels change."""
    images, labels = Path(layout.images).stat(), Path(layout.labels_csv).stat()
    return f"{images.st_mtime_ns}-{labels.st_size}-{labels.st_mtime_ns}"
