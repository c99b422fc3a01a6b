// Browser test of the Annotate page. Input RADLAB_E2E: {"useCaseId": 1, "datasetId": 1}; RADLAB_TOKEN must be a
// participant without annotations for that use case and dataset (the test labels 11 studies of it).
// It signs in through the form, labels ten studies with the number keys only (varying them), skips one with S,
// comes back to it through the Skipped menu and labels it, changes one earlier label through the Labelled menu,
// exercises zoom, pan, window/level and reset, and then checks through the API, with the participant's token, that
// exactly those studies carry exactly the labels pressed (the key -> code mapping comes from the use case's category
// order as the API returns it), that the count on the page is the API's, and that nothing is left skipped.
import { api, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

scenario('annotate', async (t) => {
  const { page } = t;
  const useCaseId = t.input.useCaseId ?? 1;
  const datasetId = t.input.datasetId ?? 1;
  const mine = (q = '') => api(`/annotations?useCaseId=${useCaseId}&datasetId=${datasetId}${q}`, { token: TOKEN });

  const useCase = await api(`/use-cases/${useCaseId}`, { token: TOKEN });
  checkEqual(useCase.task, 'classification', 'the use case to label by keys');
  const codes = useCase.categories.map((c) => c.code);
  check(codes.length >= 2, `use case ${useCaseId} has at least two categories`);
  const codeOfKey = (key) => codes[key === '0' ? 9 : Number(key) - 1];
  checkEqual((await mine()).total, 0, 'annotations of the fresh participant before the test');

  await t.signIn();
  await t.goto(`/annotate?useCase=${useCaseId}&dataset=${datasetId}`);
  const viewer = '[data-testid="viewer"]';
  const shown = () => page.$eval(viewer, (el) => ({ ...el.dataset }));
  /** Waits until the viewer has drawn a study other than `uid` (and the side panel names the same one). */
  async function nextStudy(uid) {
    await page.waitForFunction(({ sel, old }) => {
      const v = document.querySelector(sel);
      const s = document.querySelector('[data-testid="study"]');
      return v && s && v.dataset.ready === 'true' && v.dataset.studyUid && v.dataset.studyUid !== old
        && s.dataset.studyUid === v.dataset.studyUid;
    }, { sel: viewer, old: uid || '' }, { timeout: 20000 });
    return (await shown()).studyUid;
  }

  let uid = await nextStudy(null);
  check(page.url().includes(`useCase=${useCaseId}`) && page.url().includes(`dataset=${datasetId}`),
    `the URL remembers the choice: ${page.url()}`);

  // the category buttons: every category of the API, in its order, with its name, description and key
  const buttons = await page.$$eval('.categories .category', (els) => els.map((b) => ({
    code: b.dataset.code, key: b.dataset.key, text: b.textContent })));
  checkEqual(buttons.map((b) => b.code), codes, 'category buttons in the use case order');
  useCase.categories.forEach((c, i) => {
    check(buttons[i].text.includes(c.name) && buttons[i].text.includes(c.description),
      `button ${c.code} shows the name and description`);
    if (i < 9) checkEqual(buttons[i].key, String(i + 1), `shortcut of ${c.code}`);
  });
  const kbds = await page.$$eval('.categories .category kbd', (els) => els.length);
  checkEqual(kbds, Math.min(codes.length, 10), 'shortcuts shown as <kbd>');
  await t.shot('first-study');

  // -- ten studies by the keyboard only, one skip among them --
  const expected = new Map();
  const keyPlan = ['1', '2', '3', '4', '2', '1', '4', '3', '3', '2'].map((k) => String(((Number(k) - 1) % Math.min(codes.length, 9)) + 1));
  let skippedUid = null;
  for (let i = 0; i < keyPlan.length; i += 1) {
    if (i === 4) {
      skippedUid = uid;
      await page.keyboard.press('s');
      uid = await nextStudy(uid);
      await page.waitForSelector(`[data-testid="last-saved"][data-kind="skipped"][data-study-uid="${skippedUid}"]`);
      if (i === 4) await t.shot('after-skip');
    }
    const key = keyPlan[i];
    const before = uid;
    await page.keyboard.press(key);
    uid = await nextStudy(before);
    expected.set(before, codeOfKey(key));
    await until(async () => Number(await page.$eval('[data-testid="annotation-count"]', (el) => el.textContent))
      === expected.size, `count on the page to reach ${expected.size}`, { timeout: 10000 });
  }
  check(!expected.has(skippedUid), 'the skipped study was not labelled');
  await t.shot('ten-labelled');

  const settled = () => page.waitForFunction(() => !document.querySelector('[data-testid="saving"]'));
  await settled();
  // a key typed into a field must not label the study
  await page.click('[data-testid="wl-window"]');
  await page.keyboard.press('3');
  await page.keyboard.press('Escape');
  await new Promise((r) => setTimeout(r, 400));
  checkEqual((await shown()).studyUid, uid, 'the study after typing 3 into the window field');
  checkEqual((await mine()).total, expected.size, 'annotations after typing in a field');
  await page.fill('[data-testid="wl-window"]', '256');
  await page.keyboard.press('Enter');

  // -- back to the skipped study through the Skipped menu --
  const skippedApi = await api(`/annotate/${useCaseId}/${datasetId}/skipped`, { token: TOKEN });
  checkEqual(skippedApi.skipped, [skippedUid], 'the API lists the skipped study');
  await page.click('[data-testid="menu-skipped"]');
  await page.waitForSelector(`[data-testid="menu-skipped-list"] [data-study-uid="${skippedUid}"]`);
  await t.shot('skipped-menu');
  await page.click(`[data-testid="menu-skipped-list"] [data-study-uid="${skippedUid}"]`);
  await page.waitForFunction((u) => {
    const v = document.querySelector('[data-testid="viewer"]');
    return v && v.dataset.ready === 'true' && v.dataset.studyUid === u;
  }, skippedUid);
  checkEqual(await page.$eval('[data-testid="study"]', (el) => el.dataset.mode), 'revisit', 'mode of the skipped study');
  const skippedKey = String(Math.min(codes.length, 3));
  await page.keyboard.press(skippedKey);
  uid = await nextStudy(skippedUid);
  expected.set(skippedUid, codeOfKey(skippedKey));

  // -- change an earlier label through the Labelled menu --
  const target = [...expected.keys()][2];
  const oldCode = expected.get(target);
  const newKey = String(((codes.indexOf(oldCode) + 1) % Math.min(codes.length, 9)) + 1);
  await page.click('[data-testid="menu-annotated"]');
  const item = `[data-testid="menu-annotated-list"] [data-study-uid="${target}"]`;
  await page.waitForSelector(item);
  checkEqual(await page.$eval(item, (el) => el.dataset.code), oldCode, 'the Labelled menu shows the old label');
  await t.shot('labelled-menu');
  await page.click(item);
  await page.waitForFunction((u) => document.querySelector('[data-testid="viewer"]').dataset.studyUid === u
    && document.querySelector('[data-testid="viewer"]').dataset.ready === 'true', target);
  const currentButton = await page.$eval('.categories .category[aria-pressed="true"]', (el) => el.dataset.code);
  checkEqual(currentButton, oldCode, 'the revisited study shows its current label');
  await t.shot('revisit-labelled');
  await page.keyboard.press(newKey);
  uid = await nextStudy(target);
  expected.set(target, codeOfKey(newKey));
  check(codeOfKey(newKey) !== oldCode, 'the new label differs from the old one');
  await page.waitForSelector(`[data-testid="last-saved"][data-kind="changed"][data-study-uid="${target}"]`);
  await page.click('[data-testid="menu-annotated"]');
  await page.waitForFunction(({ sel, code }) => {
    const el = document.querySelector(sel);
    return el && el.dataset.code === code && el.textContent.includes('changed');
  }, { sel: item, code: codeOfKey(newKey) });
  await t.shot('label-changed');
  await page.keyboard.press('Escape');

  // -- the viewer: zoom, pan, window/level, reset --
  const initial = await shown();
  const box = await page.$eval('[data-testid="viewer-canvas"]', (c) => {
    const r = c.getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height };
  });
  // a point on the right breast's CC view (the top-left tile; its breast sits towards the middle)
  const cx = box.x + box.w * 0.42;
  const cy = box.y + box.h * 0.25;
  await page.mouse.move(cx, cy);
  await page.mouse.wheel(0, -400);
  await until(async () => Number((await shown()).zoom) > Number(initial.zoom), 'zoom after the wheel', { timeout: 5000 });
  const zoomed = await shown();
  check(Number(zoomed.panX) !== 0 || Number(zoomed.panY) !== 0, 'zooming off-centre moves the image to keep the pointer');
  await page.keyboard.press('p');
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 60, cy + 40, { steps: 5 });
  await page.mouse.up();
  const panned = await shown();
  check(Math.abs(Number(panned.panX) - Number(zoomed.panX) - 60) < 2 && Math.abs(Number(panned.panY) - Number(zoomed.panY) - 40) < 2,
    `pan follows the drag: ${zoomed.panX},${zoomed.panY} -> ${panned.panX},${panned.panY}`);
  await page.mouse.move(cx, cy);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(cx - 80, cy + 30, { steps: 5 });
  await page.mouse.up({ button: 'right' });
  const windowed = await shown();
  check(Number(windowed.window) < Number(initial.window) && Number(windowed.level) > Number(initial.level),
    `right-drag changes window/level: ${initial.window}/${initial.level} -> ${windowed.window}/${windowed.level}`);
  checkEqual(await page.$eval('[data-testid="wl-window"]', (el) => el.value), windowed.window, 'window shown as a number');
  checkEqual(await page.$eval('[data-testid="wl-level"]', (el) => el.value), windowed.level, 'level shown as a number');
  await t.shot('viewer-zoom-pan-wl');
  // one view large, from the thumbnails
  const thumbs = await page.$$('[data-testid="thumb"]');
  check(thumbs.length >= 1, 'thumbnails of the views');
  await thumbs[thumbs.length - 1].click();
  await until(async () => (await shown()).layout === 'single', 'one-view layout', { timeout: 5000 });
  const thumbId = await thumbs[thumbs.length - 1].evaluate((el) => el.dataset.imageId);
  checkEqual((await shown()).activeImage, thumbId, 'the large view is the clicked thumbnail');
  await t.shot('single-view');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('g');
  await page.keyboard.press('r');
  const reset = await shown();
  for (const k of ['zoom', 'panX', 'panY', 'window', 'level', 'invert']) checkEqual(reset[k], initial[k], `${k} after reset`);
  checkEqual(reset.layout, 'grid', 'layout after G');

  // -- what the API holds --
  await settled();
  const after = await mine('&limit=1000');
  const got = Object.fromEntries(after.annotations.map((a) => [a.studyUid, a.code]).sort());
  const want = Object.fromEntries([...expected.entries()].sort());
  checkEqual(got, want, 'labels in the API (study -> code)');
  checkEqual(after.total, expected.size, 'annotations in the API (ten, plus the skipped one)');
  const shownCount = await page.$eval('[data-testid="annotation-count"]', (el) => Number(el.textContent.trim()));
  checkEqual(shownCount, after.total, 'count on the page against the API');
  checkEqual((await api(`/annotate/${useCaseId}/${datasetId}/skipped`, { token: TOKEN })).skipped, [],
    'skipped studies left');
  check(got[skippedUid] === codeOfKey(skippedKey), 'the skipped study got its label');
  const changed = after.annotations.find((a) => a.studyUid === target);
  checkEqual(changed.version, 2, 'versions of the changed annotation');

  // -- finish: the summary --
  await page.click('[data-testid="finish"]');
  await page.waitForSelector('[data-testid="session-summary"]');
  const summary = await page.$eval('[data-testid="session-summary"]', (el) => ({ ...el.dataset }));
  checkEqual(Number(summary.sessionLabelled), expected.size, 'studies labelled in this session (summary)');
  checkEqual(Number(summary.total), after.total, 'total in the summary against the API');
  await t.shot('summary');

  const switches = await page.evaluate(() => (window.__radlabViewer ? window.__radlabViewer.switches : []));
  const by = (kind) => switches.filter((s) => s.kind === kind).map((s) => s.ms);
  const stat = (xs) => (xs.length ? `n=${xs.length} median=${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]} ms `
    + `max=${Math.max(...xs)} ms [${xs.join(', ')}]` : 'none');
  console.log(`image switch (study, from key press to drawn): ${stat(by('study'))}`);
  console.log(`image switch (view, thumbnail/arrow/G): ${stat(by('view'))}`);
  const studies = switches.filter((s) => s.kind === 'study');
  console.log(`  of which waiting for the API: ${stat(studies.map((s) => s.waitMs))}; images already decoded: `
    + `${studies.filter((s) => s.cached).length} of ${studies.length}`);

  const errors = t.console.filter((l) => l.startsWith('[pageerror]') || l.startsWith('[error]'));
  checkEqual(errors, [], 'errors in the browser console');

  // -- optional: a detection use case (RADLAB_E2E detectionUseCaseId): boxes drawn on the viewer --
  if (t.input.detectionUseCaseId) await detection(t, t.input.detectionUseCaseId, datasetId, shown);
});

