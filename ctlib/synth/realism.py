"""Does the synthetic set *measure* like real non-contrast head CT?

``python -m ctlib.synth.realism [set_dir]`` prints, per series of a built set (default
``data/synthetic``), what a radiologist would check: median HU of grey and white matter,
CSF and blood, the CSF fraction of the intracranial area, the spread of bone values, the
noise SD and grain, and whether the brain histogram has one peak, each beside its range
in :data:`REFERENCE_RANGES` (``!`` flags a value outside it). With ``pydicom-data`` and a
JPEG 2000 decoder installed, two real 5 mm head slices are measured the same way where
they are installed (never copied). Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pydicom.data
from scipy import ndimage, signal
from tqdm import tqdm

from ctlib.course.tissues import Lesion, Tissue
from ctlib.errors import DicomError
from ctlib.hu import to_hu
from ctlib.reading import read
from ctlib.synth.dataset import repo_data_dir

__all__ = ["REFERENCE_RANGES", "bone_spread", "brain_histogram_peaks", "csf_fraction",
           "lesion_hu", "main", "measure_series", "noise_correlation", "noise_sd",
           "real_slices", "report", "tissue_hu"]

_CHOI = "Choi et al., Emerg Med J 2008;25:666: GM/WM 1.32 in controls"
_GMWM = "J Comput Assist Tomogr 1980;4:489: GM-WM 5.5 HU from composition"
_BLOOD = "New & Aronow, Radiology 1976;121:635; Parizel et al., Eur Radiol 2001;11:1770"
_REAL_SLICES = "on two real 5 mm slices (693_UNCR, J2K_pixelrep_mismatch)"
#: Quantity -> (low, high, source); a value outside [low, high] is flagged.
REFERENCE_RANGES: dict[str, tuple[float, float, str]] = {
    "gm": (32.0, 45.0, f"{_CHOI}; {_GMWM}"),
    "deep_gray": (32.0, 45.0, f"approximate, as cortical grey matter ({_CHOI})"),
    "wm": (20.0, 34.0, f"{_CHOI}; {_GMWM}"),
    "gm_wm": (4.0, 12.0, f"{_GMWM}; {_CHOI}, i.e. 8-10 HU at WM 25-30"),
    "csf": (0.0, 25.0, "water-like CSF (Prokop & Galanski 2003), partial volume on 5 mm slices"),
    "ventricle": (0.0, 15.0, "water-like (Prokop & Galanski 2003)"),
    "edema": (10.0, 25.0, f"below brain ({_BLOOD})"),
    "acute": (60.0, 100.0, f"clotted, 90-100 with clot retraction ({_BLOOD})"),
    "acute_anaemic": (40.0, 65.0, f"approximate: HU follows haematocrit, here < 30 % ({_BLOOD})"),
    "hyperacute": (35.0, 50.0, f"unclotted ({_BLOOD})"),
    "subarachnoid": (40.0, 80.0, f"acute blood mixed with the CSF it lies in ({_BLOOD})"),
    "mixed": (35.0, 100.0, f"swirl sign, hyperacute within acute ({_BLOOD})"),
    "subacute": (30.0, 45.0, f"isodense with brain at 1-3 weeks ({_BLOOD})"),
    "chronic": (0.0, 25.0, f"near CSF ({_BLOOD})"),
    "csf_fraction": (0.08, 0.35, "approximate: CSF / intracranial volume, young adult to elderly"),
    "bone_spread": (0.08, 0.20, ("about 0.08-0.15 on real 5 mm head slices; 0.19 and 0.15 "
                                 f"measured {_REAL_SLICES}")),
    "noise_sd": (2.5, 5.0, f"Nakamura et al. 2019; 3.1 and 3.3 measured {_REAL_SLICES}"),
    "corr_lag1": (0.60, 0.85, f"0.68 and 0.76 measured {_REAL_SLICES}"),
    "peaks": (1.0, 1.0, f"one brain peak; 1 and 1 measured {_REAL_SLICES}"),
}
_INTRACRANIAL = [Tissue.CSF, Tissue.VENTRICLE, Tissue.GRAY, Tissue.WHITE, Tissue.DEEP_GRAY,
                 Tissue.CALCIFICATION, Tissue.DURA, Tissue.VENOUS_SINUS, Tissue.CHOROID_PLEXUS,
                 Tissue.VESSEL, Tissue.EXTRA_AXIAL, Tissue.EDEMA]
_TISSUES = {"gm": Tissue.GRAY, "deep_gray": Tissue.DEEP_GRAY, "wm": Tissue.WHITE,
            "csf": Tissue.CSF, "ventricle": Tissue.VENTRICLE, "edema": Tissue.EDEMA}
_SHORT = {Lesion.EPIDURAL: "EDH", Lesion.INTRAPARENCHYMAL: "IPH",
          Lesion.INTRAVENTRICULAR: "IVH", Lesion.SUBARACHNOID: "SAH", Lesion.SUBDURAL: "SDH"}
_BY_NAME = {code.name.lower(): code for code in Lesion}
_REAL = ("693_UNCR.dcm", "J2K_pixelrep_mismatch.dcm")
_NOT_AVAILABLE = ("real slices: not available "
                  "(pip install pydicom-data pylibjpeg pylibjpeg-openjpeg to compare)")
Result = dict[str, Any]
Bool = npt.NDArray[np.bool_]
Float = npt.NDArray[np.float64]


def _erode(mask: Bool, iterations: int) -> Bool:
    """Erode within each slice (the last two axes): slices are 5 mm apart."""
    if mask.ndim < 2:
        raise ValueError(f"need an image or a stack of images, got shape {mask.shape}")
    if iterations <= 0:
        return mask
    cross = ndimage.generate_binary_structure(2, 1).reshape((1,) * (mask.ndim - 2) + (3, 3))
    return np.asarray(ndimage.binary_erosion(mask, cross, iterations=iterations))


def _pair(hu: npt.ArrayLike, mask: npt.ArrayLike, ndim: int | None = None) -> tuple[Float, Bool]:
    values, inside = np.asarray(hu, dtype=np.float64), np.asarray(mask, dtype=bool)
    if values.shape != inside.shape or (ndim is not None and values.ndim != ndim):
        raise ValueError(f"need image and mask of one shape{f', {ndim}-D' if ndim else ''}, "
                         f"got {values.shape} and {inside.shape}")
    return values, inside


def bone_spread(hu: npt.ArrayLike, *, threshold: float = 300.0, half_width: float = 50.0,
                bin_hu: float = 10.0) -> float:
    """Fraction of the pixels above ``threshold`` within ``half_width`` HU of their mode.

    Parameters
    ----------
    hu : array_like
        HU values.
    threshold, half_width, bin_hu : float, optional
        Bone threshold, half-width round the mode (the centre of the fullest ``bin_hu``
        bin of the histogram), bin width, all in HU.

    Returns
    -------
    float
        In [0, 1] (real 5 mm slices 0.15-0.19, a skull of one value 1.0); NaN: no bone.

    Examples
    --------
    >>> bone_spread(np.full((8, 8), 1200.0))
    1.0
    >>> round(bone_spread(np.random.default_rng(0).uniform(300, 2000, 100_000)), 2)
    0.06
    """
    if half_width <= 0 or bin_hu <= 0:
        raise ValueError(f"half_width and bin_hu must be positive, got {half_width}, {bin_hu}")
    values = np.asarray(hu, dtype=np.float64)
    values = values[values > threshold]
    if values.size == 0:
        return math.nan
    bins = max(1, math.ceil((values.max() - threshold) / bin_hu))
    counts, edges = np.histogram(values, bins, range=(threshold, threshold + bins * bin_hu))
    mode = edges[np.argmax(counts)] + bin_hu / 2
    return float(np.mean(np.abs(values - mode) <= half_width))


def noise_sd(hu: npt.ArrayLike, mask: npt.ArrayLike, *, window: int = 15) -> float:
    """Noise SD: the 25th percentile of the SD in ``window`` x ``window`` boxes in ``mask``.

    Parameters
    ----------
    hu, mask : array_like, 2-D
        HU values; a homogeneous tissue (e.g. white matter). Only boxes centred in ``mask``
        eroded by ``window`` pixels count; the low percentile skips boxes over edges.
    window : int, optional
        Side of the boxes in pixels.

    Returns
    -------
    float
        The SD in HU; NaN if the eroded mask is empty.

    Examples
    --------
    >>> hu = 30 + 4 * np.random.default_rng(0).standard_normal((128, 128))
    >>> round(noise_sd(hu, np.ones((128, 128), bool)))
    4
    """
    values, inside = _pair(hu, mask, 2)
    if window < 2:
        raise ValueError(f"window must be at least 2 pixels, got {window}")
    inner = _erode(inside, window)
    if not inner.any():
        return math.nan
    values = values - np.median(values[inside])  # less cancellation in E[x²] - E[x]²
    mean = ndimage.uniform_filter(values, window)
    local_sd = np.sqrt(np.clip(ndimage.uniform_filter(values**2, window) - mean**2, 0, None))
    return float(np.percentile(local_sd[inner], 25))


def noise_correlation(hu: npt.ArrayLike, mask: npt.ArrayLike,
                      lags: Sequence[int] = (1, 2, 4, 6)) -> dict[int, float]:
    """Correlation of pixels ``lag`` apart along rows in ``hu - gaussian_filter(hu, 3)``.

    Parameters
    ----------
    hu, mask : array_like, 2-D
        HU values; where to look. Pairs count if both pixels are in ``mask`` eroded by 10.
    lags : sequence of int, optional
        Distances in pixels.

    Returns
    -------
    dict of int to float
        Correlation per lag; NaN with fewer than 2 pairs or no variation.

    Examples
    --------
    >>> white = np.random.default_rng(0).standard_normal((128, 128))
    >>> abs(noise_correlation(white, np.ones((128, 128), bool))[1]) < 0.05
    True
    """
    values, inside = _pair(hu, mask, 2)
    residual = values - ndimage.gaussian_filter(values, 3)
    inner = _erode(inside, 10)
    out: dict[int, float] = {}
    for lag in lags:
        if lag < 1:
            raise ValueError(f"lags must be positive, got {lag}")
        both = inner[:, :-lag] & inner[:, lag:]
        a, b = residual[:, :-lag][both], residual[:, lag:][both]
        a, b = a - (a.mean() if a.size else 0), b - (b.mean() if b.size else 0)
        norm = math.sqrt(float(np.sum(a * a) * np.sum(b * b)))
        out[lag] = float(np.sum(a * b) / norm) if a.size > 1 and norm > 0 else math.nan
    return out


def tissue_hu(hu: npt.ArrayLike, tissue: npt.ArrayLike, code: int, *, erode: int = 1) -> float:
    """Median HU of tissue ``code`` after eroding its mask ``erode`` pixels in each slice.

    Parameters
    ----------
    hu, tissue : array_like
        HU values and tissue map (:class:`~ctlib.course.tissues.Tissue`): an image or a
        stack of slices.
    code : int
        The tissue.
    erode : int, optional
        Pixels taken off the edges, against partial volume.

    Returns
    -------
    float
        Median HU; NaN if no pixel is left.

    Examples
    --------
    >>> tissue_hu(np.full((5, 5), 29.0), np.full((5, 5), Tissue.WHITE), Tissue.WHITE)
    29.0
    >>> tissue_hu(np.full((5, 5), 29.0), np.full((5, 5), Tissue.WHITE), Tissue.GRAY)
    nan
    """
    values, where = _pair(hu, np.asarray(tissue) == int(code))
    where = _erode(where, erode)
    return float(np.median(values[where])) if where.any() else math.nan


def lesion_hu(hu: npt.ArrayLike, lesion: npt.ArrayLike, code: int, *, erode: int = 1) -> float:
    """Median HU of lesion ``code`` (:class:`~ctlib.course.tissues.Lesion`): see :func:`tissue_hu`.

    Examples
    --------
    >>> lesion = np.zeros((7, 7), np.uint8)
    >>> lesion[1:6, 1:6] = Lesion.SUBDURAL
    >>> lesion_hu(np.full((7, 7), 70.0), lesion, Lesion.SUBDURAL)
    70.0
    """
    return tissue_hu(hu, lesion, code, erode=erode)


def csf_fraction(tissue: npt.ArrayLike, lesion: npt.ArrayLike | None = None) -> float:
    """Pixels of CSF (sulci, cisterns, ventricles) over intracranial pixels, NaN if none.

    Intracranial: brain, CSF, dura, venous sinuses, vessels, choroid plexus, calcification,
    extra-axial space, edema, and any pixel where ``lesion`` > 0.

    Examples
    --------
    >>> tissue = np.array([[Tissue.CSF, Tissue.VENTRICLE, Tissue.GRAY, Tissue.BONE]])
    >>> csf_fraction(tissue), csf_fraction(tissue, np.array([[0, 0, 0, 1]]))
    (0.6666666666666666, 0.5)
    """
    codes = np.asarray(tissue)
    intracranial = np.isin(codes, _INTRACRANIAL)
    if lesion is not None:
        intracranial |= np.asarray(lesion) > 0
    total = int(np.count_nonzero(intracranial))
    csf = np.count_nonzero(np.isin(codes, [Tissue.CSF, Tissue.VENTRICLE]))
    return int(csf) / total if total else math.nan


def brain_histogram_peaks(hu: npt.ArrayLike, mask: npt.ArrayLike) -> int:
    """Peaks of the histogram of ``hu[mask]``, 0-80 HU, 1 HU bins, Gaussian-smoothed (2 HU).

    A peak counts if it rises above 25 % of the maximum and 10 % of the maximum above the
    valleys beside it (so quantisation ripples do not count). Real brain shows one; a
    grey-white contrast too strong for the noise shows two.

    Examples
    --------
    >>> rng, mask = np.random.default_rng(0), np.ones(20_000, bool)
    >>> two = np.concatenate([rng.normal(26, 3, 10_000), rng.normal(41, 3, 10_000)])
    >>> brain_histogram_peaks(rng.normal(33, 4, 20_000), mask), brain_histogram_peaks(two, mask)
    (1, 2)
    """
    values, inside = _pair(hu, mask)
    counts, _ = np.histogram(values[inside], 80, range=(0.0, 80.0))
    smooth = ndimage.gaussian_filter1d(counts.astype(np.float64), 2.0)
    top = float(smooth.max())
    return int(signal.find_peaks(smooth, height=0.25 * top, prominence=0.1 * top)[0].size
               if top > 0 else 0)


def _manifest(set_dir: Path) -> Result:
    path = set_dir / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"no {path}: give a set built by python -m ctlib.synth")
    try:
        manifest: Result = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from error
    return manifest


def _stats(hu: Float, tissue: npt.NDArray[Any], lesion: npt.NDArray[Any]) -> Result:
    clean = np.where(lesion > 0, 255, tissue)  # tissue under blood (SAH keeps CSF) not counted
    out: Result = {key: tissue_hu(hu, clean, code) for key, code in _TISSUES.items()}
    # Sulcal CSF is a partial-volume mixture on 5 mm slices, and along the inner table it
    # takes in bone: measure CSF where a reader would, in the cisterns and wide sulci,
    # at least 6 pixels from bone.
    planes = hu.reshape(-1, *hu.shape[-2:])
    far = np.zeros(planes.shape, dtype=bool)
    for k, plane in enumerate(planes):
        far[k] = ndimage.distance_transform_edt(plane < 300) > 6
    far = far.reshape(hu.shape)
    out["csf"] = tissue_hu(hu, np.where(far, clean, 255), Tissue.CSF, erode=2)
    out["gm_wm"], out["lesions"] = out["gm"] - out["wm"], {}
    for code in (Lesion(int(c)) for c in np.unique(lesion) if c):
        value = lesion_hu(hu, lesion, code)  # thin blood (SAH) may vanish on erosion:
        out["lesions"][_SHORT[code]] = lesion_hu(hu, lesion, code, erode=0) if math.isnan(
            value) else value
    return out


def _blood_range(entry: Mapping[str, Any], short: str) -> str | None:
    """The key of the range a lesion is checked against (None: mixed ages, not checked)."""
    kinds = set()
    for item in entry.get("lesions", []):
        if _SHORT.get(_BY_NAME.get(str(item.get("type")), Lesion.NONE)) == short:
            kind = item.get("kind") or ("hyperacute" if item.get("swirl") else "acute")
            kinds.add({"hyperacute": "mixed", "acute_on_chronic": None}.get(kind, kind))
    if short == "SAH":
        return "subarachnoid"
    kind = kinds.pop() if len(kinds) == 1 else (None if kinds else "acute")
    if kind == "acute" and (entry.get("haematocrit") or 45.0) < 30.0:
        return "acute_anaemic"
    return kind if kind in REFERENCE_RANGES else None


def measure_series(set_dir: str | Path, entry: Mapping[str, Any], *,
                   quirks: Mapping[str, Any] | None = None) -> Result:
    """Measure one series (an entry of the manifest's ``"series"``) of a built set.

    Parameters
    ----------
    set_dir : path-like
        The set: ``manifest.json``, ``images/<sop>.dcm``, ``masks/<series_uid>.npz``.
    entry : mapping
        The series' entry. If ``key_slice`` is null or unreadable (as in the committed
        sample), the key slice is the first readable file that no quirk names.
    quirks : mapping, optional
        The manifest's ``"quirks"`` (default: read from ``set_dir``). Files listed under
        ``truncated_pixel_data`` and ``blank_slice`` are not read.

    Returns
    -------
    dict
        ``series`` and ``key``: median HU of ``gm``, ``deep_gray``, ``wm``, ``csf``,
        ``ventricle``, ``edema`` (outside lesions), ``gm_wm`` and per lesion (``lesions``,
        e.g. ``"SDH"``) over all readable slices and on the key slice; ``blood_range`` (the
        :data:`REFERENCE_RANGES` key per lesion); ``csf_fraction`` over all slices;
        ``bone_spread``, ``noise_sd`` and ``corr`` (per lag) in white matter, ``corr_lag1``,
        ``peaks`` on the key slice (NaN or None without one); ``name``, ``scanner``,
        ``age``, ``midline_shift_mm``; ``read`` (slices read) and ``key_file``.
    """
    set_dir = Path(set_dir)
    quirks = _manifest(set_dir).get("quirks", {}) if quirks is None else quirks
    skipped = set(quirks.get("truncated_pixel_data", [])) | set(quirks.get("blank_slice", []))
    files, path = list(entry["files"]), set_dir / "masks" / f"{entry['series_uid']}.npz"
    if not path.is_file():
        raise FileNotFoundError(f"no masks for series {entry['name']!r}: {path}")
    with np.load(path) as masks:
        tissue, lesion = masks["tissue"], masks["lesion"]
    if tissue.shape[0] != len(files):
        raise ValueError(f"{path} has {tissue.shape[0]} slices, the manifest {len(files)}")
    readable = [k for k, sop in enumerate(files) if sop not in skipped]
    images = np.zeros((0, *tissue.shape[1:]))
    if readable:
        images = np.stack([to_hu(read(set_dir / "images" / f"{files[k]}.dcm"))
                           for k in readable]).astype(np.float64)
    if images.shape[1:] != tissue.shape[1:]:
        raise ValueError(f"{entry['name']}: images {images.shape[1:]}, masks {tissue.shape[1:]}")
    quirky = {f for v in quirks.values() if isinstance(v, list) for f in v}
    key = entry.get("key_slice")
    if key not in readable:
        key = next((k for k in readable if files[k] not in quirky), next(iter(readable), None))
    out: Result = {"name": entry["name"], "scanner": entry.get("scanner"), "age": entry.get(
        "age"), "midline_shift_mm": entry.get("midline_shift_mm"), "read": len(readable),
        "key_file": None if key is None else files[key], "csf_fraction": csf_fraction(
            tissue, lesion), "series": _stats(images, tissue[readable], lesion[readable])}
    out["blood_range"] = {s: _blood_range(entry, s) for s in out["series"]["lesions"]}
    if key is None:
        return out | {"key": _stats(images, tissue[:0], lesion[:0]), "bone_spread": math.nan,
                      "noise_sd": math.nan, "corr": {}, "corr_lag1": math.nan, "peaks": None}
    hu, t = images[readable.index(key)], tissue[key]
    corr = noise_correlation(hu, t == Tissue.WHITE)
    brain = np.isin(t, [Tissue.GRAY, Tissue.WHITE, Tissue.DEEP_GRAY])
    return out | {"key": _stats(hu, t, lesion[key]), "bone_spread": bone_spread(hu),
                  "noise_sd": noise_sd(hu, t == Tissue.WHITE), "corr": corr,
                  "corr_lag1": corr[1], "peaks": brain_histogram_peaks(hu, brain)}


def real_slices() -> dict[str, Result]:
    """Measure the real 5 mm head slices of pydicom-data and pydicom, if installed.

    ``693_UNCR.dcm`` (pydicom-data) and ``J2K_pixelrep_mismatch.dcm`` (JPEG 2000: needs
    pylibjpeg-openjpeg or Pillow) are read where installed, never downloaded or copied.
    Brain is crude: 10 < HU < 60 inside the skull (holes of HU > 300), 4 pixels from bone.

    Returns
    -------
    dict
        File name -> ``bone_spread``, ``noise_sd``, ``corr`` (per lag), ``peaks`` and
        ``brain_median``, for the slices available; empty if none is.
    """
    out: dict[str, Result] = {}
    for name in _REAL:
        path = pydicom.data.get_testdata_file(name, download=False)
        try:
            hu = to_hu(read(path)) if isinstance(path, str) else None
        except DicomError:  # no JPEG 2000 decoder
            hu = None
        if hu is None:
            continue
        bone = hu > 300
        brain = ndimage.binary_fill_holes(bone) & ~ndimage.binary_dilation(bone, iterations=4)
        brain &= (hu > 10) & (hu < 60)
        out[name] = {"bone_spread": bone_spread(hu), "noise_sd": noise_sd(hu, brain),
                     "corr": noise_correlation(hu, brain),
                     "peaks": brain_histogram_peaks(hu, brain),
                     "brain_median": float(np.median(hu[brain]))}
    return out


def _cell(value: Any, fmt: str, key: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "- "
    low, high, _ = REFERENCE_RANGES.get(key, (-math.inf, math.inf, ""))
    return format(value, fmt) + (" " if low <= value <= high else "!")


def _row(r: Result) -> list[str]:
    s = r["series"]
    blood = [f"{k} {_cell(v, '.0f', r['blood_range'][k] or '')}" for k, v in s["lesions"].items()]
    blood += [] if math.isnan(s["edema"]) else [f"edema {_cell(s['edema'], '.0f', 'edema')}"]
    return [r["name"], r["scanner"] or "-", _cell(r["age"], ".2f")] + [
        _cell(s[k], f, k) for k, f in [("gm", ".0f"), ("wm", ".0f"), ("gm_wm", ".1f"),
                                        ("csf", ".0f"), ("ventricle", ".0f")]] + [
        " ".join(blood).rstrip() or "-"] + [
        _cell(r[k], f, k) for k, f in [("csf_fraction", ".2f"), ("bone_spread", ".2f"),
                                        ("noise_sd", ".1f"), ("corr_lag1", ".2f"),
                                        ("peaks", "d")]] + [_cell(r["midline_shift_mm"], ".1f")]


def _ref(key: str, fmt: str = ".0f") -> str:
    low, high, _ = REFERENCE_RANGES[key]
    return f"{low:{fmt}}-{high:{fmt}} " if low != high else f"{low:{fmt}} "


def report(set_dir: str | Path, *, progress: bool = False) -> str:
    """The table of :func:`measure_series` for each series, its ranges, and the real slices."""
    set_dir = Path(set_dir)
    manifest = _manifest(set_dir)
    quirks = manifest.get("quirks", {})
    entries = tqdm(manifest.get("series", []), desc="measuring", unit="series",
                   file=sys.stderr, disable=not progress)
    rows = [["series", "scanner", "age", "GM", "WM", "GM-WM", "CSF", "vent", "lesion HU",
             "CSF/ICV", "bone", "noise", "r1", "peaks", "shift"],
            ["reference", "", ""] + [_ref(k) for k in ("gm", "wm", "gm_wm", "csf", "ventricle")]
            + [f"acute {_ref('acute')}".strip()] + [_ref(k, f) for k, f in [
                ("csf_fraction", ".2f"), ("bone_spread", ".2f"), ("noise_sd", ".1f"),
                ("corr_lag1", ".2f"), ("peaks", ".0f")]] + ["mm"]]
    rows += [_row(measure_series(set_dir, entry, quirks=quirks)) for entry in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [(f"{set_dir}: {len(rows) - 2} series. HU: medians over all readable slices; "
              "bone, noise and r1 (lag-1 correlation) in white matter and peaks: key slice. "
              "! = outside the range."), ""]
    lines += ["  ".join(c.ljust(w) if i in (0, 1, 8) else c.rjust(w) for i, (c, w) in
                        enumerate(zip(row, widths, strict=True))).rstrip() for row in rows]
    lines += ["", "reference ranges:"] + [f"  {k}: {lo:g} to {hi:g}; {src}" for k, (lo, hi, src)
                                          in REFERENCE_RANGES.items()]
    real = real_slices()
    lines += ["", "real slices (measured where installed, not shipped):" if real
              else _NOT_AVAILABLE]
    for name, r in real.items():
        lags = "/".join(map(str, r["corr"]))
        corr = "/".join(f"{v:.2f}" for v in r["corr"].values())
        lines.append(f"  {name}: bone {r['bone_spread']:.2f}  noise {r['noise_sd']:.1f}  "
                     f"r lag {lags} {corr}  peaks {r['peaks']}  brain {r['brain_median']:.0f} HU")
    lines += [f"  {name}: not available" for name in _REAL if real and name not in real]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print :func:`report` of a set (default ``data/synthetic``); 1 on error."""
    parser = argparse.ArgumentParser(prog="python -m ctlib.synth.realism",
                                     description="How real a synthetic set measures.")
    parser.add_argument("set_dir", nargs="?", type=Path, default=repo_data_dir() / "synthetic",
                        help="a set built by python -m ctlib.synth (default: data/synthetic)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        text = report(args.set_dir, progress=not args.no_progress)
    except (OSError, ValueError, KeyError, DicomError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
