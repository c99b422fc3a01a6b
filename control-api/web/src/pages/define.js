// Define: the use-case catalog (search, filter, sort), asking to draft an open use case, submitting a new one.
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ErrorBox, Field, html, Loading, navigate, StatusTag, useAction, useApi } from '../ui.js';

const SORTS = [
  ['title', 'Title (A–Z)'],
  ['-updated', 'Recently updated'],
  ['-created', 'Newest'],
  ['status', 'Status'],
  ['modality', 'Modality'],
  ['bodyArea', 'Body area'],
];

export default function Define({ me }) {
  const [filters, setFilters] = useState({ q: '', status: '', modality: '', bodyArea: '', task: '', sort: 'title' });
  const [showForm, setShowForm] = useState(false);
  const list = useApi(`/use-cases${query(filters)}`);
  const all = useApi('/use-cases?limit=500');
  const set = (key) => (e) => setFilters({ ...filters, [key]: e.currentTarget.value });
  const distinct = (key) => [...new Set((all.data || []).map((u) => u[key]).filter(Boolean))].sort();

  return html`<section>
    <div class="toolbar">
      <h1 style="margin:0">Use cases</h1>
      <span class="spacer"></span>
      <button class="primary" onClick=${() => setShowForm(!showForm)} id="new-use-case">
        ${showForm ? 'Close the form' : 'Submit a new use case'}</button>
    </div>
    <p class="muted">A use case describes one clinical question an AI model should answer: the body area, the
      modality and the categories a radiologist chooses from. Open one to see its categories and discuss it.</p>
    ${showForm && html`<${UseCaseForm} me=${me} onCreated=${(u) => {
      setShowForm(false);
      navigate(`/define/${u.id}`);
    }} />`}
    <div class="card">
      <div class="row filters">
        <${Field} label="Search" id="uc-q">
          <input id="uc-q" type="search" placeholder="words in the title or summary" value=${filters.q}
            onInput=${set('q')} />
        <//>
        <${Field} label="Status" id="uc-status">
          <select id="uc-status" value=${filters.status} onChange=${set('status')}>
            <option value="">any</option>
            <option value="published">published</option>
            <option value="in_review">in review</option>
            <option value="draft">draft</option>
          </select>
        <//>
        <${Field} label="Modality" id="uc-modality">
          <select id="uc-modality" value=${filters.modality} onChange=${set('modality')}>
            <option value="">any</option>
            ${distinct('modality').map((m) => html`<option>${m}</option>`)}
          </select>
        <//>
        <${Field} label="Body area" id="uc-body">
          <select id="uc-body" value=${filters.bodyArea} onChange=${set('bodyArea')}>
            <option value="">any</option>
            ${distinct('bodyArea').map((m) => html`<option>${m}</option>`)}
          </select>
        <//>
        <${Field} label="Task" id="uc-task">
          <select id="uc-task" value=${filters.task} onChange=${set('task')}>
            <option value="">any</option>
            <option value="classification">classification</option>
            <option value="detection">detection</option>
          </select>
        <//>
        <${Field} label="Sort by" id="uc-sort">
          <select id="uc-sort" value=${filters.sort} onChange=${set('sort')}>
            ${SORTS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
          </select>
        <//>
      </div>
      <${ErrorBox} error=${list.error} />
      ${list.data === undefined ? html`<${Loading} what="use cases" />` : html`<${Catalog} me=${me}
        useCases=${list.data} onChanged=${list.reload} />`}
    </div>
  </section>`;
}

function Catalog({ me, useCases, onChanged }) {
  if (!useCases.length) return html`<div class="empty">No use case matches these filters.</div>`;
  return html`<table id="use-cases">
    <thead><tr><th>Use case</th><th>Body area</th><th>Modality</th><th>Task</th><th>Status</th><th>Updated</th>
      <th>Request</th></tr></thead>
    <tbody>
      ${useCases.map((u) => html`<tr data-use-case=${u.id}>
        <td><a href=${`/define/${u.id}`}><strong>${u.title}</strong></a>
          ${u.summary && html`<div class="help">${u.summary}</div>`}</td>
        <td>${u.bodyArea}</td><td>${u.modality}</td><td>${u.task}</td>
        <td><${StatusTag} status=${u.status} /></td>
        <td class="muted">${(u.updatedAt || '').slice(0, 10)}</td>
        <td>${u.status === 'published'
          ? html`<a href=${`/define/${u.id}#comments`}>Comment</a>`
          : u.ownerId === me.id ? html`<span class="muted">yours</span>`
            : html`<${DraftRequest} useCase=${u} onDone=${onChanged} />`}</td>
      </tr>`)}
    </tbody>
  </table>`;
}

