""":func:`ctlib.to_hu` for a volume's slices, with one decision per header.

:func:`ctlib.load_series` converts hundreds of slices whose headers agree. Asking pydicom
for the same slope, intercept and padding values for each slice costs more than the
arithmetic, so :func:`hu_plan` reads them once, and :meth:`HuPlan.apply` runs
:mod:`ctlib.hu`'s own :func:`~ctlib.hu.rescale` and :func:`~ctlib.hu.padding_pixels` on each
slice. Nothing here is a second formula: ``tests/test_properties.py`` checks that a plan gives
:func:`ctlib.hu.stored_to_hu`'s result for any header.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from ctlib.hu import (
    AIR_HU,
    check_ct_image,
    has_wrong_pixel_representation,
    padding_pixels,
    padding_range,
    rescale,
    rescale_parameters,
    sign_extend_12,
)

__all__ = ["HU_HEADER_KEYWORDS", "HuPlan", "hu_plan"]

#: Every header element :func:`ctlib.hu.stored_to_hu` (so :func:`ctlib.to_hu`) reads besides
#: the pixel data: two headers that agree on all of them give the same HU for the same values.
HU_HEADER_KEYWORDS = (
    "Modality",
    "PhotometricInterpretation",
    "BitsStored",
    "PixelRepresentation",
    "RescaleSlope",
    "RescaleIntercept",
    "ModalityLUTSequence",
    "PixelPaddingValue",
    "PixelPaddingRangeLimit",
)


@dataclass(frozen=True)
class HuPlan:
    """What :func:`ctlib.hu.stored_to_hu` does with one header, decided once."""

    sign_extend_12: bool
    slope: float
    intercept: float
    padding_range: tuple[int, int] | None

    def apply(self, stored: np.ndarray, out: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Convert ``stored`` into ``out`` as ``stored_to_hu`` would; returns ``out``."""
        if self.sign_extend_12:
            stored = sign_extend_12(stored)
        rescale(stored, self.slope, self.intercept, out=out)
        out[padding_pixels(out, stored, self.padding_range)] = AIR_HU
        return out


def hu_plan(ds: Dataset, dtype: npt.DTypeLike) -> HuPlan | None:
    """Decide how ``stored_to_hu(ds, stored)`` converts stored values of ``dtype``.

    With :func:`ctlib.to_hu`'s defaults: padding set to air, the RSNA mislabel fixed, no
    default rescale.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The image's header.
    dtype : numpy dtype
        Of the stored values.

    Returns
    -------
    HuPlan or None
        ``None`` if the header has a Modality LUT Sequence (PS3.3 C.11.1) or the
        values are not integers of at most 16 bits: use ``stored_to_hu``.

    Raises
    ------
    HeaderError
        As :func:`ctlib.to_hu`.

    Examples
    --------
    >>> import numpy as np
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.Modality, ds.RescaleSlope, ds.RescaleIntercept = "CT", 1, -1024
    >>> plan = hu_plan(ds, np.uint16)
    >>> plan.apply(np.array([[0, 1064]], np.uint16), np.empty((1, 2), np.float32))
    array([[-1024.,    40.]], dtype=float32)
    """
    check_ct_image(ds)
    kind = np.dtype(dtype)
    if "ModalityLUTSequence" in ds or kind.kind not in "iu" or kind.itemsize > 2:
        return None
    extend = has_wrong_pixel_representation(ds)
    slope, intercept = rescale_parameters(ds)
    declared = padding_range(ds, np.dtype(np.int16) if extend else kind)
    return HuPlan(extend, slope, intercept, declared)
