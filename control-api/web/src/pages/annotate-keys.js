// The Annotate viewer's keyboard shortcuts: mouse tools, zoom, invert, auto window, reset and stepping through the
// views. They pause while the user types in a field or holds a modifier (typing(), which the page's own shortcuts
// use too).
import { useEffect } from 'preact/hooks';

/** True when a key event should not trigger shortcuts: the user is typing, or a modifier is held. */
export function typing(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  const el = e.target;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/** A key as the shortcuts name it: single characters in lower case, others (Enter, ArrowLeft) as they are. */
function keyOf(e) {
  return e.key.length === 1 ? e.key.toLowerCase() : e.key;
}

/** The viewer's shortcuts, on viewer `v` (createViewer); B (draw box) only for detection use cases. */
export function useViewerKeys(v, detection) {
  useEffect(() => {
    function onKey(e) {
      if (typing(e) || e.defaultPrevented) return;
      const k = keyOf(e);
      const act = {
        r: v.reset, g: v.toggleLayout, p: () => v.setTool('pan'), w: () => v.setTool('wl'), i: v.toggleInvert,
        a: v.autoWl, '+': () => v.zoomAt(1.25), '=': () => v.zoomAt(1.25), '-': () => v.zoomAt(0.8),
        ArrowLeft: () => v.step(-1), ArrowRight: () => v.step(1),
      };
      if (detection) act.b = () => v.setTool('box');
      const fn = act[k];
      if (!fn) return;
      e.preventDefault();
      fn();
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [detection]);
}
