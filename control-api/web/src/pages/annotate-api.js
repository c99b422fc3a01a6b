// The requests of the Annotate page for one use case and dataset: the next study to label, a study's view, saving
// a label, boxes or masks, skipping, the skipped list, the user's recent annotations, the dataset's study order and a
// study's images (the viewer fetches the PNGs itself, see annotate-images.js). No Preact.
import { api } from '../api.js';

export function annotateApi(useCaseId, datasetId) {
  const base = `/annotate/${useCaseId}/${datasetId}`;
  const studyPath = (uid) => `${base}/studies/${encodeURIComponent(uid)}`;
  return {
    /** The next study to label, or {done: true, detail} when none is left. */
    async next() {
      try {
        return await api(`${base}/next`);
      } catch (e) {
        if (e.error === 'no_more_studies') return { done: true, detail: e.detail };
        throw e;
      }
    },
    study: (uid) => api(studyPath(uid)),
    label: (uid, code) => api(studyPath(uid), { method: 'POST', body: { code } }),
    boxes: (uid, boxes) => api(studyPath(uid), { method: 'POST', body: { boxes } }),
    masks: (uid, masks) => api(studyPath(uid), { method: 'POST', body: { masks } }),
    skip: (uid) => api(`${studyPath(uid)}/skip`, { method: 'POST' }),
    skipped: () => api(`${base}/skipped`),
    /** The user's 100 most recent annotations of this use case and dataset, and their total. */
    mine: () => api(`/annotations?useCaseId=${useCaseId}&datasetId=${datasetId}&limit=100`),
    images: (uid) => api(`/datasets/${datasetId}/images?study=${encodeURIComponent(uid)}`),
    /** Every study of the dataset in its order ({studyUid, ordinal, ...}), a thousand per request. */
    async studyOrder() {
      const list = [];
      for (let offset = 0; offset < 20000; offset += 1000) {
        const page = await api(`/datasets/${datasetId}/studies?limit=1000&offset=${offset}`);
        list.push(...page);
        if (page.length < 1000) break;
      }
      return list;
    },
  };
}
