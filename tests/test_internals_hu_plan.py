"""Tests of ctlib._internals.hu_plan: one decision per header gives ctlib.hu's result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from ctlib._internals.hu_plan import HU_HEADER_KEYWORDS
from ctlib.hu import stored_to_hu


class TestHU:
    def test_hu_header_keywords_are_all_that_is_read(self, make_ct: Callable[..., Dataset]) -> None:
        """load_series reuses a converted header for slices whose HU elements are equal:
        that is exact only if stored_to_hu reads nothing else from the header."""

        class Recording(Dataset):
            seen: set[str]

            def __getitem__(self, key: Any) -> Any:
                self.seen.add(pydicom.datadict.keyword_for_tag(pydicom.tag.Tag(key)))
                return super().__getitem__(key)

            def __contains__(self, name: Any) -> bool:
                tag = pydicom.datadict.tag_for_keyword(name) if isinstance(name, str) else name
                assert tag is not None
                self.seen.add(pydicom.datadict.keyword_for_tag(pydicom.tag.Tag(tag)))
                return super().__contains__(name)

        source = make_ct(np.array([[0, 1000]], np.uint16), bits_stored=12, intercept=5,
                         PixelPaddingValue=0, PixelPaddingRangeLimit=2)
        header = Recording(source)
        object.__setattr__(header, "seen", set())
        stored_to_hu(header, np.array([[0, 1000]], np.uint16))
        assert header.seen - {"PixelData"} <= set(HU_HEADER_KEYWORDS), header.seen
        assert {"RescaleSlope", "PixelPaddingValue", "BitsStored"} <= header.seen
