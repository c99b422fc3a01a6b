// Run: choose one of your models, look at what it is, and run it on one image (of a prepared dataset, or an
// uploaded DICOM or PNG): the probability of each category, the predicted category and its report sentence; a
// detector's boxes; a segmenter's mask over the image with each category's area.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { COLORS, ErrorBox, html, Loading, navigate, pct, useAction } from '../ui.js';
import { decodeRuns } from './annotate-masks.js';
import { categoryNames, ModelDetail, ModelPicker, useModelPage } from './run-model.js';
import { DatasetImagePicker, Thumb, UploadPicker, uploadType, view } from './run-input.js';
import './run.css';

export default function Run() {
  const { modelId, models, datasets, detail, useCase } = useModelPage('/run');

  return html`<section class="run-page">
    <div class="toolbar">
      <h1 style="margin:0">Run a model</h1>
      <span class="spacer"></span>
      ${modelId && html`<a href=${`/publish?model=${modelId}`}>Publish this model →</a>`}
    </div>
    <p class="muted">Try one of your trained models on a single image: one from a prepared dataset or a DICOM or PNG
      file from your computer. You see how likely the model finds each category, the category it picks, and the
      sentence it would put into the report.</p>
    <${ErrorBox} error=${models.error || datasets.error} />
    ${models.loading && !models.data && html`<${Loading} what="your models" />`}
    ${models.data && models.data.length === 0 && html`<div class="empty card">
      <h2>No model yet</h2><p>Train one on the <a href="/create">Create</a> page; it appears here when training ends.</p>
    </div>`}
    ${models.data && models.data.length > 0 && html`
      <div class="card">
        <h2 style="margin-top:0">1. The model</h2>
        <${ModelPicker} models=${models.data} datasets=${datasets.data} value=${modelId}
          onChange=${(id) => navigate(`/run?model=${id}`, { replace: true })} />
        <${ErrorBox} error=${detail.error} />
        ${detail.loading && html`<${Loading} what="the model" />`}
        ${detail.data && detail.data.model.id === modelId && html`<details class="model-more" open>
          <summary>About this model</summary>
          <${ModelDetail} detail=${detail.data} useCase=${useCase.data} />
        </details>`}
      </div>
      ${detail.data && detail.data.model.id === modelId && html`<${Predict} key=${modelId} model=${detail.data}
        useCase=${useCase.data} datasets=${datasets.data} />`}
    `}
  </section>`;
}

function explain(e) {
  if (!e) return e;
  if (e.status === 413) return { error: 'file too large', detail: `${e.detail}. Choose a smaller file.` };
  if (e.status === 415) {
    return { error: 'not a DICOM or PNG file', detail: `${e.detail}. The model reads DICOM files (with the DICM `
      + 'marker) and PNG images.' };
  }
  return e;
}

