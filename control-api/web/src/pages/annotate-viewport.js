// The Annotate viewer's geometry, as pure functions of its state `s` (images [{meta, d}], layout 'grid' | 'single',
// active, cols, pairs, mirror, zoom, panX, panY): the tiles the canvas is cut into, where each image sits in its
// tile (fitted, anchored to the chest wall, mirrored), the mapping between canvas (CSS pixel) and image (PNG pixel)
// coordinates under zoom and pan, and zooming around a point. No Preact, no drawing.
import { chestWallFlipped } from './annotate-hanging.js';

const MIN_ZOOM = 0.5;
const MAX_ZOOM = 16;

export function clamp(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The tiles of a W × H canvas: one per image in a grid, or the active image alone. */
export function tiles(s, W, H) {
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

/** The tile under the canvas point (qx, qy), or null. */
export function tileAt(s, W, H, qx, qy) {
  return tiles(s, W, H).find((t) => qx >= t.x && qx < t.x + t.w && qy >= t.y && qy < t.y + t.h) || null;
}

/** The indexes of the images on screen. */
export function visibleIndexes(s) {
  if (!s.images.length) return [];
  return s.layout === 'single' ? [clamp(s.active, 0, s.images.length - 1)] : s.images.map((_, i) => i);
}

/** Back to back, the left breast's column pans mirrored, so both breasts show the same region. */
export function panSign(s, tile) {
  return s.layout === 'grid' && s.pairs && s.mirror && tile.col === 1 ? -1 : 1;
}

/** Where a tile's image sits (null while it is not decoded): fit, box at zoom 1, flip, centre and pan. */
export function geom(s, tile) {
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
  const flip = !!(s.mirror && chestWallFlipped(im.meta, d));
  const sign = panSign(s, tile);
  return { d, im, fit, bw, bh, bx, by, flip, cx: tile.x + tile.w / 2, cy: tile.y + tile.h / 2, sign,
    px: sign * s.panX, py: s.panY };
}

/** Image pixel (px, py) -> canvas point. */
export function toScreen(s, g, px, py) {
  const ix = g.flip ? g.d.width - px : px;
  const bx = g.bx + ix * g.fit;
  const by = g.by + py * g.fit;
  return [g.cx + g.px + (bx - g.cx) * s.zoom, g.cy + g.py + (by - g.cy) * s.zoom];
}

/** Canvas point (qx, qy) -> image pixel (fractional; may lie outside the image). */
export function toImage(s, g, qx, qy) {
  const bx = g.cx + (qx - g.cx - g.px) / s.zoom;
  const by = g.cy + (qy - g.cy - g.py) / s.zoom;
  const ix = (bx - g.bx) / g.fit;
  return [g.flip ? g.d.width - ix : ix, (by - g.by) / g.fit];
}

/**
 * The zoom and pan after zooming by `factor` around the canvas point (qx, qy) of `tile` (its centre when qx is
 * undefined): the point under it stays where it is.
 */
export function zoomAround(s, tile, factor, qx, qy) {
  const cx = tile.x + tile.w / 2;
  const cy = tile.y + tile.h / 2;
  const x = qx === undefined ? cx : qx;
  const y = qy === undefined ? cy : qy;
  const z = clamp(s.zoom * factor, MIN_ZOOM, MAX_ZOOM);
  const sign = panSign(s, tile);
  const bx = cx + (x - cx - sign * s.panX) / s.zoom;
  const by = cy + (y - cy - s.panY) / s.zoom;
  return { zoom: z, panX: sign * (x - cx - (bx - cx) * z), panY: y - cy - (by - cy) * z };
}
