// The binary metrics of an assessment at any threshold, computed in the browser from assessment.json's timeline
// (each case's positive score and whether its read was positive), with exactly the definitions of the assess job
// (core's BinaryMetrics and Kappa): a case is called positive when its score is >= the threshold; a ratio whose
// denominator is 0 is NaN; kappa is Cohen's unweighted kappa of the 2x2 table, computed in the same order of
// operations, so at a threshold of the job's sweep the numbers are the job's to the last bit.

/** A number of the API, which writes NaN and infinities as strings ("NaN", "Infinity"). */
export function num(x) {
  if (typeof x === 'number') return x;
  if (x === null || x === undefined || x === '') return NaN;
  return Number(x);
}

/** TP, FP, TN, FN at the threshold (called positive: score >= threshold). */
export function countsAt(timeline, threshold) {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const c of timeline) {
    const called = c.score >= threshold;
    if (called && c.referencePositive) tp += 1;
    else if (called) fp += 1;
    else if (c.referencePositive) fn += 1;
    else tn += 1;
  }
  return { tp, fp, tn, fn };
}

const ratio = (a, b) => (b === 0 ? NaN : a / b);

/** Cohen's unweighted kappa of the call against the read: the matrix {{TN, FP}, {FN, TP}}, as core's Kappa. */
export function kappa({ tp, fp, tn, fn }) {
  const m = [[tn, fp], [fn, tp]];
  const n = tn + fp + fn + tp;
  if (n === 0) return NaN;
  const rows = [0, 0];
  const cols = [0, 0];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      rows[i] += m[i][j] / n;
      cols[j] += m[i][j] / n;
    }
  }
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      const w = i === j ? 0 : 1;
      observed += (w * m[i][j]) / n;
      expected += w * rows[i] * cols[j];
    }
  }
  return expected === 0 ? NaN : 1 - observed / expected;
}

/** Counts and metrics at one threshold. */
export function metricsAt(timeline, threshold) {
  const c = countsAt(timeline, threshold);
  return {
    threshold,
    ...c,
    sensitivity: ratio(c.tp, c.tp + c.fn),
    specificity: ratio(c.tn, c.tn + c.fp),
    ppv: ratio(c.tp, c.tp + c.fp),
    npv: ratio(c.tn, c.tn + c.fn),
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    kappa: kappa(c),
    falsePositiveRate: ratio(c.fp, c.fp + c.tn),
    calledPositive: ratio(c.tp + c.fp, c.tp + c.fp + c.tn + c.fn),
  };
}

/** A slider position (hundredths) as the job writes its sweep thresholds: t / 100.0, the same double. */
export function hundredths(value) {
  return Math.round(Number(value) * 100) / 100;
}

/** The sweep point at exactly this threshold, if the job computed one. */
export function sweepAt(sweep, threshold) {
  return (sweep || []).find((p) => num(p.threshold) === threshold) || null;
}

/** Whether two metric values agree (NaN agrees with NaN). */
export function same(a, b) {
  const x = num(a);
  const y = num(b);
  return (Number.isNaN(x) && Number.isNaN(y)) || x === y;
}

/** The drift table's period of a date (YYYY-MM-DD), as the assess job names it: 2027-03, 2027-Q1, 2027-W09, 2027. */
export function periodOf(date, period) {
  const [y, m, d] = date.split('-').map(Number);
  switch (period) {
    case 'month': return `${y}-${String(m).padStart(2, '0')}`;
    case 'quarter': return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
    case 'year': return String(y);
    case 'week': {
      // ISO 8601: the week with the year's first Thursday is week 1; weeks start on Monday.
      const t = new Date(Date.UTC(y, m - 1, d));
      const day = (t.getUTCDay() + 6) % 7; // Monday 0
      t.setUTCDate(t.getUTCDate() - day + 3); // the Thursday of this week
      const weekYear = t.getUTCFullYear();
      const firstThursday = new Date(Date.UTC(weekYear, 0, 4));
      firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
      const week = 1 + Math.round((t - firstThursday) / (7 * 86400000));
      return `${weekYear}-W${String(week).padStart(2, '0')}`;
    }
    default: return date;
  }
}

/** Bland-Altman agreement of predicted against reference volumes (predicted minus reference), as core's BlandAltman. */
export function blandAltman(pairs) {
  const points = pairs.map((p) => ({ mean: (p.predicted + p.reference) / 2, difference: p.predicted - p.reference,
    caseId: p.caseId }));
  const n = points.length;
  if (n < 2) return null;
  const bias = points.reduce((s, p) => s + p.difference, 0) / n;
  const ss = points.reduce((s, p) => s + (p.difference - bias) * (p.difference - bias), 0);
  const sd = Math.sqrt(ss / (n - 1));
  return { bias, sd, lower: bias - 1.96 * sd, upper: bias + 1.96 * sd, points };
}
