// Challenge: progress toward the annotations needed, your labels against the reference reader, train and submit
// your models, the leaderboard and the crowdsourcing board.
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import {
  ConfusionMatrix, ErrorBox, fmt, html, isActive, Loading, navigate, pct, queryParams, StatusTag, useAction, useApi,
  usePoll,
} from '../ui.js';

export default function Challenge({ me }) {
  const list = useApi('/challenges');
  const chosen = queryParams().challenge;
  if (list.error) return html`<${ErrorBox} error=${list.error} />`;
  if (!list.data) return html`<${Loading} what="challenges" />`;
  if (!list.data.length) {
    return html`<div class="empty"><h1>No challenge yet</h1><p>An admin creates one from a published use case, a
      training pool and two hidden test sets.</p></div>`;
  }
  const open = list.data.find((c) => c.phase === 'open') || list.data[0];
  const current = list.data.find((c) => String(c.id) === chosen) || open;
  return html`<section>
    <div class="toolbar">
      <h1 style="margin:0">${current.title}</h1>
      <span class=${`tag tag-${current.phase === 'open' ? 'running' : 'queued'}`} id="phase">${current.phase}</span>
      <span class="spacer"></span>
      ${list.data.length > 1 && html`<label>Challenge <select value=${current.id} onChange=${(e) =>
        navigate(`/challenge?challenge=${e.currentTarget.value}`)}>
        ${list.data.map((c) => html`<option value=${c.id}>${c.title}</option>`)}</select></label>`}
    </div>
    <${ChallengeView} key=${current.id} me=${me} challengeId=${current.id} onChanged=${list.reload} />
  </section>`;
}

function ChallengeView({ me, challengeId }) {
  const challenge = useApi(`/challenges/${challengeId}`);
  const [tick, setTick] = useState(0);
  const refresh = () => {
    setTick(tick + 1);
    challenge.reload();
  };
  if (challenge.error) return html`<${ErrorBox} error=${challenge.error} />`;
  if (!challenge.data) return html`<${Loading} />`;
  const c = challenge.data;
  const scores = SCORES[c.task] || SCORES.classification;
  return html`
    <p class="muted">Open ${c.startsAt.slice(0, 10)} to ${c.endsAt.slice(0, 10)} (UTC) · up to ${c.dailyLimit} submissions
      a day · models are ranked by ${scores.rankedBy} on a hidden test set, then by ${scores.names[1]}.</p>
    <div class="row">
      <div class="grow card"><${Progress} challenge=${c} /></div>
      <div class="grow card">${c.task === 'segmentation'
        ? html`<h2 style="margin-top:0">Your masks</h2><p class="muted" id="masks-note">A segmentation challenge keeps
            no agreement matrix: the reference reader’s masks are seen only by the evaluation of your submissions.
            Outline every finding on each slice, and save a study with none as “nothing found”: both count as
            labelled.</p>`
        : c.task === 'detection'
        ? html`<h2 style="margin-top:0">Your boxes</h2><p class="muted" id="boxes-note">A detection challenge keeps no
            agreement matrix: the reference reader's boxes are seen only by the evaluation of your submissions. Draw
            a box around every finding on each image, and mark a study with none as read with no finding: both
            count as labelled.</p>`
        : html`<${Agreement} useCaseId=${c.useCaseId} tick=${tick} />`}</div>
    </div>
    <div class="row" style="margin-top:1rem">
      <div class="grow card"><${TrainMine} challenge=${c} onChanged=${refresh} /></div>
      <div class="grow card"><${MySubmissions} challenge=${c} tick=${tick} /></div>
    </div>
    <div class="row" style="margin-top:1rem">
      <div class="grow card"><${Leaderboard} challenge=${c} me=${me} tick=${tick} onChanged=${refresh} /></div>
      <div class="card" style="min-width:280px"><${Board} useCaseId=${c.useCaseId} tick=${tick} /></div>
    </div>`;
}

