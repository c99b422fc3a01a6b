// Masks on the Annotate page for a segmentation use case on a CT dataset. The series shows one slice at a time, in
// order of slice position (PageDown and PageUp step through it as the API orders the slices). On the middle slice
// the scenario paints a brush dot in the first category, fills a polygon in the second, erases part of the dot,
// undoes and redoes the erasing, and checks after each step the pixels the page counts per category. The overlay
// lies over the image where the pixels are (a pixel under the dot shows the category's colour at full opacity and
// the image's grey at none). Saved, the API holds exactly the mask worked out here from the clicked points: the
// pixels whose centres lie within the brush radius of the dot, inside the triangle, and not within the eraser's.
//
// Then Assess: an assessment of a deployed segmenter whose three cases are SegmentationAssessmentTest's, at ten times
// the spacing, shows the Dice, the drift and the liver volumes' Bland-Altman bias worked out by hand there.
//
// RADLAB_E2E: {"useCaseId": s, "datasetId": c, "deploymentId": d}: a published segmentation use case with two
// categories (the liver first, then the lesion), a ready CT dataset (series of at least five slices, 64 × 64
// pixels) RADLAB_TOKEN has not annotated for it, and RADLAB_TOKEN's deployment of the use case holding those three
// cases.
import { api, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

/** Pixels (index y * w + x) whose centres lie within r of (cx, cy); none may lie within 1e-3 of the edge. */
function discPixels(w, h, cx, cy, r) {
  const out = new Set();
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      check(Math.abs(d - r) > 1e-3, `pixel (${x}, ${y}) lies on the brush's edge: choose another point`);
      if (d < r) out.add(y * w + x);
    }
  }
  return out;
}

/** Pixels whose centres lie inside triangle `t` ([[x, y] x 3]), by the signs of the three edge functions. */
function trianglePixels(w, h, t) {
  const out = new Set();
  const edge = (a, b, px, py) => (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0]);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const e = [edge(t[0], t[1], x + 0.5, y + 0.5), edge(t[1], t[2], x + 0.5, y + 0.5),
        edge(t[2], t[0], x + 0.5, y + 0.5)];
      e.forEach((v) => check(Math.abs(v) > 1e-6, `pixel (${x}, ${y}) lies on an edge: choose other corners`));
      if (e.every((v) => v > 0) || e.every((v) => v < 0)) out.add(y * w + x);
    }
  }
  return out;
}

function decode(runs, n) {
  const out = new Uint8Array(n);
  let at = 0;
  for (const run of runs.split(' ')) {
    const [c, k] = run.split('*').map(Number);
    out.fill(c, at, at + k);
    at += k;
  }
  checkEqual(at, n, 'the runs cover the mask');
  return out;
}

