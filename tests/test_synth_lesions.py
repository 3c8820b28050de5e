"""Tests of ctlib.synth.lesions and anatomy: each subtype's radiological rule, at 1 mm."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth import lesions
from ctlib.synth.anatomy import HeadShape, base_head, build_head
from ctlib.synth.tissues import HU, Lesion, Tissue


@pytest.fixture(scope="module")
def head():  # type: ignore[no-untyped-def]
    """The default head (the shared base model is built once per test session)."""
    return build_head(HeadShape())


def canvas(head, seed: int = 0) -> lesions.Canvas:  # type: ignore[no-untyped-def]
    """A fresh canvas on ``head``."""
    return lesions.Canvas(head, np.random.default_rng(seed))


def voxels_mm(c: lesions.Canvas, mask: np.ndarray) -> np.ndarray:
    """RAS mm of the voxels of ``mask``, shape (3, n)."""
    return np.argwhere(mask).T - c.head.base.origin[:, None]


class TestAnatomy:
    """The 1 mm head the lesions are drawn on."""

    def test_layers_along_a_ray(self, head) -> None:  # type: ignore[no-untyped-def]
        """Going out from the brain: CSF/brain, inner table, diploe, outer table, scalp, air."""
        base = head.base
        c = canvas(head)
        hu = np.where(base.icv, c.hu_intra, c.hu_extra)
        tissue = np.where(base.icv, c.tissue_intra, c.tissue_extra)
        start = c.surface_point([1.0, 0.0, 0.3])
        direction = np.array([1.0, 0.0, 0.3]) / np.hypot(1.0, 0.3)
        points = start[:, None] + direction[:, None] * np.arange(-3.0, 25.0, 0.5)
        idx = np.rint(points + base.origin[:, None]).astype(int)
        along = [int(tissue[tuple(i)]) for i in idx.T]
        order = [code for k, code in enumerate(along) if k == 0 or code != along[k - 1]]
        assert order[-1] == Tissue.AIR
        assert order.index(Tissue.DIPLOE) > order.index(Tissue.BONE)
        assert Tissue.FAT in order and order.index(Tissue.FAT) > order.index(Tissue.DIPLOE)
        assert hu[tuple(idx[:, 0])] < 100  # starts inside the skull

    def test_ventricles_plausible(self) -> None:
        """Lateral, third and fourth ventricles: 15 to 60 ml in the template head."""
        volume_ml = float((base_head().ventricle_distance < 0).sum()) / 1000
        assert 15 < volume_ml < 60

    def test_hu_of_materials(self, head) -> None:  # type: ignore[no-untyped-def]
        """Pure white matter and CSF voxels carry the table's values."""
        base = head.base
        pure_white = base.icv & (base.white > 0.99)
        assert head.hu_intra[pure_white].mean() == pytest.approx(HU["white"], abs=0.5)
        ventricle = base.ventricle_distance < -2
        assert head.hu_intra[ventricle].mean() == pytest.approx(HU["csf"], abs=1.5)

    @pytest.mark.parametrize(
        ("point", "bone"),
        [
            ((60, 40, 20), 1),
            ((60, -10, 10), 3),
            ((40, -20, 60), 2),
            ((20, -90, 20), 4),
            ((-60, -10, 10), -3),
        ],
    )
    def test_skull_bones(self, point: tuple[int, int, int], bone: int) -> None:
        """Frontal, temporal, parietal, occipital, signed by side."""
        assert lesions.skull_bone(np.array(point, float).reshape(3, 1))[0] == bone


@pytest.fixture(scope="module")
def epidural_canvas(head):  # type: ignore[no-untyped-def]
    """A right epidural, 16 mm thick, painted once for the class below."""
    c = canvas(head)
    lesions.epidural(c, side=1, thickness_mm=16.0, radius_mm=28.0)
    c.finish()
    return c


@pytest.fixture(scope="module")
def subdural_canvas(head):  # type: ignore[no-untyped-def]
    """A left acute subdural, 12 mm thick, and the midline shift it causes."""
    c = canvas(head)
    lesions.subdural(c, side=-1, thickness_mm=12.0)
    shift = c.finish()
    return c, shift


