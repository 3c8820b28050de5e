"""A real JupyterLab in a real Chromium, for the browser tests.

The server runs on a free 127.0.0.1 port with a random token, serves a temporary copy
of notebooks/ (so autosave and checkpoints never touch the repository), has news and
update checks switched off, and is stopped by its PID at the end, even on failure.
Chromium is Debian's (/usr/bin/chromium), driven by Playwright's Python package:
Playwright's own browser download is never used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"


@dataclass
class Lab:
    """A running JupyterLab: where it is and how to reach it."""

    port: int
    token: str
    folder: Path
    process: subprocess.Popen[bytes]
    requests: list[str] = field(default_factory=list)

    def shut_down_kernels(self) -> None:
        """End every session, so the next notebook starts with a fresh kernel (counts from 1)."""
        headers = {"Authorization": f"token {self.token}"}
        base = f"http://127.0.0.1:{self.port}/api/sessions"
        with urllib.request.urlopen(urllib.request.Request(base, headers=headers)) as response:
            sessions = json.load(response)
        for session in sessions:
            request = urllib.request.Request(f"{base}/{session['id']}", headers=headers,
                                             method="DELETE")
            urllib.request.urlopen(request).close()

    def url(self, notebook: str) -> str:
        """The notebook's URL; ``reset`` opens it alone, without previously opened tabs."""
        return f"http://127.0.0.1:{self.port}/lab/tree/{notebook}?reset&token={self.token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """Start JupyterLab on a copy of the notebooks; stop it by PID afterwards."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("no /usr/bin/chromium here (apt-get install chromium); CI runs this test")
    folder = tmp_path_factory.mktemp("lab")
    for notebook in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        shutil.copy2(notebook, folder / notebook.name)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
        "--LabApp.news_url=None",
        f"--LabApp.workspaces_dir={folder / '.workspaces'}",  # no layout restored from elsewhere
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "jupyterlab.log", "wb")  # noqa: SIM115 - closed below
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start; see {ARTIFACTS / 'jupyterlab.log'}")
                time.sleep(0.5)
        yield Lab(port, token, folder, process)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser(lab: Lab, chromium_browser: Any) -> Iterator[object]:
    """A Chromium context (tests/conftest.py's browser) recording every request it makes."""
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    context.on("request", lambda request: lab.requests.append(request.url))
    yield context
    context.close()


def non_local(urls: list[str]) -> list[str]:
    """The URLs that left the loopback address."""
    local = {"127.0.0.1", "localhost", "::1"}
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in local]
