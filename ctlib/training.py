"""A whole data set, once, into model-ready arrays and an index table: on Dask.

Training a network reads every image many times; decoding DICOM, converting to HU, windowing,
cropping and resizing each time would cost more than the network itself. :func:`prepare` does it
once, on a Dask cluster (this machine's cores by default, or any cluster given its scheduler's
address), and writes:

``out/series/<SeriesInstanceUID>.npy``
    One array per series, ``uint8``, shape (slices, windows, size, size), the slices sorted
    along the series' normal (:func:`ctlib.load_series`). One ``.npy`` per series because
    training code reads it with nothing but numpy (``numpy.load(path, mmap_mode="r")`` reads
    one slice without the rest), and a slice's neighbours, which a 2.5D input needs, are in the
    same file. (Zarr would add a dependency for no gain at this size: the RSNA set is about
    20,000 series of 30–60 slices.)
``out/index.csv``
    One row per labelled image: ``image, patient, study, series, position`` (its row in the
    series' array), the six labels, ``split``, ``status`` (``ok``, ``blank``, ``unreadable``,
    ``skipped`` or ``missing``) and ``reason``.
``out/prepare.json``
    The settings, so that a second run with other settings is refused instead of mixing them.

A second run does only what is missing (each series is written to a temporary name, then
renamed: a run stopped half-way leaves no half-written series), and nothing is ever written
into the data set's own folder.

Memory: each worker holds one series at a time: its HU (4 bytes a pixel: 1 MiB a 512 × 512
slice) and its output (``windows × size²`` bytes a slice), about 1.3 MiB a slice at the defaults,
so 40–80 MiB for a usual 30–60-slice head series, whatever the data set's size; the client
keeps only the index rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ctlib.channels import channel_window
from ctlib.crop import series_box
from ctlib.errors import ArgumentError, CtlibError, SeriesWarning
from ctlib.hu import to_hu
from ctlib.inputs import MODEL_WINDOWS, is_blank, model_input, stack_25d
from ctlib.metadata import metadata_table
from ctlib.reading import read
from ctlib.rsna import LABELS, find_layout, read_labels
from ctlib.series import load_series
from ctlib.window import Window

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

__all__ = ["INDEX_COLUMNS", "Settings", "TrainingCache", "local_cluster", "plan", "prepare",
           "prepare_series", "series_inputs"]

#: The index table's columns, in order.
INDEX_COLUMNS: tuple[str, ...] = ("image", "patient", "study", "series", "position", *LABELS,
                                  "split", "status", "reason", "path")
#: Files per header-reading task (a few seconds of work each).
HEADER_CHUNK = 2000
_MISSING = "file not found"
_HEADER_COLUMNS = ["path", "SOPInstanceUID", "PatientID", "StudyInstanceUID",
                   "SeriesInstanceUID", "ImagePositionPatient_2", "error"]


@dataclass(frozen=True)
class Settings:
    """What a training cache holds: image size, the windows as channels, the 2.5D context.

    ``context`` is not stored as extra channels (that would triple the cache): each series'
    array holds every slice once, and :class:`TrainingCache` stacks the neighbours on reading.
    """

    size: int
    windows: tuple[tuple[float, float], ...]
    context: int
    #: How the inputs are made (:func:`ctlib.inputs.model_input`); raised when that changes,
    #: so that an old cache is refused rather than mixed with new series. 2: one crop box per
    #: series (1 cropped each slice to its own box).
    format: int = 2

    @classmethod
    def make(cls, size: int, windows: Sequence[Window | str | tuple[float, float]],
             context: int) -> Settings:
        """Check the arguments and give the settings (windows as (center, width) pairs)."""
        if not isinstance(size, int | np.integer) or size < 8:
            raise ArgumentError(f"size must be an integer of at least 8 pixels, got {size!r}.")
        if not isinstance(context, int | np.integer) or context < 0:
            raise ArgumentError(f"context must be 0 or more slices, got {context!r}.")
        if len(windows) == 0:
            raise ArgumentError("give at least one window, e.g. windows=('brain',).")
        pairs = []
        for entry in windows:
            win = channel_window(entry)
            pairs.append((float(win.center), float(win.width)))
        return cls(int(size), tuple(pairs), int(context))


def plan(data: Any, *, images: Sequence[str] | None = None, client: Client | None = None,
         progress: bool = True, cache: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every labelled image with its series, patient, split and source file: the work to do.

    Parameters
    ----------
    data : path-like or a data set
        An RSNA-style folder (the Kaggle download, or the course's ``data/synthetic``), or an
        object with a ``root`` attribute, such as :func:`ctlib.open_data`'s.
    images : sequence of str, optional
        Only these images (SOP Instance UIDs, ``ID_…``), e.g. a few series of a real
        download to try the pipeline on; default every labelled image.
    client : distributed.Client, optional
        Read the headers on this cluster (in chunks of :data:`HEADER_CHUNK` files); without
        one, in this process.
    progress : bool
        A progress bar over the header chunks.
    cache : path-like, optional
        A CSV file to keep the headers in (read back if it exists: :func:`prepare` passes
        ``out/headers.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INDEX_COLUMNS` (``position`` -1 and ``status`` empty until
        prepared) plus ``z`` (the position along the patient axis, for ordering), in the
        label file's order. Images whose file is missing or unreadable have that status.

    Examples
    --------
    >>> from ctlib import open_data
    >>> todo = plan(open_data("sample"), progress=False)
    >>> len(todo), todo["series"].nunique(), sorted(todo["split"].unique())
    (17, 14, ['test', 'train'])
    """
    root = _root(data)
    layout = find_layout(root)
    labels = read_labels(layout.labels_csv)
    if images is not None:
        wanted = list(images)
        unknown = [image for image in wanted if image not in labels.index]
        if unknown:
            raise ArgumentError(f"{layout.labels_csv}: {len(unknown)} of the images given have "
                                f"no labels, e.g. {unknown[:3]}. Give SOP Instance UIDs of the "
                                "label file (ID_...).")
        labels = labels.loc[wanted]
    paths = [layout.images / f"{image}.dcm" for image in labels.index]
    headers = _headers(paths, client, progress, None if cache is None else Path(cache))
    by_path = headers.set_index("path")
    rows = pd.DataFrame({"image": labels.index, "path": [str(p) for p in paths]})
    found = by_path.reindex(rows["path"])
    rows["patient"] = found["PatientID"].to_numpy()
    rows["study"] = found["StudyInstanceUID"].to_numpy()
    rows["series"] = found["SeriesInstanceUID"].to_numpy()
    rows["z"] = found["ImagePositionPatient_2"].to_numpy()
    rows["position"] = -1
    for label in LABELS:
        rows[label] = labels[label].to_numpy()
    rows["split"] = _splits(root, rows["patient"])
    error = found["error"].to_numpy()
    failed = pd.notna(error)
    rows["status"] = np.where(error == _MISSING, "missing", np.where(failed, "unreadable", ""))
    rows["reason"] = np.where(failed, error, "")
    return rows[[*INDEX_COLUMNS, "z"]]


