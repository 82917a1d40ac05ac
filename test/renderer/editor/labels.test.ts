import { describe, expect, it } from 'vitest';
import { LABEL_BACKGROUND as BACKGROUND, LABEL_CUP as CUP, LABEL_RIM as RIM } from '../../../src-main/core/contract/label-map';
import { clippedByDisc, erased, painted, replaced } from '../../../src-renderer/src/editor/labels';

describe('cup-inside-disc label rule', () => {
  it('painting cup makes disc pixels cup and leaves the background alone (the disc never grows silently)', () => {
    expect([BACKGROUND, RIM, CUP].map((v) => painted(v, 'cup'))).toEqual([BACKGROUND, CUP, CUP]);
    expect([BACKGROUND, RIM, CUP].map((v) => clippedByDisc(v, 'cup'))).toEqual([true, false, false]);
    expect([BACKGROUND, RIM, CUP].map((v) => clippedByDisc(v, 'disc'))).toEqual([false, false, false]);
  });
  it('painting disc keeps the cup that is already there', () => {
    expect([BACKGROUND, RIM, CUP].map((v) => painted(v, 'disc'))).toEqual([RIM, RIM, CUP]);
  });
  it('erasing disc erases the cup there too', () => {
    expect([BACKGROUND, RIM, CUP].map((v) => erased(v, 'disc'))).toEqual([BACKGROUND, BACKGROUND, BACKGROUND]);
  });
  it('erasing cup leaves the disc', () => {
    expect([BACKGROUND, RIM, CUP].map((v) => erased(v, 'cup'))).toEqual([BACKGROUND, RIM, RIM]);
  });
  it('replacing: paint inside the shape, erase outside it', () => {
    expect([BACKGROUND, RIM, CUP].map((v) => replaced(v, 'disc', false))).toEqual([BACKGROUND, BACKGROUND, BACKGROUND]);
    expect([BACKGROUND, RIM, CUP].map((v) => replaced(v, 'cup', true))).toEqual([BACKGROUND, CUP, CUP]);
    expect([BACKGROUND, RIM, CUP].map((v) => replaced(v, 'cup', false))).toEqual([BACKGROUND, RIM, RIM]);
  });
});
