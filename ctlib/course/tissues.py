"""Tissue and lesion codes, and the Hounsfield values the generator gives them.

Values are those of non-contrast head CT at about 120 kVp, with their sources:

* air −1000 and water 0 by definition of the scale;
* fat −50 to −100, soft tissue and muscle 10–60, cortical bone about 1000 to
  2000 and more (heterogeneous), cancellous bone and diploë 300–800: Prokop &
  Galanski, *Spiral and Multislice Computed Tomography of the Body* (Thieme
  2003); Buzug, *Computed Tomography* (Springer 2008);
* grey and white matter: their difference is about 5–10 HU at typical CT
  energies (5.5 HU computed from tissue composition, *J Comput Assist Tomogr*
  1980;4:489, doi:10.1097/00004728-198008000-00016); the grey-to-white ratio
  of normal controls at the basal ganglia is about 1.3 (Choi et al., *Emerg
  Med J* 2008;25:666, controls 1.32); values differ between scanners by up to
  about 20 % (Oh et al., *Am J Emerg Med* 2019;37:680). Here pure grey matter is
  41 and pure white matter 28 HU; partial volume in the 1 mm model and the 5 mm
  slice brings cortex, as measured on the images, to about 35–37 HU and the
  grey-to-white ratio to about 1.2–1.3. Each series is shifted by its scanner;
* CSF 0–15 HU (water-like);
* blood (Radiopaedia, "Evolution of CT density of intracranial haemorrhage";
  New & Aronow, *Radiology* 1976;121:635; Parizel et al., *Eur Radiol*
  2001;11:1770): hyperacute, unclotted 35–50; acute clotted 60–80, up to 90–100
  with clot retraction; near-isodense in anaemia; falling about 1.5 HU a day
  to isodense with brain at 1–3 weeks; chronic near CSF; perihaematomal edema
  below brain;
* calcification > 100 HU (pineal, choroid plexus, falx, basal ganglia);
* venous blood in the dural sinuses and vessels about 40–50 HU at a normal
  haematocrit (more when the haematocrit is high: the "dense sinus");
* vitreous near water; lens about 100 HU denser; dura slightly denser than
  brain (approximate values, as seen on clinical head CT).
"""

from __future__ import annotations

from enum import IntEnum

from ctlib.rsna import SUBTYPES

__all__ = ["HU", "LITERATURE_HU", "RSNA_SUBTYPES", "Lesion", "Tissue"]


class Tissue(IntEnum):
    """Codes of the per-voxel tissue map stored with every series.

    Codes 0–10 are those of the first versions of the set; 11 and above name
    the structures added to make the images look like real head CT.
    """

    AIR = 0
    SCALP = 1  #: soft tissue outside the skull: skin, galea, face, pituitary
    FAT = 2  #: subcutaneous and orbital fat
    BONE = 3  #: cortical bone: inner and outer tables, skull base cortex
    DIPLOE = 4  #: diploë and cancellous bone
    CSF = 5  #: sulci, fissures, cisterns, the CSF over the convexity
    VENTRICLE = 6  #: CSF of the ventricles
    GRAY = 7  #: cortical grey matter
    WHITE = 8
    CALCIFICATION = 9
    HOLDER = 10  #: the scanner's head holder and table
    DEEP_GRAY = 11  #: basal ganglia and thalami
    DURA = 12  #: falx and tentorium
    VENOUS_SINUS = 13  #: dural venous sinuses (superior sagittal, straight, transverse, sigmoid)
    SINUS_AIR = 14  #: air in the paranasal sinuses, nasal cavity, mastoid cells, ear canals
    GLOBE = 15  #: the eye (vitreous and wall)
    LENS = 16
    OPTIC_NERVE = 17
    MUSCLE = 18  #: extraocular muscles
    CHOROID_PLEXUS = 19
    VESSEL = 20  #: arteries in the basal cisterns
    PAD = 21  #: foam pad or cushion under the head
    EXTRA_AXIAL = 22  #: space between inner table (or dura) and brain opened by a collection
    EDEMA = 23  #: perilesional edema (brain tissue with more water)
    SUTURE = 24  #: a cranial suture through the bone
    FRACTURE = 25  #: a skull fracture line

    @property
    def label(self) -> str:
        """A readable name, e.g. ``"white matter"``."""
        names = {
            "GRAY": "grey matter", "WHITE": "white matter", "CSF": "CSF (sulci, cisterns)",
            "VENTRICLE": "CSF (ventricles)", "BONE": "bone (cortical)", "SCALP": "scalp",
            "DEEP_GRAY": "deep grey matter", "DIPLOE": "diploë, cancellous bone",
            "SINUS_AIR": "air in sinuses and mastoids", "EXTRA_AXIAL": "extra-axial space",
        }
        return names.get(self.name, self.name.lower().replace("_", " "))


class Lesion(IntEnum):
    """Codes of the per-voxel lesion map, in the RSNA label order."""

    NONE = 0
    EPIDURAL = 1
    INTRAPARENCHYMAL = 2
    INTRAVENTRICULAR = 3
    SUBARACHNOID = 4
    SUBDURAL = 5


#: The five subtypes as the RSNA label file spells them, in its order.
RSNA_SUBTYPES: tuple[str, ...] = SUBTYPES

#: Mean HU given to each material (see the module docstring for sources); each series
#: varies the brain's values by its scanner's offset and the bone by its patient.
HU: dict[str, float] = {
    "air": -1000.0,
    "fat": -90.0,
    "skin": 45.0,
    "scalp": 40.0,
    "muscle": 50.0,
    "bone": 1450.0,  # cortical: tables and skull base cortex (series vary it)
    "cancellous": 450.0,
    "diploe": 600.0,
    "otic_capsule": 2100.0,
    "suture": 350.0,
    "csf": 7.0,
    "gray": 41.0,
    "deep_gray": 39.5,
    "white": 28.0,
    "dura": 48.0,
    "venous_blood": 45.0,
    "dense_sinus": 70.0,
    "vessel": 45.0,
    "choroid_plexus": 38.0,
    "calcification": 250.0,
    "vitreous": 10.0,
    "lens": 115.0,
    "optic_nerve": 32.0,
    "holder": 150.0,
    "table": 250.0,
    "pad": -850.0,
    "acute_blood": 70.0,
    "hyperacute_blood": 45.0,
    "retracted_clot": 88.0,
    "subacute_blood": 36.0,  # isodense with cortex, 1-3 weeks
    "chronic_blood": 15.0,
    "edema": 18.0,
    "scalp_hematoma": 55.0,
}

_PROKOP = "Prokop & Galanski 2003; Buzug 2008"
_GW = "Choi et al. 2008 (GM/WM 1.32); J Comput Assist Tomogr 1980;4:489"
#: Published HU ranges of each tissue at ~120 kVp: (low, high, source).
LITERATURE_HU: dict[Tissue, tuple[float, float, str]] = {
    Tissue.FAT: (-100, -50, _PROKOP),
    Tissue.VENTRICLE: (0, 15, "water-like CSF"),
    Tissue.WHITE: (20, 34, _GW),
    Tissue.GRAY: (32, 45, _GW),
    Tissue.DEEP_GRAY: (32, 45, _GW),
    Tissue.SCALP: (10, 60, _PROKOP),
    Tissue.DIPLOE: (300, 800, _PROKOP),
    Tissue.BONE: (1000, 2200, _PROKOP),
    Tissue.CALCIFICATION: (100, 500, "Radiopaedia"),
    Tissue.VENOUS_SINUS: (35, 75, "unenhanced venous blood, haematocrit-dependent"),
}
