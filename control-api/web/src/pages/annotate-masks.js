// The masks of a segmentation use case on the Annotate page, outside Preact: one mask per image of the study (a class
// index per PNG pixel, 0 background, i the use case's i-th category), edited in place by brush strokes, the eraser
// and filled polygons, with undo and redo per stroke; their run-length encoding as the API stores it
// ({imageId, runs}: CLASS*LENGTH pairs row by row); and the coloured overlay the viewer draws over each image.

/** A study's masks: imageId -> {width, height, data: Uint8Array}; images without a mask yet have none. */
export function createMasks() {
  const m = { byImage: new Map(), undo: [], redo: [], version: 0 };
  return m;
}

/** The mask of image `meta` ({imageId, pngWidth, pngHeight}), made empty the first time it is asked for. */
export function maskOf(masks, meta) {
  let e = masks.byImage.get(meta.imageId);
  if (!e) {
    e = { width: meta.pngWidth, height: meta.pngHeight, data: new Uint8Array(meta.pngWidth * meta.pngHeight),
      version: 0 };
    masks.byImage.set(meta.imageId, e);
  }
  return e;
}

/** Masks from an annotation as the API returns it (its `masks` JSON), over the study's `images`. */
export function parseMasks(annotation, images) {
  const masks = createMasks();
  if (!annotation || !annotation.masks) return masks;
  let list;
  try {
    list = JSON.parse(annotation.masks) || [];
  } catch {
    return masks;
  }
  const meta = Object.fromEntries(images.map((im) => [im.imageId, im]));
  for (const { imageId, runs } of list) {
    const im = meta[imageId];
    if (!im) continue;
    const e = maskOf(masks, im);
    decodeRuns(runs, e.data);
  }
  return masks;
}

/** Fills `out` (the mask's pixels) from runs "C*N C*N ..."; throws when they do not cover it exactly. */
export function decodeRuns(runs, out) {
  let at = 0;
  for (const run of runs.trim().split(/ +/)) {
    const star = run.indexOf('*');
    const c = Number(run.slice(0, star));
    const n = Number(run.slice(star + 1));
    if (star < 1 || !Number.isInteger(c) || !Number.isInteger(n) || n < 1 || at + n > out.length) {
      throw new Error(`the run '${run}' does not fit a mask of ${out.length} pixels`);
    }
    out.fill(c, at, at + n);
    at += n;
  }
  if (at !== out.length) throw new Error(`the runs cover ${at} of ${out.length} pixels`);
  return out;
}

/** The runs of a mask's pixels, as the API stores them. */
export function encodeRuns(data) {
  const parts = [];
  let i = 0;
  while (i < data.length) {
    let j = i + 1;
    while (j < data.length && data[j] === data[i]) j++;
    parts.push(`${data[i]}*${j - i}`);
    i = j;
  }
  return parts.join(' ');
}

/** What a save sends: the masks holding anything, each as {imageId, runs} (an image left out holds nothing). */
export function masksRequest(masks) {
  const out = [];
  for (const [imageId, e] of masks.byImage) {
    if (e.data.some((v) => v !== 0)) out.push({ imageId, runs: encodeRuns(e.data) });
  }
  return out;
}

/** Pixels of each class over the study's masks: [background, class 1, ...], `classes` long plus one. */
export function pixelsPerClass(masks, classes) {
  const n = new Array(classes + 1).fill(0);
  for (const e of masks.byImage.values()) {
    for (let i = 0; i < e.data.length; i++) n[e.data[i]] += 1;
  }
  return n;
}

// -- editing -------------------------------------------------------------------------------------------------------

/** Starts an edit of image `meta`'s mask: its pixels before, for undo. Returns the edit to pass on. */
export function beginEdit(masks, meta) {
  const e = maskOf(masks, meta);
  return { imageId: meta.imageId, e, before: e.data.slice(), last: null };
}

