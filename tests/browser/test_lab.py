"""Every notebook runs in real JupyterLab, and the windowing viewer works under a real mouse.

Screenshots are kept in test-artifacts/browser/ (ignored by git) for inspection.
"""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image

from .conftest import ARTIFACTS, ROOT, Lab, non_local

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.browser
#: The notebook on screen (other panels, if any, are hidden).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def code_cells(notebook: str) -> int:
    """How many non-empty code cells the notebook has (its last execution count after Run All)."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip())


def run_all(page, lab: Lab, notebook: str,  # type: ignore[no-untyped-def]
            expected: int | None = None) -> None:
    """Open a notebook, clear its stored outputs, Run All, wait until the last cell has run.

    Cells run in order, so the run is complete when the highest execution count shown
    equals the number of code cells (Run All scrolls to the end, so the last prompts are
    rendered even though JupyterLab windows off-screen cells) and the kernel is idle.
    ``expected``: the number of code cells, for a notebook written into the Lab's folder.
    """
    lab.shut_down_kernels()
    page.goto(lab.url(notebook))
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=90_000)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=90_000)
    for menu, command in (("Edit", "editmenu:clear-all"), ("Run", "runmenu:run-all")):
        page.click(f"li.lm-MenuBar-item >> text={menu}")
        page.click(f'[data-command="{command}"]')
    expected = code_cells(notebook) if expected is None else expected
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        prompts = page.locator(f"{PANEL} .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        counts = [int(m) for p in prompts for m in re.findall(r"\[(\d+)\]", p)]
        status = page.locator("#jp-main-statusbar").inner_text()
        if counts and max(counts) == expected and "Idle" in status:
            return
        time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / f"{notebook}-timeout.png"))
    pytest.fail(f"{notebook}: not finished after 120 s; prompts {prompts}, status {status!r}")


def problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Error outputs, stderr outputs and widget errors on the page."""
    found = []
    for selector, what in ((f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']", "error"),
                           (f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", "stderr")):
        for element in page.locator(selector).all():
            found.append(f"{what}: {element.inner_text()[:200]}")
    if page.locator("text=Error displaying widget").count():
        found.append("Error displaying widget")
    return found


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs(lab: Lab, browser, notebook: str) -> None:  # type: ignore[no-untyped-def]
    """Run All finishes Idle, with no error, no stderr and no broken widget."""
    page = browser.new_page()
    try:
        run_all(page, lab, notebook)
        assert problems(page) == []
        page.screenshot(path=str(ARTIFACTS / f"{notebook}.png"))
    finally:
        page.close()


def pixels(locator) -> np.ndarray:  # type: ignore[no-untyped-def]
    """What the browser shows for an element, as an RGB array."""
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB")).astype(int)


def title_cw(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(C, W) as the viewer's title shows them."""
    text = page.locator(f"{PANEL} " + ".widget-html-content b:has-text('C ')").first.inner_text()
    match = re.search(r"C (-?\d+) / W (\d+)", text)
    assert match, text
    return int(match.group(1)), int(match.group(2))


def slider_values(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(center, width) as the sliders' read-outs show them."""
    readouts = page.locator(f"{PANEL} " + ".widget-slider .widget-readout")
    return int(readouts.nth(0).inner_text()), int(readouts.nth(1).inner_text())


def test_windowing_viewer(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    """Keyboard, drag and a preset each change the image, and the title matches the sliders."""
    page = browser.new_page()
    try:
        run_all(page, lab, "03_windowing.ipynb")
        image = page.locator(f"{PANEL} " + ".widget-image").first
        image.scroll_into_view_if_needed()
        time.sleep(1)
        viewer = page.locator(f"{PANEL} " + ".widget-vbox:has(.widget-toggle-buttons)").first
        viewer.screenshot(path=str(ARTIFACTS / "viewer-before.png"))
        start = pixels(image)
        assert title_cw(page) == slider_values(page) == (40, 80)

        handles = page.locator(f"{PANEL} " + ".widget-slider .noUi-handle")
        handles.nth(0).focus()
        for _ in range(20):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("() => !!document.querySelector('.widget-html-content b')")
        time.sleep(1.5)
        after_keys = pixels(image)
        assert np.abs(after_keys - start).sum() > 0
        assert title_cw(page) == slider_values(page) == (60, 80)

        box = handles.nth(1).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        time.sleep(1.5)
        after_drag = pixels(image)
        assert np.abs(after_drag - after_keys).sum() > 0
        center, width = slider_values(page)
        assert width > 80 and title_cw(page) == (center, width)

        page.locator(f"{PANEL} " + ".widget-toggle-button", has_text="bone").first.click()
        time.sleep(1.5)
        after_preset = pixels(image)
        assert np.abs(after_preset - after_drag).sum() > 0
        assert title_cw(page) == slider_values(page) == (600, 2800)
        viewer.screenshot(path=str(ARTIFACTS / "viewer-after.png"))
        assert problems(page) == []
    finally:
        page.close()


def test_no_request_left_loopback(lab: Lab, browser) -> None:  # type: ignore[no-untyped-def]
    """Everything the browser asked for during these tests came from 127.0.0.1."""
    assert lab.requests, "the browser made no request at all: the test above did not run"
    assert non_local(lab.requests) == []
