"""Tests of ctlib.synth's 1 mm head and its lesions: each subtype in its compartment.

These run on the model, before any slice is cut: the rules a radiologist reads
by (an epidural stops at sutures, a subdural at the falx, blood settles
dependently in the ventricles…) are checked on every voxel. The images and
masks of the built data set are checked in tests/test_course_data.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from ctlib.course.tissues import HU, Lesion, Tissue
from ctlib.synth import lesions
from ctlib.synth.anatomy import HeadShape, base_head, build_head
from ctlib.synth.skull import bone_identity, suture_distance

BRAIN = (Tissue.GRAY, Tissue.WHITE, Tissue.DEEP_GRAY)


@pytest.fixture(scope="module")
def head():  # type: ignore[no-untyped-def]
    """A middle-aged head (the shared base model is built once per test session)."""
    return build_head(HeadShape(age=0.5, seed=1))


def canvas(head, seed: int = 0, **kwargs) -> lesions.Canvas:  # type: ignore[no-untyped-def]
    """A fresh canvas on ``head`` (it works on copies, so ``head`` is never changed)."""
    return lesions.Canvas(head, np.random.default_rng(seed), **kwargs)


def voxels_mm(c: lesions.Canvas, mask: np.ndarray) -> np.ndarray:
    """RAS mm of the voxels of ``mask``, shape (3, n)."""
    return (np.argwhere(mask) - c.head.base.origin).T


def depth(c: lesions.Canvas) -> np.ndarray:
    """Signed mm below the patient's inner table."""
    return c.head.icv_depth()


def x_mm(c: lesions.Canvas) -> np.ndarray:
    """RAS x (mm) of every voxel, broadcastable: > 0 on the patient's right."""
    return (np.arange(c.shape[0]) - c.head.base.origin[0])[:, None, None]


