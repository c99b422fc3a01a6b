// Publish: export a model package (weights, model.json, model card, checksums) to a folder of the workspace or to
// a web endpoint, see what was written, and every earlier attempt.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, Field, html, Loading, navigate, StatusTag, useAction, useApi, when } from '../ui.js';
import { bytes, ModelDetail, ModelPicker, useModelPage } from './run-model.js';
import './run.css';
import './publish.css';

const FOLDER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export default function Publish({ me }) {
  const { modelId, models, datasets, detail, useCase } = useModelPage('/publish');
  const history = useApi(modelId ? `/models/${modelId}/publications` : null);

  const current = detail.data && detail.data.model.id === modelId ? detail.data : null;
  return html`<section class="publish-page">
    <div class="toolbar">
      <h1 style="margin:0">Publish a model</h1>
      <span class="spacer"></span>
      ${modelId && html`<a href=${`/run?model=${modelId}`}>Try this model on an image →</a>`}
    </div>
    <p class="muted">Publishing exports a model as a package other systems can load: its weights, its description
      (<code>model.json</code>), a readable model card (<code>MODEL_CARD.md</code>: architecture, categories, input,
      training data, validation results, learning curves) and a <code>SHA256SUMS</code> file to check that nothing was
      changed on the way.</p>
    <${ErrorBox} error=${models.error} />
    ${models.loading && !models.data && html`<${Loading} what="your models" />`}
    ${models.data && models.data.length === 0 && html`<div class="empty card"><h2>No model yet</h2>
      <p>Train one on the <a href="/create">Create</a> page first.</p></div>`}
    ${models.data && models.data.length > 0 && html`<div class="split publish-split">
      <div class="card">
        <h2 style="margin-top:0">Model</h2>
        <${ModelPicker} models=${models.data} datasets=${datasets.data} value=${modelId}
          onChange=${(id) => navigate(`/publish?model=${id}`, { replace: true })} />
        <${ErrorBox} error=${detail.error} />
        ${current && html`<${ModelDetail} detail=${current} useCase=${useCase.data} compact=${true} />`}
      </div>
      <div>
        ${current && html`<${PublishForm} key=${modelId} me=${me} detail=${current}
          onPublished=${() => history.reload()} />`}
        <div class="card" style="margin-top:1rem">
          <h2 style="margin-top:0">Publication history</h2>
          <p class="help">Every attempt to publish this model, successful or not, newest first. Tokens are never
            stored.</p>
          <${ErrorBox} error=${history.error} />
          ${history.data && html`<${History} rows=${history.data} me=${me} />`}
        </div>
      </div>
    </div>`}
  </section>`;
}

/** The files of a package: the card names the weights file; the others are always there. */
function packageFiles(card) {
  return [(card && card.weights) || 'weights', 'model.json', 'MODEL_CARD.md', 'SHA256SUMS'];
}

function explain(e) {
  if (!e) return e;
  if (e.status === 409) {
    return { error: 'not published', detail: `${e.detail}. A package folder is never overwritten: choose another `
      + 'folder name, or remove the old package first.' };
  }
  if (e.status === 502) {
    return { error: 'the endpoint did not accept the package', detail: `${e.detail}. Check the address and the `
      + 'token, or ask whoever runs the endpoint.' };
  }
  return e;
}

