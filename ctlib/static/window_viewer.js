// Window/level in the page: the browser half of ctlib.viewer.BrowserViewer (an anywidget).
//
// The kernel sends each slice once, as int16 HU; every window step is computed here, so a drag
// costs no round trip. The mapping is ctlib.window's: DICOM LINEAR_EXACT (PS3.3 C.11.2.1.3.2),
// y = clip((x - (c - w/2)) / w, 0, 1), then 255 * y rounded to a grey level.
//
// Mouse and keys as in a PACS: drag to change the window (right = wider, down = higher center),
// wheel or arrow keys to move through slices, click to read the HU under the pointer, number keys
// for presets, "r" to reset.

/** How long the page waits after the last window step before telling the kernel. */
export const SAVE_AFTER_MS = 300;

/** A function that calls `save` once its calls pause for `ms` milliseconds; `.saves` counts the
 * saves made. A run of calls closer together than `ms` saves once, after the last. */
export function afterPause(save, ms) {
  let timer = null;
  const call = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      call.saves += 1;
      save();
    }, ms);
  };
  call.saves = 0;
  return call;
}

/** Grey levels (0-255) of HU values under a window of center c and width w (LINEAR_EXACT). */
export function greyLevels(values, center, width, out) {
  const low = center - width / 2;
  const scale = 255 / width;
  for (let i = 0; i < values.length; i++) {
    const t = (values[i] - low) * scale;
    out[i] = t <= 0 ? 0 : t >= 255 ? 255 : Math.round(t);
  }
  return out;
}

