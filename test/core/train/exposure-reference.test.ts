import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, rewritePackage } from '../../../src-main/core/model/package';
import { medianFieldLuminance } from '../../../src-main/core/train/exposure-reference';
import type { RgbImage } from '../../../src-main/core/types';
import { useTestBackend } from '../../helpers/backend';
import { writeTinyModel } from '../../helpers/model';

/** A 10x10 image: a grey field of the given level on the left half, black on the right. */
function half(level: number): RgbImage {
  const data = new Uint8Array(300);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 5; x++) data.fill(level, (y * 10 + x) * 3, (y * 10 + x) * 3 + 3);
  return { width: 10, height: 10, data };
}

describe('exposure reference', () => {
  let dir: string;
  beforeAll(async () => {
    await useTestBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-exposure-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the median luminance of the illuminated field, black border left out', () => {
    expect(medianFieldLuminance([half(40), half(100), half(60)])).toBeCloseTo(60, 6);
    expect(medianFieldLuminance([half(40), half(100)])).toBeCloseTo(70, 6);
    expect(medianFieldLuminance([half(0)])).toBeNull();
  });

  it('is recorded in a package copy and shown in its README; the weights are untouched', async () => {
    await writeTinyModel(path.join(dir, 'model'));
    const before = readManifest(path.join(dir, 'model'));
    await rewritePackage(path.join(dir, 'model'), path.join(dir, 'exposed'), { preprocessing: { ...before.preprocessing, luminanceReference: 61.5 } });
    const after = readManifest(path.join(dir, 'exposed'));
    expect(after.preprocessing.luminanceReference).toBe(61.5);
    expect(after.networks).toEqual(before.networks);
    expect(fs.readFileSync(path.join(dir, 'exposed', 'README.md'), 'utf8')).toContain('field luminance of 61.5');
  });
});
