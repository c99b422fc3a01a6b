// Evaluate: run several models over one dataset against your labels (admins: the reference reader's) and compare
// them: kappa and AUC with their intervals, confusion matrices side by side and ROC curves.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ErrorBox, Field, fmt, html, Loading, StatusTag, useAction, useApi, when } from '../ui.js';
import { LabelCounts, modelName, Source, useMyLabelCounts } from './create-pickers.js';
import { EvaluationResult } from './evaluate-results.js';
import './create.css';
import './evaluate.css';

function readJob() {
  return Number(new URLSearchParams(location.search).get('job')) || null;
}

function writeJob(job) {
  history.replaceState(null, '', `${location.pathname}${job ? `?job=${job}` : ''}`);
}

function ModelPicker({ models, chosen, setChosen, datasets }) {
  if (!models) return html`<${Loading} what="your models" />`;
  if (!models.length) {
    return html`<div class="empty small-empty">You have no model for this use case yet:
      <a href="/create">train one on the Create page</a>.</div>`;
  }
  const toggle = (id, on) => setChosen((c) => (on ? [...c.filter((x) => x !== id), id] : c.filter((x) => x !== id)));
  return html`<div class="model-picker" data-testid="model-picker">
    <div class="toolbar">
      <button type="button" class="small" onClick=${() => setChosen(models.map((m) => m.id))}>Select all</button>
      <button type="button" class="small" onClick=${() => setChosen([])}>None</button>
      <span class="help">${chosen.length} of ${models.length} chosen</span>
    </div>
    <ul class="pick-list">${models.map((m) => {
      const ds = (datasets || []).find((d) => d.id === m.datasetId);
      return html`<li><label class="pick">
        <input type="checkbox" data-model=${m.id} checked=${chosen.includes(m.id)}
          onChange=${(e) => toggle(m.id, e.currentTarget.checked)} />
        <span class="pick-main">${modelName(m)}</span>
        <span class="help pick-sub">${`trained ${when(m.createdAt)} on ${ds ? ds.name : `dataset ${m.datasetId}`}; `
          + (m.map !== undefined && m.map !== null ? `validation mAP ${fmt(m.map)}`
            : `validation kappa ${fmt(m.kappa)}, AUC ${fmt(m.auc)}`)}</span>
      </label></li>`;
    })}</ul>
  </div>`;
}

