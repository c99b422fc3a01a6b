// A detector through the pages. Create follows the use case's task (the best epoch by mAP, no loss choice, an input
// size a detector can take) and trains one on the user's boxes; its card shows the validation mAP the API has. Run
// draws its boxes over a dataset image, as many as the API finds at the chosen score and where the API puts them.
// Evaluate compares it by mAP, as the evaluation job's comparison.json says. Assess runs an assessment of a deployed
// detector and shows its measures, worked by hand below. Challenge shows a detection challenge: no agreement matrix,
// detector presets, mAP columns, and the submitted detector's hidden mAP and AP50 as the API has them.
//
// RADLAB_E2E: {"useCaseId": d, "datasetId": p, "deploymentId": x, "challengeId": c}: a published detection use case,
// a ready dataset on which RADLAB_TOKEN has drawn boxes on at least the server's minimum of studies to train, a
// deployment of the use case holding the five cases described in the Assess part, and an open challenge of the use
// case with that dataset as its pool.
import { api, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

scenario('detect', async (t) => {
  const { useCaseId, datasetId, deploymentId, challengeId } = t.input;
  check(useCaseId && datasetId && deploymentId && challengeId,
    'RADLAB_E2E must give useCaseId, datasetId, deploymentId and challengeId');
  const { page } = t;
  const as = { token: TOKEN };
  await t.signIn();

  // Create: the form follows the task
  await t.goto('/create');
  await page.waitForSelector('[data-testid="train-form"]');
  await page.selectOption('#train-usecase', String(useCaseId));
  await page.selectOption('#train-dataset', String(datasetId));
  await page.check('[data-testid="labels-mine"]');
  await until(async () => (await page.inputValue('#opt-monitor')) === 'map', 'the kept epoch to be chosen by mAP');
  check(await page.locator('#opt-loss').count() === 0, 'a detector has no loss choice');
  check(await page.locator('#opt-focalAlpha').count() === 1, 'but its focal loss settings show');
  await page.fill('#opt-inputSize', '40');
  await page.click('[data-testid="train"]');
  const sizeError = await page.waitForSelector('[data-field-error="inputSize"]');
  check(/multiple of 16/.test(await sizeError.textContent()), 'the form explains the input size');
  await page.fill('#opt-inputSize', '32');
  await page.fill('#opt-width', '0.125');
  await page.fill('#opt-maxEpochs', '2');
  await page.fill('#opt-batchSize', '8');
  await page.click('[data-testid="train"]');
  const jobId = Number(await until(async () => page.getAttribute('[data-testid="progress"]', 'data-job'),
    'the new job to be followed'));
  const job = await api(`/jobs/${jobId}`, as);
  checkEqual(job.config.task, 'detection', 'the job trains a detector');
  checkEqual(job.config.monitor, 'map', 'and keeps its epoch by mAP');
  await until(async () => {
    const s = (await api(`/jobs/${jobId}`, as)).status;
    if (s === 'FAILED' || s === 'CANCELLED') throw new Error(`training job ${jobId} ended ${s}`);
    return s === 'SUCCEEDED';
  }, 'the training job to succeed', { timeout: 400000, every: 2000 });
  await page.waitForSelector(`[data-testid="progress"][data-job="${jobId}"][data-status="SUCCEEDED"]`);
  check(/mAP/.test(await page.textContent('[data-stat=best] .stat-label')), 'the progress shows the best mAP');
  const model = (await api(`/models?useCaseId=${useCaseId}`, as)).find((m) => m.jobId === jobId);
  check(model, `job ${jobId} registered a model`);
  const detail = await api(`/models/${model.id}`, as);
  await page.click('[data-testid="open-job-model"]');
  const mapShown = await page.waitForSelector(`[data-testid="model-card"][data-model="${model.id}"] [data-stat=map] .stat-value`);
  checkEqual((await mapShown.textContent()).trim(), Number(detail.card.validation.map).toFixed(3), 'the card\'s mAP');
  await t.shot('detector-card');

  // Annotate: the detector suggests boxes on the next study, which join the draft to be checked
  await t.goto(`/annotate?useCase=${useCaseId}&dataset=${datasetId}`);
  const studyUid = await (await page.waitForSelector('[data-testid="study"]')).getAttribute('data-study-uid');
  await page.waitForSelector('[data-testid="suggest"]');
  await page.selectOption('[data-testid="suggest-model"]', String(model.id));
  await page.$eval('[data-testid=suggest-score]', (el) => {
    el.value = '0.05';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  let expected = 0;
  for (const im of await api(`/datasets/${datasetId}/images?study=${encodeURIComponent(studyUid)}`, as)) {
    expected += (await api(`/models/${model.id}/predict`, { ...as, method: 'POST',
      body: { datasetId, imageId: im.imageId } })).boxes.length;
  }
  await page.click('[data-testid="suggest-boxes"]');
  await page.waitForSelector('[data-testid="suggest-note"]', { timeout: 60000 });
  const listed = await page.locator('[data-testid="box-list"] li').count();
  checkEqual(listed, Math.min(100, expected), 'the suggested boxes join the draft (at most 100 per study)');
  await t.shot('detector-suggestions');

  // Run: the boxes over a dataset image
  const studies = await api(`/datasets/${datasetId}/studies?limit=1`, as);
  const images = await api(`/datasets/${datasetId}/images?study=${encodeURIComponent(studies[0].studyUid)}`, as);
  const image = images[0];
  await t.goto(`/run?model=${model.id}`);
  await page.waitForSelector(`.model-detail[data-model="${model.id}"] [data-stat=map]`);
  await page.selectOption('#run-dataset', String(datasetId));
  await page.waitForSelector(`#run-study option[value="${studies[0].studyUid}"]`, { state: 'attached' });
  await page.selectOption('#run-study', studies[0].studyUid);
  await page.click(`.thumb[data-image="${image.imageId}"] img`);
  await page.click('#run-predict');
  await page.waitForSelector('[data-testid=prediction][data-boxes]', { timeout: 60000 });
  const found = await api(`/models/${model.id}/predict`, { ...as, method: 'POST',
    body: { datasetId, imageId: image.imageId } });
  checkEqual(found.task, 'detection', 'the API answers with boxes');
  checkEqual(Number(await page.getAttribute('[data-testid=prediction]', 'data-boxes')),
    found.boxes.filter((b) => b.score >= 0.3).length, 'boxes shown at the default score, 0.3');
  // every box, at the lowest score, drawn where the API puts it (in % of the PNG)
  await page.$eval('[data-testid=min-score]', (el) => {
    el.value = '0.05';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await until(async () => Number(await page.getAttribute('[data-testid=prediction]', 'data-boxes'))
    === found.boxes.length, 'every box to be shown at score 0.05');
  await until(async () => (await page.locator('[data-testid=found-box]').count()) === found.boxes.length,
    'every box to be drawn');
  if (found.boxes.length) {
    const drawn = await page.$eval('[data-testid=found-box]', (el) => parseFloat(el.style.left));
    checkEqual(drawn.toFixed(2), (100 * found.boxes[0].x / image.pngWidth).toFixed(2), 'the first box\'s left edge');
  }
  await t.shot('detector-run');

  // Evaluate: the detector by mAP
  await t.goto('/evaluate');
  await page.waitForSelector('[data-testid="eval-form"]');
  await page.selectOption('#eval-usecase', String(useCaseId));
  await page.selectOption('#eval-dataset', String(datasetId));
  await page.check('[data-testid="eval-form"] [data-testid="labels-mine"]');
  await page.waitForSelector('[data-testid="detection-note"]');
  check(await page.locator('input[data-positive]').count() === 0, 'no binary view for boxes');
  await page.check(`[data-testid="model-picker"] input[data-model="${model.id}"]`);
  const before = new Set((await api('/jobs?limit=100', as)).map((j) => j.id));
  await page.click('[data-testid="evaluate"]');
  const evalId = Number(await until(async () => {
    const id = await page.getAttribute('[data-testid="evaluation"]', 'data-job');
    return id && !before.has(Number(id)) ? id : null;
  }, 'the new evaluation to be shown'));
  await until(async () => {
    const s = (await api(`/jobs/${evalId}`, as)).status;
    if (s === 'FAILED' || s === 'CANCELLED') throw new Error(`evaluation ${evalId} ended ${s}`);
    return s === 'SUCCEEDED';
  }, 'the evaluation to succeed', { timeout: 400000, every: 2000 });
  const cell = await page.waitForSelector(`[data-testid="evaluation"][data-job="${evalId}"] [data-testid="compare-table"] td[data-col=map]`,
    { timeout: 30000 });
  const rows = await api(`/jobs/${evalId}/artifact?path=comparison.json`, as);
  check((await cell.textContent()).trim().startsWith(Number(rows[0].map).toFixed(3)),
    `the table's mAP is the job's: ${await cell.textContent()} for ${rows[0].map}`);
  await page.waitForSelector('canvas[data-chart=froc]');
  await t.shot('detector-evaluation');

  // Assess: a deployed detector. At score 0.5 (c1 has a box at 0.3, not shown):
  // c1 read MASS [0,0,10,10]; shown the same box (IoU 1, found) and a CALC no read matches (a false positive).
  // c2 read MASS [0,0,10,10] and CALC [20,20,30,30]; shown MASS [0,0,10,5]: IoU 50/100 = 0.5, found; the CALC missed.
  // c3 read nothing; shown one MASS: a false positive. c4 read MASS [0,0,10,10]; shown MASS [5,0,15,10]: IoU 1/3,
  // not found, a false positive. c5: nothing either way.
  // 4 read boxes, 2 found (50.0 %); 3 false positives over 5 cases (0.60); mean IoU (1 + 0.5 + 0 + 1/3) / 4 = 0.458.
  await t.goto(`/assess?deployment=${deploymentId}`);
  await page.waitForSelector('#assess-start');
  check(await page.locator('input[name="positive"]').count() === 0, 'a detector has no positive categories');
  await page.click('#assess-start');
  await page.waitForSelector('[data-testid="detection-assessment"]', { timeout: 180000 });
  const stat = async (id) => (await page.textContent(`[data-metric="${id}"] .stat-value`)).trim();
  checkEqual(await stat('mean-iou'), '0.458', 'the mean IoU');
  checkEqual(await stat('sensitivity'), '50.0 %', 'the read boxes found');
  checkEqual(await stat('false-positives'), '0.60', 'false positives per case');
  checkEqual(await page.locator('[data-testid="drift"] tbody tr').count(), 2, 'two months');
  checkEqual((await page.textContent('[data-testid="drift"] tr[data-period="2027-01"] td[data-col=iou]')).trim(),
    '0.500', "January's mean IoU: (1 + 0.5 + 0) / 3");
  checkEqual(await page.locator('[data-testid="cases-to-review"] tbody tr').count(), 4,
    'four cases with a miss or a false positive (all but c5)');
  const assessed = Number(await page.getAttribute('[data-testid="assessment"]', 'data-job'));
  const json = await api(`/jobs/${assessed}/artifact?path=assessment.json`, as);
  const ci = json.overall.metrics.mAPCi;
  checkEqual(await stat('map'), `${json.overall.metrics.mAP.toFixed(3)} (${ci.lower.toFixed(3)}–${ci.upper.toFixed(3)})`,
    "mAP with its interval, as the job's assessment.json has them");
  check((await page.textContent('[data-testid="per-class"]')).includes('Calcification'), 'categories by name');
  await page.waitForSelector('canvas[data-chart=detection-drift]');
  await t.shot('detector-assessment');

  // Challenge: a detection challenge ranks by mAP, then AP50
  await t.goto(`/challenge?challenge=${challengeId}`);
  await page.waitForSelector('#boxes-note');
  check(await page.locator('table[data-matrix="agreement"]').count() === 0, 'no agreement matrix for boxes');
  check((await page.textContent('main, body')).includes('ranked by mAP'), 'the page says what ranks');
  const presets = await page.$$eval('#preset option', (o) => o.map((x) => x.textContent));
  check(presets.every((p) => /detector/.test(p)), `detector presets only: ${presets}`);
  const row = page.locator(`#my-models tr[data-model="${model.id}"]`);
  checkEqual((await row.locator('td.num').first().textContent()).trim(), Number(model.map).toFixed(3),
    'the model list shows the validation mAP');
  await row.locator('button:has-text("Submit")').click();
  await page.locator('#challenge-result:has-text("submitted")').waitFor();
  const me = await api('/me', as);
  const scored = await until(async () => {
    const b = await api(`/challenges/${challengeId}/leaderboard`, as);
    const r = b.rows.find((x) => x.userName === me.name);
    return r && r.status === 'scored' ? r : null;
  }, 'the hidden evaluation to score the detector', { timeout: 300000, every: 2000 });
  check(typeof scored.map === 'number' && scored.kappa === undefined, `scored by mAP: ${JSON.stringify(scored)}`);
  const board = page.locator(`#leaderboard tr[data-user="${me.name}"]`);
  await until(async () => (await board.locator('[data-score=map]').textContent()) === scored.map.toFixed(3),
    'the leaderboard row to show the hidden mAP', { timeout: 30000 });
  checkEqual(await board.locator('[data-score=ap50]').textContent(), scored.ap50.toFixed(3), 'and AP50');
  await t.shot('detector-challenge');
});
