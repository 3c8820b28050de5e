"""The reading site (`make book`): built, complete, linked, offline, and looked at in Chromium.

The site is built once per run, exactly as `make book` builds it (same Jupyter Book command and
flags, read from the Makefile) but into a temporary folder, with every proxy variable pointing at
a closed port: anything that tried to download during the build would fail, and ``-W`` turns the
resulting warning into a failed build. The built HTML is then parsed with the standard library.
The browser tests open the pages from ``file://`` in Debian's headless Chromium, keep full-page
screenshots in test-artifacts/book/, and refuse every request that is not a local file.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from run_notebooks import WIDGET_NOTE
from test_glossary import REQUIRED_TERMS

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext
    from playwright.sync_api import Page as BrowserPage

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Optional details for self-study, in their own part of the book after the course.
APPENDICES = sorted((ROOT / "notebooks").glob("A[0-9]_*.ipynb"))
NOTEBOOKS = COURSE + APPENDICES  # every notebook page, in the order of book/_toc.yml
ARTIFACTS = ROOT / "test-artifacts" / "book"
# Pages after the notebooks, in the order of book/_toc.yml.
REFERENCE_PAGES = ["book/glossary", "data/README", "LICENSE-CONTENT"]
# Terms the glossary must define (issue 8), as written in its entries; tests/test_glossary.py
# holds the full list of what the course needs, checked in the source and here on the built page.
GLOSSARY_TERMS = [
    "HU", "Hounsfield unit", "Window center and width", "WC/WW", "VOI LUT", "Modality LUT",
    "Rescale slope and intercept", "UID", "SOP Instance UID", "Study Instance UID",
    "Series Instance UID", "Transfer syntax", "Gantry tilt", "Epidural hemorrhage",
    "Subdural hemorrhage", "Subarachnoid hemorrhage", "Intraventricular hemorrhage",
    "Intraparenchymal hemorrhage", "any",
]


# ---------------------------------------------------------------------------------------------
# Reading the built HTML


@dataclass
class Page:
    """What the checks need from one HTML page."""

    path: Path
    ids: set[str] = field(default_factory=set)
    # (tag, attribute, value, classes of the element and its ancestors)
    links: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)
    rel: dict[str, str] = field(default_factory=dict)  # <link rel="next|prev" href>
    title: str = ""
    h1: list[str] = field(default_factory=list)
    text: str = ""


class _PageParser(HTMLParser):
    VOID: ClassVar[set[str]] = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, tuple[str, ...]]] = []
        self.in_title = False
        self.in_h1 = False
        self.h1_text: list[str] = []
        self.text: list[str] = []

    def classes(self) -> tuple[str, ...]:
        return tuple(c for _, cs in self.stack for c in cs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        own = tuple(a.get("class", "").split())
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.page.ids.add(a[key])
        for key in ("href", "src"):
            if key in a:
                self.page.links.append((tag, key, a[key], self.classes() + own))
        if tag == "link" and a.get("rel") in ("next", "prev"):
            self.page.rel[a["rel"]] = a.get("href", "")
        if tag == "title":
            self.in_title = True
        if tag == "h1" and "onlyprint" not in self.classes():  # the print-only copy aside
            self.in_h1, self.h1_text = True, []
        if tag not in self.VOID:
            self.stack.append((tag, own))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "h1" and self.in_h1:
            self.in_h1 = False
            self.page.h1.append(" ".join("".join(self.h1_text).split()).rstrip("#").strip())
        for i in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed tags
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.in_h1:
            self.h1_text.append(data)
        self.text.append(data)


def parse_page(path: Path) -> Page:
    """Parse one built HTML page."""
    page = Page(path)
    parser = _PageParser(page)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    page.text = " ".join("".join(parser.text).split())
    return page


def straight_quotes(text: str) -> str:
    """Text with the typographic quotes Sphinx's smartquotes put in turned back into ' and "."""
    return text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'}))


