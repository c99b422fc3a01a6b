// The hanging protocol of the Annotate page: in which order a study's views are read and laid out (CC on top, MLO
// below, the right breast on the left), what a view is called, and whether an image must be mirrored so that its
// chest wall faces the other breast. Pure functions on the API's image records; no Preact, no canvas.

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

/**
 * True when the decoded image `d` of the view `meta` has its chest wall on the wrong side for back-to-back reading
 * (a right breast's chest wall belongs on the right, a left breast's on the left), so it is drawn mirrored.
 */
export function chestWallFlipped(meta, d) {
  const side = (meta.laterality || '').toUpperCase();
  const want = side === 'R' ? 'right' : side === 'L' ? 'left' : null;
  return !!(want && d && d.chestWall && d.chestWall !== want);
}
