"""CT-like image noise: correlated, anisotropic, and stronger where the beam is weakest.

Noise in a CT image is not white. Filtered back-projection multiplies the
projection noise by a ramp filter that the reconstruction kernel rolls off,
so the noise power spectrum (NPS) is near zero at the lowest frequencies,
peaks at a fraction of the Nyquist frequency and falls again: the grain a
reader recognises, whose autocorrelation has a negative lobe a few pixels
out. Here ``NPS(f) ∝ f · exp(−(f / f_c)^p)``; a larger ``p`` (a sharper
kernel roll-off) deepens the negative lobe. With the defaults adjacent pixels
correlate at about 0.5, as on real 5 mm head slices.

Two more properties of real head CT (see :mod:`ctlib.synth.scanner`): the
grain is slightly elongated along the direction of longest path through the
head (``anisotropy``), and its level varies across the image, highest in the
centre and behind dense bone, because each pixel's variance is the mean of
the variances of the rays through it (:func:`variance_map`).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["MU_WATER_PER_MM", "ct_noise", "neighbour_correlation", "variance_map"]

#: Linear attenuation of water at the effective energy of a 120 kVp beam (about 65 keV).
MU_WATER_PER_MM = 0.0195


@lru_cache(maxsize=16)
def _filter(
    shape: tuple[int, int],
    spacing_mm: float,
    cutoff: float,
    order: float,
    anisotropy: float,
    angle_deg: float,
) -> npt.NDArray[np.float64]:
    """Amplitude filter sqrt(NPS) on the rfft2 grid, normalised to unit output SD."""
    fy = np.fft.fftfreq(shape[0], d=spacing_mm)[:, None]
    fx = np.fft.rfftfreq(shape[1], d=spacing_mm)[None, :]
    a = np.radians(angle_deg)
    # Frequencies along the grain's long axis are damped: the grain is longer that way.
    along = fx * np.sin(a) + fy * np.cos(a)
    across = fx * np.cos(a) - fy * np.sin(a)
    f = np.hypot(across, along * anisotropy)
    # The kernel's band-pass grain, and a small flat floor (detector and electronic noise),
    # which gives real images their fine grain up to the Nyquist frequency.
    power = f * np.exp(-((f / cutoff) ** order))
    amplitude = np.sqrt(power + 0.01 * float(power.max()))
    weight = np.full(fx.shape, 2.0)  # Parseval on the half spectrum
    weight[:, 0] = 1.0
    if shape[1] % 2 == 0:
        weight[:, -1] = 1.0
    power = float((weight * amplitude**2).sum()) / (shape[0] * shape[1])
    return np.asarray(amplitude / np.sqrt(power), dtype=np.float64)


def ct_noise(
    shape: tuple[int, int],
    sd: float,
    rng: np.random.Generator,
    *,
    spacing_mm: float = 0.488,
    cutoff_per_mm: float = 0.42,
    order: float = 2.0,
    anisotropy: float = 1.0,
    angle_deg: float = 0.0,
) -> npt.NDArray[np.float32]:
    """Draw a correlated noise image with standard deviation ``sd`` (HU).

    Parameters
    ----------
    shape : (rows, columns)
    sd : float
        Target standard deviation in HU.
    rng : numpy.random.Generator
        The source of randomness (seeded by the caller).
    spacing_mm : float, optional
        Pixel spacing, which sets the physical frequencies.
    cutoff_per_mm : float, optional
        Roll-off frequency ``f_c`` of the spectrum, cycles/mm.
    order : float, optional
        Sharpness ``p`` of the roll-off (2: Gaussian).
    anisotropy : float, optional
        How much longer the grain is along ``angle_deg`` than across it (1: round).
    angle_deg : float, optional
        Direction of the grain's long axis, degrees from the image's vertical.

    Returns
    -------
    numpy.ndarray of float32

    Examples
    --------
    >>> import numpy as np
    >>> noise = ct_noise((256, 256), 4.0, np.random.default_rng(0))
    >>> round(float(noise.std()), 1)
    4.0
    >>> 0.4 < neighbour_correlation(noise) < 0.65
    True
    """
    white = rng.standard_normal(shape)
    amplitude = _filter(shape, spacing_mm, cutoff_per_mm, order, anisotropy, angle_deg)
    spectrum = np.fft.rfft2(white) * amplitude
    return (np.fft.irfft2(spectrum, s=shape) * sd).astype(np.float32)


def neighbour_correlation(image: npt.ArrayLike, axis: int = 1, lag: int = 1) -> float:
    """Correlation between pixels ``lag`` apart along ``axis`` (0 for white noise).

    Examples
    --------
    >>> import numpy as np
    >>> white = np.random.default_rng(1).standard_normal((200, 200))
    >>> abs(neighbour_correlation(white)) < 0.02
    True
    """
    values = np.asarray(image, dtype=np.float64)
    values = np.moveaxis(values, axis, -1)
    a, b = values[..., :-lag].ravel(), values[..., lag:].ravel()
    return float(np.corrcoef(a, b)[0, 1])


def variance_map(
    hu: npt.NDArray[np.floating], spacing_mm: float, *, size: int = 64, views: int = 18
) -> npt.NDArray[np.float32]:
    """Relative noise variance of filtered back-projection across a slice.

    The photons detected along a ray fall as ``exp(−∫μ)``, so the variance of
    its log-measurement grows as ``exp(∫μ)``; a pixel's variance is the mean
    over the views of the variances of the rays through it. It is computed on
    a coarse grid (``size``², ``views`` projections), which is enough for a
    quantity this smooth.

    Parameters
    ----------
    hu : numpy.ndarray
        The slice in HU (square).
    spacing_mm : float
        Its pixel spacing.

    Returns
    -------
    numpy.ndarray of float32
        The variance, relative to its median over the head's soft tissue (so
        a scan's noise level is the brain's), on the slice's grid.
    """
    from scipy import ndimage as ndi
    from skimage.transform import iradon, radon

    factor = size / hu.shape[0]
    block = hu.shape[0] // size
    if block * size == hu.shape[0] and hu.shape[0] == hu.shape[1]:
        coarse = np.asarray(hu, dtype=np.float32).reshape(size, block, size, block).mean(axis=(1, 3))
    else:
        coarse = ndi.zoom(np.asarray(hu, dtype=np.float32), factor, order=1, grid_mode=True,
                          mode="nearest")
    mu = np.clip(MU_WATER_PER_MM * (1.0 + coarse / 1000.0), 0.0, None) * (spacing_mm / factor)
    yy, xx = np.mgrid[:size, :size] - (size - 1) / 2
    mu[np.hypot(yy, xx) > size / 2 - 1] = 0.0
    theta = np.linspace(0.0, 180.0, views, endpoint=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # radon: "zero outside the circle"
        line = radon(mu, theta, circle=True)
        variance = iradon(np.exp(line), theta, circle=True, filter_name=None)
    variance = np.clip(variance, 1e-6, None)
    soft = (coarse > -300) & (coarse < 200)
    variance = variance / (float(np.median(variance[soft])) if soft.any() else 1.0)
    if block * size == hu.shape[0] and hu.shape[0] == hu.shape[1]:
        # Smooth on the coarse grid first, so that blocks of the repeat do not show.
        smooth = ndi.gaussian_filter(variance.astype(np.float32), 1.0, mode="nearest")
        full = np.repeat(np.repeat(smooth, block, axis=0), block, axis=1)
    else:
        full = ndi.zoom(variance.astype(np.float32), 1 / factor, order=1, grid_mode=True,
                        mode="nearest")
    return np.asarray(full[: hu.shape[0], : hu.shape[1]], dtype=np.float32)
