import { describe, expect, it } from 'vitest';
import { listOf, parseCommandArgs, type CommandSpec } from '../../src-main/cli/args';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'a command for the test',
  usage: 'demo --models A,B',
  options: { models: { type: 'string', description: 'packages' }, folds: { type: 'number', description: 'folds', integer: true, min: 2, default: 5 } },
};

describe('listOf', () => {
  it('splits a comma-separated option into trimmed items', () => {
    expect(listOf('a, b ,c')).toEqual(['a', 'b', 'c']);
  });

  it('drops the empty items a trailing or doubled comma leaves, so they are never read as a path', () => {
    // path.resolve('') is the working folder: an empty item must not reach it.
    expect(listOf('runs/a/metrics.json,')).toEqual(['runs/a/metrics.json']);
    expect(listOf('a,,b')).toEqual(['a', 'b']);
    expect(listOf(' , ')).toEqual([]);
  });

  it('gives no items for a missing option', () => {
    expect(listOf(undefined)).toEqual([]);
  });
});

describe('parseCommandArgs', () => {
  it('reads a list option through listOf and applies number defaults', () => {
    const { options } = parseCommandArgs(spec, ['--models', 'x,y']);
    expect(listOf(options.models as string)).toEqual(['x', 'y']);
    expect(options.folds).toBe(5);
  });

  it('names the option and the value it refuses', () => {
    expect(() => parseCommandArgs(spec, ['--folds', '1'])).toThrow(/--folds: "1" is not an integer >= 2/);
    expect(() => parseCommandArgs(spec, ['--nope'])).toThrow(/demo: .*nope.*see glaucoma-studio demo --help/);
  });
});
