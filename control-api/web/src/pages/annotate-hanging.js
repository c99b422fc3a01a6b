// The hanging protocol of the Annotate page: in which order a study's views are read and laid out (CC on top, MLO
// below, the right breast on the left), what a view is called, and whether an image must be mirrored so that its
// chest wall faces the other breast. Pure functions on the API's image records; no Preact, no canvas.

const VIEW_ORDER = ['CC', 'XCCL', 'XCCM', 'FB', 'MLO', 'ML', 'LM', 'LMO', 'SIO'];
const SIDE_ORDER = ['R', 'L'];

function rank(list, v) {
  const i = list.indexOf((v || '').toUpperCase());
  return i < 0 ? list.length : i;
}

/** A series of slices: every image has a slice position (CT, MR), and there are more than four of them. */
export function isSeries(images) {
  return images.length > 4 && images.every((im) => im.slicePosition !== undefined && im.slicePosition !== null);
}

/**
 * The images in reading order, and the number of columns: R|L pairs of each view when the study has them; a series
 * of slices in order of series and position (`series` true: shown one slice at a time).
 */
export function hang(images) {
  if (isSeries(images)) {
    const ordered = [...images].sort((a, b) => (a.seriesUid || '').localeCompare(b.seriesUid || '')
      || a.slicePosition - b.slicePosition || a.imageId.localeCompare(b.imageId));
    return { ordered, cols: Math.max(1, Math.ceil(Math.sqrt(ordered.length))), pairs: false, series: true };
  }
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
  if (im.slicePosition !== undefined && im.slicePosition !== null && !im.viewPosition) {
    return `z ${Number(im.slicePosition).toFixed(1)} mm`;
  }
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
