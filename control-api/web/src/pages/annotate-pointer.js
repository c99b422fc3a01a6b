// Mouse and pen input on the Annotate viewer's canvas: what a drag means (window/level with the right button, the
// W tool or Shift; pan with the middle button or the P tool; a box with the B tool on detection use cases; on
// segmentation use cases a brush or eraser stroke, or a click adding a polygon's corner), a click
// that selects the box under it, a drag inside the selected box that moves it or from its lower right corner that
// resizes it, the wheel zooming around the pointer, the double click between one view and all views, and the
// read-out of the view and pixel value under the pointer. Works on a viewer from createViewer.
import { useEffect } from 'preact/hooks';
import { boxAt, dragBox, snapBox } from './annotate-boxes.js';
import { viewName } from './annotate-hanging.js';
import { beginEdit, endEdit, fillPolygon, stroke } from './annotate-masks.js';
import { clamp, panSign, toImage, toScreen } from './annotate-viewport.js';

/** Screen pixels around a selected box's lower right corner that grab it for resizing. */
const CORNER = 12;

/** The canvas's pointer handlers for viewer `v`; `statusRef` holds the element of the pointer read-out. */
export function pointerHandlers(v, statusRef) {
  const { s, props: P, canvasRef } = v;

  function local(e) {
    const r = canvasRef.current.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  function onPointerDown(e) {
    const [qx, qy] = local(e);
    const tile = v.hit(qx, qy);
    if (!tile) return;
    e.preventDefault();
    if (s.layout === 'grid' && s.active !== tile.index) {
      s.active = tile.index;
      v.schedule();
    }
    let mode = null;
    if (e.button === 2 || (e.button === 0 && (s.tool === 'wl' || e.shiftKey))) mode = 'wl';
    else if (e.button === 1 || (e.button === 0 && s.tool === 'pan')) mode = 'pan';
    else if (e.button === 0 && s.tool === 'box' && P.current.detection) mode = 'box';
    else if (e.button === 0 && (s.tool === 'brush' || s.tool === 'erase') && P.current.segmentation) mode = 'paint';
    else if (e.button === 0 && s.tool === 'polygon' && P.current.segmentation) mode = 'polygon';
    if (!mode) return;
    canvasRef.current.setPointerCapture(e.pointerId);
    const g = v.geomOf(tile);
    s.drag = { mode, x0: qx, y0: qy, tile, g, window: s.window, level: s.level, panX: s.panX, panY: s.panY,
      p0: g ? toImage(s, g, qx, qy) : null, moved: false, edit: mode === 'box' && g ? editOf(g, qx, qy) : null };
    if (mode === 'paint' && g) {
      const p = P.current;
      s.drag.paint = beginEdit(p.masks, g.im.meta);
      stroke(s.drag.paint, s.drag.p0[0], s.drag.p0[1], p.brushSize || 8, s.tool === 'erase' ? 0 : p.maskValue || 1);
      v.schedule();
    }
  }

  /** Closes the polygon being drawn: fills it with the chosen class and records the edit; false under 3 corners. */
  function closePolygon() {
    const poly = s.polygon;
    s.polygon = null;
    v.schedule();
    if (!poly || poly.points.length < 3) return false;
    const p = P.current;
    const meta = s.images.map((im) => im.meta).find((m) => m.imageId === poly.imageId);
    if (!meta) return false;
    const edit = beginEdit(p.masks, meta);
    fillPolygon(edit, poly.points, p.maskValue || 1);
    if (endEdit(p.masks, edit) && p.onMasksChange) p.onMasksChange();
    return true;
  }
  v.closePolygon = closePolygon;

  /** A drag on the selected box: from its lower right corner it resizes it, from inside it moves it; else null. */
  function editOf(g, qx, qy) {
    const p = P.current;
    const index = p.selectedBox;
    const b = index === null || index === undefined ? null : (p.boxes || [])[index];
    if (!b || b.imageId !== g.d.imageId) return null;
    // the corner shown at the lower right (a mirrored view shows the image's right edge on the left); the resize
    // keeps the image corner opposite to it
    const xs = [b.x, b.x + b.width];
    const ys = [b.y, b.y + b.height];
    let best = null;
    xs.forEach((x, i) => ys.forEach((y, j) => {
      const [sx, sy] = toScreen(s, g, x, y);
      if (!best || sx + sy > best.sx + best.sy) best = { sx, sy, anchor: [xs[1 - i], ys[1 - j]] };
    }));
    if (Math.abs(qx - best.sx) <= CORNER && Math.abs(qy - best.sy) <= CORNER) {
      return { kind: 'resize', index, box: b, anchor: best.anchor };
    }
    const [ix, iy] = toImage(s, g, qx, qy);
    if (ix >= b.x && ix <= b.x + b.width && iy >= b.y && iy <= b.y + b.height) return { kind: 'move', index, box: b };
    return null;
  }

  function onPointerMove(e) {
    const [qx, qy] = local(e);
    const drag = s.drag;
    if (P.current.segmentation) { // the brush outline and the polygon's next edge follow the pointer
      const tile = v.hit(qx, qy);
      s.pointer = tile ? { tile: tile.index, qx, qy } : null;
      if (!drag) v.schedule();
    }
    if (!drag) {
      showStatus(qx, qy);
      return;
    }
    const dx = qx - drag.x0;
    const dy = qy - drag.y0;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.mode === 'wl') {
      v.setWl(drag.window + dx, drag.level + dy * 0.5);
    } else if (drag.mode === 'pan') {
      s.panX = drag.panX + panSign(s, drag.tile) * dx;
      s.panY = drag.panY + dy;
      v.schedule();
    } else if (drag.mode === 'paint' && drag.paint) {
      const [ix, iy] = toImage(s, drag.g, qx, qy);
      const p = P.current;
      stroke(drag.paint, ix, iy, p.brushSize || 8, s.tool === 'erase' ? 0 : p.maskValue || 1);
      v.schedule();
    } else if (drag.mode === 'box' && drag.g && drag.moved && drag.edit) {
      const b = drag.edit.box;
      const [ix, iy] = toImage(s, drag.g, qx, qy);
      const d = drag.g.d;
      const box = drag.edit.kind === 'resize' ? dragBox(d, drag.edit.anchor, [ix, iy], b.code)
        : { imageId: b.imageId, x: clamp(b.x + ix - drag.p0[0], 0, d.width - b.width),
          y: clamp(b.y + iy - drag.p0[1], 0, d.height - b.height), width: b.width, height: b.height, code: b.code };
      s.preview = { index: drag.tile.index, box, replace: drag.edit.index };
      v.schedule();
    } else if (drag.mode === 'box' && drag.g && drag.moved) {
      s.preview = { index: drag.tile.index,
        box: dragBox(drag.g.d, drag.p0, toImage(s, drag.g, qx, qy), P.current.boxCode) };
      v.schedule();
    }
    showStatus(qx, qy);
  }

  function onPointerUp(e) {
    const drag = s.drag;
    s.drag = null;
    if (!drag) return;
    if (canvasRef.current.hasPointerCapture(e.pointerId)) canvasRef.current.releasePointerCapture(e.pointerId);
    if (drag.mode === 'paint' && drag.paint) {
      if (endEdit(P.current.masks, drag.paint) && P.current.onMasksChange) P.current.onMasksChange();
      v.schedule();
      return;
    }
    if (drag.mode === 'polygon' && drag.g && !drag.moved) {
      addCorner(drag.g, drag.x0, drag.y0);
      return;
    }
    if (drag.mode !== 'box' || !drag.g) return;
    const p = P.current;
    if (!drag.moved) {
      // a click: select the box under the pointer (the smallest one), or none
      const [ix, iy] = drag.p0;
      const best = boxAt(p.boxes || [], drag.g.d.imageId, ix, iy);
      if (p.onSelectBox) p.onSelectBox(best);
      return;
    }
    const pv = s.preview;
    s.preview = null;
    if (pv && pv.replace !== undefined && pv.box.width >= 1 && pv.box.height >= 1 && p.onBoxesChange) {
      // a moved or resized box: a new object of the annotator's (a suggestion's marks go with the old one)
      p.onBoxesChange((p.boxes || []).map((b, i) => (i === pv.replace ? snapBox(pv.box) : b)));
      if (p.onSelectBox) p.onSelectBox(pv.replace);
    } else if (pv && pv.replace === undefined && pv.box.width >= 2 && pv.box.height >= 2 && p.onBoxesChange) {
      const next = [...(p.boxes || []), snapBox(pv.box)];
      p.onBoxesChange(next);
      if (p.onSelectBox) p.onSelectBox(null); // a number key now chooses the category of the next box
    }
    v.schedule();
  }

  /**
   * A click with the polygon tool: a corner at the clicked pixel of that image (clamped to it); a click on the first
   * corner of three or more closes the polygon. A click on another image starts a new polygon there.
   */
  function addCorner(g, qx, qy) {
    const [ix, iy] = toImage(s, g, qx, qy);
    const point = [clamp(ix, 0, g.d.width), clamp(iy, 0, g.d.height)];
    const poly = s.polygon;
    if (poly && poly.imageId === g.d.imageId && poly.points.length >= 3) {
      const [fx, fy] = toScreen(s, g, poly.points[0][0], poly.points[0][1]);
      if (Math.hypot(qx - fx, qy - fy) <= 8) {
        closePolygon();
        return;
      }
    }
    if (!poly || poly.imageId !== g.d.imageId) s.polygon = { imageId: g.d.imageId, points: [point] };
    else poly.points.push(point);
    v.schedule();
  }

  function onPointerLeave() {
    if (s.pointer) {
      s.pointer = null;
      v.schedule();
    }
    if (statusRef.current && !s.drag) statusRef.current.textContent = '';
  }

  function showStatus(qx, qy) {
    const el = statusRef.current;
    if (!el) return;
    const tile = v.hit(qx, qy);
    const g = tile && v.geomOf(tile);
    if (!g) {
      el.textContent = '';
      return;
    }
    const [ix, iy] = toImage(s, g, qx, qy);
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
    v.zoomAt(Math.exp(-e.deltaY * unit * 0.0015), qx, qy);
  }

  function onDblClick(e) {
    const [qx, qy] = local(e);
    const tile = v.hit(qx, qy);
    if (s.tool === 'box' && P.current.detection) return;
    if (P.current.segmentation && (s.tool === 'brush' || s.tool === 'erase')) return;
    if (P.current.segmentation && s.tool === 'polygon') {
      closePolygon();
      return;
    }
    if (s.layout === 'grid' && tile) v.selectView(tile.index);
    else v.showAll();
  }

  return { onPointerDown, onPointerMove, onPointerUp, onPointerLeave, onWheel, onDblClick };
}

/** Listens to the wheel on the canvas (not passive, so the page does not scroll while zooming). */
export function useWheel(canvasRef, onWheel) {
  useEffect(() => {
    const c = canvasRef.current;
    c.addEventListener('wheel', onWheel, { passive: false });
    return () => c.removeEventListener('wheel', onWheel);
  }, []);
}
