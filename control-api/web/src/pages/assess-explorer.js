// The Assess page's view of one finished assessment (assessment.json): a threshold slider that recomputes the
// binary confusion matrix, sensitivity, specificity and kappa in the browser from the per-case timeline, the ROC
// curve with the operating point, the positive score over time with the misses marked, and the drift by period.
import { useMemo, useState } from 'preact/hooks';
import { Chart, COLORS, fmt, html, pct, withInterval } from '../ui.js';
import { blandAltman, hundredths, metricsAt, num, periodOf, same, sweepAt } from './assess-metrics.js';

const OUTCOME = {
  TP: { label: 'true positive', color: COLORS[2], shape: 'circle', radius: 4 },
  TN: { label: 'true negative', color: '#9aa5b1', shape: 'circle', radius: 3 },
  FP: { label: 'false positive', color: COLORS[5], shape: 'triangle', radius: 8 },
  FN: { label: 'false negative', color: COLORS[3], shape: 'rectRot', radius: 8 },
};

const DAY = 86400000;
const dayOf = (iso) => Date.parse(`${iso}T00:00:00Z`);
const dateLabel = (ms) => new Date(ms).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric',
  timeZone: 'UTC' });

/** A threshold as shown: two digits, or three when it has them. */
const thr = (t) => fmt(t, hundredths(t) === t ? 2 : 3);

function outcome(c, t) {
  const called = c.score >= t;
  if (called) return c.referencePositive ? 'TP' : 'FP';
  return c.referencePositive ? 'FN' : 'TN';
}

/** A value with its exact number in data-value, for anyone who needs more digits than shown. */
export function Metric({ id, label, value, shown, hint }) {
  return html`<div class="stat" data-metric=${id} data-value=${String(value)}>
    <div class="stat-value">${shown}</div>
    <div class="stat-label">${label}</div>
    ${hint && html`<div class="help">${hint}</div>`}
  </div>`;
}

