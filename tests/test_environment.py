"""Checks of the repository's set-up files: the environments cannot drift apart.

Binder builds from environment.yml; `make lab`/`make test` install from
pyproject.toml. If one gains a package or a version range the other lacks,
Binder and local runs silently differ, so these tests compare them.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from the PyPI name of the same package.
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
# In environment.yml but not a Python package requirement of pyproject.toml.
CONDA_ONLY = {"python", "pip"}
# pyproject.toml extras that Binder does not need, so environment.yml leaves them out:
# "book" builds the static reading site (`make book`); Binder runs the notebooks instead.
# "lint" holds ruff and mypy, which `make test` runs.
NOT_ON_BINDER = {"book", "lint"}


def conda_requirements() -> dict[str, SpecifierSet]:
    """environment.yml's dependencies as {PyPI name: specifier set}."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    found = {}
    for entry in env["dependencies"]:
        assert isinstance(entry, str), f"unexpected entry in environment.yml: {entry!r}"
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry.strip())
        assert match, entry
        name, spec = match.group(1).lower(), match.group(2).split("#")[0].replace(" ", "")
        if re.fullmatch(r"=[\d.]+", spec):  # conda's "=3.11" is PEP 440's "==3.11.*"
            spec = f"={spec}.*"
        found[CONDA_TO_PYPI.get(name, name)] = SpecifierSet(spec)
    return found


def pyproject() -> dict:
    """The parsed pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pypi_requirements(*, binder: bool = True) -> dict[str, SpecifierSet]:
    """pyproject.toml's dependencies and every optional extra, as {name: specifier set}.

    With ``binder`` (the default), only the extras Binder needs: not ``NOT_ON_BINDER``.
    """
    project = pyproject()["project"]
    lines = list(project["dependencies"])
    for name, extra in project["optional-dependencies"].items():
        if not (binder and name in NOT_ON_BINDER):
            lines += extra
    requirements = [Requirement(line) for line in lines]
    return {r.name.lower(): r.specifier for r in requirements}


class TestEnvironmentsAgree:
    """environment.yml (Binder) and pyproject.toml (pip) list the same packages."""

    def test_same_packages(self) -> None:
        """Every package is in both files."""
        conda = set(conda_requirements()) - CONDA_ONLY
        assert conda == set(pypi_requirements())

    def test_same_version_ranges(self) -> None:
        """Each package has the same version range in both files."""
        conda = conda_requirements()
        for name, spec in pypi_requirements().items():
            assert conda[name] == spec, f"{name}: pyproject {spec} vs environment.yml {conda[name]}"

    def test_make_installs_every_extra(self) -> None:
        """The extras left off Binder exist, and `make lab`/`make test` install every extra."""
        extras = set(pyproject()["project"]["optional-dependencies"])
        assert NOT_ON_BINDER <= extras
        makefile = (ROOT / "Makefile").read_text()
        match = re.search(r"^EXTRAS\s*:=\s*(\S+)$", makefile, flags=re.MULTILINE)
        assert match and set(match.group(1).split(",")) == extras

    def test_python_version(self) -> None:
        """Binder's one Python version is one that pyproject.toml allows."""
        requires = SpecifierSet(pyproject()["project"]["requires-python"])
        conda = conda_requirements()["python"]
        pinned = re.fullmatch(r"==(\d+\.\d+)\.\*", str(conda))
        assert pinned, f"environment.yml should pin python =X.Y, not {conda}"
        assert requires.contains(pinned.group(1) + ".0")

    def test_ranges_are_bounded_below(self) -> None:
        """Every package states the oldest version the course was written for."""
        for name, spec in pypi_requirements(binder=False).items():
            assert any(s.operator == ">=" for s in spec), f"{name} has no lower bound"

    def test_core_versions(self) -> None:
        """The course is written for the pydicom 3 and numpy 2 APIs."""
        reqs = pypi_requirements()
        assert not reqs["pydicom"].contains("2.4.4") and reqs["pydicom"].contains("3.0.1")
        assert not reqs["numpy"].contains("1.26.4") and reqs["numpy"].contains("2.1.0")


class TestBinder:
    """What Binder (repo2docker) reads from the repository root."""

    def test_postbuild(self) -> None:
        """postBuild is executable, strict, and installs ctlib without touching dependencies."""
        post = ROOT / "postBuild"
        assert os.access(post, os.X_OK)
        text = post.read_text()
        assert text.startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in text
        assert "python -m pip install --no-deps -e ." in text

    def test_no_binder_folder(self) -> None:
        """A binder/ folder would make repo2docker ignore the root files."""
        assert not (ROOT / "binder").exists()
        assert not (ROOT / ".binder").exists()


class TestRepository:
    """The README's promises and the CI entry point."""

    def test_readme_commands(self) -> None:
        """The README gives exactly the two set-up commands, and the safety statement."""
        readme = (ROOT / "README.md").read_text()
        blocks = re.findall(r"```(?:bash|sh|shell|console)\n(.*?)```", readme, flags=re.DOTALL)
        commands = [line.strip() for b in blocks for line in b.splitlines() if line.strip()]
        assert commands == ["make lab", "make test"]
        assert "not for clinical use" in readme.lower()
        assert "mybinder.org/v2/gh/" in readme

    def test_makefile_targets(self) -> None:
        """make lab and make test share the same set-up: the venv, then the data set."""
        makefile = (ROOT / "Makefile").read_text()
        assert re.search(r"^lab: venv \$\(DATA\)$", makefile, flags=re.MULTILINE)
        assert re.search(r"^test: venv \$\(DATA\) lint$", makefile, flags=re.MULTILINE)
        assert re.search(r"^\t\$\(PY\) -m mypy --strict ctlib$", makefile, flags=re.MULTILINE)

    def test_postbuild_makes_data(self) -> None:
        """Binder generates the full data set too."""
        assert "python -m ctlib.synth --out data/synthetic" in (ROOT / "postBuild").read_text()

    def test_ci_runs_make_test(self) -> None:
        """CI runs the README's test command."""
        ci = ROOT / ".ci" / "run"
        assert os.access(ci, os.X_OK)
        assert re.search(r"^make test$", ci.read_text(), flags=re.MULTILINE)

    @pytest.mark.parametrize("name", ["notebooks", "ctlib", "data", "tests", "benchmarks"])
    def test_top_level_folders(self, name: str) -> None:
        """The course's top-level layout."""
        assert (ROOT / name).is_dir()

    def test_generated_files_ignored(self) -> None:
        """The virtual environment and caches are never committed."""
        ignored = (ROOT / ".gitignore").read_text().split()
        for entry in [".venv/", "__pycache__/", ".ipynb_checkpoints/", ".pytest_cache/"]:
            assert entry in ignored
