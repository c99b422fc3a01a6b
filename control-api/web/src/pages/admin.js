// Admin: the users, each one's API tokens (made, expiring, revoked), new users and new tokens, and the publish
// destinations models may be sent to. Secrets are shown once, in the answer that made them.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Field, html, Loading, StatusTag, useAction, useApi, when } from '../ui.js';
import './admin.css';

export default function Admin({ me }) {
  const users = useApi(me.role === 'admin' ? '/users' : null);
  const [selected, setSelected] = useState(null);
  if (me.role !== 'admin') {
    return html`<div class="empty card" data-testid="admin-only"><h1>For admins only</h1>
      <p>Ask an admin to make or revoke tokens for you.</p></div>`;
  }
  const user = users.data && users.data.find((u) => u.id === selected);
  return html`<section class="admin-page">
    <h1>Users and tokens</h1>
    <p class="muted">A token works until it expires or is revoked; a revoked token is refused from the next request
      on. Tokens are stored only as their SHA-256, so a token is shown once, when it is made.</p>
    <${ErrorBox} error=${users.error} />
    ${users.loading && !users.data && html`<${Loading} what="the users" />`}
    <div class="split">
      <div>
        ${users.data && html`<${Users} rows=${users.data} selected=${selected} onSelect=${setSelected} />`}
        <${NewUser} onMade=${(u) => { users.reload(); setSelected(u.id); }} />
      </div>
      <div>
        ${user ? html`<${Tokens} key=${user.id} user=${user} onChange=${users.reload} />`
          : html`<div class="card muted">Choose a user to see their tokens.</div>`}
        <${Destinations} />
      </div>
    </div>
  </section>`;
}

function Users({ rows, selected, onSelect }) {
  return html`<div class="card"><table data-testid="users">
    <thead><tr><th>User</th><th>Role</th><th>Since</th><th class="num">Working tokens</th></tr></thead>
    <tbody>${rows.map((u) => html`<tr data-testid="user-row" data-user=${u.id} data-live=${u.liveTokens}
      class=${u.id === selected ? 'selected' : ''}>
      <td><button class="link" onClick=${() => onSelect(u.id)}>${u.name}</button></td>
      <td><span class="tag">${u.role}</span></td><td>${when(u.createdAt)}</td>
      <td class="num">${u.liveTokens}</td></tr>`)}</tbody>
  </table></div>`;
}

/** The token just made, shown once. */
function Secret({ made, what }) {
  if (!made) return null;
  return html`<div class="ok" data-testid="new-token" data-token-id=${made.tokenId || made.id}>
    <strong>${what}</strong> Copy the token now; it is not shown again. It works until ${when(made.expiresAt
      || made.tokenExpiresAt)}.
    <code class="secret" data-testid="secret">${made.token}</code></div>`;
}

function NewUser({ onMade }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('participant');
  const [days, setDays] = useState(90);
  const [made, setMade] = useState(null);
  const [run, busy, error] = useAction(async () => {
    const u = await api('/users', { method: 'POST', body: { name: name.trim(), role, days: Number(days) } });
    setMade(u);
    setName('');
    onMade(u);
  });
  return html`<div class="card" style="margin-top:1rem"><h2 style="margin-top:0">New user</h2>
    <form class="inline" onSubmit=${(e) => { e.preventDefault(); run(); }}>
      <${Field} label="Name" id="new-user-name"><input id="new-user-name" value=${name} autocomplete="off"
        onInput=${(e) => setName(e.currentTarget.value)} required /><//>
      <${Field} label="Role" id="new-user-role"><select id="new-user-role" value=${role}
        onChange=${(e) => setRole(e.currentTarget.value)}><option>participant</option><option>admin</option>
        </select><//>
      <${DaysField} id="new-user-days" value=${days} onChange=${setDays} />
      <button class="primary" id="new-user-submit" disabled=${busy || !name.trim()}>Create user</button>
    </form>
    <${ErrorBox} error=${error} />
    <${Secret} made=${made} what=${made && `User ${made.name} was created.`} />
  </div>`;
}

function DaysField({ id, value, onChange }) {
  return html`<${Field} label="Valid for (days)" id=${id}><input id=${id} type="number" min="1" max="365"
    value=${value} onInput=${(e) => onChange(e.currentTarget.value)} required /><//>`;
}

