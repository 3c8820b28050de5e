"""Which files a folder holds, as scanners and PACS export them.

An export to CD or USB is a tree of files without extension
(``PT000000/ST000000/SE000000/IM000000``) indexed by a DICOMDIR (PS3.10
section 8); a PACS download or a research archive is often nested folders of
``.dcm`` files; RSNA's challenge data is one flat folder. :func:`files_in`
lists the candidate files of any of these: the ones a DICOMDIR lists (read with
pydicom's :class:`~pydicom.fileset.FileSet`), or every file of the tree. Which
of them are CT slices is decided from their headers (:mod:`ctlib.objects`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ctlib.errors import ArgumentError, DicomError, brief
from ctlib.reading import read

__all__ = ["files_in"]

#: Files no DICOM export is made of (operating-system and archive clutter).
_CLUTTER = {".DS_Store", "Thumbs.db", "desktop.ini"}


def files_in(
    folder_or_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> list[Path]:
    """The files to read: those of a folder (a DICOMDIR's list, or the whole tree), or the paths.

    Parameters
    ----------
    folder_or_paths : path-like or iterable of path-like
        A folder; a DICOMDIR file; one file; or several files.

    Returns
    -------
    list of pathlib.Path
        For a folder with a DICOMDIR at its top: the DICOMDIR itself, the files
        it lists (in its order; a listed file that is missing is kept, so that
        reading it reports it), then any other file below the folder (a stale
        DICOMDIR must not hide files added after the export). For another
        folder: every file below it, whatever its extension, sorted (hidden
        files and system clutter left out). Files are not opened here.

    Raises
    ------
    ArgumentError
        An empty list, a folder without any file, or a path that does not exist.
    DicomError
        A DICOMDIR that pydicom cannot read as a file set.

    Examples
    --------
    >>> from ctlib import open_data
    >>> files = files_in(open_data("sample").images)
    >>> len(files) > 10, files[0].suffix
    (True, '.dcm')
    """
    if isinstance(folder_or_paths, str | os.PathLike):
        path = Path(folder_or_paths)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*")
                           if p.is_file() and not p.name.startswith(".")
                           and p.name not in _CLUTTER)
            index = path / "DICOMDIR"
            if index.is_file():
                listed = _listed(index)
                known = set(listed)
                return listed + [p for p in files if p not in known]
            if not files:
                raise ArgumentError(
                    f"{path}: this folder (and its subfolders) holds no file. Check the path."
                )
            return files
        if path.name.upper() == "DICOMDIR" and path.is_file():
            return _listed(path)
        if not path.exists():
            raise ArgumentError(f"{path}: no such file or folder. Check the path (it is "
                                "relative to the current folder unless it starts with '/').")
        return [path]
    if isinstance(folder_or_paths, bytes):
        raise ArgumentError("pass a folder or file as a str or pathlib.Path, not bytes.")
    paths = [Path(p) for p in folder_or_paths]
    if not paths:
        raise ArgumentError("no file given: pass a folder or a non-empty list of files.")
    return paths


def _listed(index: Path) -> list[Path]:
    """The DICOMDIR, then every file its directory records point to.

    Each record that stands for a file carries (0004,1500) Referenced File ID:
    the path's components, relative to the DICOMDIR's folder (PS3.3 F.3.2.2).
    These are the files pydicom's :class:`~pydicom.fileset.FileSet` lists (the
    tests compare), read without the staging folder ``FileSet`` creates for
    writing a file set.
    """
    header = read(index, header_only=True)
    records = header.get("DirectoryRecordSequence")
    if records is None:
        raise DicomError(
            f"{index}: this DICOMDIR has no (0004,1220) DirectoryRecordSequence, so it lists "
            "no file. Pass the folder's files themselves (a list of paths)."
        )
    files = []
    try:
        for record in records:
            parts = record.get("ReferencedFileID")
            if parts:
                parts = [parts] if isinstance(parts, str) else list(parts)
                files.append(index.parent.joinpath(*(str(p).strip() for p in parts)))
    except Exception as exc:  # noqa: BLE001 - a damaged record: say so, do not guess
        raise DicomError(
            f"{index}: a directory record cannot be read ({brief(exc)}). Pass the folder's "
            "files themselves (a list of paths)."
        ) from None
    return [index, *files]
