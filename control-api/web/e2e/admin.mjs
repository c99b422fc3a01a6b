// Admin page: create a user, make them a second token, revoke it; each secret shown is checked by calling the API
// with it, and the page's lists against the API's. RADLAB_TOKEN must be an admin's. RADLAB_E2E: {"name": "carla"}
// (a user name not taken yet).
import { api, BASE, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

/** GET /api/me with a token: the user's name, or the HTTP status when refused. */
async function whoIs(token) {
  const res = await fetch(`${BASE}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
  return res.ok ? (await res.json()).name : res.status;
}

scenario('admin', async (t) => {
  const { page } = t;
  const name = t.input.name || 'carla';
  await t.signIn();
  await t.goto('/admin');
  await page.waitForSelector('[data-testid="users"]');
  const listed = await api('/users', { token: TOKEN });
  checkEqual(await page.locator('[data-testid="user-row"]').count(), listed.length, 'users on the page');

  // A new user: their token is shown once and works.
  await page.fill('#new-user-name', name);
  await page.fill('#new-user-days', '30');
  await page.click('#new-user-submit');
  const first = (await until(() => page.textContent('[data-testid="new-token"] [data-testid="secret"]'),
    'the new user\'s token')).trim();
  checkEqual(await whoIs(first), name, 'the token shown for the new user');
  const user = (await api('/users', { token: TOKEN })).find((u) => u.name === name);
  await page.waitForSelector(`[data-testid="tokens"][data-user="${user.id}"] [data-testid="token-row"]`);
  await t.shot('user-made');

  // A second token for them, then revoked from the page.
  await page.fill('#token-label', 'laptop');
  await page.fill('#token-days', '7');
  await page.click('#token-submit');
  const card = `[data-testid="tokens"][data-user="${user.id}"]`;
  const second = (await until(() => page.textContent(`${card} [data-testid="secret"]`), 'the second token')).trim();
  checkEqual(await whoIs(second), name, 'the second token');
  const made = Number(await page.getAttribute(`${card} [data-testid="new-token"]`, 'data-token-id'));
  await until(async () => await page.locator(`${card} [data-testid="token-row"]`).count() === 2, 'two tokens listed');
  await page.click(`${card} tr[data-token="${made}"] [data-testid="revoke"]`);
  await until(async () => (await page.getAttribute(`${card} tr[data-token="${made}"]`, 'data-status')) === 'revoked',
    'the revoked token to show as revoked');
  checkEqual(await whoIs(second), 401, 'the revoked token is refused');
  checkEqual(await whoIs(first), name, 'the other token still works');
  const tokens = await api(`/tokens?userId=${user.id}`, { token: TOKEN });
  const shown = await page.$$eval(`${card} [data-testid="token-row"]`,
    (rows) => rows.map((r) => [Number(r.dataset.token), r.dataset.status]));
  checkEqual(shown, tokens.map((x) => [x.id, x.status]), 'the token list against the API');
  await until(async () => (await page.getAttribute(`[data-testid="user-row"][data-user="${user.id}"]`, 'data-live'))
    === '1', 'one working token left in the user list');
  await t.shot('revoked');
});