/** "Request to draft": a short note on why you are the one to write this use case. */
export function DraftRequest({ useCase, onDone }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [sent, setSent] = useState(false);
  const [send, busy, error] = useAction(async () => {
    await api(`/use-cases/${useCase.id}/draft-requests`, { method: 'POST', body: { note } });
    setSent(true);
    setOpen(false);
    if (onDone) onDone();
  });
  if (sent) return html`<span class="ok small">Request sent</span>`;
  if (!open) return html`<button class="small" onClick=${() => setOpen(true)}>Request to draft</button>`;
  return html`<form class="draft-request" onSubmit=${(e) => { e.preventDefault(); send(); }}>
    <textarea aria-label="Why you would draft it" placeholder="Why you would like to draft it (your experience)"
      value=${note} onInput=${(e) => setNote(e.currentTarget.value)} required></textarea>
    <${ErrorBox} error=${error} />
    <div class="toolbar"><button class="primary small" disabled=${busy || !note.trim()}>Send request</button>
      <button type="button" class="small" onClick=${() => setOpen(false)}>Cancel</button></div>
  </form>`;
}

const EMPTY_CATEGORY = { code: '', name: '', description: '', cdeId: '' };

/** Submit a new use case (or edit one): its fields and its categories. */
export function UseCaseForm({ me, initial, onCreated, onCancel }) {
  const [form, setForm] = useState(initial || {
    title: '', summary: '', bodyArea: '', modality: '', task: 'classification',
    categories: [{ ...EMPTY_CATEGORY }, { ...EMPTY_CATEGORY }],
  });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const setCategory = (i, key) => (e) => {
    const categories = form.categories.map((c, j) => (j === i ? { ...c, [key]: e.currentTarget.value } : c));
    setForm({ ...form, categories });
  };
  const [save, busy, error] = useAction(async () => {
    const body = { ...form };
    const saved = initial
      ? await api(`/use-cases/${initial.id}`, { method: 'PUT', body: strip(body) })
      : await api('/use-cases', { method: 'POST', body: strip(body) });
    onCreated(saved);
  });
  return html`<form class="card use-case-form" onSubmit=${(e) => { e.preventDefault(); save(); }}>
    <h2 style="margin-top:0">${initial ? 'Edit the use case' : 'Submit a new use case'}</h2>
    ${!initial && html`<p class="help">${me.role === 'admin'
      ? 'As an admin, your use case starts as a draft: an open catalog entry others can ask to draft.'
      : 'Your use case goes to the admins for review; once published, everyone can annotate and train on it.'}</p>`}
    <div class="row">
      <div class="grow">
        <${Field} label="Title" id="f-title" help="A short name a radiologist recognises, e.g. “Pneumothorax on chest X-ray”.">
          <input id="f-title" value=${form.title} onInput=${set('title')} required maxlength="200" />
        <//>
        <${Field} label="Summary" id="f-summary" help="The clinical question and why an AI model helps with it.">
          <textarea id="f-summary" value=${form.summary} onInput=${set('summary')}></textarea>
        <//>
      </div>
      <div class="grow">
        <${Field} label="Body area" id="f-body"><input id="f-body" value=${form.bodyArea} onInput=${set('bodyArea')}
          required placeholder="Breast, Chest, Knee…" /><//>
        <${Field} label="Modality" id="f-modality"><input id="f-modality" value=${form.modality}
          onInput=${set('modality')} required placeholder="MG, CR, CT, MR…" /><//>
        <${Field} label="Task" id="f-task" help="Classification: one category per study. Detection: boxes around findings.">
          <select id="f-task" value=${form.task} onChange=${set('task')}>
            <option value="classification">classification</option>
            <option value="detection">detection</option>
          </select>
        <//>
      </div>
    </div>
    <fieldset>
      <legend>Categories (2 to 50)</legend>
      <p class="help">What the radiologist chooses from. The code is short (shown on buttons and in files), the CDE id
        links the category to your site's common data element.</p>
      <table class="categories-form">
        <thead><tr><th>Code</th><th>Name</th><th>Description</th><th>CDE id</th><th></th></tr></thead>
        <tbody>${form.categories.map((c, i) => html`<tr>
          <td><input aria-label=${`category ${i + 1} code`} value=${c.code} onInput=${setCategory(i, 'code')} required
            maxlength="32" style="width:6em" /></td>
          <td><input aria-label=${`category ${i + 1} name`} value=${c.name} onInput=${setCategory(i, 'name')} required /></td>
          <td><input aria-label=${`category ${i + 1} description`} value=${c.description}
            onInput=${setCategory(i, 'description')} /></td>
          <td><input aria-label=${`category ${i + 1} CDE id`} value=${c.cdeId} onInput=${setCategory(i, 'cdeId')}
            required /></td>
          <td><button type="button" class="small danger" disabled=${form.categories.length <= 2}
            onClick=${() => setForm({ ...form, categories: form.categories.filter((_, j) => j !== i) })}>Remove</button></td>
        </tr>`)}</tbody>
      </table>
      <button type="button" class="small" onClick=${() => setForm({ ...form,
        categories: [...form.categories, { ...EMPTY_CATEGORY }] })}>Add a category</button>
    </fieldset>
    <${ErrorBox} error=${error} />
    <div class="toolbar">
      <button class="primary" disabled=${busy}>${initial ? 'Save' : 'Submit'}</button>
      ${onCancel && html`<button type="button" onClick=${onCancel}>Cancel</button>`}
    </div>
  </form>`;
}

function strip(form) {
  const { title, summary, bodyArea, modality, task, categories } = form;
  return {
    title, summary, bodyArea, modality, task,
    categories: categories.map(({ code, name, description, cdeId }) => ({ code, name, description, cdeId })),
  };
}