/**
 * Draws two boxes of different categories on one view shown alone, deletes one and draws another on a second view,
 * saves, then marks the next study "nothing found"; checks the boxes the API holds (image, category, where).
 */
async function detection(t, useCaseId, datasetId, shown) {
  const { page } = t;
  const useCase = await api(`/use-cases/${useCaseId}`, { token: TOKEN });
  checkEqual(useCase.task, 'detection', `use case ${useCaseId} task`);
  const codes = useCase.categories.map((c) => c.code);
  await t.goto(`/annotate?useCase=${useCaseId}&dataset=${datasetId}`);
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="viewer"]');
    return v && v.dataset.ready === 'true' && v.dataset.tool === 'box';
  });
  const uid = (await shown()).studyUid;
  const study = await api(`/annotate/${useCaseId}/${datasetId}/studies/${uid}`, { token: TOKEN });
  const dims = Object.fromEntries(study.images.map((im) => [im.imageId, [im.pngWidth, im.pngHeight]]));

  /** Shows the thumbnail's view alone, then drags from (fx0, fy0) to (fx1, fy1), fractions of the canvas. */
  async function drawOn(thumbIndex, key, [fx0, fy0, fx1, fy1]) {
    const thumbs = await page.$$('[data-testid="thumb"]');
    await thumbs[thumbIndex].click();
    const imageId = await thumbs[thumbIndex].evaluate((el) => el.dataset.imageId);
    await page.waitForFunction((id) => document.querySelector('[data-testid="viewer"]').dataset.activeImage === id, imageId);
    if (key) await page.keyboard.press(key);
    const r = await page.$eval('[data-testid="viewer-canvas"]', (c) => c.getBoundingClientRect().toJSON());
    await page.mouse.move(r.x + r.width * fx0, r.y + r.height * fy0);
    await page.mouse.down();
    await page.mouse.move(r.x + r.width * fx1, r.y + r.height * fy1, { steps: 6 });
    await page.mouse.up();
    return imageId;
  }
  const before = Number((await shown()).boxes);
  const first = await drawOn(0, '2', [0.45, 0.4, 0.55, 0.6]); // category 2, around the centre
  await drawOn(0, '1', [0.3, 0.3, 0.35, 0.35]);
  await until(async () => Number((await shown()).boxes) === before + 2, 'two boxes drawn', { timeout: 5000 });
  await t.shot('detection-two-boxes');
  // select the second box from the list, then Delete removes it
  await page.click('[data-testid="box-list"] li[data-box-index="1"] .swatch-btn');
  await page.waitForSelector('[data-testid="box-list"] li.selected[data-box-index="1"]');
  await page.keyboard.press('Delete');
  await until(async () => Number((await shown()).boxes) === before + 1, 'a box deleted', { timeout: 5000 });
  const lastKey = String(Math.min(codes.length, 3));
  const second = await drawOn(1, lastKey, [0.5, 0.5, 0.6, 0.58]);
  await until(async () => Number((await shown()).boxes) === before + 2, 'box on a second view', { timeout: 5000 });
  const listed = await page.$$eval('[data-testid="box-list"] li', (els) => els.length);
  checkEqual(listed, 2, 'boxes listed beside the viewer');
  // select it, drag it a tenth of the canvas to the left (across the centre), then drag its lower right corner out
  await page.click('[data-testid="box-list"] li[data-box-index="1"] .swatch-btn');
  await page.waitForSelector('[data-testid="box-list"] li.selected[data-box-index="1"]');
  const r = await page.$eval('[data-testid="viewer-canvas"]', (c) => c.getBoundingClientRect().toJSON());
  const dragOn = async (fx0, fy0, fx1, fy1, inset = 0) => {
    await page.mouse.move(r.x + r.width * fx0 - inset, r.y + r.height * fy0 - inset);
    await page.mouse.down();
    await page.mouse.move(r.x + r.width * fx1, r.y + r.height * fy1, { steps: 6 });
    await page.mouse.up();
  };
  await dragOn(0.55, 0.54, 0.45, 0.54);
  await dragOn(0.5, 0.58, 0.56, 0.64, 3); // the moved box's corner, 3 px inside (snapping moves it by a pixel)
  checkEqual(await page.$$eval('[data-testid="box-list"] li', (els) => els.length), 2,
    'moving and resizing add no box');
  await t.shot('detection-boxes');
  await page.keyboard.press('Enter');
  await page.waitForFunction((u) => {
    const v = document.querySelector('[data-testid="viewer"]');
    return v.dataset.ready === 'true' && v.dataset.studyUid && v.dataset.studyUid !== u;
  }, uid);
  const next = (await shown()).studyUid;
  await page.keyboard.press('n');
  await page.waitForFunction((u) => document.querySelector('[data-testid="viewer"]').dataset.studyUid !== u, next);
  await page.waitForFunction(() => !document.querySelector('[data-testid="saving"]'));

  const saved = await api(`/annotations?useCaseId=${useCaseId}&datasetId=${datasetId}`, { token: TOKEN });
  const byStudy = Object.fromEntries(saved.annotations.map((a) => [a.studyUid, JSON.parse(a.boxes)]));
  checkEqual(Object.keys(byStudy).sort(), [uid, next].sort(), 'studies with a detection annotation');
  checkEqual(byStudy[next], [], 'nothing found is an empty list');
  const boxes = byStudy[uid];
  checkEqual(boxes.map((b) => [b.imageId, b.code]), [[first, codes[1]], [second, codeOfKey(lastKey, codes)]],
    'boxes: image and category');
  for (const b of boxes) {
    const [w, h] = dims[b.imageId];
    check(b.x >= 0 && b.y >= 0 && b.width > 0 && b.height > 0 && b.x + b.width <= w && b.y + b.height <= h,
      `box inside its ${w}x${h} image: ${JSON.stringify(b)}`);
  }
  // the first box was dragged around the centre of the canvas: it covers the image's centre
  const b0 = boxes[0];
  const [w0, h0] = dims[b0.imageId];
  check(b0.x < w0 / 2 && b0.x + b0.width > w0 / 2 && b0.y < h0 / 2 && b0.y + b0.height > h0 / 2,
    `the centred box covers the image centre: ${JSON.stringify(b0)} in ${w0}x${h0}`);
  // the second box was drawn right of the centre, moved across it and widened: it now spans the image's centre
  const b1 = boxes[1];
  const [w1] = dims[b1.imageId];
  check(b1.x + 2 < w1 / 2 && b1.x + b1.width - 2 > w1 / 2,
    `the moved and resized box spans the centre: ${JSON.stringify(b1)} in ${w1} columns`);
  await t.shot('detection-saved');
}

function codeOfKey(key, codes) {
  return codes[key === '0' ? 9 : Number(key) - 1];
}