/** The int16 values of a slice from the little-endian bytes the kernel sends. */
export function slicePixels(data) {
  const view = data instanceof DataView ? data : new DataView(data.buffer ?? data);
  const out = new Int16Array(view.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}

/** The window a drag gives: dx pixels right widens, dy pixels down raises the center. */
export function dragged(start, dx, dy, sensitivity = 2) {
  return { center: start.center + dy * sensitivity,
           width: Math.max(1, start.width + dx * sensitivity) };
}

/** The tissue a HU value most likely is on a head CT (the course's rough guide, not a diagnosis). */
export function tissueLabel(hu) {
  const table = [[-200, "air"], [-10, "fat"], [15, "CSF or water"], [45, "brain"],
                 [100, "blood or soft tissue"], [300, "calcification"], [Infinity, "bone"]];
  for (const [top, name] of table) if (hu < top) return name;
  return "bone";
}

/** Counts of HU values in ``bins`` equal bins over [low, high) (values outside are left out). */
export function histogram(values, low, high, bins) {
  const counts = new Uint32Array(bins);
  const scale = bins / (high - low);
  for (let i = 0; i < values.length; i++) {
    const k = Math.floor((values[i] - low) * scale);
    if (k >= 0 && k < bins) counts[k] += 1;
  }
  return counts;
}

/** RGBA pixels of a slice: grey levels, and the mask's outline in red where it is set. */
export function composeRGBA(grey, outline, rgba) {
  for (let i = 0, j = 0; i < grey.length; i++, j += 4) {
    const red = outline && outline[i];
    rgba[j] = red ? 255 : grey[i];
    rgba[j + 1] = red ? 40 : grey[i];
    rgba[j + 2] = red ? 40 : grey[i];
    rgba[j + 3] = 255;
  }
  return rgba;
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "ctlib-viewer";
  root.tabIndex = 0; // focusable, so keys reach it
  root.style.outline = "none";
  const title = document.createElement("div");
  title.style.font = "bold 13px sans-serif";
  const canvas = document.createElement("canvas");
  canvas.className = "ctlib-image";
  canvas.style.cursor = "crosshair";
  canvas.style.imageRendering = "pixelated";
  canvas.style.maxWidth = "100%";
  const plot = document.createElement("canvas"); // the slice's HU histogram and the window
  plot.className = "ctlib-histogram";
  plot.width = 512;
  plot.height = 90;
  plot.style.display = "block";
  const controls = document.createElement("div");
  const slider = (label, min, max) => {
    const wrap = document.createElement("label");
    wrap.textContent = label + " ";
    wrap.style.marginRight = "12px";
    const input = document.createElement("input");
    input.type = "range";
    input.min = String(min);
    input.max = String(max);
    wrap.appendChild(input);
    controls.appendChild(wrap);
    return input;
  };
  const centerInput = slider("center", -1000, 3000);
  const widthInput = slider("width", 1, 4000);
  const sliceInput = slider("slice", 0, Math.max(0, model.get("slices") - 1));
  const buttons = document.createElement("div");
  const readout = document.createElement("div");
  readout.style.font = "13px monospace";
  root.append(title, canvas, plot, controls, buttons, readout);
  el.appendChild(root);

  const context = canvas.getContext("2d");
  let pixels = new Int16Array(0);
  let outline = null;
  let grey = new Uint8Array(0);
  let image = null;
  let frames = 0;
  let counts = new Uint32Array(0);
  const HIST = [-1100, 1900, 150]; // HU range and bins, as ctlib.viewer.HIST_RANGE

  function loadSlice() {
    const rows = model.get("rows");
    const columns = model.get("columns");
    pixels = slicePixels(model.get("values"));
    const mask = model.get("outline");
    outline = mask && mask.byteLength ? new Uint8Array(mask.buffer ?? mask) : null;
    if (canvas.width !== columns || canvas.height !== rows) {
      canvas.width = columns;
      canvas.height = rows;
      canvas.style.width = model.get("display_width") + "px";
    }
    grey = new Uint8Array(pixels.length);
    image = context.createImageData(columns, rows);
    counts = histogram(pixels, HIST[0], HIST[1], HIST[2]);
    draw();
  }

  function drawHistogram(center, width) {
    const g = plot.getContext("2d");
    const [low, high, bins] = HIST;
    const x = (hu) => ((hu - low) / (high - low)) * plot.width;
    g.fillStyle = "#111";
    g.fillRect(0, 0, plot.width, plot.height);
    g.fillStyle = "rgba(70, 130, 230, 0.45)"; // the window: a band
    g.fillRect(x(center - width / 2), 0, Math.max(1, x(center + width / 2) - x(center - width / 2)),
               plot.height);
    const top = Math.log1p(Math.max(1, ...counts));
    g.fillStyle = "#ccc"; // counts on a log scale
    const step = plot.width / bins;
    for (let k = 0; k < bins; k++) {
      const h = (Math.log1p(counts[k]) / top) * (plot.height - 4);
      g.fillRect(k * step, plot.height - h, Math.max(1, step - 1), h);
    }
  }

  function draw() {
    const center = model.get("center");
    const width = model.get("width");
    drawHistogram(center, width);
    greyLevels(pixels, center, width, grey);
    composeRGBA(grey, model.get("show_outline") ? outline : null, image.data);
    context.putImageData(image, 0, 0);
    frames += 1;
    root.dataset.frames = String(frames);
    root.dataset.drawn = String(performance.now()); // for the latency tests: when pixels changed
    centerInput.value = String(center);
    widthInput.value = String(width);
    sliceInput.value = String(model.get("slice_index"));
    const named = model.get("presets").find((p) => p.center === center && p.width === width);
    title.textContent = `${named ? named.name + " " : ""}C ${center} / W ${width} · slice ` +
      `${model.get("slice_index") + 1}/${model.get("slices")}`;
  }

  // A window step changes the page only; the kernel learns the window once the user pauses
  // (SAVE_AFTER_MS), so a drag or a run of key presses sends it nothing, and receives nothing.
  // root.dataset.saves counts these saves, so that a test can tell a pause's message from a step's.
  const saveWindow = afterPause(() => {
    model.save_changes();
    root.dataset.saves = String(saveWindow.saves);
  }, SAVE_AFTER_MS);
  function setWindow(center, width) {
    model.set("center", Math.round(center));
    model.set("width", Math.max(1, Math.round(width)));
    saveWindow();
  }

  function setSlice(k) {
    const last = model.get("slices") - 1;
    const next = Math.min(last, Math.max(0, k));
    if (next !== model.get("slice_index")) {
      model.set("slice_index", next);
      model.save_changes();
    }
  }

  for (const [k, p] of model.get("presets").entries()) {
    const button = document.createElement("button");
    button.textContent = `${k + 1} ${p.name}`;
    button.onclick = () => setWindow(p.center, p.width);
    buttons.appendChild(button);
  }

  centerInput.oninput = () => setWindow(Number(centerInput.value), model.get("width"));
  widthInput.oninput = () => setWindow(model.get("center"), Number(widthInput.value));
  sliceInput.oninput = () => setSlice(Number(sliceInput.value));

  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    root.focus();
    drag = { x: event.clientX, y: event.clientY, moved: false,
             start: { center: model.get("center"), width: model.get("width") } };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
    if (drag.moved) {
      const next = dragged(drag.start, dx, dy);
      setWindow(next.center, next.width);
    }
  });
  canvas.addEventListener("pointerup", (event) => {
    if (drag && !drag.moved) {
      const box = canvas.getBoundingClientRect();
      const column = Math.floor((event.clientX - box.left) * canvas.width / box.width);
      const row = Math.floor((event.clientY - box.top) * canvas.height / box.height);
      if (row >= 0 && row < canvas.height && column >= 0 && column < canvas.width) {
        const hu = pixels[row * canvas.width + column];
        readout.textContent = `row ${row}, column ${column}: ${hu} HU (${tissueLabel(hu)})`;
        root.dataset.probe = JSON.stringify({ row, column, hu });
      }
    }
    drag = null;
  });
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    setSlice(model.get("slice_index") + (event.deltaY > 0 ? 1 : -1));
  }, { passive: false });
  root.addEventListener("keydown", (event) => {
    const presets = model.get("presets");
    if (event.key === "ArrowUp" || event.key === "ArrowRight") setSlice(model.get("slice_index") + 1);
    else if (event.key === "ArrowDown" || event.key === "ArrowLeft") setSlice(model.get("slice_index") - 1);
    else if (/^[1-9]$/.test(event.key) && Number(event.key) <= presets.length) {
      const p = presets[Number(event.key) - 1];
      setWindow(p.center, p.width);
    } else if (event.key === "r") {
      const p = presets[0];
      setWindow(p.center, p.width);
    } else return;
    event.preventDefault();
  });

  model.on("change:center", draw);
  model.on("change:width", draw);
  model.on("change:show_outline", draw);
  model.on("change:values", loadSlice);
  loadSlice();
  return () => {};
}

export default { render };
