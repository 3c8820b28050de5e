"""Synthetic head CT in the layout of the RSNA 2019 data set.

``python -m ctlib.synth`` (``make data``) builds the set described by
``data/recipe.toml``. The modules, in the order the data flows:

* :mod:`~ctlib.course.tissues`: tissue and lesion codes, HU values with sources;
* :mod:`~ctlib.synth.anatomy`: a 1 mm head from the MNI152 2009a tissue maps;
* :mod:`~ctlib.synth.lesions`: the five hemorrhage subtypes, mass effect;
* :mod:`~ctlib.synth.geometry`: head pose and slice planes (gantry tilt);
* :mod:`~ctlib.synth.noise`: CT-like correlated noise;
* :mod:`~ctlib.synth.series`: one series, rendered to slices;
* :mod:`~ctlib.synth.encode`: RSNA-style DICOM files, quirks included;
* :mod:`~ctlib.synth.dataset`: the whole set, labels, masks and manifest.
"""

from ctlib.course.tissues import HU, RSNA_SUBTYPES, Lesion, Tissue
from ctlib.synth.dataset import generate, load_recipe, make_sample, repo_data_dir

__all__ = [
    "HU",
    "RSNA_SUBTYPES",
    "Lesion",
    "Tissue",
    "generate",
    "load_recipe",
    "make_sample",
    "repo_data_dir",
]
