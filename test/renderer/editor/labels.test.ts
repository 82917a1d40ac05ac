import { describe, expect, it } from 'vitest';
import { LABEL_BACKGROUND as BACKGROUND, LABEL_CUP as CUP, LABEL_RIM as RIM } from '../../../src-main/core/contract/label-map';
import { erased, painted, replaced } from '../../../src-renderer/src/editor/labels';

describe('cup-inside-disc label rule', () => {
  it('painting cup anywhere makes the pixel cup (the disc grows to hold it)', () => {
    expect([BACKGROUND, RIM, CUP].map((v) => painted(v, 'cup'))).toEqual([CUP, CUP, CUP]);
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
    expect([BACKGROUND, RIM, CUP].map((v) => replaced(v, 'cup', true))).toEqual([CUP, CUP, CUP]);
    expect([BACKGROUND, RIM, CUP].map((v) => replaced(v, 'cup', false))).toEqual([BACKGROUND, RIM, RIM]);
  });
});
