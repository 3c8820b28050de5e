"""Launching the course (Binder, Colab) and the files for teachers and contributors.

What can be checked without Binder or Colab: every launch link names the course's one
repository and the right file; the Colab cell runs the right commands on Colab and prints
nothing anywhere else; postBuild is strict and executable in git; repo2docker, if installed,
picks its conda build pack; CITATION.cff is complete; every relative link resolves; the
workshop plans add up; the notebook template passes the same rules as the notebooks.

tests/test_environment.py already checks that environment.yml and pyproject.toml agree;
tests/test_notebooks.py holds the notebooks' structural rules, reused here for the template.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
import types
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from conftest import cells
from packaging.specifiers import SpecifierSet

import ctlib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TEMPLATE = ROOT / "docs" / "notebook_template.ipynb"
FIRST = "notebooks/00_setup_check.ipynb"
# The Markdown files whose relative links must resolve (on GitHub and in a clone).
DOCUMENTS = sorted({
    ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "LICENSE-CONTENT.md",
    ROOT / "data" / "README.md", ROOT / "notebooks" / "README.md",
    *(ROOT / "docs").glob("*.md"),
})

# (repository, ref, urlpath) and (repository, branch, path) of launch links.
BINDER = re.compile(
    r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/([\w.-]+)(?:\?urlpath=([^\s)\"'\]]+))?")
COLAB = re.compile(
    r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w.-]+)/([^\s)\"'\]#?]+)")
GITHUB = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+)")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


# --- helpers ---------------------------------------------------------------------------------

@cache
def citation() -> dict[str, Any]:
    """The parsed CITATION.cff."""
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert isinstance(data, dict)
    return data


def declared_repositories() -> dict[str, str]:
    """Every place that names the course's GitHub repository: {where: URL}."""
    found = {"CITATION.cff repository-code": str(citation()["repository-code"])}
    urls = pyproject().get("urls", {})
    for key, url in urls.items():
        if str(url).startswith("https://github.com/"):
            found[f"pyproject.toml [project.urls] {key}"] = str(url)
    book = ROOT / "book" / "_config.yml"
    if book.is_file():
        repository = (yaml.safe_load(book.read_text()) or {}).get("repository") or {}
        if repository.get("url"):
            found["book/_config.yml repository.url"] = str(repository["url"])
    return found


