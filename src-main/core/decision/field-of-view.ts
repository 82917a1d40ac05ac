// The field of view a decision is trusted on, measured rather than assumed.
//
// A decision rule on cup-to-disc ratios is scale-free: what can go wrong on
// another field of view is the segmentation, which the pipeline resamples to a
// fixed disc-crop size. So the range of disc sizes (disc diameter / the image's
// shorter side) the rule may decide on is widened beyond its cases' own span
// only as far as the robustness benchmark measured the segmentation holding: a
// photograph zoomed out or cropped reads as well as unshifted (disc found in
// every image, OD and OC Dice and the vCDR error within a tolerance). The
// measured conditions must join up with the cases' span, so a gap (a scale at
// which reading failed) is never bridged.
import { z } from 'zod';
import { discSizeDomain, type DecisionDomain } from './model';

/** One condition of the field-of-view measure (bench/robustness/run.ts's results.json `shifts`, train's folds/N/field-of-view.json). */
export const ShiftReadingSchema = z.object({
  condition: z.string(),
  images: z.number(),
  /** Fractions of the images (0-1). */
  discFound: z.number(),
  odDice: z.number().nullable(),
  ocDice: z.number().nullable(),
  vcdrMae: z.number().nullable(),
  /** Smallest and largest disc found, as a fraction of the image's shorter side. */
  discSpan: z.tuple([z.number(), z.number()]).nullable(),
});
export type ShiftReading = Readonly<z.infer<typeof ShiftReadingSchema>>;

/** The condition every other is judged against. */
export const UNSHIFTED = 'clean';

/**
 * How much worse than unshifted a condition may read and still count as holding: the benchmark's
 * noise on ten images per model (docs/robustness.md: differences below about 0.02 are noise).
 */
export const FIELD_OF_VIEW_TOLERANCE = 0.02;

/** Several models' readings of the same conditions (e.g. a cross-validation's fold models) pooled, image-weighted. */
export function poolReadings(perModel: readonly (readonly ShiftReading[])[]): ShiftReading[] {
  // A Map keeps its keys in first-seen order: the conditions come out in the order the benchmark ran them.
  const byCondition = new Map<string, ShiftReading[]>();
  for (const readings of perModel) {
    for (const r of readings) {
      const rs = byCondition.get(r.condition);
      if (rs) rs.push(r);
      else byCondition.set(r.condition, [r]);
    }
  }
  return [...byCondition].map(([condition, rs]) => {
    const images = rs.reduce((s, r) => s + r.images, 0);
    const weighted = (f: (r: ShiftReading) => number | null): number | null => (rs.some((r) => f(r) === null) ? null : rs.reduce((s, r) => s + f(r)! * r.images, 0) / images);
    const spans = rs.flatMap((r) => (r.discSpan ? [r.discSpan] : []));
    return {
      condition,
      images,
      discFound: weighted((r) => r.discFound)!,
      odDice: weighted((r) => r.odDice),
      ocDice: weighted((r) => r.ocDice),
      vcdrMae: weighted((r) => r.vcdrMae),
      discSpan: spans.length ? [Math.min(...spans.map((s) => s[0])), Math.max(...spans.map((s) => s[1]))] : null,
    };
  });
}

export interface ConditionVerdict {
  readonly condition: string;
  readonly holds: boolean;
  /** Why it does not hold, or how it joined the span. */
  readonly why: string;
}

export interface MeasuredFieldOfView {
  /** The range of disc sizes, widened by a tenth each way as a decision's cases' range is. */
  readonly discSize: { readonly low: number; readonly high: number };
  readonly verdicts: readonly ConditionVerdict[];
}

function failure(r: ShiftReading, clean: ShiftReading, tolerance: number): string | null {
  const why: string[] = [];
  if (!(r.discFound >= 1) || r.discSpan === null) why.push(r.images > 0 ? `disc found in ${(100 * r.discFound).toFixed(0)} %` : 'no photographs');
  if (r.odDice === null || r.odDice < clean.odDice! - tolerance) why.push(`OD Dice ${r.odDice?.toFixed(3) ?? 'n/a'} < ${(clean.odDice! - tolerance).toFixed(3)}`);
  if (r.ocDice === null || r.ocDice < clean.ocDice! - tolerance) why.push(`OC Dice ${r.ocDice?.toFixed(3) ?? 'n/a'} < ${(clean.ocDice! - tolerance).toFixed(3)}`);
  if (r.vcdrMae === null || r.vcdrMae > clean.vcdrMae! + tolerance) why.push(`vCDR MAE ${r.vcdrMae?.toFixed(3) ?? 'n/a'} > ${(clean.vcdrMae! + tolerance).toFixed(3)}`);
  return why.length ? why.join(', ') : null;
}