function Progress({ challenge }) {
  const done = challenge.you.annotations;
  const need = challenge.minAnnotations;
  const share = Math.min(1, done / need);
  return html`<h2 style="margin-top:0">Your annotations</h2>
    <div class="stats"><div class="stat"><div class="stat-value" id="annotation-progress">${done} / ${need}</div>
      <div class="stat-label">studies of the training pool labelled</div></div>
      <div class="stat"><div class="stat-value" id="submissions-today">${`${challenge.you.submissionsToday} / ${challenge.dailyLimit}`}</div><div class="stat-label">submissions today (UTC)</div></div></div>
    <div class="progressbar" role="progressbar" aria-valuemin="0" aria-valuemax=${need} aria-valuenow=${done}>
      <div style=${{ width: `${100 * share}%` }}></div></div>
    <p class="help">${done >= need
      ? 'You have labelled enough studies to submit models. More labels can still make your models better.'
      : `Label ${need - done} more studies of the training pool before you can submit a model.`}</p>
    <a href=${`/annotate${query({ useCase: challenge.useCaseId, dataset: challenge.poolDatasetId })}`}>
      <button class=${done >= need ? '' : 'primary'}>Annotate the training pool</button></a>`;
}

function Agreement({ useCaseId, tick }) {
  const a = useApi(`/use-cases/${useCaseId}/agreement?t=${tick}`);
  if (a.error) return html`<${ErrorBox} error=${a.error} />`;
  if (!a.data) return html`<${Loading} />`;
  const { categories, matrix, studies, milestone, labelsUntilRefresh, refreshedAt } = a.data;
  const agreed = matrix.reduce((sum, row, i) => sum + row[i], 0);
  const more = labelsUntilRefresh === 1 ? '1 more label' : `${labelsUntilRefresh} more labels`;
  const when = refreshedAt ? `Last refreshed ${refreshedAt.slice(0, 16).replace('T', ' ')} UTC. ` : '';
  return html`<h2 style="margin-top:0">Your labels against the reference reader</h2>
    ${studies
      ? html`<p class="muted">On the <span id="agreement-studies">${studies}</span> studies counted so far, you agreed
          on <strong id="agreement-share">${pct(agreed / studies)}</strong>. Rows: the reference reader;
          columns: you.</p>
        <${ConfusionMatrix} id="agreement" labels=${categories} matrix=${matrix} rowTitle="reference" colTitle="you" />`
      : html`<p class="muted">None of the studies you labelled is counted yet.</p>`}
    <p class="help" id="agreement-milestone" data-until=${labelsUntilRefresh}>
      Next refresh after <strong>${more}</strong>. ${when}
      The matrix changes only once every ${milestone} new labels, and counts each study once, with the labels it had
      then: later changes show in no refresh. A study waits for a later refresh while fewer than five of your waiting
      studies share its label, so no one study's reference can be read from a change.</p>`;
}

/** What ranks a challenge's submissions, by the use case's task: the two scores, as fields and as column names. */
const SCORES = {
  classification: { fields: ['kappa', 'auc'], names: ['Kappa', 'AUC'], rankedBy: 'linear-weighted kappa',
    help: 'Kappa (linear-weighted) measures agreement with the reference reader beyond chance: 1 is perfect, 0 is '
      + 'chance. AUC breaks ties.' },
  detection: { fields: ['map', 'ap50'], names: ['mAP', 'AP50'], rankedBy: 'mAP',
    help: 'mAP is the average precision of the boxes, averaged over the classes and over overlap thresholds from 0.5 '
      + 'to 0.95 (COCO\'s measure): 1 finds every reference box exactly, with no false positive ranked above it. AP50, '
      + 'which counts a box as found when it overlaps the reference by half, breaks ties.' },
  segmentation: { fields: ['dice', 'iou'], names: ['Dice', 'IoU'], rankedBy: 'mean Dice',
    help: 'Dice is twice the overlap of your model’s mask with the reference reader’s over their two areas, per '
      + 'category and series, averaged: 1 is a perfect outline, 0 no overlap. Mean IoU (overlap over union) breaks '
      + 'ties.' },
};

const scoresOf = (challenge) => SCORES[challenge.task] || SCORES.classification;

const DETECTOR_PRESETS = {
  quick: { label: 'Quick (ResNet-18 detector, narrow, 5 epochs)', config: { architecture: 'resnet18', width: 0.25,
    inputSize: 64, maxEpochs: 5, batchSize: 16 } },
  balanced: { label: 'Balanced (ResNet-18 detector, 15 epochs, flips and rotations)', config: {
    architecture: 'resnet18', width: 0.5, inputSize: 128, maxEpochs: 15, batchSize: 16,
    augmentation: 'flips_rotations', earlyStopping: true } },
};

const SEGMENTER_PRESETS = {
  quick: { label: 'Quick (U-Net, narrow, 96 px, 8 epochs)', config: { width: 0.25, inputSize: 96, maxEpochs: 8,
    batchSize: 16 } },
  balanced: { label: 'Balanced (U-Net, 128 px, 20 epochs, flips and rotations)', config: { width: 0.25,
    inputSize: 128, maxEpochs: 20, batchSize: 16, augmentation: 'flips_rotations', maxRotation: 10,
    earlyStopping: true } },
};

