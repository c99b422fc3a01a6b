// Assess: follow deployed models. A deployment collects, case by case, what the model predicted in practice and
// what the radiologists read; an assessment (the assess job) compares them. This page lists the deployments, starts
// assessments and follows them, and explores the latest finished one at any threshold.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, artifact, token } from '../api.js';
import {
  ErrorBox, Field, html, isActive, Loading, navigate, queryParams, Stat, StatusTag, useAction, useApi, usePoll, when,
} from '../ui.js';
import { categoryNames } from './run-model.js';
import { Explorer } from './assess-explorer.js';
import { DetectionExplorer } from './assess-detection.js';
import { SegmentationExplorer } from './assess-segmentation.js';
import './assess.css';

// A finished job's assessment.json never changes: each is fetched once per signed-in user.
const assessments = new Map();
function loadAssessment(jobId) {
  const key = `${token()}:${jobId}`;
  if (!assessments.has(key)) {
    assessments.set(key, artifact(jobId, 'assessment.json').catch((e) => {
      assessments.delete(key);
      throw e;
    }));
  }
  return assessments.get(key);
}

/** The assessment to show when the address names none: the newest finished one, else one still running. */
function latest(list) {
  return list.find((j) => j.status === 'SUCCEEDED') || list.find((j) => isActive(j.status)) || null;
}

function setUrl(deploymentId, jobId) {
  navigate(`/assess?deployment=${deploymentId}${jobId ? `&job=${jobId}` : ''}`, { replace: true });
}

export default function Assess({ me }) {
  const params = queryParams();
  const deploymentId = Number(params.deployment) || null;
  const deployments = useApi('/deployments');
  const [showNew, setShowNew] = useState(false);

  useEffect(() => {
    if (!deploymentId && deployments.data && deployments.data.length) {
      setUrl(deployments.data[0].deployment.id);
    }
  }, [deploymentId, deployments.data]);

  const current = (deployments.data || []).find((v) => v.deployment.id === deploymentId);
  return html`<section class="assess-page">
    <div class="toolbar">
      <h1 style="margin:0">Assess deployed models</h1>
      <span class="spacer"></span>
      <button onClick=${() => setShowNew(!showNew)} id="new-deployment">
        ${showNew ? 'Close the form' : 'Register a deployment'}</button>
    </div>
    <p class="muted">Once a model is in use, it should keep doing as well as it did in testing. A deployment collects,
      case by case, the model’s predictions and the radiologists’ reads; an assessment compares them, overall, at any
      threshold and month by month, so drift shows early.</p>
    ${showNew && html`<${NewDeployment} onCreated=${(v) => {
      setShowNew(false);
      deployments.reload();
      setUrl(v.deployment.id);
    }} />`}
    <${ErrorBox} error=${deployments.error} />
    ${deployments.loading && !deployments.data && html`<${Loading} what="deployments" />`}
    ${deployments.data && deployments.data.length === 0 && html`<div class="empty card">
      <h2>No deployment yet</h2>
      <p>Register one with the button above. Your site’s systems then send the model’s predictions and the reads to
        RadLab (<code>POST /api/deployments/{id}/predictions</code> and <code>/reads</code>; see the API guide).</p>
    </div>`}
    ${deployments.data && deployments.data.length > 0 && html`<div class="split assess-split">
      <nav class="card deployment-list" aria-label="deployments">
        <h2 style="margin-top:0">Deployments</h2>
        ${deployments.data.map((v) => html`<a href=${`/assess?deployment=${v.deployment.id}`}
          class=${`deployment-item ${v.deployment.id === deploymentId ? 'active' : ''}`} data-deployment=${v.deployment.id}>
          <strong>${v.deployment.name}</strong>
          <span class="help">${`${v.deployment.modelId ? `model ${v.deployment.modelId} · ` : ''}${v.assessable} of `
            + `${v.cases} cases assessable`}</span>
        </a>`)}
      </nav>
      <div>
        ${current ? html`<${Deployment} key=${current.deployment.id} view=${current} me=${me}
          jobParam=${Number(params.job) || null} />`
          : deploymentId && html`<div class="error">Deployment ${deploymentId} is not one of yours (or does not
            exist).</div>`}
      </div>
    </div>`}
  </section>`;
}