def pyproject() -> dict[str, Any]:
    """pyproject.toml's [project] table."""
    return dict(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"])


def slug() -> str:
    """owner/name of the course's repository, from CITATION.cff."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)/?", citation()["repository-code"])
    assert match, citation()["repository-code"]
    return match.group(1)


def binder_url(path: str) -> str:
    """The Binder link that opens ``path`` in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{slug()}/HEAD?urlpath=lab/tree/{path}"


def colab_url(path: str) -> str:
    """The Colab link that opens ``path`` from the default branch."""
    return f"https://colab.research.google.com/github/{slug()}/blob/main/{path}"


def launch_texts() -> dict[str, str]:
    """README, docs and every notebook's Markdown and code: where launch links can appear."""
    texts = {p.relative_to(ROOT).as_posix(): p.read_text() for p in DOCUMENTS}
    for path in [*NOTEBOOKS, TEMPLATE]:
        texts[path.relative_to(ROOT).as_posix()] = "\n".join(c["text"] for c in cells(path))
    return texts


def colab_code(path: Path) -> str:
    """A notebook's Colab cell as plain Python (IPython's `!` lines become get_ipython calls)."""
    transformers = pytest.importorskip("IPython.core.inputtransformer2")
    return str(transformers.TransformerManager().transform_cell(cells(path)[1]["text"]))


def notebook_rules() -> ModuleType:
    """tests/test_notebooks.py, loaded under another name (so pytest does not collect it twice)."""
    spec = importlib.util.spec_from_file_location("_notebook_rules",
                                                  ROOT / "tests" / "test_notebooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def git(*args: str) -> subprocess.CompletedProcess[str] | None:
    """Run git in the repository; None when this is not a git checkout."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


# --- one repository, and every launch link names it --------------------------------------------

class TestLaunchLinks:
    """Binder, Colab and GitHub links name one repository and the right file."""

    def test_one_repository(self) -> None:
        """CITATION.cff, pyproject.toml's URLs and the book's config name the same repository."""
        declared = declared_repositories()
        assert len({url.rstrip("/") for url in declared.values()}) == 1, declared

    def test_every_link_names_the_repository(self) -> None:
        """No Binder, Colab or course GitHub link anywhere names another repository."""
        owner = slug().split("/")[0]
        counts = {"binder": 0, "colab": 0}
        for where, text in launch_texts().items():
            for match in BINDER.finditer(text):
                counts["binder"] += 1
                assert match.group(1) == slug(), (where, match.group(0))
                assert match.group(2) == "HEAD", (where, match.group(0))
            for match in COLAB.finditer(text):
                counts["colab"] += 1
                assert match.group(1) == slug(), (where, match.group(0))
                assert match.group(2) == "main", (where, match.group(0))
            for match in GITHUB.finditer(text):
                if match.group(1) == owner:
                    assert f"{match.group(1)}/{match.group(2)}" == slug(), (where, match.group(0))
        assert counts["binder"] >= len(NOTEBOOKS) + 1 and counts["colab"] >= len(NOTEBOOKS) + 1

    def test_links_open_files_that_exist(self) -> None:
        """Every Binder link opens a notebook in JupyterLab; every Colab link an existing file."""
        for where, text in launch_texts().items():
            for match in BINDER.finditer(text):
                urlpath = match.group(3) or ""
                assert urlpath.startswith("lab/tree/"), (where, match.group(0))
                target = urlpath.removeprefix("lab/tree/")
                if where != "docs/notebook_template.ipynb":
                    assert (ROOT / target).is_file(), (where, target)
            for match in COLAB.finditer(text):
                if where != "docs/notebook_template.ipynb":
                    assert (ROOT / match.group(3)).is_file(), (where, match.group(3))

    def test_readme_badges(self) -> None:
        """The README's Binder badge opens the first notebook in JupyterLab; the Colab badge too."""
        readme = (ROOT / "README.md").read_text()
        badge = "[![Launch on Binder](https://mybinder.org/badge_logo.svg)]"
        assert f"{badge}({binder_url(FIRST)})" in readme
        assert ("[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                f"({colab_url(FIRST)})") in readme

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
    def test_notebook_opens_itself(self, path: Path) -> None:
        """Each notebook's title cell links to itself on Binder and on Colab, and to nothing else."""
        title = cells(path)[0]["text"]
        own = f"notebooks/{path.name}"
        assert f"[▶ Launch on Binder]({binder_url(own)})" in title
        assert f"[▶ Open in Colab]({colab_url(own)})" in title
        assert len(BINDER.findall(title)) == 1 and len(COLAB.findall(title)) == 1

    def test_course_notebooks_hold_no_template_placeholder(self) -> None:
        """A notebook made from the template had its instructions removed."""
        for path in NOTEBOOKS:
            for cell in cells(path):
                assert "<!-- TEMPLATE" not in cell["text"], path.name
                assert "NN_topic" not in cell["text"], path.name


# --- the Colab cell ---------------------------------------------------------------------------

class TestColabCell:
    """The second cell of every notebook: the course on Colab, nothing anywhere else."""

    def test_same_in_every_notebook(self) -> None:
        """Every notebook has the template's Colab cell, unchanged."""
        expected = cells(TEMPLATE)[1]["text"]
        for path in NOTEBOOKS:
            assert cells(path)[1]["text"] == expected, path.name

    def test_commands_on_colab(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """On Colab: clone (once), install ctlib with the course extras, build the data (once)."""
        ran: list[str] = []
        shell = types.SimpleNamespace(system=ran.append)
        colab = types.ModuleType("google.colab")
        colab.output = types.SimpleNamespace(  # type: ignore[attr-defined]
            enable_custom_widget_manager=lambda: ran.append("custom widget manager"))
        monkeypatch.setitem(sys.modules, "google.colab", colab)
        monkeypatch.setattr(sys, "path", list(sys.path))
        code = compile(colab_code(TEMPLATE), "colab-cell", "exec")
        exec(code, {"get_ipython": lambda: shell})  # noqa: S102 (the course's own cell)
        assert ran == [
            ("test -d /content/course || "
             f"git clone -q --depth 1 https://github.com/{slug()} /content/course"),
            'pip install -q -e "/content/course[course]"',
            ("test -f /content/course/data/synthetic/manifest.json || "
             "(cd /content/course && python -m ctlib.synth --no-progress)"),
            "custom widget manager",
        ]
        # The editable install's path hook is read only when Python starts; the kernel is already
        # running, so the cell puts the clone on sys.path itself.
        assert sys.path[0] == "/content/course"

    @pytest.mark.parametrize("path", [*NOTEBOOKS, TEMPLATE], ids=lambda p: p.stem)
    def test_silent_elsewhere(self, path: Path, tmp_path: Path) -> None:
        """Outside Colab the cell runs, does nothing and prints nothing (in a fresh interpreter)."""
        result = subprocess.run([sys.executable, "-W", "error", "-c", colab_code(path)],
                                cwd=tmp_path, capture_output=True, text=True, timeout=60,
                                check=False)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
        assert list(tmp_path.iterdir()) == []


# --- Binder: postBuild and repo2docker ---------------------------------------------------------

class TestBinderBuild:
    """What repo2docker does with the repository (test_environment.py checks the files agree)."""

    def test_postbuild_executable_in_git(self) -> None:
        """postBuild is committed with its executable bit (mode 100755), not only on this disk."""
        result = git("ls-files", "-s", "postBuild")
        if result is None:
            pytest.skip("not a git checkout")
        assert result.stdout.startswith("100755 "), result.stdout

    def test_postbuild_strict_from_the_start(self) -> None:
        """`set -euo pipefail` comes before any command, and bash can parse the script."""
        text = (ROOT / "postBuild").read_text()
        commands = [line for line in text.splitlines()[1:]
                    if line.strip() and not line.startswith("#")]
        assert commands[0] == "set -euo pipefail"
        subprocess.run(["bash", "-n", str(ROOT / "postBuild")], check=True)

    def test_postbuild_builds_quietly(self) -> None:
        """No progress bar in the build log; the data goes where open_data looks first."""
        text = (ROOT / "postBuild").read_text()
        assert "python -m ctlib.synth --out data/synthetic --no-progress" in text

    def test_repo2docker_reads_the_python_version(self) -> None:
        """environment.yml names its Python the way repo2docker reads it."""
        env = yaml.safe_load((ROOT / "environment.yml").read_text())
        versions = [m.group(1) for dep in env["dependencies"] if isinstance(dep, str)
                    for m in [re.match(r"python\s*=+\s*([\d\.]*)", dep)] if m]
        assert versions and versions[0], "repo2docker finds no Python version"
        requires = pyproject()["requires-python"]
        assert SpecifierSet(requires).contains(versions[0] + ".0")


@pytest.fixture(scope="module")
def repo2docker_dry_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    """repo2docker's Dockerfile and log for this repository, without building anything."""
    exe = os.environ.get("REPO2DOCKER") or shutil.which("repo2docker")
    if not exe:
        pytest.skip("repo2docker is not installed: `pip install jupyter-repo2docker` into a "
                    "separate virtual environment and set REPO2DOCKER=/path/to/it/bin/repo2docker")
    # --no-build only writes the Dockerfile to the log: no Docker daemon is needed.
    result = subprocess.run([exe, "--no-build", "--debug", str(ROOT)],
                            cwd=tmp_path_factory.mktemp("r2d"), capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout + result.stderr


class TestRepo2docker:
    """repo2docker's dry run, when repo2docker is installed (it is not a course dependency)."""

    def test_conda_build_pack(self, repo2docker_dry_run: str) -> None:
        """The conda build pack is picked: environment.yml is installed with mamba, then postBuild."""
        log = repo2docker_dry_run
        assert "Building conda environment for python=" in log
        assert 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in log
        assert "RUN ./postBuild" in log
        assert "requirements.txt" not in log

    def test_python_version(self, repo2docker_dry_run: str) -> None:
        """repo2docker builds for a Python the course supports."""
        match = re.search(r"Building conda environment for python=(\d+\.\d+)", repo2docker_dry_run)
        assert match
        requires = pyproject()["requires-python"]
        assert SpecifierSet(requires).contains(match.group(1) + ".0")


# --- citation, licences, documents -------------------------------------------------------------

class TestCitation:
    """CITATION.cff (Citation File Format 1.2.0) is complete and agrees with the repository."""

    def test_required_fields(self) -> None:
        """The fields CFF 1.2.0 requires, and authors as names."""
        cff = citation()
        assert cff["cff-version"] == "1.2.0"
        assert cff["message"].strip() and cff["title"].strip()
        assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])

    def test_agrees_with_the_package(self) -> None:
        """Version = ctlib.__version__ = pyproject's; MIT like LICENSE; the course's repository."""
        cff = citation()
        project = pyproject()
        assert str(cff["version"]) == ctlib.__version__ == project["version"]
        assert cff["license"] == "MIT" == project["license"]
        assert cff["repository-code"] == f"https://github.com/{slug()}"
        assert cff["keywords"]

    def test_references(self) -> None:
        """The RSNA 2019 data set and the MNI152 template the synthetic anatomy comes from."""
        dois = {str(ref.get("doi")) for ref in citation()["references"]}
        assert {"10.1148/ryai.2020190211", "10.1016/j.neuroimage.2010.07.033"} <= dois

    def test_valid_for_cffconvert(self) -> None:
        """cffconvert, if installed, validates the file against the CFF schema."""
        exe = os.environ.get("CFFCONVERT") or shutil.which("cffconvert")
        if not exe:
            pytest.skip("cffconvert is not installed (pip install cffconvert in a separate "
                        "virtual environment and set CFFCONVERT=/path/to/it/bin/cffconvert)")
        result = subprocess.run([exe, "--validate", "-i", str(ROOT / "CITATION.cff")],
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout + result.stderr

    def test_readme_and_data_cite(self) -> None:
        """The README points to the citation; data/README.md gives licence, provenance and RSNA."""
        readme = (ROOT / "README.md").read_text()
        for needle in ("## Citing", "(CITATION.cff)", "10.1148/ryai.2020190211"):
            assert needle in readme, needle
        data = (ROOT / "data" / "README.md").read_text()
        for needle in ("## Licence and provenance", "CC BY 4.0", "recipe.toml",
                       "Copyright (C) 1993–2009 Louis Collins", "10.1016/j.neuroimage.2010.07.033",
                       "10.1148/ryai.2020190211",
                       "https://www.kaggle.com/competitions/rsna-intracranial-hemorrhage-detection",
                       "rules"):
            assert needle in data, needle


class TestDocuments:
    """README, CONTRIBUTING, docs/: links resolve and the promised sections are there."""

    @pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
    def test_relative_links_resolve(self, path: Path) -> None:
        """Every relative link names a committed file (and an existing heading, for #anchors)."""
        for target in LINK.findall(path.read_text()):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            file, _, anchor = target.partition("#")
            resolved = (path.parent / file).resolve()
            assert resolved.exists(), f"{path.name}: {target}"
            assert resolved.is_relative_to(ROOT), f"{path.name}: {target} leaves the repository"
            ignored = git("check-ignore", "-q", str(resolved))
            assert ignored is None or ignored.returncode != 0, f"{path.name}: {target} is ignored"
            if anchor and resolved.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", resolved.read_text(), flags=re.MULTILINE)
                assert anchor in {github_anchor(h) for h in headings}, f"{path.name}: {target}"

    def test_readme_links(self) -> None:
        """The README links to everything a teacher, contributor or citer needs."""
        readme = (ROOT / "README.md").read_text()
        links = {t.partition("#")[0] for t in LINK.findall(readme)}
        assert {"docs/teaching.md", "CONTRIBUTING.md", "CITATION.cff", "data/README.md", "LICENSE",
                "LICENSE-CONTENT.md", "docs/notebook_template.ipynb"} <= links
        assert "## For teachers" in readme

    def test_contributing_sections(self) -> None:
        """CONTRIBUTING.md covers the tasks it promises."""
        text = (ROOT / "CONTRIBUTING.md").read_text()
        for needle in ("make test", "make notebooks", "make data", "make bench", "nbval-check-output",
                       "nbval-ignore-output", "docs/notebook_template.ipynb", "ctlib.check",
                       "numpydoc", "CtlibError", "byte-identical"):
            assert needle in text, needle


def notebook_minutes(path: Path) -> int:
    """The time a notebook states in its overview ("**Time:** about N minutes")."""
    overview = "\n".join(c["text"] for c in cells(path) if c["cell_type"] == "markdown")
    minutes = re.search(r"\*\*Time:\*\* about (\d+) minutes", overview)
    assert minutes, path.name
    return int(minutes.group(1))


def plan(section: str) -> list[tuple[str, int]]:
    """(clock, minutes) rows of the first table under a heading of docs/teaching.md."""
    text = (ROOT / "docs" / "teaching.md").read_text()
    body = text.split(section, 1)[1].split("\n## ", 1)[0]
    rows = re.finditer(r"^\| (\d:\d\d) \| (\d+) \|", body, flags=re.MULTILINE)
    return [(m.group(1), int(m.group(2))) for m in rows]


class TestTeaching:
    """docs/teaching.md: the plans add up and agree with the notebooks."""

    @pytest.mark.parametrize(("section", "total"), [("## A 90-minute workshop", 90),
                                                    ("## A half-day workshop", 210),
                                                    ("## A full-day workshop", 420)])
    def test_plan_adds_up(self, section: str, total: int) -> None:
        """The minutes sum to the session's length, and each row starts when the last ended."""
        rows = plan(section)
        assert rows and sum(minutes for _, minutes in rows) == total
        elapsed = 0
        for clock, minutes in rows:
            hours, mins = clock.split(":")
            assert int(hours) * 60 + int(mins) == elapsed, clock
            elapsed += minutes

    def test_course_total(self) -> None:
        """The README and the teaching notes state the course's length: its notebooks' times."""
        total = sum(notebook_minutes(path) for path in NOTEBOOKS)
        assert total == 305
        text = (ROOT / "docs" / "teaching.md").read_text()
        readme = (ROOT / "README.md").read_text()
        assert f"The whole course is {total} minutes" in text
        assert f"({total} minutes)" in readme

    def test_full_day_has_every_notebook(self) -> None:
        """The full day does every notebook of the course, in order, for as long as it states."""
        text = (ROOT / "docs" / "teaching.md").read_text()
        body = text.split("## A full-day workshop", 1)[1].split("\n## ", 1)[0]
        rows = re.findall(r"^\| \d:\d\d \| (\d+) \| \*\*(\d\d)\*\*", body, flags=re.MULTILINE)
        assert [(int(m), n) for m, n in rows] == [
            (notebook_minutes(path), path.stem[:2]) for path in NOTEBOOKS]

    def test_newcomer_track_covers_the_course(self) -> None:
        """The sittings take every notebook once, in order; their minutes add up to the course's,
        and the optional appendices' to the appendices' times."""
        text = (ROOT / "docs" / "teaching.md").read_text()
        body = text.split("## A newcomer's track", 1)[1].split("\n## ", 1)[0]
        rows = re.findall(r"^\| \d \| (.+) \| (\d+)(?: \(\+ (\d+)\))? \|$", body,
                          flags=re.MULTILINE)
        assert rows
        named = [n for what, _, _ in rows for n in re.findall(r"\*\*(\w\d)\*\*", what)]
        course = [n for n in named if n.isdigit()]
        assert course == [path.stem[:2] for path in NOTEBOOKS]
        assert sum(int(m) for _, m, _ in rows) == sum(notebook_minutes(p) for p in NOTEBOOKS)
        appendices = sorted((ROOT / "notebooks").glob("A[0-9]_*.ipynb"))
        assert sorted(n for n in named if not n.isdigit()) == [p.stem[:2] for p in appendices]
        assert sum(int(extra or 0) for _, _, extra in rows) == sum(
            notebook_minutes(p) for p in appendices)

    def test_times_match_the_notebooks(self) -> None:
        """The table of times repeats each notebook's own **Time:** and the README's course map."""
        text = (ROOT / "docs" / "teaching.md").read_text()
        readme = (ROOT / "README.md").read_text()
        for path in NOTEBOOKS:
            overview = "\n".join(c["text"] for c in cells(path) if c["cell_type"] == "markdown")
            minutes = re.search(r"\*\*Time:\*\* about (\d+) minutes", overview)
            assert minutes, path.name
            number, link = path.stem[:2], rf"\[`{path.stem}`\]"
            here = rf"\| {number} \| {link}\(\.\./notebooks/{path.name}\) \| {minutes.group(1)} min \|"
            assert re.search(here, text), path.name
            there = rf"\| {number} \| {link}\(notebooks/{path.name}\) \|.*\| {minutes.group(1)} min \|"
            assert re.search(there, readme), path.name

    def test_topics(self) -> None:
        """Preparation, mistakes, resetting, the checker and the real data are covered."""
        text = (ROOT / "docs" / "teaching.md").read_text()
        for needle in ("## What to prepare", "## Common learner mistakes",
                       "## How to reset a notebook", "Restart Kernel and Clear Outputs",
                       "git checkout --", "make notebooks", "ctlib.check", "CTLIB_DATA", "make lab",
                       "Colab", "projector"):
            assert needle in text, needle


# --- the notebook template --------------------------------------------------------------------

class TestTemplate:
    """docs/notebook_template.ipynb keeps the rules tests/test_notebooks.py applies to notebooks."""

    def test_clean(self) -> None:
        """Valid nbformat 4, committed without outputs (`make notebooks` fills them in)."""
        nbformat = pytest.importorskip("nbformat")
        nbformat.validate(nbformat.read(TEMPLATE, as_version=4))
        for cell in cells(TEMPLATE):
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None

    def test_structure(self, tmp_path: Path) -> None:
        """Saved as a notebook (NN_topic.ipynb), it passes every rule that needs no outputs."""
        copy = tmp_path / "NN_topic.ipynb"
        shutil.copy(TEMPLATE, copy)
        rules = notebook_rules().TestNotebook()
        rules.test_skeleton(copy)
        rules.test_exercises(copy)
        rules.test_plots_end_with_show(copy)
        rules.test_size(copy)
        title = cells(copy)[0]["text"]
        assert f"[▶ Launch on Binder]({binder_url('notebooks/NN_topic.ipynb')})" in title

    @pytest.mark.slow
    def test_filled_in_passes_every_rule(self, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
        """Executed as `make notebooks` would (exercise ids filled in), it passes all the rules."""
        pytest.importorskip("nbclient")
        sys.path.insert(0, str(ROOT / "tools"))
        from run_notebooks import execute

        text = TEMPLATE.read_text()
        for placeholder, real in (("NN.1", "00.1"), ("NN.2", "00.2")):  # ids ctlib.check knows
            text = text.replace(f'\\"{placeholder}\\"', f'\\"{real}\\"')
        copy = tmp_path / "NN_topic.ipynb"
        copy.write_text(text)
        monkeypatch.setenv("PATH", os.environ["PATH"])  # execute() changes both: restore them after
        monkeypatch.setenv("PYTHONHASHSEED", "0")
        nb, _, problems = execute(copy)
        assert problems == []
        import nbformat

        nbformat.write(nb, copy)
        rules = notebook_rules().TestNotebook()
        for name in ("test_skeleton", "test_exercises", "test_executed_in_order_without_errors",
                     "test_markers", "test_plots_end_with_show", "test_size"):  # every rule
            getattr(rules, name)(copy)
