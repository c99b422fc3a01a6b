// Create: design a model with the form, train it, follow its live curves, cancel it; compare two model cards side
// by side and run a prediction from a card. Every value the page shows is checked against the API.
//
// RADLAB_E2E: {"useCaseId": 1, "datasetId": 1, "modelIds": [m1, m2]}
// RADLAB_TOKEN: a participant who has annotated at least the server's minimum to train of the dataset and owns
// models m1 and m2 (trained on that use case). The server must be free to start the new job within a minute or two.
import { api, check, checkEqual, scenario, Stop, TOKEN, until } from './lib.mjs';

scenario('create', async (t) => {
  const { useCaseId, datasetId, modelIds } = t.input;
  check(useCaseId && datasetId && Array.isArray(modelIds) && modelIds.length >= 2,
    'RADLAB_E2E needs useCaseId, datasetId and two modelIds');
  const [m1, m2] = modelIds;
  const { page } = t;
  const asUser = { token: TOKEN };
  // A full-page screenshot resizes the viewport, and Chromium then scrolls a focused input back into view, which
  // can move the page under the next click: blur first.
  const shot = async (label) => {
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await t.shot(label);
  };

  await t.signIn();
  await t.goto('/create');
  await page.waitForSelector('[data-testid="train-form"]');
  await page.selectOption('#train-usecase', String(useCaseId));
  await page.selectOption('#train-dataset', String(datasetId));
  await page.check('[data-testid="labels-mine"]');

  // The label counts shown are the user's own, from the API.
  const annotations = await api(`/annotations?useCaseId=${useCaseId}&datasetId=${datasetId}&limit=1`, asUser);
  await until(async () => (await page.getAttribute('[data-testid="label-counts"]', 'data-total'))
    === String(annotations.total), 'the label count to match the API');

  // Conditional options appear only when they apply.
  check(await page.locator('#opt-focalAlpha').count() === 0, 'focal alpha is hidden for cross-entropy');
  check(await page.locator('#opt-weights').count() === 0, 'the weights name is hidden for random starting weights');

  // A refused job: the server's 400 is shown next to the form.
  await page.selectOption('#opt-init', 'pretrained');
  await page.fill('#opt-weights', '../elsewhere/weights');
  await page.click('[data-testid="train"]');
  const refusal = await until(async () => (await page.textContent('[data-testid="train-error"]')).trim(),
    'the refusal to be shown');
  check(/bad request/i.test(refusal) && /weights/.test(refusal), `the refusal names the problem: ${refusal}`);
  await shot('refused');
  await page.selectOption('#opt-init', 'random');
  check(await page.locator('#opt-weights').count() === 0, 'the weights name hides again');

  // A tiny design with many epochs, so it is still running when we cancel it.
  const want = {
    architecture: 'resnet18', width: 0.125, inputSize: 32, trainingStudies: 0, validationFraction: 0.25,
    sampling: 'random', augmentation: 'flips_rotations', maxRotation: 10, loss: 'sigmoid_focal',
    focalAlpha: 0.5, focalGamma: 1.5, optimizer: 'sgd', learningRate: 0.01, schedule: 'poly', batchSize: 16,
    maxEpochs: 30,
    earlyStopping: false, monitor: 'auc', init: 'random', seed: 7,
  };
  await page.selectOption('#opt-architecture', want.architecture);
  await page.fill('#opt-width', String(want.width));
  await page.fill('#opt-inputSize', String(want.inputSize));
  await page.fill('#opt-trainingStudies', String(want.trainingStudies));
  await page.fill('#opt-validationFraction', String(want.validationFraction));
  await page.selectOption('#opt-sampling', want.sampling);
  await page.selectOption('#opt-augmentation', want.augmentation);
  await page.fill('#opt-maxRotation', String(want.maxRotation));
  await page.selectOption('#opt-loss', want.loss);
  await page.fill('#opt-focalAlpha', String(want.focalAlpha));
  await page.fill('#opt-focalGamma', String(want.focalGamma));
  await page.selectOption('#opt-optimizer', want.optimizer);
  await page.fill('#opt-learningRate', String(want.learningRate));
  await page.selectOption('#opt-schedule', want.schedule);
  await page.fill('#opt-batchSize', String(want.batchSize));
  await page.fill('#opt-maxEpochs', String(want.maxEpochs));
  await page.uncheck('#opt-earlyStopping');
  check(await page.locator('#opt-patience').count() === 0, 'patience is hidden without early stopping');
  await page.selectOption('#opt-monitor', want.monitor);
  await page.fill('#opt-seed', String(want.seed));
  await shot('form');

  const before = new Set((await api('/jobs?limit=100', asUser)).map((j) => j.id));
  await page.click('[data-testid="train"]');
  const jobId = Number(await until(async () => {
    const id = await page.getAttribute('[data-testid="progress"]', 'data-job');
    return id && !before.has(Number(id)) ? id : null;
  }, 'the new job to be followed on the page'));

  // The job the page queued carries exactly the options the form set.
  const job = await api(`/jobs/${jobId}`, asUser);
  checkEqual(job.kind, 'train', 'job kind');
  checkEqual(job.datasetId, datasetId, 'job dataset');
  Object.entries(want).forEach(([k, v]) => checkEqual(job.config[k], v, `job config ${k}`));
  check(job.config.patience === undefined, 'patience is not sent without early stopping');
  check(job.config.patchSize === undefined, 'no training patch for a classifier');
  check(job.config.weights === undefined, 'no weights are sent for random starting weights');
  check(job.config.halfPrecisionUpdates === false && job.config.syncEvery === 1 && job.config.exchange === 'driver',
    'cluster options at their defaults');

  // Live progress: at least one point on the loss curve, as the job's progress events say.
  await until(async () => {
    const now = await api(`/jobs/${jobId}`, asUser);
    if (now.status !== 'QUEUED' && now.status !== 'RUNNING') {
      throw new Stop(`job ${jobId} ended before the test could cancel it: ${now.status} ${now.reason || ''}`);
    }
    return Number(await page.getAttribute('[data-testid="progress"]', 'data-loss-points')) >= 1;
  }, 'the first point of the loss curve', { timeout: 240000, every: 500 });
  await page.waitForSelector('canvas[data-chart="loss"][data-ready="true"]');
  const shown = Number(await page.getAttribute('[data-testid="progress"]', 'data-loss-points'));
  const steps = (await api(`/jobs/${jobId}/progress`, asUser)).events.filter((e) => e.event === 'step');
  check(steps.length >= shown, `the page shows no more steps (${shown}) than the job wrote (${steps.length})`);
  checkEqual(await page.getAttribute('[data-testid="progress"]', 'data-status'), 'RUNNING', 'status on the page');
  const epochText = await page.textContent('[data-testid="progress"] [data-stat="epoch"] .stat-value');
  check(/^\d+ \/ 30$/.test(epochText.trim()), `epoch shown as n / 30: ${epochText}`);
  await shot('progress');

  // Cancel from the page.
  await page.click('[data-testid="cancel-job"]');
  await until(async () => (await api(`/jobs/${jobId}`, asUser)).status === 'CANCELLED', 'the API to say CANCELLED');
  await page.waitForSelector('[data-testid="progress"][data-status="CANCELLED"] [data-testid="cancelled-note"]');
  const tag = await page.textContent('[data-testid="progress"] .tag');
  checkEqual(tag.trim(), 'CANCELLED', 'the status tag');
  await page.waitForSelector(`[data-testid="train-jobs"] tr[data-job="${jobId}"] .tag-cancelled`);
  await shot('cancelled');

  // Two model cards side by side.
  for (const id of [m1, m2]) {
    await page.click(`[data-testid="model-list"] tr[data-model="${id}"] [data-testid="open-card"]`);
  }
  const boxes = [];
  for (const id of [m1, m2]) {
    const card = `[data-testid="model-card"][data-model="${id}"]`;
    await page.waitForSelector(`${card} [data-stat="kappa"] .stat-value`);
    const detail = await api(`/models/${id}`, asUser);
    const shownKappa = (await page.textContent(`${card} [data-stat="kappa"] .stat-value`)).trim();
    checkEqual(shownKappa, Number(detail.card.validation.kappaLinear).toFixed(3), `model ${id} validation kappa`);
    const shownAuc = (await page.textContent(`${card} [data-stat="auc"] .stat-value`)).trim();
    checkEqual(shownAuc, Number(detail.card.validation.auc).toFixed(3), `model ${id} validation AUC`);
    const cells = await page.$$eval(`${card} table.confusion tbody tr`, (rows) => rows.map((r) =>
      [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
    checkEqual(cells, detail.card.validation.confusionMatrix, `model ${id} confusion matrix`);
    boxes.push(await page.locator(card).boundingBox());
  }
  check(Math.abs(boxes[0].y - boxes[1].y) < 2 && boxes[1].x > boxes[0].x + boxes[0].width - 2,
    'the two cards sit side by side');
  await shot('cards');

  // Remove the first card.
  await page.click(`[data-testid="model-card"][data-model="${m1}"] [data-testid="close-card"]`);
  await until(async () => await page.locator(`[data-testid="model-card"][data-model="${m1}"]`).count() === 0,
    'the first card to go');
  check(await page.locator(`[data-testid="model-card"][data-model="${m2}"]`).count() === 1, 'the second card stays');

  // A prediction from the remaining card, compared with the API's answer for the same image.
  const card = `[data-testid="model-card"][data-model="${m2}"]`;
  await page.click(`${card} [data-testid="open-predict"]`);
  await page.waitForSelector(`${card} [data-testid="predict-image-select"]:not([disabled])`);
  const options = await page.$$eval(`${card} [data-testid="predict-image-select"] option`, (os) => os.map((o) => o.value));
  check(options.length > 3, 'the image list is filled');
  await page.selectOption(`${card} [data-testid="predict-image-select"]`, options[3]);
  await page.click(`${card} [data-testid="run-predict"]`);
  await page.waitForSelector(`${card} [data-testid="prediction"]`);
  await page.waitForSelector(`${card} [data-testid="predict-image"]`);
  const imageId = await page.getAttribute(`${card} [data-testid="prediction"]`, 'data-image');
  checkEqual(imageId, options[3], 'the predicted image is the chosen one');
  const expected = await api(`/models/${m2}/predict`, { ...asUser, method: 'POST', body: { datasetId, imageId } });
  const code = (await page.textContent(`${card} [data-testid="predicted-code"]`)).trim();
  checkEqual(code, expected.predicted, 'the predicted category');
  if (expected.reportText) {
    checkEqual((await page.textContent(`${card} [data-testid="report-text"]`)).trim(), expected.reportText.trim(),
      'the report text');
  }
  await shot('prediction');
});
