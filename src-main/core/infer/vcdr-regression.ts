// The second glaucoma score: logistic regression of the label on the vertical
// cup-to-disc ratio, fitted on the training set's ground-truth vCDR and applied
// to predicted vCDR. Fitted by Newton's method (IRLS) with a small ridge
// penalty, which keeps the slope finite when the classes separate perfectly
// (as they often do on vCDR alone).
// The probability under a fitted regression is decision/model.ts vcdrProbability (the decision rules use it too).
import { sigmoid } from '../decision/logistic';

/**
 * Maximum-likelihood logistic regression y ~ sigmoid(a + b x) with penalty
 * (ridge / 2) * b^2 (the intercept is not penalised). Needs both classes.
 */
export function fitVcdrRegression(vcdr: readonly number[], labels: readonly (0 | 1)[], ridge = 1e-3): { intercept: number; slope: number } {
  if (vcdr.length !== labels.length) throw new Error(`vCDR regression: ${vcdr.length} ratios but ${labels.length} labels`);
  const positives = labels.filter((y) => y === 1).length;
  if (positives === 0 || positives === labels.length) {
    throw new Error(`vCDR regression needs both glaucoma and normal cases (got ${positives} of ${labels.length} glaucoma)`);
  }
  for (const v of vcdr) if (!Number.isFinite(v)) throw new Error('vCDR regression: a ratio is not a finite number');
  // Start from the prevalence, slope 0.
  let a = Math.log(positives / (labels.length - positives));
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    // Gradient and Hessian of the penalised negative log-likelihood.
    let ga = 0;
    let gb = ridge * b;
    let haa = 0;
    let hab = 0;
    let hbb = ridge;
    for (let i = 0; i < vcdr.length; i++) {
      const x = vcdr[i]!;
      const p = sigmoid(a + b * x);
      const r = p - labels[i]!;
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r;
      gb += r * x;
      haa += w;
      hab += w * x;
      hbb += w * x * x;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-18)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { intercept: a, slope: b };
}
