"""Tests of ctlib.errors: the exception classes and the pieces every message is made of."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from pydicom import Dataset

import ctlib
from ctlib.errors import brief, element_name, source_name, tag_name


class TestClasses:
    def test_one_base_class(self) -> None:
        """``except ctlib.CtlibError`` catches every error ctlib raises on purpose."""
        for cls in (ctlib.DicomError, ctlib.HeaderError, ctlib.ArgumentError,
                    ctlib.WindowError, ctlib.SeriesWarning):
            assert issubclass(cls, ctlib.CtlibError)
        assert issubclass(ctlib.WindowError, ctlib.ArgumentError)
        assert issubclass(ctlib.ArgumentError, ValueError)  # a wrong argument, as Python says

    def test_series_warning_is_a_warning_and_an_error(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ctlib.SeriesWarning)
            with pytest.raises(ctlib.CtlibError):
                warnings.warn("gap", ctlib.SeriesWarning, stacklevel=1)


class TestMessageParts:
    def test_element_names_follow_the_standard(self) -> None:
        assert element_name("PixelData") == "(7FE0,0010) PixelData"
        assert element_name("NotAKeyword") == "NotAKeyword"  # never an invented tag
        assert tag_name(0x7FE00010) == "(7FE0,0010) PixelData"
        assert tag_name(0x00291010) == "(0029,1010)"  # private: the tag alone

    def test_source_is_the_path_or_memory(self, tmp_path: Path) -> None:
        ds = Dataset()
        assert source_name(ds) == source_name(None) == "<dataset in memory>"
        ds.filename = str(tmp_path / "a.dcm")
        assert source_name(ds) == str(tmp_path / "a.dcm")

    def test_brief_is_one_short_line(self) -> None:
        long = ValueError("first part: " + "x" * 300 + ".\nsecond line")
        quoted = brief(long)
        assert "\n" not in quoted and len(quoted) < 230
        assert quoted.startswith("ValueError: first part")
        assert brief(KeyError()) == "KeyError"

    def test_every_read_error_names_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.dcm"
        path.write_text("not DICOM")
        with pytest.raises(ctlib.DicomError, match=r"^.*notes\.dcm: not a DICOM file"):
            ctlib.read(path)
