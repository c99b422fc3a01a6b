// A training job followed live: status, epoch, speed, time left, the loss and validation curves, and Cancel.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import {
  Chart, COLORS, ErrorBox, fmt, html, isActive, Loading, Stat, StatusTag, useAction, usePoll, when,
} from '../ui.js';
import { duration, elapsed, num } from './create-pickers.js';

/** The job's progress events, sorted into what the page shows. */
export function summarize(events, job) {
  const out = { start: null, steps: [], epochs: [], finished: null, resumed: null };
  (events || []).forEach((e) => {
    if (e.event === 'start') out.start = e;
    else if (e.event === 'step') out.steps.push(e);
    else if (e.event === 'epoch') out.epochs.push(e);
    else if (e.event === 'finished') out.finished = e;
    else if (e.event === 'resume') out.resumed = e;
  });
  out.lastStep = out.steps[out.steps.length - 1] || null;
  out.lastEpoch = out.epochs[out.epochs.length - 1] || null;
  out.maxEpochs = (job && job.config && job.config.maxEpochs) || 10;
  const best = out.epochs.filter((e) => e.best).pop();
  out.bestEpoch = out.finished && out.finished.bestEpoch ? out.finished.bestEpoch : best ? best.epoch : null;
  out.best = out.epochs.find((e) => e.epoch === out.bestEpoch) || null;
  const s = out.lastStep;
  out.fraction = s ? Math.min(1, ((s.epoch - 1) * s.steps + s.step) / (out.maxEpochs * s.steps)) : 0;
  return out;
}

/** The loss curves: every step's training loss, each epoch's mean training loss and its validation loss. */
export function lossChart(p) {
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'Training loss (each step)',
          data: p.steps.map((s) => ({ x: s.epoch - 1 + s.step / s.steps, y: num(s.loss) })),
          borderColor: 'rgba(0, 114, 178, 0.35)', backgroundColor: 'rgba(0, 114, 178, 0.35)', borderWidth: 1,
          pointRadius: p.steps.length > 60 ? 0 : 2,
        },
        {
          label: 'Training loss (epoch)',
          data: p.epochs.map((e) => ({ x: e.epoch, y: num(e.trainLoss) })),
          borderColor: COLORS[0], backgroundColor: COLORS[0], borderWidth: 2, pointRadius: 3,
        },
        {
          label: 'Validation loss',
          data: p.epochs.map((e) => ({ x: e.epoch, y: num(e.validationLoss) })),
          borderColor: COLORS[1], backgroundColor: COLORS[1], borderWidth: 2, pointRadius: 3,
        },
      ],
    },
    options: {
      parsing: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', min: 0, suggestedMax: Math.max(1, p.lastEpoch ? p.lastEpoch.epoch : 1),
          title: { display: true, text: 'epoch' } },
        y: { title: { display: true, text: 'loss' }, beginAtZero: true },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
}

/** The validation scores of a task's epochs: [key in the epoch events and curves, label]. */
export function scoresOf(task) {
  if (task === 'detection') return [['map', 'mAP (IoU 0.5 to 0.95)'], ['ap50', 'AP50 (IoU 0.5)']];
  if (task === 'segmentation') return [['dice', 'Dice'], ['iou', 'IoU']];
  return [['kappa', 'Kappa (linear-weighted)'], ['auc', 'AUC'], ['accuracy', 'Accuracy']];
}