function Deployment({ view, me, jobParam }) {
  const d = view.deployment;
  const useCase = useApi(`/use-cases/${d.useCaseId}`);
  const jobs = useApi(`/deployments/${d.id}/assessments`);
  const names = useMemo(() => categoryNames(useCase.data), [useCase.data]);
  const list = jobs.data || [];
  const chosen = useMemo(() => {
    if (jobParam) return list.find((j) => j.id === jobParam) || { id: jobParam, missing: true };
    return latest(list);
  }, [jobs.data, jobParam]);

  return html`<div class="deployment" data-deployment=${d.id}>
    <div class="card">
      <h2 style="margin-top:0" data-testid="deployment-name">${d.name}</h2>
      <p class="muted">${`Use case: ${useCase.data ? useCase.data.title : `#${d.useCaseId}`}`}${d.modelId
        ? html` · <a href=${`/run?model=${d.modelId}`}>model ${d.modelId}</a>` : ' · model outside RadLab'}${
        ` · registered ${when(d.createdAt)}`}</p>
      <div class="stats">
        <${Stat} id="cases" label="cases" value=${view.cases} />
        <${Stat} id="predicted" label="with a prediction" value=${view.predicted} />
        <${Stat} id="read" label="with a read" value=${view.read} />
        <${Stat} id="assessable" label="with both (assessable)" value=${view.assessable} />
      </div>
      <${NewAssessment} view=${view} useCase=${useCase.data} previous=${chosen && !chosen.missing ? chosen : null}
        onStarted=${(job) => {
          jobs.reload();
          setUrl(d.id, job.id);
        }} />
    </div>
    <${ErrorBox} error=${jobs.error || useCase.error} />
    ${jobs.data === undefined && !jobs.error && html`<${Loading} what="the assessments" />`}
    ${jobs.data && html`<${Assessments} list=${list} chosen=${chosen} view=${view}
      onChoose=${(id) => setUrl(d.id, id)} />`}
    ${chosen && html`<${Assessment} key=${chosen.id} job=${chosen} view=${view} names=${names}
      onFinished=${() => jobs.reload()} />`}
  </div>`;
}

function NewAssessment({ view, useCase, previous, onStarted }) {
  const detector = useCase && useCase.task === 'detection';
  const segmenter = useCase && useCase.task === 'segmentation';
  const categories = (useCase && useCase.categories) || [];
  const codes = categories.map((c) => c.code);
  const [positive, setPositive] = useState(null);
  const [threshold, setThreshold] = useState('0.5');
  const [period, setPeriod] = useState('month');
  // Defaults: the shown assessment's choices, else the last category (the assess job's own default).
  useEffect(() => {
    if (positive || !codes.length) return;
    const before = previous && previous.config && previous.config.positive;
    setPositive(before && before.length ? before : [codes[codes.length - 1]]);
    if (previous && previous.config) {
      if (previous.config.threshold !== undefined) setThreshold(String(previous.config.threshold));
      if (previous.config.period) setPeriod(previous.config.period);
    }
  }, [codes.length, previous && previous.id]);
  const t = Number(threshold);
  const valid = (detector || segmenter || (positive && positive.length > 0 && positive.length < codes.length))
    && threshold !== '' && t >= 0 && t <= 1;
  const [start, busy, error] = useAction(async () => {
    const job = await api(`/deployments/${view.deployment.id}/assess`, { method: 'POST',
      body: detector ? { threshold: t, period } : segmenter ? { period }
        : { positive: codes.filter((c) => positive.includes(c)), threshold: t, period } });
    onStarted(job);
  });
  return html`<details class="new-assessment" open=${!previous}>
    <summary><strong>Run a new assessment</strong> <span class="muted">${`on the ${view.assessable} cases that have `
      + 'both a prediction and a read'}</span></summary>
    <form onSubmit=${(e) => { e.preventDefault(); start(); }}>
      ${!detector && !segmenter && html`<fieldset>
        <legend>Positive categories</legend>
        <p class="help">The categories that count as “positive” for sensitivity, specificity and the ROC curve (for
          breast density, the dense categories C and D). At least one category must stay negative.</p>
        ${categories.map((c) => html`<label class="choice"><input type="checkbox" name="positive" value=${c.code}
          checked=${(positive || []).includes(c.code)} onChange=${(e) => setPositive(e.currentTarget.checked
            ? [...(positive || []), c.code] : (positive || []).filter((x) => x !== c.code))} />${` ${c.code} · ${c.name}`}
        </label>`)}
      </fieldset>`}
      <div class="row">
        ${!segmenter && html`<div class="grow">
          <${Field} label=${detector ? 'Score shown from' : 'Threshold'} id="assess-threshold" help=${detector
            ? 'The score from which the deployment shows a box to the radiologist: mean IoU, sensitivity and false '
              + 'positives are measured on those boxes. mAP takes every box.'
            : 'A case is called positive when the summed probability of the positive categories is at least this. You '
              + 'can explore other thresholds afterwards.'}>
            <input id="assess-threshold" type="number" min="0" max="1" step="0.01" value=${threshold}
              onInput=${(e) => setThreshold(e.currentTarget.value)} />
          <//>
        </div>`}
        <div class="grow">
          <${Field} label="Drift periods" id="assess-period" help="How the cases are grouped in time to follow drift.">
            <select id="assess-period" value=${period} onChange=${(e) => setPeriod(e.currentTarget.value)}>
              <option value="week">by week</option>
              <option value="month">by month</option>
              <option value="quarter">by quarter</option>
              <option value="year">by year</option>
            </select>
          <//>
        </div>
      </div>
      <button class="primary" id="assess-start" disabled=${!valid || busy || view.assessable < 2}>
        ${busy ? 'Starting…' : 'Run the assessment'}</button>
      ${view.assessable < 2 && html`<span class="muted"> An assessment needs at least 2 cases with both a prediction
        and a read.</span>`}
    </form>
    <${ErrorBox} error=${error} />
  </details>`;
}