function Tokens({ user, onChange }) {
  const tokens = useApi(`/tokens?userId=${user.id}`);
  const [label, setLabel] = useState('');
  const [days, setDays] = useState(90);
  const [made, setMade] = useState(null);
  const refresh = () => { tokens.reload(); onChange(); };
  const [make, busy, error] = useAction(async () => {
    setMade(await api('/tokens', { method: 'POST', body: { userId: user.id, label: label.trim(), days: Number(days) } }));
    setLabel('');
    refresh();
  });
  const [revoke, revoking, revokeError] = useAction(async (id) => {
    await api(`/tokens/${id}/revoke`, { method: 'POST' });
    refresh();
  });
  return html`<div class="card" data-testid="tokens" data-user=${user.id}>
    <h2 style="margin-top:0">Tokens of ${user.name}</h2>
    <${ErrorBox} error=${tokens.error || revokeError} />
    ${tokens.data && html`<table>
      <thead><tr><th>Label</th><th>Made</th><th>Expires</th><th>Status</th><th></th></tr></thead>
      <tbody>${tokens.data.map((t) => html`<tr data-testid="token-row" data-token=${t.id} data-status=${t.status}>
        <td>${t.label || html`<span class="muted">(none)</span>`}</td><td>${when(t.createdAt)}</td>
        <td>${when(t.expiresAt)}</td><td><${StatusTag} status=${t.status} />${t.revokedAt
          && html`<div class="help">${when(t.revokedAt)}</div>`}</td>
        <td>${t.status === 'active' && html`<button data-testid="revoke" disabled=${revoking}
          onClick=${() => revoke(t.id)}>Revoke</button>`}</td></tr>`)}</tbody></table>`}
    <h3>New token</h3>
    <form class="inline" onSubmit=${(e) => { e.preventDefault(); make(); }}>
      <${Field} label="Label" id="token-label"><input id="token-label" value=${label} autocomplete="off"
        placeholder="e.g. laptop" onInput=${(e) => setLabel(e.currentTarget.value)} /><//>
      <${DaysField} id="token-days" value=${days} onChange=${setDays} />
      <button class="primary" id="token-submit" disabled=${busy}>Make token</button>
    </form>
    <${ErrorBox} error=${error} />
    <${Secret} made=${made} what=${`A token for ${user.name} was made.`} />
  </div>`;
}

function Destinations() {
  const list = useApi('/publish-destinations');
  const [url, setUrl] = useState('');
  const [allowPrivate, setAllowPrivate] = useState(false);
  const [add, busy, error] = useAction(async () => {
    await api('/publish-destinations', { method: 'POST', body: { url: url.trim(), allowPrivate } });
    setUrl('');
    list.reload();
  });
  const [remove, removing, removeError] = useAction(async (id) => {
    await api(`/publish-destinations/${id}/remove`, { method: 'POST' });
    list.reload();
  });
  return html`<div class="card" data-testid="destinations"><h2 style="margin-top:0">Publish destinations</h2>
    <p class="help">Models are sent by HTTP only to URLs under one of these (same scheme, host and port, path under
      the prefix). A host that resolves to a loopback or private address needs “private addresses”.</p>
    <${ErrorBox} error=${list.error || removeError} />
    ${list.data && (list.data.length ? html`<table><tbody>${list.data.map((d) => html`<tr data-testid="destination">
      <td><code class="path">${d.scheme}://${d.host}:${d.port}${d.pathPrefix}</code></td>
      <td>${d.allowPrivate ? 'private addresses allowed' : ''}</td>
      <td><button disabled=${removing} onClick=${() => remove(d.id)}>Remove</button></td></tr>`)}</tbody></table>`
      : html`<p class="muted">None: models can be published to folders only.</p>`)}
    <form class="inline" onSubmit=${(e) => { e.preventDefault(); add(); }}>
      <${Field} label="URL" id="destination-url"><input id="destination-url" type="url" value=${url}
        placeholder="https://models.example.org/upload" onInput=${(e) => setUrl(e.currentTarget.value)} /><//>
      <label class="choice"><input type="checkbox" id="destination-private" checked=${allowPrivate}
        onChange=${(e) => setAllowPrivate(e.currentTarget.checked)} /> private addresses</label>
      <button id="destination-submit" disabled=${busy || !url.trim()}>Allow</button>
    </form>
    <${ErrorBox} error=${error} />
  </div>`;
}
