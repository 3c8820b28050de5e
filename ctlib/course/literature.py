"""Published values the course quotes, in one table: HU of tissues and blood, RSNA counts.

Every literature value a notebook states comes from :data:`FACTS`, so a
number cannot say one thing in one notebook and another in the next. A code
cell shows a value with :func:`text`; a markdown cell may write it out, and
``tests/test_literature.py`` checks that what it writes is in this table (or
printed by the notebook's code, for what the data determine).

Values are for non-contrast head CT at about 120 kVp. Ranges are what a reader
meets in practice, not limits: scanners, tube voltage, slice thickness, age and
haematocrit all move them.

Examples
--------
>>> text("blood_acute")
'60–80 HU'
>>> fact("blood_hyperacute").low
35.0
>>> text("rsna_all_images")
'874,035 images'
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from ctlib.errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FACTS", "Fact", "fact", "table", "text"]

#: Signs a single value may carry: "" (exactly), "<", ">" or "≈".
BOUNDS = ("", "<", ">", "≈")
_MINUS = "\N{MINUS SIGN}"
_DASH = "\N{EN DASH}"


@dataclass(frozen=True)
class Fact:
    """One published value or range, with what it describes and where it comes from.

    Parameters
    ----------
    key : str
        The name notebooks and tests use, e.g. ``"blood_acute"``.
    low : float
        The value, or the low end of the range.
    high : float or None
        The high end of the range; ``None`` for a single value.
    unit : str
        ``"HU"``, ``"weeks"``, ``"HU per day"``, ``"%"``, ``"mm"`` or ``"images"``.
    what : str
        What the value describes, in a sentence a newcomer can read.
    source : str
        Full citation(s) of where the value was published.
    bound : {"", "<", ">", "≈"}, optional
        For a single value: exactly (``""``), below, above or about.

    Raises
    ------
    ArgumentError
        If the numbers are not finite, the range is reversed, a range carries a
        bound, or ``what`` or ``source`` is empty.

    Examples
    --------
    >>> f = Fact("x", 60, 80, "HU", "acute clotted blood", "New & Aronow 1976")
    >>> f.low, f.high
    (60.0, 80.0)
    >>> Fact("x", 80, 60, "HU", "reversed", "nobody")
    Traceback (most recent call last):
    ...
    ctlib.errors.ArgumentError: literature value 'x': low 80 is above high 60. ...

    """

    key: str
    low: float
    high: float | None
    unit: str
    what: str
    source: str
    bound: str = ""

    def __post_init__(self) -> None:
        name = f"literature value {self.key!r}"
        low = float(self.low)
        high = None if self.high is None else float(self.high)
        if not math.isfinite(low) or (high is not None and not math.isfinite(high)):
            raise ArgumentError(f"{name}: its numbers must be finite, got {self.low!r} "
                                f"and {self.high!r}. Give the published values.")
        if high is not None and low > high:
            raise ArgumentError(f"{name}: low {low:g} is above high {high:g}. "
                                "Give the range as (low, high).")
        if self.bound not in BOUNDS:
            raise ArgumentError(f"{name}: bound must be one of {BOUNDS}, got {self.bound!r}.")
        if high is not None and self.bound:
            raise ArgumentError(f"{name}: a range cannot carry the bound {self.bound!r}. "
                                "Use a bound with a single value (high=None).")
        if not self.what.strip() or not self.source.strip():
            raise ArgumentError(f"{name}: say what it describes and cite where it was "
                                "published (what= and source=).")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @property
    def is_range(self) -> bool:
        """Whether the fact is a range (it has a ``high`` end)."""
        return self.high is not None

    def __str__(self) -> str:
        return _format(self)


_PROKOP = ("Prokop M, Galanski M (eds). Spiral and Multislice Computed Tomography of the "
           "Body. Stuttgart: Thieme; 2003")
_BUZUG = ("Buzug TM. Computed Tomography: From Photon Statistics to Modern Cone-Beam CT. "
          "Berlin: Springer; 2008 (table of HU values)")
_NEW = ("New PF, Aronow S. Attenuation measurements of whole blood and blood fractions in "
        "computed tomography. Radiology 1976;121(3 Pt 1):635-640. doi:10.1148/121.3.635")
_PARIZEL = ("Parizel PM, Makkat S, Van Miert E, Van Goethem JW, van den Hauwe L, De Schepper "
            "AM. Intracranial hemorrhage: principles of CT and MRI interpretation. "
            "Eur Radiol 2001;11(9):1770-1783")
_RADIOPAEDIA_EVOLUTION = ("Gaillard F. Evolution of CT density of intracranial haemorrhage "
                          "(diagram). Radiopaedia.org, https://radiopaedia.org/cases/"
                          "evolution-of-ct-density-of-intracranial-haemorrhage-diagram")
_LEE = ("Lee KS, Bae WK, Bae HG, Doh JW, Yun IG. The computed tomographic attenuation and "
        "the age of subdural hematomas. J Korean Med Sci 1997;12(4):353-359. "
        "doi:10.3346/jkms.1997.12.4.353")
_NAKAMURA = ("Nakamura K, Maeda K, Tanooka M, Aoyama S, Ishikura R, Kotoura N. Computed "
             "tomography using a low tube voltage technique for acute ischemic stroke. "
             "Advances in Computed Tomography 2019;8(2). doi:10.4236/act.2019.82003")
_WHITE_GRAY = ("Explanation of cerebral white-gray contrast in computed tomography. "
               "J Comput Assist Tomogr 1980;4(4):489-491. "
               "doi:10.1097/00004728-198008000-00016")
_FLANDERS = ("Flanders AE, Prevedello LM, Shih G, et al. Construction of a machine learning "
             "dataset through collaboration: the RSNA 2019 Brain CT Hemorrhage Challenge. "
             "Radiol Artif Intell 2020;2(3):e190211. doi:10.1148/ryai.2020190211")
_KAGGLE = ("RSNA Intracranial Hemorrhage Detection, Kaggle competition (2019): "
           "https://www.kaggle.com/competitions/rsna-intracranial-hemorrhage-detection")
_STAGE1_COUNTED = ("counted from the headers and labels (stage_1_train.csv) of the stage-1 "
                   "training images of " + _KAGGLE)


def _facts(*facts: Fact) -> Mapping[str, Fact]:
    table = {f.key: f for f in facts}
    if len(table) != len(facts):
        raise ArgumentError("two literature values share a key; every key must be unique.")
    return MappingProxyType(table)


#: Every literature value the course quotes, by key (read-only).
FACTS: Mapping[str, Fact] = _facts(
    Fact("air", -1000, None, "HU", "air, by the definition of the Hounsfield scale",
         "definition of the scale: HU = 1000 (mu - mu_water) / (mu_water - mu_air); "
         + _BUZUG),
    Fact("water", 0, None, "HU", "water, by the definition of the Hounsfield scale",
         "definition of the scale; " + _BUZUG),
    Fact("fat", -100, -50, "HU", "fat (scalp, orbit)", f"{_PROKOP}; {_BUZUG}"),
    Fact("csf", 0, 15, "HU", "cerebrospinal fluid: close to water",
         f"{_PROKOP}; {_BUZUG}"),
    Fact("white_matter", 20, 30, "HU", "white matter of the brain", f"{_BUZUG}; {_PROKOP}"),
    Fact("gray_matter", 37, 45, "HU", "grey matter (cortex and deep nuclei) of the brain",
         f"{_BUZUG}; {_PROKOP}"),
    Fact("gm_wm_contrast", 5, 10, "HU",
         "grey minus white matter: 5.5 HU computed from the tissues' composition; "
         "7.1 HU at 120 kV and 8.7 HU at 100 kV measured in 50 patients",
         f"{_WHITE_GRAY}; {_NAKAMURA}"),
    Fact("blood_hyperacute", 35, 50, "HU",
         "hyperacute blood that has not clotted yet (first minutes to hours), like "
         "circulating blood; it depends on the haematocrit",
         f"{_RADIOPAEDIA_EVOLUTION}; {_NEW}"),
    Fact("blood_acute", 60, 80, "HU", "acute clotted blood (hours to about 3 days)",
         f"{_NEW}; {_PARIZEL}"),
    Fact("blood_acute_retracted", 80, 100, "HU",
         "acute clotted blood after clot retraction has squeezed the serum out",
         f"{_NEW}; {_PARIZEL}"),
    Fact("blood_subacute_isodense_weeks", 1, 3, "weeks",
         "time after which a haematoma has faded to the density of brain (isodense)",
         f"{_RADIOPAEDIA_EVOLUTION}; {_LEE}"),
    Fact("subacute_fall_hu_per_day", 1.5, None, "HU per day",
         "how fast a haematoma loses density after the first days", _PARIZEL, bound="≈"),
    Fact("blood_chronic", 0, 20, "HU",
         "chronic blood (weeks to months): hypodense, approaching CSF; chronic subdural "
         "collections that bleed again stay denser",
         f"{_RADIOPAEDIA_EVOLUTION}; {_LEE}"),
    Fact("sdh_acute_first_hours", 75, 100, "HU",
         "an acute subdural haematoma in its first hours, its clot retracted",
         f"{_NEW}; {_PARIZEL}"),
    Fact("anaemia_haematocrit", 30, None, "%",
         "haematocrit below which even acute clotted blood can look nearly as dense as "
         "brain (isodense at haemoglobin 8-10 g/dL)",
         "Smith WP Jr, Batnitzky S, Rengachary SS. Acute isodense subdural hematomas: a "
         f"problem in anemic patients. AJR Am J Roentgenol 1981;136(3):543-546; {_NEW}",
         bound="<"),
    Fact("calcification", 100, None, "HU",
         "physiological calcification (pineal gland, choroid plexus, falx): denser than any "
         "blood; small ones read lower because they fill only part of a 5 mm voxel",
         "Radiopaedia.org, 'Normal intracranial calcifications', https://radiopaedia.org/"
         f"articles/normal-intracranial-calcifications (sites); {_NEW} (blood stays "
         "at or below 100 HU)", bound=">"),
    Fact("bone_cortical", 1000, 2000, "HU",
         "cortical bone of the skull tables: heterogeneous; the densest parts go beyond "
         "2000 HU", f"{_PROKOP}; {_BUZUG}"),
    Fact("diploe", 300, 800, "HU", "diploë: the cancellous bone between the skull tables",
         f"{_PROKOP}; {_BUZUG}"),
    Fact("scalp", 10, 50, "HU", "scalp soft tissue and muscle", f"{_PROKOP}; {_BUZUG}"),
    Fact("edema", 25, 33, "HU",
         "perihaematomal edema around an intracerebral haemorrhage: the interquartile "
         "ranges of its mean HU at presentation (28-33) and 3-4 days later (25-29); it grows "
         "over the first days",
         "Polymeris AA, Lioutas VA, Incontri D, Soman S, Selim MH. Evolution of "
         "perihematomal edema mean Hounsfield unit and its association with clinical "
         "outcome in intracerebral hemorrhage: a post hoc analysis of the i-DEF trial. "
         "Neurocrit Care 2025. doi:10.1007/s12028-025-02337-7"),
    Fact("brain_noise_sd", 3, 4, "HU",
         "noise (standard deviation) in brain at routine dose: 4.0 HU at 120 kV in 50 "
         "patients; about 3 HU in small brain regions of a real 5 mm head slice",
         f"{_NAKAMURA}; measured on pydicom's real head-CT test file "
         "J2K_pixelrep_mismatch.dcm (5 mm, 120 kV)"),
    Fact("midline_shift_significant_mm", 5, None, "mm",
         "midline shift (measured at the septum pellucidum) above which an acute subdural "
         "haematoma should be evacuated, whatever the patient's state",
         "Bullock MR, Chesnut R, Ghajar J, et al. Surgical management of acute subdural "
         "hematomas. Neurosurgery 2006;58(3 Suppl):S16-S24", bound=">"),
    Fact("rsna_stage1_train_images", 674_258, None, "images",
         "images in the RSNA 2019 stage-1 training set (stage_1_train)", _KAGGLE),
    Fact("rsna_stage2_train_images", 752_803, None, "images",
         "images in the RSNA 2019 stage-2 training set (stage_2_train): the stage-1 "
         "training and test images together", f"{_KAGGLE}; {_FLANDERS}"),
    Fact("rsna_stage2_test_images", 121_232, None, "images",
         "images in the RSNA 2019 stage-2 test set, whose labels were released later",
         f"{_KAGGLE}; {_FLANDERS}"),
    Fact("rsna_all_images", 874_035, None, "images",
         "all images of the RSNA 2019 data set (stage-2 training and test)", _FLANDERS),
    # Counted from the files and labels of the stage-1 training set: each group adds up to it.
    *(Fact(f"rsna_stage1_{name}", count, None, "images",
           f"stage-1 training images {what}", _STAGE1_COUNTED) for name, count, what in (
        ("bits_stored_16", 341_679, "with (0028,0101) BitsStored 16"),
        ("bits_stored_12", 332_579, "with (0028,0101) BitsStored 12"),
        ("signed", 343_931, "with (0028,0103) PixelRepresentation 1 (signed)"),
        ("unsigned", 330_327, "with (0028,0103) PixelRepresentation 0 (unsigned)"),
        ("intercept_minus_1024", 662_279, "with (0028,1052) RescaleIntercept −1024"),
        ("intercept_minus_1000", 6_653, "with (0028,1052) RescaleIntercept −1000"),
        ("intercept_0", 5_276, "with (0028,1052) RescaleIntercept 0"),
        ("intercept_1", 50, "with (0028,1052) RescaleIntercept 1"),
        ("two_valued_windows", 332_579, "whose WindowCenter and WindowWidth hold two values"),
        ("no_hemorrhage", 577_155, "labelled with no hemorrhage at all"),
        ("any", 97_103, "labelled 'any' (at least one hemorrhage)"),
        ("subdural", 42_496, "labelled subdural"),
        ("intraparenchymal", 32_564, "labelled intraparenchymal"),
        ("subarachnoid", 32_122, "labelled subarachnoid"),
        ("intraventricular", 23_766, "labelled intraventricular"),
        ("epidural", 2_761, "labelled epidural"),
    )),
)


def fact(key: str) -> Fact:
    """Return the literature value called ``key``.

    Parameters
    ----------
    key : str
        A key of :data:`FACTS`, e.g. ``"blood_acute"``.

    Returns
    -------
    Fact

    Raises
    ------
    ArgumentError
        If there is no such key; the message lists the keys there are.

    Examples
    --------
    >>> fact("blood_acute").high
    80.0
    >>> fact("blood_fresh")
    Traceback (most recent call last):
    ...
    ctlib.errors.ArgumentError: no literature value called 'blood_fresh' (did you mean ...

    """
    try:
        return FACTS[key]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(key), list(FACTS), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ArgumentError(
            f"no literature value called {key!r}{hint}. Known keys: {', '.join(FACTS)}. "
            "A new value goes into ctlib/course/literature.py with its source."
        ) from None


def text(key: str) -> str:
    """The value as a notebook writes it: ``"60–80 HU"``, ``"−1000 HU"``, ``"874,035 images"``.

    Ranges use an en dash, or "to" when a bound is negative (``"−100 to −50 HU"``);
    negative numbers use the minus sign (U+2212); counts of images have thousands
    separators.

    Parameters
    ----------
    key : str
        A key of :data:`FACTS`.

    Returns
    -------
    str

    Raises
    ------
    ArgumentError
        If there is no such key.

    Examples
    --------
    >>> text("blood_acute"), text("air"), text("fat")
    ('60–80 HU', '−1000 HU', '−100 to −50 HU')
    >>> text("calcification"), text("rsna_stage1_train_images")
    ('> 100 HU', '674,258 images')
    """
    return _format(fact(key))


def table() -> pd.DataFrame:
    """All literature values as a table, for display in a notebook.

    Returns
    -------
    pandas.DataFrame
        One row per key: the value as :func:`text` writes it, low, high, unit,
        what it describes and its source.

    Examples
    --------
    >>> frame = table()
    >>> frame.loc["blood_acute", "value"]
    '60–80 HU'
    >>> list(frame.columns)
    ['value', 'low', 'high', 'unit', 'what', 'source']
    """
    import pandas as pd

    rows = [{"key": f.key, "value": _format(f), "low": f.low, "high": f.high, "unit": f.unit,
             "what": f.what, "source": f.source} for f in FACTS.values()]
    return pd.DataFrame(rows).set_index("key")


def _number(value: float, unit: str) -> str:
    """``-1000.0 -> '−1000'``, ``1.5 -> '1.5'``; counts of images as ``'674,258'``."""
    if unit == "images":
        written = f"{int(value):,}"
    elif float(value).is_integer():
        written = str(int(value))
    else:
        written = f"{value:g}"
    return written.replace("-", _MINUS)


def _format(f: Fact) -> str:
    low = _number(f.low, f.unit)
    if f.high is None:
        return f"{f.bound} {low} {f.unit}".lstrip()
    high = _number(f.high, f.unit)
    joiner = " to " if min(f.low, f.high) < 0 else _DASH
    return f"{low}{joiner}{high} {f.unit}"
