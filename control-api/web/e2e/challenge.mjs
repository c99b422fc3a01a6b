// Challenge: progress toward the annotations needed, the agreement matrix, "Train my models", submitting a model,
// and the leaderboard once the hidden evaluation scored it; each checked against the API.
// Input: {"challengeId", "useCaseId", "datasetId" (the pool), "modelIds": [a model of the user trained on the pool]};
// RADLAB_TOKEN: a participant who labelled at least the challenge's minimum of pool studies.
import { api, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

const text = (page, selector) => page.textContent(selector).then((s) => s.replace(/\s+/g, ' ').trim());
const f3 = (x) => (x === null || x === undefined ? '–' : Number(x).toFixed(3));

scenario('challenge', async (t) => {
  const { page, input } = t;
  const me = await api('/me', { token: TOKEN });
  const challenge = await api(`/challenges/${input.challengeId}`, { token: TOKEN });
  await t.signIn();
  await t.goto(`/challenge?challenge=${input.challengeId}`);
  await page.waitForSelector('#annotation-progress');

  // Progress toward the annotations the rules ask for.
  checkEqual(await text(page, '#annotation-progress'),
    `${challenge.you.annotations} / ${challenge.minAnnotations}`, 'annotation progress');
  checkEqual(await text(page, '#phase'), challenge.phase, 'the phase');

  // The agreement matrix: the API's counts, cell by cell.
  const agreement = await api(`/use-cases/${input.useCaseId}/agreement`, { token: TOKEN });
  check(agreement.studies > 0, 'the participant has labels with reference labels');
  await page.waitForSelector('table[data-matrix="agreement"]');
  const cells = await page.$$eval('table[data-matrix="agreement"] tbody tr',
    (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  checkEqual(cells, agreement.matrix, 'the agreement matrix');
  // The milestone state: how many more labels until the matrix refreshes.
  checkEqual(await page.getAttribute('#agreement-milestone', 'data-until'), String(agreement.labelsUntilRefresh),
    'labels until the next refresh');
  check((await text(page, '#agreement-milestone')).includes(`Next refresh after ${agreement.labelsUntilRefresh} more`),
    'the page says when the matrix refreshes next');

  // The crowdsourcing board.
  const board = await api(`/use-cases/${input.useCaseId}/board?limit=20`, { token: TOKEN });
  const shown = await page.$$eval('#board tbody tr', (rows) => rows.map((r) => [r.dataset.user,
    Number(r.querySelector('.num').textContent)]));
  checkEqual(shown, board.map((b) => [b.userName, b.annotations]), 'the crowdsourcing board');
  await t.shot('challenge');

  // "Train my models" queues a training job on the pool with the participant's own labels.
  const before = new Set((await api('/jobs', { token: TOKEN })).map((j) => j.id));
  await page.click('#train-mine');
  await page.waitForSelector('#challenge-result');
  const queued = await until(async () => (await api('/jobs', { token: TOKEN })).find((j) => !before.has(j.id)),
    'the training job');
  checkEqual([queued.kind, queued.datasetId, queued.config.architecture], ['train', input.datasetId, 'resnet18'],
    'the queued job');
  await page.locator(`[data-job="${queued.id}"]`).waitFor();
  await t.shot('training-queued');
  // Its training is Create's subject; here it only has to be queued. Cancel it to keep the queue free.
  await api(`/jobs/${queued.id}/cancel`, { method: 'POST', token: TOKEN });

  // Submit an existing model; the hidden evaluation scores it and the leaderboard shows the API's numbers.
  const model = input.modelIds[0];
  await page.click(`#my-models tr[data-model="${model}"] button:has-text("Submit")`);
  await page.locator('#challenge-result:has-text("submitted")').waitFor();
  const subs = await api(`/challenges/${input.challengeId}/submissions`, { token: TOKEN });
  check(subs.some((s) => s.modelId === model), 'the submission is recorded');
  await page.locator('#submissions tr[data-submission]').first().waitFor();
  const scored = await until(async () => {
    const b = await api(`/challenges/${input.challengeId}/leaderboard`, { token: TOKEN });
    const row = b.rows.find((r) => r.userName === me.name);
    return row && row.status === 'scored' ? row : null;
  }, 'the hidden evaluation to score the submission', { timeout: 300000, every: 2000 });
  const row = page.locator(`#leaderboard tr[data-user="${me.name}"]`);
  await until(async () => (await row.locator('[data-score=kappa]').textContent()) === f3(scored.kappa),
    'the leaderboard row to show the scored kappa', { timeout: 30000 });
  checkEqual(await row.locator('[data-score=auc]').textContent(), f3(scored.auc), 'the leaderboard AUC');
  checkEqual(await row.locator('td').first().textContent(), String(scored.rank), 'the rank');
  checkEqual(await text(page, '#submissions-today'),
    `${(await api(`/challenges/${input.challengeId}`, { token: TOKEN })).you.submissionsToday} / ${challenge.dailyLimit}`,
    'submissions today');
  await t.shot('leaderboard');
});
