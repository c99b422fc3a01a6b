// The Assess page's view of a deployed segmenter's assessment (assessment.json with task "segmentation"): mean Dice
// and IoU of its masks against the radiologists', per category with their intervals; both over time (by period, and
// case by case); and each category's volumes, predicted against read, with their Bland-Altman agreement.
import { useMemo, useState } from 'preact/hooks';
import { Chart, COLORS, fmt, html, withInterval } from '../ui.js';
import { num } from './assess-metrics.js';
import { Metric, Volumes } from './assess-explorer.js';

const interval = (ci, value) => (ci ? withInterval(num(value), num(ci.lower), num(ci.upper)) : fmt(num(value)));

function overTime(drift) {
  const line = (label, color, values) => ({ label, data: values, borderColor: color, backgroundColor: color,
    tension: 0, spanGaps: true });
  return {
    type: 'line',
    data: { labels: drift.map((r) => r.period), datasets: [
      line('mean Dice', COLORS[0], drift.map((r) => num(r.dice))),
      line('mean IoU', COLORS[1], drift.map((r) => num(r.iou))),
    ] },
    options: { scales: { y: { min: 0, max: 1 } }, plugins: { legend: { position: 'bottom' } } },
  };
}

export function SegmentationExplorer({ assessment, names }) {
  const { overall, drift, timeline, period } = assessment;
  const classes = Object.keys(overall.perClass || {});
  const [volumeClass, setVolumeClass] = useState(classes[0]);
  const chart = useMemo(() => overTime(drift), [assessment]);
  const name = (code) => (names && names.get(code)) || code;
  const pairs = timeline.map((c) => ({ caseId: c.caseId, predicted: num(c.volumes[volumeClass].predicted),
    reference: num(c.volumes[volumeClass].reference) }))
    .filter((p) => p.predicted > 0 || p.reference > 0);
  const worst = timeline.filter((c) => !Number.isNaN(num(c.dice))).slice()
    .sort((a, b) => num(a.dice) - num(b.dice)).slice(0, 20);
  return html`<div class="explorer" data-testid="segmentation-assessment">
    <p class="muted">${`${assessment.cases} cases. Dice and IoU compare the model's mask with the radiologist's over `
      + 'each case’s voxels, per category (a category in neither mask is left out); the means average the cases, '
      + 'with 95 % bootstrap intervals over them.'}</p>
    <div class="stats">
      <${Metric} id="dice" label="mean Dice" value=${overall.dice} shown=${fmt(num(overall.dice))}
        hint="twice the overlap over the two areas, averaged over the categories; 1 is perfect" />
      <${Metric} id="iou" label="mean IoU" value=${overall.iou} shown=${fmt(num(overall.iou))}
        hint="the overlap over the union" />
      <${Metric} id="hd95" label="HD95" value=${overall.hd95} shown=${`${fmt(num(overall.hd95), 1)} mm`}
        hint="95th percentile of the distances between the two outlines" />
    </div>
    <h2>Per category</h2>
    <table class="per-class" data-testid="per-class"><thead><tr><th>Category</th><th class="num">Cases</th>
      <th class="num">Dice</th><th class="num">IoU</th><th class="num">HD95 (mm)</th></tr></thead>
      <tbody>${classes.map((code) => {
        const c = overall.perClass[code];
        return html`<tr data-class=${code}><td>${name(code)}</td><td class="num">${c.seriesWithClass}</td>
          <td class="num" data-col="dice">${interval(c.diceCi, c.dice)}</td>
          <td class="num">${interval(c.iouCi, c.iou)}</td><td class="num">${fmt(num(c.hd95), 1)}</td></tr>`;
      })}</tbody></table>
    <h2>Over time</h2>
    <p class="help">${`By ${period}: a fall in Dice while the reads stay alike is the sign of drift (a new scanner, a `
      + 'new protocol, another population).'}</p>
    <div class="card roc-card"><${Chart} id="segmentation-drift" label="mean Dice and IoU by period" config=${chart}
      height=${280} /></div>
    <table class="drift" data-testid="drift"><thead><tr><th>Period</th><th class="num">Cases</th>
      <th class="num">Dice</th><th class="num">IoU</th>
      ${classes.map((code) => html`<th class="num">Dice ${name(code)}</th>`)}</tr></thead>
      <tbody>${drift.map((r) => html`<tr data-period=${r.period}><td>${r.period}</td><td class="num">${r.cases}</td>
        <td class="num" data-col="dice">${fmt(num(r.dice))}</td><td class="num">${fmt(num(r.iou))}</td>
        ${classes.map((code) => html`<td class="num">${fmt(num(r.dicePerClass[code]))}</td>`)}</tr>`)}</tbody></table>
    <h2>Volumes</h2>
    <label class="field"><span class="field-label">Category</span>
      <select data-testid="volume-class" value=${volumeClass} onChange=${(e) => setVolumeClass(e.currentTarget.value)}>
        ${classes.map((code) => html`<option value=${code}>${name(code)}</option>`)}</select></label>
    ${pairs.length >= 2 ? html`<${Volumes} pairs=${pairs} />`
      : html`<p class="muted">${`Fewer than two cases hold ${name(volumeClass)} in either mask: no agreement to show.`}</p>`}
    <h2>Cases to review</h2>
    <p class="help">The cases with the lowest Dice (up to 20).</p>
    <table data-testid="cases-to-review"><thead><tr><th>Case</th><th>Date</th><th class="num">Dice</th>
      <th class="num">IoU</th></tr></thead>
      <tbody>${worst.map((c) => html`<tr data-case=${c.caseId}><td><code>${c.caseId}</code></td><td>${c.date}</td>
        <td class="num">${fmt(num(c.dice))}</td><td class="num">${fmt(num(c.iou))}</td></tr>`)}</tbody></table>
  </div>`;
}
