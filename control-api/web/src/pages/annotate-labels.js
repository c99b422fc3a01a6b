// The Annotate page's label controls: the use case's categories as buttons (a click, or the number key shown on it,
// saves that label and moves on), and for detection use cases the box panel (the category of new or selected
// boxes, the list of boxes on the study with their category and a delete button, Save and Nothing found).
import { html } from '../ui.js';
import { viewName } from './annotate-hanging.js';
import { keyFor } from './annotate-keys.js';

export function CategoryButtons({ cats, current, pressed, busy, colorOf, onPick }) {
  return html`<div class="categories" role="group" aria-label="Categories">
    ${cats.map((c, i) => {
      const key = keyFor(i);
      const cls = ['category', current === c.code ? 'current' : '', pressed === c.code ? 'pressed' : ''].join(' ');
      return html`<button type="button" class=${cls} data-code=${c.code} data-key=${key || ''}
        aria-pressed=${current === c.code} disabled=${busy && pressed !== c.code} style=${{ '--cat': colorOf(c.code) }}
        title=${`Save ${c.code} (${c.name}) and go to the next study${key ? `; key ${key}` : ''}`}
        onClick=${(e) => onPick(c.code, e)}>
        ${key ? html`<kbd>${key}</kbd>` : html`<span class="nokey"></span>`}
        <span class="cat-text"><span class="cat-name"><b>${c.code}</b> · ${c.name}</span>
          ${c.description && html`<span class="cat-desc">${c.description}</span>`}</span>
        ${current === c.code && html`<span class="cat-current">current</span>`}
      </button>`;
    })}
  </div>`;
}

export function BoxPanel({ cats, boxes, selected, boxCode, colorOf, images, busy, onCode, onSelect, onChange, onSave, onNothing }) {
  const names = Object.fromEntries(images.map((im) => [im.imageId, viewName(im)]));
  return html`<div class="box-panel">
    <div class="field-label">Category of ${selected !== null ? 'the selected box' : 'new boxes'}</div>
    <div class="categories compact" role="group" aria-label="Box category">
      ${cats.map((c, i) => html`<button type="button" class=${`category ${boxCode === c.code ? 'current' : ''}`}
        data-code=${c.code} aria-pressed=${boxCode === c.code} style=${{ '--cat': colorOf(c.code) }}
        title=${c.description} onClick=${(e) => { e.currentTarget.blur(); onCode(c.code); }}>
        ${keyFor(i) && html`<kbd>${keyFor(i)}</kbd>`}
        <span class="cat-text"><span class="cat-name"><b>${c.code}</b> · ${c.name}</span>
          <span class="cat-desc">${c.description}</span></span></button>`)}
    </div>
    <p class="help">With the <b>Draw box</b> tool (<kbd>B</kbd>), drag on a view around each finding. Click a box to
      select it: drag it to move it, drag its lower right corner to resize it, press a category's number to change
      it; <kbd>Del</kbd> removes it.</p>
    <div class="field-label">Boxes on this study (${boxes.length})</div>
    ${boxes.length ? html`<ul class="box-list" data-testid="box-list">
      ${boxes.map((b, i) => html`<li class=${i === selected ? 'selected' : ''} data-box-index=${i}>
        <button type="button" class="swatch-btn" onClick=${() => onSelect(i === selected ? null : i)}
          title="Select this box">
          <span class="swatch" style=${{ background: colorOf(b.code) }}></span>
          <b>${b.code}</b> on ${names[b.imageId] || b.imageId} · ${Math.round(b.width)} × ${Math.round(b.height)} px
        </button>
        <select aria-label="Category of this box" value=${b.code}
          onChange=${(e) => { onChange(boxes.map((x, j) => (j === i ? { ...x, code: e.currentTarget.value } : x))); e.currentTarget.blur(); }}>
          ${cats.map((c) => html`<option value=${c.code}>${c.code}</option>`)}
        </select>
        <button type="button" class="small danger" aria-label="Delete this box"
          onClick=${() => { onChange(boxes.filter((_, j) => j !== i)); onSelect(null); }}>✕</button>
      </li>`)}</ul>` : html`<p class="muted small-text">No boxes yet.</p>`}
    <div class="toolbar">
      <button type="button" class="primary" data-testid="save-boxes" disabled=${busy || !boxes.length}
        onClick=${onSave} title="Save these boxes and go to the next study (Enter)">${
          `Save ${boxes.length || ''} box${boxes.length === 1 ? '' : 'es'}`.replace('  ', ' ')} <kbd>Enter</kbd></button>
      <button type="button" data-testid="nothing-found" disabled=${busy} onClick=${onNothing}
        title="Nothing to mark on this study: save an empty list and go on (key N)">Nothing found <kbd>N</kbd></button>
    </div>
  </div>`;
}
