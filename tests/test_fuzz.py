"""A bounded fuzz run: damaged DICOM bytes into ctlib.read, metadata_table and load_series.

Hypothesis mutates small valid files (Explicit and Implicit VR Little Endian, Big Endian,
Deflated, RLE: bytes flipped, overwritten, inserted, deleted, cut, lengths set to
gigabytes) and also writes a 128-byte preamble and ``DICM`` followed by random bytes.
Each file goes through ``ctlib.read`` (full and ``header_only``), ``ctlib.metadata_table``
and ``ctlib.load_series``, and, when a read succeeds, ``ctlib.to_hu`` and
``ctlib.header_window``. Only a result or a :class:`ctlib.CtlibError` may come out
(pydicom may warn, as it would for a learner; see ``corpus.only_pydicom_warnings``).

The budget is bounded for ``make test``: 500 examples, a few seconds. Set
``CTLIB_FUZZ_EXAMPLES`` for a longer run, e.g.
``CTLIB_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_fuzz.py``, and
``CTLIB_FUZZ_RANDOM=1`` to draw new examples instead of the reproducible ones CI runs.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from corpus import base_ct, only_pydicom_warnings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ImplicitVRLittleEndian,
    RLELossless,
)

import ctlib

#: Examples per run: bounded for `make test`, larger on demand.
EXAMPLES = int(os.environ.get("CTLIB_FUZZ_EXAMPLES", "500"))


def _seed(variant: str) -> bytes:
    """A valid 8×8 slice file in one of the encodings ctlib meets."""
    stored = (np.arange(64, dtype=np.int16).reshape(8, 8) * 30).astype(np.int16)
    ds = base_ct(stored)
    if variant == "implicit":
        ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    elif variant == "big_endian":
        ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
        ds.PixelData = stored.astype(">i2").tobytes()
    elif variant == "deflated":
        ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    elif variant == "rle":
        ds.compress(RLELossless)
    stream = io.BytesIO()
    ds.save_as(stream, enforce_file_format=True)
    return stream.getvalue()


SEEDS = {variant: _seed(variant)
         for variant in ("explicit", "implicit", "big_endian", "deflated", "rle")}
MUTATIONS = ("flip", "overwrite", "insert", "delete", "truncate", "huge_length")


@st.composite
def damaged_files(draw: st.DrawFn) -> bytes:
    """A valid file with one to four mutations, or a DICOM prefix and random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return bytes(128) + b"DICM" + draw(st.binary(max_size=600))
    variant = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[variant])
    event(f"seed {variant}")
    for _ in range(draw(st.integers(1, 4))):
        # Mostly in the header (file meta and data set), where the parsing happens.
        limit = len(data) if draw(st.integers(0, 3)) == 0 else min(len(data), 800)
        at = draw(st.integers(0, max(limit - 1, 0)))
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "flip":
            if data:
                data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at:at + len(chunk)] = chunk
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        elif kind == "truncate":
            del data[at:]
        else:  # a 2- or 4-byte length field set to the largest values
            data[at:at + 4] = draw(st.sampled_from(
                [b"\xff\xff\xff\xff", b"\xf0\xff\xff\xff", b"\xff\xff", b"\x00\x00\x00\x80"]))
    return bytes(data)


@pytest.fixture(scope="module")
def target() -> Iterator[Path]:
    """One file, rewritten for each example."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "fuzzed.dcm"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CTLIB_FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=damaged_files())
def test_only_ctlib_errors(target: Path, content: bytes) -> None:
    """Damaged bytes: every entry point returns or raises a CtlibError, and the file stays."""
    target.write_bytes(content)
    before = target.read_bytes(), os.stat(target).st_mtime_ns
    with only_pydicom_warnings():
        try:
            ds = ctlib.read(target)
            event("read: returned")
        except ctlib.CtlibError as exc:
            ds = None
            event(f"read: {type(exc).__name__}")
        try:
            ctlib.read(target, header_only=True)
        except ctlib.CtlibError:
            pass
        table = ctlib.metadata_table([target], progress=False)
        assert len(table) == 1
        event("metadata_table: " + ("error" if table["error"].item() else "no error"))
        try:
            ctlib.load_series([target])
        except ctlib.CtlibError:
            pass
        if ds is not None:
            try:
                hu = ctlib.to_hu(ds)
                assert hu.dtype == np.float32 and np.isfinite(hu).all()
                event("to_hu: returned")
            except ctlib.CtlibError as exc:
                event(f"to_hu: {type(exc).__name__}")
            try:
                ctlib.header_window(ds)
            except ctlib.CtlibError:
                pass
    assert (target.read_bytes(), os.stat(target).st_mtime_ns) == before
