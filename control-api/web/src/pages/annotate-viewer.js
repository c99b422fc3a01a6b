// The image viewer of the Annotate page: a study's views on one <canvas>, either all at once (a hanging protocol:
// CC on top, MLO below, the right breast on the left, chest walls back to back) or one view large, with a strip of
// thumbnails to pick from. Window/level is a lookup table over the 8-bit pixels (cached per image and setting),
// zoom follows the wheel around the pointer, pan follows a drag. For detection use cases it draws and edits boxes
// in PNG pixel coordinates. Decoded images are cached, so moving between views and studies is instant.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { bitmap } from '../api.js';
import { html } from '../ui.js';

export const DEFAULT_WL = Object.freeze({ window: 256, level: 128 });
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 16;
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

function peek(datasetId, imageId) {
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
function sourceFor(d, s) {
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

// ---------------------------------------------------------------------------------------------------------------
// Hanging protocol.

const VIEW_ORDER = ['CC', 'XCCL', 'XCCM', 'FB', 'MLO', 'ML', 'LM', 'LMO', 'SIO'];
const SIDE_ORDER = ['R', 'L'];

function rank(list, v) {
  const i = list.indexOf((v || '').toUpperCase());
  return i < 0 ? list.length : i;
}

/** The images in reading order, and the number of columns: R|L pairs of each view when the study has them. */
export function hang(images) {
  const ordered = [...images].sort((a, b) => rank(VIEW_ORDER, a.viewPosition) - rank(VIEW_ORDER, b.viewPosition)
    || (a.viewPosition || '').localeCompare(b.viewPosition || '')
    || rank(SIDE_ORDER, a.laterality) - rank(SIDE_ORDER, b.laterality)
    || a.imageId.localeCompare(b.imageId));
  const pairs = ordered.length % 2 === 0 && ordered.length > 0 && ordered.every((im, i) => (i % 2 === 0
    ? (im.laterality || '').toUpperCase() === 'R' && ordered[i + 1].viewPosition === im.viewPosition
    : (im.laterality || '').toUpperCase() === 'L'));
  const cols = pairs ? 2 : Math.max(1, Math.ceil(Math.sqrt(ordered.length)));
  return { ordered, cols, pairs };
}

export function viewName(im) {
  return [im.laterality, im.viewPosition].filter(Boolean).join(' ') || im.imageId.slice(0, 8);
}

/** True when a key event should not trigger shortcuts: the user is typing, or a modifier is held. */
export function typing(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  const el = e.target;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

function clamp(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

function recordSwitch(el, kind, t0, extra) {
  const ms = performance.now() - t0;
  const g = (window.__radlabViewer ||= { lastSwitchMs: null, switches: [] });
  g.lastSwitchMs = ms;
  g.switches.push({ kind, ms: Math.round(ms * 10) / 10, ...extra });
  if (g.switches.length > 1000) g.switches.shift();
  if (el) {
    el.dataset.switchMs = ms.toFixed(1);
    el.dataset.switchKind = kind;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The component.

/**
 * props: datasetId, study ({studyUid, images}), requestedAt (a ref: when the user asked for this study, for the
 * switch time), onDrawn(studyUid) after a study is first drawn, detection (bool), boxes, selectedBox,
 * onBoxesChange(boxes), onSelectBox(index|null), boxCode, colorOf(code).
 */
export function Viewer(props) {
  const { datasetId, study, requestedAt, detection } = props;
  const rootRef = useRef(null);
  const canvasRef = useRef(null);
  const statusRef = useRef(null);
  const P = useRef(props);
  P.current = props;
  const S = useRef(null);
  if (!S.current) {
    S.current = {
      tool: detection ? 'box' : 'pan', layout: 'grid', active: 0, ...DEFAULT_WL, invert: false, mirror: true,
      zoom: 1, panX: 0, panY: 0, images: [], cols: 2, pairs: false, studyUid: null, drawnUid: null, drag: null,
      preview: null, pending: null, loadToken: 0, failed: null,
    };
  }
  const [, setTick] = useState(0);
  const frame = useRef(0);

  // -- geometry --
  function tiles(W, H) {
    const s = S.current;
    const n = s.images.length;
    if (!n) return [];
    if (s.layout === 'single') {
      return [{ index: clamp(s.active, 0, n - 1), col: 0, x: 0, y: 0, w: W, h: H, anchor: 'center' }];
    }
    const cols = Math.min(s.cols, n);
    const rows = Math.ceil(n / cols);
    const gap = 4;
    const tw = (W - gap * (cols - 1)) / cols;
    const th = (H - gap * (rows - 1)) / rows;
    return s.images.map((_, i) => {
      const col = i % cols;
      const anchor = s.pairs && s.mirror ? (col === 0 ? 'right' : 'left') : 'center';
      return { index: i, col, x: col * (tw + gap), y: Math.floor(i / cols) * (th + gap), w: tw, h: th, anchor };
    });
  }

  function geom(tile) {
    const s = S.current;
    const im = s.images[tile.index];
    const d = im && im.d;
    if (!d) return null;
    const fit = Math.min(tile.w / d.width, tile.h / d.height) * 0.97;
    const bw = d.width * fit;
    const bh = d.height * fit;
    const margin = Math.min(tile.w, tile.h) * 0.015;
    let bx = tile.x + (tile.w - bw) / 2;
    if (tile.anchor === 'right') bx = tile.x + tile.w - bw - margin;
    if (tile.anchor === 'left') bx = tile.x + margin;
    const by = tile.y + (tile.h - bh) / 2;
    const side = (im.meta.laterality || '').toUpperCase();
    const want = side === 'R' ? 'right' : side === 'L' ? 'left' : null;
    const flip = !!(s.mirror && want && d.chestWall && d.chestWall !== want);
    const sign = panSign(tile);
    return { d, im, fit, bw, bh, bx, by, flip, cx: tile.x + tile.w / 2, cy: tile.y + tile.h / 2, sign,
      px: sign * s.panX, py: s.panY };
  }

  /** Back to back, the left breast's column pans mirrored, so both breasts show the same region. */
  function panSign(tile) {
    const s = S.current;
    return s.layout === 'grid' && s.pairs && s.mirror && tile.col === 1 ? -1 : 1;
  }

  function toScreen(g, px, py) {
    const s = S.current;
    const ix = g.flip ? g.d.width - px : px;
    const bx = g.bx + ix * g.fit;
    const by = g.by + py * g.fit;
    return [g.cx + g.px + (bx - g.cx) * s.zoom, g.cy + g.py + (by - g.cy) * s.zoom];
  }

  function toImage(g, qx, qy) {
    const s = S.current;
    const bx = g.cx + (qx - g.cx - g.px) / s.zoom;
    const by = g.cy + (qy - g.cy - g.py) / s.zoom;
    const ix = (bx - g.bx) / g.fit;
    return [g.flip ? g.d.width - ix : ix, (by - g.by) / g.fit];
  }

  function size() {
    const c = canvasRef.current;
    return c ? [c.clientWidth, c.clientHeight] : [0, 0];
  }

  function hit(qx, qy) {
    const [W, H] = size();
    return tiles(W, H).find((t) => qx >= t.x && qx < t.x + t.w && qy >= t.y && qy < t.y + t.h) || null;
  }

  // -- drawing --
  function visibleIndexes() {
    const s = S.current;
    if (!s.images.length) return [];
    return s.layout === 'single' ? [clamp(s.active, 0, s.images.length - 1)] : s.images.map((_, i) => i);
  }

  function draw() {
    const c = canvasRef.current;
    const root = rootRef.current;
    if (!c || !root) return false;
    const s = S.current;
    const p = P.current;
    const dpr = window.devicePixelRatio || 1;
    const W = c.clientWidth;
    const H = c.clientHeight;
    if (c.width !== Math.round(W * dpr) || c.height !== Math.round(H * dpr)) {
      c.width = Math.round(W * dpr);
      c.height = Math.round(H * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, W, H);
    let complete = s.images.length > 0;
    const boxes = p.detection ? (p.boxes || []) : [];
    for (const tile of tiles(W, H)) {
      const g = geom(tile);
      ctx.save();
      ctx.beginPath();
      ctx.rect(tile.x, tile.y, tile.w, tile.h);
      ctx.clip();
      if (s.layout === 'grid') {
        ctx.fillStyle = '#050608';
        ctx.fillRect(tile.x, tile.y, tile.w, tile.h);
      }
      if (!g) {
        complete = false;
        ctx.fillStyle = '#9aa5b1';
        ctx.font = '14px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.fillText(s.failed ? 'This image could not be loaded' : 'Loading…', tile.x + tile.w / 2, tile.y + tile.h / 2);
        ctx.restore();
        continue;
      }
      const [x0, y0] = toScreen(g, g.flip ? g.d.width : 0, 0);
      const w = g.bw * s.zoom;
      const h = g.bh * s.zoom;
      ctx.imageSmoothingEnabled = g.fit * s.zoom < 4; // past 4x, show the pixels as they are
      ctx.imageSmoothingQuality = 'high';
      const src = sourceFor(g.d, s);
      if (g.flip) {
        ctx.translate(x0 + w, y0);
        ctx.scale(-1, 1);
        ctx.drawImage(src, 0, 0, w, h);
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      } else {
        ctx.drawImage(src, x0, y0, w, h);
      }
      // boxes on this image
      boxes.forEach((b, i) => {
        if (b.imageId !== g.d.imageId) return;
        drawBox(ctx, g, b, p.colorOf ? p.colorOf(b.code) : '#facc15', i === p.selectedBox);
      });
      if (s.preview && s.preview.index === tile.index) {
        const b = s.preview.box;
        drawBox(ctx, g, b, p.colorOf ? p.colorOf(b.code) : '#facc15', true, true);
      }
      // the view's name, on the side away from the chest wall
      const name = viewName(g.im.meta);
      ctx.font = '600 13px system-ui, sans-serif';
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.textAlign = tile.anchor === 'right' ? 'left' : 'right';
      ctx.fillText(name, tile.anchor === 'right' ? tile.x + 8 : tile.x + tile.w - 8, tile.y + 18);
      if (s.layout === 'grid' && tile.index === s.active && s.images.length > 1) {
        ctx.strokeStyle = 'rgba(96,165,250,0.7)';
        ctx.lineWidth = 2;
        ctx.strokeRect(tile.x + 1, tile.y + 1, tile.w - 2, tile.h - 2);
      }
      ctx.restore();
    }
    root.dataset.ready = complete ? 'true' : 'false';
    syncAttrs();
    return complete;
  }

  /** The viewer's state as data-* attributes: what the page and tests read. */
  function syncAttrs() {
    const root = rootRef.current;
    if (!root) return;
    const s = S.current;
    const p = P.current;
    const boxes = p.detection ? (p.boxes || []) : [];
    const ds = root.dataset;
    ds.studyUid = s.studyUid || '';
    ds.layout = s.layout;
    ds.activeImage = s.images[s.active] ? s.images[s.active].meta.imageId : '';
    ds.zoom = s.zoom.toFixed(3);
    ds.panX = s.panX.toFixed(1);
    ds.panY = s.panY.toFixed(1);
    ds.window = String(s.window);
    ds.level = String(s.level);
    ds.invert = String(s.invert);
    ds.tool = s.tool;
    ds.boxes = String(boxes.length);
  }

  function drawBox(ctx, g, b, color, selected, dashed) {
    const [ax, ay] = toScreen(g, b.x, b.y);
    const [bx, by] = toScreen(g, b.x + b.width, b.y + b.height);
    const x = Math.min(ax, bx);
    const y = Math.min(ay, by);
    const w = Math.abs(bx - ax);
    const h = Math.abs(by - ay);
    ctx.save();
    ctx.lineWidth = selected ? 3 : 2;
    ctx.strokeStyle = color;
    if (dashed) ctx.setLineDash([6, 4]);
    ctx.strokeRect(x, y, w, h);
    if (selected && !dashed) {
      ctx.fillStyle = 'rgba(255,255,255,0.08)';
      ctx.fillRect(x, y, w, h);
    }
    ctx.setLineDash([]);
    ctx.font = '600 12px system-ui, sans-serif';
    const label = b.code || '';
    const tw = ctx.measureText(label).width + 8;
    ctx.fillStyle = color;
    ctx.fillRect(x, y - 17 < 0 ? y : y - 17, tw, 17);
    ctx.fillStyle = '#000';
    ctx.textAlign = 'left';
    ctx.fillText(label, x + 4, (y - 17 < 0 ? y : y - 17) + 13);
    ctx.restore();
  }

  /** Redraws on the next frame and refreshes the toolbar. */
  function schedule() {
    syncAttrs();
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      draw();
      setTick((t) => t + 1);
    });
  }

  /** Draws now; when `t0` is given and everything visible is drawn, records the switch time. */
  function drawNow(kind, t0, extra) {
    const done = draw();
    if (done && t0 !== undefined) recordSwitch(rootRef.current, kind, t0, extra);
    setTick((t) => t + 1);
    return done;
  }

  /** Makes sure the visible images are decoded, then draws and records the switch. */
  function showVisible(kind, t0, arrived = performance.now()) {
    const s = S.current;
    const token = s.loadToken;
    const missing = visibleIndexes().filter((i) => !s.images[i].d);
    // for the benchmark: how long the page waited for the API, and whether the images were decoded already
    const extra = { waitMs: Math.round((arrived - t0) * 10) / 10, cached: !missing.length };
    if (!missing.length) {
      const done = drawNow(kind, t0, extra);
      if (done && kind === 'study') afterStudyDrawn();
      return;
    }
    drawNow();
    Promise.all(missing.map((i) => loadImage(P.current.datasetId, s.images[i].meta.imageId).then((d) => {
      if (S.current.loadToken === token) s.images[i].d = d;
    }))).then(() => {
      if (S.current.loadToken !== token) return;
      s.failed = null;
      const done = drawNow(kind, t0, extra);
      if (done && kind === 'study') afterStudyDrawn();
    }).catch((e) => {
      if (S.current.loadToken !== token) return;
      s.failed = e;
      drawNow();
      setTick((t) => t + 1);
    });
  }

  function afterStudyDrawn() {
    const s = S.current;
    if (s.drawnUid === s.studyUid) return;
    s.drawnUid = s.studyUid;
    // the other views of this study, then whatever the page wants prefetched
    s.images.forEach((im, i) => {
      if (!im.d) {
        loadImage(P.current.datasetId, im.meta.imageId).then((d) => {
          if (S.current.images[i] === im) {
            im.d = d;
            schedule();
          }
        }).catch(() => {});
      }
    });
    if (P.current.onDrawn) P.current.onDrawn(s.studyUid);
  }

  // -- a new study (drawn before the browser paints, so the old study never shows under the new one's label) --
  const imageKey = study ? `${study.studyUid}|${study.images.map((i) => i.imageId).join(',')}` : '';
  useLayoutEffect(() => {
    const s = S.current;
    const t0 = (requestedAt && requestedAt.current) || performance.now();
    if (requestedAt) requestedAt.current = null;
    s.loadToken += 1;
    const { ordered, cols, pairs } = hang(study ? study.images : []);
    const keep = new Set(ordered.map((m) => m.imageId));
    s.images.forEach((im) => {
      // the window/level renderings of images no longer shown: memory, not needed until they come back
      if (im.d && !keep.has(im.meta.imageId)) Object.assign(im.d, { lutCanvas: null, lutCtx: null, lutData: null,
        lut32: null, lutKey: null });
    });
    s.images = ordered.map((meta) => ({ meta, d: peek(datasetId, meta.imageId) }));
    s.cols = cols;
    s.pairs = pairs;
    s.active = clamp(s.active, 0, Math.max(0, s.images.length - 1));
    s.zoom = 1;
    s.panX = 0;
    s.panY = 0;
    s.preview = null;
    s.failed = null;
    s.studyUid = study ? study.studyUid : null;
    s.drawnUid = null;
    showVisible('study', t0);
  }, [imageKey, datasetId]);

  // boxes and selection changes only need a redraw
  useEffect(() => { schedule(); }, [props.boxes, props.selectedBox]);

  // keep the canvas sized to its box
  useEffect(() => {
    const c = canvasRef.current;
    const ro = new ResizeObserver(() => draw());
    ro.observe(c);
    return () => ro.disconnect();
  }, []);

  // -- actions --
  function setTool(tool) {
    S.current.tool = tool;
    schedule();
  }

  function selectView(i, t0 = performance.now()) {
    const s = S.current;
    s.layout = 'single';
    s.active = clamp(i, 0, s.images.length - 1);
    showVisible('view', t0);
  }

  function showAll(t0 = performance.now()) {
    S.current.layout = 'grid';
    showVisible('view', t0);
  }

  function toggleLayout() {
    if (S.current.layout === 'grid') selectView(S.current.active);
    else showAll();
  }

  function step(delta) {
    const n = S.current.images.length;
    if (!n) return;
    selectView((S.current.active + delta + n) % n);
  }

  function reset() {
    const s = S.current;
    Object.assign(s, { zoom: 1, panX: 0, panY: 0, ...DEFAULT_WL, invert: false });
    schedule();
  }

  function zoomAt(factor, qx, qy) {
    const s = S.current;
    const [W, H] = size();
    const tile = (qx === undefined ? null : hit(qx, qy)) || tiles(W, H)[0];
    if (!tile) return;
    const cx = tile.x + tile.w / 2;
    const cy = tile.y + tile.h / 2;
    const x = qx === undefined ? cx : qx;
    const y = qy === undefined ? cy : qy;
    const z = clamp(s.zoom * factor, MIN_ZOOM, MAX_ZOOM);
    const sign = panSign(tile);
    const bx = cx + (x - cx - sign * s.panX) / s.zoom;
    const by = cy + (y - cy - s.panY) / s.zoom;
    s.panX = sign * (x - cx - (bx - cx) * z);
    s.panY = y - cy - (by - cy) * z;
    s.zoom = z;
    schedule();
  }

  function setWl(window, level) {
    const s = S.current;
    s.window = clamp(Math.round(window), 2, 512);
    s.level = clamp(Math.round(level), 0, 255);
    schedule();
  }

  function autoWl() {
    const s = S.current;
    const ds = visibleIndexes().map((i) => s.images[i].d).filter(Boolean);
    if (!ds.length) return;
    const lo = Math.min(...ds.map((d) => d.auto.level - d.auto.window / 2));
    const hi = Math.max(...ds.map((d) => d.auto.level + d.auto.window / 2));
    setWl(hi - lo, (hi + lo) / 2);
  }

  // -- pointer --
  function local(e) {
    const r = canvasRef.current.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  function onPointerDown(e) {
    const s = S.current;
    const [qx, qy] = local(e);
    const tile = hit(qx, qy);
    if (!tile) return;
    e.preventDefault();
    if (s.layout === 'grid' && s.active !== tile.index) {
      s.active = tile.index;
      schedule();
    }
    let mode = null;
    if (e.button === 2 || (e.button === 0 && (s.tool === 'wl' || e.shiftKey))) mode = 'wl';
    else if (e.button === 1 || (e.button === 0 && s.tool === 'pan')) mode = 'pan';
    else if (e.button === 0 && s.tool === 'box' && P.current.detection) mode = 'box';
    if (!mode) return;
    canvasRef.current.setPointerCapture(e.pointerId);
    const g = geom(tile);
    s.drag = { mode, x0: qx, y0: qy, tile, g, window: s.window, level: s.level, panX: s.panX, panY: s.panY,
      p0: g ? toImage(g, qx, qy) : null, moved: false };
  }

  function onPointerMove(e) {
    const s = S.current;
    const [qx, qy] = local(e);
    const drag = s.drag;
    if (!drag) {
      showStatus(qx, qy);
      return;
    }
    const dx = qx - drag.x0;
    const dy = qy - drag.y0;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.mode === 'wl') {
      setWl(drag.window + dx, drag.level + dy * 0.5);
    } else if (drag.mode === 'pan') {
      s.panX = drag.panX + panSign(drag.tile) * dx;
      s.panY = drag.panY + dy;
      schedule();
    } else if (drag.mode === 'box' && drag.g && drag.moved) {
      const d = drag.g.d;
      const [x1, y1] = toImage(drag.g, qx, qy);
      const ax = clamp(drag.p0[0], 0, d.width);
      const ay = clamp(drag.p0[1], 0, d.height);
      const bx = clamp(x1, 0, d.width);
      const by = clamp(y1, 0, d.height);
      s.preview = { index: drag.tile.index, box: { imageId: d.imageId, x: Math.min(ax, bx), y: Math.min(ay, by),
        width: Math.abs(bx - ax), height: Math.abs(by - ay), code: P.current.boxCode } };
      schedule();
    }
    showStatus(qx, qy);
  }

  function onPointerUp(e) {
    const s = S.current;
    const drag = s.drag;
    s.drag = null;
    if (!drag) return;
    if (canvasRef.current.hasPointerCapture(e.pointerId)) canvasRef.current.releasePointerCapture(e.pointerId);
    if (drag.mode !== 'box' || !drag.g) return;
    const p = P.current;
    if (!drag.moved) {
      // a click: select the box under the pointer (the smallest one), or none
      const [ix, iy] = drag.p0;
      let best = null;
      (p.boxes || []).forEach((b, i) => {
        if (b.imageId === drag.g.d.imageId && ix >= b.x && ix <= b.x + b.width && iy >= b.y && iy <= b.y + b.height
          && (best === null || b.width * b.height < p.boxes[best].width * p.boxes[best].height)) best = i;
      });
      if (p.onSelectBox) p.onSelectBox(best);
      return;
    }
    const pv = s.preview;
    s.preview = null;
    if (pv && pv.box.width >= 2 && pv.box.height >= 2 && p.onBoxesChange) {
      const b = pv.box;
      const x = Math.floor(b.x);
      const y = Math.floor(b.y);
      const box = { imageId: b.imageId, x, y, width: Math.max(1, Math.ceil(b.x + b.width) - x),
        height: Math.max(1, Math.ceil(b.y + b.height) - y), code: b.code };
      const next = [...(p.boxes || []), box];
      p.onBoxesChange(next);
      if (p.onSelectBox) p.onSelectBox(null); // a number key now chooses the category of the next box
    }
    schedule();
  }

  function showStatus(qx, qy) {
    const el = statusRef.current;
    if (!el) return;
    const tile = hit(qx, qy);
    const g = tile && geom(tile);
    if (!g) {
      el.textContent = '';
      return;
    }
    const [ix, iy] = toImage(g, qx, qy);
    const x = Math.floor(ix);
    const y = Math.floor(iy);
    const inside = x >= 0 && y >= 0 && x < g.d.width && y < g.d.height;
    el.textContent = `${viewName(g.im.meta)} · ${g.d.width} × ${g.d.height} px`
      + (inside ? ` · pixel (${x}, ${y}) = ${g.d.gray[y * g.d.width + x]}` : '');
  }

  function onWheel(e) {
    e.preventDefault();
    const [qx, qy] = local(e);
    const unit = e.deltaMode === 1 ? 30 : e.deltaMode === 2 ? 300 : 1;
    zoomAt(Math.exp(-e.deltaY * unit * 0.0015), qx, qy);
  }

  function onDblClick(e) {
    const [qx, qy] = local(e);
    const tile = hit(qx, qy);
    if (S.current.tool === 'box' && P.current.detection) return;
    if (S.current.layout === 'grid' && tile) selectView(tile.index);
    else showAll();
  }

  useEffect(() => {
    const c = canvasRef.current;
    c.addEventListener('wheel', onWheel, { passive: false });
    return () => c.removeEventListener('wheel', onWheel);
  }, []);

  // -- keys --
  useEffect(() => {
    function onKey(e) {
      if (typing(e) || e.defaultPrevented) return;
      const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const act = {
        r: reset, g: toggleLayout, p: () => setTool('pan'), w: () => setTool('wl'), i: () => {
          S.current.invert = !S.current.invert;
          schedule();
        }, a: autoWl, '+': () => zoomAt(1.25), '=': () => zoomAt(1.25), '-': () => zoomAt(0.8),
        ArrowLeft: () => step(-1), ArrowRight: () => step(1),
      };
      if (detection) act.b = () => setTool('box');
      const fn = act[k];
      if (!fn) return;
      e.preventDefault();
      fn();
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [detection]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // -- markup --
  const s = S.current;
  const tools = [
    ['pan', 'Pan', 'P', 'Drag to move the images'],
    ['wl', 'Window/level', 'W', 'Drag left/right for contrast (window), up/down for brightness (level)'],
  ];
  if (detection) tools.push(['box', 'Draw box', 'B', 'Drag on a view to draw a box around a finding']);
  return html`<div class="viewer" ref=${rootRef} data-testid="viewer">
    <div class="viewer-toolbar" role="toolbar" aria-label="Image tools">
      <div class="seg" role="group" aria-label="Mouse tool">
        ${tools.map(([id, label, key, help]) => html`<button type="button" class=${s.tool === id ? 'on' : ''}
          aria-pressed=${s.tool === id} data-tool=${id} title=${`${help} (key ${key})`}
          onClick=${() => setTool(id)}>${label} <kbd>${key}</kbd></button>`)}
      </div>
      <label class="wl-field" title="Window width: the range of grey values spread from black to white">W
        <input type="number" min="2" max="512" value=${s.window} data-testid="wl-window"
          onInput=${(e) => e.currentTarget.value !== '' && setWl(+e.currentTarget.value, s.level)}
          onKeyDown=${blurOnEnter} /></label>
      <label class="wl-field" title="Window level: the grey value in the middle of the window">L
        <input type="number" min="0" max="255" value=${s.level} data-testid="wl-level"
          onInput=${(e) => e.currentTarget.value !== '' && setWl(s.window, +e.currentTarget.value)}
          onKeyDown=${blurOnEnter} /></label>
      <button type="button" onClick=${autoWl} title="Fit the window to the breast tissue (key A)">Auto <kbd>A</kbd></button>
      <button type="button" class=${s.invert ? 'on' : ''} aria-pressed=${s.invert} title="Invert grey values (key I)"
        onClick=${() => { s.invert = !s.invert; schedule(); }}>Invert <kbd>I</kbd></button>
      <span class="zoom-group">
        <button type="button" aria-label="Zoom out" title="Zoom out (key −; or the mouse wheel)"
          onClick=${() => zoomAt(0.8)}>−</button>
        <span class="zoom-value" data-testid="zoom-value" title="Zoom">${Math.round(s.zoom * 100)} %</span>
        <button type="button" aria-label="Zoom in" title="Zoom in (key +; or the mouse wheel)"
          onClick=${() => zoomAt(1.25)}>+</button>
      </span>
      <button type="button" data-testid="viewer-reset" onClick=${reset}
        title="Back to fit, no pan, default window/level (key R)">Reset <kbd>R</kbd></button>
      <span class="spacer"></span>
      <label class="check" title="Show right and left views back to back, chest walls towards the middle">
        <input type="checkbox" checked=${s.mirror} onChange=${(e) => { s.mirror = e.currentTarget.checked; schedule(); }} />
        Back to back</label>
    </div>
    <div class="viewer-body">
      <div class="thumbs" role="group" aria-label="Views of this study">
        ${s.images.length > 1 && html`<button type="button" aria-pressed=${s.layout === 'grid'}
          class=${`thumb all ${s.layout === 'grid' ? 'on' : ''}`} data-testid="thumb-all"
          title="All views side by side (key G toggles)" onClick=${() => showAll()}>
          <span class="all-icon">${s.images.slice(0, 4).map(() => html`<i></i>`)}</span>
          <span class="thumb-label">All views <kbd>G</kbd></span></button>`}
        ${s.images.map((im, i) => html`<button type="button" key=${im.meta.imageId}
          aria-pressed=${s.layout === 'single' && s.active === i} data-image-id=${im.meta.imageId}
          class=${`thumb ${s.layout === 'single' && s.active === i ? 'on' : ''}`} data-testid="thumb"
          title=${`Show ${viewName(im.meta)} alone (arrow keys step through the views)`}
          onClick=${(e) => selectView(i, e.timeStamp || performance.now())}>
          <${Thumb} d=${im.d} flip=${im.d && s.mirror && flipFor(im)} />
          <span class="thumb-label">${viewName(im.meta)}</span></button>`)}
      </div>
      <div class="canvas-wrap">
        <canvas ref=${canvasRef} class=${`tool-${s.tool}`} data-testid="viewer-canvas" aria-label="Study images; wheel to zoom, drag to pan or window"
          onPointerDown=${onPointerDown} onPointerMove=${onPointerMove} onPointerUp=${onPointerUp}
          onPointerCancel=${onPointerUp} onDblClick=${onDblClick}
          onPointerLeave=${() => { if (statusRef.current && !s.drag) statusRef.current.textContent = ''; }}
          onContextMenu=${(e) => e.preventDefault()}></canvas>
        ${s.failed && html`<div class="viewer-error" role="alert">${'Images could not be loaded: '}${s.failed.detail || s.failed.message}</div>`}
      </div>
    </div>
    <div class="viewer-status">
      <span ref=${statusRef} class="pointer-status"></span>
      <span class="spacer"></span>
      <span class="muted">Wheel: zoom · right-drag: window/level · double-click: one view / all views</span>
    </div>
  </div>`;
}

function flipFor(im) {
  const side = (im.meta.laterality || '').toUpperCase();
  const want = side === 'R' ? 'right' : side === 'L' ? 'left' : null;
  return !!(want && im.d && im.d.chestWall && im.d.chestWall !== want);
}

function blurOnEnter(e) {
  if (e.key === 'Enter' || e.key === 'Escape') e.currentTarget.blur();
}

function Thumb({ d, flip }) {
  const ref = useRef(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || !d) return;
    const w = 72;
    const h = Math.round((w * d.height) / d.width);
    c.width = w * 2;
    c.height = h * 2;
    c.style.height = `${h}px`;
    const ctx = c.getContext('2d');
    ctx.setTransform(flip ? -2 : 2, 0, 0, 2, flip ? c.width : 0, 0);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(d.bitmap, 0, 0, w, h);
  }, [d, flip]);
  return html`<canvas ref=${ref} class="thumb-canvas" aria-hidden="true"></canvas>`;
}
