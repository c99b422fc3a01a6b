// Annotate: label the studies of a dataset for a published use case, one after the other. The page shows the
// study's views in the viewer, the use case's categories as buttons with number-key shortcuts (a key saves the
// label and moves on), Skip and Finish, and menus to go back to skipped or already labelled studies. Detection use
// cases draw boxes on the views instead. Everything goes through /api/annotate/{useCaseId}/{datasetId}.
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
        ${published.map((u) => html`<option value=${u.id}>${u.title}${u.task === 'detection' ? ' · draw boxes' : ''}</option>`)}
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
  const catOf = useMemo(() => Object.fromEntries(cats.map((c, i) => [c.code, { ...c, index: i }])), [cats]);
  const colorOf = (code) => COLORS[((catOf[code] || {}).index || 0) % COLORS.length];
  const settings = useApi('/settings');
  const minLabels = (settings.data && settings.data.minTrainingLabels) || 100;
  const [menu, setMenu] = useState(null);
  const session = useSession({ useCase, dataset, catOf, closeMenus: () => setMenu(null) });
  const { study, mode, count, skipped, notice, error, boxes, setBoxes, selectedBox, setSelectedBox, boxCode,
    setBoxCode, busy, pressed, requestedAt, onDrawn, warm, ordinalOf, label, saveBoxes, skip, open, backToQueue,
    restart, lastLabelled } = session;
  const typingNow = usePageKeys({ menu, setMenu, cats, detection, boxes, setBoxes, selectedBox, setSelectedBox,
    setBoxCode, onScreen: session.onScreen, blocking: session.blocking, label, saveBoxes, skip, open, backToQueue,
    lastLabelled });
  useCloseMenuOutside(menu, setMenu);

  // -- markup --
  const total = dataset.studies;
  const isSkipped = study && skipped.includes(study.studyUid);
  const current = study && study.annotation;
  const currentLabel = current && describe(catOf, current.code, current.boxes ? parseBoxes(current) : null);

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
      onBoxesChange=${setBoxes} onSelectBox=${setSelectedBox} />`;
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
            ${study.images[0] && study.images[0].patientId} · ${study.images.length} views
            (${hang(study.images).ordered.map(viewName).join(', ')})</div>
          ${mode.kind === 'revisit' && html`<div class="notice revisit">
            ${mode.from === 'failed' ? 'The last label of this study was not saved; label it again'
              : `You are back on a ${mode.from === 'skipped' ? 'skipped' : 'labelled'} study`}${current
              ? html`, labelled <strong>${currentLabel}</strong>`
              : ''}. ${detection ? 'Save' : 'Press a category'} to ${current ? 'change' : 'label'} it and continue.
            <div><button type="button" class="small" onClick=${() => backToQueue()}>Back to the next new
              study <kbd>Esc</kbd></button></div>
          </div>`}
        </div>`}
        ${working && !detection && html`<${CategoryButtons} cats=${cats} current=${current && current.code}
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
        ${working && html`<${ShortcutHelp} cats=${cats} detection=${detection} />`}
      </aside>
    </div>
  </div>`;
}
