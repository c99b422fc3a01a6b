// Create: design a model with every option of the training job, train it on your annotations, follow its curves
// live, and compare the models you made on their model cards.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ErrorBox, Field, fmt, html, isActive, Loading, StatusTag, useAction, useApi, when } from '../ui.js';
import { applies, buildConfig, defaults, GROUPS, OPTIONS, taskMonitor } from './create-options.js';
import { TrainingProgress } from './create-progress.js';
import { ModelCard } from './create-cards.js';
import { LabelCounts, modelName, Source, useMyLabelCounts } from './create-pickers.js';
import './create.css';

/** The page's selection (job and open cards) lives in the URL, so a reload or a shared link keeps it. */
function readUrl() {
  const q = new URLSearchParams(location.search);
  const cards = (q.get('cards') || '').split(',').map(Number).filter((n) => n > 0);
  return { job: Number(q.get('job')) || null, cards };
}

function writeUrl(job, cards) {
  const q = new URLSearchParams();
  if (job) q.set('job', job);
  if (cards.length) q.set('cards', cards.join(','));
  const s = q.toString();
  history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}`);
}

function OptionInput({ option, value, onChange, ctx, error }) {
  const id = `opt-${option.key}`;
  if (option.type === 'checkbox') {
    return html`<div class="field checkbox-field">
      <label class="inline" for=${id}><input id=${id} name=${option.key} type="checkbox" checked=${!!value}
        onChange=${(e) => onChange(e.currentTarget.checked)} /> <span class="field-label">${option.label}</span></label>
      <span class="help">${option.help}</span>
    </div>`;
  }
  let input;
  if (option.type === 'select') {
    input = html`<select id=${id} name=${option.key} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${option.choices.map(([v, label]) => {
        const reason = option.disabled && option.disabled(v, ctx);
        return html`<option value=${v} disabled=${!!reason}>${label}${reason ? ` — ${reason}` : ''}</option>`;
      })}
    </select>`;
  } else {
    input = html`<input id=${id} name=${option.key} type=${option.type === 'number' ? 'number' : 'text'}
      inputmode=${option.type === 'number' ? 'decimal' : undefined} value=${value ?? ''} min=${option.min}
      max=${option.max} step=${option.step} placeholder=${option.placeholder} aria-invalid=${error ? 'true' : undefined}
      onInput=${(e) => onChange(e.currentTarget.value)} />`;
  }
  return html`<${Field} label=${option.label} id=${id} help=${option.help}>
    ${input}
    ${error && html`<span class="field-error" data-field-error=${option.key}>${error}</span>`}
  </${Field}>`;
}

function TrainForm({ me, useCases, datasets, source, setSource, onQueued }) {
  const [values, setValues] = useState(defaults);
  const [fieldErrors, setFieldErrors] = useState({});
  const useCase = (useCases || []).find((u) => u.id === source.useCaseId);
  const ctx = { categories: useCase ? useCase.categories : null, task: useCase ? useCase.task : 'classification' };
  // a detector keeps its epoch by mAP, a segmenter by Dice, a classifier by kappa (or AUC): the monitor follows the
  // use case's task, and so does the architecture of a segmenter (a U-Net)
  useEffect(() => setValues((old) => {
    const monitor = OPTIONS.find((o) => o.key === 'monitor');
    const architecture = OPTIONS.find((o) => o.key === 'architecture');
    let next = old;
    if (monitor.disabled(old.monitor, ctx)) next = { ...next, monitor: taskMonitor(ctx.task) };
    if (architecture.disabled(old.architecture, ctx)) {
      next = { ...next, architecture: ctx.task === 'segmentation' ? 'unet' : 'resnet18' };
    }
    return next;
  }), [ctx.task]);
  const counts = useMyLabelCounts(source.useCaseId, source.datasetId, source.labels !== 'reference');
  const set = (key, v) => {
    setValues((old) => ({ ...old, [key]: v }));
    setFieldErrors((old) => ({ ...old, [key]: undefined }));
  };
  const [submit, busy, error, clearError] = useAction(async () => {
    const { config, errors } = buildConfig(values, ctx);
    setFieldErrors(errors);
    if (Object.keys(errors).length) {
      const names = Object.keys(errors).map((k) => OPTIONS.find((o) => o.key === k).label);
      throw { error: 'check the form', detail: `${names.join(', ')}: see the notes under ${names.length > 1 ? 'these fields' : 'this field'}` };
    }
    if (!source.useCaseId || !source.datasetId) {
      throw { error: 'check the form', detail: 'choose a use case and a dataset' };
    }
    const job = await api('/jobs', {
      method: 'POST',
      body: { kind: 'train', datasetId: source.datasetId, useCaseId: source.useCaseId, labels: source.labels, config },
    });
    onQueued(job);
  });
  useEffect(() => clearError(), [source.useCaseId, source.datasetId, source.labels]);

  const summary = useMemo(() => {
    const { config } = buildConfig(values, ctx);
    return config;
  }, [values, ctx.categories, ctx.task]);

  return html`<form class="card train-form" data-testid="train-form" noValidate
    onSubmit=${(e) => { e.preventDefault(); submit(); }}>
    <h2>Design a model</h2>
    <fieldset class="what">
      <legend>What to learn from</legend>
      <div class="source-row">
        <${Source} me=${me} value=${source} onChange=${setSource} useCases=${useCases} datasets=${datasets}
          idPrefix="train" />
      </div>
      ${source.labels !== 'reference' && source.useCaseId && source.datasetId && html`<${LabelCounts} state=${counts}
        categories=${ctx.categories} equalClass=${values.sampling === 'equal_class'}
        validationFraction=${values.validationFraction} />`}
      ${source.labels === 'reference' && html`<div class="muted">The reference reader's labels stay on the server: they
        are used for training but never shown.</div>`}
    </fieldset>
    <div class="option-groups">
      ${GROUPS.map((g) => {
        const options = OPTIONS.filter((o) => o.group === g.id && applies(o, values, ctx));
        const body = html`<p class="help group-intro">${g.intro}</p>
          ${options.map((o) => html`<${OptionInput} key=${o.key} option=${o} value=${values[o.key]} ctx=${ctx}
            error=${fieldErrors[o.key]} onChange=${(v) => set(o.key, v)} />`)}`;
        return g.collapsed
          ? html`<details class="group advanced" data-group=${g.id}><summary>${g.title}</summary>${body}</details>`
          : html`<fieldset class="group" data-group=${g.id}><legend>${g.title}</legend>${body}</fieldset>`;
      })}
    </div>
    <div class="submit-row">
      <button class="primary big" data-testid="train" disabled=${busy}>${busy ? 'Queuing…' : 'Train and test'}</button>
      <button type="button" disabled=${busy} onClick=${() => { setValues(defaults(ctx.task)); setFieldErrors({}); }}>
        Reset to defaults</button>
      <span class="help">${summary.architecture} at width ${summary.width ?? '?'}, ${summary.inputSize ?? '?'} px,
        up to ${summary.maxEpochs ?? '?'} epochs${summary.earlyStopping ? ` (stops after ${summary.patience} without
        improvement)` : ''}. The model is tested on the held-out studies after every epoch.</span>
    </div>
    <div data-testid="train-error"><${ErrorBox} error=${error} /></div>
  </form>`;
}

/** A model's validation score in the lists: kappa for a classifier, mAP for a detector. */
function score(m) {
  if (m.map !== undefined && m.map !== null) return m.map;
  return m.dice !== undefined && m.dice !== null ? m.dice : m.kappa;
}

function JobList({ jobs, selected, onSelect, models, task }) {
  if (!jobs) return html`<${Loading} what="your training jobs" />`;
  if (!jobs.length) return html`<div class="empty small-empty">No training jobs yet: design a model above and
    press <em>Train and test</em>.</div>`;
  return html`<table class="jobs" data-testid="train-jobs">
    <thead><tr><th>Job</th><th>Submitted</th><th>Network</th><th>Status</th>
      <th class="num">${task === 'detection' ? 'mAP' : task === 'segmentation' ? 'Dice' : 'Kappa'}</th></tr></thead>
    <tbody>${jobs.map((j) => {
      const m = models.find((x) => x.jobId === j.id);
      const c = j.config || {};
      return html`<tr class=${`clickable ${j.id === selected ? 'selected' : ''}`} data-job=${j.id}
        onClick=${() => onSelect(j.id)} tabindex="0" onKeyDown=${(e) => e.key === 'Enter' && onSelect(j.id)}>
        <td>${j.id}</td><td class="nowrap">${when(j.submittedAt)}</td>
        <td title=${`width ${c.width ?? 0.25}, up to ${c.maxEpochs ?? 10} epochs`}>${`${c.architecture || 'resnet18'}, ${c.inputSize ?? 128} px`}</td>
        <td><${StatusTag} status=${j.status} /></td>
        <td class="num">${m ? fmt(score(m)) : ''}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function ownerName(users, id) {
  const u = (users || []).find((x) => x.id === id);
  return u ? u.name : `user ${id}`;
}

function ModelList({ models, open, onOpen, me, users, task }) {
  if (!models) return html`<${Loading} what="your models" />`;
  if (!models.length) return html`<div class="empty small-empty">No models for this use case yet. A training job that
    finishes (or is cancelled after its first epoch) leaves one.</div>`;
  return html`<table class="models" data-testid="model-list">
    <thead><tr><th>Model</th><th>Made</th>${me.role === 'admin' && html`<th>Owner</th>`}<th>Status</th>
      ${task === 'detection' ? html`<th class="num">Validation mAP</th>`
        : task === 'segmentation' ? html`<th class="num">Validation Dice</th>`
          : html`<th class="num">Validation kappa</th><th class="num">Validation AUC</th>`}<th></th></tr></thead>
    <tbody>${models.map((m) => html`<tr data-model=${m.id}>
      <td>${modelName(m)}</td><td>${when(m.createdAt)}</td>${me.role === 'admin' && html`<td>${ownerName(users, m.ownerId)}</td>`}
      <td>${m.status.replace('_', ' ')}</td>
      ${task === 'detection' ? html`<td class="num">${fmt(m.map)}</td>`
        : task === 'segmentation' ? html`<td class="num">${fmt(m.dice)}</td>`
          : html`<td class="num">${fmt(m.kappa)}</td><td class="num">${fmt(m.auc)}</td>`}
      <td><button class="small" data-testid="open-card" disabled=${open.includes(m.id)}
        onClick=${() => onOpen(m.id)}>${open.includes(m.id) ? 'Card open' : 'Open card'}</button></td>
    </tr>`)}</tbody>
  </table>`;
}

export default function Page({ me }) {
  const initial = useMemo(readUrl, []);
  const useCases = useApi('/use-cases?status=published');
  const datasets = useApi('/datasets');
  const [source, setSource] = useState({ useCaseId: null, datasetId: null, labels: 'mine' });
  const [selectedJob, setSelectedJob] = useState(initial.job);
  const [cards, setCards] = useState(initial.cards);
  const jobsPath = `/jobs${query({ limit: 100, owner: me.role === 'admin' ? me.id : undefined })}`;
  const jobs = useApi(jobsPath);
  const models = useApi(source.useCaseId ? `/models${query({ useCaseId: source.useCaseId, limit: 200 })}` : null);
  const progressRef = useRef(null);
  const users = useApi(me.role === 'admin' ? '/users' : null);

  // First use case and one of its ready datasets, once they are known.
  useEffect(() => {
    if (source.useCaseId || !useCases.data || !datasets.data) return;
    const uc = useCases.data.find((u) => datasets.data.some((d) => d.useCaseId === u.id && d.status === 'ready'))
      || useCases.data[0];
    if (!uc) return;
    const ds = datasets.data.find((d) => d.useCaseId === uc.id && d.status === 'ready');
    setSource((s) => ({ ...s, useCaseId: uc.id, datasetId: ds ? ds.id : null }));
  }, [useCases.data, datasets.data]);

  useEffect(() => writeUrl(selectedJob, cards), [selectedJob, cards]);

  const trainJobs = (jobs.data || []).filter((j) => j.kind === 'train');
  // Without a choice, follow the newest training job that is still going.
  useEffect(() => {
    if (selectedJob || !jobs.data) return;
    const running = trainJobs.find((j) => isActive(j.status));
    if (running) setSelectedJob(running.id);
  }, [jobs.data]);

  const openCard = (id) => setCards((c) => (c.includes(id) ? c : [...c, id]));
  const closeCard = (id) => setCards((c) => c.filter((x) => x !== id));
  const allModels = models.data || [];
  const jobModel = allModels.find((m) => m.jobId === selectedJob);
  const chosen = (useCases.data || []).find((u) => u.id === source.useCaseId);
  const task = chosen ? chosen.task : 'classification';

  if (useCases.error || datasets.error) return html`<${ErrorBox} error=${useCases.error || datasets.error} />`;
  if (!useCases.data || !datasets.data) return html`<${Loading} />`;
  if (!useCases.data.length) {
    return html`<div class="empty"><h1>Create</h1><p>There is no published use case to train for yet.
      <a href="/define">See the use cases</a>.</p></div>`;
  }

  return html`<div class="create-page">
    <h1>Create</h1>
    <p class="lead">Design a model, train it on your annotations and see how it does on studies it has never seen.
      Each option below says what it changes; the defaults train a small model in a minute or two on an ordinary
      server.</p>

    <${TrainForm} me=${me} useCases=${useCases.data} datasets=${datasets.data} source=${source} setSource=${setSource}
      onQueued=${(job) => {
        setSelectedJob(job.id);
        jobs.reload();
        setTimeout(() => progressRef.current && progressRef.current.scrollIntoView({ behavior: 'smooth' }), 50);
      }} />

    <section class="training" ref=${progressRef}>
      <h2>Training</h2>
      <div class="split train-split">
        <div class="card">
          <div class="toolbar"><h3 class="grow-title">Your training jobs</h3>
            <button class="small" onClick=${jobs.reload}>Refresh</button></div>
          <${ErrorBox} error=${jobs.error} />
          <div class="jobs-scroll"><${JobList} jobs=${jobs.data && trainJobs} selected=${selectedJob}
            onSelect=${setSelectedJob} models=${allModels} task=${task} /></div>
        </div>
        <div class="card">
          ${selectedJob
            ? html`<${TrainingProgress} key=${selectedJob} jobId=${selectedJob} model=${jobModel}
                onOpenModel=${openCard}
                onChanged=${() => { jobs.reload(); models.reload(); }} />`
            : html`<div class="empty small-empty">Choose a job on the left to follow its loss and validation
                curves.</div>`}
        </div>
      </div>
    </section>

    <section class="models-section">
      <h2>Models</h2>
      <p class="help">Open several cards to compare models side by side; each card can also run its model on an
        image.</p>
      <div class="card">
        <${ErrorBox} error=${models.error} />
        <${ModelList} models=${models.data} open=${cards} onOpen=${openCard} me=${me} users=${users.data}
          task=${task} />
      </div>
      ${cards.length > 0 && html`<div class="model-cards" data-testid="model-cards">
        ${cards.map((id) => html`<${ModelCard} key=${id} modelId=${id} datasets=${datasets.data}
          onClose=${() => closeCard(id)} />`)}
      </div>`}
    </section>
  </div>`;
}