def is_external(url: str) -> bool:
    """A link that leaves the site (another scheme), as opposed to a file of the site."""
    return bool(urlsplit(url).scheme) or url.startswith("//")


def site_pages(site: Path) -> list[Path]:
    """The site's HTML pages (not the theme's template fragments that sit in _static/)."""
    return sorted(p for p in site.rglob("*.html")
                  if p.relative_to(site).parts[0] not in ("_static", "_sources", "_downloads"))


def broken_links(site: Path) -> list[str]:
    """Every relative href/src of every page of ``site`` that does not resolve.

    A link resolves when its file exists inside the site and, if it has a ``#fragment``, the
    target page has an element with that id (or an <a name>). Returns readable problems.
    """
    pages = {p.resolve(): parse_page(p) for p in site_pages(site)}
    problems = []
    for path, page in sorted(pages.items()):
        for tag, attr, url, _ in page.links:
            if not url or is_external(url):
                continue
            parts = urlsplit(url)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            where = f"{path.relative_to(site.resolve())}: <{tag} {attr}={url!r}>"
            if site.resolve() not in target.parents:
                problems.append(f"{where} points outside the site")
            elif not target.is_file():
                problems.append(f"{where}: no file {target.relative_to(site.resolve())}")
            elif parts.fragment and target.suffix == ".html":
                anchor = unquote(parts.fragment)
                if target not in pages:
                    pages[target] = parse_page(target)
                if anchor not in pages[target].ids:
                    problems.append(f"{where}: no id {anchor!r} in {target.name}")
    return problems


def missing_images(site: Path) -> list[str]:
    """Every <img> of every page whose file is missing or empty."""
    problems = []
    for path in site_pages(site):
        for tag, attr, url, _ in parse_page(path).links:
            if tag != "img" or attr != "src":
                continue
            if url.startswith("data:image/"):
                continue
            target = (path.parent / unquote(urlsplit(url).path)).resolve()
            if is_external(url) or not target.is_file() or target.stat().st_size == 0:
                problems.append(f"{path.relative_to(site)}: image {url!r}")
    return problems


# ---------------------------------------------------------------------------------------------
# The configuration and the build


def book_config() -> dict:
    """book/_config.yml."""
    return yaml.safe_load((BOOK / "_config.yml").read_text())


