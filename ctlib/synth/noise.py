"""CT-like image noise: correlated, with a filtered-back-projection spectrum.

Noise in a CT image is not white. Filtered back-projection multiplies the
projection noise by a ramp filter that is rolled off by the reconstruction
kernel, so the noise power spectrum (NPS) is near zero at the lowest
frequencies, peaks at a fraction of the Nyquist frequency and falls again:
the grain a reader recognises. White Gaussian noise of the same SD looks like
salt and pepper instead. Here ``NPS(f) ∝ f · exp(-(f / f_c)²)``, which peaks
at ``f_c / √2``; with the default ``f_c`` adjacent pixels correlate at about
0.5, as measured on real 5 mm head slices.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["ct_noise", "neighbour_correlation"]


@lru_cache(maxsize=8)
def _filter(shape: tuple[int, int], spacing_mm: float, cutoff: float) -> npt.NDArray[np.float64]:
    """Amplitude filter sqrt(NPS) on the rfft2 grid, normalised to unit output SD."""
    fy = np.fft.fftfreq(shape[0], d=spacing_mm)[:, None]
    fx = np.fft.rfftfreq(shape[1], d=spacing_mm)[None, :]
    f = np.hypot(fy, fx)
    amplitude = np.sqrt(f * np.exp(-((f / cutoff) ** 2)))
    # Parseval on the half spectrum: weight the columns that stand for two.
    weight = np.full(fx.shape, 2.0)
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
    spectrum = np.fft.rfft2(white) * _filter(shape, spacing_mm, cutoff_per_mm)
    return (np.fft.irfft2(spectrum, s=shape) * sd).astype(np.float32)


def neighbour_correlation(image: npt.ArrayLike) -> float:
    """Correlation between horizontally adjacent pixels (0 for white noise).

    Examples
    --------
    >>> import numpy as np
    >>> white = np.random.default_rng(1).standard_normal((200, 200))
    >>> abs(neighbour_correlation(white)) < 0.02
    True
    """
    values = np.asarray(image, dtype=np.float64)
    a, b = values[:, :-1].ravel(), values[:, 1:].ravel()
    return float(np.corrcoef(a, b)[0, 1])
