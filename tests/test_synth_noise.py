"""Tests of ctlib.synth.noise: CT-like, correlated noise."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth.noise import ct_noise, neighbour_correlation


class TestCtNoise:
    """Standard deviation, correlation and spectrum of the noise."""

    @pytest.mark.parametrize("sd", [3.0, 4.0, 5.0])
    def test_standard_deviation(self, sd: float) -> None:
        """The requested SD, within 3 %."""
        noise = ct_noise((512, 512), sd, np.random.default_rng(1))
        assert noise.std() == pytest.approx(sd, rel=0.03)
        assert abs(noise.mean()) < 0.1

    def test_correlated_unlike_white_noise(self) -> None:
        """Neighbours correlate at about 0.5, as in real 5 mm head slices; white noise at 0."""
        noise = ct_noise((512, 512), 4.0, np.random.default_rng(2))
        assert 0.4 < neighbour_correlation(noise) < 0.6
        white = np.random.default_rng(2).standard_normal((512, 512))
        assert abs(neighbour_correlation(white)) < 0.02

    def test_spectrum_is_band_pass(self) -> None:
        """Little power at the lowest frequencies (the ramp), a peak, then roll-off."""
        power = np.zeros(257)
        counts = np.zeros(257)
        for seed in range(4):
            noise = ct_noise((512, 512), 4.0, np.random.default_rng(seed), spacing_mm=0.488)
            spectrum = np.abs(np.fft.fftshift(np.fft.fft2(noise))) ** 2
            y, x = np.indices(spectrum.shape) - 256
            radius = np.hypot(x, y).astype(int).clip(0, 256)
            power += np.bincount(radius.ravel(), spectrum.ravel(), minlength=257)
            counts += np.bincount(radius.ravel(), minlength=257)
        radial = power / counts
        freq = np.arange(257) / (512 * 0.488)  # cycles/mm
        peak = freq[np.argmax(radial[1:]) + 1]
        assert 0.15 < peak < 0.45
        assert radial[1:4].mean() < radial.max() / 5
        assert radial[-5:].mean() < radial.max() / 5

    def test_deterministic(self) -> None:
        """The same seed gives the same noise, other shapes work too."""
        a = ct_noise((460, 460), 4.0, np.random.default_rng(9))
        b = ct_noise((460, 460), 4.0, np.random.default_rng(9))
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32
