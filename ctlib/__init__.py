"""ctlib: the helper package of the head-CT DICOM course.

Reading DICOM files, converting stored values to Hounsfield units and
windowing them for display, with the quirks of real data handled explicitly.

>>> import ctlib
>>> print(ctlib.PRESETS["brain"])
brain (C 40 / W 80)
"""

from ctlib import metrics
from ctlib.auditing import audit
from ctlib.channels import to_channels
from ctlib.course.data import DataSet, open_data
from ctlib.course.exercises import check
from ctlib.deidentify import deidentify
from ctlib.errors import (
    ArgumentError,
    CtlibError,
    DicomError,
    HeaderError,
    SeriesWarning,
    WindowError,
)
from ctlib.header import first_value, header_window
from ctlib.hu import (
    AIR_HU,
    PADDING_BELOW_HU,
    has_wrong_pixel_representation,
    mislabel_rule,
    padding_mask,
    stored_values,
    to_hu,
)
from ctlib.metadata import metadata_table
from ctlib.plotting import show_slice
from ctlib.reading import allow_rsna_uids, read
from ctlib.rsna import read_labels
from ctlib.series import Survey, load_series, series_in, survey
from ctlib.volume import Volume, reformat, resample, untilt
from ctlib.window import ALTERNATIVE_PRESETS, PRESETS, VOI_FUNCTIONS, Window, preset, window

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``ctlib.prepare`` and ``ctlib.TrainingCache``, imported when first used (PEP 562)."""
    if name == "prepare":
        from ctlib.training import prepare

        return prepare
    if name == "TrainingCache":
        from ctlib.training import TrainingCache

        return TrainingCache
    raise AttributeError(f"module 'ctlib' has no attribute {name!r}")

__all__ = [
    "AIR_HU",
    "ALTERNATIVE_PRESETS",
    "PADDING_BELOW_HU",
    "PRESETS",
    "VOI_FUNCTIONS",
    "ArgumentError",
    "CtlibError",
    "DataSet",
    "DicomError",
    "HeaderError",
    "SeriesWarning",
    "Survey",
    "TrainingCache",
    "Volume",
    "Window",
    "WindowError",
    "allow_rsna_uids",
    "audit",
    "check",
    "deidentify",
    "first_value",
    "has_wrong_pixel_representation",
    "header_window",
    "load_series",
    "metadata_table",
    "metrics",
    "mislabel_rule",
    "open_data",
    "padding_mask",
    "prepare",
    "preset",
    "read",
    "read_labels",
    "reformat",
    "resample",
    "series_in",
    "show_slice",
    "stored_values",
    "survey",
    "to_channels",
    "to_hu",
    "untilt",
    "window",
]
