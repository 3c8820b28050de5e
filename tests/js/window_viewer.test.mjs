// Unit tests of ctlib/static/window_viewer.js (node --test; run by tests/test_viewer_browser.py).
// CTLIB_VIEWER_MODULE is the module's URL (a .mjs copy, so that any Node reads it as a module);
// CTLIB_WINDOW_CASES names a JSON file of HU values and ctlib.window's grey levels per window.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test, { mock } from "node:test";

const { afterPause, composeRGBA, dragged, greyLevels, histogram, slicePixels, tissueLabel } =
  await import(process.env.CTLIB_VIEWER_MODULE);

test("the grey levels are ctlib.window's, 0 or 1 level apart at most", () => {
  const cases = JSON.parse(readFileSync(process.env.CTLIB_WINDOW_CASES, "utf8"));
  assert.ok(cases.windows.length >= 5);
  for (const { name, center, width, expected } of cases.windows) {
    const grey = greyLevels(cases.hu, center, width, new Uint8Array(cases.hu.length));
    let worst = 0;
    for (let i = 0; i < grey.length; i++) worst = Math.max(worst, Math.abs(grey[i] - expected[i]));
    assert.ok(worst <= 1, `${name}: ${worst} grey levels apart`);
  }
});

test("the edges of the window are black and white", () => {
  const grey = greyLevels([-1000, 0, 40, 80, 1000], 40, 80, new Uint8Array(5));
  assert.deepEqual([...grey], [0, 0, 128, 255, 255]);
});

test("int16 slices are read little-endian and signed", () => {
  const bytes = new DataView(new Int16Array([-1024, 40, 32767]).buffer);
  assert.deepEqual([...slicePixels(bytes)], [-1024, 40, 32767]);
});

test("a drag widens to the right and raises the center downwards, never below width 1", () => {
  assert.deepEqual(dragged({ center: 40, width: 80 }, 10, 5), { center: 50, width: 100 });
  assert.equal(dragged({ center: 40, width: 80 }, -100, 0).width, 1);
});

test("the outline is drawn red over the grey levels", () => {
  const rgba = composeRGBA(new Uint8Array([10, 20]), new Uint8Array([0, 1]), new Uint8Array(8));
  assert.deepEqual([...rgba], [10, 10, 10, 255, 255, 40, 40, 255]);
});

test("tissue labels follow the HU scale", () => {
  assert.equal(tissueLabel(-1000), "air");
  assert.equal(tissueLabel(35), "brain");
  assert.equal(tissueLabel(70), "blood or soft tissue");
  assert.equal(tissueLabel(1500), "bone");
});

test("the histogram counts values in equal bins and leaves out those outside", () => {
  const counts = histogram([-1100, -1099, 0, 1899, 1900, -2000], -1100, 1900, 3);
  assert.deepEqual([...counts], [2, 1, 1]);
});

test("a run of window steps tells the kernel once, after the pause", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    let sent = 0;
    const step = afterPause(() => { sent += 1; }, 300);
    for (let k = 0; k < 100; k++) {
      step();
      mock.timers.tick(299); // each step comes before the pause is over: nothing is sent
    }
    assert.equal(sent, 0);
    mock.timers.tick(1);
    assert.equal(sent, 1);
    assert.equal(step.saves, 1);
    step();
    mock.timers.tick(300);
    assert.deepEqual([sent, step.saves], [2, 2]);
  } finally {
    mock.timers.reset();
  }
});
