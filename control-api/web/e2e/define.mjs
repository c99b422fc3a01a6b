// Define: sign in with a token, browse the catalog (search, filter, sort), open a use case, comment on it, submit a
// new use case and ask to draft an open one; every result is checked through the API.
// Input: {"useCaseId": 1} (a published use case); RADLAB_TOKEN: a participant; RADLAB_ADMIN: an admin.
import { api, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

scenario('define', async (t) => {
  const { page } = t;
  const me = await api('/me', { token: TOKEN });
  const suffix = Date.now().toString(36);
  // An admin's draft: an open catalog entry the participant may ask to draft.
  const draft = await api('/use-cases', { method: 'POST', body: { title: `Knee effusion ${suffix}`, summary: 'Effusion on knee MR',
    bodyArea: 'Knee', modality: 'MR', task: 'classification', categories: [
      { code: 'N', name: 'None', description: 'no effusion', cdeId: 'k.n' },
      { code: 'Y', name: 'Effusion', description: 'effusion present', cdeId: 'k.y' }] } });

  // A wrong token is refused with a message; the right one signs in.
  await t.goto('/signin');
  await page.fill('#token', 'rl_not-a-token');
  await page.click('button:has-text("Sign in")');
  await page.waitForSelector('[role=alert]');
  check((await page.textContent('[role=alert]')).includes('not valid'), 'a wrong token is refused with a message');
  await t.signIn();
  await page.waitForSelector('#use-cases');
  await t.shot('catalog');

  const titles = async () => page.$$eval('#use-cases tbody tr strong', (els) => els.map((e) => e.textContent));
  const visible = await api('/use-cases?sort=title', { token: TOKEN });
  await until(async () => JSON.stringify(await titles()) === JSON.stringify(visible.map((u) => u.title)),
    'the catalog to list what the API lists for this user');
  check(visible.some((u) => u.id === draft.id), 'the open draft is in the participant\'s catalog');

  // Search and sort go to the API and the table follows.
  await page.fill('#uc-q', 'effusion');
  const searched = await api(`/use-cases?q=effusion&sort=title`, { token: TOKEN });
  await until(async () => JSON.stringify(await titles()) === JSON.stringify(searched.map((u) => u.title)),
    'the search results');
  await page.fill('#uc-q', '');
  await page.selectOption('#uc-sort', '-updated');
  const recent = await api('/use-cases?sort=-updated', { token: TOKEN });
  await until(async () => JSON.stringify(await titles()) === JSON.stringify(recent.map((u) => u.title)),
    'the catalog sorted by update');
  await page.selectOption('#uc-status', 'draft');
  const drafts = await api('/use-cases?status=draft&sort=-updated', { token: TOKEN });
  await until(async () => JSON.stringify(await titles()) === JSON.stringify(drafts.map((u) => u.title)),
    'the drafts filter');

  // Ask to draft the open one.
  const row = page.locator(`tr[data-use-case="${draft.id}"]`);
  await row.locator('button:has-text("Request to draft")').click();
  await row.locator('textarea').fill('I read knee MR every day');
  await row.locator('button:has-text("Send request")').click();
  await row.locator('text=Request sent').waitFor();
  const requests = await api(`/use-cases/${draft.id}/draft-requests`);
  checkEqual(requests.map((r) => [r.userName, r.note]), [[me.name, 'I read knee MR every day']], 'the draft request');
  await t.shot('draft-requested');

  // A use case page: its categories as the API has them; a comment.
  await page.selectOption('#uc-status', '');
  const id = t.input.useCaseId;
  await page.click(`tr[data-use-case="${id}"] a strong`);
  await page.waitForSelector('#categories');
  const uc = await api(`/use-cases/${id}`, { token: TOKEN });
  checkEqual(await page.textContent('#use-case-title'), uc.title, 'the use case title');
  const codes = await page.$$eval('#categories tbody tr', (rows) => rows.map((r) => r.dataset.code));
  checkEqual(codes, uc.categories.map((c) => c.code), 'the categories in order');
  const comment = `Helpful for screening triage (${suffix})`;
  await page.fill('#comment-body', comment);
  await page.click('button:has-text("Comment")');
  await page.locator(`.comments li:has-text("${comment}")`).waitFor();
  const comments = await api(`/use-cases/${id}/comments`, { token: TOKEN });
  check(comments.some((c) => c.body === comment && c.userName === me.name), 'the comment is stored as typed');
  await t.shot('use-case');

  // Submit a new use case through the form; a participant's goes to review.
  await t.goto('/define');
  await page.click('#new-use-case');
  await page.fill('#f-title', `Pneumothorax ${suffix}`);
  await page.fill('#f-summary', 'Flag pneumothorax on chest radiographs');
  await page.fill('#f-body', 'Chest');
  await page.fill('#f-modality', 'CR');
  const cells = [['P', 'Present', 'pneumothorax seen', 'c.p'], ['N', 'Absent', 'no pneumothorax', 'c.n']];
  for (let i = 0; i < cells.length; i += 1) {
    const [code, name, description, cde] = cells[i];
    await page.fill(`[aria-label="category ${i + 1} code"]`, code);
    await page.fill(`[aria-label="category ${i + 1} name"]`, name);
    await page.fill(`[aria-label="category ${i + 1} description"]`, description);
    await page.fill(`[aria-label="category ${i + 1} CDE id"]`, cde);
  }
  await page.click('.use-case-form button:has-text("Submit")');
  await page.waitForSelector('#categories');
  const mine = (await api(`/use-cases?q=${encodeURIComponent(`Pneumothorax ${suffix}`)}`, { token: TOKEN }))[0];
  check(mine, 'the new use case exists');
  checkEqual([mine.status, mine.bodyArea, mine.modality, mine.categories.map((c) => [c.code, c.name, c.description,
    c.cdeId])], ['in_review', 'Chest', 'CR', cells], 'the submitted use case');
  check(page.url().endsWith(`/define/${mine.id}`), 'the page shows the new use case');
  await t.shot('submitted');

  // A form error names the problem: a use case with one category.
  await t.goto('/define');
  await page.click('#new-use-case');
  await page.fill('#f-title', `Single ${suffix}`);
  await page.fill('#f-body', 'Chest');
  await page.fill('#f-modality', 'CR');
  await page.fill('[aria-label="category 1 code"]', 'x');
  await page.fill('[aria-label="category 1 name"]', 'X');
  await page.fill('[aria-label="category 1 CDE id"]', 'x');
  await page.fill('[aria-label="category 2 code"]', 'x');
  await page.fill('[aria-label="category 2 name"]', 'Y');
  await page.fill('[aria-label="category 2 CDE id"]', 'y');
  await page.click('.use-case-form button:has-text("Submit")');
  await page.waitForSelector('.use-case-form [role=alert]');
  check((await page.textContent('.use-case-form [role=alert]')).includes('appears twice'),
    'a duplicate category code is refused with the API\'s reason');
  await t.shot('form-error');
});
