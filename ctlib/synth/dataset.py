"""Build the synthetic data set from its recipe: files, masks, labels, manifest.

Layout of a built set (the full one in ``data/synthetic``, the committed
sample in ``data/sample``)::

    images/ID_<9 hex>.dcm   one flat folder, files named by SOP Instance UID
    labels.csv              RSNA long format: ID,Label; six rows per image
    split.csv               PatientID,split (train/test, by patient)
    masks/<SeriesUID>.npz   per series: lesion and tissue maps, slice order
    manifest.json           series, quirks (and where they are), counts, versions
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tqdm.auto import tqdm

from ctlib.course.landmarks import frontal_horns
from ctlib.course.signs import midline_shift
from ctlib.course.tissues import RSNA_SUBTYPES, Lesion, Tissue
from ctlib.errors import CtlibError
from ctlib.synth.anatomy import base_head
from ctlib.synth.encode import ENCODINGS, SliceIds, encode_slice
from ctlib.synth.series import SeriesSpec, SeriesVolume, render_series

__all__ = [
    "LESION_CODES",
    "TISSUE_CODES",
    "Recipe",
    "SeriesEntry",
    "generate",
    "load_recipe",
    "make_sample",
    "repo_data_dir",
]

#: Code tables stored in the manifest and documented in data/README.md.
LESION_CODES = {int(c): c.name.lower() for c in Lesion}
TISSUE_CODES = {int(c): c.name.lower() for c in Tissue}
_TRUNCATE_BYTES = 40 * 1024  # cut from the end of the truncated file's Pixel Data
_UNEQUAL_WINDOWS = ([40.0, 80.0], [80.0, 200.0])  # brain and subdural, both in one header


def repo_data_dir() -> Path:
    """The repository's ``data/`` folder (``ctlib`` is installed editable from the repo)."""
    return Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class SeriesEntry:
    """One ``[[series]]`` of the recipe."""

    spec: SeriesSpec
    patient: str
    split: str
    sample: bool = False
    unequal_windows: int = 0
    truncated: bool = False


@dataclass(frozen=True)
class Recipe:
    """The whole recipe."""

    seed: int
    positive_area_mm2: float
    series: tuple[SeriesEntry, ...]
    path: Path | None = None


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


def _rsna_id(seed: int, kind: str, key: object, digits: int) -> str:
    """A deterministic RSNA-style identifier: ``ID_`` and ``digits`` hex digits."""
    return "ID_" + _digest(seed, kind, key)[:digits]


def load_recipe(path: str | os.PathLike[str] | None = None) -> Recipe:
    """Read ``data/recipe.toml`` (or ``path``) into a :class:`Recipe`.

    Parameters
    ----------
    path : path-like, optional
        Default: the repository's ``data/recipe.toml``.

    Returns
    -------
    Recipe
    """
    file = Path(path) if path is not None else repo_data_dir() / "recipe.toml"
    raw = tomllib.loads(file.read_text())
    seed = int(raw["seed"])
    entries = []
    for item in raw["series"]:
        item = dict(item)
        name = item.pop("name")
        entry_keys = {"patient", "split", "sample", "unequal_windows", "truncated"}
        meta = {k: item.pop(k) for k in list(item) if k in entry_keys}
        if item.get("encoding", "signed16") not in ENCODINGS:
            raise ValueError(f"{file}: series {name!r}: unknown encoding {item['encoding']!r}")
        lesions = tuple(
            {k: tuple(v) if isinstance(v, list) else v for k, v in lesion.items()}
            for lesion in item.pop("lesions", [])
        )
        series_seed = int(_digest(seed, "series", name)[:12], 16)
        spec = SeriesSpec(name=name, seed=series_seed, lesions=lesions, **item)
        entries.append(SeriesEntry(spec=spec, **meta))
    names = [e.spec.name for e in entries]
    if len(set(names)) != len(names):
        raise ValueError(f"{file}: series names must be unique")
    return Recipe(seed, float(raw["positive_area_mm2"]), tuple(entries), file)


@dataclass
class SeriesResult:
    """What a worker reports about one written series."""

    name: str
    patient_id: str
    study_uid: str
    series_uid: str
    split: str
    sample: bool
    encoding: str
    matrix: int
    tilt_deg: float
    midline_shift_mm: float
    lesions: list[dict[str, Any]]
    files: list[str]
    labels: list[list[int]]  #: per slice, the five subtypes in RSNA order
    lesion_area_mm2: list[float]
    key_slice: int
    findings: list[str] = field(default_factory=list)
    key_findings: list[str] = field(default_factory=list)
    scanner: str = ""
    age: float = 0.0
    haematocrit: float = 42.0
    quirks: dict[str, list[str]] = field(default_factory=dict)