function EvaluateForm({ me, useCases, datasets, onQueued }) {
  const [source, setSource] = useState({ useCaseId: null, datasetId: null, labels: 'mine' });
  const [chosen, setChosen] = useState([]);
  const [positive, setPositive] = useState(null);
  const [threshold, setThreshold] = useState('0.5');
  const [bootstrap, setBootstrap] = useState('1000');
  const [seed, setSeed] = useState('1');
  const useCase = useCases.find((u) => u.id === source.useCaseId);
  const categories = useCase ? useCase.categories : [];
  const detection = !!useCase && useCase.task === 'detection'; // boxes: no binary view
  const models = useApi(source.useCaseId ? `/models${query({ useCaseId: source.useCaseId, limit: 1000 })}` : null);
  const counts = useMyLabelCounts(source.useCaseId, source.datasetId, source.labels !== 'reference');

  useEffect(() => {
    if (source.useCaseId) return;
    const uc = useCases.find((u) => datasets.some((d) => d.useCaseId === u.id && d.status === 'ready')) || useCases[0];
    if (!uc) return;
    const ds = datasets.find((d) => d.useCaseId === uc.id && d.status === 'ready');
    setSource((s) => ({ ...s, useCaseId: uc.id, datasetId: ds ? ds.id : null }));
  }, []);
  // A new use case: its last category is the positive one by default, and no model of another is chosen.
  useEffect(() => {
    setPositive(categories.length ? [categories[categories.length - 1].code] : []);
    setChosen([]);
  }, [source.useCaseId]);

  const [submit, busy, error, clearError] = useAction(async () => {
    const problems = [];
    const t = Number(threshold);
    const b = Number(bootstrap);
    const s = Number(seed);
    if (!source.datasetId) problems.push('choose a dataset');
    if (!chosen.length) problems.push('choose at least one model');
    if (!detection && (!positive || !positive.length)) problems.push('choose at least one positive category');
    else if (!detection && positive.length >= categories.length) problems.push('leave at least one category negative');
    if (!detection && (threshold.trim() === '' || !(t >= 0 && t <= 1))) {
      problems.push('the threshold must be between 0 and 1');
    }
    if (bootstrap.trim() === '' || !Number.isInteger(b) || b < 0) problems.push('resamples must be a whole number, 0 or more');
    if (seed.trim() === '' || !Number.isInteger(s)) problems.push('the seed must be a whole number');
    if (problems.length) throw { error: 'check the form', detail: problems.join('; ') };
    const job = await api('/jobs', {
      method: 'POST',
      body: {
        kind: 'evaluate', datasetId: source.datasetId, useCaseId: source.useCaseId, labels: source.labels,
        models: chosen, config: detection ? { bootstrap: b, seed: s } : { positive, threshold: t, bootstrap: b, seed: s },
      },
    });
    onQueued(job);
  });
  useEffect(() => clearError(), [source.useCaseId, source.datasetId, source.labels]);

  return html`<form class="card eval-form" data-testid="eval-form" noValidate
    onSubmit=${(e) => { e.preventDefault(); submit(); }}>
    <h2>Compare models</h2>
    <${Source} me=${me} value=${source} onChange=${setSource} useCases=${useCases} datasets=${datasets} idPrefix="eval"
      labelsHelp="The truth the models are scored against. Every labelled study of the dataset is used, so choose a
        dataset the models did not train on for an honest comparison." />
    ${source.labels !== 'reference' && source.datasetId && html`<${LabelCounts} state=${counts} categories=${categories}
      minimum=${1} purpose="evaluation" />`}
    <fieldset>
      <legend>Models</legend>
      <${ErrorBox} error=${models.error} />
      <${ModelPicker} models=${models.data} chosen=${chosen} setChosen=${setChosen} datasets=${datasets} />
    </fieldset>
    ${detection ? html`<p class="help" data-testid="detection-note">A detection use case: the models' boxes are scored
      against your boxes by mAP, AP50 and AP75 and by FROC, over every image of the studies you annotated.</p>` : html`
    <fieldset>
      <legend>Binary view</legend>
      <p class="help group-intro">Sensitivity, specificity, the binary AUC and the ROC curves treat some categories as
        positive (for density: C and D, the dense breasts) and the rest as negative.</p>
      <div class="field">
        <span class="field-label">Positive categories</span>
        <div class="positive-choices">${categories.map((c) => html`<label class="inline" title=${c.name}>
          <input type="checkbox" data-positive=${c.code} checked=${(positive || []).includes(c.code)}
            onChange=${(e) => setPositive((p) => (e.currentTarget.checked ? [...(p || []), c.code]
              : (p || []).filter((x) => x !== c.code)).sort((a, b) => categories.findIndex((k) => k.code === a)
              - categories.findIndex((k) => k.code === b)))} /> ${c.code}</label>`)}</div>
      </div>
      <div class="row">
        <div class="grow"><${Field} label="Threshold" id="eval-threshold"
          help="A study is called positive when the positive categories' probabilities add up to at least this.">
          <input id="eval-threshold" type="number" min="0" max="1" step="0.05" value=${threshold}
            onInput=${(e) => setThreshold(e.currentTarget.value)} />
        </${Field}></div>
      </div>
    </fieldset>`}
    <details class="more">
      <summary>Confidence intervals</summary>
      <div class="row">
        <div class="grow"><${Field} label="Bootstrap resamples" id="eval-bootstrap"
          help="The 95 % intervals come from scoring this many random resamples of the studies. 1000 is usual; 0 skips the intervals.">
          <input id="eval-bootstrap" type="number" min="0" step="100" value=${bootstrap}
            onInput=${(e) => setBootstrap(e.currentTarget.value)} />
        </${Field}></div>
        <div class="grow"><${Field} label="Seed" id="eval-seed" help="Fixes the resamples, so a rerun gives the same intervals.">
          <input id="eval-seed" type="number" step="1" value=${seed} onInput=${(e) => setSeed(e.currentTarget.value)} />
        </${Field}></div>
      </div>
    </details>
    <div class="submit-row">
      <button class="primary big" data-testid="evaluate" disabled=${busy}>${busy ? 'Queuing…' : 'Evaluate'}</button>
      <span class="help">${chosen.length ? `${chosen.length} model${chosen.length > 1 ? 's' : ''}, one pass over the images.`
        : 'Choose the models to compare.'}</span>
    </div>
    <div data-testid="eval-error"><${ErrorBox} error=${error} /></div>
  </form>`;
}

