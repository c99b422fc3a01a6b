// Browser test of the Assess page: the threshold slider recomputes, in the browser, the binary confusion matrix,
// sensitivity, specificity and kappa; at thresholds of the assess job's sweep they must equal the job's numbers.
//
// RADLAB_E2E: {"deploymentId": D, "assessJobId": J}: a deployment with predictions and reads for many cases over
// several months, and a finished assess job of it. RADLAB_TOKEN: the deployment's owner.
import { api, check, checkEqual, scenario, TOKEN, until } from './lib.mjs';

const num = (x) => (typeof x === 'number' ? x : Number(x));
const sameNumber = (a, b) => (Number.isNaN(a) && Number.isNaN(b)) || a === b;
const pctText = (x) => (Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)} %`);

scenario('assess', async (t) => {
  const { page } = t;
  const { deploymentId, assessJobId } = t.input;
  check(deploymentId && assessJobId, 'RADLAB_E2E must give deploymentId and assessJobId');

  // What the API says: the assessment the page must agree with.
  const job = await api(`/jobs/${assessJobId}`, { token: TOKEN });
  checkEqual(job.status, 'SUCCEEDED', `assess job ${assessJobId} status`);
  const a = await api(`/jobs/${assessJobId}/artifact?path=assessment.json`, { token: TOKEN });
  const positives = a.timeline.filter((c) => c.referencePositive).length;
  const negatives = a.timeline.length - positives;
  check(positives > 0 && negatives > 0, 'the assessment needs positive and negative cases');
  const binary = a.overall.binary;

  await t.signIn();
  await t.goto(`/assess?deployment=${deploymentId}`);
  await page.waitForSelector(`[data-deployment="${deploymentId}"].deployment`);
  await page.waitForSelector('[data-testid=assessment]', { timeout: 30000 });
  // The deployment's newest finished assessment opens by itself: the API lists the deployment's assess jobs.
  const listed = await api(`/deployments/${deploymentId}/assessments`, { token: TOKEN });
  const newest = listed.find((j) => j.status === 'SUCCEEDED');
  check(listed.some((j) => j.id === assessJobId), `the API lists assessment ${assessJobId} for the deployment`);
  checkEqual(Number(await page.getAttribute('[data-testid=assessment]', 'data-job')), newest.id,
    'the assessment shown first');
  if (newest.id !== assessJobId) {
    await page.selectOption('#assessment-job', String(assessJobId));
    await page.waitForSelector(`[data-testid=assessment][data-job="${assessJobId}"]`);
  }
  await page.waitForSelector('canvas[data-chart=roc][data-ready=true]');
  await page.waitForSelector('canvas[data-chart=over-time][data-ready=true]');
  await t.shot('opened');

  async function shownValues() {
    return page.evaluate(() => {
      const cell = (id) => Number(document.querySelector(`[data-cell=${id}]`).dataset.value);
      const metric = (id) => {
        const el = document.querySelector(`[data-metric=${id}]`);
        return { value: Number(el.dataset.value), text: el.querySelector('.stat-value').textContent.trim() };
      };
      return {
        threshold: Number(document.querySelector('[data-testid=threshold-value]').dataset.value),
        tp: cell('tp'), fp: cell('fp'), fn: cell('fn'), tn: cell('tn'),
        sensitivity: metric('sensitivity'), specificity: metric('specificity'), kappa: metric('kappa'),
        misses: document.querySelector('.misses summary').textContent,
      };
    });
  }
  const canvasImage = (id) => page.evaluate((c) => document.querySelector(`canvas[data-chart=${c}]`).toDataURL(), id);
  const drawn = (id) => page.evaluate((c) => {
    const canvas = document.querySelector(`canvas[data-chart=${c}]`);
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked += 1;
    return inked;
  }, id);

  // At first the slider sits at the job's own threshold: the counts are the job's overall binary counts.
  let v = await shownValues();
  checkEqual(v.threshold, num(binary.threshold), 'initial threshold (the assessment\'s)');
  checkEqual([v.tp, v.fp, v.fn, v.tn], [binary.truePositives, binary.falsePositives, binary.falseNegatives,
    binary.trueNegatives], `TP/FP/FN/TN at the assessment's threshold ${binary.threshold}`);
  check(sameNumber(v.sensitivity.value, num(binary.sensitivity)), `sensitivity ${v.sensitivity.value} vs ${binary.sensitivity}`);
  check(sameNumber(v.specificity.value, num(binary.specificity)), `specificity ${v.specificity.value} vs ${binary.specificity}`);
  check(sameNumber(v.kappa.value, num(binary.kappa)), `kappa ${v.kappa.value} vs ${binary.kappa}`);
  check((await drawn('roc')) > 1000, 'the ROC chart is drawn');
  check((await drawn('over-time')) > 1000, 'the over-time chart is drawn');

  // Sweep thresholds with distinct results, spread over the range (never the trivial 0 and 1).
  const distinct = [];
  for (const p of a.thresholdSweep) {
    const tt = num(p.threshold);
    if (tt <= 0 || tt >= 1) continue;
    if (!distinct.some((q) => sameNumber(num(q.sensitivity), num(p.sensitivity))
      && sameNumber(num(q.specificity), num(p.specificity)))) distinct.push(p);
  }
  check(distinct.length >= 3, `the sweep has at least 3 thresholds with different results (has ${distinct.length})`);
  const picks = [distinct[0], distinct[Math.floor(distinct.length / 2)], distinct[distinct.length - 1]];

  const seen = [];
  for (const [i, p] of picks.entries()) {
    const tt = num(p.threshold);
    const before = await canvasImage('over-time');
    if (i === 0) {
      // by keyboard, as a person would: Home, then one step of 0.01 per arrow press
      await page.focus('#threshold');
      await page.keyboard.press('Home');
      for (let k = 0; k < Math.round(tt * 100); k++) await page.keyboard.press('ArrowRight');
    } else {
      await page.fill('#threshold', String(tt));
    }
    await page.waitForSelector(`[data-testid=threshold-value][data-value="${tt}"]`, { timeout: 10000 });
    v = await shownValues();
    checkEqual(v.threshold, tt, 'slider threshold');
    const tp = Math.round(num(p.sensitivity) * positives);
    const tn = Math.round(num(p.specificity) * negatives);
    const expected = { tp, fn: positives - tp, tn, fp: negatives - tn };
    checkEqual({ tp: v.tp, fn: v.fn, tn: v.tn, fp: v.fp }, expected, `TP/FN/TN/FP at ${tt} (from the sweep's `
      + `sensitivity ${p.sensitivity} of ${positives} positives and specificity ${p.specificity} of ${negatives} negatives)`);
    for (const k of ['sensitivity', 'specificity', 'kappa']) {
      check(sameNumber(v[k].value, num(p[k])), `${k} at ${tt}: page ${v[k].value}, sweep ${p[k]}`);
    }
    checkEqual(v.sensitivity.text, pctText(num(p.sensitivity)), `sensitivity shown at ${tt}`);
    checkEqual(v.specificity.text, pctText(num(p.specificity)), `specificity shown at ${tt}`);
    checkEqual(v.kappa.text, Number.isNaN(num(p.kappa)) ? '–' : num(p.kappa).toFixed(3), `kappa shown at ${tt}`);
    check(v.misses.endsWith(`: ${expected.fp + expected.fn}`), `the list of misses at ${tt} counts FP + FN: ${v.misses}`);
    // Chart.js redraws after the page's render: wait for the over-time chart to change.
    await until(async () => (await canvasImage('over-time')) !== before,
      `the over-time chart to change when the threshold moved to ${tt}`, { timeout: 10000 });
    seen.push(JSON.stringify([v.tp, v.fp, v.fn, v.tn]));
    await t.shot(`threshold-${tt.toFixed(2)}`);
  }
  check(new Set(seen).size === picks.length, `the numbers change between thresholds: ${seen.join(' ')}`);
  check((await drawn('roc')) > 1000 && (await drawn('over-time')) > 1000, 'the charts are still drawn');

  // The drift table lists the assessment's periods.
  const periods = await page.$$eval('[data-testid=drift] tbody tr', (rows) => rows.map((r) => r.dataset.period));
  checkEqual(periods, a.drift.map((r) => r.period), 'drift table periods');
});