scenario('segment', async (t) => {
  const { page } = t;
  const { useCaseId, datasetId, deploymentId } = t.input;
  check(useCaseId && datasetId && deploymentId, 'RADLAB_E2E must give useCaseId, datasetId and deploymentId');
  const as = { token: TOKEN };
  const useCase = await api(`/use-cases/${useCaseId}`, as);
  checkEqual(useCase.task, 'segmentation', 'the use case paints masks');
  const [first, second] = useCase.categories.map((c) => c.code);

  await t.signIn();
  await t.goto(`/annotate?useCase=${useCaseId}&dataset=${datasetId}`);
  const viewer = '[data-testid="viewer"]';
  const shown = () => page.$eval(viewer, (el) => ({ ...el.dataset }));
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.dataset.ready === 'true' && v.dataset.studyUid;
  }, viewer, { timeout: 30000 });
  const studyUid = (await shown()).studyUid;
  await page.waitForSelector('[data-testid="mask-panel"]');

  // the series, one slice at a time from the middle one, stepped in slice-position order
  const images = (await api(`/datasets/${datasetId}/images?study=${encodeURIComponent(studyUid)}`, as))
    .sort((a, b) => a.slicePosition - b.slicePosition);
  check(images.length >= 5 && images.every((im) => typeof im.slicePosition === 'number'),
    `a series of slices with positions: ${images.length}`);
  const middle = Math.floor(images.length / 2);
  let s = await shown();
  checkEqual(s.layout, 'single', 'a series shows one slice at a time');
  checkEqual(s.activeImage, images[middle].imageId, 'starting on the middle slice');
  await page.keyboard.press('PageDown');
  await until(async () => (await shown()).activeImage === images[middle + 1].imageId, 'PageDown: the next slice');
  await page.keyboard.press('PageUp');
  await until(async () => (await shown()).activeImage === images[middle].imageId, 'PageUp: back');
  const image = images[middle];
  const w = image.pngWidth;
  const h = image.pngHeight;
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.ready === 'true', viewer);

  // where an image pixel lies on the canvas: the slice fills the canvas as the viewer fits it (97 %, centred;
  // zoom 1, no pan, no mirroring for a slice without laterality)
  const box = await page.$eval('[data-testid="viewer-canvas"]', (c) => {
    const r = c.getBoundingClientRect();
    return { x: r.x, y: r.y, W: c.clientWidth, H: c.clientHeight, dpr: window.devicePixelRatio || 1 };
  });
  const fit = Math.min(box.W / w, box.H / h) * 0.97;
  const ox = (box.W - w * fit) / 2;
  const oy = (box.H - h * fit) / 2;
  const screen = ([x, y]) => [box.x + ox + x * fit, box.y + oy + y * fit];
  const click = async (p) => {
    const [qx, qy] = screen(p);
    await page.mouse.move(qx, qy);
    await page.mouse.down();
    await page.mouse.up();
  };
  const counts = () => page.$$eval('[data-testid="mask-counts"] li', (els) => Object.fromEntries(
    els.map((li) => [li.dataset.code, Number(li.dataset.pixels)])));
  const setRange = (sel, v) => page.$eval(sel, (el, value) => {
    el.value = String(value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, v);

  // the expected mask, worked out here
  const expected = new Uint8Array(w * h);
  const dotCentre = [20.3, 30.4];
  const dotRadius = 4;
  const dot = discPixels(w, h, dotCentre[0], dotCentre[1], dotRadius);
  const triangle = [[38.2, 12.3], [55.6, 16.1], [44.1, 33.7]];
  const filled = trianglePixels(w, h, triangle);
  const eraserCentre = [18.6, 29.2];
  const eraserRadius = 2;
  const erased = discPixels(w, h, eraserCentre[0], eraserCentre[1], eraserRadius);

  // a dot with the brush in the first category (key 1, tool D)
  await page.keyboard.press('1');
  await page.keyboard.press('d');
  await setRange('[data-testid="brush-size"]', dotRadius);
  await until(async () => (await shown()).tool === 'brush', 'the brush tool');
  await click(dotCentre);
  dot.forEach((i) => { expected[i] = 1; });
  await until(async () => (await counts())[first] === dot.size, `${dot.size} pixels of ${first} after the dot`);

  // the overlay sits over those pixels: the category's colour at full opacity, the image's grey at none
  const colorAt = async ([x, y]) => page.$eval('[data-testid="viewer-canvas"]', (c, q) => {
    const [r, g, b] = c.getContext('2d').getImageData(Math.round(q[0] * q[2]), Math.round(q[1] * q[2]), 1, 1).data;
    return [r, g, b];
  }, [ox + x * fit, oy + y * fit, box.dpr]);
  await setRange('[data-testid="mask-opacity"]', 1);
  await page.waitForTimeout(200);
  const firstColor = await page.$eval(`[data-testid="mask-panel"] .category[data-code="${first}"]`,
    (el) => getComputedStyle(el).getPropertyValue('--cat').trim());
  const hex = (rgb) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`.toUpperCase();
  checkEqual(hex(await colorAt(dotCentre)), firstColor.toUpperCase(), 'the dot in its category\'s colour');
  await setRange('[data-testid="mask-opacity"]', 0);
  await page.waitForTimeout(200);
  const grey = await colorAt(dotCentre);
  check(grey[0] === grey[1] && grey[1] === grey[2], `at opacity 0 the image's grey shows: ${grey}`);
  await setRange('[data-testid="mask-opacity"]', 0.5);

  // a polygon in the second category (key 2, tool F), closed on its first corner
  await page.keyboard.press('2');
  await page.keyboard.press('f');
  for (const p of triangle) await click(p);
  await until(async () => (await shown()).polygon === '3', 'three corners');
  await click(triangle[0]);
  filled.forEach((i) => { expected[i] = 2; });
  await until(async () => (await counts())[second] === filled.size, `${filled.size} pixels of ${second} filled`);
  await t.shot('segment-dot-and-polygon');

  // the eraser over part of the dot, undone and redone
  await page.keyboard.press('e');
  await setRange('[data-testid="brush-size"]', eraserRadius);
  await until(async () => (await shown()).tool === 'erase', 'the eraser');
  await click(eraserCentre);
  let left = 0;
  dot.forEach((i) => { if (!erased.has(i)) left += 1; });
  check(left < dot.size && left > 0, 'the eraser takes part of the dot');
  await until(async () => (await counts())[first] === left, `${left} pixels of ${first} left after erasing`);
  await page.keyboard.press('Control+z');
  await until(async () => (await counts())[first] === dot.size, 'undo brings the dot back');
  await page.keyboard.press('Control+y');
  await until(async () => (await counts())[first] === left, 'redo erases again');
  erased.forEach((i) => { if (expected[i] === 1) expected[i] = 0; });

  // saved with Enter, the API holds exactly the expected mask on that slice and nothing on the others
  await page.keyboard.press('Enter');
  const saved = await until(async () => {
    const a = (await api(`/annotations?useCaseId=${useCaseId}&datasetId=${datasetId}`, as)).annotations
      .find((x) => x.studyUid === studyUid);
    return a && a.masks ? a : null;
  }, 'the masks to be saved');
  const list = JSON.parse(saved.masks);
  checkEqual(list.map((m) => m.imageId), [image.imageId], 'one image outlined');
  const got = decode(list[0].runs, w * h);
  let differ = 0;
  for (let i = 0; i < w * h; i += 1) differ += got[i] !== expected[i] ? 1 : 0;
  checkEqual(differ, 0, 'pixels where the saved mask differs from the one worked out here');
  await t.shot('segment-saved');

  // Assess: liver Dice (2/3 + 2/3 + 6/7) / 3, by month 2/3 then 6/7; liver volumes 0, 0 and 12 - 16 mL apart
  await t.goto(`/assess?deployment=${deploymentId}`);
  await page.waitForSelector('#assess-start');
  check(await page.locator('#assess-threshold').count() === 0, 'a segmenter\'s assessment has no threshold');
  await page.click('#assess-start');
  const view = await page.waitForSelector('[data-testid="segmentation-assessment"]', { timeout: 120000 });
  check(view, 'the segmentation assessment is shown');
  const liverDice = await page.textContent(`[data-testid="per-class"] tr[data-class="${first}"] [data-col="dice"]`);
  check(liverDice.startsWith(((2 / 3 + 2 / 3 + 6 / 7) / 3).toFixed(3)), `liver Dice ${liverDice}`);
  const months = await page.$$eval('[data-testid="drift"] tbody tr', (rows) => rows.map((r) => [r.dataset.period,
    r.querySelector('[data-col="dice"]').textContent]));
  checkEqual(JSON.stringify(months), JSON.stringify([['2027-01', (2 / 3).toFixed(3)], ['2027-02', (6 / 7).toFixed(3)]]),
    'Dice by month');
  await page.selectOption('[data-testid="volume-class"]', first);
  const bias = await page.textContent('[data-testid="volumes"] .help');
  check(bias.includes(`Bias ${(-4 / 3).toFixed(2)}`), `the liver volumes' bias: ${bias}`);
  await t.shot('segment-assessment');
});