function PastEvaluations({ jobs, selected, onSelect, models, datasets, reload }) {
  return html`<div class="card past">
    <div class="toolbar"><h2 class="grow-title">Your evaluations</h2>
      <button class="small" onClick=${reload}>Refresh</button></div>
    ${!jobs ? html`<${Loading} />` : !jobs.length
      ? html`<div class="empty small-empty">No evaluations yet.</div>`
      : html`<table class="evals" data-testid="eval-jobs">
        <thead><tr><th>Job</th><th>Submitted</th><th>Dataset</th><th>Models</th><th>Status</th></tr></thead>
        <tbody>${jobs.map((j) => {
          const ds = (datasets || []).find((d) => d.id === j.datasetId);
          const paths = (j.config && j.config.models) || [];
          const names = paths.map((p) => {
            const m = (models || []).find((x) => x.path === p);
            return m ? `#${m.id}` : p.split('/').pop();
          });
          return html`<tr class=${`clickable ${j.id === selected ? 'selected' : ''}`} data-job=${j.id} tabindex="0"
            onClick=${() => onSelect(j.id)} onKeyDown=${(e) => e.key === 'Enter' && onSelect(j.id)}>
            <td>${j.id}</td><td class="nowrap">${when(j.submittedAt)}</td><td>${ds ? ds.name : j.datasetId}</td>
            <td title=${paths.join('\n')}>${names.join(', ')}</td><td><${StatusTag} status=${j.status} /></td>
          </tr>`;
        })}</tbody>
      </table>`}
  </div>`;
}

export default function Page({ me }) {
  const useCases = useApi('/use-cases?status=published');
  const datasets = useApi('/datasets');
  const allModels = useApi(`/models${query({ limit: 1000 })}`);
  const jobs = useApi(`/jobs${query({ limit: 100, owner: me.role === 'admin' ? me.id : undefined })}`);
  const [selected, setSelected] = useState(readJob);
  useEffect(() => writeJob(selected), [selected]);
  const evalJobs = useMemo(() => (jobs.data ? jobs.data.filter((j) => j.kind === 'evaluate') : null), [jobs.data]);
  useEffect(() => {
    if (!selected && evalJobs && evalJobs.length) setSelected(evalJobs[0].id);
  }, [evalJobs]);

  if (useCases.error || datasets.error) return html`<${ErrorBox} error=${useCases.error || datasets.error} />`;
  if (!useCases.data || !datasets.data) return html`<${Loading} />`;
  return html`<div class="evaluate-page">
    <h1>Evaluate</h1>
    <p class="lead">Score several models on the same studies and compare them side by side: agreement with the labels
      (kappa), ranking (AUC), their mistakes (confusion matrices) and their trade-off between sensitivity and
      specificity (ROC); detectors by how well their boxes match yours (mAP, AP50), their precision and recall, and
      the lesions they find for the false positives they make (FROC).</p>
    <div class="split eval-split">
      <${EvaluateForm} me=${me} useCases=${useCases.data} datasets=${datasets.data}
        onQueued=${(job) => { setSelected(job.id); jobs.reload(); }} />
      <div>
        <${ErrorBox} error=${jobs.error} />
        <${PastEvaluations} jobs=${evalJobs} selected=${selected} onSelect=${setSelected} models=${allModels.data}
          datasets=${datasets.data} reload=${jobs.reload} />
        ${selected
          ? html`<div class="card result-card"><${EvaluationResult} key=${selected} jobId=${selected}
              models=${allModels.data} datasets=${datasets.data} onChanged=${() => jobs.reload()} /></div>`
          : html`<div class="card empty small-empty">Queue an evaluation, or open one from the list.</div>`}
      </div>
    </div>
  </div>`;
}
