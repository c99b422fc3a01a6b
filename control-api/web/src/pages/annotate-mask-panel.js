// The Annotate page's controls for segmentation use cases: the category the brush and polygon paint (number keys
// choose it too), the brush size and the overlay's opacity, undo and redo, how many pixels of each category the
// study's masks hold, Save and Nothing found; and model-suggested masks, which replace the masks of the study's
// images as one edit per image (undo takes them back) and are checked and corrected before saving.
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ErrorBox, fmt, html, useAction, useApi } from '../ui.js';
import { keyFor } from './annotate-keys.js';
import { decodeRuns, pixelsPerClass, replaceMask } from './annotate-masks.js';

export const MIN_BRUSH = 1;
export const MAX_BRUSH = 80;

export function MaskPanel({ cats, masks, maskVersion, maskCode, colorOf, brushSize, opacity, busy, onCode,
  onBrushSize, onOpacity, onUndo, onRedo, onSave, onNothing }) {
  const pixels = pixelsPerClass(masks, cats.length);
  const outlined = pixels.slice(1).some((n) => n > 0);
  return html`<div class="mask-panel" data-testid="mask-panel" data-version=${maskVersion}>
    <div class="field-label">Category to paint</div>
    <div class="categories compact" role="group" aria-label="Category to paint">
      ${cats.map((c, i) => html`<button type="button" class=${`category ${maskCode === c.code ? 'current' : ''}`}
        data-code=${c.code} aria-pressed=${maskCode === c.code} style=${{ '--cat': colorOf(c.code) }}
        title=${c.description} onClick=${(e) => { e.currentTarget.blur(); onCode(c.code); }}>
        ${keyFor(i) && html`<kbd>${keyFor(i)}</kbd>`}
        <span class="cat-text"><span class="cat-name"><b>${c.code}</b> · ${c.name}</span>
          <span class="cat-desc">${c.description}</span></span></button>`)}
    </div>
    <p class="help">Paint with the <b>Brush</b> (<kbd>D</kbd>), correct with the <b>Eraser</b> (<kbd>E</kbd>), or click
      the corners of an outline with the <b>Polygon</b> (<kbd>F</kbd>) and close it on its first corner. Each image of
      the study has its own mask; step through the views or slices with the arrow keys.</p>
    <label class="field small-text">Brush radius ${brushSize} px <kbd>[</kbd> <kbd>]</kbd>
      <input type="range" min=${MIN_BRUSH} max=${MAX_BRUSH} step="1" value=${brushSize} data-testid="brush-size"
        onInput=${(e) => onBrushSize(Number(e.currentTarget.value))} /></label>
    <label class="field small-text">Mask opacity ${Math.round(opacity * 100)} %
      <input type="range" min="0" max="1" step="0.05" value=${opacity} data-testid="mask-opacity"
        onInput=${(e) => onOpacity(Number(e.currentTarget.value))} /></label>
    <div class="toolbar">
      <button type="button" data-testid="undo" disabled=${!masks.undo.length} onClick=${(e) => {
        e.currentTarget.blur();
        onUndo();
      }} title="Undo the last stroke or fill (Ctrl+Z)">Undo</button>
      <button type="button" data-testid="redo" disabled=${!masks.redo.length} onClick=${(e) => {
        e.currentTarget.blur();
        onRedo();
      }} title="Redo what was undone (Ctrl+Y or Ctrl+Shift+Z)">Redo</button>
    </div>
    <div class="field-label">Painted on this study</div>
    <ul class="mask-counts" data-testid="mask-counts">
      ${cats.map((c, i) => html`<li data-code=${c.code} data-pixels=${pixels[i + 1]}>
        <span class="swatch" style=${{ background: colorOf(c.code) }}></span>
        <b>${c.code}</b> ${fmt(pixels[i + 1], 0)} px</li>`)}
    </ul>
    <div class="toolbar">
      <button type="button" class="primary" data-testid="save-masks" disabled=${busy || !outlined}
        onClick=${onSave} title="Save these masks and go to the next study (Enter)">Save masks <kbd>Enter</kbd></button>
      <button type="button" data-testid="nothing-found" disabled=${busy} onClick=${onNothing}
        title="Nothing to outline on this study: save it empty and go on (key N)">Nothing found <kbd>N</kbd></button>
    </div>
  </div>`;
}

/**
 * Masks suggested by one of the user's segmenters of this use case: the model runs on every image of the study
 * (POST /models/{id}/predict, the mask in the PNG's pixels) and each image's mask is replaced by its answer.
 */
export function SuggestMasks({ useCase, dataset, study, masks, onChange }) {
  const models = useApi(`/models${query({ useCaseId: useCase.id, limit: 100 })}`);
  const [modelId, setModelId] = useState(null);
  const [note, setNote] = useState(null);
  const usable = (models.data || []).filter((m) => m.status === 'completed' || m.status === 'stopped_early'
    || m.status === 'cancelled');
  const chosen = modelId || (usable[0] && usable[0].id);
  const [suggest, busy, error] = useAction(async () => {
    let outlined = 0;
    for (const im of study.images) {
      const r = await api(`/models/${chosen}/predict`, { method: 'POST',
        body: { datasetId: dataset.id, imageId: im.imageId } });
      if (r.width !== im.pngWidth || r.height !== im.pngHeight) {
        throw new Error(`model ${chosen} answered a ${r.width} × ${r.height} mask for a ${im.pngWidth} × `
          + `${im.pngHeight} image`);
      }
      const labels = decodeRuns(r.runs, new Uint8Array(r.width * r.height));
      if (labels.some((v) => v !== 0)) outlined += 1;
      replaceMask(masks, im, labels);
    }
    onChange();
    setNote(`Model ${chosen} outlined something on ${outlined} of ${study.images.length} images; check and correct `
      + 'the masks (Undo takes an image\'s suggestion back), then save.');
  });
  if (!usable.length) return null;
  return html`<div class="suggest" data-testid="suggest">
    <div class="field-label">Suggestions from a model</div>
    <div class="toolbar">
      <select data-testid="suggest-model" value=${chosen} aria-label="Model to suggest masks"
        onChange=${(e) => setModelId(Number(e.currentTarget.value))}>
        ${usable.map((m) => html`<option value=${m.id}>Model ${m.id}</option>`)}
      </select>
      <button type="button" data-testid="suggest-masks" disabled=${busy} onClick=${(e) => {
        e.currentTarget.blur();
        setNote(null);
        suggest();
      }}>${busy ? 'Suggesting…' : 'Suggest masks'}</button>
    </div>
    ${note && html`<div class="help" data-testid="suggest-note">${note}</div>`}
    <${ErrorBox} error=${error} />
  </div>`;
}
