// The final decision of `train --field-of-view`: it decides on the disc sizes its fold models read well at, joined
// with its cases' own, and stays as fitted (saying why) when the measurement is incomplete or found no disc.
import { describe, expect, it } from 'vitest';
import type { ShiftReading } from '../../../src-main/core/decision/field-of-view';
import { DOMAIN_MARGIN } from '../../../src-main/core/decision/model';
import { withFieldOfView } from '../../../src-main/core/train/fold-field-of-view';
import { decisionWithDomain } from '../../helpers/decision';

const reading = (condition: string, discSpan: [number, number] | null, over: Partial<ShiftReading> = {}): ShiftReading => ({ condition, images: 5, discFound: 1, odDice: 0.96, ocDice: 0.88, vcdrMae: 0.06, discSpan, ...over });
const fold = (clean: [number, number], zoomed: [number, number], crop: Partial<ShiftReading> = {}): ShiftReading[] => [
  reading('clean', clean),
  reading('zoomed out x1.7 into a black frame', zoomed),
  reading('a square crop 2x the disc diameter (the disc fills 50 %)', [0.3, 0.6], { odDice: 0.82, ...crop }),
];
const casesSpan = { discSize: { low: 0.17, high: 0.36 } };

describe('the final decision of a cross-validation that measured its field of view', () => {
  it('decides on the disc sizes the fold models read well at, joined with its cases', () => {
    const log: string[] = [];
    const decision = withFieldOfView(decisionWithDomain(casesSpan), [fold([0.19, 0.3], [0.1, 0.2]), fold([0.2, 0.31], [0.11, 0.19])], 2, (m) => log.push(m));
    expect(decision!.domain!.discSize.low).toBeCloseTo(0.1 / DOMAIN_MARGIN, 12);
    // The cases' span reaches higher than the ten photographs did: kept.
    expect(decision!.domain!.discSize.high).toBe(0.36);
    expect(decision!.domain!.evidence).toBe(
      "measured by the robustness benchmark on 2 models and 10 photographs they did not train on: reading held (disc found in all, OD and OC Dice and vCDR error within 0.02 of the unshifted photographs') zoomed out x1.7 into a black frame",
    );
    expect(log.join('\n')).toMatch(/^field of view: decides on discs spanning 9 %-36 %/);
  });

  it('stays as fitted, and says why, when a fold was not measured or no disc was found', () => {
    const fitted = decisionWithDomain(casesSpan);
    const log: string[] = [];
    expect(withFieldOfView(fitted, [fold([0.19, 0.3], [0.1, 0.2])], 2, (m) => log.push(m))).toEqual(fitted);
    expect(log.pop()).toBe("field of view not measured on every fold (1 of 2): the decision decides on its cases' disc sizes");
    const blind = [reading('clean', null, { discFound: 0, odDice: 0, ocDice: 0, vcdrMae: 0.5 })];
    expect(withFieldOfView(fitted, [blind, blind], 2, (m) => log.push(m))).toEqual(fitted);
    expect(log.pop()).toMatch(/^field of view not measured: the readings need an unshifted 'clean' condition with discs found/);
    // Not asked for, or nothing to decide: nothing said.
    expect(withFieldOfView(fitted, null, 2, (m) => log.push(m))).toBe(fitted);
    expect(withFieldOfView(null, [fold([0.19, 0.3], [0.1, 0.2])], 1, (m) => log.push(m))).toBeNull();
    expect(log).toEqual([]);
  });
});
