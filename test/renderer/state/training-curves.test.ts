import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src-main/core/contract/contract';
import { curvesByNetwork, networkTitle } from '../../../src-renderer/src/state/training-curves';

describe('fine-tune curves', () => {
  it('keeps one set of curves per network, the main network first, with readable names', () => {
    const epochs: Job['epochs'] = [
      { network: 'network disc-crop', epoch: 0, losses: { oc: 0.5 }, validation: { ocDice: 0.7 } },
      { network: 'network disc-crop', epoch: 1, losses: { oc: 0.4 }, validation: { ocDice: 0.75 } },
      { network: 'network main', epoch: 0, losses: { od: 0.3, glaucoma: 0.6 }, validation: { odDice: 0.9, sensitivityAt85: 0.5 } },
      { network: 'network main', epoch: 1, losses: { od: 0.2, glaucoma: 0.5 }, validation: { odDice: 0.92, sensitivityAt85: null } },
    ];
    const curves = curvesByNetwork(epochs);
    expect(curves.map((c) => c.title)).toEqual(['main network', 'disc-crop network']);
    const main = curves[0]!;
    expect(main.losses.map((s) => [s.label, s.points.length])).toEqual([
      ['Disc', 2],
      ['Glaucoma', 2],
    ]);
    expect(main.dice.map((s) => [s.label, s.points.map((p) => p.y)])).toEqual([['Disc Dice', [0.9, 0.92]]]);
    expect(main.other.map((s) => [s.label, s.points.length])).toEqual([['Sensitivity at 85 % specificity', 1]]);
    expect(curves[1]!.dice.map((s) => s.label)).toEqual(['Cup Dice']);
  });

  it('names networks for a person', () => {
    expect(networkTitle('network main')).toBe('main network');
    expect(networkTitle('network disc-crop')).toBe('disc-crop network');
    expect(networkTitle('network disc-crop-polar')).toBe('polar disc-crop network');
    expect(networkTitle('')).toBe('model');
  });
});
