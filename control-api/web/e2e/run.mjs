// Browser test of the Run and Publish pages: run a model on a prepared image and on an uploaded PNG, and check the
// page shows what the API predicts for the same image; publish the model to a folder, check the history against the
// API, and check that publishing to the same folder again shows the 409 refusal.
//
// RADLAB_E2E: {"datasetId": 1, "modelIds": [m]}: a ready dataset and a model. RADLAB_TOKEN: the model's owner or an
// admin. Publishing writes published/<e2e-run-...>/radlab-model-<m>/ in the server's workspace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, BASE, check, checkEqual, scenario, TOKEN } from './lib.mjs';

/** What the page shows of a prediction. */
async function shownPrediction(page) {
  return page.evaluate(() => {
    const root = document.querySelector('[data-testid=prediction]');
    return {
      predicted: root.querySelector('[data-testid=predicted]').dataset.code,
      predictedName: root.querySelector('[data-testid=predicted-name]').textContent.trim(),
      probabilities: Object.fromEntries([...root.querySelectorAll('[data-testid=probability]')]
        .map((el) => [el.dataset.class, Number(el.dataset.value)])),
      shownPercent: Object.fromEntries([...root.querySelectorAll('[data-testid=probability]')]
        .map((el) => [el.dataset.class, el.querySelector('.bar-value').textContent.trim()])),
      reportText: root.querySelector('[data-testid=report-text]').textContent.trim(),
      input: root.querySelector('[data-testid=input]').textContent.trim(),
    };
  });
}

function checkPrediction(shown, expected, what) {
  checkEqual(shown.predicted, expected.predicted, `${what}: predicted category`);
  checkEqual(shown.predictedName, expected.predictedName, `${what}: category name`);
  checkEqual(Object.keys(shown.probabilities), Object.keys(expected.probabilities), `${what}: categories`);
  for (const [code, p] of Object.entries(expected.probabilities)) {
    checkEqual(shown.probabilities[code], p, `${what}: probability of ${code}`);
    checkEqual(shown.shownPercent[code], `${(100 * p).toFixed(1)} %`, `${what}: shown probability of ${code}`);
  }
  if (expected.reportText) checkEqual(shown.reportText, expected.reportText, `${what}: report text`);
  else check(shown.reportText.includes('adds no sentence'), `${what}: no report sentence shown`);
  checkEqual(shown.input, expected.input, `${what}: input`);
}

