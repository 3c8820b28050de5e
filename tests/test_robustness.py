"""Every bad input gets a correct result or one clear ctlib error, and no input is ever changed.

The corpus of bad files (``tests/corpus.py``, built once per session in a temporary
folder) goes through every public entry point; for each pair the outcome written in
the table is checked, and so is the file itself: same bytes, size and modification
time afterwards. An error must be a :class:`ctlib.CtlibError` subclass whose message
names the file, the element at fault (tag and keyword) where there is one, and what
to do.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import re
import tracemalloc
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest
from corpus import (
    BASE_HU,
    CASES,
    ENTRY_POINTS,
    Case,
    Outcome,
    Raises,
    Reports,
    Result,
    Unavailable,
    _exact,
    bare_data_set_copy,
    base_ct,
    build_corpus,
    unreadable,
)
from pydicom.pixels import get_decoder
from pydicom.uid import JPEGLosslessSV1

import ctlib
from ctlib.hu import stored_to_hu

#: A message says what to do: a sentence (or clause) that starts with one of these verbs.
ADVICE = re.compile(
    r"(?:^|[.;:,(] )(?:check|pass|use|install|download|choose|convert|decode|get|look|list|"
    r"make|read|select|split|remove|load|find|copy|fix|replace|set)\b",
    re.IGNORECASE,
)

PAIRS = [(case, entry) for case in CASES for entry in ENTRY_POINTS]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | Unavailable]:
    """Every case of the corpus, built once: case name → path (or why it cannot be built)."""
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def built(corpus: dict[str, Path | Unavailable], name: str) -> Path:
    path = corpus[name]
    if isinstance(path, Unavailable):
        pytest.skip(str(path))
    return path


def state(path: Path) -> tuple[Any, ...]:
    """What must not change: a file's SHA-256, size and mtime (a folder's listing and mtime)."""
    if not path.exists():
        return ("absent",)
    info = os.stat(path)
    if path.is_dir():
        return ("folder", sorted(os.listdir(path)), info.st_mtime_ns)
    return hashlib.sha256(path.read_bytes()).hexdigest(), info.st_size, info.st_mtime_ns


def check_message(message: str, path: Path, fragments: tuple[str, ...],
                  element: str | None) -> None:
    """The house rules: the file, every expected fragment, the element, and what to do."""
    assert path.name in message, f"the file is not named: {message}"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    if element is not None:
        assert element in message, f"{element!r} not in: {message}"
    assert ADVICE.search(message), f"no 'what to do': {message}"


def check_outcome(outcome: Outcome, entry: str, path: Path) -> None:
    """Run one entry point on one file and compare with the expected outcome."""
    run = ENTRY_POINTS[entry]
    if isinstance(outcome, Raises):
        with pytest.raises(ctlib.CtlibError) as info:  # anything else propagates: a failure
            run(path)
        assert isinstance(info.value, outcome.error), (
            f"{type(info.value).__name__} instead of {outcome.error.__name__}: {info.value}")
        check_message(str(info.value), path, outcome.fragments, outcome.element)
        return
    result = run(path)
    if isinstance(outcome, Reports):
        error = result["error"].item()
        assert error is not None, "metadata_table reports no error"
        check_message(error, path, outcome.fragments, outcome.element)
        return
    check = outcome.check or partial(_exact, entry)
    assert check(result), f"{entry} returned a wrong result: {result!r}"


@pytest.mark.parametrize(("case", "entry"), PAIRS, ids=[f"{c.name}-{e}" for c, e in PAIRS])
def test_outcome_and_file_unchanged(
    corpus: dict[str, Path | Unavailable], case: Case, entry: str
) -> None:
    """The written-down outcome, and the file as it was (bytes, size, mtime)."""
    path = built(corpus, case.name)
    before = state(path)
    check_outcome(case.expect[entry], entry, path)
    assert state(path) == before


class TestCorpus:
    """The table itself covers what the issue lists."""

    def test_names_unique_and_counted(self) -> None:
        """One case per name; the count of pairs is cases × entry points."""
        assert len({case.name for case in CASES}) == len(CASES)
        assert len(PAIRS) == len(CASES) * len(ENTRY_POINTS)
        assert set(ENTRY_POINTS) == {"read", "read_header", "to_hu", "window", "load_series",
                                     "metadata_table", "viewer"}

    def test_every_class_of_the_issue(self) -> None:
        """Each bad-input class of the issue has at least one case (permission: below)."""
        kinds = {case.kind for case in CASES}
        required = {
            "not DICOM", "no preamble", "truncated header", "truncated pixel data",
            "pixel length mismatch", "missing rescale", "missing rows/columns",
            "BitsStored > BitsAllocated", "bad window", "garbage text", "multi-valued window",
            "not CT", "multi-frame", "big endian", "compressed, no decoder", "deflated",
            "huge declared length", "folder",
        }
        assert required <= kinds, required - kinds


class TestAdviceWorks:
    """Where a message gives a recipe, the recipe works."""

    def test_bare_data_set(self, corpus: dict[str, Path | Unavailable], tmp_path: Path) -> None:
        """dcmread(force=True), set the transfer syntax, save as Part 10: the copy reads."""
        path = built(corpus, "bare_data_set")
        with pytest.raises(ctlib.DicomError) as info:
            ctlib.read(path)
        assert ("ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian"
                in str(info.value))
        bare_data_set_copy(path, tmp_path / "copy.dcm")
        np.testing.assert_array_equal(ctlib.to_hu(ctlib.read(tmp_path / "copy.dcm")), BASE_HU)

    def test_no_preamble_with_file_meta(
        self, corpus: dict[str, Path | Unavailable], tmp_path: Path
    ) -> None:
        """With file meta present the transfer syntax is known: dcmread and save_as suffice."""
        path = built(corpus, "no_preamble_with_file_meta")
        with pytest.raises(ctlib.DicomError) as info:
            ctlib.read(path)
        assert "TransferSyntaxUID =" not in str(info.value)
        pydicom.dcmread(path, force=True).save_as(tmp_path / "copy.dcm", enforce_file_format=True)
        np.testing.assert_array_equal(ctlib.to_hu(ctlib.read(tmp_path / "copy.dcm")), BASE_HU)

    def test_multi_frame(self, corpus: dict[str, Path | Unavailable]) -> None:
        """Decode one frame with pydicom and convert it with stored_to_hu, as the message says."""
        ds = ctlib.read(built(corpus, "multi_frame"))
        frame = pydicom.pixels.pixel_array(ds, index=1)
        np.testing.assert_array_equal(stored_to_hu(ds, frame), BASE_HU)

    def test_decoder_packages_named(self, corpus: dict[str, Path | Unavailable]) -> None:
        """JPEG Lossless without a decoder: the pip packages of each plugin that decodes it."""
        if get_decoder(JPEGLosslessSV1).is_available:
            pytest.skip("a JPEG Lossless decoder is installed here")
        with pytest.raises(ctlib.DicomError) as info:
            ctlib.to_hu(ctlib.read(built(corpus, "jpeg_lossless")))
        message = str(info.value)
        assert "'pip install pylibjpeg pylibjpeg-libjpeg'" in message
        assert "'pip install python-gdcm'" in message
        assert "JPEG Lossless, Non-Hierarchical, First-Order Prediction" in message


#: The cases that declare gigabytes in a file of a few kilobytes.
HUGE = ["huge_element_length", "huge_pixel_data_length", "huge_image_size"]


@pytest.mark.parametrize("name", HUGE)
def test_huge_lengths_are_not_allocated(corpus: dict[str, Path | Unavailable], name: str) -> None:
    """No entry point allocates more than 50 MB for them (tracemalloc's peak)."""
    path = built(corpus, name)

    def attempt(run: Callable[[Path], Any]) -> None:
        try:
            run(path)
        except ctlib.CtlibError:
            pass

    for entry, run in ENTRY_POINTS.items():
        attempt(run)  # once before measuring: imports and caches are not the file's doing
        tracemalloc.start()
        try:
            attempt(run)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 50 * 2**20, f"{entry}: {peak / 2**20:.0f} MB"


class TestNoReadPermission:
    """A file that cannot be opened: 'permission denied', what to do, the file as it was."""

    EXPECT = unreadable("permission denied", "chmod u+r")

    @pytest.fixture
    def slice_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "locked.dcm"
        base_ct().save_as(path, enforce_file_format=True)
        return path

    @pytest.mark.skipif(not hasattr(os, "geteuid") or os.name == "nt",
                        reason="needs POSIX file permissions")
    def test_chmod(self, slice_file: Path) -> None:
        """The real thing: chmod 000 (root reads anyway, so the test needs another user)."""
        if os.geteuid() == 0:
            pytest.skip("running as root, which may read any file: see the simulated test")
        before = state(slice_file)
        slice_file.chmod(0)
        try:
            for entry, outcome in self.EXPECT.items():
                check_outcome(outcome, entry, slice_file)
        finally:
            slice_file.chmod(0o644)
        assert state(slice_file) == before

    def test_simulated(self, slice_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Opening the file raises PermissionError, as chmod 000 makes the system do."""
        locked = str(slice_file)

        def refuse(file: Any) -> None:
            if isinstance(file, str | os.PathLike) and os.path.abspath(file) == locked:
                raise PermissionError(13, "Permission denied", os.fspath(file))

        class LockedFileIO(io.FileIO):
            def __init__(self, file: Any, *args: Any, **kwargs: Any) -> None:
                refuse(file)
                super().__init__(file, *args, **kwargs)

        real_open = builtins.open

        def locked_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            refuse(file)
            return real_open(file, *args, **kwargs)

        before = state(slice_file)
        monkeypatch.setattr(io, "FileIO", LockedFileIO)
        monkeypatch.setattr(builtins, "open", locked_open)
        for entry, outcome in self.EXPECT.items():
            check_outcome(outcome, entry, slice_file)
        monkeypatch.undo()
        assert state(slice_file) == before


def test_metadata_table_of_the_whole_corpus(corpus: dict[str, Path | Unavailable]) -> None:
    """All files in one table, in worker processes too: one row each, the same errors."""
    paths = [p for p in corpus.values() if isinstance(p, Path)]
    serial = ctlib.metadata_table(paths, progress=False)
    workers = ctlib.metadata_table(paths, workers=2, progress=False)
    assert serial["error"].tolist() == workers["error"].tolist()
    assert len(serial) == len(paths)
    reported = {Path(p).name for p, e in zip(serial["path"], serial["error"], strict=True) if e}
    expected = {p.name for case in CASES if isinstance(p := corpus[case.name], Path)
                and isinstance(case.expect["metadata_table"], Reports)}
    assert reported == expected


def iter_results(corpus: dict[str, Path | Unavailable]) -> Iterator[tuple[str, str]]:
    """(case, entry point) pairs that return a result: for the closing note's counts."""
    for case in CASES:
        for entry, outcome in case.expect.items():
            if isinstance(outcome, Result):
                yield case.name, entry
