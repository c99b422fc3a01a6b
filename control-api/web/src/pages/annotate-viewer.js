// The image viewer of the Annotate page: a study's views on one <canvas>, either all at once (a hanging protocol:
// CC on top, MLO below, the right breast on the left, chest walls back to back) or one view large, with a strip of
// thumbnails to pick from. Window/level is a lookup table over the 8-bit pixels (cached per image and setting),
// zoom follows the wheel around the pointer, pan follows a drag. For detection use cases it draws and edits boxes
// in PNG pixel coordinates; for segmentation use cases it paints masks (brush, eraser, polygon) over each image and
// shows a series (CT, MR) one slice at a time, in slice order. Decoded images are cached, so moving between views and studies is instant.
// This module is the Preact component (toolbar, thumbnails, canvas, status line); the pieces live beside it: the
// state and actions (annotate-viewer-state.js), the image cache (annotate-images.js), the geometry
// (annotate-viewport.js, annotate-hanging.js), the painting (annotate-paint.js, annotate-boxes.js), mouse input
// (annotate-pointer.js) and keys (annotate-keys.js).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../ui.js';
import { chestWallFlipped, viewName } from './annotate-hanging.js';
import { useViewerKeys } from './annotate-keys.js';
import { pointerHandlers, useWheel } from './annotate-pointer.js';
import { createViewer } from './annotate-viewer-state.js';

/**
 * props: datasetId, study ({studyUid, images}), requestedAt (a ref: when the user asked for this study, for the
 * switch time), onDrawn(studyUid) after a study is first drawn, detection (bool), boxes, selectedBox,
 * onBoxesChange(boxes), onSelectBox(index|null), boxCode, colorOf(code); segmentation (bool), masks (see
 * annotate-masks.js), maskVersion, maskValue (the class painted), maskColors, brushColor, brushSize (radius in PNG
 * pixels), opacity, onMasksChange() after an edit.
 */
