// Every keyboard shortcut of the Annotate page, and its help list. The page's keys: number keys label the study (or
// choose the category of boxes or of the mask painted), S skips, Z goes back to the last labelled study, Enter / N / Del for boxes, Esc
// closes a menu or leaves a revisited study. The viewer's keys: mouse tools, zoom, invert, auto window, reset and
// stepping through the views. Shortcuts pause while the user types in a field or holds a modifier.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../ui.js';

/** True when a key event should not trigger shortcuts: the user is typing, or a modifier is held. */
export function typing(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  const el = e.target;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/** Keys 1..9 then 0 for the first ten categories. */
export function keyFor(i) {
  return i < 9 ? String(i + 1) : i === 9 ? '0' : null;
}

/** A key as the shortcuts name it: single characters in lower case, others (Enter, ArrowLeft) as they are. */
function keyOf(e) {
  return e.key.length === 1 ? e.key.toLowerCase() : e.key;
}

/**
 * The page's shortcuts. `keys` is what the handler works on, taken afresh at every render: menu, setMenu, cats,
 * detection, boxes, setBoxes, selectedBox, setSelectedBox, setBoxCode, onScreen and blocking (refs), and the actions
 * label, saveBoxes, skip, open, backToQueue, lastLabelled. Returns whether the user is typing in a field now.
 */
export function usePageKeys(keys) {
  const [typingNow, setTypingNow] = useState(false);
  // a ref keeps the handler current without re-subscribing
  const onKey = useRef(null);
  onKey.current = (e) => pageKey(e, keys);
  useEffect(() => {
    const handler = (e) => onKey.current(e);
    const focus = () => setTypingNow(typing({ target: document.activeElement }));
    const blur = () => setTimeout(focus, 0);
    addEventListener('keydown', handler);
    addEventListener('focusin', focus);
    addEventListener('focusout', blur);
    return () => {
      removeEventListener('keydown', handler);
      removeEventListener('focusin', focus);
      removeEventListener('focusout', blur);
    };
  }, []);
  return typingNow;
}

function pageKey(e, { menu, setMenu, cats, detection, boxes, setBoxes, selectedBox, setSelectedBox, setBoxCode,
  onScreen, blocking, label, saveBoxes, skip, open, backToQueue, lastLabelled, segmentation, masksKeys }) {
  if (e.defaultPrevented) return; // the viewer took it (a polygon's Enter or Esc)
  if (segmentation && (e.ctrlKey || e.metaKey) && !e.altKey && !typing({ target: e.target })) {
    const z = keyOf(e);
    if (z === 'z' || z === 'y') {
      e.preventDefault();
      masksKeys.undo(z === 'y' || e.shiftKey);
    }
    return;
  }
  if (e.key === 'Escape') {
    if (menu) setMenu(null);
    else if (typing(e)) return;
    else if (onScreen.current.mode.kind === 'revisit') backToQueue();
    else if (selectedBox !== null) setSelectedBox(null);
    return;
  }
  if (typing(e)) return;
  const k = keyOf(e);
  const shown = onScreen.current;
  const active = (shown.mode.kind === 'queue' || shown.mode.kind === 'revisit') && shown.study && !blocking.current;
  const digit = /^[0-9]$/.test(k) ? (k === '0' ? 9 : Number(k) - 1) : -1;
  if (digit >= 0 && digit < cats.length && active) {
    e.preventDefault();
    if (e.repeat) return; // holding a key must not label a run of studies
    const code = cats[digit].code;
    if (segmentation) masksKeys.setCode(code);
    else if (!detection) label(code, performance.now());
    else if (selectedBox !== null && boxes[selectedBox]) {
      setBoxes(boxes.map((b, i) => (i === selectedBox ? { ...b, code } : b)));
      setBoxCode(code);
    } else setBoxCode(code);
    return;
  }
  if (k === 'z' && !e.repeat && !blocking.current && lastLabelled()
    && ['queue', 'revisit', 'done', 'finished'].includes(shown.mode.kind)) {
    e.preventDefault();
    open(lastLabelled(), 'annotated', performance.now());
    return;
  }
  if (segmentation && active && (k === '[' || k === ']')) {
    e.preventDefault();
    masksKeys.brush(k === ']' ? 1 : -1);
    return;
  }
  if (!active || e.repeat) return;
  if (segmentation && k === 'Enter' && !(e.target && e.target.closest && e.target.closest('button, a'))) {
    e.preventDefault();
    masksKeys.save();
  } else if (segmentation && k === 'n') {
    e.preventDefault();
    masksKeys.nothing();
  } else if (k === 's' && !shown.study.annotation) {
    e.preventDefault();
    skip(performance.now());
  } else if (detection && k === 'Enter' && boxes.length && !(e.target && e.target.closest && e.target.closest('button, a'))) {
    e.preventDefault();
    saveBoxes(boxes, performance.now());
  } else if (detection && k === 'n') {
    e.preventDefault();
    saveBoxes([], performance.now());
  } else if (detection && (k === 'Delete' || k === 'Backspace') && selectedBox !== null) {
    e.preventDefault();
    setBoxes(boxes.filter((_, i) => i !== selectedBox));
    setSelectedBox(null);
  }
}

/**
 * The viewer's shortcuts, on viewer `v` (createViewer); B (draw box) only for detection use cases; D, E, F (brush,
 * eraser, polygon) and the polygon's Enter, Backspace and Esc only for segmentation use cases. PageUp and PageDown
 * step through the views (a series' slices) like the arrow keys.
 */
export function useViewerKeys(v, detection, segmentation) {
  useEffect(() => {
    function onKey(e) {
      if (typing(e) || e.defaultPrevented) return;
      const k = keyOf(e);
      if (segmentation && v.s.polygon) {
        const poly = v.s.polygon;
        let fn = null;
        if (k === 'Enter') fn = () => v.closePolygon();
        else if (k === 'Escape') fn = () => { v.s.polygon = null; v.schedule(); };
        else if (k === 'Backspace') {
          fn = () => {
            poly.points.pop();
            if (!poly.points.length) v.s.polygon = null;
            v.schedule();
          };
        }
        if (fn) {
          e.preventDefault();
          fn();
          return;
        }
      }
      const act = {
        r: v.reset, g: v.toggleLayout, p: () => v.setTool('pan'), w: () => v.setTool('wl'), i: v.toggleInvert,
        a: v.autoWl, '+': () => v.zoomAt(1.25), '=': () => v.zoomAt(1.25), '-': () => v.zoomAt(0.8),
        ArrowLeft: () => v.step(-1), ArrowRight: () => v.step(1), PageUp: () => v.step(-1),
        PageDown: () => v.step(1),
      };
      if (detection) act.b = () => v.setTool('box');
      if (segmentation) {
        act.d = () => v.setTool('brush');
        act.e = () => v.setTool('erase');
        act.f = () => v.setTool('polygon');
      }
      const fn = act[k];
      if (!fn) return;
      e.preventDefault();
      fn();
    }
    // in the capture phase, so the viewer's keys (a polygon's Enter) come before the page's (Enter saves)
    addEventListener('keydown', onKey, true);
    return () => removeEventListener('keydown', onKey, true);
  }, [detection, segmentation]);
}

/** The list of shortcuts beside the viewer. */
export function ShortcutHelp({ cats, detection, segmentation }) {
  return html`<details class="shortcuts">
    <summary>Keyboard shortcuts</summary>
    <dl>
      <dt><kbd>1</kbd>–<kbd>${keyFor(Math.min(cats.length, 10) - 1)}</kbd></dt>
      <dd>${detection ? 'choose the category of new (or the selected) box'
        : segmentation ? 'choose the category to paint' : 'save that category and go on'}</dd>
      ${detection && html`<dt><kbd>Enter</kbd> / <kbd>N</kbd></dt><dd>save the boxes / nothing found, and go on</dd>
        <dt><kbd>Del</kbd></dt><dd>delete the selected box</dd>`}
      ${segmentation && html`<dt><kbd>Enter</kbd> / <kbd>N</kbd></dt><dd>save the masks / nothing found, and go on
        (Enter closes a polygon first)</dd>
        <dt><kbd>D</kbd> <kbd>E</kbd> <kbd>F</kbd></dt><dd>brush, eraser, polygon</dd>
        <dt><kbd>[</kbd> <kbd>]</kbd></dt><dd>smaller / larger brush</dd>
        <dt><kbd>Ctrl</kbd>+<kbd>Z</kbd> / <kbd>Ctrl</kbd>+<kbd>Y</kbd></dt><dd>undo / redo a stroke or fill</dd>
        <dt><kbd>PgUp</kbd> <kbd>PgDn</kbd></dt><dd>the slice before / after</dd>`}
      <dt><kbd>S</kbd></dt><dd>skip this study</dd>
      <dt><kbd>Z</kbd></dt><dd>back to the study labelled last</dd>
      <dt><kbd>←</kbd> <kbd>→</kbd> / <kbd>G</kbd></dt><dd>one view after the other / all views</dd>
      <dt><kbd>P</kbd> <kbd>W</kbd>${detection && html` <kbd>B</kbd>`}</dt>
      <dd>mouse tool: pan, window/level${detection ? ', draw box' : ''}</dd>
      <dt><kbd>A</kbd> <kbd>I</kbd> <kbd>R</kbd></dt><dd>auto window, invert, reset the view</dd>
      <dt><kbd>Esc</kbd></dt><dd>close a menu; leave a revisited study</dd>
    </dl>
  </details>`;
}
