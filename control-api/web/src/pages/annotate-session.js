// An annotation session on the Annotate page: which study is on screen and why (the queue of new studies, a study
// revisited from a menu, all done, finished), its boxes or masks, the user's count, skipped and labelled lists and the last
// save's notice, and the actions: label, save boxes, save masks, skip, open a study, back to the queue, finish, start again.
// When the next study is already fetched and decoded, an action shows it at once and the write follows in the
// background (the server's /next then confirms it); otherwise the page waits for the server.
import { useEffect, useRef, useState } from 'preact/hooks';
import { annotateApi } from './annotate-api.js';
import { describe, parseBoxes } from './annotate-format.js';
import { createMasks, masksRequest, parseMasks } from './annotate-masks.js';
import { useLookahead } from './annotate-order.js';
import { useWriteQueue } from './annotate-writes.js';

/** useCase and dataset as the API gives them; catOf: code -> category; closeMenus() closes the head's menus. */
export function useSession({ useCase, dataset, catOf, closeMenus }) {
  const calls = annotateApi(useCase.id, dataset.id);
  const cats = useCase.categories || [];
  const [study, setStudy] = useState(null);
  const [mode, setMode] = useState({ kind: 'loading' }); // loading | queue | revisit | done | finished
  const [count, setCount] = useState(null);
  const [skipped, setSkipped] = useState([]);
  const [mine, setMine] = useState({ total: 0, annotations: [] });
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const [boxes, setBoxes] = useState([]);
  const [selectedBox, setSelectedBox] = useState(null);
  const [boxCode, setBoxCode] = useState(cats[0] && cats[0].code);
  const [masks, setMasks] = useState(createMasks); // a segmentation study's masks, edited in place
  const [maskVersion, setMaskVersion] = useState(0); // bumped by every edit, so the page redraws
  const onScreen = useRef({ study: null, mode: { kind: 'loading' } }); // what is shown, for handlers between renders
  const seq = useRef(0); // bumped by every change of study the user asks for; stale confirmations are dropped
  const requestedAt = useRef(null);
  const session = useRef({ labelled: new Set(), changed: new Set(), skipped: new Set() });
  const lastQueue = useRef(null); // the new study left to revisit another one
  const writes = useWriteQueue(setError);
  const { enqueue, blockingAction, blocking } = writes;
  const ahead = useLookahead({ calls, datasetId: dataset.id, onScreen, lastQueue, session, mine, skipped });
  const { ordinalOf } = ahead;

  // -- data --
  async function refreshLists() {
    const ticket = seq.current;
    try {
      const [s, m] = await Promise.all([calls.skipped(), calls.mine()]);
      setSkipped(s.skipped || []);
      setMine(m);
      if (seq.current === ticket) setCount(m.total); // not when a newer label is on its way
    } catch (e) {
      setError(e);
    }
  }

  function show(view, next, { keepCount = false } = {}) {
    onScreen.current = { study: view, mode: next };
    setStudy(view);
    setMode(next);
    if (!keepCount) setCount(view.annotatedByYou);
    setBoxes(parseBoxes(view.annotation));
    setSelectedBox(null);
    setMasks(parseMasks(view.annotation, view.images || []));
    setMaskVersion((n) => n + 1);
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

  useEffect(() => {
    blockingAction(async () => {
      await Promise.all([calls.next().then(showNext), refreshLists(), ahead.loadOrder().catch(() => {})]);
    });
  }, []);

  /**
   * Label, boxes or skip, then the next study. When the next study is known and decoded it is shown at once and the
   * write follows in the background (then /next confirms it); otherwise the page waits for the server.
   */
  function advance(t0, write, countDelta, pressedCode) {
    const from = onScreen.current.study;
    if (!from || blocking.current) return;
    const guess = ahead.readyNext(from.studyUid);
    if (!guess) {
      if (pressedCode) writes.setPressed(pressedCode);
      seq.current += 1;
      blockingAction(async () => {
        await write(from);
        requestedAt.current = t0;
        showNext(await calls.next());
        refreshLists();
      });
      return;
    }
    ahead.forget(guess.studyUid);
    requestedAt.current = t0;
    const ticket = ++seq.current;
    show(guess, { kind: 'queue' }, { keepCount: true });
    if (countDelta) setCount((c) => (c === null ? c : c + countDelta));
    enqueue(async () => {
      try {
        await write(from);
      } catch (e) {
        // bring the study back, so the label is not lost unnoticed
        const again = await calls.study(from.studyUid).catch(() => null);
        if (again) {
          requestedAt.current = performance.now();
          show(again, { kind: 'revisit', from: 'failed' });
        }
        throw Object.assign(new Error(e.message), { error: e.error || 'not_saved',
          detail: `study ${ordinalOf(from.studyUid)} was not saved (${e.detail || e.message}); it is shown again` });
      }
      if (seq.current !== ticket) return; // the user has moved on meanwhile: a later action confirms
      const next = await calls.next();
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
      await calls.label(from.studyUid, code);
      recordSave(from, before, code, null);
    }, before ? 0 : 1, code);
  }

  function saveBoxes(list, t0 = performance.now()) {
    if (!onScreen.current.study || blocking.current) return;
    const before = onScreen.current.study.annotation;
    advance(t0, async (from) => {
      await calls.boxes(from.studyUid, list);
      recordSave(from, before, null, list);
    }, before ? 0 : 1);
  }

  /** Saves the masks of the study on screen (`list`: {imageId, runs}; empty: nothing found) and goes on. */
  function saveMasks(list = masksRequest(masks), t0 = performance.now()) {
    if (!onScreen.current.study || blocking.current) return;
    const before = onScreen.current.study.annotation;
    advance(t0, async (from) => {
      await calls.masks(from.studyUid, list);
      recordSave(from, before, null, null, list);
    }, before ? 0 : 1);
  }

  function skip(t0 = performance.now()) {
    const from = onScreen.current.study;
    if (!from || from.annotation || blocking.current) return;
    session.current.skipped.add(from.studyUid);
    advance(t0, async () => {
      const r = await calls.skip(from.studyUid);
      ahead.forget(from.studyUid);
      setSkipped(r.skipped || []);
      setNotice({ kind: 'skipped', uid: from.studyUid, text: `Study ${ordinalOf(from.studyUid)} skipped: find it `
        + 'again under Skipped.' });
    }, 0);
  }

  function recordSave(from, before, code, list, maskList) {
    const s = session.current;
    const n = ordinalOf(from.studyUid);
    const wasSkipped = s.skipped.has(from.studyUid) || skipped.includes(from.studyUid);
    s.skipped.delete(from.studyUid);
    ahead.forget(from.studyUid);
    if (!before) {
      s.labelled.add(from.studyUid);
      setNotice({ kind: 'saved', uid: from.studyUid, text: `Study ${n}${wasSkipped ? ' (skipped before)' : ''} `
        + `labelled ${describe(catOf, code, list, maskList)}.` });
    } else {
      const old = before.masks ? describe(catOf, null, null, before.masks)
        : before.boxes ? describe(catOf, null, parseBoxes(before)) : describe(catOf, before.code);
      const now = describe(catOf, code, list, maskList);
      const same = maskList ? before.masks === JSON.stringify(maskList)
        : list ? before.boxes === JSON.stringify(list) : before.code === code;
      if (!same) s.changed.add(from.studyUid);
      setNotice({ kind: same ? 'kept' : 'changed', uid: from.studyUid, text: same
        ? `Study ${n} kept its label ${now}.` : `Study ${n} changed from ${old} to ${now}.` });
    }
  }

  /** Shows study `uid` again, from the 'skipped' or 'annotated' menu. */
  function open(uid, from, t0 = performance.now()) {
    closeMenus();
    seq.current += 1;
    blockingAction(async () => {
      const view = await calls.study(uid);
      requestedAt.current = t0;
      show(view, { kind: 'revisit', from });
    });
  }

  function backToQueue(t0 = performance.now()) {
    seq.current += 1;
    blockingAction(async () => {
      const next = await calls.next();
      requestedAt.current = t0;
      showNext(next);
    });
  }

  function finish() {
    closeMenus();
    seq.current += 1;
    blockingAction(async () => {
      const m = await calls.mine();
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
      showNext(await calls.next());
      await refreshLists();
    });
  }

  /** The study labelled last, other than the one on screen. */
  function lastLabelled() {
    const a = mine.annotations.find((x) => !study || x.studyUid !== study.studyUid);
    return a && a.studyUid;
  }

  return {
    study, mode, count, skipped, mine, notice, error, boxes, setBoxes, selectedBox, setSelectedBox, boxCode,
    setBoxCode, masks, maskVersion, masksChanged: () => setMaskVersion((n) => n + 1), saveMasks, busy: writes.busy, saving: writes.saving, pressed: writes.pressed, blocking, onScreen, requestedAt,
    onDrawn: ahead.onDrawn, warm: ahead.warm, ordinalOf, label, saveBoxes, skip, open, backToQueue, finish, restart,
    lastLabelled,
  };
}
