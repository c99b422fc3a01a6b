// The only way the pages talk to the server: the REST API under /api, with the signed-in user's token.

const TOKEN_KEY = 'radlab.token';

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the API: {error, detail} and the HTTP status. */
export class ApiError extends Error {
  constructor(status, error, detail) {
    super(detail || error || `HTTP ${status}`);
    this.status = status;
    this.error = error;
    this.detail = detail;
  }
}

const listeners = new Set();
/** Called with every 401, so the app can send the user to sign in. */
export function onUnauthorized(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Calls the API. `body` is sent as JSON unless it is a Blob/File/string with `type` given; `accept` asks for another
 * kind of answer (a segmenter's DICOM SEG).
 * Returns the parsed JSON (or the Response for `raw`), throws ApiError on a non-2xx answer.
 */
export async function api(path, { method = 'GET', body, type, raw = false, signal, accept } = {}) {
  const headers = {};
  if (accept) headers.Accept = accept;
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let payload;
  if (body !== undefined) {
    if (type) {
      headers['Content-Type'] = type;
      payload = body;
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  const res = await fetch(`/api${path}`, { method, headers, body: payload, signal });
  if (!res.ok) {
    let error = 'http_error';
    let detail = `${res.status} ${res.statusText}`;
    try {
      const j = await res.json();
      error = j.error || error;
      detail = j.detail || detail;
    } catch { /* not JSON */ }
    if (res.status === 401) listeners.forEach((l) => l());
    throw new ApiError(res.status, error, detail);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const kind = res.headers.get('Content-Type') || '';
  return kind.includes('json') ? res.json() : res.text();
}

/** An image endpoint (PNG) as an ImageBitmap: image requests need the token too, so no plain <img src>. */
export async function bitmap(path, signal) {
  const res = await api(path, { raw: true, signal });
  return createImageBitmap(await res.blob());
}

/** An image endpoint as an object URL for <img> (revoke it when done). */
export async function objectUrl(path, signal) {
  const res = await api(path, { raw: true, signal });
  return URL.createObjectURL(await res.blob());
}

/** A job's artifact (JSON parsed when it is JSON). */
export function artifact(jobId, path) {
  return api(`/jobs/${jobId}/artifact?path=${encodeURIComponent(path)}`);
}

/** Query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  });
  const s = q.toString();
  return s ? `?${s}` : '';
}