function describe(j) {
  const c = j.config || {};
  const parts = [`Assessment ${j.id}`, when(j.submittedAt)];
  if (c.positive && c.positive.length) parts.push(`positive ${c.positive.join('+')}`);
  if (c.threshold !== undefined) parts.push(`threshold ${c.threshold}`);
  if (c.period) parts.push(`by ${c.period}`);
  parts.push(j.status.toLowerCase());
  return parts.join(' · ');
}

function Assessments({ list, chosen, view, onChoose }) {
  if (!list.length) {
    return html`<p class="muted notice" data-testid="no-assessment">${`No assessment of ${view.deployment.name} yet: `
      + 'run one above.'}</p>`;
  }
  const help = 'Every assessment of this deployment, newest first; the newest finished one is shown unless you choose '
    + 'another.';
  return html`<div class="card assessments">
    <${Field} label="Assessment shown" id="assessment-job" help=${help}>
      <select id="assessment-job" value=${chosen ? chosen.id : ''} onChange=${(e) => onChoose(Number(e.currentTarget.value))}>
        ${!chosen && html`<option value="" disabled>choose an assessment</option>`}
        ${chosen && chosen.missing && html`<option value=${chosen.id}>Assessment ${chosen.id}</option>`}
        ${list.map((j) => html`<option value=${j.id}>${describe(j)}</option>`)}
      </select>
    <//>
  </div>`;
}