export function Explorer({ assessment, job, names }) {
  const overall = assessment.overall;
  const binary = overall.binary;
  const timeline = assessment.timeline || [];
  const sweep = assessment.thresholdSweep || [];
  const jobThreshold = num(binary.threshold);
  // Starts at the assessment's own threshold, exactly (it may have more digits than the slider's steps).
  const [threshold, setThreshold] = useState(jobThreshold);
    const m = useMemo(() => metricsAt(timeline, threshold), [timeline, threshold]);
  const atJob = useMemo(() => metricsAt(timeline, jobThreshold), [timeline, jobThreshold]);
  const positives = binary.positiveClasses || [];
  const scoreName = positives.map((c) => `P(${c})`).join(' + ');
  const positiveName = positives.map((c) => (names.get(c) ? `${c} (${names.get(c)})` : c)).join(', ');
  const readPositive = timeline.filter((c) => c.referencePositive).length;

  const swept = sweepAt(sweep, threshold);
  const agrees = swept && ['sensitivity', 'specificity', 'ppv', 'npv', 'f1', 'kappa']
    .every((k) => same(m[k], swept[k]));

  return html`<div class="explorer" data-job=${job.id}>
    <h2>Overall, all categories</h2>
    <div class="stats">
      <${Metric} id="cases" label="cases assessed" value=${overall.cases} shown=${overall.cases}
        hint=${`${readPositive} read positive (${positives.join(', ')}), ${overall.cases - readPositive} negative`} />
      <${Metric} id="kappa-linear" label="linear-weighted kappa (95 % interval)" value=${num(overall.kappa.linear)}
        shown=${withInterval(num(overall.kappa.linear), num(overall.kappaLinearCi && overall.kappaLinearCi.lower),
          num(overall.kappaLinearCi && overall.kappaLinearCi.upper), 2)}
        hint="The model's most likely category against the read, over all categories." />
      <${Metric} id="accuracy" label="accuracy (all categories)" value=${num(overall.accuracy)}
        shown=${pct(num(overall.accuracy))} />
      <${Metric} id="auc" label=${`AUC, ${positives.join('+')} against the rest`} value=${num(binary.auc)}
        shown=${withInterval(num(binary.auc), num(binary.aucCi && binary.aucCi.lower),
          num(binary.aucCi && binary.aucCi.upper), 2)}
        hint="Does not depend on the threshold." />
    </div>

    <h2>At a threshold</h2>
    <p class="muted">${`Each case's positive score is the model's summed probability ${scoreName}; a case is called `
      + `positive when its score is at or above the threshold. Positive categories: ${positiveName}. Move the `
      + 'slider: the table, the metrics and the charts follow at once.'}</p>
    <div class="card threshold-card">
      <div class="threshold-row">
        <label for="threshold" class="field-label">Threshold</label>
        <input id="threshold" type="range" min="0" max="1" step="0.01" value=${threshold}
          aria-valuetext=${thr(threshold)}
          onInput=${(e) => setThreshold(hundredths(e.currentTarget.value))} />
        <output for="threshold" class="threshold-value" data-testid="threshold-value"
          data-value=${String(threshold)}>${thr(threshold)}</output>
        <button class="small" type="button" disabled=${threshold === jobThreshold}
          onClick=${() => setThreshold(jobThreshold)}>${`back to ${String(jobThreshold)}`}</button>
      </div>
      <p class="help">Arrow keys move it by 0.01, Page Up / Page Down by 0.1. ${swept
        ? (agrees ? html`<span class="sweep-ok" data-testid="sweep-check" data-agrees="true">${`✓ Same as the `
          + `assessment's threshold sweep at ${thr(threshold)}.`}</span>`
          : html`<span class="sweep-bad" data-testid="sweep-check" data-agrees="false">${'These numbers differ from '
          + `the assessment's threshold sweep at ${thr(threshold)}; please report this.`}</span>`)
        : `The assessment's sweep has the thresholds 0, 0.05, … 1; between them the numbers come from the cases alone.`}</p>
      <div class="threshold-body">
        <${Binary2x2} m=${m} />
        <div class="stats live-metrics">
          <${Metric} id="sensitivity" label="sensitivity" value=${m.sensitivity} shown=${pct(m.sensitivity)}
            hint=${`${m.tp} of ${m.tp + m.fn} read positive found`} />
          <${Metric} id="specificity" label="specificity" value=${m.specificity} shown=${pct(m.specificity)}
            hint=${`${m.tn} of ${m.tn + m.fp} read negative cleared`} />
          <${Metric} id="kappa" label="Cohen's kappa (positive / negative)" value=${m.kappa} shown=${fmt(m.kappa, 3)}
            hint="Agreement of the call with the read beyond chance." />
          <${Metric} id="ppv" label="positive predictive value" value=${m.ppv} shown=${pct(m.ppv)} />
          <${Metric} id="npv" label="negative predictive value" value=${m.npv} shown=${pct(m.npv)} />
        </div>
      </div>
    </div>

    <div class="chart-pair">
      <div class="card">
        <h3>ROC curve</h3>
        <${Roc} roc=${binary.roc || []} m=${m} atJob=${atJob} />
        <p class="help">Each point of the curve is one threshold. The filled dot is the slider’s threshold, the ring
          the one the assessment was run with.</p>
      </div>
      <div class="card">
        <h3>Positive score over time</h3>
        <${OverTime} timeline=${timeline} threshold=${threshold} scoreName=${scoreName} />
        <p class="help">One mark per case on its date. False positives (▲) and false negatives (◆) are those at the
          slider’s threshold, drawn as the dashed line.</p>
      </div>
    </div>

    ${assessment.drift && assessment.drift.length > 0 && html`<${Drift} assessment=${assessment} timeline=${timeline}
      threshold=${threshold} jobThreshold=${jobThreshold} />`}
    <${Misses} timeline=${timeline} threshold=${threshold} />
    ${Array.isArray(assessment.volumes) && assessment.volumes.length >= 2
      && html`<${Volumes} pairs=${assessment.volumes} />`}
  </div>`;
}

function Binary2x2({ m }) {
  const cell = (id, n, label, good) => html`<td class=${`cell2 ${good ? 'good' : 'bad'}`} data-cell=${id}
    data-value=${n}><div class="cell2-n">${n}</div><div class="cell2-label">${label}</div></td>`;
  return html`<table class="binary2" data-testid="confusion">
    <thead><tr><th class="corner">read ↓ / model →</th><th>called positive</th><th>called negative</th></tr></thead>
    <tbody>
      <tr><th>read positive</th>${cell('tp', m.tp, 'true positives', true)}${cell('fn', m.fn, 'false negatives', false)}</tr>
      <tr><th>read negative</th>${cell('fp', m.fp, 'false positives', false)}${cell('tn', m.tn, 'true negatives', true)}</tr>
    </tbody>
  </table>`;
}

function Roc({ roc, m, atJob }) {
  const curve = useMemo(() => roc.map((p) => ({ x: num(p.falsePositiveRate), y: num(p.truePositiveRate),
    t: num(p.threshold) })), [roc]);
  const config = useMemo(() => ({
    type: 'scatter',
    data: {
      datasets: [
        { label: 'operating point (slider)', data: [{ x: m.falsePositiveRate, y: m.sensitivity }], pointRadius: 8,
          pointHoverRadius: 9, backgroundColor: COLORS[5], borderColor: '#fff', borderWidth: 2 },
        { label: 'assessment threshold', data: [{ x: atJob.falsePositiveRate, y: atJob.sensitivity }], pointRadius: 8,
          backgroundColor: 'transparent', borderColor: COLORS[7], borderWidth: 2 },
        { label: 'ROC curve', data: curve, showLine: true, pointRadius: 2, borderColor: COLORS[0],
          backgroundColor: COLORS[0], borderWidth: 2 },
        { label: 'chance', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], showLine: true, pointRadius: 0, borderDash: [4, 4],
          borderColor: '#9aa5b1', borderWidth: 1 },
      ],
    },
    options: {
      scales: {
        x: { min: 0, max: 1, title: { display: true, text: 'false positive rate (1 − specificity)' } },
        y: { min: 0, max: 1, title: { display: true, text: 'sensitivity' } },
      },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: { callbacks: { label: (c) => (c.raw.t !== undefined
          ? `threshold ${Number.isFinite(c.raw.t) ? fmt(c.raw.t, 3) : '∞'}: sensitivity ${pct(c.raw.y)}, FPR ${pct(c.raw.x)}`
          : `${c.dataset.label}: sensitivity ${pct(c.raw.y)}, FPR ${pct(c.raw.x)}`) } },
      },
    },
  }), [curve, m, atJob]);
  return html`<${Chart} config=${config} height=${320} id="roc" label="ROC curve with the operating point" />`;
}

function OverTime({ timeline, threshold, scoreName }) {
  const config = useMemo(() => {
    const groups = { TP: [], TN: [], FP: [], FN: [] };
    timeline.forEach((c) => groups[outcome(c, threshold)].push({ x: dayOf(c.date), y: c.score, study: c.study,
      date: c.date }));
    const xs = timeline.map((c) => dayOf(c.date));
    const lo = Math.min(...xs) - 3 * DAY;
    const hi = Math.max(...xs) + 3 * DAY;
    return {
      type: 'scatter',
      data: {
        datasets: [
          ...['FP', 'FN', 'TP', 'TN'].map((k) => ({ label: `${OUTCOME[k].label} (${groups[k].length})`, data: groups[k],
            pointStyle: OUTCOME[k].shape, pointRadius: OUTCOME[k].radius, pointHoverRadius: OUTCOME[k].radius + 2,
            backgroundColor: OUTCOME[k].color, borderColor: k === 'FP' || k === 'FN' ? '#111827' : OUTCOME[k].color,
            borderWidth: k === 'FP' || k === 'FN' ? 1 : 0 })),
          { label: `threshold ${thr(threshold)}`, data: [{ x: lo, y: threshold }, { x: hi, y: threshold }],
            showLine: true, pointRadius: 0, borderColor: '#111827', borderDash: [6, 4], borderWidth: 1.5 },
        ],
      },
      options: {
        scales: {
          x: { type: 'linear', min: lo, max: hi, ticks: { callback: (v) => dateLabel(v), maxTicksLimit: 8 },
            title: { display: true, text: 'date of the case' } },
          y: { min: 0, max: 1, title: { display: true, text: `positive score, ${scoreName}` } },
        },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: (c) => (c.raw.study
            ? `${c.raw.study}, ${c.raw.date}: score ${fmt(c.raw.y, 3)} (${c.dataset.label.replace(/ \(\d+\)$/, '')})`
            : c.dataset.label) } },
        },
      },
    };
  }, [timeline, threshold, scoreName]);
  return html`<${Chart} config=${config} height=${320} id="over-time" label="positive score over time" />`;
}

function Drift({ assessment, timeline, threshold, jobThreshold }) {
  const rows = useMemo(() => {
    const byPeriod = new Map();
    timeline.forEach((c) => {
      const p = periodOf(c.date, assessment.period);
      if (!byPeriod.has(p)) byPeriod.set(p, []);
      byPeriod.get(p).push(c);
    });
    return assessment.drift.map((r) => ({ ...r, live: metricsAt(byPeriod.get(r.period) || [], threshold) }));
  }, [assessment, timeline, threshold]);
  const config = useMemo(() => ({
    type: 'line',
    data: {
      labels: rows.map((r) => r.period),
      datasets: [
        { label: 'linear kappa', data: rows.map((r) => num(r.kappaLinear)), borderColor: COLORS[0],
          backgroundColor: COLORS[0] },
        { label: 'AUC', data: rows.map((r) => num(r.auc)), borderColor: COLORS[1], backgroundColor: COLORS[1] },
        { label: `sensitivity at ${thr(threshold)}`, data: rows.map((r) => r.live.sensitivity), borderColor: COLORS[2],
          backgroundColor: COLORS[2], borderDash: [5, 3] },
        { label: `specificity at ${thr(threshold)}`, data: rows.map((r) => r.live.specificity),
          borderColor: COLORS[3], backgroundColor: COLORS[3], borderDash: [5, 3] },
      ],
    },
    options: { scales: { y: { min: 0, max: 1 } }, interaction: { mode: 'index', intersect: false } },
  }), [rows, threshold]);
  return html`<div class="card drift">
    <h3>${`Drift by ${assessment.period}`}</h3>
    <p class="help">${'Whether the model keeps performing as time goes on. Kappa, AUC and the shares at the '
      + `assessment's threshold (${thr(jobThreshold)}) come from the assessment; sensitivity and specificity follow `
      + 'the slider. Few cases in a period make its numbers unsteady.'}</p>
    <${Chart} config=${config} height=${240} id="drift" label="metrics by period" />
    <table class="drift-table" data-testid="drift">
      <thead><tr>
        <th>Period</th><th class="num">Cases</th><th class="num">Linear kappa</th><th class="num">AUC</th>
        <th class="num">${`Called positive at ${thr(jobThreshold)}`}</th><th class="num">Read positive</th>
        <th class="num">${`Sensitivity at ${thr(threshold)}`}</th>
        <th class="num">${`Specificity at ${thr(threshold)}`}</th>
      </tr></thead>
      <tbody>
        ${rows.map((r) => html`<tr data-period=${r.period}>
          <td>${r.period}</td><td class="num">${r.studies}</td><td class="num">${fmt(num(r.kappaLinear), 2)}</td>
          <td class="num">${fmt(num(r.auc), 2)}</td><td class="num">${pct(num(r.predictedPositiveRate), 0)}</td>
          <td class="num">${pct(num(r.referencePositiveRate), 0)}</td>
          <td class="num">${pct(r.live.sensitivity, 0)}</td><td class="num">${pct(r.live.specificity, 0)}</td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

function Misses({ timeline, threshold }) {
  const wrong = timeline.filter((c) => {
    const o = outcome(c, threshold);
    return o === 'FP' || o === 'FN';
  });
  return html`<details class="card misses">
    <summary><strong>${`Cases the model got wrong at ${thr(threshold)}: ${wrong.length}`}</strong></summary>
    ${wrong.length === 0 ? html`<p class="muted">None.</p>` : html`<table data-testid="misses">
      <thead><tr><th>Case</th><th>Date</th><th class="num">Score</th><th>Error</th></tr></thead>
      <tbody>${wrong.map((c) => html`<tr><td>${c.study}</td><td>${c.date}</td><td class="num">${fmt(c.score, 3)}</td>
        <td>${OUTCOME[outcome(c, threshold)].label}</td></tr>`)}</tbody>
    </table>`}
  </details>`;
}

/** Segmentation: predicted against reference volumes and their Bland-Altman agreement (shown when present). */
export function Volumes({ pairs }) {
  const ba = useMemo(() => blandAltman(pairs.map((p) => ({ caseId: p.caseId, predicted: num(p.predicted),
    reference: num(p.reference) }))), [pairs]);
  const scatter = useMemo(() => {
    const all = pairs.flatMap((p) => [num(p.predicted), num(p.reference)]);
    const top = Math.max(...all);
    return {
      type: 'scatter',
      data: { datasets: [
        { label: 'cases', data: pairs.map((p) => ({ x: num(p.reference), y: num(p.predicted), id: p.caseId })),
          backgroundColor: COLORS[0] },
        { label: 'identity', data: [{ x: 0, y: 0 }, { x: top, y: top }], showLine: true, pointRadius: 0,
          borderColor: '#9aa5b1', borderDash: [4, 4] },
      ] },
      options: { scales: { x: { title: { display: true, text: 'reference volume' } },
        y: { title: { display: true, text: 'predicted volume' } } } },
    };
  }, [pairs]);
  const baConfig = useMemo(() => {
    const xs = ba.points.map((p) => p.mean);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const line = (label, y, dash, color) => ({ label, data: [{ x: lo, y }, { x: hi, y }], showLine: true, pointRadius: 0,
      borderDash: dash, borderColor: color });
    return {
      type: 'scatter',
      data: { datasets: [
        { label: 'cases', data: ba.points.map((p) => ({ x: p.mean, y: p.difference })), backgroundColor: COLORS[0] },
        line(`bias ${fmt(ba.bias, 2)}`, ba.bias, [], COLORS[5]),
        line(`upper limit ${fmt(ba.upper, 2)}`, ba.upper, [5, 4], '#6b7280'),
        line(`lower limit ${fmt(ba.lower, 2)}`, ba.lower, [5, 4], '#6b7280'),
      ] },
      options: { scales: { x: { title: { display: true, text: 'mean of predicted and reference volume' } },
        y: { title: { display: true, text: 'predicted − reference' } } } },
    };
  }, [ba]);
  return html`<div class="chart-pair" data-testid="volumes">
    <div class="card"><h3>Volumes</h3><${Chart} config=${scatter} height=${300} id="volumes" label="volumes" /></div>
    <div class="card"><h3>Bland-Altman</h3><${Chart} config=${baConfig} height=${300} id="bland-altman"
      label="Bland-Altman" />
      <p class="help">${`Bias ${fmt(ba.bias, 2)}; 95 % limits of agreement ${fmt(ba.lower, 2)} to ${fmt(ba.upper, 2)}.`}</p>
    </div>
  </div>`;
}
