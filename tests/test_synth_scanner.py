"""Tests of ctlib.synth.scanner and the noise model: what the scanner adds to the anatomy."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.course.tissues import HU, Tissue
from ctlib.synth.geometry import SliceStack
from ctlib.synth.noise import ct_noise, neighbour_correlation, variance_map
from ctlib.synth.scanner import SCANNERS, acquire, artefacts, holder, holder_layer


def phantom(bones: bool = False) -> np.ndarray:
    """A water ellipse in air (a head's size), with two dense 'petrous' bones if asked."""
    yy, xx = np.mgrid[:512, :512] - 255.5
    hu = np.full((512, 512), -1000.0, dtype=np.float32)
    hu[(xx / 150) ** 2 + (yy / 185) ** 2 < 1] = 30.0
    if bones:
        for cx in (-70, 70):
            hu[(xx - cx) ** 2 + (yy - 20) ** 2 < 22**2] = 2000.0
    return hu


class TestVarianceMap:
    """Noise is strongest where the rays through a pixel are most attenuated."""

    def test_centre_noisier_than_edge(self) -> None:
        """In a uniform ellipse the centre's rays are longest: more noise than at its rim."""
        v = variance_map(phantom(), 0.488)
        assert v[256, 256] > 1.2 * v[256, 140]

    def test_behind_dense_bone(self) -> None:
        """Between two dense bones the variance rises above the same point without them."""
        plain, bones = variance_map(phantom(), 0.488), variance_map(phantom(True), 0.488)
        assert bones[276, 256] > 1.05 * plain[276, 256]


class TestNoiseGrain:
    """The grain of CT noise: correlated, slightly elongated, with a negative lobe."""

    def test_negative_lobe(self) -> None:
        """Pixels a few apart anticorrelate (the ramp filter's signature)."""
        noise = ct_noise((512, 512), 4.0, np.random.default_rng(0), order=3.0)
        assert neighbour_correlation(noise, lag=4) < -0.03

    def test_anisotropy(self) -> None:
        """With anisotropy the grain is longer along its axis (here the image's vertical)."""
        noise = ct_noise((512, 512), 4.0, np.random.default_rng(0), anisotropy=1.5)
        vertical = neighbour_correlation(noise, axis=0)
        horizontal = neighbour_correlation(noise, axis=1)
        assert vertical > horizontal + 0.05


class TestArtefacts:
    """Beam hardening and photon starvation, from the slice's own bone."""

    def test_dark_band_between_dense_bones(self) -> None:
        """The Hounsfield bar: darker between the two bones than above and below them."""
        art = artefacts(phantom(True), 0.488, SCANNERS[0], np.random.default_rng(0))
        between = art[276, 225:287].mean()
        away = art[150, 225:287].mean()
        assert between < away - 2.0

    def test_nothing_without_bone(self) -> None:
        """No dense bone, no hardening: only a little starvation noise."""
        art = artefacts(phantom(), 0.488, SCANNERS[0], np.random.default_rng(0))
        assert np.abs(art).max() < 3.0


class TestAcquire:
    """The whole reconstruction of a slice."""

    @pytest.mark.parametrize("scanner", SCANNERS, ids=lambda s: s.kernel)
    def test_noise_level(self, scanner) -> None:  # type: ignore[no-untyped-def]
        """In the brain-like ellipse the noise SD is the protocol's, within 30 %."""
        image = acquire(phantom(), 0.488, scanner, np.random.default_rng(1), with_artefacts=False)
        sd = image[200:312, 200:312].std()
        assert sd == pytest.approx(scanner.noise_sd, rel=0.3)

    def test_stored_range(self) -> None:
        """Values stay in a scanner's 12-bit range, -1024 to 3071 HU."""
        image = acquire(phantom(True) * 2.0, 0.488, SCANNERS[3], np.random.default_rng(1))
        assert image.min() >= -1024 and image.max() <= 3071

    def test_deterministic(self) -> None:
        """The same generator gives the same slice."""
        a = acquire(phantom(True), 0.488, SCANNERS[0], np.random.default_rng(5))
        b = acquire(phantom(True), 0.488, SCANNERS[0], np.random.default_rng(5))
        np.testing.assert_array_equal(a, b)


class TestHolder:
    """A rigid holder behind the head, its pad touching the back of the head."""

    @pytest.mark.parametrize("kind", ["cradle", "flat"])
    def test_behind_the_head_and_outside_it(self, kind: str) -> None:
        """The holder lies beyond the head's back; laid in, it never covers the head."""
        stack = SliceStack(count=1, first_z=0.0)
        points = stack.points(0)
        hu = phantom()
        tissue = np.where(hu > -500, Tissue.SCALP, Tissue.AIR).astype(np.uint8)
        back = float(points[1][hu > -500].max())  # LPS y of the back of the "head"
        layer = holder_layer(points, kind, (0.0, 0.0), back, pad_mm=12.0)
        before = hu.copy()
        holder(hu, tissue, layer)
        assert (tissue == Tissue.HOLDER).sum() > 100
        held = points[1][tissue == Tissue.HOLDER]
        assert held.max() > back  # its bottom lies behind the head
        if kind == "flat":
            assert (held > back).all()
        head = before > -500
        np.testing.assert_array_equal(hu[head], before[head])
        pad = tissue == Tissue.PAD
        assert pad.any() and np.allclose(hu[pad].mean(), HU["pad"], atol=150)

    def test_none(self) -> None:
        """No holder: an empty layer."""
        layer = holder_layer(SliceStack(count=1, first_z=0.0).points(0), "none", (0, 0), 90.0)
        assert np.isnan(layer[0]).all()

    def test_unknown(self) -> None:
        """A typo is an error."""
        with pytest.raises(ValueError, match="unknown holder"):
            holder_layer(SliceStack(count=1, first_z=0.0).points(0), "hammock", (0, 0), 90.0)