function PublishForm({ me, detail, onPublished }) {
  const modelId = detail.model.id;
  const [kind, setKind] = useState('directory');
  const [directory, setDirectory] = useState(`radlab-models`);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [result, setResult] = useState(null);
  const admin = me && me.role === 'admin';

  const directoryOk = FOLDER.test(directory) || (admin && directory.startsWith('/'));
  let urlOk = false;
  try {
    const u = new URL(url);
    urlOk = u.protocol === 'http:' || u.protocol === 'https:';
  } catch { urlOk = false; }

  const [publish, busy, error, clear] = useAction(async () => {
    setResult(null);
    const body = kind === 'directory' ? { directory } : { url, ...(token ? { token } : {}) };
    try {
      const p = await api(`/models/${modelId}/publish`, { method: 'POST', body });
      setResult(p);
      return p;
    } finally {
      onPublished();
    }
  });

  return html`<div class="card">
    <h2 style="margin-top:0">Destination</h2>
    <form onSubmit=${(e) => { e.preventDefault(); publish(); }}>
      <fieldset>
        <legend>Where to</legend>
        <label class="choice"><input type="radio" name="kind" id="dest-directory" checked=${kind === 'directory'}
          onChange=${() => { setKind('directory'); clear(); }} /> A folder in the RadLab workspace</label>
        <label class="choice"><input type="radio" name="kind" id="dest-url" checked=${kind === 'url'}
          onChange=${() => { setKind('url'); clear(); }} /> A web endpoint (HTTP upload)</label>
      </fieldset>
      ${kind === 'directory' ? html`
        <${Field} label="Folder name" id="publish-directory" help=${`The package is written to `
          + `published/${FOLDER.test(directory) ? directory : '<folder>'}/radlab-model-${modelId}/ in the workspace, `
          + 'whole or not at all. Letters, digits, dots, dashes and underscores'
          + (admin ? '; as an admin you may also give an absolute path on the server.' : '.')}>
          <input id="publish-directory" value=${directory} onInput=${(e) => setDirectory(e.currentTarget.value)}
            aria-invalid=${!directoryOk} autocomplete="off" />
        <//>
        ${!directoryOk && directory && html`<p class="error">This is not a valid folder name.</p>`}
      ` : html`
        <${Field} label="Endpoint address" id="publish-url" help="The package is sent there as one zip file (POST,
          Content-Type application/zip) with its checksum in the X-RadLab-SHA256 header. Any 2xx answer counts as
          success.">
          <input id="publish-url" type="url" placeholder="https://models.example.org/upload" value=${url}
            onInput=${(e) => setUrl(e.currentTarget.value)} autocomplete="off" />
        <//>
        <${Field} label="Access token (optional)" id="publish-token" help="Sent as “Authorization: Bearer …” to the
          endpoint, never stored by RadLab.">
          <input id="publish-token" type="password" value=${token} onInput=${(e) => setToken(e.currentTarget.value)}
            autocomplete="off" />
        <//>
      `}
      <button class="primary" id="publish-submit" disabled=${busy || (kind === 'directory' ? !directoryOk : !urlOk)}>
        ${busy ? 'Publishing…' : `Publish model ${modelId}`}</button>
    </form>
    <div data-testid="publish-error"><${ErrorBox} error=${explain(error)} /></div>
    ${result && html`<${Published} p=${result} files=${packageFiles(detail.card)} />`}
  </div>`;
}

function Published({ p, files }) {
  return html`<div class="ok published" data-testid="publish-result" data-id=${p.id}>
    <strong>Published.</strong> ${p.kind === 'directory' ? 'The package was written to ' : 'The package was sent to '}<code class="path" data-testid="publish-destination">${p.destination}</code>
    <table class="facts">
      <tbody>
        <tr><th>Files</th><td data-testid="publish-files">${files.map((f) => html`<code>${f}</code> `)}${
          p.kind === 'http' ? html`<div class="help">in one zip, under a folder named radlab-model-${p.modelId}</div>`
            : ''}</td></tr>
        <tr><th>Size</th><td data-testid="publish-bytes" data-value=${p.bytes}>${`${bytes(p.bytes)} `}
          <span class="muted">${`(${p.bytes.toLocaleString()} bytes${p.kind === 'http' ? ', the zip' : ''})`}</span></td></tr>
        <tr><th>Checksum</th><td><code class="sha" data-testid="publish-sha">${p.sha256}</code>
          <div class="help">${p.kind === 'http' ? 'SHA-256 of the zip that was sent.'
            : 'SHA-256 of the package’s SHA256SUMS file, which in turn holds the checksum of every other file '
              + '(check them with “sha256sum -c SHA256SUMS” in the package folder).'}</div></td></tr>
        ${p.detail && html`<tr><th>Answer</th><td>${p.detail}</td></tr>`}
      </tbody>
    </table>
  </div>`;
}

function History({ rows, me }) {
  if (!rows.length) return html`<p class="muted" data-testid="history-empty">This model has not been published yet.</p>`;
  return html`<table class="history" data-testid="history">
    <thead><tr><th>When</th><th>By</th><th>Destination</th><th>Outcome</th><th class="num">Size</th>
      <th>Checksum</th></tr></thead>
    <tbody>
      ${rows.map((p) => html`<tr data-testid="history-row" data-id=${p.id} data-status=${p.status}>
        <td>${when(p.createdAt)}</td>
        <td>${me && p.userId === me.id ? 'you' : `user ${p.userId}`}</td>
        <td><span class="tag">${p.kind === 'http' ? 'web' : 'folder'}</span>${' '}
          <code class="path" data-testid="history-destination">${p.destination}</code></td>
        <td><${StatusTag} status=${p.status} />${p.detail && html`<div class="help">${p.detail}</div>`}</td>
        <td class="num" data-value=${p.bytes}>${bytes(p.bytes)}</td>
        <td><code class="sha" title=${p.sha256} data-value=${p.sha256}>${(p.sha256 || '').slice(0, 12)}…</code></td>
      </tr>`)}
    </tbody>
  </table>`;
}
