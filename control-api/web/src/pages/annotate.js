// Annotate: label the studies of a dataset for a published use case, one after the other. The page shows the
// study's views in the viewer, the use case's categories as buttons with number-key shortcuts (a key saves the
// label and moves on), Skip and Finish, and menus to go back to skipped or already labelled studies. Detection use
// cases draw boxes on the views instead. Everything goes through /api/annotate/{useCaseId}/{datasetId}.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { COLORS, ErrorBox, html, Loading, navigate, queryParams, useApi } from '../ui.js';
import { hang, viewName } from './annotate-hanging.js';
import { loadImage } from './annotate-images.js';
import { typing } from './annotate-keys.js';
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

function shortUid(uid) {
  return uid && uid.length > 14 ? `…${uid.slice(-10)}` : uid;
}

/** Compact, for the menus: the time for today, else the day. */
function shortWhen(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

function parseBoxes(annotation) {
  if (!annotation || !annotation.boxes) return [];
  try {
    return JSON.parse(annotation.boxes) || [];
  } catch {
    return [];
  }
}

/** Keys 1..9 then 0 for the first ten categories. */
function keyFor(i) {
  return i < 9 ? String(i + 1) : i === 9 ? '0' : null;
}

function Annotator({ useCase, dataset, pickers }) {
  const base = `/annotate/${useCase.id}/${dataset.id}`;
  const cats = useCase.categories || [];
  const detection = useCase.task === 'detection';
  const catOf = useMemo(() => Object.fromEntries(cats.map((c, i) => [c.code, { ...c, index: i }])), [cats]);
  const colorOf = (code) => COLORS[((catOf[code] || {}).index || 0) % COLORS.length];
  const settings = useApi('/settings');
  const minLabels = (settings.data && settings.data.minTrainingLabels) || 100;

  const [study, setStudy] = useState(null);
  const [mode, setMode] = useState({ kind: 'loading' }); // loading | queue | revisit | done | finished
  const [count, setCount] = useState(null);
  const [skipped, setSkipped] = useState([]);
  const [mine, setMine] = useState({ total: 0, annotations: [] });
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false); // an action that must finish before the next one (nothing to show yet)
  const [saving, setSaving] = useState(0); // writes still on their way to the server
  const [menu, setMenu] = useState(null);
  const [boxes, setBoxes] = useState([]);
  const [selectedBox, setSelectedBox] = useState(null);
  const [boxCode, setBoxCode] = useState(cats[0] && cats[0].code);
  const [pressed, setPressed] = useState(null);
  const [typingNow, setTypingNow] = useState(false);
  const [, setOrderTick] = useState(0);
  const onScreen = useRef({ study: null, mode: { kind: 'loading' } }); // what is shown, for handlers between renders
  const blocking = useRef(false);
  const seq = useRef(0); // bumped by every change of study the user asks for; stale confirmations are dropped
  const queue = useRef({ chain: Promise.resolve(), pending: 0, generation: 0 });
  const requestedAt = useRef(null);
  const session = useRef({ labelled: new Set(), changed: new Set(), skipped: new Set() });
  const order = useRef({ list: [], ordinal: new Map() });
  const ahead = useRef(new Map()); // studyUid -> {view, ready}: studies fetched ahead, images decoded once ready
  const lastQueue = useRef(null); // the new study left to revisit another one

  // -- data --
  async function refreshLists() {
    const ticket = seq.current;
    try {
      const [s, m] = await Promise.all([
        api(`${base}/skipped`),
        api(`/annotations?useCaseId=${useCase.id}&datasetId=${dataset.id}&limit=100`),
      ]);
      setSkipped(s.skipped || []);
      setMine(m);
      if (seq.current === ticket) setCount(m.total); // not when a newer label is on its way
    } catch (e) {
      setError(e);
    }
  }

  async function loadOrder() {
    const list = [];
    for (let offset = 0; offset < 20000; offset += 1000) {
      const page = await api(`/datasets/${dataset.id}/studies?limit=1000&offset=${offset}`);
      list.push(...page);
      if (page.length < 1000) break;
    }
    order.current = { list, ordinal: new Map(list.map((s) => [s.studyUid, s.ordinal])) };
    setOrderTick((t) => t + 1);
    if (onScreen.current.study) onDrawn(onScreen.current.study.studyUid); // now the next study can be guessed
  }

  function show(view, next, { keepCount = false } = {}) {
    onScreen.current = { study: view, mode: next };
    setStudy(view);
    setMode(next);
    if (!keepCount) setCount(view.annotatedByYou);
    setBoxes(parseBoxes(view.annotation));
    setSelectedBox(null);
    if (next.kind === 'queue') lastQueue.current = view;
  }

  function showNext(next) {
    if (next.done) {
      onScreen.current = { study: null, mode: { kind: 'done' } };
      setStudy(null);
      setMode({ kind: 'done', detail: next.detail });
    } else {
      show(next, { kind: 'queue' });
    }
  }

  async function fetchNext() {
    try {
      return await api(`${base}/next`);
    } catch (e) {
      if (e.error === 'no_more_studies') return { done: true, detail: e.detail };
      throw e;
    }
  }

  /** Writes run one after the other, in the order the user asked; one that fails drops those queued after it. */
  function enqueue(fn) {
    const q = queue.current;
    const generation = q.generation;
    q.pending += 1;
    setSaving(q.pending);
    const run = q.chain.then(async () => {
      if (generation !== q.generation) return;
      try {
        await fn();
      } catch (e) {
        q.generation += 1;
        setError(e);
      } finally {
        q.pending -= 1;
        setSaving(q.pending);
      }
    });
    q.chain = run;
    return run;
  }

  /** An action whose result must be on screen before the next key counts (keys meanwhile are ignored). */
  function blockingAction(fn) {
    if (blocking.current) return;
    blocking.current = true;
    setBusy(true);
    setError(null);
    enqueue(fn).finally(() => {
      blocking.current = false;
      setBusy(false);
      setPressed(null);
    });
  }

  useEffect(() => {
    blockingAction(async () => {
      await Promise.all([fetchNext().then(showNext), refreshLists(), loadOrder().catch(() => {})]);
    });
  }, []);

  // -- what comes next: fetched and decoded ahead, once the current study is on screen --
  function predictNext(currentUid) {
    if (onScreen.current.mode.kind === 'revisit') {
      const q = lastQueue.current;
      return q && q.studyUid !== currentUid && !session.current.labelled.has(q.studyUid)
        && !session.current.skipped.has(q.studyUid) ? [q.studyUid] : [];
    }
    const { list, ordinal } = order.current;
    if (!list.length || !ordinal.has(currentUid)) return [];
    const done = new Set([...mine.annotations.map((a) => a.studyUid), ...skipped, ...session.current.labelled,
      ...session.current.skipped, currentUid]);
    const out = [];
    // /next serves studies in dataset order, so those after a new study are new too (unless labelled elsewhere)
    for (let i = ordinal.get(currentUid) + 1; i < list.length && out.length < 3; i += 1) {
      if (!done.has(list[i].studyUid)) out.push(list[i].studyUid);
    }
    return out;
  }

  function onDrawn(uid) {
    predictNext(uid).forEach((next) => {
      if (ahead.current.has(next)) return;
      if (lastQueue.current && lastQueue.current.studyUid === next) {
        ahead.current.set(next, { view: lastQueue.current, ready: false });
      } else {
        ahead.current.set(next, { view: null, ready: false });
      }
      const entry = ahead.current.get(next);
      (entry.view ? Promise.resolve(entry.view) : api(`${base}/studies/${encodeURIComponent(next)}`))
        .then((view) => {
          entry.view = view;
          return Promise.all(view.images.map((im) => loadImage(dataset.id, im.imageId)));
        })
        .then(() => { entry.ready = true; })
        .catch(() => ahead.current.delete(next));
    });
    while (ahead.current.size > 16) ahead.current.delete(ahead.current.keys().next().value);
  }

  /** Fetches a study's images ahead when the pointer rests on a link to it (menus, Last labelled). */
  function warm(uid) {
    if (!uid || ahead.current.has(`warm:${uid}`)) return;
    ahead.current.set(`warm:${uid}`, { view: null, ready: false });
    api(`/datasets/${dataset.id}/images?study=${encodeURIComponent(uid)}`)
      .then((images) => images.forEach((im) => loadImage(dataset.id, im.imageId).catch(() => {})))
      .catch(() => ahead.current.delete(`warm:${uid}`));
  }

  /** The study to show at once after this one, if it is fetched and its images decoded. */
  function readyNext(fromUid) {
    const [uid] = predictNext(fromUid);
    const entry = uid && ahead.current.get(uid);
    return entry && entry.ready && !entry.view.annotation ? entry.view : null;
  }

  /**
   * Label, boxes or skip, then the next study. When the next study is known and decoded it is shown at once and the
   * write follows in the background (then /next confirms it); otherwise the page waits for the server.
   */
  function advance(t0, write, countDelta, pressedCode) {
    const from = onScreen.current.study;
    if (!from || blocking.current) return;
    const guess = readyNext(from.studyUid);
    if (!guess) {
      if (pressedCode) setPressed(pressedCode);
      seq.current += 1;
      blockingAction(async () => {
        await write(from);
        requestedAt.current = t0;
        showNext(await fetchNext());
        refreshLists();
      });
      return;
    }
    ahead.current.delete(guess.studyUid);
    requestedAt.current = t0;
    const ticket = ++seq.current;
    show(guess, { kind: 'queue' }, { keepCount: true });
    if (countDelta) setCount((c) => (c === null ? c : c + countDelta));
    enqueue(async () => {
      try {
        await write(from);
      } catch (e) {
        // bring the study back, so the label is not lost unnoticed
        const again = await api(`${base}/studies/${encodeURIComponent(from.studyUid)}`).catch(() => null);
        if (again) {
          requestedAt.current = performance.now();
          show(again, { kind: 'revisit', from: 'failed' });
        }
        throw Object.assign(new Error(e.message), { error: e.error || 'not_saved',
          detail: `study ${ordinalOf(from.studyUid)} was not saved (${e.detail || e.message}); it is shown again` });
      }
      if (seq.current !== ticket) return; // the user has moved on meanwhile: a later action confirms
      const next = await fetchNext();
      if (seq.current !== ticket) return;
      const shown = onScreen.current.study;
      if (next.done || !shown || next.studyUid !== shown.studyUid) {
        requestedAt.current = performance.now();
        showNext(next);
      } else {
        onScreen.current = { ...onScreen.current, study: { ...shown, ...next, images: shown.images } };
        setCount(next.annotatedByYou);
      }
      refreshLists();
    });
  }

  function label(code, t0 = performance.now()) {
    if (!onScreen.current.study || blocking.current) return;
    const before = onScreen.current.study.annotation;
    advance(t0, async (from) => {
      await api(`${base}/studies/${encodeURIComponent(from.studyUid)}`, { method: 'POST', body: { code } });
      recordSave(from, before, code, null);
    }, before ? 0 : 1, code);
  }

  function saveBoxes(list, t0 = performance.now()) {
    if (!onScreen.current.study || blocking.current) return;
    const before = onScreen.current.study.annotation;
    advance(t0, async (from) => {
      await api(`${base}/studies/${encodeURIComponent(from.studyUid)}`, { method: 'POST', body: { boxes: list } });
      recordSave(from, before, null, list);
    }, before ? 0 : 1);
  }

  function skip(t0 = performance.now()) {
    const from = onScreen.current.study;
    if (!from || from.annotation || blocking.current) return;
    session.current.skipped.add(from.studyUid);
    advance(t0, async () => {
      const r = await api(`${base}/studies/${encodeURIComponent(from.studyUid)}/skip`, { method: 'POST' });
      ahead.current.delete(from.studyUid);
      setSkipped(r.skipped || []);
      setNotice({ kind: 'skipped', uid: from.studyUid, text: `Study ${ordinalOf(from.studyUid)} skipped: find it `
        + 'again under Skipped.' });
    }, 0);
  }

  function describe(code, list) {
    if (list) return list.length ? `${list.length} box${list.length === 1 ? '' : 'es'}` : 'nothing found';
    const c = catOf[code];
    return c ? `${c.code} · ${c.name}` : code;
  }

  function recordSave(from, before, code, list) {
    const s = session.current;
    const n = ordinalOf(from.studyUid);
    const wasSkipped = s.skipped.has(from.studyUid) || skipped.includes(from.studyUid);
    s.skipped.delete(from.studyUid);
    ahead.current.delete(from.studyUid);
    if (!before) {
      s.labelled.add(from.studyUid);
      setNotice({ kind: 'saved', uid: from.studyUid, text: `Study ${n}${wasSkipped ? ' (skipped before)' : ''} `
        + `labelled ${describe(code, list)}.` });
    } else {
      const old = before.boxes ? describe(null, parseBoxes(before)) : describe(before.code);
      const now = describe(code, list);
      const same = list ? before.boxes === JSON.stringify(list) : before.code === code;
      if (!same) s.changed.add(from.studyUid);
      setNotice({ kind: same ? 'kept' : 'changed', uid: from.studyUid, text: same
        ? `Study ${n} kept its label ${now}.` : `Study ${n} changed from ${old} to ${now}.` });
    }
  }

  function open(uid, from, t0 = performance.now()) {
    setMenu(null);
    seq.current += 1;
    blockingAction(async () => {
      const view = await api(`${base}/studies/${encodeURIComponent(uid)}`);
      requestedAt.current = t0;
      show(view, { kind: 'revisit', from });
    });
  }

  function backToQueue(t0 = performance.now()) {
    seq.current += 1;
    blockingAction(async () => {
      const next = await fetchNext();
      requestedAt.current = t0;
      showNext(next);
    });
  }

  function finish() {
    setMenu(null);
    seq.current += 1;
    blockingAction(async () => {
      const m = await api(`/annotations?useCaseId=${useCase.id}&datasetId=${dataset.id}&limit=100`);
      setMine(m);
      setCount(m.total);
      const next = { kind: 'finished', total: m.total, labelled: session.current.labelled.size,
        changed: session.current.changed.size, skipped: session.current.skipped.size };
      onScreen.current = { study: null, mode: next };
      setMode(next);
    });
  }

  function restart() {
    seq.current += 1;
    session.current = { labelled: new Set(), changed: new Set(), skipped: new Set() };
    setNotice(null);
    blockingAction(async () => {
      showNext(await fetchNext());
      await refreshLists();
    });
  }

  function lastLabelled() {
    const a = mine.annotations.find((x) => !study || x.studyUid !== study.studyUid);
    return a && a.studyUid;
  }

  function ordinalOf(uid) {
    const o = order.current.ordinal.get(uid);
    return o === undefined ? shortUid(uid) : `#${o + 1}`;
  }

  // -- keys: a ref keeps the handler current without re-subscribing --
  const onKey = useRef(null);
  onKey.current = (e) => {
    if (e.key === 'Escape') {
      if (menu) setMenu(null);
      else if (typing(e)) return;
      else if (onScreen.current.mode.kind === 'revisit') backToQueue();
      else if (selectedBox !== null) setSelectedBox(null);
      return;
    }
    if (typing(e)) return;
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const shown = onScreen.current;
    const active = (shown.mode.kind === 'queue' || shown.mode.kind === 'revisit') && shown.study && !blocking.current;
    const digit = /^[0-9]$/.test(k) ? (k === '0' ? 9 : Number(k) - 1) : -1;
    if (digit >= 0 && digit < cats.length && active) {
      e.preventDefault();
      if (e.repeat) return; // holding a key must not label a run of studies
      const code = cats[digit].code;
      if (!detection) label(code, performance.now());
      else if (selectedBox !== null && boxes[selectedBox]) {
        setBoxes(boxes.map((b, i) => (i === selectedBox ? { ...b, code } : b)));
        setBoxCode(code);
      } else setBoxCode(code);
      return;
    }
    if (k === 'z' && !e.repeat && !blocking.current && lastLabelled()
      && ['queue', 'revisit', 'done', 'finished'].includes(shown.mode.kind)) {
      e.preventDefault();
      open(lastLabelled(), 'annotated', performance.now());
      return;
    }
    if (!active || e.repeat) return;
    if (k === 's' && !shown.study.annotation) {
      e.preventDefault();
      skip(performance.now());
    } else if (detection && k === 'Enter' && boxes.length && !(e.target && e.target.closest && e.target.closest('button, a'))) {
      e.preventDefault();
      saveBoxes(boxes, performance.now());
    } else if (detection && k === 'n') {
      e.preventDefault();
      saveBoxes([], performance.now());
    } else if (detection && (k === 'Delete' || k === 'Backspace') && selectedBox !== null) {
      e.preventDefault();
      setBoxes(boxes.filter((_, i) => i !== selectedBox));
      setSelectedBox(null);
    }
  };
  useEffect(() => {
    const handler = (e) => onKey.current(e);
    const focus = () => setTypingNow(typing({ target: document.activeElement }));
    const blur = () => setTimeout(focus, 0);
    addEventListener('keydown', handler);
    addEventListener('focusin', focus);
    addEventListener('focusout', blur);
    return () => {
      removeEventListener('keydown', handler);
      removeEventListener('focusin', focus);
      removeEventListener('focusout', blur);
    };
  }, []);

  // close an open menu when clicking elsewhere
  useEffect(() => {
    if (!menu) return undefined;
    const close = (e) => {
      if (!e.target.closest || !e.target.closest('.menu')) setMenu(null);
    };
    addEventListener('pointerdown', close);
    return () => removeEventListener('pointerdown', close);
  }, [menu]);

  // -- markup --
  const total = dataset.studies;
  const shownCount = count === null ? '…' : count;
  const isSkipped = study && skipped.includes(study.studyUid);
  const current = study && study.annotation;
  const progress = count ? Math.min(100, (100 * count) / Math.max(1, total)) : 0;

  const head = html`<div class="annotate-head">${pickers}<div class="annotate-status">
    <div class="count-box" title="Studies of this dataset you have labelled for this use case">
      <strong><span data-testid="annotation-count" data-count=${count === null ? '' : count}>${shownCount}</span>
        <span class="muted"> / ${total}</span></strong>
      <span class="muted small-text">${saving ? html`<span class="saving" data-testid="saving">saving…</span>`
        : 'labelled by you'}</span>
      <div class="progressbar" aria-hidden="true"><div style=${{ width: `${progress}%` }}></div></div>
    </div>
    <${Menu} id="skipped" label="Skipped" count=${skipped.length} open=${menu === 'skipped'}
      onToggle=${() => setMenu(menu === 'skipped' ? null : 'skipped')}>
      ${skipped.length ? html`<ul>${skipped.map((uid) => html`<li key=${uid}>
        <button type="button" class="menu-item" data-study-uid=${uid} onClick=${() => open(uid, 'skipped')}
          onPointerEnter=${() => warm(uid)} onFocus=${() => warm(uid)}>
          <span class="mi-main">Study ${ordinalOf(uid)}</span>
          <span class="mi-sub" title=${uid}>${shortUid(uid)}</span>
        </button></li>`)}</ul>`
        : html`<p class="muted menu-empty">No skipped studies. Skip a study with <kbd>S</kbd> when you want to come back
          to it later.</p>`}
    <//>
    <${Menu} id="annotated" label="Labelled" count=${mine.total} open=${menu === 'annotated'}
      onToggle=${() => setMenu(menu === 'annotated' ? null : 'annotated')}>
      ${mine.annotations.length ? html`<ul>${mine.annotations.map((a) => {
        const list = a.boxes ? parseBoxes(a) : null;
        return html`<li key=${a.id}>
          <button type="button" class="menu-item" data-study-uid=${a.studyUid} data-code=${a.code || ''}
            data-annotation-id=${a.id} onClick=${() => open(a.studyUid, 'annotated')}
            onPointerEnter=${() => warm(a.studyUid)} onFocus=${() => warm(a.studyUid)}>
            <span class="mi-main">
              ${list ? html`<span class="code-chip">${describe(null, list)}</span>`
                : html`<span class="code-chip" style=${{ borderColor: colorOf(a.code) }}>${a.code}</span>`}
              Study ${ordinalOf(a.studyUid)}
              ${a.version > 1 && html`<span class="tag tag-changed" title=${`${a.version} versions`}>changed</span>`}
            </span>
            <span class="mi-sub">${list ? '' : (catOf[a.code] || {}).name} · ${shortWhen(a.updatedAt)}</span>
          </button></li>`;
      })}</ul>
      ${mine.total > mine.annotations.length && html`<p class="muted menu-empty">The ${mine.annotations.length} most
        recent of ${mine.total}.</p>`}`
        : html`<p class="muted menu-empty">Nothing labelled yet.</p>`}
    <//>
    <button type="button" data-testid="finish" onClick=${finish} disabled=${busy || mode.kind === 'finished'}
      title="End this session and see how many studies you labelled">Finish</button>
  </div></div>`;

  let center;
  if (mode.kind === 'loading') center = html`<${Loading} what="your next study" />`;
  else if (mode.kind === 'finished') {
    center = html`<div class="card summary" data-testid="session-summary" data-session-labelled=${mode.labelled}
      data-session-changed=${mode.changed} data-total=${mode.total}>
      <h2>Session finished</h2>
      <div class="stats">
        <div class="stat"><div class="stat-value" data-testid="summary-session">${mode.labelled}</div>
          <div class="stat-label">studies labelled in this session</div></div>
        <div class="stat"><div class="stat-value">${mode.changed}</div><div class="stat-label">labels changed</div></div>
        <div class="stat"><div class="stat-value">${mode.skipped}</div><div class="stat-label">studies skipped</div></div>
        <div class="stat"><div class="stat-value" data-testid="summary-total">${mode.total}</div>
          <div class="stat-label">labelled in total (of ${total})</div></div>
      </div>
      <p class="muted">Your labels are saved as you go. ${mode.total < minLabels
        ? `Training a model on your own labels needs at least ${minLabels} labelled studies: ${minLabels - mode.total}`
          + ' to go.'
        : html`You have enough labels to train a model on the <a href="/create">Create</a> page.`}</p>
      <div class="toolbar"><button type="button" class="primary" onClick=${restart}>Continue annotating</button></div>
    </div>`;
  } else if (mode.kind === 'done') {
    center = html`<div class="card all-done" data-testid="all-done">
      <h2>All studies done</h2>
      <p>You have labelled ${skipped.length ? 'or skipped ' : ''}every study of <strong>${dataset.name}</strong>
        for <strong>${useCase.title}</strong>: ${count} of ${total} labelled.</p>
      ${skipped.length ? html`<p>${skipped.length} skipped ${skipped.length === 1 ? 'study waits' : 'studies wait'} for
        a label:</p>
        <div class="toolbar">${skipped.slice(0, 12).map((uid) => html`<button type="button" data-study-uid=${uid}
          onClick=${() => open(uid, 'skipped')}>Study ${ordinalOf(uid)}</button>`)}</div>`
        : html`<p class="muted">You can still review and change any label from the Labelled menu.</p>`}
    </div>`;
  } else if (study) {
    center = html`<${Viewer} datasetId=${dataset.id} study=${study} requestedAt=${requestedAt} onDrawn=${onDrawn}
      detection=${detection} boxes=${boxes} selectedBox=${selectedBox} boxCode=${boxCode} colorOf=${colorOf}
      onBoxesChange=${setBoxes} onSelectBox=${setSelectedBox} />`;
  }

  const working = (mode.kind === 'queue' || mode.kind === 'revisit') && study;
  return html`<div class="annotator">
    ${head}
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
              ? html`, labelled <strong>${describe(current.code, current.boxes ? parseBoxes(current) : null)}</strong>`
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
        ${working && html`<details class="shortcuts">
          <summary>Keyboard shortcuts</summary>
          <dl>
            <dt><kbd>1</kbd>–<kbd>${keyFor(Math.min(cats.length, 10) - 1)}</kbd></dt>
            <dd>${detection ? 'choose the category of new (or the selected) box' : 'save that category and go on'}</dd>
            ${detection && html`<dt><kbd>Enter</kbd> / <kbd>N</kbd></dt><dd>save the boxes / nothing found, and go on</dd>
              <dt><kbd>Del</kbd></dt><dd>delete the selected box</dd>`}
            <dt><kbd>S</kbd></dt><dd>skip this study</dd>
            <dt><kbd>Z</kbd></dt><dd>back to the study labelled last</dd>
            <dt><kbd>←</kbd> <kbd>→</kbd> / <kbd>G</kbd></dt><dd>one view after the other / all views</dd>
            <dt><kbd>P</kbd> <kbd>W</kbd>${detection && html` <kbd>B</kbd>`}</dt>
            <dd>mouse tool: pan, window/level${detection ? ', draw box' : ''}</dd>
            <dt><kbd>A</kbd> <kbd>I</kbd> <kbd>R</kbd></dt><dd>auto window, invert, reset the view</dd>
            <dt><kbd>Esc</kbd></dt><dd>close a menu; leave a revisited study</dd>
          </dl>
        </details>`}
      </aside>
    </div>
  </div>`;
}

