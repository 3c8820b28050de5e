"""Exception classes of ``ctlib`` and the helpers that word their messages.

Every error ``ctlib`` raises is a :class:`CtlibError`. Its message says three
things: *which file* (or that the data set lives only in memory), *which data
element* (tag and keyword) and *what was wrong*, followed by what to do about
it. Learners meet these messages in notebooks, so they are written for people,
not for stack traces.
"""

from __future__ import annotations

import os
import re

from pydicom.datadict import keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset

__all__ = [
    "ArgumentError",
    "CtlibError",
    "DicomError",
    "HeaderError",
    "SeriesWarning",
    "WindowError",
    "brief",
    "element_name",
    "source_name",
    "tag_name",
]

#: The longest quotation of another library's message in a ctlib message.
_BRIEF_CHARS = 200


class CtlibError(Exception):
    """Base class of every error raised by ``ctlib``.

    Catch this class to handle any problem ``ctlib`` reports, for example
    when looping over a folder of files of unknown quality.
    """


class DicomError(CtlibError):
    """A file cannot be used as a DICOM image.

    Raised for a missing file, a file that is not DICOM, a truncated file, or
    pixel data that cannot be decoded.
    """


class HeaderError(DicomError, ValueError):
    """A data element is missing, or holds a value ``ctlib`` cannot use.

    A subclass of :class:`DicomError` (the file is readable, but its header is
    not usable for the operation asked) and of :class:`ValueError`.
    """


class ArgumentError(CtlibError, ValueError):
    """An argument passed to a ``ctlib`` function is not one it accepts."""


class WindowError(ArgumentError):
    """Window parameters (center, width, VOI LUT function, output type) are not valid."""


class SeriesWarning(CtlibError, UserWarning):
    """A series was loaded, but its slices are not evenly spaced along the normal.

    Issued by :func:`ctlib.load_series` when a slice is missing (a gap) or two
    reconstructions are mixed: the volume's slice axis is then not uniform, so
    reformats and anything that uses ``spacing`` or ``affine`` are distorted.
    The message names the files on either side of each gap.

    It is a :class:`UserWarning`, so ``warnings.simplefilter("ignore",
    ctlib.SeriesWarning)`` silences it; it is also a :class:`CtlibError`, so
    when warnings are turned into errors ``except ctlib.CtlibError`` catches it.
    """


def source_name(ds: Dataset | None) -> str:
    """Name the origin of a data set for an error message.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset or None
        The data set; its ``filename`` is used when it was read from a file.

    Returns
    -------
    str
        The path as the caller gave it, or ``"<dataset in memory>"``.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> source_name(Dataset())
    '<dataset in memory>'

    """
    filename = getattr(ds, "filename", None)
    if isinstance(filename, (str, os.PathLike)) and str(filename):
        return str(filename)
    return "<dataset in memory>"


def element_name(keyword: str) -> str:
    """Return ``"(gggg,eeee) Keyword"`` for a DICOM keyword.

    Parameters
    ----------
    keyword : str
        A keyword of the DICOM data dictionary (PS3.6), such as ``"WindowWidth"``.

    Returns
    -------
    str
        The tag in the standard's notation followed by the keyword.

    Examples
    --------
    >>> element_name("WindowWidth")
    '(0028,1051) WindowWidth'
    >>> element_name("RescaleIntercept")
    '(0028,1052) RescaleIntercept'

    """
    tag = tag_for_keyword(keyword)
    if tag is None:  # not a standard keyword: say so rather than invent a tag
        return keyword
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {keyword}"


def tag_name(tag: int) -> str:
    """Return ``"(gggg,eeee) Keyword"`` for a tag; the tag alone if it has no keyword.

    Parameters
    ----------
    tag : int
        A data element tag, such as ``0x00281050``.

    Returns
    -------
    str

    Examples
    --------
    >>> tag_name(0x00281050)
    '(0028,1050) WindowCenter'
    >>> tag_name(0x00091010)  # private: no keyword
    '(0009,1010)'

    """
    keyword = keyword_for_tag(tag)
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {keyword}".rstrip()


def brief(exc: BaseException) -> str:
    r"""Quote another library's exception in one short line: ``"Type: message"``.

    pydicom's messages can span several lines or a paragraph; a ctlib message
    quotes at most its first 200 characters, on one line, ended at a
    sentence where possible.

    Parameters
    ----------
    exc : BaseException
        The exception to quote.

    Returns
    -------
    str

    Examples
    --------
    >>> brief(ValueError("could not convert\n  string to float: 'abc'"))
    "ValueError: could not convert string to float: 'abc'"

    """
    text = " ".join(str(exc).split())
    if len(text) > _BRIEF_CHARS:
        cut = text[:_BRIEF_CHARS]
        ends = [m.end() for m in re.finditer(r"[.:;] ", cut)]
        text = cut[:ends[-1]].rstrip(" .:;") if ends else cut.rstrip() + " …"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
