// Model cards: what a trained model is (architecture, training data, settings), how it did on its validation
// studies (curves, kappa, AUC, confusion matrix), and a prediction on one image of a dataset.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, objectUrl, query } from '../api.js';
import {
  Chart, ConfusionMatrix, ErrorBox, fmt, html, Loading, pct, Stat, useAction, useApi, when,
} from '../ui.js';
import { metricChart } from './create-progress.js';
import { duration, num } from './create-pickers.js';

const SETTING_LABELS = [
  ['inputSize', 'Input size', (v) => `${v} px`],
  ['trainingStudies', 'Training set size', (v) => (v ? `${v} studies` : 'all labelled studies')],
  ['validationFraction', 'Held out for validation', (v) => pct(v, 0)],
  ['sampling', 'Sampling'],
  ['augmentation', 'Augmentation', (v, c) => (v === 'flips_rotations' ? `flips, rotations up to ${c.maxRotation}°` : v)],
  ['loss', 'Loss', (v, c) => (v === 'sigmoid_focal' ? `sigmoid focal (α ${c.focalAlpha}, γ ${c.focalGamma})` : v)],
  ['optimizer', 'Optimizer'],
  ['learningRate', 'Learning rate'],
  ['batchSize', 'Batch size'],
  ['maxEpochs', 'Maximum epochs'],
  ['earlyStopping', 'Early stopping', (v, c) => (v ? `after ${c.patience} epochs without improvement` : 'off')],
  ['monitor', 'Best epoch chosen by'],
  ['init', 'Starting weights', (v, c) => (v === 'pretrained' ? `pretrained: ${c.weights}` : 'random')],
  ['seed', 'Seed'],
];

function perClass(classes, counts) {
  if (!classes || !counts) return '–';
  return classes.map((c, i) => `${c} ${counts[i]}`).join(' · ');
}