/** Validation scores per epoch (kappa, AUC and accuracy, or a detector's mAP and AP50); the best epoch's points are larger. */
export function metricChart(epochs, bestEpoch, task) {
  const series = scoresOf(task).map(([key, label], i) => [key, label, COLORS[2 + i]]);
  return {
    type: 'line',
    data: {
      datasets: series.map(([key, label, color]) => ({
        label,
        data: epochs.map((e) => ({ x: e.epoch, y: num(e[key]) })),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: epochs.map((e) => (e.epoch === bestEpoch ? 6 : 3)),
      })),
    },
    options: {
      parsing: false,
      scales: {
        x: { type: 'linear', min: 1, suggestedMax: Math.max(2, epochs.length), ticks: { stepSize: 1, precision: 0 },
          title: { display: true, text: 'epoch' } },
        y: { suggestedMin: 0, max: 1, title: { display: true, text: 'validation' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
}

/**
 * The progress of one training job. Polls its progress every 1.5 s while it is queued or running and calls
 * `onChanged` when its status changes, so the page can refresh its lists.
 */
export function TrainingProgress({ jobId, model, onChanged, onOpenModel }) {
  const [job, setJob] = useState(null);
  const [events, setEvents] = useState(null);
  const [error, setError] = useState(null);
  const [log, setLog] = useState(null);

  useEffect(() => {
    setJob(null);
    setEvents(null);
    setError(null);
    setLog(null);
    api(`/jobs/${jobId}`).then(setJob).catch(setError);
  }, [jobId]);

  const active = !job || isActive(job.status);
  usePoll(async () => {
    try {
      const p = await api(`/jobs/${jobId}/progress`);
      setEvents(p.events);
      if (job && p.status !== job.status) {
        const fresh = await api(`/jobs/${jobId}`);
        setJob(fresh);
        onChanged && onChanged(fresh);
      }
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, 1500, active && !!job);

  // A finished job's progress once more (the poll has stopped), and a failed job's log.
  useEffect(() => {
    if (!job || isActive(job.status)) return;
    api(`/jobs/${jobId}/progress`).then((p) => setEvents(p.events)).catch(setError);
    if (job.status === 'FAILED') api(`/jobs/${jobId}/log?bytes=4000`).then(setLog).catch(() => {});
  }, [job && job.status, jobId]);

  const [cancel, cancelling, cancelError] = useAction(async () => {
    const j = await api(`/jobs/${jobId}/cancel`, { method: 'POST' });
    setJob(j);
    onChanged && onChanged(j);
  });

  const p = useMemo(() => summarize(events, job), [events, job]);
  const losses = useMemo(() => lossChart(p), [p]);
  const task = (job && job.config && job.config.task) || 'classification';
  const metrics = useMemo(() => metricChart(p.epochs, p.bestEpoch, task), [p, task]);
  const [[mainKey, mainLabel], [secondKey, secondLabel]] = task === 'detection' ? [['map', 'mAP'], ['ap50', 'AP50']]
    : task === 'segmentation' ? [['dice', 'Dice'], ['iou', 'IoU']] : [['kappa', 'kappa'], ['auc', 'AUC']];

  if (error && !job) return html`<${ErrorBox} error=${error} />`;
  if (!job) return html`<${Loading} what="the job" />`;
  const c = job.config || {};
  const s = p.lastStep;
  const running = job.status === 'RUNNING';
  return html`<div class="progress-panel" data-testid="progress" data-job=${job.id} data-status=${job.status}
    data-loss-points=${p.steps.length} data-epochs=${p.epochs.length}>
    <div class="toolbar">
      <h3 class="grow-title">Training job ${job.id}</h3>
      <${StatusTag} status=${job.status} />
      ${isActive(job.status) && html`<button class="danger" data-testid="cancel-job" disabled=${cancelling}
        onClick=${cancel}>${cancelling ? 'Cancelling…' : 'Cancel training'}</button>`}
    </div>
    <div class="muted small-text">${c.architecture || 'resnet18'} at width ${c.width ?? 0.25}, ${c.inputSize ?? 128} px,
      up to ${p.maxEpochs} epochs · submitted ${when(job.submittedAt)}</div>
    <${ErrorBox} error=${cancelError} />
    ${job.status === 'QUEUED' && html`<div class="notice">Waiting in the queue: the server runs one job at a time and
      takes turns between users. It starts by itself.</div>`}
    ${job.status === 'CANCELLED' && html`<div class="notice" data-testid="cancelled-note">${job.reason || 'Cancelled'}.
      ${p.epochs.length ? ' The best weights so far are kept as a model.' : ' No epoch had finished, so there is no model.'}</div>`}
    ${job.status === 'FAILED' && html`<div class="error" role="alert"><strong>Training failed</strong>: ${
      (p.finished && p.finished.message) || job.reason || `exit code ${job.exitCode}`}
      ${log && html`<details><summary>The end of the job's log</summary><pre class="log">${log}</pre></details>`}</div>`}
    ${running && html`<div class="progressbar" title=${`${Math.round(100 * p.fraction)} % of ${p.maxEpochs} epochs`}>
      <div style=${{ width: `${(100 * p.fraction).toFixed(1)}%` }}></div></div>`}
    <div class="stats">
      <${Stat} id="epoch" label="Epoch" value=${s ? `${s.epoch} / ${p.maxEpochs}` : p.lastEpoch ? `${p.lastEpoch.epoch} / ${p.maxEpochs}` : '–'}
        hint=${s && running ? `step ${s.step} of ${s.steps}` : null} />
      <${Stat} id="speed" label="Images per second" value=${s ? fmt(num(s.imagesPerSecond), 1) : '–'} />
      <${Stat} id="eta" label=${running ? 'Time left (at most)' : 'Time taken'}
        value=${running ? (s ? duration(s.etaSeconds) : 'starting…') : duration(elapsed(job))} />
      <${Stat} id="best" label=${p.bestEpoch ? `Best ${mainLabel} (epoch ${p.bestEpoch})` : `Best ${mainLabel}`}
        value=${p.best ? fmt(num(p.best[mainKey])) : '–'} />
      <${Stat} id="auc" label=${`${secondLabel} at the best epoch`} value=${p.best ? fmt(num(p.best[secondKey])) : '–'} />
    </div>
    ${p.start && html`<div class="muted small-text">${p.start.trainImages} training images, ${p.start.validationImages} validation
      images${p.start.replicas > 1 ? `, ${p.start.replicas} machines` : ''}.</div>`}
    ${running && !s && html`<div class="muted">Reading the images and building the network; the first points appear
      after the first step.</div>`}
    <div class="curves">
      <div>
        <h4>Loss <span class="muted">(lower is better)</span></h4>
        <${Chart} id="loss" label="training and validation loss by epoch" config=${losses} height=${230} />
      </div>
      <div>
        <h4>Validation <span class="muted">(higher is better)</span></h4>
        ${p.epochs.length
          ? html`<${Chart} id="metrics" label=${`validation ${scoresOf(task).map((x) => x[0]).join(', ')} by epoch`}
              config=${metrics} height=${230} />`
          : html`<div class="empty small-empty">Appears after the first epoch.</div>`}
      </div>
    </div>
    ${!isActive(job.status) && (model
      ? html`<div class="toolbar"><span>This job made <strong>Model ${model.id}</strong>.</span>
          <button class="primary" data-testid="open-job-model" onClick=${() => onOpenModel(model.id)}>Open its model
          card</button></div>`
      : job.status === 'SUCCEEDED' && html`<div class="muted">The model is being registered…</div>`)}
  </div>`;
}