def repository() -> tuple[str, str]:
    """(owner/name, branch) of the course's repository, from book/_config.yml only."""
    repo = book_config()["repository"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", repo["url"])
    assert match, repo["url"]
    return match.group(1), repo["branch"]


def toc_parts() -> list[tuple[str, list[str]]]:
    """(caption, pages) of each part of book/_toc.yml, in order (paths without suffix)."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    return [(part["caption"], [chapter["file"] for chapter in part["chapters"]])
            for part in toc["parts"]]


def toc_files() -> list[str]:
    """The book's pages in the order of book/_toc.yml (paths without suffix)."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    return [toc["root"]] + [page for _, pages in toc_parts() for page in pages]


def make_book_command() -> list[str]:
    """The jupyter-book command of `make book`, as the Makefile writes it."""
    makefile = (ROOT / "Makefile").read_text()
    flags = re.search(r"^BOOK_FLAGS\s*:=\s*(.+)$", makefile, flags=re.MULTILINE)
    recipe = re.search(r"^book: venv\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert flags and recipe, "the Makefile has no `book` target with BOOK_FLAGS"
    line = next(x for x in recipe.group(1).splitlines() if "jupyter-book build" in x)
    line = line.strip().replace("$(BOOK_FLAGS)", flags.group(1)).replace("$(VENV)/bin/", "")
    return shlex.split(line)


@dataclass
class Site:
    """A built book: its HTML folder and the build's log."""

    html: Path
    log: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Build the book as `make book` does, into a temporary folder, with no network."""
    executable = Path(sys.executable).parent / "jupyter-book"
    assert executable.exists(), "no jupyter-book: `make test` installs the `book` extra"
    out = tmp_path_factory.mktemp("book")
    command = make_book_command()
    assert command[:3] == ["jupyter-book", "build", "."] and "-W" in command
    command[command.index("--path-output") + 1] = str(out)
    dead = "http://127.0.0.1:9"  # the discard port: nothing listens, every fetch fails
    env = dict(os.environ, http_proxy=dead, https_proxy=dead, HTTP_PROXY=dead,
               HTTPS_PROXY=dead, all_proxy=dead, ALL_PROXY=dead, no_proxy="", NO_PROXY="")
    result = subprocess.run([str(executable), *command[1:]], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.log").write_text(log)
    assert result.returncode == 0, f"the book did not build:\n{log[-4000:]}"
    return Site(out / "_build" / "html", log)


def page_of(site: Site, docname: str) -> Path:
    return site.html / f"{docname}.html"


# ---------------------------------------------------------------------------------------------
# The checks can fail


class TestCheckers:
    """The link and image checkers catch what they are meant to catch (no build needed)."""

    def test_detects_broken_links_anchors_and_images(self, tmp_path: Path) -> None:
        (tmp_path / "sub").mkdir()
        (tmp_path / "img.png").write_bytes(b"\x89PNG")
        (tmp_path / "empty.png").write_bytes(b"")
        (tmp_path / "sub" / "b.html").write_text('<h2 id="there">B</h2><a href="#nowhere">x</a>')
        (tmp_path / "a.html").write_text(
            '<h1 id="top">A</h1>'
            '<a href="sub/b.html#there">good</a> <a href="#top">good</a>'
            '<a href="https://example.org/x.html">external</a> <img src="img.png">'
            '<a href="missing.html">bad file</a> <a href="sub/b.html#gone">bad anchor</a>'
            '<img src="nope.png"> <img src="empty.png"> <a href="../outside.html">out</a>'
        )
        problems = broken_links(tmp_path)
        assert len(problems) == 5, problems
        assert any("missing.html" in p for p in problems)
        assert any("'gone'" in p for p in problems)
        assert any("'nowhere'" in p for p in problems)
        assert any("nope.png" in p for p in problems)
        assert any("outside the site" in p for p in problems)
        images = missing_images(tmp_path)
        assert sorted(images) == ["a.html: image 'empty.png'", "a.html: image 'nope.png'"]

    def test_parser_reads_ids_titles_and_link_context(self, tmp_path: Path) -> None:
        (tmp_path / "p.html").write_text(
            '<html><head><title>T</title><link rel="next" href="n.html"></head><body>'
            '<h1>Heading<a class="headerlink" href="#h">#</a></h1>'
            '<div class="dropdown-launch-buttons"><ul><li><a href="https://x">L</a></li></ul>'
            '</div><a name="old"></a><p id="p1">text</p></body></html>'
        )
        page = parse_page(tmp_path / "p.html")
        assert page.title == "T" and page.h1 == ["Heading"] and page.rel == {"next": "n.html"}
        assert {"p1", "old"} <= page.ids
        launch = [u for _, _, u, c in page.links if "dropdown-launch-buttons" in c]
        assert launch == ["https://x"]


@pytest.mark.slow
def test_links_to_files_outside_the_book(tmp_path: Path) -> None:
    """book/_ext/repository_links.py: a repository file that is not a page becomes a GitHub link;
    a file that does not exist stays a broken link, which Sphinx reports (and -W makes fatal)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "_config.yml").write_text(yaml.safe_dump({
        "title": "t", "only_build_toc_files": True, "execute": {"execute_notebooks": "off"},
        "repository": {"url": "https://github.com/owner/repo", "branch": "br"},
        "sphinx": {"local_extensions": {"repository_links": str(BOOK / "_ext")}},
    }))
    (src / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (src / "index.md").write_text("# Index\n\n[there](other.md#a-part) and [gone](missing.md)\n")
    (src / "other.md").write_text("# Other\n\n## A part\n")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(src),
         "--path-output", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, check=False)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, log
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and "missing.md" in warnings[0], warnings
    page = parse_page(tmp_path / "out" / "_build" / "html" / "index.html")
    hrefs = {u for t, _, u, _ in page.links if t == "a"}
    assert "https://github.com/owner/repo/blob/br/other.md#a-part" in hrefs


# ---------------------------------------------------------------------------------------------
# The sources


class TestSources:
    """book/: the one place that names the repository, and the course's order."""

    def test_toc_lists_every_notebook_in_course_order(self) -> None:
        """The landing page, the course, the appendices in their own part, the reference."""
        assert [int(p.name[:2]) for p in COURSE] == list(range(len(COURSE))) and len(COURSE) > 6
        assert [p.name[:2] for p in APPENDICES] == ["A1", "A2"]
        assert toc_files()[0] == "book/intro"
        assert toc_parts() == [
            ("The course", [f"notebooks/{nb.stem}" for nb in COURSE]),
            ("Appendices", [f"notebooks/{nb.stem}" for nb in APPENDICES]),
            ("Reference", REFERENCE_PAGES),
        ]

    def test_execution_is_off(self) -> None:
        assert book_config()["execute"]["execute_notebooks"] == "off"

    def test_notebooks_link_to_the_configured_repository(self) -> None:
        """The slug in _config.yml is the one every notebook's Binder/Colab links use."""
        slug, branch = repository()
        for nb in NOTEBOOKS:
            first = "".join(json.loads(nb.read_text())["cells"][0]["source"])
            binder = f"https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/notebooks/{nb.name}"
            colab = (f"https://colab.research.google.com/github/{slug}/blob/{branch}"
                     f"/notebooks/{nb.name}")
            assert binder in first, nb.name
            assert colab in first, nb.name

    def test_landing_page_and_glossary_sources(self) -> None:
        intro = (BOOK / "intro.md").read_text()
        for nb in NOTEBOOKS:
            assert f"(../notebooks/{nb.name})" in intro, nb.name
        assert "make lab" in intro and "not for clinical use" in intro
        assert "```{glossary}" in (BOOK / "glossary.md").read_text()
        # the course map gives each notebook's time as the notebook's overview states it, and
        # the course's total (the appendices are optional, outside it)
        course = 0
        for nb in NOTEBOOKS:
            text = "".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])
            minutes = re.search(r"\*\*Time:\*\* about (\d+) minutes", text)
            assert minutes, nb.name
            link = rf"\[[^\]]+\]\(\.\./notebooks/{nb.name}\)"
            row = rf"\| {nb.stem[:2]} \| {link} \|.*\| {minutes.group(1)} min \|"
            assert re.search(row, intro), nb.name
            course += int(minutes.group(1)) if nb in COURSE else 0
        assert f"\n{course} minutes in all" in intro
        numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
        assert f"course in {numbers[len(COURSE)]} Jupyter notebooks" in intro

    def test_build_output_is_ignored(self) -> None:
        assert "book/_build/" in (ROOT / ".gitignore").read_text().split()