export function Viewer(props) {
  const { datasetId, study, requestedAt, detection, segmentation } = props;
  const rootRef = useRef(null);
  const canvasRef = useRef(null);
  const statusRef = useRef(null);
  const P = useRef(props);
  P.current = props;
  const [, setTick] = useState(0);
  const V = useRef(null);
  if (!V.current) {
    const v = createViewer({ rootRef, canvasRef, props: P, rerender: () => setTick((t) => t + 1), detection,
      segmentation });
    V.current = { v, input: pointerHandlers(v, statusRef) };
  }
  const { v, input } = V.current;

  // -- a new study (drawn before the browser paints, so the old study never shows under the new one's label) --
  const imageKey = study ? `${study.studyUid}|${study.images.map((i) => i.imageId).join(',')}` : '';
  useLayoutEffect(() => {
    v.showStudy(study, datasetId, requestedAt);
  }, [imageKey, datasetId]);

  // boxes and selection changes only need a redraw
  useEffect(() => { v.schedule(); }, [props.boxes, props.selectedBox, props.maskVersion, props.opacity,
    props.maskValue, props.brushSize]);

  // keep the canvas sized to its box
  useEffect(() => {
    const c = canvasRef.current;
    const ro = new ResizeObserver(() => v.draw());
    ro.observe(c);
    return () => ro.disconnect();
  }, []);

  useWheel(canvasRef, input.onWheel);
  useViewerKeys(v, detection, segmentation);
  useEffect(() => () => v.cancel(), []);

  // -- markup --
  const s = v.s;
  const tools = [
    ['pan', 'Pan', 'P', 'Drag to move the images'],
    ['wl', 'Window/level', 'W', 'Drag left/right for contrast (window), up/down for brightness (level)'],
  ];
  if (detection) {
    tools.push(['box', 'Draw box', 'B', 'Drag on a view to draw a box around a finding; drag a selected box to move '
      + 'it, or its lower right corner to resize it']);
  }
  if (segmentation) {
    tools.push(['brush', 'Brush', 'D', 'Drag to paint the chosen category; [ and ] change the brush size'],
      ['erase', 'Eraser', 'E', 'Drag to erase any category'],
      ['polygon', 'Polygon', 'F', 'Click the corners of an outline; click the first corner, double-click or press '
        + 'Enter to fill it with the chosen category; Esc drops it, Backspace its last corner']);
  }
  return html`<div class="viewer" ref=${rootRef} data-testid="viewer">
    <div class="viewer-toolbar" role="toolbar" aria-label="Image tools">
      <div class="seg" role="group" aria-label="Mouse tool">
        ${tools.map(([id, label, key, help]) => html`<button type="button" class=${s.tool === id ? 'on' : ''}
          aria-pressed=${s.tool === id} data-tool=${id} title=${`${help} (key ${key})`}
          onClick=${() => v.setTool(id)}>${label} <kbd>${key}</kbd></button>`)}
      </div>
      <label class="wl-field" title="Window width: the range of grey values spread from black to white">W
        <input type="number" min="2" max="512" value=${s.window} data-testid="wl-window"
          onInput=${(e) => e.currentTarget.value !== '' && v.setWl(+e.currentTarget.value, s.level)}
          onKeyDown=${blurOnEnter} /></label>
      <label class="wl-field" title="Window level: the grey value in the middle of the window">L
        <input type="number" min="0" max="255" value=${s.level} data-testid="wl-level"
          onInput=${(e) => e.currentTarget.value !== '' && v.setWl(s.window, +e.currentTarget.value)}
          onKeyDown=${blurOnEnter} /></label>
      <button type="button" onClick=${v.autoWl} title="Fit the window to the breast tissue (key A)">Auto <kbd>A</kbd></button>
      <button type="button" class=${s.invert ? 'on' : ''} aria-pressed=${s.invert} title="Invert grey values (key I)"
        onClick=${v.toggleInvert}>Invert <kbd>I</kbd></button>
      <span class="zoom-group">
        <button type="button" aria-label="Zoom out" title="Zoom out (key −; or the mouse wheel)"
          onClick=${() => v.zoomAt(0.8)}>−</button>
        <span class="zoom-value" data-testid="zoom-value" title="Zoom">${Math.round(s.zoom * 100)} %</span>
        <button type="button" aria-label="Zoom in" title="Zoom in (key +; or the mouse wheel)"
          onClick=${() => v.zoomAt(1.25)}>+</button>
      </span>
      <button type="button" data-testid="viewer-reset" onClick=${v.reset}
        title="Back to fit, no pan, default window/level (key R)">Reset <kbd>R</kbd></button>
      <span class="spacer"></span>
      <label class="check" title="Show right and left views back to back, chest walls towards the middle">
        <input type="checkbox" checked=${s.mirror} onChange=${(e) => v.setMirror(e.currentTarget.checked)} />
        Back to back</label>
    </div>
    <div class="viewer-body">
      <div class="thumbs" role="group" aria-label="Views of this study">
        ${s.images.length > 1 && html`<button type="button" aria-pressed=${s.layout === 'grid'}
          class=${`thumb all ${s.layout === 'grid' ? 'on' : ''}`} data-testid="thumb-all"
          title="All views side by side (key G toggles)" onClick=${() => v.showAll()}>
          <span class="all-icon">${s.images.slice(0, 4).map(() => html`<i></i>`)}</span>
          <span class="thumb-label">All views <kbd>G</kbd></span></button>`}
        ${s.images.map((im, i) => html`<button type="button" key=${im.meta.imageId}
          aria-pressed=${s.layout === 'single' && s.active === i} data-image-id=${im.meta.imageId}
          class=${`thumb ${s.layout === 'single' && s.active === i ? 'on' : ''}`} data-testid="thumb"
          title=${`Show ${viewName(im.meta)} alone (arrow keys step through the views)`}
          onClick=${(e) => v.selectView(i, e.timeStamp || performance.now())}>
          <${Thumb} d=${im.d} flip=${im.d && s.mirror && chestWallFlipped(im.meta, im.d)} />
          <span class="thumb-label">${viewName(im.meta)}</span></button>`)}
      </div>
      <div class="canvas-wrap">
        <canvas ref=${canvasRef} class=${`tool-${s.tool}`} data-testid="viewer-canvas" aria-label="Study images; wheel to zoom, drag to pan or window"
          onPointerDown=${input.onPointerDown} onPointerMove=${input.onPointerMove} onPointerUp=${input.onPointerUp}
          onPointerCancel=${input.onPointerUp} onDblClick=${input.onDblClick} onPointerLeave=${input.onPointerLeave}
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
