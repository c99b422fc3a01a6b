// Data Manager: an admin registers a folder of DICOM files with the keyboard, follows its prep job to the end, reads
// the rejects by reason and the transfer syntaxes (checked against what the set-up wrote and against the API),
// prepares it again and sees nothing new, tests a PACS connection that cannot work, and registers a PACS query (its
// form's problems named first; its job, which could only fail, cancelled); a participant sees neither the page nor
// its endpoints. RADLAB_TOKEN must be an admin's. RADLAB_E2E: {"folder", "name", "dicomFiles",
// "syntaxes": {uid: files}, "rejects": {reason: files}, "closedSource", "participant"}.
import { api, BASE, check, checkEqual, scenario, until } from './lib.mjs';

/** The rows of a table on the page as [data attributes...]. */
function rows(page, selector, attributes) {
  return page.$$eval(selector, (els, names) => els.map((e) => names.map((n) => e.dataset[n])), attributes);
}

/** Follows the prep job shown in the detail until it ends; returns the statuses seen on the way. */
async function followJob(page, job) {
  const seen = [];
  const selector = `[data-testid="prep-job"][data-job="${job}"]`;
  await until(async () => {
    const status = await page.getAttribute(selector, 'data-status').catch(() => null);
    if (status && seen[seen.length - 1] !== status) seen.push(status);
    if (status === 'RUNNING' && !seen.includes('checked-button')) {
      check(await page.isDisabled('#dm-again'), 'Prepare again is disabled while the job runs');
      seen.push('checked-button');
    }
    return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';
  }, `prep job ${job} to end`, { timeout: 300000, every: 200 });
  return seen.filter((s) => s !== 'checked-button');
}

async function expectSummary(page, input, what) {
  await page.waitForSelector('[data-testid="summary"] [data-testid="rejects"]');
  checkEqual(Object.fromEntries((await rows(page, '[data-testid="reject-row"]', ['reason', 'count']))
    .map(([r, n]) => [r, Number(n)])), input.rejects, `${what}: rejects by reason`);
  const syntaxes = await rows(page, '[data-testid="syntax-row"]', ['uid', 'converted', 'rejected']);
  const converted = Object.fromEntries(syntaxes.filter(([, c]) => Number(c) > 0).map(([u, c]) => [u, Number(c)]));
  checkEqual(converted, input.syntaxes, `${what}: files converted by transfer syntax`);
  const rejectedFiles = Object.values(input.rejects).reduce((a, b) => a + b, 0);
  checkEqual(syntaxes.reduce((n, [, , r]) => n + Number(r), 0), rejectedFiles, `${what}: rejected files over syntaxes`);
  checkEqual(Number(await page.textContent('[data-stat="converted"] .stat-value')), input.dicomFiles,
    `${what}: files converted`);
  checkEqual(Number(await page.textContent('[data-stat="rejected"] .stat-value')), rejectedFiles,
    `${what}: files rejected`);
}

