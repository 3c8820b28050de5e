"""Tests of ctlib.synth.dura: falx, tentorium and sinuses where the anatomy has them."""

from __future__ import annotations

import numpy as np
import pytest

from ctlib.synth.anatomy import base_head
from ctlib.synth.dura import tentorium_height


def test_tentorium_slopes_down_to_the_back_and_the_sides() -> None:
    apex = float(tentorium_height([0.0], [-48.0])[0])
    assert apex > float(tentorium_height([0.0], [-100.0])[0])  # the torcular is lower
    assert apex > float(tentorium_height([45.0], [-48.0])[0])  # lateral is lower


@pytest.mark.slow
def test_falx_lies_on_the_midline() -> None:
    base = base_head()
    dura, x0 = base.dura, int(base.origin[0])
    assert float(np.median(np.abs(dura.falx_side[x0]))) < 2.0
    assert float(np.median(dura.falx_side[x0 + 20])) > 15  # 20 mm right: the right side
    falx = np.argwhere(dura.falx > 0)
    assert abs(float(np.median(falx[:, 0])) - x0) < 2  # a midline sheet
    assert (dura.sinus > 0).sum() > 5000  # the sinuses: several ml of venous blood