/**
 * The disc sizes over which reading held: the unshifted span, extended by every
 * condition that reads within `tolerance` of it and whose span touches the span
 * built so far.
 */
export function measuredFieldOfView(readings: readonly ShiftReading[], tolerance = FIELD_OF_VIEW_TOLERANCE): MeasuredFieldOfView {
  const clean = readings.find((r) => r.condition === UNSHIFTED);
  if (!clean || !clean.discSpan || clean.odDice === null || clean.ocDice === null || clean.vcdrMae === null) {
    throw new Error(`the readings need an unshifted '${UNSHIFTED}' condition with discs found (bench/robustness/run.ts --parts shifts)`);
  }
  let [low, high] = clean.discSpan;
  const verdicts = new Map<string, ConditionVerdict>([[UNSHIFTED, { condition: UNSHIFTED, holds: true, why: 'the reference' }]]);
  const passing: ShiftReading[] = [];
  for (const r of readings) {
    if (r.condition === UNSHIFTED) continue;
    const why = failure(r, clean, tolerance);
    if (why) verdicts.set(r.condition, { condition: r.condition, holds: false, why });
    else passing.push(r);
  }
  // Join the passing spans that touch the growing span, until none does.
  let joined = true;
  while (joined) {
    joined = false;
    for (const r of passing) {
      if (verdicts.has(r.condition)) continue;
      const [a, b] = r.discSpan!;
      if (a <= high && b >= low) {
        low = Math.min(low, a);
        high = Math.max(high, b);
        verdicts.set(r.condition, { condition: r.condition, holds: true, why: 'within tolerance, joined' });
        joined = true;
      }
    }
  }
  for (const r of passing) if (!verdicts.has(r.condition)) verdicts.set(r.condition, { condition: r.condition, holds: false, why: 'within tolerance, but its disc sizes do not join the span' });
  return { discSize: discSizeDomain([low, high]), verdicts: readings.map((r) => verdicts.get(r.condition)!) };
}

/**
 * A refitted decision's domain: its cases' span, or the union with a measured
 * span it replaces (the same networks read as well there; `set-domain`).
 */
export function keepMeasuredDomain(fitted: DecisionDomain, previous: DecisionDomain | undefined): DecisionDomain {
  if (!previous?.evidence) return fitted;
  return {
    discSize: { low: Math.min(fitted.discSize.low, previous.discSize.low), high: Math.max(fitted.discSize.high, previous.discSize.high) },
    evidence: previous.evidence,
    ...(previous.measuredOn ? { measuredOn: previous.measuredOn } : {}),
  };
}

/** Several models' readings pooled, the span they measured, and the domain a package records with its evidence. */
export interface FieldOfViewDomain {
  readonly pooled: readonly ShiftReading[];
  readonly measured: MeasuredFieldOfView;
  readonly domain: DecisionDomain & { readonly evidence: string };
}

/**
 * The measured domain of several models' readings of the same conditions (e.g. a cross-validation's fold models on
 * the photographs each held out); its evidence names the models, the photographs and the conditions that held.
 */
export function fieldOfViewDomain(perModel: readonly (readonly ShiftReading[])[], tolerance = FIELD_OF_VIEW_TOLERANCE): FieldOfViewDomain {
  const pooled = poolReadings(perModel);
  const measured = measuredFieldOfView(pooled, tolerance);
  // The benchmark names a condition "shift, severity: what it does"; the evidence keeps what it does.
  const held = pooled.filter((r, i) => measured.verdicts[i]!.holds && r.condition !== UNSHIFTED).map((r) => r.condition.split(': ').slice(1).join(': ') || r.condition);
  const images = pooled.find((r) => r.condition === UNSHIFTED)!.images;
  const evidence =
    `measured by the robustness benchmark on ${perModel.length} model${perModel.length === 1 ? '' : 's'} and ${images} photographs they did not train on: ` +
    `reading held (disc found in all, OD and OC Dice and vCDR error within ${tolerance} of the unshifted photographs') ` +
    (held.length ? held.join('; ') : 'on the unshifted photographs only');
  return { pooled, measured, domain: { discSize: measured.discSize, evidence } };
}
