// Paints one frame of the Annotate viewer's canvas from its state: every tile with its image under the current
// window/level, zoom, pan and mirroring (or "Loading…"), the boxes of detection use cases and the one being drawn,
// each view's name away from the chest wall, and the outline of the active view. No Preact.
import { drawBox } from './annotate-boxes.js';
import { overlayOf } from './annotate-masks.js';
import { viewName } from './annotate-hanging.js';
import { sourceFor } from './annotate-images.js';
import { geom, tiles, toScreen } from './annotate-viewport.js';

/**
 * Paints canvas `c` (resized to its CSS box at the device pixel ratio) for viewer state `s` and viewer props `p`
 * (detection, boxes, selectedBox, colorOf; segmentation, masks, maskColors, opacity, brushSize); true when every
 * tile's image was there to draw.
 */
export function paint(c, s, p) {
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
  for (const tile of tiles(s, W, H)) {
    const g = geom(s, tile);
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
    const [x0, y0] = toScreen(s, g, g.flip ? g.d.width : 0, 0);
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
    // the mask of this image, in its classes' colours at the chosen opacity, pixel for pixel
    const mask = p.segmentation && p.masks && p.masks.byImage.get(g.d.imageId);
    if (mask && mask.width === g.d.width && mask.height === g.d.height) {
      ctx.save();
      ctx.globalAlpha = p.opacity === undefined ? 0.45 : p.opacity;
      ctx.imageSmoothingEnabled = false;
      const overlay = overlayOf(mask, p.maskColors || []);
      if (g.flip) {
        ctx.translate(x0 + w, y0);
        ctx.scale(-1, 1);
        ctx.drawImage(overlay, 0, 0, w, h);
      } else {
        ctx.drawImage(overlay, x0, y0, w, h);
      }
      ctx.restore();
    }
    if (p.segmentation) drawPolygonAndBrush(ctx, s, g, tile, p);
    // boxes on this image
    boxes.forEach((b, i) => {
      if (b.imageId !== g.d.imageId) return;
      if (s.preview && s.preview.replace === i) return; // being moved or resized: drawn as the preview below
      drawBox(ctx, s, g, b, p.colorOf ? p.colorOf(b.code) : '#facc15', i === p.selectedBox);
    });
    if (s.preview && s.preview.index === tile.index) {
      const b = s.preview.box;
      drawBox(ctx, s, g, b, p.colorOf ? p.colorOf(b.code) : '#facc15', true, true);
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
  return complete;
}

/** The polygon being drawn on this tile's image, and the brush's outline under the pointer. */
function drawPolygonAndBrush(ctx, s, g, tile, p) {
  const poly = s.polygon;
  if (poly && poly.imageId === g.d.imageId && poly.points.length) {
    ctx.save();
    ctx.strokeStyle = p.brushColor || '#facc15';
    ctx.fillStyle = p.brushColor || '#facc15';
    ctx.lineWidth = 2;
    ctx.beginPath();
    poly.points.forEach(([x, y], i) => {
      const [qx, qy] = toScreen(s, g, x, y);
      if (i === 0) ctx.moveTo(qx, qy);
      else ctx.lineTo(qx, qy);
    });
    if (s.pointer && s.pointer.tile === tile.index) ctx.lineTo(s.pointer.qx, s.pointer.qy);
    ctx.stroke();
    poly.points.forEach(([x, y], i) => {
      const [qx, qy] = toScreen(s, g, x, y);
      ctx.beginPath();
      ctx.arc(qx, qy, i === 0 ? 5 : 3, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.restore();
  }
  if ((s.tool === 'brush' || s.tool === 'erase') && s.pointer && s.pointer.tile === tile.index) {
    ctx.save();
    ctx.strokeStyle = s.tool === 'erase' ? '#ffffff' : (p.brushColor || '#facc15');
    ctx.setLineDash(s.tool === 'erase' ? [4, 3] : []);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(s.pointer.qx, s.pointer.qy, Math.max(1, (p.brushSize || 8) * g.fit * s.zoom), 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }
}