function Predict({ model, useCase, datasets }) {
  const [mode, setMode] = useState('dataset');
  const [choice, setChoice] = useState(null);
  const [file, setFile] = useState(null);
  const [result, setResult] = useState(null);
  const [preview, setPreview] = useState(null);
  const modelId = model.model.id;

  useEffect(() => {
    if (!file || uploadType(file) !== 'image/png') {
      setPreview(null);
      return undefined;
    }
    const u = URL.createObjectURL(file);
    setPreview(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);

  const [predict, busy, error, clear] = useAction(async () => {
    setResult(null);
    let prediction;
    let input;
    if (mode === 'dataset') {
      prediction = await api(`/models/${modelId}/predict`, { method: 'POST',
        body: { datasetId: choice.datasetId, imageId: choice.image.imageId } });
      input = { kind: 'dataset', ...choice };
    } else {
      prediction = await api(`/models/${modelId}/predict`, { method: 'POST', body: file, type: uploadType(file) });
      input = { kind: 'upload', file: { name: file.name, size: file.size }, preview };
    }
    setResult({ prediction, input });
  });

  const ready = mode === 'dataset' ? !!choice : !!file;
  return html`<div class="split run-split">
    <div class="card">
      <h2 style="margin-top:0">2. The image</h2>
      <div class="segmented" role="tablist">
        <button role="tab" id="mode-dataset" aria-selected=${mode === 'dataset'}
          class=${mode === 'dataset' ? 'active' : ''} onClick=${() => { setMode('dataset'); clear(); }}>
          From a dataset</button>
        <button role="tab" id="mode-upload" aria-selected=${mode === 'upload'}
          class=${mode === 'upload' ? 'active' : ''} onClick=${() => { setMode('upload'); clear(); }}>
          Upload a file</button>
      </div>
      ${mode === 'dataset'
        ? html`<${DatasetImagePicker} datasets=${datasets} defaultDatasetId=${model.model.datasetId} chosen=${choice}
            onChoose=${setChoice} />`
        : html`<${UploadPicker} file=${file} onFile=${(f) => { setFile(f); setResult(null); }} />`}
      <div class="toolbar">
        <button class="primary" id="run-predict" disabled=${!ready || busy} onClick=${() => predict()}>
          ${busy ? 'Running…' : 'Run the model'}</button>
        ${!ready && html`<span class="muted">${mode === 'dataset' ? 'Choose an image first.' : 'Choose a file first.'}</span>`}
        ${mode === 'dataset' && choice && html`<span class="muted" data-testid="chosen-image">${
          `${choice.datasetName}: ${view(choice.image)} of ${choice.image.patientId}`}</span>`}
      </div>
      <${ErrorBox} error=${explain(error)} />
    </div>
    <div class="card result-card">
      <h2 style="margin-top:0">3. The result</h2>
      ${busy && html`<${Loading} what="the prediction (the first run of a model loads it, which takes a moment)" />`}
      ${!busy && !result && html`<p class="muted">Choose an image and press <strong>Run the model</strong>.</p>`}
      ${result && (result.prediction.boxes
        ? html`<${Findings} result=${result} modelId=${modelId} />`
        : result.prediction.task === 'segmentation'
          ? html`<${MaskResult} result=${result} useCase=${useCase} modelId=${modelId} />`
          : html`<${Result} result=${result} useCase=${useCase} modelId=${modelId} />`)}
    </div>
  </div>`;
}

/**
 * A detector's result: its boxes over the image, in the image's own pixels, those at or above a chosen score,
 * numbered from the most certain.
 */
function Findings({ result, modelId }) {
  const { prediction, input } = result;
  const [size, setSize] = useState(null);
  const [minScore, setMinScore] = useState(0.3);
  const shown = prediction.boxes.filter((b) => b.score >= minScore);
  const onLoad = (e) => setSize([e.currentTarget.naturalWidth, e.currentTarget.naturalHeight]);
  return html`<div class="prediction" data-testid="prediction" data-model=${prediction.modelId}
    data-boxes=${shown.length}>
    <h3>Findings</h3>
    <label class="field"><span class="field-label">Show boxes scoring at least ${pct(minScore, 0)}</span>
      <input type="range" min="0.05" max="0.95" step="0.05" value=${minScore} data-testid="min-score"
        onInput=${(e) => setMinScore(Number(e.currentTarget.value))} /></label>
    ${input.kind === 'upload' && !input.preview && html`<p class="help">The boxes are in the uploaded DICOM file's own
      pixels (a right breast the pipeline mirrored is mirrored back); the file is not shown here.</p>`}
    ${(input.kind === 'dataset' || input.preview) && html`<div class="thumb-frame large">
      ${input.kind === 'dataset'
        ? html`<${Thumb} path=${`/datasets/${input.datasetId}/images/${input.image.imageId}/png`}
            alt=${view(input.image)} className="boxed-img" onLoad=${onLoad} />`
        : html`<img class="boxed-img" src=${input.preview} alt="uploaded" onLoad=${onLoad} />`}
      ${size && shown.map((b, i) => html`<div class="found-box" data-testid="found-box"
        title=${`${b.name}: ${pct(b.score)}`} style=${{ left: `${(100 * b.x) / size[0]}%`,
          top: `${(100 * b.y) / size[1]}%`, width: `${(100 * b.width) / size[0]}%`,
          height: `${(100 * b.height) / size[1]}%` }}><span>${i + 1}</span></div>`)}
    </div>`}
    ${shown.length
      ? html`<table class="findings"><thead><tr><th>#</th><th>Finding</th><th class="num">Score</th>
          <th class="num">Where (pixels)</th></tr></thead>
          <tbody>${shown.map((b, i) => html`<tr><td>${i + 1}</td><td>${b.name}</td><td class="num">${pct(b.score)}</td>
            <td class="num">${`${Math.round(b.x)}, ${Math.round(b.y)}; ${Math.round(b.width)} × ${Math.round(b.height)}`}
            </td></tr>`)}</tbody></table>`
      : html`<p class="muted">No box scores ${pct(minScore, 0)} or more; lower the score to see the weaker ones.</p>`}
    <h3>Report text</h3>
    ${prediction.reportText
      ? html`<blockquote class="report" data-testid="report-text">${prediction.reportText}</blockquote>`
      : html`<p class="muted" data-testid="report-text">No finding scores 50 % or more, so the assist module adds no
        sentence.</p>`}
    <div data-testid="input">${prediction.input}</div>
    <div class="help">Model ${modelId}. The scores are the model’s own (a box’s class probability times its
      centre-ness); they are not calibrated against your site’s reads. A research model, not a diagnosis.</div>
  </div>`;
}

/**
 * A segmenter's result: its mask over the image (in the image's own pixels), each category in its colour and shown
 * or hidden on its own, at a chosen opacity; and each category's pixels and, for a dataset image whose spacing prep
 * recorded, its area.
 */
function MaskResult({ result, useCase, modelId }) {
  const { prediction, input } = result;
  const [opacity, setOpacity] = useState(0.5);
  const [hidden, setHidden] = useState(() => new Set());
  const canvasRef = useRef(null);
  const labels = useMemo(() => decodeRuns(prediction.runs, new Uint8Array(prediction.width * prediction.height)),
    [prediction]);
  const colors = prediction.classes.map((_, i) => COLORS[i % COLORS.length]);
  useEffect(() => {
    const c = canvasRef.current;
    if (!c) return;
    c.width = prediction.width;
    c.height = prediction.height;
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(prediction.width, prediction.height);
    const rgb = colors.map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));
    for (let i = 0; i < labels.length; i += 1) {
      const v = labels[i];
      if (v === 0 || hidden.has(v)) continue;
      const [r, g, b] = rgb[(v - 1) % rgb.length];
      img.data.set([r, g, b, 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
  }, [labels, hidden]);
  const toggle = (index) => setHidden((h) => {
    const next = new Set(h);
    if (next.has(index)) next.delete(index);
    else next.add(index);
    return next;
  });
  const names = categoryNames(useCase);
  const src = input.kind === 'dataset' ? null : input.preview;
  const [downloadSeg, saving, segError] = useAction(async () => {
    const res = await api(`/models/${modelId}/predict`, { method: 'POST', raw: true, accept: 'application/dicom',
      body: { datasetId: input.datasetId, imageId: input.image.imageId } });
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `model-${modelId}-${input.image.imageId}.dcm`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  return html`<div class="prediction" data-testid="prediction" data-model=${prediction.modelId} data-task="segmentation">
    <h3>Outlines</h3>
    <label class="field"><span class="field-label">Mask opacity ${Math.round(opacity * 100)} %</span>
      <input type="range" min="0" max="1" step="0.05" value=${opacity} data-testid="mask-opacity"
        onInput=${(e) => setOpacity(Number(e.currentTarget.value))} /></label>
    ${input.kind === 'upload' && !src && html`<p class="help">The mask is in the uploaded DICOM file's own pixels (a
      right breast the pipeline mirrored is mirrored back); the file is not shown here.</p>`}
    ${(input.kind === 'dataset' || src) && html`<div class="thumb-frame large">
      ${input.kind === 'dataset'
        ? html`<${Thumb} path=${`/datasets/${input.datasetId}/images/${input.image.imageId}/png`}
            alt=${view(input.image)} className="boxed-img" />`
        : html`<img class="boxed-img" src=${src} alt="uploaded" />`}
      <canvas ref=${canvasRef} class="mask-overlay" data-testid="mask-overlay" style=${{ opacity }}></canvas>
    </div>`}
    <table class="findings" data-testid="mask-classes"><thead><tr><th></th><th>Category</th><th class="num">Pixels</th>
      <th class="num">Area</th></tr></thead>
      <tbody>${prediction.classes.map((c, i) => html`<tr data-code=${c.code} data-pixels=${c.pixels}>
        <td><input type="checkbox" checked=${!hidden.has(c.index)} aria-label=${`Show ${c.code}`}
          onChange=${() => toggle(c.index)} /></td>
        <td><span class="swatch" style=${{ background: colors[i] }}></span> <strong>${c.code}</strong>
          ${names.get(c.code) || c.name || ''}</td>
        <td class="num">${c.pixels.toLocaleString()}</td>
        <td class="num">${c.areaMm2 === undefined || c.areaMm2 === null ? '–'
          : `${(c.areaMm2 / 100).toFixed(2)} cm²`}</td></tr>`)}</tbody></table>
    <p class="help">An image's area is its pixels times the pixel spacing prep recorded; a series' volumes (mL) and
      their agreement with reference outlines come from an evaluation on the Evaluate page.</p>
    ${input.kind === 'dataset' && html`<div class="row">
      <button type="button" data-testid="download-seg" disabled=${saving} onClick=${downloadSeg}>
        ${saving ? 'Making the DICOM SEG…' : 'Download as DICOM SEG'}</button>
      <span class="help">The same mask as a DICOM Segmentation object that viewers such as OHIF or 3D Slicer open; it
        refers to the dataset's de-identified patient, study and series, not to the original images.</span>
    </div>
    <${ErrorBox} error=${segError} />`}
    <div data-testid="input">${prediction.input}</div>
    <div class="help">Model ${modelId}. Each pixel shows the category the model finds most likely. A research model,
      not a diagnosis.</div>
  </div>`;
}

function Result({ result, useCase, modelId }) {
  const { prediction, input } = result;
  const names = categoryNames(useCase);
  const entries = useMemo(() => Object.entries(prediction.probabilities), [prediction]);
  const max = Math.max(...entries.map(([, p]) => p));
  return html`<div class="prediction" data-testid="prediction" data-model=${prediction.modelId}>
    <div class="predicted">
      <span class="predicted-code" data-testid="predicted" data-code=${prediction.predicted}>${prediction.predicted}</span>
      <div>
        <div class="muted">Predicted category</div>
        <div class="predicted-name" data-testid="predicted-name">${prediction.predictedName}</div>
      </div>
    </div>
    <h3>Probability of each category</h3>
    <div class="bars">
      ${entries.map(([code, p]) => html`<div class=${`bar-row ${p === max ? 'top' : ''}`} data-testid="probability"
        data-class=${code} data-value=${String(p)}>
        <span class="bar-label" title=${names.get(code) || code}><strong>${code}</strong> ${names.get(code) || ''}</span>
        <span class="bar-track"><span class="bar-fill" style=${{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }}>
        </span></span>
        <span class="bar-value">${pct(p)}</span>
      </div>`)}
    </div>
    <h3>Report text</h3>
    ${prediction.reportText
      ? html`<blockquote class="report" data-testid="report-text">${prediction.reportText}</blockquote>
        <div class="toolbar"><button class="small" onClick=${() => navigator.clipboard
          && navigator.clipboard.writeText(prediction.reportText)}>Copy the sentence</button>
          <span class="help">From the use case’s assist module, for category ${prediction.predicted}.</span></div>`
      : html`<p class="muted" data-testid="report-text">${'The use case’s assist module adds no sentence for '
        + `category ${prediction.predicted}.`}</p>`}
    <h3>Input</h3>
    <div class="input-echo">
      ${input.kind === 'dataset' && html`<${Thumb} path=${`/datasets/${input.datasetId}/images/${input.image.imageId}/png`}
        alt=${view(input.image)} className="echo-img" />`}
      ${input.kind === 'upload' && input.preview && html`<img class="echo-img" src=${input.preview} alt="uploaded" />`}
      <div>
        <div data-testid="input">${prediction.input}</div>
        ${input.kind === 'dataset' && html`<div class="help">${`Dataset ${input.datasetName}, patient `
          + `${input.image.patientId}, ${view(input.image)}${input.image.manufacturer ? `, ${input.image.manufacturer}` : ''}.`}
        </div>`}
        ${input.kind === 'upload' && html`<div class="help">File ${input.file.name}.</div>`}
        <div class="help">Model ${modelId}. The probabilities are the model’s own; they are not calibrated
          against your site’s reads.</div>
      </div>
    </div>
  </div>`;
}