const PRESETS = {
  quick: { label: 'Quick (ResNet-18, narrow, 5 epochs)', config: { architecture: 'resnet18', width: 0.25, inputSize: 64,
    maxEpochs: 5, batchSize: 16 } },
  balanced: { label: 'Balanced (ResNet-18, 15 epochs, flips and rotations)', config: { architecture: 'resnet18',
    width: 0.5, inputSize: 128, maxEpochs: 15, batchSize: 16, augmentation: 'flips_rotations',
    earlyStopping: true } },
  dense: { label: 'DenseNet-121 (slower, 15 epochs)', config: { architecture: 'densenet121', width: 0.5,
    inputSize: 128, maxEpochs: 15, batchSize: 16, earlyStopping: true } },
};

/** "Train my models": one click trains on your own labels of the pool; your models are listed with Submit. */
function TrainMine({ challenge, onChanged }) {
  const presets = challenge.task === 'detection' ? DETECTOR_PRESETS
    : challenge.task === 'segmentation' ? SEGMENTER_PRESETS : PRESETS;
  const [preset, setPreset] = useState('quick');
  const jobs = useApi('/jobs?limit=50');
  const models = useApi(`/models${query({ useCaseId: challenge.useCaseId })}`);
  const [result, setResult] = useState(null);
  const running = (jobs.data || []).filter((j) => j.kind === 'train' && isActive(j.status)
    && j.datasetId === challenge.poolDatasetId);
  usePoll(() => {
    jobs.reload();
    models.reload();
  }, 3000, running.length > 0);
  const [train, training, trainError] = useAction(async () => {
    const job = await api('/jobs', { method: 'POST', body: { kind: 'train', datasetId: challenge.poolDatasetId,
      useCaseId: challenge.useCaseId, labels: 'mine', config: presets[preset].config } });
    setResult({ text: `Training job ${job.id} queued.` });
    jobs.reload();
  });
  const [submit, submitting, submitError] = useAction(async (modelId) => {
    await api(`/challenges/${challenge.id}/submissions`, { method: 'POST', body: { modelId } });
    setResult({ text: `Model ${modelId} submitted: it is being evaluated on the hidden test set.` });
    onChanged();
  });
  const pool = (models.data || []).filter((m) => m.datasetId === challenge.poolDatasetId);
  return html`<h2 style="margin-top:0">Train my models</h2>
    <p class="help">Trains on your own labels of the training pool. For every option, use${' '}
      <a href=${`/create${query({ useCase: challenge.useCaseId, dataset: challenge.poolDatasetId })}`}>Create</a>.</p>
    <div class="toolbar">
      <select aria-label="Model preset" id="preset" value=${preset} onChange=${(e) => setPreset(e.currentTarget.value)}
        style="width:auto">${Object.entries(presets).map(([k, p]) => html`<option value=${k}>${p.label}</option>`)}</select>
      <button class="primary" id="train-mine" disabled=${training || challenge.phase !== 'open'}
        onClick=${train}>Train</button>
    </div>
    <${ErrorBox} error=${trainError || submitError} />
    ${result && html`<div class="ok" id="challenge-result">${result.text}</div>`}
    ${running.map((j) => html`<p class="notice" data-job=${j.id}>Job ${j.id}: <${StatusTag} status=${j.status} />
      <a href=${`/create?job=${j.id}`}>follow it</a></p>`)}
    <h3>Your models on the pool</h3>
    ${!models.data ? html`<${Loading} />` : pool.length === 0 ? html`<p class="muted">No model yet.</p>`
      : html`<table id="my-models"><thead><tr><th>Model</th><th>Architecture</th>
        ${challenge.task === 'detection' ? html`<th class="num">Val. mAP</th>`
          : challenge.task === 'segmentation' ? ''
            : html`<th class="num">Val. kappa</th><th class="num">Val. AUC</th>`}<th></th></tr></thead><tbody>
        ${pool.map((m) => html`<tr data-model=${m.id}><td>#${m.id}</td><td>${m.architecture}</td>
          ${challenge.task === 'detection' ? html`<td class="num">${fmt(m.map)}</td>`
            : challenge.task === 'segmentation' ? ''
              : html`<td class="num">${fmt(m.kappa)}</td><td class="num">${fmt(m.auc)}</td>`}
          <td><button class="small primary" disabled=${submitting || challenge.phase !== 'open'}
            onClick=${() => submit(m.id)}>Submit</button></td></tr>`)}
      </tbody></table>`}`;
}