scenario('run', async (t) => {
  const { page } = t;
  const { datasetId, modelIds } = t.input;
  check(datasetId && modelIds && modelIds.length, 'RADLAB_E2E must give datasetId and modelIds');
  const m = modelIds[0];
  const as = { token: TOKEN };
  const detail = await api(`/models/${m}`, as);

  await t.signIn();
  await t.goto(`/run?model=${m}`);
  await page.waitForSelector(`.model-detail[data-model="${m}"]`);
  checkEqual(await page.inputValue('#model'), String(m), 'the model picker');
  const kappaShown = (await page.textContent('[data-stat=kappa] .stat-value')).trim();
  checkEqual(kappaShown, Number(detail.card.validation.kappaLinear).toFixed(3), 'validation kappa shown');
  await page.waitForSelector('canvas[data-chart=curves][data-ready=true]');

  // A prepared image: the second image of the second study (not what the page chooses by itself).
  const studies = await api(`/datasets/${datasetId}/studies?limit=2`, as);
  const study = studies[studies.length - 1];
  const images = await api(`/datasets/${datasetId}/images?study=${encodeURIComponent(study.studyUid)}`, as);
  const image = images[Math.min(1, images.length - 1)];
  await page.selectOption('#run-dataset', String(datasetId));
  await page.waitForSelector(`#run-study option[value="${study.studyUid}"]`, { state: 'attached' });
  await page.selectOption('#run-study', study.studyUid);
  await page.click(`.thumb[data-image="${image.imageId}"] img`);
  await page.waitForSelector(`.thumb.chosen[data-image="${image.imageId}"]`);
  await t.shot('image-chosen');
  await page.click('#run-predict');
  await page.waitForSelector('[data-testid=prediction]', { timeout: 60000 });
  const fromDataset = await api(`/models/${m}/predict`, { ...as, method: 'POST',
    body: { datasetId, imageId: image.imageId } });
  checkPrediction(await shownPrediction(page), fromDataset, `model ${m} on image ${image.imageId}`);
  await t.shot('prediction-dataset-image');

  // An upload: another image of the dataset, fetched through the API into a temporary PNG file.
  const other = images[0];
  const res = await fetch(`${BASE}/api/datasets/${datasetId}/images/${other.imageId}/png`,
    { headers: { Authorization: `Bearer ${TOKEN}` } });
  check(res.ok, `GET the PNG of image ${other.imageId}: ${res.status}`);
  const png = Buffer.from(await res.arrayBuffer());
  const dir = mkdtempSync(join(tmpdir(), 'radlab-e2e-run-'));
  try {
    const file = join(dir, `upload-${other.imageId}.png`);
    writeFileSync(file, png);
    await page.click('#mode-upload');
    await page.setInputFiles('#run-upload', file);
    await page.waitForSelector('[data-testid=upload-name]');
    await page.click('#run-predict');
    await page.waitForSelector('[data-testid=prediction] [data-testid=input]:has-text("uploaded PNG")',
      { timeout: 60000 });
    const fromUpload = await api(`/models/${m}/predict`, { ...as, method: 'POST', body: png, type: 'image/png' });
    checkPrediction(await shownPrediction(page), fromUpload, `model ${m} on the uploaded PNG`);
    await t.shot('prediction-upload');

    // A file that is neither DICOM nor PNG: the API's 415 is shown.
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not an image');
    await page.setInputFiles('#run-upload', text);
    await page.click('#run-predict');
    const alert = await page.waitForSelector('.run-page [role=alert]');
    const message = await alert.textContent();
    check(/not a DICOM or PNG/i.test(message) && message.includes('neither a PNG nor a DICOM'),
      `the 415 is explained: ${message}`);
    await t.shot('upload-refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Publish to a new folder of the workspace.
  const folder = `e2e-run-${Date.now()}`;
  await t.goto(`/publish?model=${m}`);
  await page.waitForSelector('[data-testid=history], [data-testid=history-empty]');
  const before = await api(`/models/${m}/publications`, as);
  await page.fill('#publish-directory', folder);
  await page.click('#publish-submit');
  await page.waitForSelector('[data-testid=publish-result]', { timeout: 60000 });
  const id = Number(await page.getAttribute('[data-testid=publish-result]', 'data-id'));
  const after = await api(`/models/${m}/publications`, as);
  checkEqual(after.length, before.length + 1, 'one more publication');
  const row = after.find((p) => p.id === id);
  check(row, `publication ${id} is in GET /models/${m}/publications`);
  checkEqual(row.status, 'published', 'publication status');
  check(row.destination.endsWith(`/published/${folder}/radlab-model-${m}`), `destination ${row.destination}`);
  checkEqual((await page.textContent('[data-testid=publish-destination]')).trim(), row.destination, 'destination shown');
  checkEqual((await page.textContent('[data-testid=publish-sha]')).trim(), row.sha256, 'checksum shown');
  checkEqual(Number(await page.getAttribute('[data-testid=publish-bytes]', 'data-value')), row.bytes, 'size shown');
  const files = (await page.textContent('[data-testid=publish-files]')).trim();
  for (const f of ['model.json', 'MODEL_CARD.md', 'SHA256SUMS', detail.card.weights]) {
    check(files.includes(f), `package file ${f} listed: ${files}`);
  }
  const historyRow = `[data-testid=history-row][data-id="${id}"]`;
  await page.waitForSelector(historyRow);
  checkEqual(await page.getAttribute(historyRow, 'data-status'), 'published', 'history row status');
  checkEqual((await page.textContent(`${historyRow} [data-testid=history-destination]`)).trim(), row.destination,
    'history row destination');
  checkEqual(await page.$$eval('[data-testid=history-row]', (rows) => rows.map((r) => Number(r.dataset.id))),
    after.map((p) => p.id), 'history rows = the API\'s publications, newest first');
  await t.shot('published');

  // The same folder again: refused (409), the refusal shown, and recorded as a failed attempt.
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/models/${m}/publish`) && r.request().method() === 'POST'),
    page.click('#publish-submit'),
  ]);
  checkEqual(answer.status(), 409, 'the second publication to the same folder is answered');
  const refusal = await page.waitForSelector('[data-testid=publish-error] [role=alert]', { timeout: 60000 });
  const refused = await api(`/models/${m}/publications`, as);
  checkEqual(refused.length, after.length + 1, 'the refused attempt is recorded');
  checkEqual(refused[0].status, 'failed', 'the refused attempt\'s status');
  const shownRefusal = await refusal.textContent();
  check(shownRefusal.includes(refused[0].detail), `the page shows the API's reason "${refused[0].detail}": ${shownRefusal}`);
  check(shownRefusal.includes('exists already'), `the refusal names the existing package: ${shownRefusal}`);
  await page.waitForSelector(`[data-testid=history-row][data-id="${refused[0].id}"][data-status=failed]`);
  await t.shot('publish-refused');
});
