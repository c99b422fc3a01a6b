// Annotate: label the studies of a dataset for a published use case, one after the other. The page shows the
// study's views in the viewer, the use case's categories as buttons with number-key shortcuts (a key saves the
// label and moves on), Skip and Finish, and menus to go back to skipped or already labelled studies. Detection use
// cases draw boxes on the views instead, segmentation use cases paint masks (annotate-masks.js,
// annotate-mask-panel.js). Everything goes through /api/annotate/{useCaseId}/{datasetId}.
// This module is the page and its layout; the pieces live beside it: the session's state and actions
// (annotate-session.js, with annotate-writes.js, annotate-order.js and annotate-api.js), the head with its menus
// (annotate-head.js), the label controls (annotate-labels.js), the cards shown instead of a study (annotate-done.js),
// the keyboard shortcuts (annotate-keys.js) and the image viewer (annotate-viewer.js).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { COLORS, ErrorBox, html, Loading, navigate, queryParams, useApi } from '../ui.js';
import { AllDone, SessionSummary } from './annotate-done.js';
import { describe, parseBoxes } from './annotate-format.js';
import { hang, viewName } from './annotate-hanging.js';
import { AnnotateHead, useCloseMenuOutside } from './annotate-head.js';
import { ShortcutHelp, usePageKeys } from './annotate-keys.js';
import { BoxPanel, CategoryButtons } from './annotate-labels.js';
import { MAX_BRUSH, MIN_BRUSH, MaskPanel, SuggestMasks } from './annotate-mask-panel.js';
import { undo as undoMask } from './annotate-masks.js';
import { useSession } from './annotate-session.js';
import { SuggestBoxes } from './annotate-suggest.js';
import { Viewer } from './annotate-viewer.js';
import './annotate.css';

export default function Page() {
  const q = queryParams();
  const useCases = useApi('/use-cases?status=published&sort=title');
  const datasets = useApi('/datasets');
  const ready = (datasets.data || []).filter((d) => d.status === 'ready');
  const published = useCases.data || [];

  const ucId = q.useCase ? Number(q.useCase) : published[0] && published[0].id;
  const preferred = ready.filter((d) => !d.hidden);
  const dsId = q.dataset ? Number(q.dataset)
    : ((preferred.find((d) => d.useCaseId === ucId) || preferred[0] || ready[0]) || {}).id;

  // remember the choice in the URL
  useEffect(() => {
    if (ucId && dsId && (String(ucId) !== q.useCase || String(dsId) !== q.dataset)) {
      navigate(`/annotate?useCase=${ucId}&dataset=${dsId}`, { replace: true });
    }
  }, [ucId, dsId, q.useCase, q.dataset]);

  function choose(kind, value, e) {
    if (e) e.currentTarget.blur(); // so the number keys label studies again at once
    const next = { useCase: ucId, dataset: dsId, [kind]: value };
    navigate(`/annotate?useCase=${next.useCase}&dataset=${next.dataset}`);
  }

  const error = useCases.error || datasets.error;
  const loading = useCases.loading || datasets.loading;
  const useCase = useApi(ucId ? `/use-cases/${ucId}` : null);

  let body;
  if (error) body = html`<${ErrorBox} error=${error} />`;
  else if (loading && (!useCases.data || !datasets.data)) body = html`<${Loading} what="use cases and datasets" />`;
  else if (!published.length) {
    body = html`<div class="empty"><h2>No published use case yet</h2>
      <p>Studies are labelled for a published use case. Propose one on the <a href="/define">Define</a> page; an admin
      reviews and publishes it.</p></div>`;
  } else if (!ready.length) {
    body = html`<div class="empty"><h2>No dataset is ready</h2>
      <p>An admin registers datasets; once their images are prepared they appear here.</p></div>`;
  } else if (useCase.error) {
    body = html`<${ErrorBox} error=${useCase.error} /><p class="muted">Choose another use case above.</p>`;
  } else if (!useCase.data || useCase.data.id !== ucId) {
    body = html`<${Loading} what="the use case" />`;
  } else if (useCase.data.status !== 'published') {
    body = html`<div class="error" role="alert">Use case ${ucId} is ${useCase.data.status.replace('_', ' ')}:
      studies can be labelled once an admin publishes it. Choose another use case above.</div>`;
  } else if (!ready.find((d) => d.id === dsId)) {
    body = html`<div class="error" role="alert">Dataset ${dsId} is not ready or does not exist. Choose another
      dataset above.</div>`;
  }

  const pickers = html`<h1>Annotate</h1>
    <label class="picker">
      <span class="field-label">Use case</span>
      <select data-testid="pick-use-case" value=${ucId || ''} onChange=${(e) => choose('useCase', e.currentTarget.value, e)}
        title="The question you answer for each study">
        ${!published.find((u) => u.id === ucId) && ucId && html`<option value=${ucId}>use case ${ucId}</option>`}
        ${published.map((u) => html`<option value=${u.id}>${u.title}${u.task === 'detection' ? ' · draw boxes'
          : u.task === 'segmentation' ? ' · paint masks' : ''}</option>`)}
      </select>
    </label>
    <label class="picker">
      <span class="field-label">Dataset</span>
      <select data-testid="pick-dataset" value=${dsId || ''} onChange=${(e) => choose('dataset', e.currentTarget.value, e)}
        title="The studies you label">
        ${!ready.find((d) => d.id === dsId) && dsId && html`<option value=${dsId}>dataset ${dsId}</option>`}
        ${ready.map((d) => html`<option value=${d.id}>${d.name} · ${d.studies} studies${d.hidden ? ' (hidden)' : ''}</option>`)}
      </select>
    </label>`;

  if (body) {
    return html`<div class="annotate-page"><div class="annotate-head">${pickers}</div>${body}</div>`;
  }
  const dataset = ready.find((d) => d.id === dsId);
  return html`<div class="annotate-page">
    <${Annotator} key=${`${ucId}/${dsId}`} useCase=${useCase.data} dataset=${dataset} pickers=${pickers} />
  </div>`;
}