def _write_series(entry: SeriesEntry, recipe: Recipe, out: Path) -> SeriesResult:
    """Render one series and write its files and masks (runs in a worker process)."""
    spec = entry.spec
    volume = render_series(spec)
    seed = recipe.seed
    patient = _rsna_id(seed, "patient", entry.patient, 8)
    study = _rsna_id(seed, "study", spec.name, 10)
    series = _rsna_id(seed, "series", spec.name, 10)
    stack = volume.stack
    count = stack.count
    sops = [_rsna_id(seed, "sop", f"{spec.name}/{k}", 9) for k in range(count)]
    encoding = ENCODINGS[spec.encoding]
    key = _key_slice(volume)
    first_unequal = count // 2 - entry.unequal_windows // 2
    unequal = set(range(first_unequal, first_unequal + entry.unequal_windows))
    # The corrupt file is never the slice the figures show.
    truncated = (key + 6 if key + 6 < count - 1 else key - 6) if entry.truncated else None
    quirks: dict[str, list[str]] = {}
    for k in range(count):
        path = out / "images" / f"{sops[k]}.dcm"
        circle = (
            np.ones_like(volume.circle) if (spec.blank_slice and k == count - 1) else volume.circle
        )
        encode_slice(
            path,
            volume.hu[k],
            circle,
            encoding,
            SliceIds(sops[k], patient, study, series),
            position=stack.position(k).tolist(),
            orientation=stack.orientation(),
            spacing_mm=stack.spacing_mm,
            window=_UNEQUAL_WINDOWS if k in unequal else None,
        )
        if k in unequal:
            quirks.setdefault("unequal_windows", []).append(sops[k])
        if k == truncated:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) - _TRUNCATE_BYTES])
            quirks.setdefault("truncated_pixel_data", []).append(sops[k])
    if spec.blank_slice:
        quirks.setdefault("blank_slice", []).append(sops[-1])

    pixel_mm2 = stack.spacing_mm**2
    min_pixels = recipe.positive_area_mm2 / pixel_mm2
    labels, areas = [], []
    for k in range(count):
        counts = np.bincount(volume.lesion[k].ravel(), minlength=6)[1:6]
        labels.append([int(c >= min_pixels) for c in counts])
        areas.append(round(float(counts.sum() * pixel_mm2), 1))
    _save_npz(
        out / "masks" / f"{series}.npz",
        lesion=volume.lesion,
        tissue=volume.tissue,
        sop_instance_uids=np.array(sops),
    )
    return SeriesResult(
        name=spec.name,
        patient_id=patient,
        study_uid=study,
        series_uid=series,
        split=entry.split,
        sample=entry.sample,
        encoding=spec.encoding,
        matrix=spec.matrix,
        tilt_deg=spec.tilt_deg,
        midline_shift_mm=_septum_shift(volume, stack.spacing_mm),
        lesions=[dict(lesion) for lesion in spec.lesions],
        files=sops,
        labels=labels,
        lesion_area_mm2=areas,
        key_slice=key,
        findings=list(volume.findings),
        key_findings=key_findings(volume, key),
        scanner=volume.scanner.kernel,
        age=round(volume.shape.age, 2),
        haematocrit=spec.haematocrit,
        quirks=quirks,
    )


def _septum_shift(volume: SeriesVolume, pixel_mm: float) -> float:
    """The midline shift as a reader measures it on these slices: the septum pellucidum's distance
    from the ideal midline on the slice of the frontal horns (:func:`ctlib.course.signs.midline_shift`).

    The generator moves the brain by a smooth field; how far the septum ends up from the midline
    depends on where along the field the frontal horns are cut, so it is measured, not assumed.
    """
    try:
        k = frontal_horns(volume.tissue, volume.lesion)
        shift = midline_shift(volume.tissue[k], volume.lesion[k], pixel_mm=pixel_mm)
    except CtlibError:
        return 0.0
    return round(abs(shift.shift_mm), 1)


