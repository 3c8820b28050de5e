"""Tissue and lesion codes, and the Hounsfield values the generator gives them.

Values are those of non-contrast head CT at about 120 kVp:

* air −1000 and water 0 by definition of the scale;
* fat ≈ −90, scalp soft tissue 10–50, cortical bone 700–1900, diploë 300–700:
  Prokop & Galanski, *Spiral and Multislice Computed Tomography of the Body*
  (Thieme 2003); Buzug, *Computed Tomography* (Springer 2008);
* CSF 0–15, white matter 20–30, grey matter 37–45 (grey–white contrast
  7–10 HU): Nakamura et al., *Radiol Phys Technol* 2019;
* blood: hyperacute/unclotted 35–50, acute clotted 60–80 (core up to 90–100),
  acute subdural in the first hours 75–100, falling ~1.5 HU/day to isodense
  with brain at 1–4 weeks, chronic near CSF; calcification > 100; edema below
  brain: Radiopaedia, "Evolution of CT density of intracranial haemorrhage".
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["HU", "LITERATURE_HU", "Lesion", "RSNA_SUBTYPES", "Tissue"]


class Tissue(IntEnum):
    """Codes of the per-voxel tissue map stored with every series."""

    AIR = 0
    SCALP = 1
    FAT = 2
    BONE = 3  #: inner and outer tables, skull base
    DIPLOE = 4
    CSF = 5  #: sulci, cisterns, extra-axial space
    VENTRICLE = 6
    GRAY = 7
    WHITE = 8
    CALCIFICATION = 9
    HOLDER = 10  #: the scanner's head holder

    @property
    def label(self) -> str:
        """A readable name, e.g. ``"white matter"``."""
        return {"GRAY": "grey matter", "WHITE": "white matter", "CSF": "CSF (sulci)",
                "VENTRICLE": "CSF (ventricles)", "BONE": "bone (tables)"}.get(
                    self.name, self.name.lower().replace("_", " "))


class Lesion(IntEnum):
    """Codes of the per-voxel lesion map, in the RSNA label order."""

    NONE = 0
    EPIDURAL = 1
    INTRAPARENCHYMAL = 2
    INTRAVENTRICULAR = 3
    SUBARACHNOID = 4
    SUBDURAL = 5


#: The five subtypes as the RSNA label file spells them, in its order.
RSNA_SUBTYPES: tuple[str, ...] = (
    "epidural",
    "intraparenchymal",
    "intraventricular",
    "subarachnoid",
    "subdural",
)

#: Mean HU given to each material (see the module docstring for sources).
HU: dict[str, float] = {
    "air": -1000.0,
    "fat": -90.0,
    "scalp": 40.0,
    "bone": 1400.0,  # inner/outer tables
    "diploe": 650.0,
    "skull_base": 900.0,
    "csf": 8.0,
    "gray": 43.0,
    "white": 25.0,
    "calcification": 250.0,
    "holder": 120.0,
    "acute_blood": 70.0,
    "hyperacute_blood": 48.0,
    "subacute_blood": 38.0,  # isodense with grey matter
    "chronic_blood": 18.0,
    "edema": 17.0,
    "scalp_hematoma": 55.0,
}

_PROKOP = "Prokop & Galanski 2003; Buzug 2008"
#: Published HU ranges of each tissue at ~120 kVp: (low, high, source).
LITERATURE_HU: dict[Tissue, tuple[float, float, str]] = {
    Tissue.FAT: (-100, -50, _PROKOP),
    Tissue.VENTRICLE: (0, 15, "water-like; Radiopaedia"),
    Tissue.WHITE: (20, 30, "Nakamura et al. 2019"),
    Tissue.GRAY: (37, 45, "Nakamura et al. 2019"),
    Tissue.SCALP: (10, 50, _PROKOP),
    Tissue.DIPLOE: (300, 700, _PROKOP),
    Tissue.BONE: (700, 1900, _PROKOP),
    Tissue.CALCIFICATION: (100, 500, "Radiopaedia"),
}
