"""The door to real data: RSNA labels, layout, joins, example choice and CTLIB_DATA."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import ctlib
from ctlib.course.data import RsnaData
from ctlib.course.examples import ROLES
from ctlib.rsna import (
    LABELS,
    every_image,
    find_layout,
    join_metadata,
    locate,
    read_labels,
    submission,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pathlib import Path

import run_notebooks as _notebooks


def rsna_layout(synthetic: ctlib.DataSet, root: Path) -> Path:
    """The synthetic set arranged as the Kaggle download: no manifest, no masks."""
    images = root / "stage_2_train"
    images.mkdir(parents=True)
    for path in synthetic.files():
        (images / path.name).symlink_to(path)
    shutil.copy(synthetic.labels_csv, root / "stage_2_train.csv")
    return root


def tree_fingerprint(root: Path) -> dict[str, tuple[str, int]]:
    """Hash and modification time of every entry, to prove nothing was written."""
    return {
        str(p.relative_to(root)): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir",
            p.lstat().st_mtime_ns,
        )
        for p in sorted(root.rglob("*"))
    }


class TestLabels:
    """read_labels against the synthetic labels.csv."""

    def test_round_trip(self, synthetic: ctlib.DataSet) -> None:
        """Wide back to long gives exactly the file's rows, minus the one repeated row."""
        raw = pd.read_csv(synthetic.labels_csv)
        wide = read_labels(synthetic.labels_csv)
        assert wide.attrs["duplicates"] == 1 == int(raw.duplicated().sum())
        long = wide.reset_index().melt(id_vars="SOPInstanceUID", var_name="label",
                                       value_name="Label")
        ids = long["SOPInstanceUID"] + "_" + long["label"]
        back = pd.DataFrame({"ID": ids, "Label": long["Label"]})
        expected = raw.drop_duplicates()
        assert len(back) == len(expected) == 6 * synthetic.manifest["images"]
        merged = expected.merge(back, on="ID", suffixes=("_file", "_read"))
        assert len(merged) == len(expected)
        assert (merged["Label_file"] == merged["Label_read"]).all()

    def test_counts_match_manifest(self, synthetic: ctlib.DataSet) -> None:
        """Positive slices per subtype equal what the generator recorded."""
        wide = read_labels(synthetic.labels_csv)
        assert wide.sum().to_dict() == synthetic.manifest["positive_slices"]
        assert list(wide.columns) == list(LABELS)


class TestLayout:
    """find_layout and locate."""

    def test_kaggle_names(self, synthetic: ctlib.DataSet, tmp_path: Path) -> None:
        """stage_2_train.csv + stage_2_train/ is found; the course's names too."""
        layout = find_layout(rsna_layout(synthetic, tmp_path))
        assert layout.labels_csv.name == "stage_2_train.csv"
        assert layout.images.name == "stage_2_train"
        assert find_layout(synthetic.root).images == synthetic.images

    def test_not_a_download(self, tmp_path: Path) -> None:
        """A folder without labels and images says what it looked for."""
        with pytest.raises(ctlib.CtlibError, match="stage_2_train.csv"):
            find_layout(tmp_path)

    def test_locate(self, synthetic: ctlib.DataSet) -> None:
        """Paths in the order asked; missing files counted and named."""
        ids = list(read_labels(synthetic.labels_csv).index[:5])[::-1]
        assert [p.stem for p in locate(synthetic.images, ids)] == ids
        with pytest.raises(ctlib.CtlibError, match=r"1 of 6 images .* ID_nothere\.dcm"):
            locate(synthetic.images, [*ids, "ID_nothere"])