/** One assess job: followed while it runs; its assessment.json explored once it succeeded. */
function Assessment({ job: initial, view, names, onFinished }) {
  const [job, setJob] = useState(initial.missing ? null : initial);
  const [pollError, setPollError] = useState(null);
  const running = !job || isActive(job.status);
  usePoll(async () => {
    try {
      const j = await api(`/jobs/${initial.id}`);
      setJob(j);
      setPollError(null);
      if (!isActive(j.status) && running && job) onFinished();
    } catch (e) {
      setPollError(e);
    }
  }, 1500, running);

  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [log, setLog] = useState(null);
  useEffect(() => {
    if (!job) return;
    if (job.status === 'SUCCEEDED') {
      loadAssessment(job.id).then(setData).catch(setError);
    } else if (job.status === 'FAILED') {
      api(`/jobs/${job.id}/log?bytes=3000`).then(setLog).catch(() => {});
    }
  }, [job && job.status, job && job.id]);
  const [cancel, cancelling, cancelError] = useAction(async () => setJob(await api(`/jobs/${job.id}/cancel`,
    { method: 'POST' })));

  if (pollError && !job) return html`<${ErrorBox} error=${pollError} />`;
  if (!job) return html`<${Loading} what="the assessment" />`;
  if (isActive(job.status)) {
    return html`<div class="card job-follow" data-testid="job-status" data-status=${job.status}>
      <div class="toolbar"><${StatusTag} status=${job.status} />
        <span>${job.status === 'QUEUED' ? `Assessment ${job.id} is waiting for its turn (jobs run one at a time).`
          : `Assessment ${job.id} is running, since ${when(job.startedAt)}.`}</span>
        <span class="spacer"></span>
        <button class="small danger" onClick=${() => cancel()} disabled=${cancelling}>Cancel</button></div>
      <div class="progressbar indeterminate"><div></div></div>
      <${ErrorBox} error=${cancelError || pollError} />
    </div>`;
  }
  if (job.status !== 'SUCCEEDED') {
    return html`<div class="card" data-testid="job-status" data-status=${job.status}>
      <div class="toolbar"><${StatusTag} status=${job.status} /><span>${`Assessment ${job.id} did not finish`
        + `${job.reason ? `: ${job.reason}` : '.'}`}</span></div>
      ${log && html`<details><summary>The end of its log</summary><pre class="log">${log}</pre></details>`}
    </div>`;
  }
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!data) return html`<${Loading} what="the assessment" />`;
  return html`<div data-testid="assessment" data-job=${job.id}>
    <p class="muted">${`Assessment ${job.id}, finished ${when(job.finishedAt)}.`}</p>
    ${data.overall && data.overall.cases !== view.assessable && html`<p class="notice">${`This assessment covered `
      + `${data.overall.cases} cases; the deployment now has ${view.assessable} with both a prediction and a read. `
      + 'Run a new assessment to include the newer cases.'}</p>`}
    ${data.task === 'detection' ? html`<${DetectionExplorer} assessment=${data} names=${names} />`
      : data.task === 'segmentation' ? html`<${SegmentationExplorer} assessment=${data} names=${names} />`
        : html`<${Explorer} assessment=${data} job=${job} names=${names} />`}
  </div>`;
}

function NewDeployment({ onCreated }) {
  const useCases = useApi('/use-cases?status=published');
  const models = useApi('/models?limit=1000');
  const [name, setName] = useState('');
  const [useCaseId, setUseCaseId] = useState(null);
  const [modelId, setModelId] = useState('');
  useEffect(() => {
    if (!useCaseId && useCases.data && useCases.data.length) setUseCaseId(useCases.data[0].id);
  }, [useCases.data]);
  const fitting = (models.data || []).filter((m) => m.useCaseId === useCaseId);
  const [create, busy, error] = useAction(async () => {
    const v = await api('/deployments', { method: 'POST', body: { name: name.trim(), useCaseId,
      ...(modelId ? { modelId: Number(modelId) } : {}) } });
    onCreated(v);
  });
  return html`<form class="card new-deployment" onSubmit=${(e) => { e.preventDefault(); create(); }}>
    <h2 style="margin-top:0">Register a deployment</h2>
    <div class="row">
      <div class="grow"><${Field} label="Name" id="dep-name" help="Unique, for example the site and the task:
        site-a-density.">
        <input id="dep-name" value=${name} maxlength="100" onInput=${(e) => setName(e.currentTarget.value)} required />
      <//></div>
      <div class="grow"><${Field} label="Use case" id="dep-usecase" help="What the deployed model answers.">
        <select id="dep-usecase" value=${useCaseId || ''} onChange=${(e) => {
          setUseCaseId(Number(e.currentTarget.value));
          setModelId('');
        }}>
          ${(useCases.data || []).map((u) => html`<option value=${u.id}>${u.title}</option>`)}
        </select>
      <//></div>
      <div class="grow"><${Field} label="Model (optional)" id="dep-model" help="One of your RadLab models, if the
        deployed model came from here.">
        <select id="dep-model" value=${modelId} onChange=${(e) => setModelId(e.currentTarget.value)}>
          <option value="">a model from elsewhere</option>
          ${fitting.map((m) => html`<option value=${m.id}>${`Model ${m.id} · ${m.architecture}`}</option>`)}
        </select>
      <//></div>
    </div>
    <button class="primary" disabled=${busy || !name.trim() || !useCaseId}>Register</button>
    <p class="help">Then your site’s systems send the model’s predictions and the radiologists’ reads, case by case
      (POST /api/deployments/{id}/predictions and /reads): probabilities and a category for a classifier, boxes for a
      detector (Run’s answer can be sent as it is).</p>
    <${ErrorBox} error=${error} />
  </form>`;
}