// ---------------------------------------------------------------------------------------------------------------

function Annotator({ useCase, dataset, pickers }) {
  const cats = useCase.categories || [];
  const detection = useCase.task === 'detection';
  const segmentation = useCase.task === 'segmentation';
  const [maskCode, setMaskCode] = useState(cats[0] && cats[0].code);
  const [brushSize, setBrushSize] = useState(8);
  const [opacity, setOpacity] = useState(0.45);
  const catOf = useMemo(() => Object.fromEntries(cats.map((c, i) => [c.code, { ...c, index: i }])), [cats]);
  const colorOf = (code) => COLORS[((catOf[code] || {}).index || 0) % COLORS.length];
  const settings = useApi('/settings');
  const minLabels = (settings.data && settings.data.minTrainingLabels) || 100;
  const [menu, setMenu] = useState(null);
  const session = useSession({ useCase, dataset, catOf, closeMenus: () => setMenu(null) });
  const { study, mode, count, skipped, notice, error, boxes, setBoxes, selectedBox, setSelectedBox, boxCode,
    setBoxCode, busy, pressed, requestedAt, onDrawn, warm, ordinalOf, label, saveBoxes, skip, open, backToQueue,
    restart, lastLabelled, masks, maskVersion, masksChanged, saveMasks } = session;
  const maskKeys = {
    undo: (redo) => undoMask(masks, redo) && masksChanged(),
    setCode: setMaskCode,
    brush: (delta) => setBrushSize((b) => Math.min(MAX_BRUSH, Math.max(MIN_BRUSH,
      b + delta * Math.max(1, Math.round(b / 5))))),
    save: () => saveMasks(),
    nothing: () => saveMasks([]),
  };
  const typingNow = usePageKeys({ menu, setMenu, cats, detection, boxes, setBoxes, selectedBox, setSelectedBox,
    setBoxCode, onScreen: session.onScreen, blocking: session.blocking, label, saveBoxes, skip, open, backToQueue,
    lastLabelled, segmentation, masksKeys: maskKeys });
  useCloseMenuOutside(menu, setMenu);

  // -- markup --
  const total = dataset.studies;
  const isSkipped = study && skipped.includes(study.studyUid);
  const current = study && study.annotation;
  const currentLabel = current && describe(catOf, current.code, current.boxes ? parseBoxes(current) : null,
    current.masks);

  let center;
  if (mode.kind === 'loading') center = html`<${Loading} what="your next study" />`;
  else if (mode.kind === 'finished') {
    center = html`<${SessionSummary} mode=${mode} total=${total} minLabels=${minLabels} restart=${restart} />`;
  } else if (mode.kind === 'done') {
    center = html`<${AllDone} useCase=${useCase} dataset=${dataset} count=${count} total=${total} skipped=${skipped}
      open=${open} ordinalOf=${ordinalOf} />`;
  } else if (study) {
    center = html`<${Viewer} datasetId=${dataset.id} study=${study} requestedAt=${requestedAt} onDrawn=${onDrawn}
      detection=${detection} boxes=${boxes} selectedBox=${selectedBox} boxCode=${boxCode} colorOf=${colorOf}
      onBoxesChange=${setBoxes} onSelectBox=${setSelectedBox} segmentation=${segmentation} masks=${masks}
      maskVersion=${maskVersion} maskValue=${catOf[maskCode] ? catOf[maskCode].index + 1 : 1}
      maskColors=${cats.map((c) => colorOf(c.code))} brushColor=${colorOf(maskCode)} brushSize=${brushSize}
      opacity=${opacity} onMasksChange=${masksChanged} />`;
  }

  const working = (mode.kind === 'queue' || mode.kind === 'revisit') && study;
  return html`<div class="annotator">
    <${AnnotateHead} pickers=${pickers} total=${total} session=${session} menu=${menu} setMenu=${setMenu} catOf=${catOf}
      colorOf=${colorOf} />
    <${ErrorBox} error=${error} />
    <div class=${`annotate-main ${working ? '' : 'no-study'}`}>
      <section class="annotate-center">${center}</section>
      <aside class="annotate-side" aria-label="Label">
        ${working && html`<div class="study-card" data-testid="study" data-study-uid=${study.studyUid}
          data-mode=${mode.kind}>
          <div class="study-title">
            <strong>Study ${ordinalOf(study.studyUid)}</strong><span class="muted"> of ${total}</span>
            ${current ? html`<span class="tag tag-published">labelled</span>`
              : isSkipped ? html`<span class="tag tag-draft">skipped</span>` : html`<span class="tag">new</span>`}
          </div>
          <div class="muted small-text" title=${study.studyUid}>
            ${study.images[0] && study.images[0].patientId} · ${seriesLine(study.images)}</div>
          ${mode.kind === 'revisit' && html`<div class="notice revisit">
            ${mode.from === 'failed' ? 'The last label of this study was not saved; label it again'
              : `You are back on a ${mode.from === 'skipped' ? 'skipped' : 'labelled'} study`}${current
              ? html`, labelled <strong>${currentLabel}</strong>`
              : ''}. ${detection || segmentation ? 'Save' : 'Press a category'} to ${current ? 'change' : 'label'} it and continue.
            <div><button type="button" class="small" onClick=${() => backToQueue()}>Back to the next new
              study <kbd>Esc</kbd></button></div>
          </div>`}
        </div>`}
        ${working && !detection && !segmentation && html`<${CategoryButtons} cats=${cats} current=${current && current.code}
          pressed=${pressed} busy=${busy} colorOf=${colorOf} onPick=${(code, e) => {
            e.currentTarget.blur();
            label(code, e.timeStamp || performance.now());
          }} />`}
        ${working && detection && html`<${BoxPanel} cats=${cats} boxes=${boxes} selected=${selectedBox}
          boxCode=${boxCode} colorOf=${colorOf} images=${study.images} busy=${busy}
          onCode=${(code) => {
            setBoxCode(code);
            if (selectedBox !== null) setBoxes(boxes.map((b, i) => (i === selectedBox ? { ...b, code } : b)));
          }}
          onSelect=${setSelectedBox} onChange=${setBoxes} onSave=${(e) => {
            e.currentTarget.blur();
            saveBoxes(boxes);
          }} onNothing=${(e) => {
            e.currentTarget.blur();
            saveBoxes([]);
          }} />`}
        ${working && detection && html`<${SuggestBoxes} useCase=${useCase} dataset=${dataset} study=${study}
          boxes=${boxes} onChange=${setBoxes} />`}
        ${working && segmentation && html`<${MaskPanel} cats=${cats} masks=${masks} maskVersion=${maskVersion}
          maskCode=${maskCode} colorOf=${colorOf} brushSize=${brushSize} opacity=${opacity} busy=${busy}
          onCode=${setMaskCode} onBrushSize=${setBrushSize} onOpacity=${setOpacity}
          onUndo=${() => maskKeys.undo(false)} onRedo=${() => maskKeys.undo(true)}
          onSave=${(e) => { e.currentTarget.blur(); saveMasks(); }}
          onNothing=${(e) => { e.currentTarget.blur(); saveMasks([]); }} />`}
        ${working && segmentation && html`<${SuggestMasks} useCase=${useCase} dataset=${dataset} study=${study}
          masks=${masks} onChange=${masksChanged} />`}
        ${working && html`<div class="side-actions">
          <button type="button" data-testid="skip" onClick=${(e) => {
            e.currentTarget.blur();
            skip(e.timeStamp || performance.now());
          }} disabled=${busy || !!current}
            title=${current ? 'This study has a label already; change it instead' : 'Leave this study for later (key S)'}>
            Skip <kbd>S</kbd></button>
          <button type="button" onClick=${() => lastLabelled() && open(lastLabelled(), 'annotated')}
            onPointerEnter=${() => warm(lastLabelled())}
            disabled=${busy || !lastLabelled()} title="Go back to the study you labelled last (key Z)">
            ← Last labelled <kbd>Z</kbd></button>
        </div>`}
        ${notice && working && html`<div class=${`notice save-${notice.kind}`} data-testid="last-saved" data-kind=${notice.kind}
          data-study-uid=${notice.uid} role="status">${notice.text}</div>`}
        ${typingNow && html`<div class="muted small-text">Shortcuts are paused while you type in a field;
          press <kbd>Enter</kbd> or click the images to resume.</div>`}
        ${working && html`<${ShortcutHelp} cats=${cats} detection=${detection} segmentation=${segmentation} />`}
      </aside>
    </div>
  </div>`;
}

/** "4 views (R CC, L CC, R MLO, L MLO)", or for a series "40 slices (z -48.0 to 49.5 mm)". */
function seriesLine(images) {
  const { ordered, series } = hang(images);
  if (series) {
    const z = ordered.map((im) => im.slicePosition);
    return `${ordered.length} slices (z ${Math.min(...z).toFixed(1)} to ${Math.max(...z).toFixed(1)} mm)`;
  }
  return `${ordered.length} views (${ordered.map(viewName).join(', ')})`;
}
