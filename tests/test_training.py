"""The training cache (ctlib.training, called as ctlib.prepare) on Dask: a LocalCluster started here, as a user's would be."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scanners
from distributed import Client, LocalCluster
from pydicom import dcmread
from pydicom.pixels import apply_rescale

import ctlib
from ctlib.crop import series_box
from ctlib.inputs import model_input
from ctlib.rsna import LABELS, read_labels
from ctlib.training import (
    INDEX_COLUMNS,
    Settings,
    TrainingCache,
    local_cluster,
    plan,
    prepare,
    series_inputs,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with local_cluster(2) as running:
        yield running


@pytest.fixture(scope="module")
def sample() -> ctlib.DataSet:
    return ctlib.open_data("sample")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory, cluster: LocalCluster,
          sample: ctlib.DataSet) -> Path:
    out = tmp_path_factory.mktemp("cache")
    prepare(sample, out, size=64, scheduler=cluster.scheduler_address, progress=False)
    return out


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return h.hexdigest()


def test_index_has_every_labelled_image(cache: Path, sample: ctlib.DataSet) -> None:
    index = pd.read_csv(cache / "index.csv", keep_default_na=False)
    labels = read_labels(sample.labels_csv)
    assert list(index.columns) == list(INDEX_COLUMNS)
    assert list(index["image"]) == list(labels.index)
    np.testing.assert_array_equal(index[list(LABELS)].to_numpy(), labels.to_numpy())
    assert set(index["status"]) <= {"ok", "blank", "unreadable", "skipped", "missing"}


def test_unreadable_and_blank_are_recorded_not_fatal(cache: Path, sample: ctlib.DataSet) -> None:
    index = pd.read_csv(cache / "index.csv", keep_default_na=False).set_index("image")
    quirks = sample.manifest["quirks"]
    for sop in quirks["truncated_pixel_data"]:
        assert index.loc[sop, "status"] == "unreadable"
        assert "(7FE0,0010)" in index.loc[sop, "reason"]
    blank = index[index["status"] == "blank"]
    assert len(blank) >= 1 and (blank["any"] == 0).all()


def test_arrays_are_the_model_input_of_each_file_in_slice_order(cache: Path) -> None:
    """Independent reference: pydicom's own rescale of each file, ordered by position, every
    slice cropped to the series' one box."""
    index = pd.read_csv(cache / "index.csv", keep_default_na=False)
    settings = Settings.make(64, ("brain", "subdural", "soft_tissue"), 1)
    windows = [ctlib.Window(c, w) for c, w in settings.windows]
    for uid, rows in index[index["status"].isin(["ok", "blank"])].groupby("series"):
        array = np.load(cache / "series" / f"{uid}.npy")
        assert array.shape == (len(rows), 3, 64, 64) and array.dtype == np.uint8
        rows = rows.sort_values("position")
        slices, checked, z = [], [], []
        for _, row in rows.iterrows():
            with ctlib.allow_rsna_uids():
                ds = dcmread(row["path"])
            z.append(float(ds.ImagePositionPatient[2]))
            if ds.PixelRepresentation == 0 and ds.BitsStored == 12:
                # the mislabelled files: pydicom reads them wrongly (see notebook 02); they
                # count for the box, read by ctlib, and are not compared
                slices.append(ctlib.to_hu(ds))
                continue
            hu = apply_rescale(ds.pixel_array, ds).astype(np.float32)
            hu[hu < ctlib.PADDING_BELOW_HU] = ctlib.AIR_HU  # padding shown as air, as to_hu does
            slices.append(hu)
            checked.append(len(slices) - 1)
        box = series_box(np.stack(slices))
        for k in checked:
            np.testing.assert_array_equal(array[k], model_input(slices[k], windows, size=64,
                                                                box=box))
        assert z == sorted(z)  # feet to head


