// How the Annotate page writes things: a study UID shortened, when a label was saved, an annotation's boxes (stored
// as JSON), and a label in words ("B2 · benign", "2 boxes", "outlines on 3 images", "nothing found"). Pure functions; no Preact.

export function shortUid(uid) {
  return uid && uid.length > 14 ? `…${uid.slice(-10)}` : uid;
}

/** Compact, for the menus: the time for today, else the day. */
export function shortWhen(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

export function parseBoxes(annotation) {
  if (!annotation || !annotation.boxes) return [];
  try {
    return JSON.parse(annotation.boxes) || [];
  } catch {
    return [];
  }
}

/** Masks in words, from the API's `masks` JSON or a request's list: how many images hold an outline. */
export function describeMasks(masks) {
  let list = masks;
  if (typeof masks === 'string') {
    try {
      list = JSON.parse(masks) || [];
    } catch {
      list = [];
    }
  }
  const n = (list || []).length;
  return n ? `outlines on ${n} image${n === 1 ? '' : 's'}` : 'nothing found';
}

/**
 * A label in words: a list of boxes by its size, masks by the images they outline, else the category `code` by its
 * name (catOf: code -> category).
 */
export function describe(catOf, code, list, masks) {
  if (masks) return describeMasks(masks);
  if (list) return list.length ? `${list.length} box${list.length === 1 ? '' : 'es'}` : 'nothing found';
  const c = catOf[code];
  return c ? `${c.code} · ${c.name}` : code;
}
