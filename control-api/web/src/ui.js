// Shared pieces of every page: the template tag, data hooks, navigation and small components.
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api } from './api.js';

export const html = htm.bind(h);

/** Moves to another page of the app without a reload. */
export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current URL's query parameters (read on every render). */
export function queryParams() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

/** GETs an API path (null skips); {data, error, loading, reload}. Re-fetches when the path changes. */
export function useApi(path) {
  const [state, setState] = useState({ data: undefined, error: null, loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) {
      setState({ data: undefined, error: null, loading: false });
      return undefined;
    }
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api(path, { signal: ctl.signal })
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((error) => {
        if (error.name !== 'AbortError') setState({ data: undefined, error, loading: false });
      });
    return () => ctl.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls fn every `ms` while `active`, and once at once. */
export function usePoll(fn, ms, active = true) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return undefined;
    saved.current();
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

/** Runs an async action with a busy flag and an error to show; returns [run, busy, error, clearError]. */
export function useAction(fn) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(async (...args) => {
    setBusy(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [fn]);
  return [run, busy, error, () => setError(null)];
}

export function ErrorBox({ error }) {
  if (!error) return null;
  const title = error.error ? error.error.replaceAll('_', ' ') : 'error';
  return html`<div class="error" role="alert"><strong>${title}</strong>: ${error.detail || error.message}</div>`;
}

export function Loading({ what = '' }) {
  return html`<div class="muted loading">Loading${what ? ` ${what}` : ''}…</div>`;
}

/** A labelled form field with a short explanation under it. */
export function Field({ label, help, children, id }) {
  return html`<label class="field" for=${id}>
    <span class="field-label">${label}</span>
    ${children}
    ${help && html`<span class="help">${help}</span>`}
  </label>`;
}

export function Stat({ label, value, hint, id }) {
  return html`<div class="stat" data-stat=${id || label}>
    <div class="stat-value">${value}</div>
    <div class="stat-label">${label}</div>
    ${hint && html`<div class="help">${hint}</div>`}
  </div>`;
}

/** A number with fixed digits, or a dash when missing or not a number. */
export function fmt(x, digits = 3) {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(digits);
}

export function pct(x, digits = 1) {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(digits)} %`;
}

/** "0.712 (0.65–0.77)" for a value with its confidence interval {value, low, high} or plain numbers. */
export function withInterval(value, low, high, digits = 3) {
  if (value && typeof value === 'object') return withInterval(value.value, value.low, value.high, digits);
  if (low === undefined || low === null) return fmt(value, digits);
  return `${fmt(value, digits)} (${fmt(low, digits)}–${fmt(high, digits)})`;
}

/** A confusion matrix: rows are the truth (or reference), columns the prediction; cells shaded by row share. */
export function ConfusionMatrix({ labels, matrix, rowTitle = 'reference', colTitle = 'predicted', id }) {
  if (!matrix || !labels) return null;
  return html`<table class="confusion" data-matrix=${id || ''}>
    <thead>
      <tr><th class="corner">${rowTitle} ↓ / ${colTitle} →</th>${labels.map((l) => html`<th>${l}</th>`)}</tr>
    </thead>
    <tbody>
      ${matrix.map((row, i) => {
        const total = row.reduce((a, b) => a + b, 0) || 1;
        return html`<tr><th>${labels[i]}</th>${row.map((n, j) => {
          const share = n / total;
          const bg = i === j ? `rgba(22, 163, 74, ${0.12 + 0.6 * share})` : `rgba(220, 38, 38, ${0.6 * share})`;
          return html`<td style=${{ background: n ? bg : 'transparent' }} title=${pctTitle(n, total)}>${n}</td>`;
        })}</tr>`;
      })}
    </tbody>
  </table>`;
}

function pctTitle(n, total) {
  return `${n} of ${total} (${((100 * n) / total).toFixed(1)} %)`;
}

let chartModule;
/** Chart.js, loaded on first use so pages without charts never download it. */
export function loadChart() {
  chartModule ||= import('chart.js/auto').then((m) => m.default);
  return chartModule;
}

/**
 * A Chart.js chart. `config` is {type, data, options}; a new config object updates the chart in place (no
 * animation), so live curves and moving markers stay smooth.
 */
export function Chart({ config, height = 260, id, label }) {
  const canvas = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    let dead = false;
    loadChart().then((ChartJs) => {
      if (dead || !canvas.current) return;
      if (!chart.current) {
        chart.current = new ChartJs(canvas.current, {
          ...config,
          options: { animation: false, maintainAspectRatio: false, responsive: true, ...config.options },
        });
      } else {
        chart.current.data = config.data;
        chart.current.options = { animation: false, maintainAspectRatio: false, responsive: true, ...config.options };
        chart.current.update('none');
      }
      canvas.current.dataset.ready = 'true';
    });
    return () => { dead = true; };
  }, [config]);
  useEffect(() => () => chart.current && chart.current.destroy(), []);
  return html`<div class="chart" style=${{ height: `${height}px` }}>
    <canvas ref=${canvas} data-chart=${id || ''} aria-label=${label || id || 'chart'} role="img"></canvas>
  </div>`;
}

/** Distinct, colour-blind-friendly series colours (Okabe–Ito). */
export const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** A job is still going while it is queued or running. */
export function isActive(status) {
  return status === 'QUEUED' || status === 'RUNNING';
}

/** A date-time of the API (ISO 8601) in the reader's local time, short (the year only when it is not this one). */
export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, {
    year: sameYear ? undefined : 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

/** The status of a job as a coloured tag. */
export function StatusTag({ status }) {
  return html`<span class=${`tag tag-${(status || '').toLowerCase()}`}>${status}</span>`;
}
