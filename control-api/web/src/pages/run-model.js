// Pieces the Run and Publish pages share: the model picker, a model's card in detail, and small formatters.
import { useEffect, useMemo } from 'preact/hooks';
import {
  Chart, COLORS, ConfusionMatrix, Field, fmt, html, navigate, pct, queryParams, Stat, useApi, when,
} from '../ui.js';

/** A date-time of the API (ISO 8601) in the reader's local time, short. */
/**
 * What a page about one model loads: the model named by `?model=` (or, when none is, the newest one, by moving the
 * address to `page?model=ID`), the lists to choose from, its detail and its use case.
 */
export function useModelPage(page) {
  const modelId = Number(queryParams().model) || null;
  const models = useApi('/models?limit=1000');
  const datasets = useApi('/datasets');
  const detail = useApi(modelId ? `/models/${modelId}` : null);
  const useCaseId = detail.data && detail.data.model.useCaseId;
  const useCase = useApi(useCaseId ? `/use-cases/${useCaseId}` : null);
  useEffect(() => {
    if (!modelId && models.data && models.data.length) navigate(`${page}?model=${models.data[0].id}`, { replace: true });
  }, [modelId, models.data]);
  return { modelId, models, datasets, detail, useCase };
}

/** "712 KB", "1.4 MB". */
export function bytes(n) {
  if (n === null || n === undefined) return '–';
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** How a model is named in lists: "Model 3 · resnet18 · trained on pool · κ 0.56 · AUC 0.76". */
export function modelLabel(m, datasetName) {
  const parts = [`Model ${m.id}`, m.architecture];
  if (datasetName) parts.push(`trained on ${datasetName}`);
  if (m.kappa !== null && m.kappa !== undefined) parts.push(`κ ${fmt(m.kappa, 2)}`);
  if (m.auc !== null && m.auc !== undefined) parts.push(`AUC ${fmt(m.auc, 2)}`);
  if (m.map !== null && m.map !== undefined) parts.push(`mAP ${fmt(m.map, 2)}`);
  if (m.status && m.status !== 'completed') parts.push(m.status);
  return parts.join(' · ');
}

/** A select of the user's models (newest first). */
export function ModelPicker({ models, datasets, value, onChange, id = 'model', help }) {
  const names = new Map((datasets || []).map((d) => [d.id, d.name]));
  return html`<${Field} label="Model" id=${id} help=${help
    || 'Your trained models, newest first (admins see everyone’s). κ is the linear-weighted kappa and AUC the area '
      + 'under the ROC curve on the model’s own validation studies; a detector shows its validation mAP.'}>
    <select id=${id} value=${value || ''} onChange=${(e) => onChange(Number(e.currentTarget.value) || null)}>
      <option value="" disabled>choose a model</option>
      ${(models || []).map((m) => html`<option value=${m.id}>${modelLabel(m, names.get(m.datasetId))}</option>`)}
    </select>
  <//>`;
}

/** Category names by code, from a use case. */
export function categoryNames(useCase) {
  return new Map(((useCase && useCase.categories) || []).map((c) => [c.code, c.name]));
}

/**
 * A model in full, from GET /models/{id}: what it is, what it was trained on, how well it did on its validation
 * studies, and its learning curves. `compact` leaves out the curves and the confusion matrix.
 */
export function ModelDetail({ detail, useCase, compact = false }) {
  const { model, card } = detail;
  const names = categoryNames(useCase);
  const classes = (card && card.classes) || [];
  const v = (card && card.validation) || {};
  const pre = (card && card.preprocessing) || {};
  const cfg = (card && card.config) || {};
  const curves = (card && card.curves) || [];
  const perClass = (counts) => (counts || []).map((n, i) => `${classes[i] || i}: ${n}`).join(', ');
  const detector = card && card.task === 'detection';
  const segmenter = card && card.task === 'segmentation';
  return html`<div class="model-detail" data-model=${model.id}>
    <div class="stats">
      ${segmenter ? html`
      <${Stat} id="dice" label="Validation Dice" value=${fmt(v.dice, 3)}
        hint="How much its masks overlap the labels' (twice the overlap over both areas), averaged over the categories; 1 is perfect." />
      <${Stat} id="iou" label="Validation IoU" value=${fmt(v.iou, 3)}
        hint=${v.studies ? `The overlap over the union; ${v.studies} validation images` : ''} />` : detector ? html`
      <${Stat} id="map" label="Validation mAP" value=${fmt(v.map ?? model.map, 3)}
        hint="How well its boxes match the labels, over overlaps from 0.5 to 0.95; 1 is perfect." />
      <${Stat} id="ap50" label="Validation AP50" value=${fmt(v.ap50, 3)}
        hint="The same at an overlap of at least half." />
      <${Stat} id="ap75" label="Validation AP75" value=${fmt(v.ap75, 3)}
        hint=${v.studies ? `${v.studies} validation images` : ''} />` : html`
      <${Stat} id="kappa" label="Validation kappa (linear)" value=${fmt(v.kappaLinear ?? model.kappa, 3)}
        hint="Agreement with the labels beyond chance; 1 is perfect." />
      <${Stat} id="auc" label="Validation AUC" value=${fmt(v.auc ?? model.auc, 3)}
        hint="How well it ranks the categories; 0.5 is chance." />
      <${Stat} id="accuracy" label="Validation accuracy" value=${pct(v.accuracy)}
        hint=${v.studies ? `${v.studies} validation studies` : ''} />`}
      <${Stat} id="best-epoch" label="Best epoch" value=${card && card.bestEpoch ? `${card.bestEpoch} of ${curves.length}`
        : '–'} hint="The saved weights are from this epoch." />
    </div>
    <div class=${compact ? '' : 'model-columns'}>
      <table class="facts">
        <tbody>
          <tr><th>Architecture</th><td>${model.architecture}${card && card.width ? `, width × ${card.width}` : ''}
            ${card && card.parameterCount ? html`<span class="muted">${` (${card.parameterCount.toLocaleString()} parameters)`}</span>` : ''}</td></tr>
          <tr><th>Categories</th><td>${classes.map((c) => html`<span class="tag cat-tag" title=${names.get(c) || c}>${
            `${c}${names.get(c) ? ` · ${names.get(c)}` : ''}`}</span>`)}</td></tr>
          <tr><th>Input size</th><td>${pre.inputSize ? `${pre.inputSize} × ${pre.inputSize} pixels` : '–'}
            ${pre.tensorSide ? html`<div class="help">${`Each image is first fitted into ${pre.tensorSide} × `
              + `${pre.tensorSide} pixels, then scaled to the input size.`}</div>` : ''}</td></tr>
          <tr><th>Training data</th><td>
            ${detail.dataset ? html`dataset <strong>${detail.dataset.name}</strong>` : `dataset ${model.datasetId}`}${
              detail.labelSnapshot ? `, ${detail.labelSnapshot.studies} labelled studies` : ''}
            ${card && card.trainBoxesPerClass ? html`<div class="help">${`Training boxes per category: `
              + `${perClass(card.trainBoxesPerClass)} (${card.trainImages} images); validation: `
              + `${perClass(card.validationBoxesPerClass)} (${card.validationImages} images).`}</div>` : ''}
            ${card && card.trainStudiesPerClass ? html`<div class="help">${`Training studies per category: `
              + `${perClass(card.trainStudiesPerClass)} (${card.trainImages} images); validation: `
              + `${perClass(card.validationStudiesPerClass)} (${card.validationImages} images).`}</div>` : ''}
          </td></tr>
          <tr><th>Training</th><td>${cfg.maxEpochs ? `at most ${cfg.maxEpochs} epochs, batch ${cfg.batchSize}, `
            + `learning rate ${cfg.learningRate}, ${cfg.optimizer}, ${cfg.sampling} sampling` : '–'}
            <div class="help">${`Job ${model.jobId}, registered ${when(model.createdAt)}; status ${model.status}.`}</div>
          </td></tr>
        </tbody>
      </table>
      ${!compact && html`<div>
        ${curves.length > 0 && html`<h3>Learning curves</h3><${Curves} curves=${curves} best=${card.bestEpoch}
          detector=${detector} segmenter=${segmenter} />`}
        ${v.confusionMatrix && html`<h3>Validation confusion matrix</h3>
          <p class="help">Rows: the labels of the validation studies; columns: what the model predicted.</p>
          <${ConfusionMatrix} labels=${classes} matrix=${v.confusionMatrix} rowTitle="label" id="validation" />`}
      </div>`}
    </div>
  </div>`;
}

function Curves({ curves, best, detector, segmenter }) {
  const scores = detector ? [['map', 'validation mAP'], ['ap50', 'validation AP50']]
    : segmenter ? [['dice', 'validation Dice'], ['iou', 'validation IoU']]
      : [['kappa', 'validation kappa'], ['auc', 'validation AUC']];
  const config = useMemo(() => ({
    type: 'line',
    data: {
      labels: curves.map((c) => c.epoch),
      datasets: [
        { label: 'training loss', data: curves.map((c) => c.trainLoss), borderColor: COLORS[0], yAxisID: 'loss' },
        { label: 'validation loss', data: curves.map((c) => c.validationLoss), borderColor: COLORS[4],
          borderDash: [5, 4], yAxisID: 'loss' },
        ...scores.map(([key, label], i) => ({ label, data: curves.map((c) => c[key]), borderColor: COLORS[2 - i],
          yAxisID: 'score' })),
      ].map((d) => ({ ...d, backgroundColor: d.borderColor, pointRadius: curves.map((c) => (c.epoch === best ? 6 : 2)) })),
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { title: { display: true, text: 'epoch (big dots: the best epoch, whose weights were kept)' } },
        loss: { position: 'left', title: { display: true, text: 'loss' }, beginAtZero: true },
        score: { position: 'right', min: 0, max: 1, title: { display: true, text: detector ? 'mAP, AP50'
          : segmenter ? 'Dice, IoU' : 'kappa, AUC' },
          grid: { drawOnChartArea: false } },
      },
    },
  }), [curves, best, detector, segmenter]);
  return html`<${Chart} config=${config} height=${240} id="curves" label="learning curves" />`;
}
