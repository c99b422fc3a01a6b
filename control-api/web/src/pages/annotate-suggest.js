// Model-suggested boxes on the Annotate page (detection use cases): the annotator picks one of their detectors of
// this use case, the model runs on every view of the study (POST /models/{id}/predict, boxes in the PNG's pixels),
// and its boxes at or above a chosen score join the study's draft as ordinary boxes, snapped to whole pixels, to be
// checked, moved, recategorised or deleted before saving. Nothing is saved by suggesting.
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { ErrorBox, fmt, html, pct, useAction, useApi } from '../ui.js';

/** The most boxes a study takes (the server's limit). */
export const MAX_BOXES = 100;

export function SuggestBoxes({ useCase, dataset, study, boxes, onChange }) {
  const models = useApi(`/models${query({ useCaseId: useCase.id, limit: 100 })}`);
  const [modelId, setModelId] = useState(null);
  const [minScore, setMinScore] = useState(0.5);
  const [note, setNote] = useState(null);
  const usable = (models.data || []).filter((m) => m.status === 'completed' || m.status === 'stopped_early'
    || m.status === 'cancelled');
  const chosen = modelId || (usable[0] && usable[0].id);
  const [suggest, busy, error] = useAction(async () => {
    const found = [];
    for (const im of study.images) {
      const r = await api(`/models/${chosen}/predict`, { method: 'POST',
        body: { datasetId: dataset.id, imageId: im.imageId } });
      (r.boxes || []).filter((b) => b.score >= minScore).forEach((b) => found.push({ imageId: im.imageId,
        x: Math.round(b.x), y: Math.round(b.y), width: Math.max(1, Math.round(b.width)),
        height: Math.max(1, Math.round(b.height)), code: b.code }));
    }
    const room = Math.max(0, MAX_BOXES - boxes.length);
    onChange([...boxes, ...found.slice(0, room)]);
    setNote(`${Math.min(room, found.length)} suggested box${Math.min(room, found.length) === 1 ? '' : 'es'} added`
      + `${found.length > room ? ` (${found.length - room} left out: a study takes at most ${MAX_BOXES})` : ''}; `
      + 'check, move or delete them, then save.');
  });
  if (!usable.length) return null;
  return html`<div class="suggest" data-testid="suggest">
    <div class="field-label">Suggestions from a model</div>
    <div class="toolbar">
      <select data-testid="suggest-model" value=${chosen} aria-label="Model to suggest boxes"
        onChange=${(e) => setModelId(Number(e.currentTarget.value))}>
        ${usable.map((m) => html`<option value=${m.id}>${`Model ${m.id}${m.map !== undefined && m.map !== null
          ? ` · mAP ${fmt(m.map, 2)}` : ''}`}</option>`)}
      </select>
      <button type="button" data-testid="suggest-boxes" disabled=${busy} onClick=${(e) => {
        e.currentTarget.blur();
        setNote(null);
        suggest();
      }}>${busy ? 'Suggesting…' : 'Suggest boxes'}</button>
    </div>
    <label class="field small-text">Boxes scoring at least ${pct(minScore, 0)}
      <input type="range" min="0.05" max="0.95" step="0.05" value=${minScore} data-testid="suggest-score"
        onInput=${(e) => setMinScore(Number(e.currentTarget.value))} /></label>
    ${note && html`<div class="help" data-testid="suggest-note">${note}</div>`}
    <${ErrorBox} error=${error} />
  </div>`;
}
