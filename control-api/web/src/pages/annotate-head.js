// The head of the Annotate page, beside the use case and dataset pickers: the user's count of labelled studies with
// a progress bar and "saving…" while writes are on their way, the Skipped and Labelled menus (each item opens its
// study again, and warms its images while the pointer rests on it), and Finish.
import { useEffect } from 'preact/hooks';
import { html } from '../ui.js';
import { describe, parseBoxes, shortUid, shortWhen } from './annotate-format.js';

/** Closes the open menu (`menu`: its id, or null) on a pointer press outside every menu. */
export function useCloseMenuOutside(menu, setMenu) {
  useEffect(() => {
    if (!menu) return undefined;
    const close = (e) => {
      if (!e.target.closest || !e.target.closest('.menu')) setMenu(null);
    };
    addEventListener('pointerdown', close);
    return () => removeEventListener('pointerdown', close);
  }, [menu]);
}

/**
 * pickers: the pickers' markup; total: the dataset's studies; session: useSession's state and actions; menu and
 * setMenu: the open menu; catOf and colorOf: a category and its colour by code.
 */
export function AnnotateHead({ pickers, total, session, menu, setMenu, catOf, colorOf }) {
  const { count, saving, skipped, mine, open, warm, ordinalOf, finish, busy, mode } = session;
  const shownCount = count === null ? '…' : count;
  const progress = count ? Math.min(100, (100 * count) / Math.max(1, total)) : 0;
  return html`<div class="annotate-head">${pickers}<div class="annotate-status">
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
              ${a.masks ? html`<span class="code-chip">${describe(catOf, null, null, a.masks)}</span>`
                : list ? html`<span class="code-chip">${describe(catOf, null, list)}</span>`
                : html`<span class="code-chip" style=${{ borderColor: colorOf(a.code) }}>${a.code}</span>`}
              Study ${ordinalOf(a.studyUid)}
              ${a.version > 1 && html`<span class="tag tag-changed" title=${`${a.version} versions`}>changed</span>`}
            </span>
            <span class="mi-sub">${list || a.masks ? '' : (catOf[a.code] || {}).name} · ${shortWhen(a.updatedAt)}</span>
          </button></li>`;
      })}</ul>
      ${mine.total > mine.annotations.length && html`<p class="muted menu-empty">The ${mine.annotations.length} most
        recent of ${mine.total}.</p>`}`
        : html`<p class="muted menu-empty">Nothing labelled yet.</p>`}
    <//>
    <button type="button" data-testid="finish" onClick=${finish} disabled=${busy || mode.kind === 'finished'}
      title="End this session and see how many studies you labelled">Finish</button>
  </div></div>`;
}

function Menu({ id, label, count, open, onToggle, children }) {
  return html`<div class=${`menu ${open ? 'open' : ''}`}>
    <button type="button" data-testid=${`menu-${id}`} aria-expanded=${open} aria-controls=${`menu-${id}-list`}
      onClick=${onToggle}>${label} <span class="menu-count" data-count=${count}>${count}</span> ▾</button>
    ${open && html`<div class="menu-panel" id=${`menu-${id}-list`} data-testid=${`menu-${id}-list`}>${children}</div>`}
  </div>`;
}