def series_inputs(paths: Sequence[str | os.PathLike[str]], settings: Settings
                  ) -> tuple[npt.NDArray[np.uint8], pd.DataFrame]:
    """One series' model inputs, sorted along its normal, and each file's status.

    Parameters
    ----------
    paths : sequence of path-like
        The series' files, in any order.
    settings : Settings

    Returns
    -------
    array : numpy.ndarray of uint8, shape (slices, windows, size, size)
    status : pandas.DataFrame
        One row per file given: ``path``, ``position`` (its row in ``array``, -1 if left
        out), ``status`` (``ok``, ``blank`` or ``skipped``) and ``reason``.

    Notes
    -----
    :func:`ctlib.load_series` sorts the slices and leaves out what is not a slice (a
    localizer, a dose screen) or cannot be read, each with its reason. A series it refuses as
    a whole (slices of different sizes, two at one position) is read file by file instead, in
    the order of (0020,0032)'s z, and the reason is kept on every row.

    Every slice of a series is cropped to one box (:func:`ctlib.crop.series_box`), so that
    the neighbours :class:`TrainingCache` stacks as 2.5D channels are aligned pixel for pixel;
    a series read file by file is cropped slice by slice.

    Examples
    --------
    >>> from ctlib import open_data
    >>> data = open_data("sample")
    >>> settings = Settings.make(64, ("brain", "subdural"), 1)
    >>> array, status = series_inputs(data.series_files("subdural-acute"), settings)
    >>> array.shape, status["status"].tolist()
    ((1, 2, 64, 64), ['ok'])
    """
    windows = [Window(c, w) for c, w in settings.windows]
    note = ""
    # One crop for the whole series, so that neighbouring slices stacked as 2.5D channels show
    # the same place in the head; slices of different sizes can only be cropped one by one.
    box: tuple[slice, slice] | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeriesWarning)  # uneven steps do not matter here
            volume = load_series(paths)
        box = series_box(volume.hu)
        slices: list[npt.NDArray[np.float32]] = list(volume.hu)
        ordered = [str(p) for p in volume.files]
        skipped = [(str(p), reason) for p, reason in volume.skipped]
    except CtlibError as exc:
        note = f"read file by file: {exc}"
        slices, ordered, skipped = [], [], []
        for path in paths:
            try:
                slices.append(to_hu(read(path)))
                ordered.append(str(path))
            except CtlibError as error:
                skipped.append((str(path), str(error)))
    array = np.empty((len(slices), len(windows), settings.size, settings.size), np.uint8)
    statuses = []
    for k, (path, hu) in enumerate(zip(ordered, slices, strict=True)):
        array[k] = model_input(hu, windows, size=settings.size, box=box)
        statuses.append((path, k, "blank" if is_blank(hu) else "ok", note))
    statuses += [(path, -1, "skipped", reason) for path, reason in skipped]
    return array, pd.DataFrame(statuses, columns=["path", "position", "status", "reason"])