scenario('datamgr', async (t) => {
  const { page } = t;
  const { input } = t;
  await t.signIn();
  await page.click('.topbar nav a:has-text("Data Manager")');
  await page.waitForSelector('[data-testid="register"]');
  await until(() => page.$('[data-testid="datasets"], [data-testid="no-datasets"]'), 'the dataset list');

  // The form says what is missing before anything is sent.
  const before = (await api('/datasets')).length;
  await page.click('#dm-register');
  const problems = await page.textContent('[data-testid="register-problems"]');
  check(problems.includes('Give the dataset a name') && problems.includes('Give the folder'), `problems: ${problems}`);
  await page.fill('#dm-name', 'not a name!');
  await page.click('#dm-register');
  check((await page.textContent('[data-testid="register-problems"]')).includes('"not a name!" does not'),
    'the name is refused with the reason');
  checkEqual((await api('/datasets')).length, before, 'nothing registered by a refused form');

  // Registered with the keyboard: Enter in the folder field sends the form.
  await page.fill('#dm-name', input.name);
  await page.fill('#dm-folder', input.folder);
  await page.focus('#dm-folder');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="registered"]');
  const dataset = (await api('/datasets')).find((d) => d.name === input.name);
  check(dataset, `dataset ${input.name} is registered`);
  checkEqual(dataset.source, input.folder, 'the source registered');
  const first = dataset.jobId;
  await page.waitForSelector(`[data-testid="dataset-detail"][data-dataset="${dataset.id}"]`);
  const seen = await followJob(page, first);
  checkEqual(seen[seen.length - 1], 'SUCCEEDED', `the prep job's end (seen: ${seen})`);
  check(seen.length > 1, `the page followed the job while it ran (seen: ${seen})`);
  await t.shot('prepared');
  await expectSummary(page, input, 'first run');
  const summary = await api(`/datasets/${dataset.id}/summary`);
  checkEqual(summary.rejectReasons, input.rejects, 'the API\'s rejects by reason');
  checkEqual(summary.lastRun.filesProcessed, input.dicomFiles + 1, 'the first run processed every file');
  await until(async () => (await page.getAttribute(`[data-testid="dataset-row"][data-dataset="${dataset.id}"]`,
    'data-status')) === 'ready', 'the dataset to show as ready');
  const ready = await api(`/datasets/${dataset.id}`);

  // Prepared again: a new job, and nothing new.
  await page.click('#dm-again');
  const second = await until(async () => {
    const j = Number(await page.getAttribute('[data-testid="prep-job"]', 'data-job'));
    return j !== first && j;
  }, 'a second prep job');
  checkEqual((await api(`/datasets/${dataset.id}`)).jobId, second, 'the dataset\'s prep job is the new one');
  const again = await followJob(page, second);
  checkEqual(again[again.length - 1], 'SUCCEEDED', `the second prep job's end (seen: ${again})`);
  await page.waitForSelector('[data-testid="nothing-new"]');
  checkEqual(Number(await page.textContent('[data-stat="last-run"] .stat-value')), 0, 'new files in the second run');
  await expectSummary(page, input, 'second run');
  checkEqual((await api(`/datasets/${dataset.id}/summary`)).lastRun.filesProcessed, 0, 'the API: nothing new');
  const after = await api(`/datasets/${dataset.id}`);
  checkEqual([after.status, after.images, after.studies], [ready.status, ready.images, ready.studies],
    'the dataset after preparing again');
  await t.shot('prepared-again');

  // A PACS that is not there: the test says so.
  const row = `[data-testid="source-row"][data-source="${input.closedSource}"]`;
  await page.click(`${row} [data-testid="test-connection"]`);
  await page.waitForSelector(`${row} [data-testid="test-result"]`);
  checkEqual(await page.getAttribute(`${row} [data-testid="test-result"]`, 'data-reason'), 'unreachable',
    'the connection test\'s reason');
  await t.shot('pacs-test');

  // A PACS query: the form names its problems, then registers the query prep reads.
  await page.check('#dm-kind-pacs');
  checkEqual(await page.$$eval('#dm-source option', (os) => os.map((o) => o.value)), [input.closedSource],
    'the PACS to choose from');
  await page.fill('#dm-name', 'from-pacs');
  await page.fill('#dm-modality', 'M G!');
  await page.fill('#dm-from', '2024-05-01');
  await page.fill('#dm-to', '2024-01-01');
  await page.click('#dm-register');
  const pacsProblems = await page.textContent('[data-testid="register-problems"]');
  check(pacsProblems.includes('"M G!" is not') && pacsProblems.includes('ends before it starts'),
    `problems: ${pacsProblems}`);
  await page.fill('#dm-modality', 'mg');
  await page.fill('#dm-to', '2024-12-31');
  await page.fill('#dm-description', '*SCREENING*');
  await page.click('#dm-register');
  await until(async () => (await page.textContent('[data-testid="registered"]')).includes('from-pacs'),
    'the PACS dataset registered');
  const fromPacs = (await api('/datasets')).find((d) => d.name === 'from-pacs');
  checkEqual(fromPacs.source, `dicomweb://${input.closedSource}?modality=MG&from=2024-05-01&to=2024-12-31`
    + '&description=*SCREENING*', 'the PACS query registered');
  // its prep could only fail (the PACS is not there): cancelled at once, and the page says so
  await api(`/jobs/${fromPacs.jobId}/cancel`, { method: 'POST' });
  await page.waitForSelector(`[data-testid="prep-job"][data-job="${fromPacs.jobId}"] [data-testid="prep-failed"]`);
  await t.shot('pacs-query');

  // A participant sees neither the page nor its endpoints.
  const other = await t.browser.newContext();
  const theirs = await other.newPage();
  await theirs.goto(`${BASE}/signin`);
  await theirs.fill('#token', input.participant);
  await theirs.click('button:has-text("Sign in")');
  await theirs.waitForSelector('.topbar');
  checkEqual(await theirs.locator('.topbar nav a:has-text("Data Manager")').count(), 0, 'no Data Manager link');
  await theirs.goto(`${BASE}/data`);
  await theirs.waitForSelector('[data-testid="admin-only"]');
  for (const [method, path] of [['GET', '/pacs-sources'], ['POST', `/pacs-sources/${input.closedSource}/test`],
    ['POST', `/datasets/${dataset.id}/prepare`], ['POST', '/datasets']]) {
    const res = await fetch(`${BASE}/api${path}`, { method, headers: { Authorization: `Bearer ${input.participant}`,
      'Content-Type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    checkEqual(res.status, 403, `${method} ${path} as a participant`);
  }
  await other.close();
});
