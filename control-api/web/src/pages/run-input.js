// The Run page's two ways to give a model an image: one of a prepared dataset (dataset -> study -> image), or an
// uploaded DICOM or PNG file.
import { useEffect, useState } from 'preact/hooks';
import { objectUrl, query } from '../api.js';
import { ErrorBox, Field, html, Loading, useApi } from '../ui.js';
import { bytes } from './run-model.js';

const STUDY_PAGE = 100;

/** An image endpoint shown as <img>: PNG endpoints need the token, so the image is fetched, then shown. */
export function Thumb({ path, alt, className = 'thumb-img', onLoad }) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const ctl = new AbortController();
    let made = null;
    setUrl(null);
    setError(null);
    objectUrl(path, ctl.signal).then((u) => {
      made = u;
      setUrl(u);
    }).catch((e) => {
      if (e.name !== 'AbortError') setError(e);
    });
    return () => {
      ctl.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [path]);
  if (error) return html`<div class="thumb-missing" title=${error.message}>image not available</div>`;
  if (!url) return html`<div class="thumb-missing">loading…</div>`;
  return html`<img class=${className} src=${url} alt=${alt} onLoad=${onLoad} />`;
}

/** How an image of a dataset is described: "right MLO". */
export function view(image) {
  const side = { R: 'right', L: 'left' }[image.laterality] || image.laterality || '';
  return [side, image.viewPosition].filter(Boolean).join(' ') || 'image';
}

/**
 * Dataset -> study -> image. `onChoose(choice)` gets {datasetId, datasetName, study, image} when an image is
 * clicked; `chosen` is the current choice (highlighted).
 */
export function DatasetImagePicker({ datasets, defaultDatasetId, chosen, onChoose }) {
  const ready = (datasets || []).filter((d) => d.status === 'ready');
  const [datasetId, setDatasetId] = useState(null);
  const [page, setPage] = useState(0);
  const [study, setStudy] = useState(null);
  useEffect(() => {
    if (datasetId || !ready.length) return;
    const preferred = ready.find((d) => d.id === defaultDatasetId) || ready[0];
    setDatasetId(preferred.id);
  }, [ready.length, defaultDatasetId]);
  const dataset = ready.find((d) => d.id === datasetId);
  const studies = useApi(datasetId ? `/datasets/${datasetId}/studies${query({ limit: STUDY_PAGE,
    offset: page * STUDY_PAGE })}` : null);
  useEffect(() => {
    const list = studies.data || [];
    if (list.length && !list.some((s) => s.studyUid === study)) setStudy(list[0].studyUid);
  }, [studies.data]);
  const images = useApi(datasetId && study ? `/datasets/${datasetId}/images${query({ study })}` : null);
  // A study's first image is chosen for you, so one click runs the model.
  useEffect(() => {
    const list = images.data || [];
    if (list.length && !(chosen && chosen.image && list.some((im) => im.imageId === chosen.image.imageId))) {
      onChoose({ datasetId, datasetName: dataset && dataset.name, study, image: list[0] });
    }
  }, [images.data]);
  const pages = dataset ? Math.max(1, Math.ceil(dataset.studies / STUDY_PAGE)) : 1;

  if (!ready.length) {
    return html`<p class="muted">No dataset is ready yet. Upload a file instead, or ask your admin to prepare one.</p>`;
  }
  return html`<div class="dataset-image-picker">
    <div class="row">
      <div class="grow">
        <${Field} label="Dataset" id="run-dataset" help="A prepared dataset: its images were converted the same way as
          the model’s training images.">
          <select id="run-dataset" value=${datasetId || ''} onChange=${(e) => {
            setDatasetId(Number(e.currentTarget.value));
            setPage(0);
            setStudy(null);
          }}>
            ${ready.map((d) => html`<option value=${d.id}>${d.name} (${d.studies} studies)</option>`)}
          </select>
        <//>
      </div>
      <div class="grow">
        <${Field} label="Study" id="run-study" help=${pages > 1
          ? `Studies ${page * STUDY_PAGE + 1}–${Math.min(dataset.studies, (page + 1) * STUDY_PAGE)} of ${dataset.studies},
            in annotation order.` : 'In annotation order; patients are shown by their pseudonym.'}>
          <select id="run-study" value=${study || ''} onChange=${(e) => setStudy(e.currentTarget.value)}>
            ${(studies.data || []).map((s) => html`<option value=${s.studyUid}>
              Study ${s.ordinal + 1} · ${s.patientId} · ${s.images} images</option>`)}
          </select>
        <//>
        ${pages > 1 && html`<div class="toolbar">
          <button class="small" disabled=${page === 0} onClick=${() => { setPage(page - 1); setStudy(null); }}>
            ← previous ${STUDY_PAGE}</button>
          <button class="small" disabled=${page >= pages - 1} onClick=${() => { setPage(page + 1); setStudy(null); }}>
            next ${STUDY_PAGE} →</button>
        </div>`}
      </div>
    </div>
    <${ErrorBox} error=${studies.error || images.error} />
    ${images.loading && html`<${Loading} what="images" />`}
    <div class="thumbs" role="listbox" aria-label="images of the study">
      ${(images.data || []).map((im) => {
        const active = chosen && chosen.image && chosen.image.imageId === im.imageId;
        return html`<button type="button" class=${`thumb ${active ? 'chosen' : ''}`} role="option"
          aria-selected=${active} data-image=${im.imageId} title=${`image ${im.imageId}`}
          onClick=${() => onChoose({ datasetId, datasetName: dataset.name, study: study, image: im })}>
          <${Thumb} path=${`/datasets/${datasetId}/images/${im.imageId}/png`} alt=${view(im)} />
          <span>${view(im)}</span>
        </button>`;
      })}
    </div>
    <p class="help">Click an image to choose it.</p>
  </div>`;
}

/** The Content-Type an upload is sent with: PNG, DICOM, or (unknown) let the server look at the bytes. */
export function uploadType(file) {
  const name = file.name.toLowerCase();
  if (file.type === 'image/png' || name.endsWith('.png')) return 'image/png';
  if (file.type === 'application/dicom' || /\.(dcm|dicom|dic)$/.test(name) || !name.includes('.')) {
    return 'application/dicom';
  }
  return 'application/octet-stream';
}

/** A file chosen from the computer (or dropped on the box). */
export function UploadPicker({ file, onFile }) {
  const [over, setOver] = useState(false);
  return html`<div class=${`dropzone ${over ? 'over' : ''}`}
    onDragOver=${(e) => { e.preventDefault(); setOver(true); }}
    onDragLeave=${() => setOver(false)}
    onDrop=${(e) => {
      e.preventDefault();
      setOver(false);
      if (e.dataTransfer.files.length) onFile(e.dataTransfer.files[0]);
    }}>
    <${Field} label="Image file" id="run-upload" help="A DICOM file (it goes through the same pixel pipeline as prepared
      datasets: windowing, inverted MONOCHROME1, left breasts flipped) or a PNG. You can also drop the file here.">
      <input id="run-upload" type="file" accept=".dcm,.dicom,.png,application/dicom,image/png"
        onChange=${(e) => e.currentTarget.files[0] && onFile(e.currentTarget.files[0])} />
    <//>
    ${file && html`<p class="muted" data-testid="upload-name">${`${file.name} · ${bytes(file.size)} · sent as `
      + uploadType(file)}</p>`}
  </div>`;
}
