import { describe, expect, it } from 'vitest';
import { keepMeasuredDomain, measuredFieldOfView, poolReadings, type ShiftReading } from '../../../src-main/core/decision/field-of-view';
import { CASES_SPAN_EVIDENCE, DOMAIN_MARGIN, domainEvidence, inheritedDecision } from '../../../src-main/core/decision/model';
import { decisionWithDomain } from '../../helpers/decision';

function reading(condition: string, discSpan: [number, number] | null, over: Partial<ShiftReading> = {}): ShiftReading {
  return { condition, images: 10, discFound: 1, odDice: 0.96, ocDice: 0.9, vcdrMae: 0.06, discSpan, ...over };
}

const clean = reading('clean', [0.19, 0.31]);

describe('the measured field of view', () => {
  it('widens the unshifted span through every condition that reads within tolerance and touches it', () => {
    const m = measuredFieldOfView([
      clean,
      // Listed before the condition that links it to the span: joined all the same.
      reading('zoomed out x1.7', [0.09, 0.15], { odDice: 0.95, vcdrMae: 0.07 }),
      reading('zoomed out x1.3', [0.12, 0.2]),
      reading('zoomed out x2.2', [0.02, 0.12], { odDice: 0.87 }),
      reading('crop 3x', [0.22, 0.36], { ocDice: 0.86 }),
    ]);
    expect(m.discSize.low).toBeCloseTo(0.09 / DOMAIN_MARGIN, 12);
    expect(m.discSize.high).toBeCloseTo(0.31 * DOMAIN_MARGIN, 12);
    expect(m.verdicts.map((v) => v.holds)).toEqual([true, true, true, false, false]);
    expect(m.verdicts[3]!.why).toBe('OD Dice 0.870 < 0.940');
    expect(m.verdicts[4]!.why).toBe('OC Dice 0.860 < 0.880');
  });

  it('never bridges a gap, and fails a condition that lost a disc or reads the cup worse', () => {
    const m = measuredFieldOfView([
      clean,
      reading('far out', [0.04, 0.08]),
      reading('lost one', [0.12, 0.2], { discFound: 0.9 }),
      reading('cup worse', [0.3, 0.4], { vcdrMae: 0.09 }),
      reading('empty', null, { images: 0, discFound: Number.NaN }),
    ]);
    expect(m.discSize).toEqual({ low: 0.19 / DOMAIN_MARGIN, high: 0.31 * DOMAIN_MARGIN });
    expect(m.verdicts.map((v) => v.why)).toEqual(['the reference', 'within tolerance, but its disc sizes do not join the span', 'disc found in 90 %', 'vCDR MAE 0.090 > 0.080', 'no photographs']);
    // A wider tolerance lets the cup condition in, and the span follows it.
    expect(measuredFieldOfView([clean, reading('cup worse', [0.3, 0.4], { vcdrMae: 0.09 })], 0.05).discSize.high).toBeCloseTo(0.4 * DOMAIN_MARGIN, 12);
  });

  it('needs the unshifted photographs to judge against', () => {
    expect(() => measuredFieldOfView([reading('zoomed out x1.3', [0.12, 0.2])])).toThrow(/unshifted 'clean' condition/);
    expect(() => measuredFieldOfView([reading('clean', null, { discFound: 0 })])).toThrow(/unshifted 'clean' condition/);
  });

  it("pools several models' readings of a condition, image-weighted, with the extreme disc sizes", () => {
    const pooled = poolReadings([
      [clean, reading('x1.3', [0.12, 0.2], { odDice: 0.9, images: 10 })],
      [reading('clean', [0.2, 0.33], { odDice: 0.98, images: 30 }), reading('x1.3', [0.1, 0.18], { odDice: 0.8, discFound: 0.5, images: 30 })],
    ]);
    expect(pooled.map((r) => r.condition)).toEqual(['clean', 'x1.3']);
    expect(pooled[0]!.images).toBe(40);
    expect(pooled[0]!.odDice).toBeCloseTo((0.96 * 10 + 0.98 * 30) / 40, 12);
    expect(pooled[0]!.discSpan).toEqual([0.19, 0.33]);
    expect(pooled[1]!.discFound).toBeCloseTo(0.625, 12);
    expect(pooled[1]!.discSpan).toEqual([0.1, 0.2]);
  });

  it('keeps a measured span through a refit of the rule, and only a measured one', () => {
    const fitted = { discSize: { low: 0.17, high: 0.38 } };
    const measured = { discSize: { low: 0.08, high: 0.34 }, evidence: 'the benchmark' };
    expect(keepMeasuredDomain(fitted, measured)).toEqual({ discSize: { low: 0.08, high: 0.38 }, evidence: 'the benchmark' });
    expect(keepMeasuredDomain(fitted, { discSize: { low: 0.1, high: 0.2 } })).toEqual(fitted);
    expect(keepMeasuredDomain(fitted, undefined)).toEqual(fitted);
    // Whose networks it was measured on goes with it.
    expect(keepMeasuredDomain(fitted, { ...measured, measuredOn: 'parent-model' }).measuredOn).toBe('parent-model');
  });
});

describe('a field of view in words, and as a fine-tuned package inherits it', () => {
  const measured = { discSize: { low: 0.08, high: 0.34 }, evidence: 'measured by the robustness benchmark' };

  it("says how the range was set, and whose networks a measurement was of when they are not the package's own", () => {
    expect(domainEvidence({ discSize: { low: 0.17, high: 0.34 } })).toBe(CASES_SPAN_EVIDENCE);
    expect(domainEvidence(measured)).toBe('measured by the robustness benchmark');
    expect(domainEvidence({ ...measured, measuredOn: 'default-model' })).toBe(
      "measured by the robustness benchmark; measured on the networks of default-model, from which this package's networks were fine-tuned",
    );
  });

  it("marks a measured range as the parent's, once, through a chain of fine-tunes; a cases' span needs no mark", () => {
    const decision = decisionWithDomain(measured);
    const child = inheritedDecision(decision, 'parent-model');
    expect(child.domain).toEqual({ ...measured, measuredOn: 'parent-model' });
    expect(child.rule).toBe(decision.rule);
    // A grandchild's range was still measured on the grandparent's networks.
    expect(inheritedDecision(child, 'child-model').domain?.measuredOn).toBe('parent-model');
    const casesSpan = decisionWithDomain({ discSize: { low: 0.17, high: 0.34 } });
    expect(inheritedDecision(casesSpan, 'parent-model')).toEqual(casesSpan);
    const none = decisionWithDomain(undefined);
    expect(inheritedDecision(none, 'parent-model')).toEqual(none);
  });
});
