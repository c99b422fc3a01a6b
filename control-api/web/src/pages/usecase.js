// One use case: its description and categories, the discussion, the review steps, asking to draft it.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, html, Loading, StatusTag, useAction, useApi } from '../ui.js';
import { DraftRequest, UseCaseForm } from './define.js';

export default function UseCase({ me, params }) {
  const id = params.useCaseId;
  const uc = useApi(`/use-cases/${id}`);
  const [editing, setEditing] = useState(false);
  if (uc.error) return html`<p><a href="/define">← All use cases</a></p><${ErrorBox} error=${uc.error} />`;
  if (!uc.data) return html`<${Loading} what="the use case" />`;
  const u = uc.data;
  const mine = u.ownerId === me.id;
  const canEdit = me.role === 'admin' || (mine && u.status !== 'published');
  return html`<section>
    <p><a href="/define">← All use cases</a></p>
    <div class="toolbar">
      <h1 style="margin:0" id="use-case-title">${u.title}</h1>
      <${StatusTag} status=${u.status} />
      <span class="spacer"></span>
      ${u.status === 'published' && html`<a href=${`/annotate?useCase=${u.id}`}><button class="primary">Annotate</button></a>`}
      ${canEdit && !editing && html`<button onClick=${() => setEditing(true)}>Edit</button>`}
    </div>
    <p class="muted">${u.bodyArea} · ${u.modality} · ${u.task} · updated ${(u.updatedAt || '').slice(0, 10)}</p>
    ${u.summary && html`<p class="lead">${u.summary}</p>`}
    ${u.reviewNote && html`<div class="notice">Review note: ${u.reviewNote}</div>`}
    ${editing && html`<${UseCaseForm} me=${me} initial=${u} onCancel=${() => setEditing(false)} onCreated=${() => {
      setEditing(false);
      uc.reload();
    }} />`}
    <${Review} me=${me} useCase=${u} onDone=${uc.reload} />
    <h2>Categories</h2>
    <table id="categories">
      <thead><tr><th>Code</th><th>Name</th><th>Description</th><th>CDE id</th></tr></thead>
      <tbody>${u.categories.map((c) => html`<tr data-code=${c.code}><td><strong>${c.code}</strong></td><td>${c.name}</td>
        <td>${c.description}</td><td class="muted">${c.cdeId}</td></tr>`)}</tbody>
    </table>
    ${u.status === 'published'
      ? html`<${Comments} useCase=${u} />`
      : !mine && html`<h2>Drafting</h2><p class="muted">This use case is not published yet. If you would like to
        write it up, ask the admins.</p><${DraftRequest} useCase=${u} />`}
    ${me.role === 'admin' && u.status !== 'published' && html`<${DraftRequests} useCase=${u} />`}
  </section>`;
}

/** The review steps this user may take: an author submits a draft; an admin publishes or returns. */
function Review({ me, useCase, onDone }) {
  const [note, setNote] = useState('');
  const [decide, busy, error] = useAction(async (decision) => {
    await api(`/use-cases/${useCase.id}/review`, { method: 'POST', body: decision === 'return' ? { decision, note }
      : { decision } });
    onDone();
  });
  const author = useCase.ownerId === me.id;
  const actions = [];
  if (author && useCase.status === 'draft') actions.push(['submit', 'Submit for review']);
  if (me.role === 'admin' && useCase.status !== 'published') actions.push(['publish', 'Publish']);
  if (me.role === 'admin' && useCase.status === 'in_review') actions.push(['return', 'Return to the author']);
  if (!actions.length) return null;
  return html`<div class="card review">
    <strong>Review</strong>
    ${actions.some(([d]) => d === 'return') && html`<textarea aria-label="Note to the author" value=${note}
      placeholder="What the author should change (sent with “Return”)" onInput=${(e) => setNote(e.currentTarget.value)}></textarea>`}
    <div class="toolbar">${actions.map(([d, label]) => html`<button class=${d === 'publish' ? 'primary' : ''}
      disabled=${busy} onClick=${() => decide(d)}>${label}</button>`)}</div>
    <${ErrorBox} error=${error} />
  </div>`;
}

function Comments({ useCase }) {
  const comments = useApi(`/use-cases/${useCase.id}/comments`);
  const [body, setBody] = useState('');
  const [post, busy, error] = useAction(async () => {
    await api(`/use-cases/${useCase.id}/comments`, { method: 'POST', body: { body } });
    setBody('');
    comments.reload();
  });
  return html`<h2 id="comments">Discussion</h2>
    <${ErrorBox} error=${comments.error} />
    ${comments.data && (comments.data.length
      ? html`<ul class="comments">${comments.data.map((c) => html`<li class="card" data-comment=${c.id}>
          <div class="muted">${c.userName} · ${(c.createdAt || '').replace('T', ' ').slice(0, 16)}</div>
          <div>${c.body}</div></li>`)}</ul>`
      : html`<p class="muted">No comments yet.</p>`)}
    <form onSubmit=${(e) => { e.preventDefault(); post(); }} class="card">
      <textarea id="comment-body" aria-label="Your comment" placeholder="Share how you would use it, or what it misses"
        value=${body} onInput=${(e) => setBody(e.currentTarget.value)} required maxlength="5000"></textarea>
      <${ErrorBox} error=${error} />
      <div class="toolbar"><button class="primary" disabled=${busy || !body.trim()}>Comment</button></div>
    </form>`;
}

function DraftRequests({ useCase }) {
  const list = useApi(`/use-cases/${useCase.id}/draft-requests`);
  if (!list.data) return null;
  return html`<h2>Requests to draft it</h2>
    ${list.data.length ? html`<table><thead><tr><th>Who</th><th>Note</th><th>When</th></tr></thead><tbody>
      ${list.data.map((r) => html`<tr><td>${r.userName}</td><td>${r.note}</td>
        <td class="muted">${(r.createdAt || '').slice(0, 10)}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">Nobody has asked yet.</p>`}`;
}
