// The robustness scripts' shared options: a reading option that is absent leaves the package's own, and a typo is
// named with the allowed values rather than read as the default.
import { describe, expect, it } from 'vitest';
import { cupThresholdArg, optionalArg, shapePriorArg, stageFusionArg } from '../../bench/robustness/args';

const argv = (...rest: string[]): string[] => ['node', 'script.ts', ...rest];

describe('bench/robustness options', () => {
  it('reads the value after --name, and nothing when the option is absent', () => {
    expect(optionalArg('run', argv('--run', 'runs/cv', '--out', 'x'))).toBe('runs/cv');
    expect(optionalArg('fold', argv('--run', 'runs/cv'))).toBeUndefined();
  });

  it('passes the stage fusion and shape prior through, or leaves the package its own', () => {
    expect(stageFusionArg(argv('--stage-fusion', 'average-disc'))).toBe('average-disc');
    expect(shapePriorArg(argv('--shape-prior', 'hull'))).toBe('hull');
    expect(stageFusionArg(argv('--model', 'm'))).toBeUndefined();
    expect(shapePriorArg(argv())).toBeUndefined();
  });

  it("names a value that is not one of the pipeline's", () => {
    expect(() => stageFusionArg(argv('--stage-fusion', 'avg'))).toThrow('--stage-fusion must be one of replace, average, average-disc, got avg');
    expect(() => shapePriorArg(argv('--shape-prior', 'convex'))).toThrow(/--shape-prior must be one of none, filled, hull, ellipse, got convex/);
  });

  it('reads a cup threshold strictly between 0 and 1, or leaves the package its own', () => {
    expect(cupThresholdArg(argv('--cup-threshold', '0.375'))).toBe(0.375);
    expect(cupThresholdArg(argv())).toBeUndefined();
    for (const bad of ['0', '1', 'half']) expect(() => cupThresholdArg(argv('--cup-threshold', bad))).toThrow(`--cup-threshold must be between 0 and 1, got ${bad}`);
  });
});
