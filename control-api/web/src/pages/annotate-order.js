// What comes next on the Annotate page: the dataset's study order (studies are called "#12" by it), the guess of
// which studies the user labels after the one on screen, and fetching those studies and decoding their images
// ahead, so that the next study shows at once. Also warms a study's images when the pointer rests on a link to it.
import { useRef, useState } from 'preact/hooks';
import { shortUid } from './annotate-format.js';
import { loadImage } from './annotate-images.js';

/**
 * `calls` is the page's annotateApi; onScreen, lastQueue (the new study left to revisit another one) and session
 * (this session's labelled and skipped studies) are the page's refs; mine and skipped its lists from the server.
 */
export function useLookahead({ calls, datasetId, onScreen, lastQueue, session, mine, skipped }) {
  const [, setOrderTick] = useState(0);
  const order = useRef({ list: [], ordinal: new Map() });
  const ahead = useRef(new Map()); // studyUid -> {view, ready}: studies fetched ahead, images decoded once ready

  async function loadOrder() {
    const list = await calls.studyOrder();
    order.current = { list, ordinal: new Map(list.map((s) => [s.studyUid, s.ordinal])) };
    setOrderTick((t) => t + 1);
    if (onScreen.current.study) onDrawn(onScreen.current.study.studyUid); // now the next study can be guessed
  }

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

  /** Called once a study is drawn: fetches the studies that probably come next and decodes their images. */
  function onDrawn(uid) {
    predictNext(uid).forEach((next) => {
      if (ahead.current.has(next)) return;
      if (lastQueue.current && lastQueue.current.studyUid === next) {
        ahead.current.set(next, { view: lastQueue.current, ready: false });
      } else {
        ahead.current.set(next, { view: null, ready: false });
      }
      const entry = ahead.current.get(next);
      (entry.view ? Promise.resolve(entry.view) : calls.study(next))
        .then((view) => {
          entry.view = view;
          return Promise.all(view.images.map((im) => loadImage(datasetId, im.imageId)));
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
    calls.images(uid)
      .then((images) => images.forEach((im) => loadImage(datasetId, im.imageId).catch(() => {})))
      .catch(() => ahead.current.delete(`warm:${uid}`));
  }

  /** The study to show at once after this one, if it is fetched and its images decoded. */
  function readyNext(fromUid) {
    const [uid] = predictNext(fromUid);
    const entry = uid && ahead.current.get(uid);
    return entry && entry.ready && !entry.view.annotation ? entry.view : null;
  }

  /** Forgets what was fetched ahead for a study (it was shown, labelled or skipped). */
  function forget(uid) {
    ahead.current.delete(uid);
  }

  /** "#12" by the dataset's order, or the end of the study UID while the order is not known. */
  function ordinalOf(uid) {
    const o = order.current.ordinal.get(uid);
    return o === undefined ? shortUid(uid) : `#${o + 1}`;
  }

  return { loadOrder, onDrawn, warm, readyNext, forget, ordinalOf };
}
