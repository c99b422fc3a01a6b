// Evaluate: choose a dataset and two models, queue the evaluation from the page, wait for it, and check the
// comparison table, the confusion matrices and the ROC chart against the files the job wrote (via the API).
//
// RADLAB_E2E: {"useCaseId": 1, "datasetId": 1, "modelIds": [m1, m2]}
// RADLAB_TOKEN: a participant who has labelled studies of the dataset and owns models m1 and m2 (of that use case).
// The server must be free to run the evaluation within a few minutes.
import { api, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

const f3 = (x) => Number(x).toFixed(3);
/** How the page writes a value with its 95 % interval. */
const withCi = (value, ci) => (ci && Number.isFinite(Number(ci.lower)) && Number.isFinite(Number(ci.upper))
  ? `${f3(value)} (${f3(ci.lower)}–${f3(ci.upper)})` : f3(value));

scenario('evaluate', async (t) => {
  const { useCaseId, datasetId, modelIds } = t.input;
  check(useCaseId && datasetId && Array.isArray(modelIds) && modelIds.length >= 2,
    'RADLAB_E2E needs useCaseId, datasetId and two modelIds');
  const { page } = t;
  const asUser = { token: TOKEN };
  const shot = async (label) => {
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await t.shot(label);
  };
  const useCase = await api(`/use-cases/${useCaseId}`, asUser);
  const codes = useCase.categories.map((c) => c.code);
  const positive = codes.slice(-2);

  await t.signIn();
  await t.goto('/evaluate');
  await page.waitForSelector('[data-testid="eval-form"]');
  await page.selectOption('#eval-usecase', String(useCaseId));
  await page.selectOption('#eval-dataset', String(datasetId));
  await page.check('[data-testid="eval-form"] [data-testid="labels-mine"]');

  // Nothing chosen: the page says what is missing instead of queuing.
  await page.waitForSelector('[data-testid="model-picker"]');
  await page.click('[data-testid="model-picker"] button:has-text("None")');
  await page.click('[data-testid="evaluate"]');
  const missing = await until(async () => (await page.textContent('[data-testid="eval-error"]')).trim(),
    'the form to say a model is missing');
  check(/at least one model/.test(missing), `the form names the missing models: ${missing}`);

  for (const id of modelIds) await page.check(`[data-testid="model-picker"] input[data-model="${id}"]`);
  for (const code of codes) {
    if (positive.includes(code)) await page.check(`input[data-positive="${code}"]`);
    else await page.uncheck(`input[data-positive="${code}"]`);
  }
  await page.fill('#eval-threshold', '0.4');
  await page.click('details.more summary');
  await page.fill('#eval-bootstrap', '300');
  await page.fill('#eval-seed', '3');
  await shot('form');

  const before = new Set((await api('/jobs?limit=100', asUser)).map((j) => j.id));
  await page.click('[data-testid="evaluate"]');
  const jobId = Number(await until(async () => {
    const id = await page.getAttribute('[data-testid="evaluation"]', 'data-job');
    return id && !before.has(Number(id)) ? id : null;
  }, 'the new evaluation to be shown'));

  // The queued job is what the form said.
  const job = await api(`/jobs/${jobId}`, asUser);
  checkEqual(job.kind, 'evaluate', 'job kind');
  checkEqual(job.datasetId, datasetId, 'job dataset');
  const paths = [];
  for (const id of modelIds) paths.push((await api(`/models/${id}`, asUser)).model.path);
  checkEqual([...job.config.models].sort(), [...paths].sort(), 'the evaluated models');
  checkEqual(job.config.positive, positive, 'positive categories');
  checkEqual(job.config.threshold, 0.4, 'threshold');
  checkEqual(job.config.bootstrap, 300, 'bootstrap resamples');
  checkEqual(job.config.seed, 3, 'seed');
  await page.waitForSelector(`[data-testid="eval-jobs"] tr[data-job="${jobId}"]`);
  await shot('queued');

  // Wait for the job, as the page follows it.
  await until(async () => {
    const s = (await api(`/jobs/${jobId}`, asUser)).status;
    if (s === 'FAILED' || s === 'CANCELLED') throw new Error(`evaluation ${jobId} ended ${s}`);
    return s === 'SUCCEEDED';
  }, 'the evaluation to succeed', { timeout: 400000, every: 2000 });
  await page.waitForSelector(`[data-testid="evaluation"][data-job="${jobId}"][data-status="SUCCEEDED"] [data-testid="compare-table"]`,
    { timeout: 30000 });
  await checkResults(jobId, modelIds.length);
  await shot('results');

  // A past evaluation opens from the list.
  await t.goto('/evaluate');
  await page.waitForSelector(`[data-testid="eval-jobs"] tr[data-job="${jobId}"]`);
  const others = await page.$$eval('[data-testid="eval-jobs"] tr[data-job]', (rows) => rows.map((r) => Number(r.dataset.job)));
  const other = others.find((id) => id !== jobId);
  if (other) {
    await page.click(`[data-testid="eval-jobs"] tr[data-job="${other}"]`);
    await page.waitForSelector(`[data-testid="evaluation"][data-job="${other}"]`);
  }
  await page.click(`[data-testid="eval-jobs"] tr[data-job="${jobId}"]`);
  await page.waitForSelector(`[data-testid="evaluation"][data-job="${jobId}"] [data-testid="compare-table"]`);
  check(new URL(page.url()).searchParams.get('job') === String(jobId), 'the URL names the open evaluation');
  await checkResults(jobId, modelIds.length);
  await shot('reopened');

  /** The table, matrices and ROC chart of evaluation `id` against its comparison.json and metrics.json. */
  async function checkResults(id, count) {
    const rows = await api(`/jobs/${id}/artifact?path=comparison.json`, asUser);
    checkEqual(rows.length, count, 'rows in comparison.json');
    const shownRows = await page.$$eval('[data-testid="compare-table"] tbody tr', (trs) => trs.length);
    checkEqual(shownRows, rows.length, 'rows in the table');
    for (const row of rows) {
      const tr = `[data-testid="compare-table"] tr[data-row="${row.model}"]`;
      const cell = async (col) => (await page.textContent(`${tr} td[data-col="${col}"]`)).trim();
      checkEqual(await cell('kappa'), withCi(row.kappaLinear, row.kappaCi), `${row.model} kappa with interval`);
      checkEqual(await cell('auc'), withCi(row.aucMacro, row.aucCi), `${row.model} AUC with interval`);
      checkEqual(await cell('studies'), String(row.studies), `${row.model} studies`);
      checkEqual(await cell('binaryAuc'), f3(row.binaryAuc), `${row.model} binary AUC`);
      const registered = modelIds.find((m, i) => paths[i] === row.path);
      if (registered) check((await page.textContent(`${tr} td`)).includes(`Model ${registered}`), `${row.model} is named Model ${registered}`);

      const metrics = await api(`/jobs/${id}/artifact?path=${encodeURIComponent(`${row.model}/metrics.json`)}`, asUser);
      const card = `[data-testid="matrix-card"][data-model="${row.model}"]`;
      const cells = await page.$$eval(`${card} table.confusion tbody tr`, (trs) => trs.map((r) =>
        [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
      checkEqual(cells, metrics.confusionMatrix, `${row.model} confusion matrix`);
      const heads = await page.$$eval(`${card} table.confusion thead th:not(.corner)`, (ths) => ths.map((th) => th.textContent.trim()));
      checkEqual(heads, metrics.classes, `${row.model} matrix columns`);
    }
    // The ROC chart: drawn, with one curve per model that has a binary view.
    await page.waitForSelector('canvas[data-chart="roc"][data-ready="true"]');
    const curves = Number(await page.getAttribute('[data-testid="roc"]', 'data-curves'));
    checkEqual(curves, rows.length, 'ROC curves');
    const inked = await page.$eval('canvas[data-chart="roc"]', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
        if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n += 1; // coloured, not grey grid or text
      }
      return n;
    });
    check(inked > 300, `the ROC chart has coloured curves drawn (${inked} coloured pixels)`);
  }
});