def _key_slice(volume: SeriesVolume) -> int:
    """The slice that shows the series' finding best.

    With lesions: where the first lesion of the recipe (the series' subject)
    covers most; else where calcification does (the mimics' series), else
    dense venous sinus, else the most ventricle (a normal series' reference level).
    """
    spec = volume.spec
    skip = {volume.stack.count - 1} if spec.blank_slice else set()
    score: npt.NDArray[np.float64]
    if spec.lesions:
        code = Lesion[str(spec.lesions[0]["type"]).upper()]
        score = (volume.lesion == code).sum(axis=(1, 2)).astype(float)
    elif spec.calcifications:
        score = (volume.tissue == Tissue.CALCIFICATION).sum(axis=(1, 2)).astype(float)
        score += 0.01 * (volume.tissue == Tissue.VENTRICLE).sum(axis=(1, 2))
    elif spec.dense_sinus:
        score = (volume.tissue == Tissue.VENOUS_SINUS).sum(axis=(1, 2)).astype(float)
    else:
        score = (volume.tissue == Tissue.VENTRICLE).sum(axis=(1, 2)).astype(float)
    for k in skip:
        score[k] = -1.0
    return int(np.argmax(score))


#: What each finding needs on a slice to be shown there: (tissue or lesion map, code, pixels).
FINDING_CHECKS: dict[str, tuple[str, int, int]] = {
    "epidural": ("lesion", Lesion.EPIDURAL, 200),
    "subdural": ("lesion", Lesion.SUBDURAL, 150),
    "subarachnoid": ("lesion", Lesion.SUBARACHNOID, 60),
    "intraventricular": ("lesion", Lesion.INTRAVENTRICULAR, 60),
    "intraparenchymal": ("lesion", Lesion.INTRAPARENCHYMAL, 60),
    "fracture": ("tissue", Tissue.FRACTURE, 15),
    "calcification": ("tissue", Tissue.CALCIFICATION, 8),
    "venous sinus": ("tissue", Tissue.VENOUS_SINUS, 40),
    "edema": ("tissue", Tissue.EDEMA, 60),
}


def key_findings(volume: SeriesVolume, key: int) -> list[str]:
    """The findings of :data:`FINDING_CHECKS` that are present on slice ``key``."""
    present = []
    for name, (kind, code, pixels) in FINDING_CHECKS.items():
        plane = volume.lesion[key] if kind == "lesion" else volume.tissue[key]
        if int((plane == code).sum()) >= pixels:
            present.append(name)
    return present


def _save_npz(path: Path, **arrays: npt.NDArray[Any]) -> None:
    """``numpy.savez_compressed``, but byte-reproducible (fixed zip timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue(), compresslevel=1)
    path.write_bytes(buffer.getvalue())


def _cost(entry: SeriesEntry) -> float:
    """A rough guess of how long a series takes to render, for scheduling."""
    kinds = [str(lesion["type"]) for lesion in entry.spec.lesions]
    moving = sum(kind in ("subdural", "epidural", "intraparenchymal") for kind in kinds)
    return 1.0 + 1.2 * moving + 0.2 * len(kinds)


def _run(job: tuple[SeriesEntry, Recipe, Path]) -> SeriesResult:
    return _write_series(*job)


#: What the generator needs beyond ctlib itself: pip names → import names (the "synth" extra).
GENERATOR_PACKAGES = {"nibabel": "nibabel", "nilearn": "nilearn", "scikit-image": "skimage"}


def require_generator_packages() -> None:
    """Raise :class:`ctlib.CtlibError` naming the generator's packages that are missing.

    They are an extra (``pip install "ctlib[synth]"``; the course's own environments
    have them), so that reading and windowing DICOM need neither.
    """
    from importlib.util import find_spec

    missing = [pip for pip, module in GENERATOR_PACKAGES.items() if find_spec(module) is None]
    if missing:
        raise CtlibError(
            f"the synthetic data set generator needs {', '.join(missing)}, which is not "
            "installed. Install it with: pip install \"ctlib[synth]\" (or make lab / make test "
            "in the course's repository, which install everything)."
        )


def generate(
    out_dir: str | os.PathLike[str],
    *,
    recipe: Recipe | None = None,
    workers: int | None = None,
    progress: bool = True,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Generate the data set described by ``recipe`` into ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Created if needed; its ``images/`` and ``masks/`` are replaced.
    recipe : Recipe, optional
        Default: :func:`load_recipe` of the repository's ``data/recipe.toml``.
    workers : int, optional
        Processes to use (default: up to 2, one per core).
    progress : bool, optional
        Show a progress bar.
    only : sequence of str, optional
        Build only these series (by name), e.g. for tests.

    Returns
    -------
    dict
        The manifest, also written to ``out_dir/manifest.json``.
    """
    require_generator_packages()
    recipe = recipe or load_recipe()
    out = Path(out_dir)
    (out / "manifest.json").unlink(missing_ok=True)  # written last: its presence means "complete"
    (out / "SHA256SUMS").unlink(missing_ok=True)
    for sub in ("images", "masks"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True)
    entries = [e for e in recipe.series if only is None or e.spec.name in only]
    jobs = [(e, recipe, out) for e in entries]
    workers = min(workers or min(2, os.cpu_count() or 1), len(jobs)) or 1
    base_head()  # built once here; forked workers inherit it
    bar = tqdm(total=len(jobs), unit="series", desc="synthetic CT", disable=not progress)
    # Longest first (series with lesions that move the brain take about twice as long), so
    # the two workers finish together; the results are put back in recipe order.
    order = sorted(range(len(jobs)), key=lambda i: -_cost(jobs[i][0]))
    done: dict[int, SeriesResult] = {}
    if workers == 1:
        for i in order:
            done[i] = _run(jobs[i])
            bar.update()
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            futures = {pool.submit(_run, jobs[i]): i for i in order}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                bar.update()
    bar.close()
    results = [done[i] for i in range(len(jobs))]
    return _finish(out, recipe, results)