class TestJoin:
    """join_metadata."""

    def test_every_image_joined(self, synthetic: ctlib.DataSet, joined: pd.DataFrame) -> None:
        """All 646 images have labels and headers; labels and series line up."""
        assert len(joined) == synthetic.manifest["images"]
        assert joined.attrs == {"unlabelled_files": 0, "missing_files": 0}
        entry = synthetic.series("epidural-swirl")
        rows = joined.loc[entry["files"]]
        assert (rows["SeriesInstanceUID"] == entry["series_uid"]).all()
        assert rows["epidural"].sum() > 0 and rows["subdural"].sum() == 0

    def test_counts_the_rest(self, synthetic: ctlib.DataSet) -> None:
        """Headers without labels and labels without headers are counted, not joined."""
        labels = read_labels(synthetic.labels_csv)
        table = ctlib.metadata_table(synthetic.files()[:10], progress=False)
        some = join_metadata(labels.drop(index=table["SOPInstanceUID"].iloc[0]), table)
        assert len(some) == 9
        assert some.attrs == {"unlabelled_files": 1, "missing_files": len(labels) - 10}

    def test_refuses_copies(self, synthetic: ctlib.DataSet) -> None:
        """The same image twice in the header table is an error naming the UID."""
        table = ctlib.metadata_table(synthetic.files()[:3], progress=False)
        doubled = pd.concat([table, table.iloc[:1]], ignore_index=True)
        uid = table["SOPInstanceUID"].iloc[0]
        with pytest.raises(ctlib.CtlibError, match=f"{uid} appears in 2 files"):
            join_metadata(read_labels(synthetic.labels_csv), doubled)
        with pytest.raises(ctlib.CtlibError, match="no SOPInstanceUID column"):
            join_metadata(read_labels(synthetic.labels_csv), table.drop(columns="SOPInstanceUID"))


