// The Annotate viewer's state and the actions on it, outside Preact: what is shown (the study's views in hanging
// order, grid or one view), the mouse tool, window/level, invert, mirroring, zoom and pan. Actions change the state
// and schedule a redraw on the next animation frame; showing a study or view makes sure its images are decoded,
// draws them and records how long the switch took (window.__radlabViewer, data-switch-ms). The state is mirrored
// into data-* attributes of the viewer's root element, which the page's tests read.
import { hang } from './annotate-hanging.js';
import { DEFAULT_WL, dropRendering, loadImage, peek } from './annotate-images.js';
import { paint } from './annotate-paint.js';
import { clamp, geom, tileAt, tiles, visibleIndexes, zoomAround } from './annotate-viewport.js';

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

/**
 * A viewer's controller. rootRef and canvasRef hold the viewer's root element and canvas, props is a ref to the
 * viewer's current props (datasetId, detection, boxes, selectedBox, colorOf, onDrawn), rerender() refreshes the
 * toolbar; detection sets the first mouse tool (boxes, else pan).
 */
export function createViewer({ rootRef, canvasRef, props, rerender, detection, segmentation }) {
  const s = {
    tool: detection ? 'box' : segmentation ? 'brush' : 'pan', polygon: null, pointer: null, layout: 'grid', active: 0, ...DEFAULT_WL, invert: false, mirror: true,
    zoom: 1, panX: 0, panY: 0, images: [], cols: 2, pairs: false, studyUid: null, drawnUid: null, drag: null,
    preview: null, pending: null, loadToken: 0, failed: null,
  };
  let frame = 0;

  // -- geometry on the live canvas --
  function size() {
    const c = canvasRef.current;
    return c ? [c.clientWidth, c.clientHeight] : [0, 0];
  }

  function hit(qx, qy) {
    const [W, H] = size();
    return tileAt(s, W, H, qx, qy);
  }

  // -- drawing --
  function draw() {
    const c = canvasRef.current;
    const root = rootRef.current;
    if (!c || !root) return false;
    const complete = paint(c, s, props.current);
    root.dataset.ready = complete ? 'true' : 'false';
    syncAttrs();
    return complete;
  }

  /** The viewer's state as data-* attributes: what the page and tests read. */
  function syncAttrs() {
    const root = rootRef.current;
    if (!root) return;
    const p = props.current;
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
    ds.polygon = String(s.polygon ? s.polygon.points.length : 0);
  }

  /** Redraws on the next frame and refreshes the toolbar. */
  function schedule() {
    syncAttrs();
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
      rerender();
    });
  }

  /** Stops a redraw still waiting for its frame (when the viewer goes away). */
  function cancel() {
    cancelAnimationFrame(frame);
  }

  /** Draws now; when `t0` is given and everything visible is drawn, records the switch time. */
  function drawNow(kind, t0, extra) {
    const done = draw();
    if (done && t0 !== undefined) recordSwitch(rootRef.current, kind, t0, extra);
    rerender();
    return done;
  }

  /** Makes sure the visible images are decoded, then draws and records the switch. */
  function showVisible(kind, t0, arrived = performance.now()) {
    const token = s.loadToken;
    const missing = visibleIndexes(s).filter((i) => !s.images[i].d);
    // for the benchmark: how long the page waited for the API, and whether the images were decoded already
    const extra = { waitMs: Math.round((arrived - t0) * 10) / 10, cached: !missing.length };
    if (!missing.length) {
      const done = drawNow(kind, t0, extra);
      if (done && kind === 'study') afterStudyDrawn();
      return;
    }
    drawNow();
    Promise.all(missing.map((i) => loadImage(props.current.datasetId, s.images[i].meta.imageId).then((d) => {
      if (s.loadToken === token) s.images[i].d = d;
    }))).then(() => {
      if (s.loadToken !== token) return;
      s.failed = null;
      const done = drawNow(kind, t0, extra);
      if (done && kind === 'study') afterStudyDrawn();
    }).catch((e) => {
      if (s.loadToken !== token) return;
      s.failed = e;
      drawNow();
      rerender();
    });
  }

  function afterStudyDrawn() {
    if (s.drawnUid === s.studyUid) return;
    s.drawnUid = s.studyUid;
    // the other views of this study, then whatever the page wants prefetched
    s.images.forEach((im, i) => {
      if (!im.d) {
        loadImage(props.current.datasetId, im.meta.imageId).then((d) => {
          if (s.images[i] === im) {
            im.d = d;
            schedule();
          }
        }).catch(() => {});
      }
    });
    if (props.current.onDrawn) props.current.onDrawn(s.studyUid);
  }

  /**
   * Shows a new study ({studyUid, images}, or null) of dataset `datasetId`, at fit with no pan; `requestedAt` is a
   * ref to when the user asked for it (read and cleared), for the switch time.
   */
  function showStudy(study, datasetId, requestedAt) {
    const t0 = (requestedAt && requestedAt.current) || performance.now();
    if (requestedAt) requestedAt.current = null;
    s.loadToken += 1;
    const { ordered, cols, pairs, series } = hang(study ? study.images : []);
    const keep = new Set(ordered.map((m) => m.imageId));
    s.images.forEach((im) => {
      // the window/level renderings of images no longer shown: memory, not needed until they come back
      if (im.d && !keep.has(im.meta.imageId)) dropRendering(im.d);
    });
    s.images = ordered.map((meta) => ({ meta, d: peek(datasetId, meta.imageId) }));
    s.cols = cols;
    s.pairs = pairs;
    s.active = clamp(s.active, 0, Math.max(0, s.images.length - 1));
    if (series) { // a series is read one slice at a time, from the middle one
      s.layout = 'single';
      s.active = Math.floor(s.images.length / 2);
    } else if (s.series) {
      s.layout = 'grid';
    }
    s.series = !!series;
    s.polygon = null;
    s.zoom = 1;
    s.panX = 0;
    s.panY = 0;
    s.preview = null;
    s.failed = null;
    s.studyUid = study ? study.studyUid : null;
    s.drawnUid = null;
    showVisible('study', t0);
  }

  // -- actions --
  function setTool(tool) {
    s.tool = tool;
    if (tool !== 'polygon') s.polygon = null;
    schedule();
  }

  function selectView(i, t0 = performance.now()) {
    s.layout = 'single';
    s.active = clamp(i, 0, s.images.length - 1);
    showVisible('view', t0);
  }

  function showAll(t0 = performance.now()) {
    s.layout = 'grid';
    showVisible('view', t0);
  }

  function toggleLayout() {
    if (s.layout === 'grid') selectView(s.active);
    else showAll();
  }

  function step(delta) {
    const n = s.images.length;
    if (!n) return;
    selectView((s.active + delta + n) % n);
  }

  function reset() {
    Object.assign(s, { zoom: 1, panX: 0, panY: 0, ...DEFAULT_WL, invert: false });
    schedule();
  }

  /** Zooms by `factor` around the canvas point (qx, qy), or around the first tile's centre without one. */
  function zoomAt(factor, qx, qy) {
    const [W, H] = size();
    const tile = (qx === undefined ? null : hit(qx, qy)) || tiles(s, W, H)[0];
    if (!tile) return;
    Object.assign(s, zoomAround(s, tile, factor, qx, qy));
    schedule();
  }

  function setWl(window, level) {
    s.window = clamp(Math.round(window), 2, 512);
    s.level = clamp(Math.round(level), 0, 255);
    schedule();
  }

  /** A window over the tissue of every visible image. */
  function autoWl() {
    const ds = visibleIndexes(s).map((i) => s.images[i].d).filter(Boolean);
    if (!ds.length) return;
    const lo = Math.min(...ds.map((d) => d.auto.level - d.auto.window / 2));
    const hi = Math.max(...ds.map((d) => d.auto.level + d.auto.window / 2));
    setWl(hi - lo, (hi + lo) / 2);
  }

  function toggleInvert() {
    s.invert = !s.invert;
    schedule();
  }

  function setMirror(mirror) {
    s.mirror = mirror;
    schedule();
  }

  return { s, props, canvasRef, size, hit, geomOf: (tile) => geom(s, tile), draw, schedule, cancel, showStudy,
    setTool, selectView, showAll, toggleLayout, step, reset, zoomAt, setWl, autoWl, toggleInvert, setMirror };
}
