// Data Manager (admins): register a dataset from a server folder or a PACS query, follow its prep job live, read
// what prep rejected (by reason) and which transfer syntaxes it met, prepare it again for new files only, and test
// the connection to each PACS of the server's sources file.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import {
  ErrorBox, Field, html, isActive, Loading, Stat, StatusTag, useAction, useApi, usePoll, when,
} from '../ui.js';
import './datamgr.css';

/** What each reject reason of prep means (docs/prep.md, "Reject reasons"). */
const REASONS = {
  not_dicom: 'not a DICOM file',
  no_pixel_data: 'DICOM without an image (a DICOMDIR, a report, …)',
  unsupported_transfer_syntax: 'no decoder for its transfer syntax',
  unsupported_pixel_format: 'no decoder for its pixel format',
  decode_failed: 'the pixel data is damaged',
  external_decoder_failed: 'the pixel data is damaged (gdcmconv failed)',
  size_mismatch: 'the pixel data does not match the header',
  burned_in_annotation: 'marked as holding burned-in text (allowBurnedIn once checked)',
  burned_in_unknown: 'may hold burned-in text: its modality often does (allowBurnedIn once checked)',
  missing_uid: 'no SOPInstanceUID or StudyInstanceUID',
  duplicate_instance: 'an instance already converted from another file',
  too_large: 'larger than the image bounds allow',
  unreadable: 'could not be read',
  render_failed: 'a frame could not be rendered',
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MODALITY = /^[A-Z0-9 _]{1,16}$/;

export default function DataManager({ me }) {
  const admin = me.role === 'admin';
  const datasets = useApi(admin ? '/datasets' : null);
  const sources = useApi(admin ? '/pacs-sources' : null);
  const [selected, setSelected] = useState(null);
  // prep jobs queued or running, by dataset: the list shows a ready dataset being prepared again
  const [active, setActive] = useState({});
  const before = useRef({});
  const loadActive = async () => {
    try {
      const [running, queued] = await Promise.all([api('/jobs?status=RUNNING'), api('/jobs?status=QUEUED')]);
      const next = {};
      [...running, ...queued].filter((j) => j.kind === 'prep' && j.datasetId)
        .forEach((j) => { next[j.datasetId] = j; });
      if (Object.keys(before.current).some((id) => !next[id])) datasets.reload(); // one ended: new counts, status
      before.current = next;
      setActive(next);
    } catch { /* the next poll tries again; the list shows its own errors */ }
  };
  usePoll(loadActive, 3000, admin);
  if (!admin) {
    return html`<div class="empty card" data-testid="admin-only"><h1>For admins only</h1>
      <p>Datasets are registered and prepared by admins. Ask one to add the data you need.</p></div>`;
  }
  const dataset = datasets.data && datasets.data.find((d) => d.id === selected);
  const changed = () => {
    datasets.reload();
    loadActive();
  };
  return html`<section class="datamgr-page">
    <h1>Data Manager</h1>
    <p class="muted">Register DICOM data as a dataset: a folder on the server, or a query to a PACS. Prep
      de-identifies it into images for annotation and tensors for training; files it cannot use are set aside with
      their reason. Preparing again converts only files it has not seen.</p>
    <div class="split">
      <${Register} sources=${sources} onMade=${(made) => { changed(); setSelected(made.dataset.id); }} />
      <div>
        <${ErrorBox} error=${datasets.error} />
        ${datasets.loading && !datasets.data && html`<${Loading} what="the datasets" />`}
        ${datasets.data && html`<${Datasets} rows=${datasets.data} active=${active} selected=${selected}
          onSelect=${setSelected} />`}
        ${dataset && html`<${DatasetDetail} key=${dataset.id} dataset=${dataset} active=${active[dataset.id]}
          onChange=${changed} />`}
      </div>
    </div>
    <${Sources} sources=${sources} />
  </section>`;
}

/** The registration form: a name, a use case, and a server folder or a PACS query. */
function Register({ sources, onMade }) {
  const useCases = useApi('/use-cases?limit=500');
  const [kind, setKind] = useState('folder');
  const [form, setForm] = useState({ name: '', useCaseId: '', folder: '', source: '', modality: 'MG', from: '',
    to: '', description: '' });
  const [problems, setProblems] = useState([]);
  const [made, setMade] = useState(null);
  const set = (field) => (e) => setForm({ ...form, [field]: e.currentTarget.value });
  const pacs = (sources.data && sources.data.sources) || [];
  const useCaseId = form.useCaseId || (useCases.data && useCases.data[0] && String(useCases.data[0].id)) || '';
  const source = form.source || (pacs[0] && pacs[0].name) || '';
  const [register, busy, error] = useAction(async () => {
    const found = check(form, kind, useCaseId, source);
    setProblems(found);
    if (found.length) return;
    const body = { name: form.name.trim(), useCaseId: Number(useCaseId),
      source: kind === 'folder' ? form.folder.trim() : pacsQuery(source, form) };
    const answer = await api('/datasets', { method: 'POST', body });
    setMade(answer);
    setForm({ ...form, name: '' });
    onMade(answer);
  });
  return html`<div class="card" data-testid="register">
    <h2 style="margin-top:0">Register a dataset</h2>
    <form onSubmit=${(e) => { e.preventDefault(); register(); }} noValidate>
      <${Field} label="Name" id="dm-name" help="Letters, digits, '_', '.' and '-'; unique.">
        <input id="dm-name" value=${form.name} autocomplete="off" onInput=${set('name')}
          placeholder="screening-2024" /><//>
      <${Field} label="Use case" id="dm-use-case">
        <select id="dm-use-case" value=${useCaseId} onChange=${set('useCaseId')}>
          ${(useCases.data || []).map((u) => html`<option value=${u.id}>${u.title} (${u.status})</option>`)}
        </select><//>
      <fieldset>
        <legend>Where the DICOM files are</legend>
        <label class="choice"><input type="radio" name="dm-kind" id="dm-kind-folder" checked=${kind === 'folder'}
          onChange=${() => setKind('folder')} /> A folder on the server</label>
        <label class="choice"><input type="radio" name="dm-kind" id="dm-kind-pacs" checked=${kind === 'pacs'}
          onChange=${() => setKind('pacs')} /> A PACS query</label>
        ${kind === 'folder' ? html`
          <${Field} label="Folder" id="dm-folder" help="A path on the server (or a Hadoop URI); read recursively.">
            <input id="dm-folder" value=${form.folder} autocomplete="off" onInput=${set('folder')}
              placeholder="/archive/mammo/2024" /><//>` : html`
          <${Field} label="PACS" id="dm-source" help=${pacs.length ? 'A source of the server\'s sources file.'
            : 'The server\'s sources file lists no PACS (see PACS sources below).'}>
            <select id="dm-source" value=${source} onChange=${set('source')} disabled=${!pacs.length}>
              ${pacs.map((p) => html`<option value=${p.name}>${p.name}</option>`)}
            </select><//>
          <${Field} label="Modality" id="dm-modality" help="A modality in the study, e.g. MG; empty: any.">
            <input id="dm-modality" value=${form.modality} onInput=${set('modality')} autocomplete="off" /><//>
          <div class="dm-dates">
            <${Field} label="Study date from" id="dm-from"><input id="dm-from" type="date" value=${form.from}
              onInput=${set('from')} /><//>
            <${Field} label="to" id="dm-to"><input id="dm-to" type="date" value=${form.to} onInput=${set('to')} /><//>
          </div>
          <p class="help dm-dates-help">Either end may be left open.</p>
          <${Field} label="Study description" id="dm-description" help="DICOM wildcards: * and ?; empty: any.">
            <input id="dm-description" value=${form.description} onInput=${set('description')} autocomplete="off"
              placeholder="*SCREENING*" /><//>
          <p class="help">Prep pulls the matching studies first (only new ones on later runs), then converts them.</p>`}
      </fieldset>
      ${problems.length > 0 && html`<ul class="error dm-problems" role="alert" data-testid="register-problems">
        ${problems.map((p) => html`<li>${p}</li>`)}</ul>`}
      <${ErrorBox} error=${error || useCases.error} />
      <button class="primary" id="dm-register" disabled=${busy}>Register and prepare</button>
    </form>
    ${made && html`<div class="ok" data-testid="registered" style="margin-top:0.6rem">${
      `Dataset ${made.dataset.name} was registered, and its prep job ${made.job.id} queued.`}</div>`}
  </div>`;
}

/** What is wrong with the form, each in a sentence; empty when it can be sent. */
function check(form, kind, useCaseId, source) {
  const out = [];
  const name = form.name.trim();
  if (!name) out.push('Give the dataset a name.');
  else if (!NAME.test(name)) out.push(`The name may hold letters, digits, '_', '.' and '-', starting with a letter or a digit; "${name}" does not.`);
  if (!useCaseId) out.push('Choose a use case (define one first on the Define page).');
  if (kind === 'folder') {
    if (!form.folder.trim()) out.push('Give the folder on the server that holds the DICOM files.');
  } else {
    if (!source) out.push('Choose a PACS: the server\'s sources file lists none.');
    if (form.modality.trim() && !MODALITY.test(form.modality.trim().toUpperCase())) {
      out.push(`The modality is a DICOM code such as MG or CT; "${form.modality.trim()}" is not.`);
    }
    if (form.from && form.to && form.from > form.to) out.push('The date range ends before it starts.');
  }
  return out;
}

/** The PACS query as prep reads it: dicomweb://SOURCE?modality=&from=&to=&description= (empty keys left out). */
export function pacsQuery(source, form) {
  return `dicomweb://${source}${query({ modality: form.modality.trim().toUpperCase(), from: form.from, to: form.to,
    description: form.description.trim() })}`;
}

function Datasets({ rows, active, selected, onSelect }) {
  if (!rows.length) {
    return html`<div class="card muted" data-testid="no-datasets">No datasets yet: register one with the form.</div>`;
  }
  return html`<div class="card"><table data-testid="datasets">
    <thead><tr><th>Dataset</th><th>Source</th><th>Status</th><th class="num">Studies</th><th class="num">Images</th>
      <th>Registered</th></tr></thead>
    <tbody>${rows.map((d) => html`<tr data-testid="dataset-row" data-dataset=${d.id} data-status=${d.status}
      data-preparing=${active[d.id] ? 'true' : 'false'} class=${d.id === selected ? 'selected' : ''}>
      <td class="dm-name"><button class="link" onClick=${() => onSelect(d.id)} aria-pressed=${d.id === selected}>
        ${d.name}</button>
        ${d.hidden && html` <span class="tag" title="a challenge's test or final set">hidden</span>`}</td>
      <td class="dm-source"><code class="path">${d.source}</code></td>
      <td><span class=${`tag tag-${d.status}`}>${d.status}</span>${active[d.id] && d.status !== 'preparing'
        && html` <span class="tag tag-running">preparing again</span>`}</td>
      <td class="num">${d.studies}</td><td class="num">${d.images}</td><td>${when(d.createdAt)}</td></tr>`)}
    </tbody></table></div>`;
}

/** One dataset: its prep job live, then its summary; Prepare again. */
function DatasetDetail({ dataset, active, onChange }) {
  const [jobId, setJobId] = useState(dataset.jobId);
  const [job, setJob] = useState(null);
  useEffect(() => { // a prep of it started elsewhere: follow that one
    if (active && active.id !== jobId) {
      setJob(null);
      setJobId(active.id);
    }
  }, [active]);
  const [progress, setProgress] = useState(null);
  const [pollError, setPollError] = useState(null);
  const seen = useRef(null); // the status the last poll saw, to notice the job's end
  const running = !job || isActive(job.status);
  usePoll(async () => {
    if (!jobId) return;
    try {
      const [j, p] = await Promise.all([api(`/jobs/${jobId}`), api(`/jobs/${jobId}/progress`)]);
      setProgress(p.events[p.events.length - 1] || null);
      setPollError(null);
      if (seen.current && isActive(seen.current) && !isActive(j.status)) onChange();
      seen.current = j.status;
      setJob(j);
    } catch (e) {
      setPollError(e);
    }
  }, 1500, !!jobId && running);
  // the summary of every run so far; asked again each time the job's status changes (a re-run's shows at its end)
  const summary = useApi(job && (job.status === 'SUCCEEDED' || dataset.images > 0)
    ? `/datasets/${dataset.id}/summary?job=${job.id}&status=${job.status}` : null);
  const [again, busy, againError] = useAction(async () => {
    const answer = await api(`/datasets/${dataset.id}/prepare`, { method: 'POST' });
    seen.current = answer.job.status;
    setJob(answer.job);
    setProgress(null);
    setJobId(answer.job.id);
    onChange();
  });
  return html`<div class="card dm-detail" data-testid="dataset-detail" data-dataset=${dataset.id}>
    <div class="toolbar"><h2 style="margin:0">${dataset.name}</h2><div class="spacer"></div>
      <button id="dm-again" onClick=${again} disabled=${busy || running || !jobId}
        title="Prep converts only the files it has not seen; a PACS query pulls only new studies">
        Prepare again (new files only)</button></div>
    <p class="help">Source <code class="path">${dataset.source}</code>${dataset.path && html`, written to
      <code class="path">${dataset.path}</code>`}.</p>
    <${ErrorBox} error=${againError || pollError} />
    ${!jobId && html`<p class="muted">This dataset was never queued for prep; register it again.</p>`}
    ${jobId && !job && html`<${Loading} what="the prep job" />`}
    ${job && html`<${PrepJob} job=${job} progress=${progress} />`}
    ${summary.error && summary.error.status !== 404 && html`<${ErrorBox} error=${summary.error} />`}
    ${summary.data && html`<${Summary} summary=${summary.data} />`}
  </div>`;
}

/** The prep job: status, files done of the total, images and rejects so far; the reason and the log's end if it failed. */
function PrepJob({ job, progress }) {
  const total = progress ? progress.files_total : null;
  const doneFiles = progress ? Math.min(progress.files_done, total) : 0;
  const share = total ? doneFiles / total : (job.status === 'SUCCEEDED' ? 1 : 0);
  const failed = job.status === 'FAILED' || job.status === 'CANCELLED';
  const log = useApi(failed ? `/jobs/${job.id}/log?bytes=3000` : null);
  return html`<div data-testid="prep-job" data-job=${job.id} data-status=${job.status}>
    <div class="toolbar"><strong>Prep job ${job.id}</strong> <${StatusTag} status=${job.status} />
      <span class="muted">${job.startedAt ? `started ${when(job.startedAt)}` : `queued ${when(job.submittedAt)}`}
      </span></div>
    ${(isActive(job.status) || progress) && html`<div class="progressbar" role="progressbar" aria-label="files prepared"
      aria-valuemin="0" aria-valuemax=${total || 0} aria-valuenow=${doneFiles}>
      <div style=${{ width: `${Math.round(100 * share)}%` }}></div></div>
      <p class="help" data-testid="prep-progress">${progressText(job, progress, doneFiles, total)}</p>`}
    ${failed && html`<div class="error" role="alert" data-testid="prep-failed"><strong>${job.status.toLowerCase()}
      </strong>: ${job.reason || 'see the log'}</div>
      ${log.data && html`<details><summary>The end of its log</summary><pre class="dm-log">${log.data}</pre>
      </details>`}`}
  </div>`;
}

function progressText(job, progress, doneFiles, total) {
  if (!progress) return isActive(job.status) ? 'Starting: pulling from the PACS or listing the folder…' : '';
  if (total === 0) return progress.state === 'done' ? 'No new files to convert.' : 'Listing…';
  return `${doneFiles} of ${total} new files, ${progress.images} images, ${progress.rejected} rejected, `
    + `${Math.round(progress.elapsed_s)} s${progress.state === 'done' ? ' (done)' : ''}`;
}

/** The prep summary: totals, the latest run, rejects by reason, files by transfer syntax. */
function Summary({ summary }) {
  const reasons = Object.entries(summary.rejectReasons || {}).sort((a, b) => b[1] - a[1]);
  const syntaxes = Object.entries(summary.transferSyntaxes || {})
    .sort((a, b) => (b[1].converted + b[1].rejected) - (a[1].converted + a[1].rejected));
  const last = summary.lastRun || {};
  return html`<div data-testid="summary">
    <div class="stats">
      <${Stat} id="converted" label="files converted" value=${summary.converted} />
      <${Stat} id="images" label="images" value=${summary.images} />
      <${Stat} id="rejected" label="files rejected" value=${summary.rejected} />
      <${Stat} id="last-run" label="new files in the latest run" value=${last.filesProcessed ?? '–'}
        hint=${last.filesListed !== undefined ? `of ${last.filesListed} listed` : ''} />
    </div>
    ${last.filesProcessed === 0 && html`<p class="notice" data-testid="nothing-new">The latest run found nothing new:
      every file listed had been prepared before.</p>`}
    <div class="row">
      <div class="grow"><h3>Rejected files by reason</h3>
        ${reasons.length ? html`<table data-testid="rejects"><thead><tr><th>Reason</th><th>Meaning</th>
          <th class="num">Files</th></tr></thead><tbody>${reasons.map(([reason, n]) => html`<tr data-testid="reject-row"
          data-reason=${reason} data-count=${n}><td><code>${reason}</code></td><td>${REASONS[reason] || ''}</td>
          <td class="num">${n}</td></tr>`)}</tbody></table>`
          : html`<p class="muted" data-testid="no-rejects">None: every file was converted.</p>`}
        <p class="help">Which files they were is in the dataset's private rejects table, for admins on the server
          (folder names often identify patients).</p></div>
      <div class="grow"><h3>Transfer syntaxes</h3>
        ${syntaxes.length ? html`<table data-testid="syntaxes"><thead><tr><th>Transfer syntax</th>
          <th class="num">Converted</th><th class="num">Rejected</th></tr></thead><tbody>${syntaxes.map(([uid, s]) =>
          html`<tr data-testid="syntax-row" data-uid=${uid} data-converted=${s.converted} data-rejected=${s.rejected}>
          <td>${uid === 'null' || !uid ? html`<span class="muted">none (not read as DICOM)</span>`
            : html`${s.name || uid}<div class="help"><code>${uid}</code></div>`}</td><td class="num">${s.converted}</td>
          <td class="num">${s.rejected}</td></tr>`)}</tbody></table>`
          : html`<p class="muted">No DICOM file read yet.</p>`}</div>
    </div>
  </div>`;
}

/** The PACS of the server's sources file, each with a connection test. */
function Sources({ sources }) {
  const list = sources.data ? sources.data.sources : [];
  return html`<div class="card dm-sources" data-testid="pacs-sources"><h2 style="margin-top:0">PACS sources</h2>
    <p class="help">The PACS this server can pull from are listed in <code>pacs.json</code> in its workspace, with
      their credentials, readable by the server's user only (<code>chmod 600</code>). Edit that file on the server
      to add or change one (docs/pacs.md, "Tell RadLab where the PACS is"); credentials never pass through these
      pages.</p>
    ${sources.loading && !sources.data && html`<${Loading} what="the PACS sources" />`}
    ${sources.error && html`<div class="notice" role="status" data-testid="sources-problem"><strong>No PACS can be
      used:</strong> ${sources.error.detail || sources.error.message}</div>`}
    ${sources.data && (list.length ? html`<table><thead><tr><th>Name</th><th>DICOMweb root</th><th>Credentials</th>
      <th>Connection</th></tr></thead><tbody>${list.map((s) => html`<${SourceRow} key=${s.name} source=${s} />`)}
      </tbody></table>` : html`<p class="muted">The sources file lists no PACS.</p>`)}
  </div>`;
}

function SourceRow({ source }) {
  const [result, setResult] = useState(null);
  const [test, busy, error] = useAction(async () => {
    setResult(null);
    setResult(await api(`/pacs-sources/${encodeURIComponent(source.name)}/test`, { method: 'POST' }));
  });
  return html`<tr data-testid="source-row" data-source=${source.name}>
    <td>${source.name}</td><td><code class="path">${source.url}</code></td>
    <td>${source.credentials ? 'user and password set' : html`<span class="muted">none</span>`}</td>
    <td><button class="small" data-testid="test-connection" onClick=${test} disabled=${busy}>
      ${busy ? 'Testing…' : 'Test connection'}</button>
      <div aria-live="polite">${result && html`<div data-testid="test-result" data-ok=${String(result.ok)}
        data-reason=${result.reason || ''} class=${result.ok ? 'ok dm-result' : 'error dm-result'}>${result.ok
        ? `Connected in ${result.millis} ms; the test query (at most ${result.limit} studies) saw ${result.studies}.`
        : html`<strong>${result.reason.replaceAll('_', ' ')}</strong>: ${result.detail}`}</div>`}
      <${ErrorBox} error=${error} /></div></td></tr>`;
}