# ---------------------------------------------------------------------------------------------
# The built site


@pytest.mark.slow
class TestSite:
    """The built HTML: pages, order, links, images, launch buttons, widgets, glossary, offline."""

    def test_build_is_offline_and_clean(self, site: Site) -> None:
        """No warning, nothing fetched, nothing executed."""
        assert "build succeeded" in site.log
        assert "WARNING" not in site.log
        assert not re.search(r"(?i)(intersphinx|downloading|fetching)", site.log)
        assert not re.findall(r"https?://\S+", site.log), "the build log names a URL"
        assert "Executing" not in site.log

    def test_every_page_is_built(self, site: Site) -> None:
        for docname in toc_files():
            assert page_of(site, docname).is_file(), docname
        index = (site.html / "index.html").read_text()
        assert 'url=book/intro.html' in index  # the site's entry redirects to the landing page

    def test_notebook_pages_have_the_notebooks_titles(self, site: Site) -> None:
        """Each page's heading and title are its notebook's, up to Sphinx's curly quotes."""
        for nb in NOTEBOOKS:
            first = "".join(json.loads(nb.read_text())["cells"][0]["source"])
            heading = first.splitlines()[0].removeprefix("# ").strip()
            page = parse_page(page_of(site, f"notebooks/{nb.stem}"))
            assert [straight_quotes(h) for h in page.h1] == [heading], nb.name
            assert straight_quotes(page.title).startswith(heading)

    def test_next_and_previous_follow_the_course(self, site: Site) -> None:
        order = toc_files()
        for i, docname in enumerate(order):
            page = parse_page(page_of(site, docname))
            resolve = lambda href, page=page: (page.path.parent / href).resolve()
            if i + 1 < len(order):
                assert resolve(page.rel["next"]) == page_of(site, order[i + 1]).resolve(), docname
            else:
                assert "next" not in page.rel
            if i > 0:
                assert resolve(page.rel["prev"]) == page_of(site, order[i - 1]).resolve(), docname

    def test_sidebar_lists_the_pages_in_order(self, site: Site) -> None:
        page = parse_page(page_of(site, "notebooks/03_windowing"))
        nav = [u for t, a, u, c in page.links
               if t == "a" and "bd-docs-nav" in c and not is_external(u)]
        resolved = [(page.path.parent / urlsplit(u).path).resolve() for u in nav if u != "#"]
        expected = [page_of(site, d).resolve() for d in toc_files()
                    if d != "notebooks/03_windowing"]
        assert [p for p in resolved if p != page.path.resolve()] == expected

    def test_no_broken_internal_links(self, site: Site) -> None:
        assert broken_links(site.html) == []

    def test_every_image_exists(self, site: Site) -> None:
        assert missing_images(site.html) == []

    def test_every_figure_of_every_notebook_is_shown(self, site: Site) -> None:
        """As many output images on each page as the notebook has image outputs."""
        for nb in NOTEBOOKS:
            cells = json.loads(nb.read_text())["cells"]
            figures = sum(1 for c in cells for o in c.get("outputs", [])
                          if any(k.startswith("image/") for k in o.get("data", {})))
            page = parse_page(page_of(site, f"notebooks/{nb.stem}"))
            shown = [u for t, a, u, c in page.links if t == "img" and "cell_output" in c]
            assert len(shown) == figures, nb.name
            assert all(u.startswith("../_images/") for u in shown)

    def test_montage_on_the_landing_page(self, site: Site) -> None:
        page = parse_page(page_of(site, "book/intro"))
        assert any(t == "img" and u.endswith("montage.png") for t, a, u, c in page.links)

    def test_launch_buttons_on_every_notebook_page(self, site: Site) -> None:
        """Binder and Colab in the page's launch menu, for the notebook's path in the repository."""
        slug, branch = repository()
        for nb in NOTEBOOKS:
            page = parse_page(page_of(site, f"notebooks/{nb.stem}"))
            launch = {u for t, a, u, c in page.links
                      if t == "a" and "dropdown-launch-buttons" in c}
            path = f"notebooks/{nb.name}"
            assert (ROOT / path).is_file()
            assert launch == {
                f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/{path}",
                f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}",
            }, nb.name
            # the notebook's own first-cell links are on the page too
            assert f"https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/{path}" in {
                u for _, _, u, _ in page.links}

    def test_launch_links_on_every_page(self, site: Site) -> None:
        """Every page, notebook or not, opens the course on Binder and on Colab."""
        slug, branch = repository()
        first = "notebooks/00_setup_check.ipynb"
        for html in site_pages(site.html):
            if 'http-equiv="Refresh"' in html.read_text():
                continue  # index.html only redirects to the landing page
            urls = {u for _, _, u, _ in parse_page(html).links}
            assert f"https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/{first}" in urls, html
            assert f"https://colab.research.google.com/github/{slug}/blob/{branch}/{first}" in urls

    def test_links_to_repository_files_go_to_github(self, site: Site) -> None:
        """The landing page's link to the README (not a page of the book) opens it on GitHub."""
        slug, branch = repository()
        intro = parse_page(page_of(site, "book/intro"))
        assert f"https://github.com/{slug}/blob/{branch}/README.md" in {
            u for t, _, u, _ in intro.links if t == "a"}

    def test_every_repository_link_uses_the_configured_slug(self, site: Site) -> None:
        slug, _ = repository()
        pattern = re.compile(
            r"(?:https://github\.com/|mybinder\.org/v2/gh/|colab\.research\.google\.com/github/)"
            r"([\w.-]+/[\w.-]+)")
        for path in site_pages(site.html):
            found = set(pattern.findall(path.read_text()))
            assert found <= {slug}, f"{path.name}: {found}"

    def test_widgets_show_the_note_and_a_static_figure(self, site: Site) -> None:
        """Where a notebook has a widget, the page has the note, then a figure in the next cell."""
        pages_with_widgets = 0
        for nb in NOTEBOOKS:
            html = page_of(site, f"notebooks/{nb.stem}").read_text()
            assert "application/vnd.jupyter.widget" not in html
            assert "jupyter-widgets" not in html and "widget-state" not in html
            if WIDGET_NOTE not in nb.read_text():
                continue
            pages_with_widgets += 1
            cell = 'class="cell docutils container"'
            at = html.find(WIDGET_NOTE)
            while at >= 0:  # every widget, not only the first of a page
                following = html.index(cell, at)
                after = html.find(cell, following + 1)
                assert "<img" in html[following:after if after > 0 else None], nb.name
                at = html.find(WIDGET_NOTE, at + 1)
        assert pages_with_widgets == 3  # 03 (both viewers), 05 and 08

    def test_no_error_outputs(self, site: Site) -> None:
        for nb in NOTEBOOKS:
            html = page_of(site, f"notebooks/{nb.stem}").read_text()
            assert "Traceback" not in html and 'class="output traceback' not in html, nb.name
            assert "output stderr" not in html, nb.name

    def test_glossary_defines_the_terms(self, site: Site) -> None:
        page = parse_page(page_of(site, "book/glossary"))
        html = page.path.read_text()
        terms = re.findall(r'<dt id="(term-[^"]+)">(.*?)<a class="headerlink"', html, flags=re.DOTALL)
        names = {re.sub(r"<[^>]+>", "", text).strip() for _, text in terms}
        assert set(GLOSSARY_TERMS) | set(REQUIRED_TERMS) <= names
        for section in ("PS3.3 C.11.2", "PS3.3 C.11.1", "PS3.5 section 6.2", "C.7.6.2.1.1",
                        "PS3.5 section 9", "PS3.5 section 10"):
            assert section in page.text, section
        # the landing page's {term} references land on glossary entries
        intro = parse_page(page_of(site, "book/intro"))
        refs = [u for t, a, u, c in intro.links if "glossary.html#term-" in u]
        assert len(refs) >= 10 and all(u.split("#")[1] in page.ids for u in refs)

    def test_pages_load_nothing_from_the_internet(self, site: Site) -> None:
        """No script, style sheet, font, image or frame from another host; no MathJax."""
        resources = {"script", "link", "img", "iframe", "source", "video", "audio", "embed"}
        for path in site_pages(site.html):
            page = parse_page(path)
            loaded = [(t, u) for t, _, u, _ in page.links if t in resources and is_external(u)]
            assert loaded == [], path.name
            html = path.read_text()
            assert "mathjax" not in re.sub(r"(tex2jax|mathjax)_(ignore|process)", "", html).lower()
            assert "require.js" not in html and "requirejs" not in html
            # not even a script URL for later (Thebe's CDN is, without sphinx_thebe)
            assert not re.findall(r'https?://[^"\s]+\.js\b', html), path.name