function MySubmissions({ challenge, tick }) {
  const { fields, names } = scoresOf(challenge);
  const subs = useApi(`/challenges/${challenge.id}/submissions?t=${tick}`);
  const pending = (subs.data || []).some((s) => s.status !== 'scored' && s.status !== 'failed');
  usePoll(subs.reload, 3000, pending);
  return html`<h2 style="margin-top:0">Your submissions</h2>
    <${ErrorBox} error=${subs.error} />
    ${!subs.data ? html`<${Loading} />` : subs.data.length === 0
      ? html`<p class="muted">Nothing submitted yet.</p>`
      : html`<table id="submissions"><thead><tr><th>When</th><th>Model</th><th>Set</th><th>Status</th>
          <th class="num">${names[0]}</th><th class="num">${names[1]}</th></tr></thead><tbody>
          ${subs.data.map((s) => html`<tr data-submission=${s.id}><td>${s.submittedAt.replace('T', ' ').slice(0, 16)}</td>
            <td>#${s.modelId}</td><td>${s.phase}</td><td><${StatusTag} status=${s.status} /></td>
            <td class="num">${fmt(s[fields[0]])}</td><td class="num">${fmt(s[fields[1]])}</td></tr>`)}
        </tbody></table>`}`;
}

function Leaderboard({ challenge, me, tick, onChanged }) {
  const { fields, names, help } = scoresOf(challenge);
  const [phase, setPhase] = useState(challenge.finalizedAt ? 'final' : 'test');
  const board = useApi(`/challenges/${challenge.id}/leaderboard?phase=${phase}&t=${tick}`);
  const pending = (board.data?.rows || []).some((r) => r.status !== 'scored');
  usePoll(board.reload, 3000, pending);
  const [finalize, finalizing, finalizeError] = useAction(async () => {
    await api(`/challenges/${challenge.id}/finalize`, { method: 'POST' });
    setPhase('final');
    onChanged();
  });
  return html`<div class="toolbar"><h2 style="margin:0">Leaderboard</h2><span class="spacer"></span>
      <select aria-label="Ranking" value=${phase} onChange=${(e) => setPhase(e.currentTarget.value)} style="width:auto">
        <option value="test">test set (during the challenge)</option>
        <option value="final" disabled=${!challenge.finalizedAt}>final set</option>
      </select>
      ${me.role === 'admin' && challenge.phase === 'ended' && !challenge.finalizedAt && html`<button
        onClick=${finalize} disabled=${finalizing}>Finalize the ranking</button>`}</div>
    <p class="help">Each participant's most recent submission counts. ${help}</p>
    <${ErrorBox} error=${board.error || finalizeError} />
    ${!board.data ? html`<${Loading} />` : board.data.rows.length === 0
      ? html`<p class="muted">No submission yet.</p>`
      : html`<table id="leaderboard"><thead><tr><th class="num">Rank</th><th>Participant</th><th>Model</th>
          <th>Status</th><th class="num">${names[0]}</th><th class="num">${names[1]}</th><th>Submitted</th></tr>
          </thead><tbody>
          ${board.data.rows.map((r) => html`<tr data-user=${r.userName}
            class=${r.userName === me.name ? 'me' : ''}>
            <td class="num">${r.rank || '–'}</td><td>${r.userName}</td><td>#${r.modelId}</td>
            <td><${StatusTag} status=${r.status} /></td><td class="num" data-score=${fields[0]}>${fmt(r[fields[0]])}</td>
            <td class="num" data-score=${fields[1]}>${fmt(r[fields[1]])}</td>
            <td class="muted">${r.submittedAt.replace('T', ' ').slice(0, 16)}</td></tr>`)}
        </tbody></table>`}`;
}

function Board({ useCaseId, tick }) {
  const board = useApi(`/use-cases/${useCaseId}/board?limit=20&t=${tick}`);
  return html`<h2 style="margin-top:0">Crowdsourcing board</h2>
    <p class="help">Studies labelled for this use case, per annotator.</p>
    <${ErrorBox} error=${board.error} />
    ${board.data && html`<table id="board"><thead><tr><th>Annotator</th><th class="num">Studies</th></tr></thead>
      <tbody>${board.data.map((r) => html`<tr data-user=${r.userName}><td>${r.userName}</td>
        <td class="num">${r.annotations}</td></tr>`)}</tbody></table>`}`;
}
