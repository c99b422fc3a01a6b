// One evaluation job: followed while it runs, then its comparison of the models (kappa and AUC with their
// intervals, the binary view), their confusion matrices side by side and their ROC curves, all read from the files
// the job wrote (comparison.json and each model's metrics.json).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, artifact } from '../api.js';
import {
  Chart, COLORS, ConfusionMatrix, ErrorBox, fmt, html, isActive, Loading, pct, StatusTag, useAction, usePoll, when,
  withInterval,
} from '../ui.js';
import { duration, elapsed, modelName, num } from './create-pickers.js';

/** The interval of a comparison row or metrics block: {value, low, high} from {estimate, lower, upper}. */
function interval(ci, value) {
  if (!ci) return { value: num(value), low: null, high: null };
  return { value: num(value ?? ci.estimate), low: num(ci.lower), high: num(ci.upper) };
}

/** "0.627 (0.530–0.716)"; a dash for an undefined value. */
function showInterval(ci, value) {
  const v = interval(ci, value);
  if (v.value === null) return '–';
  return v.low === null || v.high === null ? fmt(v.value) : withInterval(v.value, v.low, v.high);
}

/** Finds the registry model of a model folder (the evaluation names models by folder). */
function registryModel(models, row) {
  return (models || []).find((m) => m.path === row.path)
    || (models || []).find((m) => `job-${m.jobId}` === row.model) || null;
}

/** The ROC curves of the binary view, one per model, with each model's operating point at the threshold. */
function rocChart(entries) {
  const datasets = [];
  entries.forEach((e, i) => {
    const color = COLORS[i % COLORS.length];
    const roc = (e.metrics && e.metrics.binary && e.metrics.binary.roc) || [];
    datasets.push({
      label: `${e.name} (AUC ${fmt(num(e.metrics.binary.auc))})`,
      data: roc.map((p) => ({ x: num(p.falsePositiveRate), y: num(p.truePositiveRate) }))
        .filter((p) => p.x !== null && p.y !== null),
      borderColor: color, backgroundColor: color, showLine: true, pointRadius: 0, borderWidth: 2, stepped: false,
    });
  });
  entries.forEach((e, i) => {
    const b = e.metrics && e.metrics.binary;
    if (!b || num(b.sensitivity) === null || num(b.specificity) === null) return;
    const color = COLORS[i % COLORS.length];
    datasets.push({
      label: `${e.name} at threshold ${b.threshold}`,
      data: [{ x: 1 - num(b.specificity), y: num(b.sensitivity) }],
      borderColor: '#111827', backgroundColor: color, pointRadius: 7, pointStyle: 'rectRot', showLine: false,
    });
  });
  datasets.push({
    label: 'Chance', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: '#9aa5b1', borderDash: [5, 5],
    borderWidth: 1, pointRadius: 0, showLine: true,
  });
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      parsing: false,
      scales: {
        x: { min: 0, max: 1, title: { display: true, text: '1 − specificity (false-positive rate)' } },
        y: { min: 0, max: 1, title: { display: true, text: 'sensitivity (true-positive rate)' } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { filter: (item) => item.text !== 'Chance' } },
        tooltip: {
          callbacks: {
            label: (ctx) => `${ctx.dataset.label}: sensitivity ${fmt(ctx.parsed.y)}, 1 − specificity ${fmt(ctx.parsed.x)}`,
          },
        },
      },
    },
  };
}

