"""Tests of ctlib.course.environment: the set-up check of notebook 00."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from ctlib.course.environment import check_environment, print_environment


class TestEnvironment:
    """The setup check."""

    def test_ready_here(self, capsys: pytest.CaptureFixture[str]) -> None:
        """In the course environment every package is present and in range."""
        assert all(ok for *_, ok in check_environment())
        assert print_environment()
        assert "✓ numpy" in capsys.readouterr().out
