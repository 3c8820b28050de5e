"""Sphinx extension of the course's reading site: links to repository files that are not pages.

The book's Markdown pages link to other files of the repository the way GitHub renders them
(data/README.md links to ``../README.md#on-the-real-rsna-data``, for example). A linked file that
is a page of the book becomes a link between pages. One that exists in the repository but is not
in the book (the README, the teaching notes, ...) would be an "unknown source document" to
Sphinx; this turns it into a link to that file on GitHub, in the repository and branch that
book/_config.yml names. A link to a file that does not exist is left alone, so it still fails the
build (``make book`` runs with -W).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform


class RepositoryLinks(SphinxPostTransform):
    """Resolve MyST links to repository files outside the book to their GitHub pages."""

    default_priority = 8  # before MyST's own resolver (9), which would warn about them

    def run(self, **kwargs: Any) -> None:
        options = self.config.html_theme_options
        base = str(options.get("repository_url", "")).rstrip("/")
        branch = str(options.get("repository_branch", "main"))
        if not base.startswith("https://github.com/"):
            return
        srcdir = Path(self.app.srcdir)
        for node in list(self.document.findall(pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") != "doc":
                continue
            docname = node["reftarget"]
            if docname in self.env.all_docs:
                continue
            files = [srcdir / f"{docname}{suffix}" for suffix in self.config.source_suffix]
            found = [f for f in files if f.is_file() and srcdir in f.resolve().parents]
            if not found:
                continue
            url = f"{base}/blob/{branch}/{found[0].relative_to(srcdir).as_posix()}"
            if node.get("reftargetid"):
                url += f"#{node['reftargetid']}"
            reference = nodes.reference("", "", internal=False, refuri=url)
            reference.extend(child.deepcopy() for child in node.children)
            if not reference.children:
                reference += nodes.literal(url, url)
            node.replace_self(reference)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(RepositoryLinks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