function Menu({ id, label, count, open, onToggle, children }) {
  return html`<div class=${`menu ${open ? 'open' : ''}`}>
    <button type="button" data-testid=${`menu-${id}`} aria-expanded=${open} aria-controls=${`menu-${id}-list`}
      onClick=${onToggle}>${label} <span class="menu-count" data-count=${count}>${count}</span> ▾</button>
    ${open && html`<div class="menu-panel" id=${`menu-${id}-list`} data-testid=${`menu-${id}-list`}>${children}</div>`}
  </div>`;
}

function CategoryButtons({ cats, current, pressed, busy, colorOf, onPick }) {
  return html`<div class="categories" role="group" aria-label="Categories">
    ${cats.map((c, i) => {
      const key = keyFor(i);
      const cls = ['category', current === c.code ? 'current' : '', pressed === c.code ? 'pressed' : ''].join(' ');
      return html`<button type="button" class=${cls} data-code=${c.code} data-key=${key || ''}
        aria-pressed=${current === c.code} disabled=${busy && pressed !== c.code} style=${{ '--cat': colorOf(c.code) }}
        title=${`Save ${c.code} (${c.name}) and go to the next study${key ? `; key ${key}` : ''}`}
        onClick=${(e) => onPick(c.code, e)}>
        ${key ? html`<kbd>${key}</kbd>` : html`<span class="nokey"></span>`}
        <span class="cat-text"><span class="cat-name"><b>${c.code}</b> · ${c.name}</span>
          ${c.description && html`<span class="cat-desc">${c.description}</span>`}</span>
        ${current === c.code && html`<span class="cat-current">current</span>`}
      </button>`;
    })}
  </div>`;
}

