// What the Annotate page shows instead of a study: the summary of a finished session (studies labelled, labels
// changed, studies skipped, the total and how many labels training still needs), and the card shown when every
// study of the dataset is labelled or skipped, with the skipped ones to open again.
import { html } from '../ui.js';

/** mode: the 'finished' mode ({labelled, changed, skipped, total}); total: the dataset's studies. */
export function SessionSummary({ mode, total, minLabels, restart }) {
  return html`<div class="card summary" data-testid="session-summary" data-session-labelled=${mode.labelled}
    data-session-changed=${mode.changed} data-total=${mode.total}>
    <h2>Session finished</h2>
    <div class="stats">
      <div class="stat"><div class="stat-value" data-testid="summary-session">${mode.labelled}</div>
        <div class="stat-label">studies labelled in this session</div></div>
      <div class="stat"><div class="stat-value">${mode.changed}</div><div class="stat-label">labels changed</div></div>
      <div class="stat"><div class="stat-value">${mode.skipped}</div><div class="stat-label">studies skipped</div></div>
      <div class="stat"><div class="stat-value" data-testid="summary-total">${mode.total}</div>
        <div class="stat-label">labelled in total (of ${total})</div></div>
    </div>
    <p class="muted">Your labels are saved as you go. ${mode.total < minLabels
      ? `Training a model on your own labels needs at least ${minLabels} labelled studies: ${minLabels - mode.total}`
        + ' to go.'
      : html`You have enough labels to train a model on the <a href="/create">Create</a> page.`}</p>
    <div class="toolbar"><button type="button" class="primary" onClick=${restart}>Continue annotating</button></div>
  </div>`;
}

/** skipped: the skipped studies' UIDs; open(uid, 'skipped') shows one again. */
export function AllDone({ useCase, dataset, count, total, skipped, open, ordinalOf }) {
  return html`<div class="card all-done" data-testid="all-done">
    <h2>All studies done</h2>
    <p>You have labelled ${skipped.length ? 'or skipped ' : ''}every study of <strong>${dataset.name}</strong>
      for <strong>${useCase.title}</strong>: ${count} of ${total} labelled.</p>
    ${skipped.length ? html`<p>${skipped.length} skipped ${skipped.length === 1 ? 'study waits' : 'studies wait'} for
        a label:</p>
      <div class="toolbar">${skipped.slice(0, 12).map((uid) => html`<button type="button" data-study-uid=${uid}
        onClick=${() => open(uid, 'skipped')}>Study ${ordinalOf(uid)}</button>`)}</div>`
      : html`<p class="muted">You can still review and change any label from the Labelled menu.</p>`}
  </div>`;
}