def prepare(
    data: Any,
    out: str | os.PathLike[str],
    *,
    size: int = 256,
    windows: Sequence[Window | str | tuple[float, float]] = MODEL_WINDOWS,
    context: int = 1,
    images: Sequence[str] | None = None,
    scheduler: str | Client | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Convert every labelled image of a data set into a training cache, on Dask.

    Parameters
    ----------
    data : path-like or a data set
        As in :func:`plan`: the course's set (``ctlib.open_data()``) or a real RSNA
        download (the folder ``CTLIB_DATA`` names).
    out : path-like
        The cache's folder (created; not inside the data set's folder).
    size : int
        Rows and columns of every image (:func:`ctlib.inputs.model_input`).
    windows : sequence of Window, str or (center, width)
        The channels (default brain, subdural, soft tissue).
    context : int
        Neighbours on each side that :class:`TrainingCache` stacks (1: three slices).
    images : sequence of str, optional
        Only these images (as in :func:`plan`); the index then lists only them.
    scheduler : str or distributed.Client, optional
        ``None``: a local cluster of ``workers`` processes (default: this machine's cores),
        closed at the end. A string: the address of a running Dask scheduler
        (``"tcp://10.0.0.5:8786"``), whose workers must see ``data`` and ``out`` at the same
        paths (a shared disk) and have ``ctlib`` installed. Or a connected ``Client``.
    workers : int, optional
        Processes of the local cluster (ignored with ``scheduler``).
    progress : bool
        Progress bars (headers, then series).

    Returns
    -------
    pandas.DataFrame
        The index (also written to ``out/index.csv``): one row per labelled image,
        columns :data:`INDEX_COLUMNS`.

    Raises
    ------
    ArgumentError
        ``out`` inside the data set, or holding a cache made with other settings.

    Notes
    -----
    Dask starts its workers as new Python processes, which import the calling script: in a
    script (not in a notebook), call :func:`prepare` under ``if __name__ == "__main__":``.

    Examples
    --------
    >>> import tempfile
    >>> from ctlib import open_data
    >>> with tempfile.TemporaryDirectory() as out:
    ...     index = prepare(open_data("sample"), out, size=64, workers=1, progress=False)
    ...     cache = TrainingCache(out)
    ...     x, y = cache[0]
    >>> index["status"].value_counts().to_dict(), x.shape, y.tolist()
    ({'ok': 15, 'blank': 1, 'unreadable': 1}, (9, 64, 64), [0.0, 0.0, 0.0, 1.0, 0.0, 1.0])
    """
    settings = Settings.make(size, windows, context)
    root = _root(data).resolve()
    target = Path(out).resolve()
    if target == root or root in target.parents:
        raise ArgumentError(f"{target} is inside the data set's folder {root}: ctlib never "
                            "writes there. Give a folder elsewhere, e.g. ~/ctlib-cache.")
    (target / "series").mkdir(parents=True, exist_ok=True)
    _check_settings(target, settings, root)
    with ExitStack() as stack:
        client = _client(stack, scheduler, workers)
        todo = plan(data, images=images, client=client, progress=progress,
                    cache=target / "headers.csv")
        readable = todo[(todo["status"] == "") & todo["series"].notna()]
        groups = {str(uid): sorted(rows["path"]) for uid, rows in readable.groupby("series")}
        done = prepare_series(groups, target, settings, client, progress=progress)
    index = _index(todo, done)
    index.to_csv(target / "index.csv", index=False)
    return index


class TrainingCache:
    """What :func:`prepare` wrote, as ``(input, labels)`` pairs a training loop can index.

    ``cache[i]`` is the 2.5D input of the ``i``-th usable image of ``cache.index`` (status
    ``ok``; blank, skipped and unreadable images are left out): its slice and ``context``
    neighbours on each side, below to above, each with every window, as float32 in [0, 1],
    shape ((2 × context + 1) × windows, size, size); and its six labels.

    Parameters
    ----------
    out : path-like
        The folder :func:`prepare` wrote.
    split : str, optional
        Keep only this split (``"train"``, ``"test"``…).
    """

    def __init__(self, out: str | os.PathLike[str], split: str | None = None) -> None:
        self.folder = Path(out)
        config = self.folder / "prepare.json"
        if not config.is_file():
            raise ArgumentError(f"{self.folder}: no prepare.json. Make the cache first with "
                                "ctlib.prepare(data, out).")
        stored = json.loads(config.read_text())
        self.settings = Settings(stored["size"], tuple(map(tuple, stored["windows"])),
                                 stored["context"], stored.get("format", 0))
        index = pd.read_csv(self.folder / "index.csv", keep_default_na=False)
        usable = index[index["status"] == "ok"]
        if split is not None:
            usable = usable[usable["split"] == split]
        self.index = usable.reset_index(drop=True)
        self._arrays: dict[str, npt.NDArray[np.uint8]] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __iter__(self) -> Iterator[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]:
        for i in range(len(self)):
            yield self[i]

    def series(self, uid: str) -> npt.NDArray[np.uint8]:
        """A series' array, memory-mapped (nothing is read until used)."""
        if uid not in self._arrays:
            self._arrays[uid] = np.load(self.folder / "series" / f"{uid}.npy", mmap_mode="r")
        return self._arrays[uid]

    def __getitem__(self, i: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        row = self.index.iloc[i]
        stacked = stack_25d(self.series(str(row["series"])), int(row["position"]),
                            self.settings.context)
        labels: npt.NDArray[np.float32] = row[list(LABELS)].to_numpy(dtype=np.float32)
        image: npt.NDArray[np.float32] = stacked.astype(np.float32) / np.float32(255)
        return image, labels


# --- the work, and Dask -----------------------------------------------------------------


def local_cluster(workers: int | None = None) -> LocalCluster:
    """A Dask cluster of ``workers`` processes on this machine (default: one per core).

    One thread per worker (pydicom's parsing is Python, which threads would serialise), the
    scheduler's web page on a free port of 127.0.0.1 (so that two clusters, or a user's own,
    never compete for port 8787, and nothing listens beyond this machine).

    Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536`` to give memory back to the
    system sooner; for this work, which allocates and frees a megabyte per slice, that makes
    glibc map and unmap every slice's buffers and a worker 2.3 times slower (measured: 12.9
    against 5.5 ms per file). The workers started here leave glibc's default. Start the
    workers of a cluster of your own with ``MALLOC_TRIM_THRESHOLD_`` unset likewise.

    Returns
    -------
    distributed.LocalCluster
        Use it as a context manager, or close it.
    """
    import dask
    from distributed import LocalCluster

    n = workers if workers is not None else os.cpu_count() or 1
    if n < 1:
        raise ArgumentError(f"workers must be 1 or more, got {n}.")
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster: LocalCluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                             dashboard_address=":0", host="127.0.0.1")
    return cluster


def _client(stack: ExitStack, scheduler: str | Client | None, workers: int | None) -> Client:
    """The client to run on: a given one, one connected to an address, or a local cluster."""
    from distributed import Client  # heavy (0.5 s): only when preparing

    if scheduler is None:
        cluster = stack.enter_context(local_cluster(workers))
        client: Client = stack.enter_context(Client(cluster))
        return client
    if isinstance(scheduler, str):
        connected: Client = stack.enter_context(Client(scheduler))
        return connected
    return scheduler


def _headers(paths: list[Path], client: Client | None, progress: bool,
             cache: Path | None) -> pd.DataFrame:
    """The header columns :func:`plan` needs, read in chunks (on ``client`` if given)."""
    if cache is not None and cache.is_file():
        saved = pd.read_csv(cache, dtype={"error": object})
        if len(saved) == len(paths) and (saved["path"] == [str(p) for p in paths]).all():
            return saved
    existing = [p for p in paths if p.is_file()]
    chunks = [existing[k:k + HEADER_CHUNK] for k in range(0, len(existing), HEADER_CHUNK)]
    if client is None:
        tables = [_header_chunk(chunk) for chunk in _bar(chunks, progress, "headers")]
    else:
        from distributed import as_completed

        futures = client.map(_header_chunk, chunks, pure=False)
        order = {f.key: k for k, f in enumerate(futures)}
        results: dict[int, pd.DataFrame] = {}
        for future in _bar(as_completed(futures), progress, "headers", total=len(futures)):
            results[order[future.key]] = future.result()
        tables = [results[k] for k in range(len(chunks))]
    present = set(existing)
    gone = pd.DataFrame({"path": [str(p) for p in paths if p not in present], "error": _MISSING})
    found = [t for t in (*tables, gone) if len(t)]
    headers = pd.concat(found, ignore_index=True) if found else pd.DataFrame(
        columns=_HEADER_COLUMNS)
    # in the order asked for, missing files included: a second run finds the cache complete
    headers = headers.set_index("path").reindex([str(p) for p in paths]).reset_index()
    headers = headers[_HEADER_COLUMNS]
    if cache is not None:
        headers.to_csv(cache, index=False)
    return headers


def _header_chunk(paths: list[Path]) -> pd.DataFrame:
    table = metadata_table(paths, progress=False)
    table["path"] = [str(p) for p in paths]
    return table[_HEADER_COLUMNS]


def prepare_series(groups: Mapping[str, Sequence[str]], out: str | os.PathLike[str],
                   settings: Settings, client: Client, *, progress: bool = True
                   ) -> pd.DataFrame:
    """Prepare every series of ``groups`` not yet in ``out``, one task per series, on ``client``.

    The step of :func:`prepare` after :func:`plan`, for a list of series made another way
    (``benchmarks/bench_prepare.py`` uses it on a replicated set).

    Parameters
    ----------
    groups : mapping of str to sequence of str
        Series key (the file name in ``out/series``) → its files.
    out : path-like
        The cache's folder (``out/series`` must exist).
    settings : Settings
    client : distributed.Client
    progress : bool

    Returns
    -------
    pandas.DataFrame
        Every file's status row (``path, position, status, reason``), the finished series'
        read back from ``out``.
    """
    from distributed import as_completed

    folder = Path(out) / "series"
    finished = [pd.read_csv(folder / f"{key}.csv", keep_default_na=False)
                for key in groups if (folder / f"{key}.csv").is_file()]
    missing = [key for key in groups if not (folder / f"{key}.csv").is_file()]
    futures = client.map(_series_task, missing, [list(groups[key]) for key in missing],
                         out=str(out), settings=settings, pure=False)
    for future in _bar(as_completed(futures), progress, "series", total=len(futures)):
        finished.append(future.result())
        future.release()  # the client keeps no result it no longer needs
    if not finished:
        return pd.DataFrame(columns=["path", "position", "status", "reason"])
    return pd.concat(finished, ignore_index=True)


def _series_task(uid: str, paths: list[str], *, out: str, settings: Settings) -> pd.DataFrame:
    """On a worker: one series to ``out/series/<uid>.npy`` and its status rows to ``.csv``.

    Whatever goes wrong with one series is recorded on its rows, so that it never stops a run
    of thousands.
    """
    try:
        array, status = series_inputs(paths, settings)
    except Exception as exc:  # noqa: BLE001 - any failure of one series is that series' status
        array = np.empty((0, len(settings.windows), settings.size, settings.size), np.uint8)
        reason = f"the series failed: {type(exc).__name__}: {exc}"
        status = pd.DataFrame({"path": list(paths), "position": -1, "status": "unreadable",
                               "reason": reason})
    folder = Path(out) / "series"
    partial = folder / f"{uid}.npy.partial"
    with partial.open("wb") as stream:
        np.save(stream, array)
    os.replace(partial, folder / f"{uid}.npy")
    partial_csv = folder / f"{uid}.csv.partial"
    status.to_csv(partial_csv, index=False)
    os.replace(partial_csv, folder / f"{uid}.csv")  # written last: the series is done
    return status


def _index(todo: pd.DataFrame, done: pd.DataFrame) -> pd.DataFrame:
    """The plan with each prepared file's position, status and reason filled in."""
    index = todo.drop(columns="z").copy()
    if len(done):
        by_path = done.set_index("path")
        found = index["path"].isin(by_path.index) & (index["status"] == "")
        matched = by_path.reindex(index.loc[found, "path"])
        index.loc[found, "position"] = matched["position"].to_numpy()
        index.loc[found, "status"] = matched["status"].to_numpy()
        index.loc[found, "reason"] = matched["reason"].to_numpy()
    index["position"] = index["position"].astype(int)
    return index[list(INDEX_COLUMNS)]


def _root(data: Any) -> Path:
    """The folder of a data set given as a path or as an object with a ``root`` folder."""
    if isinstance(data, str | os.PathLike):
        return Path(data)
    root = getattr(data, "root", None)
    if root is None:
        raise ArgumentError(f"data must be a folder or a data set (ctlib.open_data()), got "
                            f"{type(data).__name__}.")
    return Path(root)


def _splits(root: Path, patients: pd.Series) -> npt.NDArray[np.str_]:
    """Each image's split: from the set's ``split.csv``, else 1 in 5 patients held out.

    The real RSNA download has no split file: a patient's split is then decided by a hash of
    the PatientID (``valid`` for 20 %), so that all of one patient's images stay together and
    the split is the same on every machine and every run.
    """
    file = root / "split.csv"
    if file.is_file():
        table = pd.read_csv(file).set_index("PatientID")["split"]
        return np.asarray(patients.map(table).fillna("unassigned"), dtype=str)

    def hashed(patient: object) -> str:
        if not isinstance(patient, str):
            return "unassigned"
        digest = hashlib.sha256(patient.encode()).digest()
        return "valid" if digest[0] % 5 == 0 else "train"

    return np.asarray([hashed(p) for p in patients], dtype=str)


def _check_settings(out: Path, settings: Settings, root: Path) -> None:
    """Write the settings and the data's folder, or refuse a cache made otherwise.

    The series' status rows name their source files: a cache made from the same data at
    another path (a second checkout, a moved download) would match none of them.
    """
    config = out / "prepare.json"
    wanted: dict[str, Any] = asdict(settings)
    wanted["windows"] = [list(w) for w in settings.windows]
    wanted["data"] = str(root)
    if config.is_file():
        stored = json.loads(config.read_text())
        if stored.get("data") != wanted["data"]:
            raise ArgumentError(f"{out} holds a cache of the data at {stored.get('data')}, not "
                                f"{root}. Give another folder, or delete this one.")
        if stored != wanted:
            raise ArgumentError(f"{out} holds a cache made with {stored}, not {wanted}. Give "
                                "another folder, or delete this one to start again.")
        return
    config.write_text(json.dumps(wanted, indent=1) + "\n")


def _bar(items: Any, progress: bool, what: str, total: int | None = None) -> Any:
    if not progress:
        return items
    from tqdm.auto import tqdm  # as metadata_table: loaded only with a bar

    return tqdm(items, total=total, desc=what, unit=what.split()[0].rstrip("s"))
