// The box layer of the Annotate viewer (detection use cases): boxes are {imageId, x, y, width, height, code} in PNG
// pixels. This draws a box on the canvas over its image, finds the box under a click, turns a drag into a box
// inside the image, and snaps a finished box to whole pixels. No Preact.
import { clamp, toScreen } from './annotate-viewport.js';

/** Draws box `b` over the image placed at `g` (see geom), with its category as a tab on its top edge. */
export function drawBox(ctx, s, g, b, color, selected, dashed) {
  const [ax, ay] = toScreen(s, g, b.x, b.y);
  const [bx, by] = toScreen(s, g, b.x + b.width, b.y + b.height);
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

/** The index of the smallest box of image `imageId` that holds the image point (ix, iy), or null. */
export function boxAt(boxes, imageId, ix, iy) {
  let best = null;
  boxes.forEach((b, i) => {
    if (b.imageId === imageId && ix >= b.x && ix <= b.x + b.width && iy >= b.y && iy <= b.y + b.height
      && (best === null || b.width * b.height < boxes[best].width * boxes[best].height)) best = i;
  });
  return best;
}

/** The box dragged on decoded image `d` from image point p0 to p1, cut to the image, of category `code`. */
export function dragBox(d, p0, p1, code) {
  const ax = clamp(p0[0], 0, d.width);
  const ay = clamp(p0[1], 0, d.height);
  const bx = clamp(p1[0], 0, d.width);
  const by = clamp(p1[1], 0, d.height);
  return { imageId: d.imageId, x: Math.min(ax, bx), y: Math.min(ay, by), width: Math.abs(bx - ax),
    height: Math.abs(by - ay), code };
}

/** A dragged box on whole pixels: the smallest integer box that covers it (at least 1 × 1). */
export function snapBox(b) {
  const x = Math.floor(b.x);
  const y = Math.floor(b.y);
  return { imageId: b.imageId, x, y, width: Math.max(1, Math.ceil(b.x + b.width) - x),
    height: Math.max(1, Math.ceil(b.y + b.height) - y), code: b.code };
}