# ---------------------------------------------------------------------------------------------
# As a reader sees it


@pytest.fixture(scope="module")
def chromium(site: Site, chromium_browser: Any) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A context of the session's Chromium: every request recorded, any non-file one refused."""
    requests: list[str] = []
    context = chromium_browser.new_context(viewport={"width": 1300, "height": 900})
    context.on("request", lambda request: requests.append(request.url))
    context.route(lambda url: not url.startswith(("file:", "data:", "about:")),
                  lambda route: route.abort())
    yield context, requests
    context.close()


def open_page(context: BrowserContext, url: str) -> tuple[BrowserPage, list[str]]:
    """Open ``url`` in a new tab; also return the list its script errors are collected in."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, errors


@pytest.mark.slow
@pytest.mark.browser
class TestReader:
    """The landing page and the windowing notebook in Chromium, with screenshots."""

    def test_landing_page(self, site: Site, chromium: tuple[BrowserContext, list[str]]) -> None:
        context, requests = chromium
        page, errors = open_page(context, (site.html / "index.html").as_uri())  # a redirect
        page.wait_for_url("**/book/intro.html")
        page.wait_for_load_state("networkidle")
        assert page.title().startswith("Head CT in DICOM, hands-on")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "intro.png", full_page=True)
        page.screenshot(path=ARTIFACTS / "intro-top.png")
        # the menu a reader sees: the landing page, the course and the appendices in order, the
        # reference
        nav = [" ".join(t.split()) for t in
               page.locator("nav.bd-docs-nav a.reference.internal").all_inner_texts()]
        assert len(nav) == len(toc_files())
        pages = 1 + len(NOTEBOOKS)
        assert nav[:pages] == [parse_page(page_of(site, d)).h1[0] for d in toc_files()[:pages]]
        assert page.locator("table").first.is_visible()
        self._images_loaded(page)
        assert errors == []
        page.close()
        assert [u for u in requests if not u.startswith("file:")] == []

    def test_windowing_page(self, site: Site, chromium: tuple[BrowserContext, list[str]]) -> None:
        context, requests = chromium
        page, errors = open_page(context, page_of(site, "notebooks/03_windowing").as_uri())
        assert page.title().startswith("03 · Windowing")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "03_windowing.png", full_page=True)
        self._images_loaded(page)
        # the widget's note is visible in full (wrapped, not cut off), the figure follows it
        notes = page.locator("div.cell_output pre", has_text="Interactive widget")
        assert notes.count() == 2  # the kernel's viewer and the browser's
        for k in range(2):
            assert notes.nth(k).is_visible()
            assert notes.nth(k).evaluate("e => e.scrollWidth <= e.clientWidth")
        note = notes.first
        note.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "03_windowing-widget.png")
        # the launch menu opens and offers Binder and Colab
        button = page.locator(".dropdown-launch-buttons button")
        assert button.is_visible()
        button.click()
        binder = page.locator(".dropdown-launch-buttons a", has_text="Binder")
        colab = page.locator(".dropdown-launch-buttons a", has_text="Colab")
        binder.wait_for(state="visible")
        assert colab.is_visible()
        assert (binder.get_attribute("href") or "").endswith("notebooks/03_windowing.ipynb")
        page.screenshot(path=ARTIFACTS / "03_windowing-launch.png")
        assert errors == []
        page.close()
        assert [u for u in requests if not u.startswith("file:")] == []

    @staticmethod
    def _images_loaded(page: BrowserPage) -> None:
        """Every image on the page decoded (a broken one has no natural width)."""
        page.evaluate("() => Promise.all([...document.images].map(i => i.decode().catch(() => 0)))")
        broken = page.evaluate(
            "() => [...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
        assert broken == []