def test_the_slices_of_a_series_share_one_crop(tmp_path: Path) -> None:
    """Slices from low, middle and high in a head, whose sections differ in size: cropped to
    one box, a mark at one place is on one pixel of every slice's input (cropped each to its
    own head, as before, it moves)."""
    data = ctlib.open_data()
    files = data.series_files("subdural-acute")
    copies, own = [], []
    for k in (2, len(files) // 2, len(files) - 3):
        with ctlib.allow_rsna_uids():
            ds = dcmread(files[k])
        stored = ds.pixel_array.copy()
        r, c = stored.shape[0] // 2 - 40, stored.shape[1] // 2 + 30
        stored[r - 2:r + 3, c - 2:c + 3] = round((3500 - ds.RescaleIntercept) / ds.RescaleSlope)
        ds.PixelData = stored.tobytes()
        copies.append(tmp_path / f"{k}.dcm")
        ds.save_as(copies[-1])
        own.append(model_input(ctlib.to_hu(ds), [(3000, 1000)], size=128)[0])
    array, _ = series_inputs(copies, Settings.make(128, [(3000, 1000)], 1))

    def mark(image: np.ndarray) -> tuple[int, ...]:
        return tuple(int(i) for i in np.unravel_index(np.argmax(image), image.shape))

    assert len({mark(a[0]) for a in array}) == 1
    assert len({mark(image) for image in own}) == 3


def test_a_second_run_does_nothing_and_gives_the_same_index(cache: Path, cluster: LocalCluster,
                                                            sample: ctlib.DataSet) -> None:
    before = {p: p.stat().st_mtime_ns for p in (cache / "series").iterdir()}
    first = (cache / "index.csv").read_bytes()
    prepare(sample, cache, size=64, scheduler=cluster.scheduler_address, progress=False)
    assert {p: p.stat().st_mtime_ns for p in (cache / "series").iterdir()} == before
    assert (cache / "index.csv").read_bytes() == first


def test_resumes_what_is_missing(tmp_path: Path, cache: Path, cluster: LocalCluster,
                                 sample: ctlib.DataSet) -> None:
    """A run stopped half-way (here: two series deleted, a partial file left) is completed."""
    out = tmp_path / "cache"
    shutil.copytree(cache, out)
    arrays = sorted((out / "series").glob("*.npy"))
    kept = {p: p.stat().st_mtime_ns for p in arrays[2:]}
    for path in arrays[:2]:
        path.with_suffix(".csv").unlink()
        path.rename(path.with_name(path.name + ".partial"))
    with Client(cluster) as client:
        prepare(sample, out, size=64, scheduler=client, progress=False)
    assert {p: p.stat().st_mtime_ns for p in arrays[2:]} == kept
    assert all(p.is_file() for p in arrays[:2])
    assert (out / "index.csv").read_bytes() == (cache / "index.csv").read_bytes().replace(
        str(cache).encode(), str(out).encode())


def test_nothing_is_written_into_the_data_set(tmp_path: Path, sample: ctlib.DataSet) -> None:
    copy = tmp_path / "sample"
    shutil.copytree(sample.root, copy)
    before = digest(copy)
    prepare(copy, tmp_path / "out", size=32, workers=1, progress=False)
    assert digest(copy) == before
    with pytest.raises(ctlib.ArgumentError, match="inside the data set"):
        prepare(copy, copy / "cache", workers=1, progress=False)
    assert digest(copy) == before


def test_other_settings_are_refused(cache: Path, sample: ctlib.DataSet) -> None:
    with pytest.raises(ctlib.ArgumentError, match="holds a cache made with"):
        prepare(sample, cache, size=128, workers=1, progress=False)


def test_a_cache_of_the_data_elsewhere_is_refused(tmp_path: Path, cache: Path,
                                                  sample: ctlib.DataSet) -> None:
    """The same data at another path (a second checkout) would match none of the cached rows."""
    moved = tmp_path / "sample"
    shutil.copytree(sample.root, moved)
    with pytest.raises(ctlib.ArgumentError, match="holds a cache of the data at"):
        prepare(moved, cache, size=64, workers=1, progress=False)


def test_training_cache_gives_25d_inputs_and_labels(cache: Path) -> None:
    data = TrainingCache(cache)
    index = data.index
    assert len(data) == (index["status"] == "ok").sum() > 0
    for i in range(len(data)):
        x, y = data[i]
        row = index.iloc[i]
        series = np.load(cache / "series" / f"{row['series']}.npy")
        assert x.shape == (9, 64, 64) and x.dtype == np.float32 and 0 <= x.min() <= x.max() <= 1
        middle = series[row["position"]].astype(np.float32) / 255
        np.testing.assert_array_equal(x[3:6], middle)
        np.testing.assert_array_equal(y, row[list(LABELS)].to_numpy(float))
    train = TrainingCache(cache, split="train")
    assert 0 < len(train) < len(data) and set(train.index["split"]) == {"train"}


def test_plan_splits_by_patient(sample: ctlib.DataSet) -> None:
    todo = plan(sample, progress=False)
    assert (todo.groupby("patient")["split"].nunique() == 1).all()
    split = pd.read_csv(sample.root / "split.csv").set_index("PatientID")["split"]
    assert (todo["split"] == todo["patient"].map(split)).all()


def test_a_download_without_split_file_is_split_by_patient_hash(tmp_path: Path,
                                                                sample: ctlib.DataSet) -> None:
    copy = tmp_path / "rsna"
    shutil.copytree(sample.root, copy)
    (copy / "split.csv").unlink()
    todo = plan(copy, progress=False)
    assert set(todo["split"]) <= {"train", "valid"}
    assert (todo.groupby("patient")["split"].nunique() == 1).all()
    assert (plan(copy, progress=False)["split"] == todo["split"]).all()  # the same every run


def test_series_with_a_scout_and_mixed_sizes(tmp_path: Path) -> None:
    """As scanners write them: the scout is skipped; a series load_series refuses is read
    file by file, in z order, with the reason on every row."""
    series = "1.2.826.0.1.3680043.8.498.1"
    study = "1.2.826.0.1.3680043.8.498.2"
    paths = scanners.write_series(tmp_path / "a", scanners.even(count=4), study=study,
                                  series=series)
    scout = scanners.localizer(tmp_path / "a" / "scout", study=study, series=series)
    settings = Settings.make(32, ("brain",), 1)
    array, status = series_inputs([scout, *paths[::-1]], settings)
    assert array.shape == (4, 1, 32, 32)
    by_path = status.set_index("path")
    assert by_path.loc[str(scout), "status"] == "skipped"
    assert [by_path.loc[str(p), "position"] for p in paths] == [0, 1, 2, 3]

    other = scanners.write_series(tmp_path / "b", scanners.even(count=1, first=100.0), size=40,
                                  study=study, series=series)
    array, status = series_inputs([*paths, *other], settings)
    assert array.shape == (5, 1, 32, 32)
    assert status["reason"].str.startswith("read file by file").all()


def test_a_failing_series_is_recorded_and_the_run_goes_on(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           sample: ctlib.DataSet) -> None:
    """An error nobody foresaw, in one series, marks that series' files; the others are done."""
    from ctlib import training

    real = training.series_inputs
    broken = sample.series("subdural-acute")["series_uid"]
    files = {str(p) for p in sample.series_files("subdural-acute")}

    def sometimes(paths, settings):  # type: ignore[no-untyped-def]
        if files & {str(p) for p in paths}:
            raise MemoryError("simulated")
        return real(paths, settings)

    monkeypatch.setattr(training, "series_inputs", sometimes)
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        index = prepare(sample, tmp_path / "out", size=32, scheduler=client, progress=False)
    failed = index[index["series"] == broken]
    assert len(failed) and (failed["status"] == "unreadable").all()
    assert failed["reason"].str.contains("MemoryError: simulated").all()
    assert (index.loc[index["series"] != broken, "status"] != "").all()


def test_local_workers_keep_glibcs_default_malloc(cluster: LocalCluster) -> None:
    """Dask's MALLOC_TRIM_THRESHOLD_ makes this work 2.3x slower; the local cluster drops it."""
    import os

    with Client(cluster) as client:
        seen = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(seen) == 2 and set(seen.values()) == {None}


def test_a_missing_file_is_recorded_and_the_header_cache_still_serves(
        tmp_path: Path, sample: ctlib.DataSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """A labelled image whose file is gone is 'missing'; the second plan reads no header."""
    copy = tmp_path / "sample"
    shutil.copytree(sample.root, copy)
    gone = min((copy / "images").glob("*.dcm"))
    gone.unlink()
    cache = tmp_path / "headers.csv"
    first = plan(copy, progress=False, cache=cache)
    row = first.set_index("image").loc[gone.stem]
    assert (row["status"], row["reason"]) == ("missing", "file not found")
    assert (first["status"] == "missing").sum() == 1

    def no_reading(paths):  # type: ignore[no-untyped-def]
        raise AssertionError("headers read again although the cache holds them")

    monkeypatch.setattr("ctlib.training._header_chunk", no_reading)
    again = plan(copy, progress=False, cache=cache)
    pd.testing.assert_frame_equal(again, first)
