// The Annotate viewer's images: each PNG fetched and decoded once (an ImageBitmap, its grey values, which side its
// chest wall is on, an automatic window), kept in a cache of the most recently used images that every viewer and
// the prefetching share, and drawn under a window/level as a lookup table over the 8-bit pixels (the rendering is
// cached per image and setting). No Preact here.
import { bitmap } from '../api.js';

export const DEFAULT_WL = Object.freeze({ window: 256, level: 128 });
const CACHE_SIZE = 48; // about a dozen studies of four views

// ---------------------------------------------------------------------------------------------------------------
// Decoded-image cache, shared by every viewer and by prefetching.

const cache = new Map(); // "datasetId/imageId" -> Promise<Decoded>
const ready = new Map(); // "datasetId/imageId" -> Decoded, once decoded

function keyOf(datasetId, imageId) {
  return `${datasetId}/${imageId}`;
}

function makeCanvas(w, h) {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** The PNG as an ImageBitmap plus its grey values, where its chest wall is, and an automatic window. */
async function decode(datasetId, imageId) {
  const bmp = await bitmap(`/datasets/${datasetId}/images/${encodeURIComponent(imageId)}/png`);
  const w = bmp.width;
  const h = bmp.height;
  const cx = makeCanvas(w, h).getContext('2d', { willReadFrequently: true });
  cx.drawImage(bmp, 0, 0);
  const rgba = cx.getImageData(0, 0, w, h).data;
  const gray = new Uint8Array(w * h);
  const hist = new Uint32Array(256);
  for (let i = 0, j = 0; i < gray.length; i += 1, j += 4) {
    gray[i] = rgba[j];
    hist[rgba[j]] += 1;
  }
  // The chest wall is the brighter vertical edge (the breast touches it; air is on the other side).
  const band = Math.max(1, Math.floor(w / 8));
  let left = 0;
  let right = 0;
  for (let y = 0; y < h; y += 2) {
    const row = y * w;
    for (let x = 0; x < band; x += 1) {
      left += gray[row + x];
      right += gray[row + w - 1 - x];
    }
  }
  let chestWall = null;
  if (left > right * 1.15 + 1) chestWall = 'left';
  else if (right > left * 1.15 + 1) chestWall = 'right';
  return { imageId, width: w, height: h, bitmap: bmp, gray, chestWall, auto: autoWindow(hist, gray.length) };
}

/** A window over the tissue: the 1st to 99.5th percentile of the pixels brighter than the background peak. */
function autoWindow(hist, n) {
  let peak = 0;
  for (let v = 1; v < 96; v += 1) if (hist[v] > hist[peak]) peak = v;
  const floor = Math.min(250, peak + 8);
  let total = 0;
  for (let v = floor; v < 256; v += 1) total += hist[v];
  if (total < n * 0.02) return { ...DEFAULT_WL };
  let acc = 0;
  let lo = floor;
  let hi = 255;
  for (let v = floor; v < 256; v += 1) {
    acc += hist[v];
    if (acc < total * 0.01) lo = v;
    if (acc >= total * 0.995) {
      hi = v;
      break;
    }
  }
  const window = Math.max(8, hi - lo + 1);
  return { window, level: Math.round(lo + window / 2) };
}

/** Loads (once) and decodes an image; most recently used images stay cached. */
export function loadImage(datasetId, imageId) {
  const key = keyOf(datasetId, imageId);
  let p = cache.get(key);
  if (p) {
    cache.delete(key);
    cache.set(key, p);
    return p;
  }
  p = decode(datasetId, imageId).then((d) => {
    if (cache.get(key) === p) ready.set(key, d);
    return d;
  });
  p.catch(() => cache.delete(key));
  cache.set(key, p);
  while (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    cache.delete(oldest);
    ready.delete(oldest);
  }
  return p;
}

/** Starts loading images in the background (errors are ignored: the viewer reports them when it needs them). */
export function prefetchImages(datasetId, imageIds) {
  imageIds.forEach((id) => loadImage(datasetId, id).catch(() => {}));
}

/** The decoded image if it is ready now, else null (no request). */
export function peek(datasetId, imageId) {
  return ready.get(keyOf(datasetId, imageId)) || null;
}

// ---------------------------------------------------------------------------------------------------------------
// Window/level as a lookup table.

function isIdentity(s) {
  return s.window === DEFAULT_WL.window && s.level === DEFAULT_WL.level && !s.invert;
}

function buildLut(window, level, invert) {
  const lut = new Uint32Array(256);
  const lo = level - window / 2;
  const scale = 255 / Math.max(1, window - 1);
  for (let v = 0; v < 256; v += 1) {
    let o = Math.round((v - lo) * scale);
    o = o < 0 ? 0 : o > 255 ? 255 : o;
    if (invert) o = 255 - o;
    lut[v] = (0xff000000 | (o << 16) | (o << 8) | o) >>> 0; // little-endian RGBA: A in the high byte
  }
  return lut;
}

/** What to draw for an image under the current window/level: the bitmap itself, or a cached LUT rendering. */
export function sourceFor(d, s) {
  if (isIdentity(s)) return d.bitmap;
  const key = `${s.window}|${s.level}|${s.invert ? 1 : 0}`;
  if (d.lutKey === key) return d.lutCanvas;
  if (!d.lutCanvas) {
    d.lutCanvas = makeCanvas(d.width, d.height);
    d.lutCtx = d.lutCanvas.getContext('2d');
    d.lutData = d.lutCtx.createImageData(d.width, d.height);
    d.lut32 = new Uint32Array(d.lutData.data.buffer);
  }
  const lut = buildLut(s.window, s.level, s.invert);
  const g = d.gray;
  const o = d.lut32;
  for (let i = 0; i < g.length; i += 1) o[i] = lut[g[i]];
  d.lutCtx.putImageData(d.lutData, 0, 0);
  d.lutKey = key;
  return d.lutCanvas;
}

/** Frees an image's window/level rendering (memory, not needed until the image is shown again). */
export function dropRendering(d) {
  Object.assign(d, { lutCanvas: null, lutCtx: null, lutData: null, lut32: null, lutKey: null });
}
