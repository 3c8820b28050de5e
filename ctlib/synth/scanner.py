"""What a CT scanner adds to the anatomy: its kernel, noise, artefacts and head holder.

A slice of the 1 mm model, averaged over the 5 mm slab (see
:mod:`ctlib.synth.series`), is the object; :func:`acquire` turns it into the
image a scanner would reconstruct:

* the **reconstruction kernel** sharpens slightly (standard head kernels have
  a mild edge overshoot at the inner table);
* **beam hardening**: bone hardens the beam, so rays through much bone read
  low and filtered back-projection spreads the error along them. Between the
  petrous bones it makes the dark band across the posterior fossa known as
  the Hounsfield bar; along the vault, a faint cupping. It is modelled as the
  back-projection of a term quadratic in each ray's bone path;
* **photon starvation streaks**: rays through the skull base carry few
  photons and much noise, which back-projection turns into fine streaks;
* **noise** (:func:`ctlib.synth.noise.ct_noise`), scaled pixel by pixel by the
  square root of :func:`ctlib.synth.noise.variance_map`: stronger in the
  centre of the head and behind dense bone, at a level that differs from
  scan to scan;
* the **head holder**: a curved cradle or a flat table, often with a foam pad.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi

from ctlib.course.tissues import HU, Tissue
from ctlib.synth.noise import MU_WATER_PER_MM, ct_noise, variance_map

__all__ = ["SCANNERS", "Scanner", "acquire", "artefacts", "holder", "holder_layer"]

F2 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Scanner:
    """A scanner with its head protocol."""

    kernel: str  #: vendor name of the reconstruction kernel (Convolution Kernel, (0018,1210))
    noise_sd: float  #: HU in the brain, at this protocol's dose
    cutoff_per_mm: float  #: roll-off of the noise spectrum
    order: float  #: sharpness of that roll-off
    sharpen: float  #: edge enhancement of the kernel (unsharp mask amount)
    beam_hardening: float  #: strength of the residual bone beam-hardening
    streaks: float  #: strength of photon-starvation streaks
    kvp: int = 120


#: Head protocols the set draws from (kernels named as in REFERENCE.md).
SCANNERS: tuple[Scanner, ...] = (
    Scanner("STANDARD", 3.4, 0.35, 2.6, 0.30, 1.0, 1.0),
    Scanner("SOFT", 2.9, 0.30, 2.2, 0.10, 1.1, 0.8),
    Scanner("H31s", 3.9, 0.38, 3.0, 0.35, 0.9, 1.1),
    Scanner("H40s", 4.3, 0.42, 3.2, 0.45, 0.8, 1.2),
    Scanner("FC64", 3.6, 0.37, 2.8, 0.25, 1.2, 1.0, 120),
)


def artefacts(
    hu: F2, spacing_mm: float, scanner: Scanner, rng: np.random.Generator
) -> F2:
    """Beam-hardening and streak artefacts of one slice (HU to add), on its grid.

    Computed with 60 views: beam hardening on a 128² grid (it is smooth across
    the rays), the starvation streaks on a 256² grid (each a line about 1 mm
    wide, as on real scans).
    """
    from skimage.transform import iradon, radon

    size, views = 128, 60
    factor = size / hu.shape[0]
    coarse = ndi.zoom(hu, factor, order=1, grid_mode=True, mode="nearest")
    step = spacing_mm / factor
    # Dense bone dominates the residual hardening (water hardening is corrected).
    dense = ndi.gaussian_filter(np.clip((coarse - 1000.0) / 1000.0, 0.0, None) ** 2, 2.5) * step
    mu = np.clip(MU_WATER_PER_MM * (1.0 + coarse / 1000.0), 0.0, None) * step
    yy, xx = np.mgrid[:size, :size] - (size - 1) / 2
    outside = np.hypot(yy, xx) > size / 2 - 1
    dense[outside] = 0.0
    mu[outside] = 0.0
    theta = np.linspace(0.0, 180.0, views, endpoint=False)
    to_hu = 1000.0 / (MU_WATER_PER_MM * step)  # back-projection gives attenuation per pixel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # radon: "zero outside the circle"
        path = radon(dense, theta, circle=True)
        hardening = iradon(-(path**2), theta, circle=True, filter_name="hann") * to_hu
        line = radon(mu, theta, circle=True)
        # Only rays far more attenuated than a brain's carry visibly more noise. The noise is
        # drawn per detector channel at twice this grid's resolution, so each starved ray
        # back-projects as a line about 1 mm wide, as on real scans (not a broad band).
        excess = np.sqrt(np.clip(np.exp(line) - np.exp(4.3), 0.0, None))
        fine = 2 * size
        excess = ndi.zoom(excess, (fine / size, 1), order=1, grid_mode=True, mode="nearest")
        starve = iradon(rng.standard_normal(excess.shape) * excess, theta, circle=True,
                        filter_name="hann", output_size=fine) * to_hu
    soft = (coarse > 0) & (coarse < 80)
    offset = float(np.median(hardening[soft])) if soft.any() else 0.0
    image = 1.1e-2 * scanner.beam_hardening * (hardening - offset)
    # Right beside bone the error hides in the bone's own edge (and scanners correct it best).
    near_bone = ndi.distance_transform_edt(coarse < 600)
    image *= np.clip(near_bone / 3.0, 0.25, 1.0)
    full = ndi.zoom(image.astype(np.float32), 1 / factor, order=1, grid_mode=True, mode="nearest")
    streaks = 3.0e-3 * scanner.streaks * starve * np.clip(near_bone / 3.0, 0.25, 1.0).repeat(
        2, axis=0).repeat(2, axis=1)
    full = full[: hu.shape[0], : hu.shape[1]] + ndi.zoom(
        streaks.astype(np.float32), hu.shape[0] / fine, order=1, grid_mode=True, mode="nearest"
    )[: hu.shape[0], : hu.shape[1]]
    return np.asarray(full, dtype=np.float32)


def holder_layer(
    points: npt.NDArray[np.float64],
    kind: str,
    center_xy: tuple[float, float],
    reach_mm: float,
    pad_mm: float = 14.0,
    cradle_mm: float = 90.0,
) -> tuple[F2, npt.NDArray[np.uint8]]:
    """The head holder and its foam pad behind (posterior to) the head, as a layer.

    Parameters
    ----------
    points : numpy.ndarray
        LPS mm of every pixel, shape (3, rows, columns).
    kind : {"cradle", "flat", "none"}
        A curved plastic cradle with a foam pad, a flat table with a cushion,
        or nothing.
    center_xy : (float, float)
        LPS x, y of the head's centre.
    reach_mm : float
        How far behind ``center_xy`` the back of the head reaches; the holder is
        placed so that its pad just touches it there.
    pad_mm : float, optional
        Thickness of the pad.
    cradle_mm : float, optional
        Inner radius of the cradle's trough.

    Returns
    -------
    (hu, tissue) : numpy.ndarray
        HU of the layer (NaN where it is absent) and its tissue codes (0 there).
    """
    shape = points.shape[1:]
    hu = np.full(shape, np.nan, dtype=np.float32)
    tissue = np.zeros(shape, dtype=np.uint8)
    if kind == "none":
        return hu, tissue
    x, y = points[0] - center_xy[0], points[1] - center_xy[1]
    inner = reach_mm + pad_mm - 2.0  # the pad is pressed a little under the head's weight
    if kind == "cradle":
        # A trough of radius `cradle_mm` whose bottom lies just behind the occiput.
        cy = inner - cradle_mm
        r = np.hypot(x, y - cy)
        back = (y - cy) > 0.45 * cradle_mm
        shell = (r > cradle_mm) & (r < cradle_mm + 3.0) & back
        pad = (r > cradle_mm - pad_mm) & (r <= cradle_mm) & ((y - cy) > 0.45 * cradle_mm)
    elif kind == "flat":
        shell = (y > inner) & (y < inner + 4.0) & (np.abs(x) < 140)
        pad = (y > inner - pad_mm) & (y <= inner) & (np.abs(x) < 0.75 * reach_mm)
    else:
        raise ValueError(f"unknown holder {kind!r}; use 'cradle', 'flat' or 'none'")
    soft = ndi.gaussian_filter(pad.astype(np.float32), 2.0)
    where = soft > 0.05
    hu[where] = HU["air"] + soft[where] * (HU["pad"] - HU["air"])
    tissue[soft > 0.5] = Tissue.PAD
    hu[shell] = HU["holder"] if kind == "cradle" else HU["table"]
    tissue[shell] = Tissue.HOLDER
    return hu, tissue


def holder(
    hu: F2,
    tissue: npt.NDArray[np.uint8],
    layer: tuple[F2, npt.NDArray[np.uint8]],
) -> None:
    """Lay a :func:`holder_layer` into a slice, in place, where the slice is air."""
    values, codes = layer
    where = (tissue == Tissue.AIR) & np.isfinite(values)
    hu[where] = values[where]
    tissue[where & (codes > 0)] = codes[where & (codes > 0)]


def acquire(
    hu: F2,
    spacing_mm: float,
    scanner: Scanner,
    rng: np.random.Generator,
    *,
    noise_scale: float = 1.0,
    grain_angle_deg: float = 0.0,
    with_artefacts: bool = True,
) -> F2:
    """Reconstruct one slice as ``scanner`` would: kernel, artefacts, noise.

    Parameters
    ----------
    hu : numpy.ndarray
        The noiseless slice (HU), square.
    spacing_mm : float
    scanner : Scanner
    rng : numpy.random.Generator
    noise_scale : float, optional
        This scan's dose factor (noise SD multiplier).
    grain_angle_deg : float, optional
        Direction of the head's long axis in the image (noise grain follows it).
    with_artefacts : bool, optional
        Add beam hardening and streaks (worth it only where there is dense bone).

    Returns
    -------
    numpy.ndarray of float32
    """
    image = hu.astype(np.float32)
    if scanner.sharpen:
        blurred = ndi.uniform_filter(image, 3)
        image = image + scanner.sharpen * (image - blurred)
    if with_artefacts:
        image += artefacts(hu, spacing_mm, scanner, rng)
    # The noise SD follows the variance of the rays through each pixel; at head-CT dose the
    # electronic noise makes starved rays worse still (exponent 0.7 instead of 0.5).
    sd_map = variance_map(hu, spacing_mm) ** 0.7
    noise = ct_noise(image.shape, scanner.noise_sd * noise_scale, rng, spacing_mm=spacing_mm,
                     cutoff_per_mm=scanner.cutoff_per_mm, order=scanner.order,
                     anisotropy=1.07, angle_deg=grain_angle_deg)
    # Scanners store -1024 to 3071 HU (their 12-bit range).
    return np.clip(image + noise * sd_map, -1024.0, 3071.0).astype(np.float32)