class TestAnatomy:
    """The 1 mm head the lesions are drawn on."""

    def test_layers_along_a_ray(self, head) -> None:  # type: ignore[no-untyped-def]
        """Out from the brain over the convexity: brain or CSF, tables and diploë, scalp, air."""
        c = canvas(head)
        tissue = np.where(head.icv >= 0.5, head.tissue_intra, head.tissue_extra)
        start = c.surface_point([1.0, 0.0, 0.6])
        direction = np.array([1.0, 0.0, 0.6]) / np.hypot(1.0, 0.6)
        points = start[:, None] + direction[:, None] * np.arange(-4.0, 30.0, 0.5)
        idx = np.rint(points + head.base.origin[:, None]).astype(int)
        along = [int(tissue[tuple(i)]) for i in idx.T]
        order = [code for k, code in enumerate(along) if k == 0 or code != along[k - 1]]
        assert order[0] in (Tissue.CSF, *BRAIN)
        assert order[-1] == Tissue.AIR
        first_bone = order.index(Tissue.BONE)
        assert Tissue.DIPLOE in order[first_bone:]
        assert Tissue.FAT in order[order.index(Tissue.DIPLOE):]

    def test_ventricles_plausible(self) -> None:
        """Lateral, third and fourth ventricles: 15 to 60 ml in the template head."""
        volume_ml = float((base_head().brain.ventricle_sdf < 0).sum()) / 1000
        assert 15 < volume_ml < 60

    def test_occipital_horn_tips_are_ventricle(self, head) -> None:  # type: ignore[no-untyped-def]
        """The most posterior CSF of each lateral ventricle is coded ventricle, not CSF.

        The previous generator coded the tips as sulcal CSF, so that blood could
        layer above CSF in the supine patient (physically impossible).
        """
        c = canvas(head)
        ventricle = head.tissue_intra == Tissue.VENTRICLE
        for side in (1, -1):
            pts = voxels_mm(c, ventricle)
            lateral = pts[:, (side * pts[0] > 5) & (pts[2] > 0) & (pts[2] < 25)]
            tip = lateral[:, np.argmin(lateral[1])]
            behind = (tip + [0, -1.5, 0] + head.base.origin).round().astype(int)
            assert head.tissue_intra[tuple(behind)] != Tissue.CSF

    def test_sulci_reach_the_inner_table(self) -> None:
        """Over the convexity CSF sulci run from the surface into the cortex."""
        old = build_head(HeadShape(age=0.9, seed=2))
        young = build_head(HeadShape(age=0.1, seed=2))
        _, _, z = np.meshgrid(*(np.arange(n) - o for n, o in zip(old.icv.shape, old.base.origin,
                                                                     strict=True)), indexing="ij")
        cortex = (old.base.brain.pial_depth > 2) & (old.base.brain.pial_depth < 8) & (z > 30)
        old_csf = (old.tissue_intra[cortex] == Tissue.CSF).mean()
        young_csf = (young.tissue_intra[cortex] == Tissue.CSF).mean()
        assert old_csf > 0.05
        assert old_csf > 1.5 * young_csf  # sulci widen with age

    def test_hu_of_materials(self, head) -> None:  # type: ignore[no-untyped-def]
        """Pure white matter and ventricular CSF carry the patient's values."""
        pure_white = (head.base.brain.white > 0.99) & (head.base.brain.ventricle_sdf > 12)
        assert np.median(head.hu_intra[pure_white]) == pytest.approx(head.shape.white_hu, abs=1.0)
        ventricle = head.base.brain.ventricle_sdf < -2
        assert np.median(head.hu_intra[ventricle]) == pytest.approx(head.shape.csf_hu, abs=1.0)

    def test_skull_heterogeneous(self, head) -> None:  # type: ignore[no-untyped-def]
        """Cortical bone spreads over about 1000-2000 HU instead of one fixed value."""
        tables = head.hu_extra[(head.tissue_extra == Tissue.BONE) & (head.icv < 0.01)]
        low, high = np.percentile(tables, [5, 95])
        assert low < 1250 and high > 1600

    @pytest.mark.parametrize(
        ("point", "bone"),
        [((60, 40, 30), 1), ((65, -20, 10), 3), ((40, -20, 60), 2), ((20, -90, 20), 4),
         ((-65, -20, 10), -3), ((-40, -20, 60), -2)],
    )
    def test_skull_bones(self, point: tuple[int, int, int], bone: int) -> None:
        """Frontal, temporal, parietal, occipital, signed by side."""
        assert bone_identity(np.array(point, float).reshape(3, 1))[0] == bone

    def test_sutures_where_bones_meet(self) -> None:
        """The suture distance is 0 between two bones and grows away from them."""
        across = np.stack([np.full(21, 50.0), np.linspace(-2, 18, 21), np.full(21, 55.0)])
        ids = bone_identity(across)
        change = int(np.flatnonzero(np.diff(ids))[0])
        distance = suture_distance(across)
        assert distance[change] < 1.0 and distance[change + 8] > 5.0

    def test_falx_in_the_fissure_above_the_callosum(self) -> None:
        """The falx hangs at the midline; its free edge is above the corpus callosum."""
        base = base_head()
        falx = base.dura.falx > 0
        x = np.argwhere(falx)[:, 0] - base.origin[0]
        assert np.abs(x).max() <= 3  # it bows a little, as real ones do
        assert np.abs(base.dura.falx_side[falx]).max() <= 1
        cc = base.brain.corpus_callosum_top
        j = int(base.origin[1])  # y = 0
        assert base.dura.falx_edge[j] > cc[j] + 3


@pytest.fixture(scope="module")
def epidural_canvas(head):  # type: ignore[no-untyped-def]
    """A right temporal epidural, 16 mm thick."""
    c = canvas(head)
    lesions.epidural(c, side=1, thickness_mm=16.0, radius_mm=28.0, elevation_deg=-5.0)
    before = {code: int((c.head.tissue_intra == code).sum()) for code in BRAIN}
    c.finish()
    return c, before