def _finish(out: Path, recipe: Recipe, results: list[SeriesResult]) -> dict[str, Any]:
    """Write labels.csv, split.csv and manifest.json for ``results``."""
    files = [sop for r in results for sop in r.files]
    if len(set(files)) != len(files):
        raise RuntimeError("two images received the same SOP Instance UID; change the seed")
    rows: list[tuple[str, int]] = []
    for r in results:
        for sop, labels in zip(r.files, r.labels, strict=True):
            for subtype, value in zip(RSNA_SUBTYPES, labels, strict=True):
                rows.append((f"{sop}_{subtype}", value))
            rows.append((f"{sop}_any", int(any(labels))))
    rows.sort(key=lambda row: (row[0].rsplit("_", 1)[0], _ORDER[row[0].rsplit("_", 1)[1]]))
    duplicate = next(row for row in rows if row[0].endswith("_subdural"))
    at = rows.index(duplicate)
    rows.insert(at + 1, duplicate)  # the real file has a few repeated rows, so this one does
    with open(out / "labels.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["ID", "Label"])
        writer.writerows(rows)
    patients = sorted({(r.patient_id, r.split) for r in results})
    with open(out / "split.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["PatientID", "split"])
        writer.writerows(patients)

    quirks: dict[str, Any] = {
        "padding_below_air": [
            r.name for r in results if ENCODINGS[r.encoding].padding_stored is not None
        ],
        "two_valued_windows": [r.name for r in results if ENCODINGS[r.encoding].two_windows],
        "wrong_pixel_representation": [
            r.name for r in results if ENCODINGS[r.encoding].twos_complement_12
        ],
        "intercept_minus_1000": [r.name for r in results if r.encoding == "intercept1000"],
        "non_512_matrix": [r.name for r in results if r.matrix != 512],
        "gantry_tilt": [r.name for r in results if r.tilt_deg],
        # Every file: (0002,0003) is a valid UID, (0008,0018) is "ID_..." (see encode.py).
        "media_storage_sop_instance_uid_differs": [r.name for r in results],
        "duplicated_label_row": duplicate[0],
    }
    for r in results:
        for kind, sops in r.quirks.items():
            quirks.setdefault(kind, []).extend(sops)
    counts = {name: 0 for name in (*RSNA_SUBTYPES, "any")}
    for r in results:
        for labels in r.labels:
            for subtype, value in zip(RSNA_SUBTYPES, labels, strict=True):
                counts[subtype] += value
            counts["any"] += int(any(labels))
    manifest: dict[str, Any] = {
        "description": "Synthetic head CT in the layout of the RSNA 2019 data set (ctlib.synth)",
        "seed": recipe.seed,
        "positive_area_mm2": recipe.positive_area_mm2,
        "images": len(files),
        "label_rows": len(rows),
        "positive_slices": counts,
        "lesion_codes": LESION_CODES,
        "tissue_codes": TISSUE_CODES,
        "quirks": quirks,
        "series": [
            {k: v for k, v in vars(r).items() if k not in ("labels", "quirks")}
            | {"slices": len(r.files)}
            for r in results
        ],
        "versions": {
            p: version(p) for p in ("ctlib", "numpy", "scipy", "scikit-image", "nilearn", "pydicom")
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    write_checksums(out)
    return manifest


_ORDER = {name: i for i, name in enumerate((*RSNA_SUBTYPES, "any"))}
#: Quirks that are single files (the others are whole series).
_FILE_QUIRKS = ("unequal_windows", "truncated_pixel_data", "blank_slice")


def make_sample(
    full_dir: str | os.PathLike[str], sample_dir: str | os.PathLike[str]
) -> dict[str, Any]:
    """Copy the key slices and the quirk files of a built set into a small sample set.

    Parameters
    ----------
    full_dir, sample_dir : path-like
        A set made by :func:`generate`, and where to put the sample (replaced).

    Returns
    -------
    dict
        The sample's manifest.
    """
    full, sample = Path(full_dir), Path(sample_dir)
    manifest = json.loads((full / "manifest.json").read_text())
    quirk_files = {sop for kind in _FILE_QUIRKS for sop in manifest["quirks"].get(kind, [])[:1]}
    keep: dict[str, list[int]] = {}
    for s in manifest["series"]:
        chosen = {s["key_slice"]} if s["sample"] else set()
        chosen |= {k for k, sop in enumerate(s["files"]) if sop in quirk_files}
        if chosen:
            keep[s["series_uid"]] = sorted(chosen)
    for sub in ("images", "masks"):
        shutil.rmtree(sample / sub, ignore_errors=True)
        (sample / sub).mkdir(parents=True)
    kept_files: set[str] = set()
    series_out = []
    for s in manifest["series"]:
        if s["series_uid"] not in keep:
            continue
        index = keep[s["series_uid"]]
        files = [s["files"][k] for k in index]
        kept_files |= set(files)
        for sop in files:
            shutil.copy2(full / "images" / f"{sop}.dcm", sample / "images" / f"{sop}.dcm")
        with np.load(full / "masks" / f"{s['series_uid']}.npz") as masks:
            _save_npz(
                sample / "masks" / f"{s['series_uid']}.npz",
                lesion=masks["lesion"][index],
                tissue=masks["tissue"][index],
                sop_instance_uids=masks["sop_instance_uids"][index],
            )
        series_out.append(
            s
            | {
                "files": files,
                "slices": len(files),
                "key_slice": None,
                "slice_indices": index,
                "lesion_area_mm2": [s["lesion_area_mm2"][k] for k in index],
            }
        )
    with open(full / "labels.csv", newline="") as f:
        rows = [row for row in csv.reader(f)][1:]
    rows = [row for row in rows if row[0].rsplit("_", 1)[0] in kept_files]
    first_subdural = next(i for i, row in enumerate(rows) if row[0].endswith("_subdural"))
    if rows.count(rows[first_subdural]) == 1:  # keep the duplicated-row quirk in the sample
        rows.insert(first_subdural + 1, rows[first_subdural])
    with open(sample / "labels.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["ID", "Label"])
        writer.writerows(rows)
    with open(full / "split.csv", newline="") as f:
        split_rows = [row for row in csv.reader(f)]
    patients = {s["patient_id"] for s in series_out}
    with open(sample / "split.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerows([split_rows[0]] + [r for r in split_rows[1:] if r[0] in patients])
    counts = {name: 0 for name in (*RSNA_SUBTYPES, "any")}
    unique = {row[0]: int(row[1]) for row in rows}
    for key, value in unique.items():
        counts[key.rsplit("_", 1)[1]] += value
    kept_series = {s["name"] for s in series_out}
    quirks: dict[str, Any] = {}
    for kind, where in manifest["quirks"].items():
        if kind in _FILE_QUIRKS:
            quirks[kind] = [sop for sop in where if sop in kept_files]
        elif isinstance(where, list):
            quirks[kind] = [name for name in where if name in kept_series]
    quirks["duplicated_label_row"] = rows[first_subdural][0]
    sample_manifest: dict[str, Any] = manifest | {
        "description": manifest["description"] + ": the committed sample, one key slice per series",
        "images": len(kept_files),
        "label_rows": len(rows),
        "positive_slices": counts,
        "quirks": quirks,
        "series": series_out,
    }
    (sample / "manifest.json").write_text(
        json.dumps(sample_manifest, indent=1, sort_keys=True) + "\n"
    )
    write_checksums(sample)
    return sample_manifest


def write_checksums(root: str | os.PathLike[str]) -> Path:
    """Write ``SHA256SUMS`` (``sha256sum`` format) for every file under ``root``."""
    base = Path(root)
    target = base / "SHA256SUMS"
    target.unlink(missing_ok=True)
    lines = [f"{digest}  {name}" for name, digest in checksums(base).items()]
    target.write_text("\n".join(lines) + "\n")
    return target


def checksums(root: str | os.PathLike[str], names: Iterable[str] | None = None) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative POSIX paths, sorted)."""
    base = Path(root)
    paths = (
        sorted(p for p in base.rglob("*") if p.is_file())
        if names is None
        else [base / n for n in names]
    )
    return {
        p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths
    }