/** Saves an artifact as a file (artifact requests need the token, so no plain link). */
async function download(jobId, path) {
  const res = await api(`/jobs/${jobId}/artifact?path=${encodeURIComponent(path)}`, { raw: true });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `evaluation-${jobId}-${path.replaceAll('/', '-')}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** "Download the table (CSV)" under a comparison, with the warning about overlapping intervals. */
function TableDownload({ jobId }) {
  const [save, saving, saveError] = useAction(() => download(jobId, 'comparison.csv'));
  return html`<div class="toolbar">
      <button class="small" onClick=${save} disabled=${saving}>Download the table (CSV)</button>
      <span class="help">Overlapping intervals mean the difference between two models may be chance.</span>
    </div>
    <${ErrorBox} error=${saveError} />`;
}

function binarySummary(b) {
  return `At threshold ${b.threshold}: ${b.truePositives} true and ${b.falsePositives} false positives, `
    + `${b.trueNegatives} true and ${b.falseNegatives} false negatives.`;
}

function Comparison({ job, entries, datasets }) {
  const roc = useMemo(() => rocChart(entries.filter((e) => e.metrics && e.metrics.binary)), [entries]);
  const bestKappa = Math.max(...entries.map((e) => num(e.row.kappaLinear) ?? -Infinity));
  const bestAuc = Math.max(...entries.map((e) => num(e.row.aucMacro) ?? -Infinity));
  const first = entries.find((e) => e.metrics) || {};
  const binary = (first.metrics && first.metrics.binary) || {};
  const ds = (datasets || []).find((d) => d.id === job.datasetId);
  const ci = entries[0] && entries[0].row.kappaCi;
  return html`<div class="comparison" data-testid="comparison">
    <p class="muted">${entries[0] ? entries[0].row.studies : '?'} labelled studies of ${ds ? ds.name : `dataset ${job.datasetId}`}.
      Intervals are 95 % bootstrap intervals${ci ? ` (${ci.resamples} resamples of the studies)` : ''}. The binary view
      counts ${`${(binary.positiveClasses || []).join(' and ') || 'the last category'} as positive at threshold ${
        binary.threshold ?? 0.5}`}.</p>
    <div class="table-scroll">
    <table class="compare-table" data-testid="compare-table">
      <thead><tr>
        <th>Model</th><th class="num">Studies</th>
        <th class="num" title="Linear-weighted Cohen's kappa: agreement with the labels, near misses count half">Kappa
          (linear) <span class="muted">95 % CI</span></th>
        <th class="num" title="Mean of the one-against-the-rest AUCs of the categories">AUC (macro) <span class="muted">95 % CI</span></th>
        <th class="num">Binary AUC</th><th class="num">Sensitivity</th><th class="num">Specificity</th>
        <th class="num">Accuracy</th>
      </tr></thead>
      <tbody>${entries.map((e, i) => html`<tr data-row=${e.row.model}>
        <td><span class="swatch" style=${{ background: COLORS[i % COLORS.length] }}></span>${e.name}
          ${e.model && html`<div class="help">${e.model.architecture}, trained ${when(e.model.createdAt)}</div>`}</td>
        <td class="num" data-col="studies">${e.row.studies}</td>
        <td class=${`num ${num(e.row.kappaLinear) === bestKappa && entries.length > 1 ? 'best' : ''}`} data-col="kappa">${
          showInterval(e.row.kappaCi, e.row.kappaLinear)}</td>
        <td class=${`num ${num(e.row.aucMacro) === bestAuc && entries.length > 1 ? 'best' : ''}`} data-col="auc">${
          showInterval(e.row.aucCi, e.row.aucMacro)}</td>
        <td class="num" data-col="binaryAuc">${fmt(num(e.row.binaryAuc))}</td>
        <td class="num" data-col="sensitivity">${pct(num(e.row.sensitivity))}</td>
        <td class="num" data-col="specificity">${pct(num(e.row.specificity))}</td>
        <td class="num" data-col="accuracy">${pct(num(e.row.accuracy))}</td>
      </tr>`)}</tbody>
    </table>
    </div>
    <${TableDownload} jobId=${job.id} />

    <h3>Confusion matrices</h3>
    <div class="matrices">
      ${entries.map((e) => html`<div class="card matrix-card" data-testid="matrix-card" data-model=${e.row.model}>
        <h4>${e.name}</h4>
        ${e.metrics
          ? html`<${ConfusionMatrix} id=${e.row.model} labels=${e.metrics.classes} matrix=${e.metrics.confusionMatrix}
              rowTitle="label" colTitle="model" />
            <div class="help">AUC per category: ${Object.entries(e.metrics.aucPerClass || {})
              .map(([c, v]) => `${c} ${fmt(num(v))}`).join(' · ')}</div>
            ${e.metrics.binary && html`<div class="help">${binarySummary(e.metrics.binary)}</div>`}`
          : html`<${ErrorBox} error=${e.error} />`}
      </div>`)}
    </div>

    <h3>ROC curves</h3>
    <p class="help">Each curve shows what a model trades as its threshold moves: further up and to the left is better.
      The diamond is where the chosen threshold puts it.</p>
    <div class="card roc-card" data-testid="roc" data-curves=${entries.filter((e) => e.metrics && e.metrics.binary).length}>
      <${Chart} id="roc" label="ROC curves of the models" config=${roc} height=${420} />
    </div>
  </div>`;
}

/** Each detector's precision-recall curve at IoU 0.5 (the mean over its classes) and its FROC curve. */
function detectionCharts(entries) {
  const levels = Array.from({ length: 101 }, (_, k) => k / 100);
  const pr = [];
  const froc = [];
  entries.forEach((e, i) => {
    if (!e.metrics) return;
    const color = COLORS[i % COLORS.length];
    const curves = Object.values(e.metrics.precisionAtRecall50 || {});
    if (curves.length) {
      pr.push({ label: `${e.name} (AP50 ${fmt(num(e.metrics.AP50))})`, borderColor: color, backgroundColor: color,
        data: levels.map((r, k) => ({ x: r, y: curves.reduce((a, c) => a + num(c[k]), 0) / curves.length })),
        showLine: true, pointRadius: 0, borderWidth: 2 });
    }
    const points = (e.metrics.froc && e.metrics.froc.curve) || [];
    froc.push({ label: `${e.name} (mean sensitivity ${fmt(num(e.metrics.froc && e.metrics.froc.mean))})`,
      borderColor: color, backgroundColor: color, stepped: 'after', showLine: true, pointRadius: 0, borderWidth: 2,
      data: points.map((p) => ({ x: Math.min(8, num(p.falsePositivesPerImage)), y: num(p.sensitivity) })) });
  });
  const chart = (datasets, x, y, xMax) => ({
    type: 'scatter',
    data: { datasets },
    options: {
      parsing: false,
      scales: { x: { min: 0, max: xMax, title: { display: true, text: x } },
        y: { min: 0, max: 1, title: { display: true, text: y } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  return {
    pr: chart(pr, 'recall', 'precision (interpolated, mean over the categories)', 1),
    froc: chart(froc, 'false positives per image', 'lesion sensitivity', 8),
  };
}

/** A comparison of detectors: mAP, AP50 and AP75 with their intervals, FROC, AP per category, and the curves. */
function DetectionComparison({ job, entries, datasets }) {
  const charts = useMemo(() => detectionCharts(entries), [entries]);
  const best = Math.max(...entries.map((e) => num(e.row.map) ?? -Infinity));
  const ds = (datasets || []).find((d) => d.id === job.datasetId);
  const first = entries[0] ? entries[0].row : {};
  return html`<div class="comparison" data-testid="comparison">
    <p class="muted">${`${first.images ?? '?'} images of ${ds ? ds.name : `dataset ${job.datasetId}`} with `
      + `${first.references ?? '?'} reference boxes.`} Intervals are 95 % bootstrap intervals over the images. A box found
      counts when it overlaps a reference box of its category by at least the overlap (IoU) in question; mAP averages
      AP50 to AP95.</p>
    <div class="table-scroll">
    <table class="compare-table" data-testid="compare-table">
      <thead><tr>
        <th>Model</th><th class="num">Images</th>
        <th class="num" title="Average precision over overlaps 0.5 to 0.95 and over the categories">mAP
          <span class="muted">95 % CI</span></th>
        <th class="num" title="Average precision at an overlap of at least 0.5">AP50 <span class="muted">95 % CI</span></th>
        <th class="num">AP75</th>
        <th class="num" title="Mean lesion sensitivity at 1/8 to 8 false positives per image">FROC</th>
      </tr></thead>
      <tbody>${entries.map((e, i) => html`<tr data-row=${e.row.model}>
        <td><span class="swatch" style=${{ background: COLORS[i % COLORS.length] }}></span>${e.name}
          ${e.model && html`<div class="help">${e.model.architecture}, trained ${when(e.model.createdAt)}</div>`}
          ${e.metrics && html`<div class="help">AP per category: ${Object.entries(e.metrics.perClass || {})
            .map(([c, v]) => `${c} ${fmt(num(v.ap))}`).join(' · ')}</div>`}
          ${e.error && html`<${ErrorBox} error=${e.error} />`}</td>
        <td class="num" data-col="images">${e.row.images}</td>
        <td class=${`num ${num(e.row.map) === best && entries.length > 1 ? 'best' : ''}`} data-col="map">${
          showInterval(e.row.mapCi, e.row.map)}</td>
        <td class="num" data-col="ap50">${showInterval(e.row.ap50Ci, e.row.ap50)}</td>
        <td class="num" data-col="ap75">${fmt(num(e.row.ap75))}</td>
        <td class="num" data-col="froc">${fmt(num(e.row.frocMean))}</td>
      </tr>`)}</tbody>
    </table>
    </div>
    <${TableDownload} jobId=${job.id} />
    <h3>Precision and recall</h3>
    <p class="help">At an overlap of 0.5: how many of the boxes a model draws are right (precision) as it finds more
      of the reference boxes (recall). Higher and further right is better.</p>
    <div class="card roc-card" data-testid="precision-recall">
      <${Chart} id="precision-recall" label="precision-recall curves of the detectors" config=${charts.pr}
        height=${380} /></div>
    <h3>FROC</h3>
    <p class="help">How many lesions a model finds (sensitivity) for the false positives per image it makes on the
      way: the curve radiologists use for detection aids.</p>
    <div class="card roc-card" data-testid="froc">
      <${Chart} id="froc" label="FROC curves of the detectors" config=${charts.froc} height=${380} /></div>
  </div>`;
}

/** Loads comparison.json and every model's metrics.json of a finished evaluation. */
function useResults(job, models) {
  const [state, setState] = useState({ entries: null, error: null });
  useEffect(() => {
    if (!job || job.status !== 'SUCCEEDED') {
      setState({ entries: null, error: null });
      return undefined;
    }
    let dead = false;
    (async () => {
      const rows = await artifact(job.id, 'comparison.json');
      return Promise.all(rows.map(async (row) => {
        const model = registryModel(models, row);
        const entry = { row, model, name: model ? modelName(model) : row.model, metrics: null, error: null };
        try {
          entry.metrics = await artifact(job.id, `${row.model}/metrics.json`);
        } catch (e) {
          entry.error = e;
        }
        return entry;
      }));
    })().then((entries) => !dead && setState({ entries, error: null }))
      .catch((error) => !dead && setState({ entries: null, error }));
    return () => { dead = true; };
  }, [job && job.id, job && job.status, models]);
  return state;
}

/** An evaluation job, from queued to its comparison. */
export function EvaluationResult({ jobId, models, datasets, onChanged }) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const [log, setLog] = useState(null);
  const [, setTick] = useState(0);

  useEffect(() => {
    setJob(null);
    setError(null);
    setLog(null);
    api(`/jobs/${jobId}`).then(setJob).catch(setError);
  }, [jobId]);

  usePoll(async () => {
    try {
      const fresh = await api(`/jobs/${jobId}`);
      if (job && fresh.status !== job.status && onChanged) onChanged(fresh);
      setJob(fresh);
      setTick((t) => t + 1);
    } catch (e) {
      setError(e);
    }
  }, 2000, !!job && isActive(job.status));

  useEffect(() => {
    if (job && job.status === 'FAILED') api(`/jobs/${jobId}/log?bytes=4000`).then(setLog).catch(() => {});
  }, [job && job.status]);

  const [cancel, cancelling, cancelError] = useAction(async () => {
    const j = await api(`/jobs/${jobId}/cancel`, { method: 'POST' });
    setJob(j);
    onChanged && onChanged(j);
  });

  const results = useResults(job, models);

  if (error && !job) return html`<${ErrorBox} error=${error} />`;
  if (!job) return html`<${Loading} what="the evaluation" />`;
  const paths = (job.config && job.config.models) || [];
  const names = paths.map((p) => {
    const m = (models || []).find((x) => x.path === p);
    return m ? modelName(m) : p.split('/').pop();
  });
  return html`<section class="evaluation" data-testid="evaluation" data-job=${job.id} data-status=${job.status}>
    <div class="toolbar">
      <h2 class="grow-title">Evaluation ${job.id}</h2>
      <${StatusTag} status=${job.status} />
      ${isActive(job.status) && html`<button class="danger" data-testid="cancel-eval" disabled=${cancelling}
        onClick=${cancel}>Cancel</button>`}
    </div>
    <div class="muted">${names.join(', ')} · submitted ${when(job.submittedAt)}${job.finishedAt && job.startedAt ? ` · ran ${duration(elapsed(job))}` : ''}</div>
    <${ErrorBox} error=${cancelError} />
    ${job.status === 'QUEUED' && html`<div class="notice">Waiting in the queue: the server runs one job at a time. It
      starts by itself.</div>`}
    ${job.status === 'RUNNING' && html`<div class="notice running-note">
      <div class="progressbar indeterminate"><div></div></div>
      Running every model over the dataset's images, then scoring them (${duration(elapsed(job))} so far; a few
      models on a hundred studies take about a minute).</div>`}
    ${job.status === 'CANCELLED' && html`<div class="notice">${job.reason || 'Cancelled'}.</div>`}
    ${job.status === 'FAILED' && html`<div class="error" role="alert"><strong>The evaluation failed</strong>: ${
      job.reason || `exit code ${job.exitCode}`}
      ${log && html`<details><summary>The end of the job's log</summary><pre class="log">${log}</pre></details>`}</div>`}
    ${job.status === 'SUCCEEDED' && (results.error
      ? html`<${ErrorBox} error=${results.error} />`
      : results.entries
        ? (results.entries.length && results.entries[0].row.map !== undefined
          ? html`<${DetectionComparison} job=${job} entries=${results.entries} datasets=${datasets} />`
          : html`<${Comparison} job=${job} entries=${results.entries} datasets=${datasets} />`)
        : html`<${Loading} what="the results" />`)}
  </section>`;
}