/**
 * Paints a disc of `radius` PNG pixels with `value` (0 erases) at (x, y), and along the line from the edit's last
 * point, so a fast stroke leaves no gaps. A pixel is painted when its centre lies within the radius.
 */
export function stroke(edit, x, y, radius, value) {
  const { e } = edit;
  const from = edit.last || [x, y];
  const dist = Math.hypot(x - from[0], y - from[1]);
  const steps = Math.max(1, Math.ceil(dist / Math.max(0.5, radius / 2)));
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    disc(e, from[0] + (x - from[0]) * t, from[1] + (y - from[1]) * t, radius, value);
  }
  edit.last = [x, y];
  e.version += 1;
}

function disc(e, cx, cy, r, value) {
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(e.width - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(e.height - 1, Math.ceil(cy + r));
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      if (dx * dx + dy * dy <= r2) e.data[y * e.width + x] = value;
    }
  }
}

/** Fills the polygon `points` ([[x, y], ...] in PNG pixels) with `value`: every pixel whose centre lies inside. */
export function fillPolygon(edit, points, value) {
  const { e } = edit;
  if (points.length < 3) return;
  for (let y = 0; y < e.height; y++) {
    const cy = y + 0.5;
    const xs = [];
    for (let i = 0; i < points.length; i++) {
      const [ax, ay] = points[i];
      const [bx, by] = points[(i + 1) % points.length];
      if ((ay <= cy && by > cy) || (by <= cy && ay > cy)) xs.push(ax + ((cy - ay) / (by - ay)) * (bx - ax));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixels whose centre x + 0.5 lies in [xs[k], xs[k + 1])
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(e.width - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
      for (let x = from; x <= to; x++) e.data[y * e.width + x] = value;
    }
  }
  e.version += 1;
}

/** Ends an edit: records it for undo when it changed anything; true when it did. */
export function endEdit(masks, edit) {
  const { e, before } = edit;
  let changed = false;
  for (let i = 0; i < before.length && !changed; i++) changed = before[i] !== e.data[i];
  if (!changed) return false;
  masks.undo.push({ imageId: edit.imageId, before, after: e.data.slice() });
  if (masks.undo.length > 100) masks.undo.shift();
  masks.redo = [];
  masks.version += 1;
  return true;
}

/** Undoes the last edit (redo: the last undone one); true when there was one. */
export function undo(masks, redo = false) {
  const from = redo ? masks.redo : masks.undo;
  const to = redo ? masks.undo : masks.redo;
  const step = from.pop();
  if (!step) return false;
  const e = masks.byImage.get(step.imageId);
  e.data.set(redo ? step.after : step.before);
  e.version += 1;
  to.push(step);
  masks.version += 1;
  return true;
}

/** Replaces image `meta`'s mask by `labels` (a suggestion), as one edit that undo takes back. */
export function replaceMask(masks, meta, labels) {
  const edit = beginEdit(masks, meta);
  edit.e.data.set(labels);
  edit.e.version += 1;
  return endEdit(masks, edit);
}

// -- drawing -------------------------------------------------------------------------------------------------------

/** "#rrggbb" -> [r, g, b]. */
function rgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * The overlay of a mask as a canvas the size of its image: each class in its colour (`colors[i - 1]` for class i),
 * background transparent. Cached on the mask until it changes.
 */
export function overlayOf(e, colors) {
  const key = `${e.version}|${colors.join(',')}`;
  if (e.overlay && e.overlayKey === key) return e.overlay;
  const c = e.overlay || document.createElement('canvas');
  c.width = e.width;
  c.height = e.height;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(e.width, e.height);
  const table = colors.map(rgb);
  const px = img.data;
  for (let i = 0; i < e.data.length; i++) {
    const v = e.data[i];
    if (v === 0) continue;
    const [r, g, b] = table[(v - 1) % table.length];
    px[4 * i] = r;
    px[4 * i + 1] = g;
    px[4 * i + 2] = b;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  e.overlay = c;
  e.overlayKey = key;
  return c;
}
