import { describe, expect, it } from 'vitest';
import { formatEta, formatProbability, formatRatio, higherIsBetter, problemWithoutPath } from '../../src-renderer/src/format';

describe('formatting for the reader', () => {
  it('shows probabilities as percent and ratios with two decimals, missing values as a dash', () => {
    expect(formatProbability(0.876)).toBe('88 %');
    expect(formatRatio(0.456)).toBe('0.46');
    expect(formatRatio(null)).toBe('–');
  });

  it('rounds an ETA to what a person can use', () => {
    expect(formatEta(12.4)).toBe('12 s');
    expect(formatEta(185)).toBe('about 3 min');
    expect(formatEta(null)).toBe('–');
  });

  it('knows which metrics are better when higher', () => {
    expect(higherIsBetter('ocDice')).toBe(true);
    expect(higherIsBetter('vcdrMae')).toBe(false);
    expect(higherIsBetter('foveaDistance')).toBe(false);
  });

  it('drops the path a per-file problem starts with, and only that', () => {
    expect(problemWithoutPath('notes.txt', '/tmp/x/notes.txt: not an image (looks like text)')).toBe('not an image (looks like text)');
    expect(problemWithoutPath('/tmp/x/a.jpg', '/tmp/x/a.jpg: truncated JPEG')).toBe('truncated JPEG');
    expect(problemWithoutPath('a.jpg', 'b.jpg: something')).toBe('b.jpg: something');
    expect(problemWithoutPath('a.jpg', 'grey image: no colour')).toBe('grey image: no colour');
  });
});
