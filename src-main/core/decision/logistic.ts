// Ridge-penalised logistic regression on standardised inputs, fitted by Newton's
// method (IRLS). Small and exact: the decision model has a dozen inputs and a
// few hundred cases at most. The intercept is not penalised; the penalty keeps
// coefficients finite when the classes separate (they often do on vCDR alone).

export interface LogisticModel {
  /** Per-input mean and standard deviation used to standardise (sd 1 for a constant input). */
  readonly means: readonly number[];
  readonly sds: readonly number[];
  /** Coefficients on the standardised inputs, and the intercept. */
  readonly weights: readonly number[];
  readonly intercept: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(p / (1 - p)), with p kept off 0 and 1 so a saturated network output stays finite. */
export function logit(p: number, eps = 1e-4): number {
  const q = Math.min(1 - eps, Math.max(eps, p));
  return Math.log(q / (1 - q));
}

/** Solves A x = b for a small symmetric positive-definite A (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const d = m[c]![c]!;
    if (Math.abs(d) < 1e-15) throw new Error('logistic regression: singular system');
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / d;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * Fits y ~ sigmoid(b0 + w . z), z the standardised rows of x, minimising the
 * negative log-likelihood + (ridge / 2) |w|^2. Needs both classes.
 */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly (0 | 1)[], ridge: number): LogisticModel {
  if (x.length !== y.length) throw new Error(`logistic regression: ${x.length} rows but ${y.length} labels`);
  const positives = y.filter((v) => v === 1).length;
  if (positives === 0 || positives === y.length) throw new Error(`logistic regression needs both classes (got ${positives} of ${y.length} positive)`);
  if (!(ridge > 0)) throw new Error(`logistic regression: ridge must be > 0 (got ${ridge})`);
  const d = x[0]?.length ?? 0;
  for (const row of x) {
    if (row.length !== d) throw new Error('logistic regression: rows of different lengths');
    for (const v of row) if (!Number.isFinite(v)) throw new Error('logistic regression: an input is not a finite number');
  }
  const means = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  const sds = Array.from({ length: d }, (_, j) => {
    const v = x.reduce((s, r) => s + (r[j]! - means[j]!) ** 2, 0) / x.length;
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  const z = x.map((r) => r.map((v, j) => (v - means[j]!) / sds[j]!));
  // Parameters: [intercept, w1..wd], starting from the prevalence.
  let beta = [Math.log(positives / (y.length - positives)), ...new Array<number>(d).fill(0)];
  for (let iter = 0; iter < 100; iter++) {
    const g = new Array<number>(d + 1).fill(0);
    const h = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let j = 1; j <= d; j++) {
      g[j] = ridge * beta[j]!;
      h[j]![j] = ridge;
    }
    for (let i = 0; i < z.length; i++) {
      const row = [1, ...z[i]!];
      let eta = 0;
      for (let j = 0; j <= d; j++) eta += row[j]! * beta[j]!;
      const p = sigmoid(eta);
      const r = p - y[i]!;
      const w = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j <= d; j++) {
        g[j]! += r * row[j]!;
        for (let k = 0; k <= d; k++) h[j]![k]! += w * row[j]! * row[k]!;
      }
    }
    const step = solve(h, g);
    beta = beta.map((b, j) => b - step[j]!);
    if (step.every((s) => Math.abs(s) < 1e-10)) break;
  }
  return { means, sds, weights: beta.slice(1), intercept: beta[0]! };
}

/** The linear predictor (log-odds) of one row. */
export function logisticLogit(model: LogisticModel, row: readonly number[]): number {
  if (row.length !== model.weights.length) throw new Error(`logistic regression: ${row.length} inputs, the model has ${model.weights.length}`);
  let eta = model.intercept;
  for (let j = 0; j < row.length; j++) eta += (model.weights[j]! * (row[j]! - model.means[j]!)) / model.sds[j]!;
  return eta;
}

export function logisticProbability(model: LogisticModel, row: readonly number[]): number {
  return sigmoid(logisticLogit(model, row));
}
