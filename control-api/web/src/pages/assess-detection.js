// The Assess page's view of a deployed detector's assessment (assessment.json with task "detection"): mAP and AP50
// over every box it drew, with their intervals; at the chosen score, how well the boxes it shows sit on the
// radiologists' (mean IoU, sensitivity, false positives per case); both month by month, and the cases it missed or
// over-called.
import { useMemo } from 'preact/hooks';
import { Chart, COLORS, fmt, html, pct, withInterval } from '../ui.js';
import { num } from './assess-metrics.js';
import { Metric } from './assess-explorer.js';

const interval = (ci, value) => (ci ? withInterval(num(value), num(ci.lower), num(ci.upper)) : fmt(num(value)));

function driftChart(drift) {
  const labels = drift.map((r) => r.period);
  const line = (label, color, values) => ({ label, data: values, borderColor: color, backgroundColor: color,
    tension: 0, spanGaps: true });
  return {
    type: 'line',
    data: { labels, datasets: [
      line('mAP', COLORS[0], drift.map((r) => num(r.map))),
      line('AP50', COLORS[1], drift.map((r) => num(r.ap50))),
      line('mean IoU (shown boxes)', COLORS[2], drift.map((r) => num(r.operating.meanIou))),
      line('sensitivity (IoU ≥ 0.5)', COLORS[3], drift.map((r) => num(r.operating.sensitivity))),
    ] },
    options: { scales: { y: { min: 0, max: 1 } }, plugins: { legend: { position: 'bottom' } } },
  };
}

export function DetectionExplorer({ assessment, names }) {
  const { overall, drift, timeline, period } = assessment;
  const m = overall.metrics;
  const o = overall.operating;
  const chart = useMemo(() => driftChart(drift), [assessment]);
  const name = (code) => (names && names.get(code)) || code;
  const notable = timeline.filter((c) => c.falsePositives > 0 || c.found < c.readBoxes);
  return html`<div class="explorer" data-testid="detection-assessment">
    <p class="muted">${`${overall.cases} cases with ${o.readBoxes} boxes read. mAP and AP50 rank every box the model `
      + 'drew by its score; mean IoU, the boxes found and the false positives take the boxes it shows, those scoring '
      + 'at least '
      + `${fmt(overall.threshold, 2)}. Intervals are 95 % bootstrap intervals over the cases.`}</p>
    <div class="stats">
      <${Metric} id="map" label="mAP (IoU 0.5 to 0.95)" value=${m.mAP} shown=${interval(m.mAPCi, m.mAP)} />
      <${Metric} id="ap50" label="AP50" value=${m.AP50} shown=${interval(m.AP50Ci, m.AP50)} />
      <${Metric} id="mean-iou" label="mean IoU of the read boxes" value=${o.meanIou} shown=${fmt(num(o.meanIou))}
        hint="each read box's overlap with the shown box paired to it, 0 when none is" />
      <${Metric} id="sensitivity" label="read boxes found (IoU ≥ 0.5)" value=${o.sensitivity}
        shown=${pct(num(o.sensitivity))} />
      <${Metric} id="false-positives" label="false positives per case" value=${o.falsePositivesPerCase}
        shown=${fmt(num(o.falsePositivesPerCase), 2)} hint=${`${o.falsePositives} shown boxes no read box matches`} />
    </div>
    <h2>Per category</h2>
    <table class="per-class" data-testid="per-class"><thead><tr><th>Category</th><th class="num">Read boxes</th>
      <th class="num">AP (0.5 to 0.95)</th><th class="num">AP50</th><th class="num">AP75</th></tr></thead>
      <tbody>${Object.entries(m.perClass || {}).map(([code, c]) => html`<tr data-class=${code}>
        <td>${name(code)}</td><td class="num">${c.references}</td><td class="num">${fmt(num(c.ap))}</td>
        <td class="num">${fmt(num(c.ap50))}</td><td class="num">${fmt(num(c.ap75))}</td></tr>`)}</tbody></table>
    <h2>Over time</h2>
    <p class="help">${`By ${period}: a fall in mAP or in mean IoU while the reads stay alike is the sign of drift `
      + '(a new scanner, a new protocol, another population).'}</p>
    <div class="card roc-card"><${Chart} id="detection-drift" label="mAP, AP50, mean IoU and sensitivity by period"
      config=${chart} height=${300} /></div>
    <table class="drift" data-testid="drift"><thead><tr><th>Period</th><th class="num">Cases</th>
      <th class="num">Read boxes</th><th class="num">mAP</th><th class="num">AP50</th><th class="num">Mean IoU</th>
      <th class="num">Found</th><th class="num">FP per case</th></tr></thead>
      <tbody>${drift.map((r) => html`<tr data-period=${r.period}><td>${r.period}</td><td class="num">${r.cases}</td>
        <td class="num">${r.operating.readBoxes}</td><td class="num" data-col="map">${fmt(num(r.map))}</td>
        <td class="num">${fmt(num(r.ap50))}</td><td class="num" data-col="iou">${fmt(num(r.operating.meanIou))}</td>
        <td class="num">${pct(num(r.operating.sensitivity))}</td>
        <td class="num">${fmt(num(r.operating.falsePositivesPerCase), 2)}</td></tr>`)}</tbody></table>
    <h2>Cases to review</h2>
    ${notable.length === 0 ? html`<p class="muted">At this score, every read box was found and no box was shown where
      none was read.</p>`
      : html`<p class="help">${`${notable.length} cases where a read box was missed or a box was shown that no read `
        + 'box matches (newest first; up to 100).'}</p>
      <table data-testid="cases-to-review"><thead><tr><th>Case</th><th>Date</th><th class="num">Read</th>
        <th class="num">Shown</th><th class="num">Found</th><th class="num">False positives</th>
        <th class="num">Mean IoU</th></tr></thead>
        <tbody>${notable.slice().reverse().slice(0, 100).map((c) => html`<tr data-case=${c.caseId}>
          <td><code>${c.caseId}</code></td><td>${c.date}</td><td class="num">${c.readBoxes}</td>
          <td class="num">${c.shownBoxes}</td><td class="num">${c.found}</td><td class="num">${c.falsePositives}</td>
          <td class="num">${fmt(num(c.meanIou))}</td></tr>`)}</tbody></table>`}
  </div>`;
}
