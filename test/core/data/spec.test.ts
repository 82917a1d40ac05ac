import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src-main/core/errors';
import { detectDataKind, openDataset, parseDataSpec } from '../../../src-main/core/data/spec';
import { writeSyntheticRefuge } from '../../../src-main/core/data/synth';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const codec = createSharpCodec();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parseDataSpec', () => {
  it('splits known prefixes and keeps bare paths, including Windows drive letters', () => {
    expect(parseDataSpec('refuge:/data/REFUGE')).toEqual({ kind: 'refuge', path: '/data/REFUGE' });
    expect(parseDataSpec('Drishti:./d')).toEqual({ kind: 'drishti', path: './d' });
    expect(parseDataSpec('manifest:C:\\data\\m.csv')).toEqual({ kind: 'manifest', path: 'C:\\data\\m.csv' });
    expect(parseDataSpec('/data/photos')).toEqual({ kind: 'auto', path: '/data/photos' });
    expect(parseDataSpec('C:\\data\\photos')).toEqual({ kind: 'auto', path: 'C:\\data\\photos' });
    expect(parseDataSpec('roi:  x ')).toEqual({ kind: 'roi', path: 'x' });
  });

  it('unknown prefix, missing path, empty spec: InputError naming the spec', () => {
    expect(() => parseDataSpec('refug:/data')).toThrow(new InputError('refug:/data', "unknown dataset kind 'refug' (expected refuge, drishti, roi, folder, manifest, or a bare path)"));
    expect(() => parseDataSpec('folder:')).toThrow(new InputError('folder:', "no path after 'folder:'"));
    expect(() => parseDataSpec('  ')).toThrow(InputError);
  });
});

describe('detectDataKind and openDataset', () => {
  it('detects a synthetic REFUGE tree, a CSV, a single image and a plain folder, and says why', async () => {
    const refuge = path.join(tmp, 'synthetic-refuge');
    await writeSyntheticRefuge(refuge, { count: 2, seed: 3, width: 64, height: 64, splits: ['validation'] }, codec);
    expect(detectDataKind(refuge)).toEqual({ kind: 'refuge', reason: 'found REFUGE-named folders with g/n/V/T images: REFUGE layout' });
    const opened = await openDataset(refuge);
    expect(opened.kind).toBe('refuge');
    expect(opened.detected).toMatch(/REFUGE layout/);
    expect(opened.dataset.samples.map((s) => s.id)).toEqual(['V0001', 'V0002']);

    const photos = path.join(tmp, 'photos');
    fs.mkdirSync(photos);
    await codec.writePng(path.join(photos, 'eye.png'), { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) });
    expect(detectDataKind(photos).kind).toBe('folder');
    expect(detectDataKind(path.join(photos, 'eye.png'))).toEqual({ kind: 'folder', reason: 'a single file: read as one image' });
    fs.writeFileSync(path.join(tmp, 'list.csv'), 'image\nphotos/eye.png\n');
    const manifest = await openDataset(path.join(tmp, 'list.csv'));
    expect([manifest.kind, manifest.dataset.samples.length]).toEqual(['manifest', 1]);
    const named = await openDataset(`folder:${photos}`);
    expect([named.kind, named.detected]).toEqual(['folder', null]);
    await expect(openDataset(path.join(tmp, 'nothing-here'))).rejects.toThrow(/not found/);
  });

  it('with a codec, unreadable images move from the samples to the problems', async () => {
    const mixed = path.join(tmp, 'mixed');
    fs.mkdirSync(mixed);
    await codec.writePng(path.join(mixed, 'good.png'), { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) });
    await codec.writePng(path.join(mixed, 'tiny.png'), { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3) });
    fs.writeFileSync(path.join(mixed, 'fake.jpg'), 'PK\x03\x04not really');
    const { dataset } = await openDataset(`folder:${mixed}`, codec);
    expect(dataset.samples.map((s) => s.id)).toEqual(['good']);
    expect(dataset.problems).toEqual([
      { file: path.join(mixed, 'fake.jpg'), problem: 'not an image (starts with bytes 50 4B 03 04: looks like a ZIP); skipped' },
      { file: path.join(mixed, 'tiny.png'), problem: 'too small: 8x8 px (each side must be at least 64 px); skipped' },
    ]);
  });
});

describe.runIf(hasSharedData())('detectDataKind on the shared datasets', () => {
  it('tells REFUGE, Drishti-GS1 and the ROI crops apart', () => {
    expect(detectDataKind(sharedPath('refuge-samples')).kind).toBe('refuge');
    expect(detectDataKind(sharedPath('drishti-gs1')).kind).toBe('drishti');
    expect(detectDataKind(sharedPath('roi-multidomain'))).toEqual({ kind: 'roi', reason: 'found 8 image/ + mask/ folder pair(s): images with REFUGE-convention masks' });
  });
});
