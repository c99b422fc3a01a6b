// The app shell: sign-in state, the navigation bar and a small client-side router over the page modules.
// Each page is its own module, loaded when first visited, so a page's first load carries only what it needs.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onUnauthorized, setToken, token } from './api.js';
import { ErrorBox, html, Loading, navigate } from './ui.js';
import './style.css';

/** The pages, in the order of the workflow. `path` patterns may hold one `:param`. */
const PAGES = [
  { path: '/define', title: 'Define', load: () => import('./pages/define.js'), hint: 'Use cases' },
  { path: '/define/:useCaseId', load: () => import('./pages/usecase.js') },
  { path: '/annotate', title: 'Annotate', load: () => import('./pages/annotate.js'), hint: 'Label studies' },
  { path: '/create', title: 'Create', load: () => import('./pages/create.js'), hint: 'Design and train models' },
  { path: '/evaluate', title: 'Evaluate', load: () => import('./pages/evaluate.js'), hint: 'Compare models' },
  { path: '/run', title: 'Run', load: () => import('./pages/run.js'), hint: 'Predict on an image' },
  { path: '/publish', title: 'Publish', load: () => import('./pages/publish.js'), hint: 'Export a model' },
  { path: '/assess', title: 'Assess', load: () => import('./pages/assess.js'), hint: 'Monitor deployments' },
  { path: '/challenge', title: 'Challenge', load: () => import('./pages/challenge.js'), hint: 'Compete' },
  { path: '/data', title: 'Data Manager', load: () => import('./pages/datamgr.js'), hint: 'Register and prepare '
    + 'datasets; PACS sources', admin: true },
  { path: '/admin', title: 'Admin', load: () => import('./pages/admin.js'), hint: 'Users and tokens', admin: true },
];

function match(pathname) {
  for (const page of PAGES) {
    const parts = page.path.split('/');
    const actual = pathname.replace(/\/+$/, '').split('/');
    if (parts.length !== actual.length) continue;
    const params = {};
    const ok = parts.every((p, i) => {
      if (p.startsWith(':')) {
        params[p.slice(1)] = decodeURIComponent(actual[i]);
        return actual[i] !== '';
      }
      return p === actual[i];
    });
    if (ok) return { page, params };
  }
  return null;
}

function usePath() {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setPath(location.pathname + location.search);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

/** Page modules, cached once loaded. */
const loaded = new Map();

function PageHost({ page, params, me }) {
  const [mod, setMod] = useState(loaded.get(page));
  const [error, setError] = useState(null);
  useEffect(() => {
    if (loaded.has(page)) {
      setMod(loaded.get(page));
      return;
    }
    setMod(undefined);
    page.load().then((m) => {
      loaded.set(page, m);
      setMod(m);
    }).catch(setError);
  }, [page]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<${Loading} />`;
  const Page = mod.default;
  return html`<${Page} me=${me} params=${params} />`;
}

function SignIn({ onSignedIn }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setToken(value.trim());
    try {
      onSignedIn(await api('/me'));
    } catch (err) {
      setToken(null);
      setError(err.status === 401
        ? { error: 'unauthorized', detail: `${err.detail || 'this token is not valid'}; ask your RadLab admin for a `
          + 'new one' }
        : err);
    } finally {
      setBusy(false);
    }
  }
  return html`<main class="signin">
    <h1>RadLab</h1>
    <p class="lead">An open AI lab for radiology: define use cases, annotate studies, train and compare models, and
      take part in challenges.</p>
    <form onSubmit=${submit} class="card">
      <label class="field">
        <span class="field-label">Your API token</span>
        <input id="token" type="password" autocomplete="current-password" value=${value}
          onInput=${(e) => setValue(e.currentTarget.value)} placeholder="paste the token you were given" required />
        <span class="help">Your admin gives you a token when they create your account; the first admin's token is
          in the file admin-token in the server's workspace. It stays in this browser until you sign out.</span>
      </label>
      <${ErrorBox} error=${error} />
      <button class="primary" disabled=${busy || !value.trim()}>Sign in</button>
    </form>
  </main>`;
}

function Nav({ me, current, onSignOut }) {
  return html`<header class="topbar">
    <a class="brand" href="/define">RadLab</a>
    <nav>
      ${PAGES.filter((p) => p.title && (!p.admin || me.role === 'admin')).map((p) => html`<a href=${p.path} title=${p.hint}
        class=${current && current.path.split('/')[1] === p.path.split('/')[1] ? 'active' : ''}>${p.title}</a>`)}
    </nav>
    <div class="who">
      <span title=${`user ${me.id}`}>${me.name}</span>
      <span class="tag">${me.role}</span>
      <button class="link" onClick=${onSignOut}>Sign out</button>
    </div>
  </header>`;
}

function App() {
  const path = usePath();
  const [me, setMe] = useState(undefined);
  const [error, setError] = useState(null);

  useEffect(() => {
    if (!token()) {
      setMe(null);
      return;
    }
    api('/me').then(setMe).catch((e) => {
      if (e.status === 401) {
        setToken(null);
        setMe(null);
      } else {
        setError(e);
      }
    });
  }, []);
  useEffect(() => onUnauthorized(() => {
    setToken(null);
    setMe(null);
  }), []);

  const pathname = path.split('?')[0];
  useEffect(() => {
    if (me && (pathname === '/' || pathname === '/signin')) navigate('/define', { replace: true });
  }, [me, pathname]);

  if (error) return html`<main><${ErrorBox} error=${error} /></main>`;
  if (me === undefined) return html`<main><${Loading} /></main>`;
  if (me === null) {
    return html`<${SignIn} onSignedIn=${(user) => {
      setMe(user);
      if (pathname === '/' || pathname === '/signin') navigate('/define', { replace: true });
    }} />`;
  }
  const found = match(pathname);
  return html`<div class="app">
    <${Nav} me=${me} current=${found && found.page} onSignOut=${() => {
      setToken(null);
      setMe(null);
      navigate('/signin');
    }} />
    <main>
      ${found
        ? html`<${PageHost} key=${found.page.path} page=${found.page} params=${found.params} me=${me} />`
        : (pathname === '/' || pathname === '/signin')
          ? html`<${Loading} />`
          : html`<div class="empty"><h1>No such page</h1><p><a href="/define">Go to the use cases</a></p></div>`}
    </main>
  </div>`;
}

// Links inside the app move without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download') || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

render(html`<${App} />`, document.getElementById('app'));