/** One model's card. */
export function ModelCard({ modelId, datasets, onClose }) {
  const { data, error, loading } = useApi(`/models/${modelId}`);
  const card = data && data.card;
  const curves = useMemo(() => (card && card.curves ? metricChart(card.curves, card.bestEpoch, card.task) : null),
    [card]);
  return html`<article class="card model-card" data-testid="model-card" data-model=${modelId}>
    <header class="toolbar">
      <h3 class="grow-title">Model ${modelId}${data ? html` <span class="muted">· ${data.model.architecture}</span>` : ''}</h3>
      ${card && html`<span class=${`tag tag-${card.status === 'completed' || card.status === 'stopped_early' ? 'succeeded'
        : card.status === 'training' ? 'running' : 'cancelled'}`}>${card.status.replace('_', ' ')}</span>`}
      <button class="small" data-testid="close-card" title="Remove this card" aria-label=${`Remove the card of model ${modelId}`}
        onClick=${onClose}>✕</button>
    </header>
    ${loading && html`<${Loading} what="the model card" />`}
    <${ErrorBox} error=${error} />
    ${data && !card && html`<div class="notice">This model's card (model.json) cannot be read on the server.</div>`}
    ${card && html`<${CardBody} data=${data} card=${card} curves=${curves} />`}
    ${data && html`<${Predict} model=${data.model} datasets=${datasets} />`}
  </article>`;
}

function CardBody({ data, card, curves }) {
  const v = card.validation || {};
  const c = card.config || {};
  const best = card.bestEpoch;
  const detector = card.task === 'detection';
  const segmenter = card.task === 'segmentation';
  return html`
    <div class="stats">
      ${segmenter ? html`
        <${Stat} id="dice" label="Dice" value=${fmt(num(v.dice))} />
        <${Stat} id="iou" label="IoU" value=${fmt(num(v.iou))} />` : detector ? html`
        <${Stat} id="map" label="mAP" value=${fmt(num(v.map))} />
        <${Stat} id="ap50" label="AP50" value=${fmt(num(v.ap50))} />
        <${Stat} id="ap75" label="AP75" value=${fmt(num(v.ap75))} />` : html`
        <${Stat} id="kappa" label="Kappa" value=${fmt(num(v.kappaLinear))} />
        <${Stat} id="auc" label="AUC" value=${fmt(num(v.auc))} />
        <${Stat} id="accuracy" label="Accuracy" value=${pct(num(v.accuracy))} />`}
      <${Stat} id="best-epoch" label=${`Best epoch (by ${c.monitor || 'kappa'})`}
        value=${best ? `${best} of ${(card.curves || []).length}` : '–'} />
    </div>
    <div class="help stats-note">${segmenter
      ? html`On the ${v.studies ?? ''} validation images at the best epoch: how much the model's masks overlap yours,
        as Dice (twice the overlap over both areas) and IoU (overlap over union), per image and category, averaged
        over the categories${v.dicePerClass ? html` (Dice per category: ${Object.entries(v.dicePerClass)
          .map(([k, x]) => `${k} ${fmt(num(x))}`).join(' · ')})` : ''}.`
      : detector
      ? html`On the ${v.studies ?? ''} validation images at the best epoch: how well the model's boxes match yours,
        as average precision at overlaps (IoU) from 0.5 to 0.95 (mAP), at 0.5 (AP50) and at 0.75 (AP75), averaged
        over the categories${v.apPerClass ? html` (per category: ${Object.entries(v.apPerClass)
          .map(([k, x]) => `${k} ${fmt(num(x))}`).join(' · ')})` : ''}.`
      : 'On the validation studies at the best epoch: linear-weighted kappa, macro-average AUC.'}</div>
    <dl class="facts">
      <dt>Architecture</dt><dd>${card.architecture}, width ${card.width} (${
        Number(card.parameterCount || 0).toLocaleString()} parameters)</dd>
      <dt>Categories</dt><dd>${(card.classes || []).join(', ')}</dd>
      <dt>Dataset</dt><dd>${data.dataset ? `${data.dataset.name} (dataset ${data.dataset.id})` : `dataset ${data.model.datasetId}`}</dd>
      <dt>Labels</dt><dd>${data.labelSnapshot ? `${data.labelSnapshot.studies} labelled studies, copied ${when(data.labelSnapshot.createdAt)}`
        : '–'}</dd>
      ${detector ? html`
        <dt>Training images</dt><dd>${card.trainImages}; boxes: ${perClass(card.classes, card.trainBoxesPerClass)}</dd>
        <dt>Validation images</dt><dd>${card.validationImages}; boxes: ${perClass(card.classes,
          card.validationBoxesPerClass)}</dd>` : html`
        <dt>Training studies</dt><dd>${perClass(card.classes, card.trainStudiesPerClass)} (${card.trainImages} images)</dd>
        <dt>Validation studies</dt><dd>${perClass(card.classes, card.validationStudiesPerClass)} (${card.validationImages} images)</dd>`}
      <dt>Trained</dt><dd>${when(card.createdAt)}, ${duration(card.elapsedSeconds)}</dd>
    </dl>
    <details class="settings">
      <summary>All training settings</summary>
      <dl class="facts">${SETTING_LABELS.filter(([k]) => c[k] !== undefined && c[k] !== null).map(([k, label, f]) => html`
        <dt>${label}</dt><dd>${f ? f(c[k], c) : String(c[k]).replaceAll('_', ' ')}</dd>`)}</dl>
    </details>
    ${card.message && html`<div class="error">${card.message}</div>`}
    ${curves && html`<h4>Validation by epoch</h4>
      <${Chart} id=${`curves-${data.model.id}`} label=${detector ? 'validation mAP and AP50 by epoch'
        : 'validation kappa, AUC and accuracy by epoch'} config=${curves} height=${180} />`}
    ${v.confusionMatrix && html`<h4>Validation confusion matrix <span class="muted">(best epoch, ${v.studies} studies)</span></h4>
      <${ConfusionMatrix} id=${`model-${data.model.id}`} labels=${card.classes} matrix=${v.confusionMatrix}
        rowTitle="your label" colTitle="model" />`}`;
}

/**
 * Thumbnail of a dataset image (PNG endpoints need the token, hence an object URL), with a detector's boxes (in
 * the PNG's pixels) drawn over it.
 */
function Thumb({ datasetId, imageId, boxes }) {
  const [size, setSize] = useState(null);
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!datasetId || !imageId) return undefined;
    let made = null;
    const ctl = new AbortController();
    setUrl(null);
    setError(null);
    objectUrl(`/datasets/${datasetId}/images/${encodeURIComponent(imageId)}/png`, ctl.signal)
      .then((u) => { made = u; setUrl(u); })
      .catch((e) => e.name !== 'AbortError' && setError(e));
    return () => {
      ctl.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [datasetId, imageId]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  const onLoad = (e) => setSize([e.currentTarget.naturalWidth, e.currentTarget.naturalHeight]);
  return html`<div class="thumb">${url ? html`<div class="thumb-frame">
      <img src=${url} alt="the chosen image" data-testid="predict-image" onLoad=${onLoad} />
      ${size && (boxes || []).map((b, i) => html`<div class="found-box" data-testid="found-box"
        title=${`${b.name}: ${pct(b.score)}`} style=${{ left: `${(100 * b.x) / size[0]}%`,
          top: `${(100 * b.y) / size[1]}%`, width: `${(100 * b.width) / size[0]}%`,
          height: `${(100 * b.height) / size[1]}%` }}><span>${i + 1}</span></div>`)}
    </div>`
    : html`<span class="muted">loading image…</span>`}</div>`;
}

function imageLabel(im) {
  return `${im.laterality || '?'} ${im.viewPosition || ''} · patient ${im.patientId} · ${im.imageId.slice(0, 8)}`;
}

/** "Run prediction": one image of a dataset through the model. */
function Predict({ model, datasets }) {
  const usable = (datasets || []).filter((d) => d.status === 'ready');
  const [datasetId, setDatasetId] = useState(model.datasetId);
  const [imageId, setImageId] = useState('');
  const [open, setOpen] = useState(false);
  const images = useApi(open && datasetId ? `/datasets/${datasetId}/images${query({ limit: 1000 })}` : null);
  const [result, setResult] = useState(null);
  const [minScore, setMinScore] = useState(0.3);
  useEffect(() => {
    if (images.data && images.data.length && !images.data.some((im) => im.imageId === imageId)) {
      setImageId(images.data[0].imageId);
    }
  }, [images.data]);
  useEffect(() => setResult(null), [datasetId, imageId]);
  const [run, busy, error] = useAction(async () => {
    const r = await api(`/models/${model.id}/predict`, { method: 'POST', body: { datasetId, imageId } });
    setResult({ ...r, datasetId, imageId });
  });
  if (!open) {
    return html`<div class="toolbar predict-open"><button data-testid="open-predict" onClick=${() => setOpen(true)}>
      Run prediction…</button><span class="help">Try the model on one image of a dataset.</span></div>`;
  }
  const random = () => {
    const list = images.data || [];
    if (list.length) setImageId(list[Math.floor(Math.random() * list.length)].imageId);
  };
  const probs = result && result.probabilities ? Object.entries(result.probabilities) : [];
  return html`<section class="predict" data-testid="predict">
    <h4>Run prediction</h4>
    <div class="predict-pickers">
      <label class="field"><span class="field-label">Dataset</span>
        <select data-testid="predict-dataset" value=${datasetId}
          onChange=${(e) => { setDatasetId(Number(e.currentTarget.value)); setImageId(''); }}>
          ${usable.map((d) => html`<option value=${d.id}>${d.name}</option>`)}
        </select></label>
      <label class="field"><span class="field-label">Image</span>
        <select data-testid="predict-image-select" value=${imageId} disabled=${!images.data}
          onChange=${(e) => setImageId(e.currentTarget.value)}>
          ${(images.data || []).map((im) => html`<option value=${im.imageId}>${imageLabel(im)}</option>`)}
        </select></label>
    </div>
    <${ErrorBox} error=${images.error} />
    <div class="toolbar">
      <button class="primary" data-testid="run-predict" disabled=${busy || !imageId} onClick=${run}>
        ${busy ? 'Running…' : 'Run prediction'}</button>
      <button disabled=${!images.data || busy} onClick=${random}>Pick a random image</button>
    </div>
    <${ErrorBox} error=${error} />
    <div class="predict-result">
      ${imageId && html`<${Thumb} datasetId=${datasetId} imageId=${imageId}
        boxes=${result && result.boxes ? result.boxes.filter((b) => b.score >= minScore) : null} />`}
      ${result && result.boxes && html`<div class="prediction" data-testid="prediction" data-image=${result.imageId}
        data-boxes=${result.boxes.filter((b) => b.score >= minScore).length}>
        <label class="field"><span class="field-label">Show boxes scoring at least</span>
          <input type="range" min="0.05" max="0.95" step="0.05" value=${minScore} data-testid="min-score"
            onInput=${(e) => setMinScore(Number(e.currentTarget.value))} /> ${pct(minScore, 0)}</label>
        <table class="probs"><thead><tr><th>#</th><th>Finding</th><th class="num">Score</th></tr></thead>
          <tbody>${result.boxes.filter((b) => b.score >= minScore).map((b, i) => html`<tr>
            <td>${i + 1}</td><td>${b.name}</td><td class="num">${pct(b.score)}</td></tr>`)}</tbody></table>
        ${!result.boxes.some((b) => b.score >= minScore) && html`<div class="muted">No box scores that high.</div>`}
        <div class="help">Input: ${result.input}. Boxes at or above the score shown, numbered from the most
          certain. A research model, not a diagnosis.</div>
      </div>`}
      ${result && !result.boxes && html`<div class="prediction" data-testid="prediction" data-image=${result.imageId}
        data-code=${result.predicted}>
        <div class="predicted">Predicted: <strong data-testid="predicted-code">${result.predicted}</strong>
          <span>${result.predictedName}</span></div>
        <table class="probs">
          <tbody>${probs.map(([code, p]) => html`<tr class=${code === result.predicted ? 'top' : ''}>
            <th>${code}</th>
            <td class="bar-cell"><div class="bar"><div style=${{ width: `${(100 * p).toFixed(1)}%` }}></div></div></td>
            <td class="num">${pct(p)}</td></tr>`)}</tbody>
        </table>
        ${result.reportText
          ? html`<blockquote class="report" data-testid="report-text">${result.reportText}</blockquote>`
          : html`<div class="muted">This category adds no sentence to the report.</div>`}
        <div class="help">Input: ${result.input}. A research model, not a diagnosis.</div>
      </div>`}
    </div>
  </section>`;
}
