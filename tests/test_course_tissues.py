"""The tissue codes and HU the generator uses (ctlib.course.tissues), against the literature."""

from __future__ import annotations

import pytest

from ctlib.course.tissues import HU, LITERATURE_HU, RSNA_SUBTYPES, Lesion, Tissue
from ctlib.rsna import SUBTYPES

#: The generator's material for each tissue of the literature table.
MATERIAL = {Tissue.FAT: "fat", Tissue.VENTRICLE: "csf", Tissue.WHITE: "white",
            Tissue.GRAY: "gray", Tissue.DEEP_GRAY: "deep_gray", Tissue.SCALP: "scalp",
            Tissue.DIPLOE: "diploe", Tissue.BONE: "bone", Tissue.CALCIFICATION: "calcification",
            Tissue.VENOUS_SINUS: "venous_blood"}


@pytest.mark.parametrize("tissue", list(LITERATURE_HU))
def test_generator_hu_within_the_published_range(tissue: Tissue) -> None:
    low, high, source = LITERATURE_HU[tissue]
    assert low < high and source
    assert low <= HU[MATERIAL[tissue]] <= high


def test_grey_white_contrast_as_measured() -> None:
    """Grey minus white 5-15 HU and a ratio 1.2-1.6 before partial volume (Choi et al. 2008)."""
    assert 5 <= HU["gray"] - HU["white"] <= 15
    assert 1.2 <= HU["gray"] / HU["white"] <= 1.6


def test_blood_ages_are_ordered() -> None:
    """Retracted clot > acute > hyperacute > subacute > chronic, chronic near CSF."""
    order = ["retracted_clot", "acute_blood", "hyperacute_blood", "subacute_blood",
             "chronic_blood"]
    assert [HU[k] for k in order] == sorted((HU[k] for k in order), reverse=True)
    assert HU["chronic_blood"] - HU["csf"] < 15 and HU["edema"] < HU["white"]


def test_lesion_codes_follow_the_rsna_order() -> None:
    assert RSNA_SUBTYPES == SUBTYPES
    assert [code.name.lower() for code in Lesion if code] == list(SUBTYPES)


def test_tissue_codes_are_unique_and_named() -> None:
    assert len({t.value for t in Tissue}) == len(Tissue)
    assert Tissue.WHITE.label == "white matter" and Tissue.HOLDER.label == "holder"