function BoxPanel({ cats, boxes, selected, boxCode, colorOf, images, busy, onCode, onSelect, onChange, onSave, onNothing }) {
  const names = Object.fromEntries(images.map((im) => [im.imageId, viewName(im)]));
  return html`<div class="box-panel">
    <div class="field-label">Category of ${selected !== null ? 'the selected box' : 'new boxes'}</div>
    <div class="categories compact" role="group" aria-label="Box category">
      ${cats.map((c, i) => html`<button type="button" class=${`category ${boxCode === c.code ? 'current' : ''}`}
        data-code=${c.code} aria-pressed=${boxCode === c.code} style=${{ '--cat': colorOf(c.code) }}
        title=${c.description} onClick=${(e) => { e.currentTarget.blur(); onCode(c.code); }}>
        ${keyFor(i) && html`<kbd>${keyFor(i)}</kbd>`}
        <span class="cat-text"><span class="cat-name"><b>${c.code}</b> · ${c.name}</span>
          <span class="cat-desc">${c.description}</span></span></button>`)}
    </div>
    <p class="help">With the <b>Draw box</b> tool (<kbd>B</kbd>), drag on a view around each finding. Click a box to
      select it; <kbd>Del</kbd> removes it.</p>
    <div class="field-label">Boxes on this study (${boxes.length})</div>
    ${boxes.length ? html`<ul class="box-list" data-testid="box-list">
      ${boxes.map((b, i) => html`<li class=${i === selected ? 'selected' : ''} data-box-index=${i}>
        <button type="button" class="swatch-btn" onClick=${() => onSelect(i === selected ? null : i)}
          title="Select this box">
          <span class="swatch" style=${{ background: colorOf(b.code) }}></span>
          <b>${b.code}</b> on ${names[b.imageId] || b.imageId} · ${Math.round(b.width)} × ${Math.round(b.height)} px
        </button>
        <select aria-label="Category of this box" value=${b.code}
          onChange=${(e) => { onChange(boxes.map((x, j) => (j === i ? { ...x, code: e.currentTarget.value } : x))); e.currentTarget.blur(); }}>
          ${cats.map((c) => html`<option value=${c.code}>${c.code}</option>`)}
        </select>
        <button type="button" class="small danger" aria-label="Delete this box"
          onClick=${() => { onChange(boxes.filter((_, j) => j !== i)); onSelect(null); }}>✕</button>
      </li>`)}</ul>` : html`<p class="muted small-text">No boxes yet.</p>`}
    <div class="toolbar">
      <button type="button" class="primary" data-testid="save-boxes" disabled=${busy || !boxes.length}
        onClick=${onSave} title="Save these boxes and go to the next study (Enter)">${
          `Save ${boxes.length || ''} box${boxes.length === 1 ? '' : 'es'}`.replace('  ', ' ')} <kbd>Enter</kbd></button>
      <button type="button" data-testid="nothing-found" disabled=${busy} onClick=${onNothing}
        title="Nothing to mark on this study: save an empty list and go on (key N)">Nothing found <kbd>N</kbd></button>
    </div>
  </div>`;
}
