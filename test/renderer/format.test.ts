import { describe, expect, it } from 'vitest';
import { formatEta, formatInterval, formatProbability, formatProgress, formatRatio, higherIsBetter, lossLabel, metricLabel, problemWithoutPath } from '../../src-renderer/src/format';

describe('formatting for the reader', () => {
  it('shows probabilities as percent and ratios with two decimals, missing values as a dash', () => {
    expect(formatProbability(0.876)).toBe('88 %');
    expect(formatRatio(0.456)).toBe('0.46');
    expect(formatRatio(null)).toBe('–');
  });

  it('shows an estimate with its 95 % interval', () => {
    expect(formatInterval({ value: 0.5, low: 0.389, high: 0.611 })).toBe('0.50 (0.39–0.61)');
  });

  it('rounds an ETA to what a person can use', () => {
    expect(formatEta(12.4)).toBe('12 s');
    expect(formatEta(185)).toBe('about 3 min');
    expect(formatEta(null)).toBe('–');
  });

  it('shows the progress of a fine-tune as a percentage, never as a raw fraction of networks', () => {
    expect(formatProgress(0.22000000000000003, 2)).toBe('11 %');
    expect(formatProgress(2, 2)).toBe('100 %');
    expect(formatProgress(12, 40)).toBe('12 / 40');
    expect(formatProgress(0, 0)).toBe('–');
  });

  it('names metrics and losses in words, never by their internal ids', () => {
    expect(metricLabel('odDice')).toBe('Disc Dice');
    expect(metricLabel('sensitivityAt85')).toBe('Sensitivity at 85 % specificity');
    expect(metricLabel('aucVcdr')).toBe('Glaucoma AUC (vCDR alone)');
    expect(metricLabel('someNewScore')).toBe('Some new score');
    expect(lossLabel('oc')).toBe('Cup');
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
