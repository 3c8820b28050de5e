"""The viewer that windows in the browser (ctlib.viewer_browser and its JavaScript).

Three levels: the Python widget's state (what the kernel sends); the JavaScript functions
under Node (tests/js, against ctlib.window's grey levels); and the page itself in Chromium,
driven by mouse and keys, its pixels read back and compared with ctlib.window.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ctlib
from ctlib.viewer import outline
from ctlib.viewer_browser import ESM, BrowserViewer, as_int16, show

ROOT = Path(__file__).resolve().parents[1]
WINDOWS = ("brain", "subdural", "stroke", "bone", "soft_tissue")


@pytest.fixture(scope="module")
def series() -> tuple[np.ndarray, np.ndarray]:
    data = ctlib.open_data("synthetic")  # a whole series: 24 slices
    volume = ctlib.load_series(data.series_files("subdural-acute"))
    lesion = data.masks("subdural-acute")["lesion"]
    return volume.hu, lesion


# --- the kernel's side ----------------------------------------------------------------------


def test_sends_the_middle_slice_as_int16(series: tuple[np.ndarray, np.ndarray]) -> None:
    hu, lesion = series
    viewer = show(hu, lesion, window="subdural")
    k = viewer.slice_index
    assert k == len(hu) // 2 and (viewer.rows, viewer.columns) == hu.shape[1:]
    sent = np.frombuffer(viewer.values, "<i2").reshape(hu.shape[1:])
    np.testing.assert_array_equal(sent, np.rint(hu[k]))
    np.testing.assert_array_equal(np.frombuffer(viewer.outline, np.uint8).reshape(hu.shape[1:]),
                                  outline(lesion[k]))
    assert (viewer.center, viewer.width) == (80.0, 200.0)


def test_a_new_slice_is_sent_only_when_the_slice_changes(series: tuple[np.ndarray, np.ndarray]
                                                         ) -> None:
    hu, _ = series
    viewer = show(hu)
    sent: list[int] = []
    viewer.observe(lambda change: sent.append(viewer.slice_index), names="values")
    viewer.center, viewer.width = 60.0, 120.0  # a window step: nothing sent
    assert sent == []
    viewer.slice_index = 3
    assert sent == [3]
    np.testing.assert_array_equal(np.frombuffer(viewer.values, "<i2"), np.rint(hu[3]).ravel())


def test_presets_and_shapes() -> None:
    viewer = show(np.zeros((8, 8)), presets=WINDOWS)
    assert [p["name"] for p in viewer.presets] == list(WINDOWS)
    assert viewer.presets[3] == {"name": "bone", "center": 600.0, "width": 2800.0}
    assert viewer.slices == 1 and viewer.outline == b""
    with pytest.raises(ctlib.ArgumentError, match="shape"):
        show(np.zeros(8))
    with pytest.raises(ctlib.ArgumentError, match="masks"):
        show(np.zeros((8, 8)), np.zeros((4, 4)))
    with pytest.raises(ctlib.WindowError, match="NaN"):
        show(np.full((8, 8), np.nan))
    with pytest.raises(ctlib.WindowError):
        show(np.zeros((8, 8)), window="lung")


def test_a_volume_is_shown_as_the_kernel_viewer_shows_it() -> None:
    data = ctlib.open_data("synthetic")
    volume = ctlib.load_series(data.series_files("subdural-acute"))
    kernel = ctlib.viewer.show(volume)
    browser = show(volume)
    np.testing.assert_array_equal(browser.volume, as_int16(kernel.volume))


def test_the_module_is_packaged() -> None:
    assert ESM.is_file() and ESM.parent.name == "static"
    assert isinstance(show(np.zeros((4, 4))), BrowserViewer)


# --- the JavaScript under Node ----------------------------------------------------------------


def test_javascript_unit_tests(tmp_path: Path) -> None:
    """node --test tests/js, with the grey levels ctlib.window gives for every preset."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing: .ci/run must install Debian's nodejs")
        pytest.skip("Node is not installed (apt-get install nodejs); CI runs this test")
    hu = np.concatenate([np.arange(-1100, 3100, 0.5), [-3024, -1024, 0, 40, 80]])
    cases = {"hu": hu.tolist(), "windows": [
        {"name": name, "center": ctlib.preset(name).center, "width": ctlib.preset(name).width,
         "expected": ctlib.window(hu, name, dtype=np.uint8).tolist()}
        for name in ctlib.PRESETS]}
    fixture = tmp_path / "cases.json"
    fixture.write_text(json.dumps(cases))
    module = tmp_path / "window_viewer.mjs"
    shutil.copy(ESM, module)
    env = {"CTLIB_WINDOW_CASES": str(fixture), "CTLIB_VIEWER_MODULE": module.as_uri(), "PATH": ""}
    result = subprocess.run([node, "--test", "--test-reporter=tap",
                             str(ROOT / "tests" / "js" / "window_viewer.test.mjs")],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout


# --- the page in Chromium ---------------------------------------------------------------------

PAGE = """<!doctype html><html><body><div id="host"></div><script type="module">
import widget from "./window_viewer.js";
const state = STATE;
const bytes = (list) => new DataView(Uint8Array.from(list).buffer);
state.values = bytes(state.values); state.outline = bytes(state.outline);
const handlers = {};
window.sent = [];
const model = {
  get: (key) => state[key],
  set: (key, value) => { state[key] = value; (handlers["change:" + key] || []).forEach((f) => f()); },
  on: (event, f) => { (handlers[event] = handlers[event] || []).push(f); },
  save_changes: () => window.sent.push({ center: state.center, width: state.width,
                                         slice_index: state.slice_index }),
};
window.model = model;
widget.render({ model, el: document.getElementById("host") });
window.ready = true;
</script></body></html>"""


@pytest.fixture(scope="module")
def page(series: tuple[np.ndarray, np.ndarray], chromium_browser: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The widget's page, served from 127.0.0.1 with a stand-in for anywidget's model."""
    hu, lesion = series
    viewer = show(hu, lesion, presets=WINDOWS)
    state = {name: getattr(viewer, name) for name in (
        "rows", "columns", "slices", "slice_index", "center", "width", "presets",
        "show_outline", "display_width")}
    state["values"] = list(viewer.values)
    state["outline"] = list(viewer.outline)
    folder = tmp_path_factory.mktemp("page")
    shutil.copy(ESM, folder / ESM.name)
    (folder / "index.html").write_text(PAGE.replace("STATE", json.dumps(state)))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = chromium_browser.new_context(viewport={"width": 900, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    tab.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
    tab.wait_for_function("window.ready === true")
    tab.requests = requests
    tab.viewer = viewer
    yield tab
    context.close()
    server.shutdown()
    server.server_close()


def canvas_grey(page: Any) -> np.ndarray:
    """The canvas's red channel, (rows, columns)."""
    flat = page.evaluate("""() => { const c = document.querySelector("canvas.ctlib-image");
        return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data); }""")
    rows, columns = page.viewer.rows, page.viewer.columns
    return np.array(flat, np.uint8).reshape(rows, columns, 4)


@pytest.mark.parametrize("name", WINDOWS)
def test_page_pixels_are_ctlib_window(page: Any, name: str) -> None:
    """Every preset, by its number key: grey levels within 1 of ctlib.window's."""
    page.evaluate("model.set('show_outline', false)")
    page.focus(".ctlib-viewer")
    page.keyboard.press(str(WINDOWS.index(name) + 1))
    rgba = canvas_grey(page)
    k = page.viewer.slice_index
    expected = ctlib.window(page.viewer.volume[k], name, dtype=np.uint8)
    assert np.abs(rgba[..., 0].astype(int) - expected).max() <= 1
    assert (rgba[..., 0] == rgba[..., 1]).all()
    assert name in page.inner_text(".ctlib-viewer")


def test_the_outline_is_red_where_the_mask_edge_is(page: Any) -> None:
    page.evaluate("model.set('show_outline', true)")
    rgba = canvas_grey(page)
    edge = np.frombuffer(page.viewer.outline, np.uint8).reshape(rgba.shape[:2]).astype(bool)
    assert edge.any()
    assert (rgba[edge] == [255, 40, 40, 255]).all()
    assert not ((rgba[..., 0] == 255) & (rgba[..., 1] == 40) & ~edge).any()


def test_a_drag_changes_the_window_without_the_kernel(page: Any) -> None:
    page.evaluate("model.set('show_outline', false)")
    page.focus(".ctlib-viewer")
    page.keyboard.press("1")  # brain 40/80
    box = page.locator("canvas.ctlib-image").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate("window.sent = []")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 10, steps=10)
    page.mouse.up()
    assert page.evaluate("window.sent.length") == 0  # nothing for the kernel during the drag
    page.wait_for_function("window.sent.length === 1")  # once the user pauses
    last = page.evaluate("window.sent[window.sent.length - 1]")
    assert last["width"] == 80 + 2 * 30 and last["center"] == 40 + 2 * 10
    rgba = canvas_grey(page)
    k = page.viewer.slice_index
    expected = ctlib.window(page.viewer.volume[k], ctlib.Window(60, 140), dtype=np.uint8)
    assert np.abs(rgba[..., 0].astype(int) - expected).max() <= 1


def test_wheel_and_arrows_ask_for_other_slices(page: Any) -> None:
    start = page.evaluate("model.get('slice_index')")
    page.focus(".ctlib-viewer")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("model.get('slice_index')") == start + 1
    box = page.locator("canvas.ctlib-image").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.wheel(0, -100)
    page.wait_for_function(f"model.get('slice_index') === {start}")


def test_a_click_reads_the_hu_under_the_pointer(page: Any) -> None:
    box = page.locator("canvas.ctlib-image").bounding_box()
    row, column = 200, 300
    scale = box["width"] / page.viewer.columns
    page.mouse.click(box["x"] + (column + 0.5) * scale, box["y"] + (row + 0.5) * scale)
    probe = json.loads(page.evaluate("document.querySelector('.ctlib-viewer').dataset.probe"))
    k = page.evaluate("model.get('slice_index')")
    assert (probe["row"], probe["column"]) == (row, column)
    assert probe["hu"] == int(page.viewer.volume[k][row, column])
    assert f"{probe['hu']} HU" in page.inner_text(".ctlib-viewer")


def test_no_request_leaves_the_machine(page: Any) -> None:
    assert page.requests and all(url.startswith("http://127.0.0.1:") for url in page.requests)


def test_the_histogram_follows_the_window(page: Any) -> None:
    """The window is drawn as a band over the HU axis (-1100 to 1900), where the window is."""
    page.focus(".ctlib-viewer")
    for key, (low, high) in (("1", (0, 80)), ("4", (-800, 2000))):
        page.keyboard.press(key)
        row = page.evaluate("""() => { const c = document.querySelector("canvas.ctlib-histogram");
            return Array.from(c.getContext("2d").getImageData(0, 2, c.width, 1).data); }""")
        rgba = np.array(row, np.uint8).reshape(-1, 4)
        band = np.flatnonzero(rgba[:, 2] > rgba[:, 0] + 40)  # blue over the dark background
        left, right = ((hu + 1100) / 3000 * len(rgba) for hu in (low, high))
        assert abs(band.min() - max(left, 0)) <= 2
        assert abs(band.max() + 1 - min(right, len(rgba))) <= 2