class TestEpidural:
    """A biconvex lens between inner table and dura that does not cross sutures."""

    def test_touches_inner_table(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Its outer face lies on the inner table."""
        c, _ = epidural_canvas
        mask = c.lesion == Lesion.EPIDURAL
        assert mask.sum() > 8000
        assert depth(c)[mask].min() <= 1.0

    def test_lens_thickness(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Thickest in the middle, about the requested 16 mm: convex towards the brain."""
        c, _ = epidural_canvas
        assert 12 <= depth(c)[c.lesion == Lesion.EPIDURAL].max() <= 17

    def test_one_side_one_bone(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """On the right, under a single skull bone: it stops at the sutures."""
        c, _ = epidural_canvas
        mask = c.lesion == Lesion.EPIDURAL
        pts = voxels_mm(c, mask)
        assert (pts[0] > 0).all()
        # Project every voxel onto the inner table and ask which bone is there.
        g = np.gradient(ndi.gaussian_filter(depth(c), 1.5))
        d = depth(c)[mask]
        normal = np.stack([gi[mask] for gi in g])
        normal /= np.linalg.norm(normal, axis=0)
        surface = pts - d * normal
        assert len(np.unique(bone_identity(surface))) == 1

    def test_compartment(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """It fills space opened between the table and the brain, coded extra-axial."""
        c, _ = epidural_canvas
        mask = c.lesion == Lesion.EPIDURAL
        assert (c.head.tissue_intra[mask] == Tissue.EXTRA_AXIAL).all()

    def test_compresses_the_brain_instead_of_overwriting_it(
        self, epidural_canvas  # type: ignore[no-untyped-def]
    ) -> None:
        """The brain it displaces is still there: brain tissue loses far less than the clot."""
        c, before = epidural_canvas
        lost = sum(before[code] - int((c.head.tissue_intra == code).sum()) for code in BRAIN)
        assert lost < 0.3 * int((c.lesion == Lesion.EPIDURAL).sum())

    def test_mass_effect(self, epidural_canvas) -> None:  # type: ignore[no-untyped-def]
        """A 16 mm epidural shifts the midline."""
        c, _ = epidural_canvas
        assert c.midline_shift_mm > 2.0

    def test_fracture_and_swelling(self, epidural_canvas, head) -> None:  # type: ignore[no-untyped-def]
        """A fracture crosses the skull over it, and the scalp above is swollen."""
        c, _ = epidural_canvas
        fracture = c.head.tissue_extra == Tissue.FRACTURE
        assert fracture.sum() > 40
        pts = voxels_mm(c, fracture)
        assert (pts[0] > 40).all()
        swollen = (c.head.hu_extra > 45) & (head.hu_extra < -500)  # air that became scalp
        assert swollen.sum() > 300


@pytest.fixture(scope="module")
def subdural_canvas(head):  # type: ignore[no-untyped-def]
    """A left acute subdural, 12 mm thick, with a layer along the falx."""
    c = canvas(head)
    lesions.subdural(c, side=-1, thickness_mm=12.0, falx=True)
    c.finish()
    return c


class TestSubdural:
    """A crescent that crosses sutures but never the falx."""

    def test_touches_table_and_stays_left(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Against the inner table, entirely on the left (x < 0): it never crosses the falx."""
        c = subdural_canvas
        mask = c.lesion == Lesion.SUBDURAL
        assert depth(c)[mask].min() <= 1.0
        assert (voxels_mm(c, mask)[0] < 0).all()

    def test_crosses_sutures_over_many_slices(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Under several bones, and over more than 40 mm from bottom to top."""
        c = subdural_canvas
        pts = voxels_mm(c, (c.lesion == Lesion.SUBDURAL) & (depth(c) < 2))
        assert len(np.unique(bone_identity(pts))) >= 2
        assert np.ptp(pts[2]) > 40

    def test_crescent_is_thin(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """Never thicker than asked: a crescent, not a lens."""
        c = subdural_canvas
        convexity = (c.lesion == Lesion.SUBDURAL) & (x_mm(c) < -8)
        assert depth(c)[convexity].max() <= 13

    def test_falx_layer_not_in_the_ventricles(self, subdural_canvas) -> None:  # type: ignore[no-untyped-def]
        """The layer along the falx lies in the interhemispheric fissure, above the callosum.

        The previous generator painted it below the falx's free edge, where after
        the shift it landed beside and inside the ventricles.
        """
        c = subdural_canvas
        mask = c.lesion == Lesion.SUBDURAL
        near_ventricle = ndi.binary_dilation(c.head.tissue_intra == Tissue.VENTRICLE,
                                             iterations=3)
        assert not (mask & near_ventricle).any()
        pts = voxels_mm(c, mask & (np.abs(x_mm(c)) < 6))
        assert pts.size
        edge = np.interp(pts[1], np.arange(c.shape[1]) - c.head.base.origin[1],
                         c.head.base.dura.falx_edge)
        assert (pts[2] > edge).all()  # above the free edge: in the fissure, not under the falx

    def test_mass_effect_and_effacement(self, subdural_canvas, head) -> None:  # type: ignore[no-untyped-def]
        """The midline shifts; the left lateral ventricle and sulci are compressed."""
        c = subdural_canvas
        assert 2.5 < c.midline_shift_mm < 12
        x = x_mm(c)
        ventricle = c.head.tissue_intra == Tissue.VENTRICLE
        left, right = (ventricle & (x < 0)).sum(), (ventricle & (x > 0)).sum()
        assert left < 0.85 * right

    def test_no_lesion_no_shift(self, head) -> None:  # type: ignore[no-untyped-def]
        """Without a lesion nothing moves."""
        assert canvas(head).finish() == 0.0

    def test_isodense_displaces_the_grey_white_junction(self, head) -> None:  # type: ignore[no-untyped-def]
        """A subacute subdural (isodense) is seen by what it moves: the cortex is pushed in."""
        c = canvas(head)
        lesions.subdural(c, side=1, kind="subacute", thickness_mm=9.0)
        c.finish()
        mask = c.lesion == Lesion.SUBDURAL
        blood = c.head.hu_intra[mask].mean()
        cortex = np.median(head.hu_intra[head.tissue_intra == Tissue.GRAY])
        assert abs(blood - cortex) < 4  # isodense with the cortex beside it
        white = c.head.tissue_intra == Tissue.WHITE
        x = x_mm(c)
        d = depth(c)
        right = np.median(d[white & (x > 30) & (d < 25)])
        left = np.median(d[white & (x < -30) & (d < 25)])
        assert right > left + 1.5

    def test_acute_on_chronic_level(self, head) -> None:  # type: ignore[no-untyped-def]
        """Fresh blood settles dependently under a flat haematocrit level."""
        c = canvas(head)
        lesions.subdural(c, side=1, kind="acute_on_chronic", thickness_mm=12.0)
        c.finish()
        mask = c.lesion == Lesion.SUBDURAL
        y = voxels_mm(c, mask)[1]
        hu = c.head.hu_intra[mask]
        assert hu[y < np.percentile(y, 25)].mean() > hu[y > np.percentile(y, 75)].mean() + 20

    def test_unknown_kind(self, head) -> None:  # type: ignore[no-untyped-def]
        """A typo is an error."""
        with pytest.raises(ValueError, match="unknown subdural kind"):
            lesions.subdural(canvas(head), side=1, kind="old")


class TestSubarachnoid:
    """Blood in the CSF spaces, never in the ventricles."""

    def test_basal_cisterns_asymmetric(self, head) -> None:  # type: ignore[no-untyped-def]
        """Aneurysmal: in cisternal CSF (suprasellar included), densest on the aneurysm's side."""
        c = canvas(head)
        lesions.subarachnoid(c, pattern="basal", source_mm=(14.0, 10.0, -14.0))
        c.finish()
        mask = c.lesion == Lesion.SUBARACHNOID
        assert np.isin(c.head.tissue_intra[mask], (Tissue.CSF, Tissue.VESSEL)).all()
        pts = voxels_mm(c, mask)
        suprasellar = (np.abs(pts[0]) < 12) & (np.abs(pts[1] - 5) < 14) & (pts[2] < -5)
        assert suprasellar.sum() > 50
        assert (pts[0] > 10).sum() > 1.3 * (pts[0] < -10).sum()

    def test_convexity_in_sulci(self, head) -> None:  # type: ignore[no-untyped-def]
        """Traumatic: thin, in sulci of one convexity, a few millilitres."""
        c = canvas(head)
        lesions.subarachnoid(c, pattern="convexity", side=-1)
        c.finish()
        mask = c.lesion == Lesion.SUBARACHNOID
        assert 0.2 < mask.sum() / 1000 < 8
        assert (voxels_mm(c, mask)[0] < 0).all()
        assert (c.head.tissue_intra[mask] == Tissue.CSF).all()

    def test_unknown_pattern(self, head) -> None:  # type: ignore[no-untyped-def]
        """A typo is an error, not an empty lesion."""
        with pytest.raises(ValueError, match="unknown subarachnoid pattern"):
            lesions.subarachnoid(canvas(head), pattern="spinal")


class TestIntraventricular:
    """Dependent blood in the ventricles."""

    @pytest.mark.parametrize("gravity", [(0.0, -1.0, 0.0), (0.0, -0.97, 0.24)])
    def test_layering_is_dependent_and_flat(self, head, gravity) -> None:  # type: ignore[no-untyped-def]
        """Inside the ventricles, blood lies below every voxel of ventricular CSF."""
        c = canvas(head, gravity=gravity)
        lesions.intraventricular(c, pattern="layering", depth_mm=8.0)
        c.finish()
        blood = c.lesion == Lesion.INTRAVENTRICULAR
        ventricle = c.head.tissue_intra == Tissue.VENTRICLE
        assert blood.sum() > 300
        assert ventricle[blood].all()
        g = c.gravity
        for side in (1, -1):
            pts = voxels_mm(c, ventricle)
            height = g @ pts  # larger = more dependent
            lateral = (side * pts[0] > 2) & ~((pts[1] < -28) & (pts[2] < -12))
            is_blood = blood[tuple((pts + c.head.base.origin[:, None]).astype(int))]
            csf_lowest = height[lateral & ~is_blood].max()
            blood_highest = height[lateral & is_blood].min()
            assert csf_lowest <= blood_highest + 1.0

    def test_cast_fills_ventricles(self, head) -> None:  # type: ignore[no-untyped-def]
        """A cast is the whole ventricular system."""
        c = canvas(head)
        lesions.intraventricular(c, pattern="cast")
        c.finish()
        np.testing.assert_array_equal(
            c.lesion == Lesion.INTRAVENTRICULAR, c.head.tissue_intra == Tissue.VENTRICLE
        )


@pytest.fixture(scope="module")
def hematoma(head):  # type: ignore[no-untyped-def]
    """A right basal-ganglia hematoma with edema."""
    c = canvas(head, seed=3)
    lesions.intraparenchymal(c, center_mm=(24.0, 2.0, 6.0), radii_mm=(14.0, 11.0, 11.0),
                             edema_mm=5.0)
    c.finish()
    return c


class TestIntraparenchymal:
    """An irregular clot that pushes brain aside, with an edema rim."""

    def test_in_parenchyma(self, hematoma) -> None:  # type: ignore[no-untyped-def]
        """Its voxels are brain (coded grey), more than 5 ml."""
        mask = hematoma.lesion == Lesion.INTRAPARENCHYMAL
        assert mask.sum() > 5000
        assert np.isin(hematoma.head.tissue_intra[mask], BRAIN).all()

    def test_heterogeneous_and_irregular(self, hematoma) -> None:  # type: ignore[no-untyped-def]
        """Mottled density, and an outline that is not an ellipsoid."""
        mask = hematoma.lesion == Lesion.INTRAPARENCHYMAL
        assert hematoma.head.hu_intra[ndi.binary_erosion(mask, iterations=2)].std() > 3.0
        from skimage.morphology import convex_hull_image

        k = int(np.argmax(mask.sum(axis=(0, 1))))
        middle = mask[:, :, k]
        solidity = middle.sum() / convex_hull_image(middle).sum()
        assert solidity < 0.93  # an ellipse scores 0.99

    def test_edema_rim(self, hematoma) -> None:  # type: ignore[no-untyped-def]
        """A darker rim surrounds it."""
        mask = hematoma.lesion == Lesion.INTRAPARENCHYMAL
        edema = hematoma.head.tissue_intra == Tissue.EDEMA
        assert edema.sum() > 0.3 * mask.sum()
        assert hematoma.head.hu_intra[edema].mean() < hematoma.head.shape.white_hu - 3

    def test_mass_effect(self, hematoma) -> None:  # type: ignore[no-untyped-def]
        """A basal-ganglia clot of this size shifts the midline towards the other side."""
        assert hematoma.midline_shift_mm > 1.5

    def test_contusion_is_spotty(self, head) -> None:  # type: ignore[no-untyped-def]
        """A contusion: several small bleeds, not one clot."""
        c = canvas(head, seed=4)
        lesions.intraparenchymal(c, center_mm=(30.0, 40.0, -8.0), radii_mm=(11.0, 9.0, 8.0),
                                 contusion=True)
        c.finish()
        mask = c.lesion == Lesion.INTRAPARENCHYMAL
        _, count = ndi.label(mask)
        assert count >= 3


class TestCalcifications:
    """The mimics: dense, but not blood."""

    def test_dense_and_not_a_lesion(self, head) -> None:  # type: ignore[no-untyped-def]
        """Pineal, choroid, falx and basal-ganglia calcifications: > 100 HU, no lesion code."""
        c = canvas(head)
        lesions.calcifications(c, pineal=True, choroid=True, falx=True, basal_ganglia=True)
        calcified = c.head.tissue_intra == Tissue.CALCIFICATION
        assert calcified.sum() > 80
        assert c.head.hu_intra[calcified].mean() > 150
        assert not c.lesion.any()

    def test_choroid_inside_the_atrium(self, head) -> None:  # type: ignore[no-untyped-def]
        """The glomus lies within the ventricle, never cut by its wall."""
        c = canvas(head)
        lesions.calcifications(c, pineal=False, choroid=True)
        plexus = np.isin(c.head.tissue_intra, (Tissue.CHOROID_PLEXUS, Tissue.CALCIFICATION))
        assert plexus.sum() > 100
        assert (c.head.base.brain.ventricle_sdf[plexus] < 0).all()


class TestBlood:
    """The density of blood by its age and the patient's haematocrit."""

    def test_ages_in_order(self) -> None:
        """Retracted clot > acute > hyperacute > subacute > chronic."""
        values = [lesions.blood_hu(a) for a in ("retracted", "acute", "hyperacute", "subacute",
                                                 "chronic")]
        assert values == sorted(values, reverse=True)
        assert 35 <= lesions.blood_hu("hyperacute") <= 50
        assert 60 <= lesions.blood_hu("acute") <= 80

    def test_anaemia(self) -> None:
        """With a haematocrit of 22 % acute blood is nearly isodense with grey matter."""
        assert abs(lesions.blood_hu("acute", 22.0) - HU["gray"]) < 5

    def test_unknown_age(self) -> None:
        """A typo is an error."""
        with pytest.raises(ValueError, match="unknown blood age"):
            lesions.blood_hu("fresh")