class TestEpidural:
    """A biconvex lens against the inner table that does not cross sutures."""

    def test_touches_inner_table(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Its outer face lies on the inner table."""
        mask = epidural_canvas.lesion == Lesion.EPIDURAL
        assert mask.sum() > 2000
        assert epidural_canvas.head.base.depth[mask].min() <= 1.0

    def test_lens_thickness(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Thickest in the middle, about the requested 16 mm."""
        depth = epidural_canvas.head.base.depth[epidural_canvas.lesion == Lesion.EPIDURAL]
        assert 13 <= depth.max() <= 17

    def test_one_side_one_bone(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """On the right, under a single skull bone: it stops at the sutures."""
        points = voxels_mm(epidural_canvas, epidural_canvas.lesion == Lesion.EPIDURAL)
        assert (points[0] > 0).all()
        assert len(np.unique(lesions.skull_bone(points))) == 1

    def test_fracture_and_swelling(self, epidural_canvas, head) -> None:  # type: ignore[no-untyped-def]
        """The skull over it has a soft-tissue crack and the scalp is thickened."""
        skull = head.shape.inner_table_mm + head.shape.diploe_mm + head.shape.outer_table_mm
        in_skull = (head.base.outside > 0) & (head.base.outside <= skull)
        cracked = (
            in_skull
            & (epidural_canvas.tissue_extra == Tissue.SCALP)
            & (head.tissue_extra != Tissue.SCALP)
        )
        assert cracked.sum() > 20
        hematoma = epidural_canvas.hu_extra == HU["scalp_hematoma"]
        assert hematoma.sum() > 500


class TestSubdural:
    """A crescent that crosses sutures but never the midline."""

    def test_touches_table_and_stays_left(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Against the inner table, entirely on the left (x < 0)."""
        c, _ = subdural_canvas
        mask = c.lesion == Lesion.SUBDURAL
        assert c.head.base.depth[mask].min() <= 1.0
        assert (voxels_mm(c, mask)[0] < 0).all()

    def test_crosses_sutures_over_many_slices(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Under several bones, and over more than 40 mm from bottom to top."""
        c, _ = subdural_canvas
        points = voxels_mm(c, c.lesion == Lesion.SUBDURAL)
        assert len(np.unique(lesions.skull_bone(points))) >= 2
        assert np.ptp(points[2]) > 40

    def test_crescent_is_thin(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Never thicker than asked: a crescent, not a lens."""
        c, _ = subdural_canvas
        assert c.head.base.depth[c.lesion == Lesion.SUBDURAL].max() <= 13

    def test_mass_effect(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """A 12 mm subdural shifts the midline by several millimetres."""
        _, shift = subdural_canvas
        assert 3 < shift < 10

    def test_no_lesion_no_shift(self, head) -> None:  # type: ignore[no-untyped-def]
        """Without a lesion nothing moves."""
        assert canvas(head).finish() == 0.0


class TestSubarachnoid:
    """Blood in the CSF spaces, never in the ventricles."""

    def test_basal_cisterns(self, head) -> None:  # type: ignore[no-untyped-def]
        """Aneurysmal pattern: in CSF outside the ventricles, including the suprasellar cistern."""
        c = canvas(head)
        lesions.subarachnoid(c, pattern="basal")
        mask = c.lesion == Lesion.SUBARACHNOID
        base = head.base
        csf = 1 - base.gray - base.white
        assert (csf[mask] >= 0.5).all()
        assert not (mask & (head.tissue_intra == Tissue.VENTRICLE)).any()
        points = voxels_mm(c, mask)
        suprasellar = (np.abs(points[0]) < 15) & (np.abs(points[1]) < 15) & (points[2] < -5)
        assert suprasellar.sum() > 50

    def test_unknown_pattern(self, head) -> None:  # type: ignore[no-untyped-def]
        """A typo is an error, not an empty lesion."""
        with pytest.raises(ValueError, match="unknown subarachnoid pattern"):
            lesions.subarachnoid(canvas(head), pattern="spinal")


class TestIntraventricular:
    """Dependent blood in the ventricles."""

    def test_layering_is_dependent_and_flat(self, head) -> None:  # type: ignore[no-untyped-def]
        """Inside the ventricles, only posterior of one coronal plane: a flat level."""
        c = canvas(head)
        lesions.intraventricular(c, pattern="layering", depth_mm=10.0)
        mask = c.lesion == Lesion.INTRAVENTRICULAR
        assert mask.sum() > 200
        assert (head.tissue_intra[mask] == Tissue.VENTRICLE).all()
        y = voxels_mm(c, mask)[1]
        lateral = voxels_mm(c, head.tissue_intra == Tissue.VENTRICLE)
        lateral = lateral[:, lateral[2] > 0]  # the lateral ventricles, where blood layers
        assert y.max() < lateral[1].min() + 10  # supine: posterior is down

    def test_cast_fills_ventricles(self, head) -> None:  # type: ignore[no-untyped-def]
        """A cast is the whole ventricular system."""
        c = canvas(head)
        lesions.intraventricular(c, pattern="cast")
        np.testing.assert_array_equal(
            c.lesion == Lesion.INTRAVENTRICULAR, head.tissue_intra == Tissue.VENTRICLE
        )


class TestIntraparenchymal:
    """An irregular clot inside brain tissue with an edema rim."""

    def test_inside_brain_with_edema(self, head) -> None:  # type: ignore[no-untyped-def]
        """Every voxel was brain; the rim around it is darker than white matter."""
        c = canvas(head, seed=3)
        lesions.intraparenchymal(
            c, center_mm=(24.0, 2.0, 6.0), radii_mm=(14.0, 11.0, 11.0), edema_mm=4.0
        )
        mask = c.lesion == Lesion.INTRAPARENCHYMAL
        assert mask.sum() > 3000
        assert np.isin(head.tissue_intra[mask], [Tissue.GRAY, Tissue.WHITE]).all()
        from scipy import ndimage as ndi

        rim = ndi.binary_dilation(mask, iterations=3) & ~mask & (head.tissue_intra == Tissue.WHITE)
        assert c.hu_intra[rim].mean() < HU["white"] - 2


class TestCalcifications:
    """The mimics: dense, but not blood."""

    def test_dense_and_not_a_lesion(self, head) -> None:  # type: ignore[no-untyped-def]
        """Pineal and choroid plexus calcifications are > 100 HU and carry no lesion code."""
        c = canvas(head)
        lesions.calcifications(c, pineal=True, choroid=True)
        calcified = c.tissue_intra == Tissue.CALCIFICATION
        assert calcified.sum() > 50
        assert c.hu_intra[calcified].mean() > 100
        assert not c.lesion.any()