class TestRsnaData:
    """RsnaData.open and CTLIB_DATA."""

    def test_open_and_cache(self, synthetic: ctlib.DataSet, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
        """Index once, reuse the cache, re-index when the labels change; write nothing in place."""
        monkeypatch.setenv("CTLIB_CACHE", str(tmp_path / "cache"))
        root = rsna_layout(synthetic, tmp_path / "download")
        before = tree_fingerprint(root)
        data = RsnaData.open(root, progress=False)
        assert data.name == "rsna" and not data.has_masks
        assert data.manifest["images_total"] == synthetic.manifest["images"]
        assert len(data.manifest["series"]) == len(ROLES)
        assert len(data.files()) == data.manifest["images"] <= len(data.all_files())
        assert data.headers()["SOPInstanceUID"].nunique() == synthetic.manifest["images"]
        masks = data.masks("subdural-acute")
        assert masks["lesion"].shape[0] == len(data.series_files("subdural-acute"))
        assert not masks["lesion"].any()
        assert tree_fingerprint(root) == before

        def no_reading(*args: object, **kwargs: object) -> None:
            raise AssertionError("the cache should have been used")

        monkeypatch.setattr("ctlib.course.data.metadata_table", no_reading)
        assert RsnaData.open(root).manifest == data.manifest
        labels = root / "stage_2_train.csv"
        labels.unlink()
        shutil.copy(synthetic.labels_csv, labels)
        with open(labels, "a") as stream:
            stream.write("ID_0000000aa_any,0\n")
        with pytest.raises(AssertionError, match="cache"):
            RsnaData.open(root)

    def test_environment_variable(self, synthetic: ctlib.DataSet, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
        """CTLIB_DATA chooses the set: a download, or a synthetic set elsewhere."""
        monkeypatch.setenv("CTLIB_CACHE", str(tmp_path / "cache"))
        monkeypatch.setenv("CTLIB_DATA", str(rsna_layout(synthetic, tmp_path / "download")))
        assert isinstance(ctlib.open_data(), RsnaData)
        assert ctlib.open_data("sample").name == "sample"
        monkeypatch.setenv("CTLIB_DATA", str(synthetic.root))
        assert ctlib.open_data().root == synthetic.root
        monkeypatch.setenv("CTLIB_DATA", str(tmp_path / "nothing"))
        with pytest.raises(ctlib.CtlibError, match="no RSNA label file"):
            ctlib.open_data()

    @pytest.mark.slow
    def test_notebooks_run_unchanged(self, synthetic: ctlib.DataSet, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
        """Every notebook runs, without an error or a warning, on an RSNA-layout download."""
        monkeypatch.setenv("CTLIB_CACHE", str(tmp_path / "cache"))
        monkeypatch.setenv("CTLIB_DATA", str(rsna_layout(synthetic, tmp_path / "download")))
        RsnaData.open(tmp_path / "download", progress=False)  # index once, before the kernels
        ran = []
        for path in sorted(_notebooks.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
            nb, _, problems = _notebooks.execute(path)
            assert problems == [], path.name
            ran.append(path.name)
            text = "".join(
                str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
                for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
            )
            if path.name.startswith("00"):
                assert "data set: rsna" in text
        assert len(ran) == 10


class TestReadLabels:
    """ctlib.read_labels on the RSNA long format."""

    def test_sample(self) -> None:
        """One row per image, six columns, the duplicate row dropped and counted."""
        data = ctlib.open_data("sample")
        labels = ctlib.read_labels(data.labels_csv)
        assert list(labels.columns) == list(LABELS)
        assert len(labels) == data.manifest["images"]
        assert labels.attrs["duplicates"] == 1
        assert labels.sum().to_dict() == data.manifest["positive_slices"]

    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            (["ID_a_epidural,1"] + [f"ID_a_{n},0" for n in LABELS[1:]], "'any' is not the OR"),
            ([f"ID_a_{n},0" for n in LABELS[:5]], "does not have all six"),
            (["ID_a_spinal,1"], "unknown label names"),
            ([f"ID_a_{n},0" for n in LABELS] + ["ID_a_any,1"], "two different values"),
        ],
    )
    def test_bad_files(self, tmp_path: Path, rows: list[str], message: str) -> None:
        """Inconsistent files are refused with the image named."""
        path = tmp_path / "labels.csv"
        path.write_text("ID,Label\n" + "\n".join(rows) + "\n")
        with pytest.raises(ctlib.CtlibError, match=message):
            ctlib.read_labels(path)


def test_a_submission_reads_back_as_the_labels_it_was_made_from(tmp_path: Path) -> None:
    """read_labels is the independent reference: 0/1 predictions written in the submission
    format are the label file's own format."""
    labels = read_labels(ctlib.open_data("sample").labels_csv)
    table = submission(list(labels.index), labels.to_numpy())
    assert len(table) == 6 * len(labels) and list(table.columns) == ["ID", "Label"]
    table.to_csv(tmp_path / "submission.csv", index=False)
    pd.testing.assert_frame_equal(read_labels(tmp_path / "submission.csv"), labels,
                                  check_dtype=False)


@pytest.mark.parametrize(("images", "predictions", "message"), [
    (["ID_a"], [[0.1] * 5], "shape"),
    (["ID_a", "ID_b"], [[0.1] * 6], "shape"),
    (["ID_a"], [[0.1] * 5 + [float("nan")]], "NaN"),
    (["ID_a"], [[0.1] * 5 + [1.2]], r"\[0, 1\]"),
    (["ID_a", "ID_a"], [[0.1] * 6] * 2, "twice"),
])
def test_a_submission_refuses_what_the_challenge_would(images: list[str],
                                                       predictions: list[list[float]],
                                                       message: str) -> None:
    with pytest.raises(ctlib.CtlibError, match=message):
        submission(images, predictions)


def test_every_image_gets_the_model_or_zero_or_the_prior() -> None:
    seen = pd.DataFrame([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]], index=["ID_a"], columns=list(LABELS))
    prior = [0.01, 0.02, 0.03, 0.04, 0.05, 0.1]
    full = every_image(seen[list(LABELS)[::-1]], ["ID_b", "ID_a", "ID_c"], prior=prior,
                       blank=["ID_c"])
    assert list(full.index) == ["ID_b", "ID_a", "ID_c"] and list(full.columns) == list(LABELS)
    assert full.loc["ID_a"].tolist() == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]  # by name, not position
    assert full.loc["ID_b"].tolist() == prior  # unreadable: the prior
    assert full.loc["ID_c"].tolist() == [0.0] * 6  # blank: never a label
    assert len(submission(list(full.index), full.to_numpy())) == 18


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"prior": [0.1] * 5}, "six frequencies"),
    ({"images": ["ID_x"]}, "not among images"),
])
def test_every_image_refuses(kwargs: dict[str, object], message: str) -> None:
    seen = pd.DataFrame([[0.1] * 6], index=["ID_a"], columns=list(LABELS))
    arguments: dict[str, object] = {"images": ["ID_a"], "prior": [0.1] * 6, **kwargs}
    with pytest.raises(ctlib.CtlibError, match=message):
        every_image(seen, **arguments)  # type: ignore[arg-type]
    with pytest.raises(ctlib.CtlibError, match="no column"):
        every_image(seen.drop(columns="any"), ["ID_a"], prior=[0.1] * 6)
