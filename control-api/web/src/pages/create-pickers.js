// Pieces the Create and Evaluate pages share: what to work on (use case, dataset, labels), the user's label counts,
// and how jobs and models are named on screen.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ErrorBox, Field, html, Loading } from '../ui.js';

/** "3 min 20 s", "45 s", "1 h 05 min". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) return '–';
  const s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Seconds a job has run (or ran). */
export function elapsed(job) {
  if (!job || !job.startedAt) return null;
  const end = job.finishedAt ? new Date(job.finishedAt) : new Date();
  return (end - new Date(job.startedAt)) / 1000;
}

/** A number the API may give as a string ("NaN", "Infinity") or null: a finite number, or null. */
export function num(x) {
  if (x === null || x === undefined || x === '') return null;
  const n = Number(x);
  return Number.isFinite(n) ? n : null;
}

/** How a model is named on screen: "Model 3 · resnet18". */
export function modelName(m) {
  return m ? `Model ${m.id} · ${m.architecture}` : 'model';
}

/**
 * The three choices every job starts from: a published use case, a ready dataset of it, and whose labels.
 * `value` is {useCaseId, datasetId, labels}; `onChange` receives the whole new value.
 */
export function Source({ me, value, onChange, useCases, datasets, idPrefix = 'src', labelsHelp }) {
  const set = (patch) => onChange({ ...value, ...patch });
  const ready = (datasets || []).filter((d) => d.status === 'ready');
  const forUseCase = ready.filter((d) => !value.useCaseId || d.useCaseId === Number(value.useCaseId));
  const shown = forUseCase.length ? forUseCase : ready;
  return html`<div class="source-pickers">
    <${Field} label="Use case" id=${`${idPrefix}-usecase`}
      help="The clinical question, with the categories a model answers in.">
      <select id=${`${idPrefix}-usecase`} value=${value.useCaseId || ''}
        onChange=${(e) => {
          const useCaseId = Number(e.currentTarget.value) || null;
          const first = ready.find((d) => d.useCaseId === useCaseId);
          set({ useCaseId, datasetId: first ? first.id : value.datasetId });
        }}>
        <option value="" disabled>choose a use case</option>
        ${(useCases || []).map((u) => html`<option value=${u.id}>${u.title}</option>`)}
      </select>
    </${Field}>
    <${Field} label="Dataset" id=${`${idPrefix}-dataset`}
      help="The prepared images. Only ready datasets are listed.">
      <select id=${`${idPrefix}-dataset`} value=${value.datasetId || ''}
        onChange=${(e) => set({ datasetId: Number(e.currentTarget.value) || null })}>
        <option value="" disabled>choose a dataset</option>
        ${shown.map((d) => html`<option value=${d.id}>${d.name} (${d.studies} studies, ${d.images} images)</option>`)}
      </select>
    </${Field}>
    <fieldset class="labels-choice">
      <legend>Labels</legend>
      <label class="inline"><input type="radio" name=${`${idPrefix}-labels`} value="mine" data-testid="labels-mine"
        checked=${value.labels !== 'reference'} onChange=${() => set({ labels: 'mine' })} /> My annotations</label>
      ${me.role === 'admin' && html`<label class="inline"><input type="radio" name=${`${idPrefix}-labels`}
        value="reference" data-testid="labels-reference" checked=${value.labels === 'reference'}
        onChange=${() => set({ labels: 'reference' })} /> The reference reader's labels</label>`}
      <span class="help">${labelsHelp || 'The labels are copied when you submit: later changes to your annotations do '
        + 'not reach a job already queued.'}</span>
    </fieldset>
  </div>`;
}

/**
 * The signed-in user's labels of a use case on a dataset, counted per category (every page of
 * GET /api/annotations). {total, perCode} or null while loading.
 */
/** A detection annotation's boxes (saved as JSON text), or none. */
function boxesOf(a) {
  if (!a.boxes) return [];
  try {
    return typeof a.boxes === 'string' ? JSON.parse(a.boxes) : a.boxes;
  } catch (e) {
    return [];
  }
}

export function useMyLabelCounts(useCaseId, datasetId, enabled = true) {
  const [state, setState] = useState({ counts: null, error: null });
  useEffect(() => {
    if (!enabled || !useCaseId || !datasetId) {
      setState({ counts: null, error: null });
      return undefined;
    }
    const ctl = new AbortController();
    (async () => {
      const perCode = {};
      let offset = 0;
      let total = 0;
      for (;;) {
        const page = await api(`/annotations${query({ useCaseId, datasetId, limit: 1000, offset })}`,
          { signal: ctl.signal });
        total = page.total;
        page.annotations.forEach((a) => {
          if (a.code) perCode[a.code] = (perCode[a.code] || 0) + 1;
          boxesOf(a).forEach((b) => { perCode[b.code] = (perCode[b.code] || 0) + 1; }); // detection: boxes per category
        });
        offset += page.annotations.length;
        if (!page.annotations.length || offset >= total) break;
      }
      return { total, perCode };
    })().then((counts) => setState({ counts, error: null }))
      .catch((error) => error.name !== 'AbortError' && setState({ counts: null, error }));
    return () => ctl.abort();
  }, [useCaseId, datasetId, enabled]);
  return state;
}

/** "You have labelled 104 studies: A 30 · B 28 …", with the training rules next to the counts. */
export function LabelCounts({ state, categories, minimum = 100, perClass = 10, equalClass = false, purpose = 'training',
  validationFraction = 0 }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (!state.counts) return html`<${Loading} what="your label counts" />`;
  const { total, perCode } = state.counts;
  // The job checks equal-class sampling on the training studies, after the validation share is held out (by
  // patient, so this is an estimate).
  const held = Number(validationFraction) > 0 && Number(validationFraction) < 1 ? Number(validationFraction) : 0;
  const training = (code) => Math.floor((perCode[code] || 0) * (1 - held));
  const low = (categories || []).filter((c) => training(c.code) < perClass);
  return html`<div class=${`label-counts ${total < minimum ? 'short' : ''}`} data-testid="label-counts"
    data-total=${total}>
    <div>You have labelled <strong>${total}</strong> ${total === 1 ? 'study' : 'studies'} of this dataset${
      total < minimum ? html` — ${purpose} needs ${minimum > 1 ? `at least ${minimum}` : 'labelled studies'}; <a
        href="/annotate">annotate ${total ? 'more' : 'some'}</a>` : ''}.</div>
    <div class="count-chips">${(categories || []).map((c) => html`<span class="chip" title=${c.name}>
      <strong>${c.code}</strong> ${perCode[c.code] || 0}</span>`)}</div>
    ${equalClass && low.length > 0 && html`<div class="warn-text">${`Equal-class sampling needs at least ${perClass} `
      + `training studies of every category${held ? ` once ${Math.round(held * 100)} % are held out for validation` : ''}; `
      + `${low.map((c) => `${c.code} (about ${training(c.code)})`).join(', ')} ${low.length === 1 ? 'has' : 'have'} `
      + 'fewer. Label more of them, hold out fewer, or choose random sampling.'}</div>`}
  </div>`;
}
