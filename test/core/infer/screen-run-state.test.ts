// A screening output folder says what it holds: a second run replaces the
// first's files, a stopped run is marked partial and --resume finishes it
// exactly, and a damaged JPEG is a problem in summary.csv, not a decision.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../../src-main/core/backend';
import { parseCsv } from '../../../src-main/core/data/csv';
import { Predictor } from '../../../src-main/core/infer/predictor';
import { screenFolder, type ScreenFolderOptions } from '../../../src-main/core/infer/screen-folder';
import { SCREEN_LOG_FILE } from '../../../src-main/core/infer/screen-run-state';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { useTestBackend } from '../../helpers/backend';
import { fundusLikeJpeg, noisyTail } from '../../helpers/bad-images';
import { writeTinyModel } from '../../helpers/model';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'screen-state-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const codec = createSharpCodec();
let backend: BackendInfo;
const modelDir = path.join(tmp, 'model');
const options: ScreenFolderOptions = { tta: false, overlays: true, overlaySide: 256 };

beforeAll(async () => {
  backend = await useTestBackend();
  await writeTinyModel(modelDir, { tasks: ['od', 'oc'] });
});

async function photoFolder(name: string, count: number): Promise<string> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) await fundusLikeJpeg(path.join(dir, `img${i}.jpg`), 96 + i * 8, 80);
  return dir;
}

async function screen(folder: string, out: string, extra: Partial<ScreenFolderOptions> = {}) {
  const predictor = Predictor.open(modelDir, codec);
  try {
    return await screenFolder(folder, out, predictor, codec, backend, { ...options, ...extra });
  } finally {
    predictor.dispose();
  }
}

const config = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
const summaryRows = (out: string) => parseCsv(fs.readFileSync(path.join(out, 'summary.csv'), 'utf8')).rows.map((r) => r.cells);
/** The index of a summary.csv column, by its header. */
const column = (out: string, name: string): number => parseCsv(fs.readFileSync(path.join(out, 'summary.csv'), 'utf8')).header.indexOf(name);

describe('screening output folders', () => {
  it('a second run into the same --out leaves none of the first run\'s files', async () => {
    const first = await photoFolder('first', 3);
    const second = await photoFolder('second', 1);
    fs.renameSync(path.join(second, 'img0.jpg'), path.join(second, 'other.jpg'));
    const out = path.join(tmp, 'out-twice');
    await screen(first, out);
    expect(fs.readdirSync(path.join(out, 'segmentation'))).toHaveLength(3);
    await screen(second, out);
    expect(fs.readdirSync(path.join(out, 'segmentation'))).toEqual(['other.bmp']);
    expect(fs.readdirSync(path.join(out, 'overlays'))).toEqual(['other.png']);
    expect(summaryRows(out).map((r) => r[0])).toEqual(['other.jpg']);
    expect(config(out)).toMatchObject({ status: 'complete', folder: second, images: { total: 1, done: 1 } });
  });

  it('a stopped run is marked partial in config.json and report.html; --resume finishes it exactly', async () => {
    const folder = await photoFolder('stopped', 4);
    const out = path.join(tmp, 'out-stopped');
    const abort = new AbortController();
    const result = await screen(folder, out, { signal: abort.signal, onImage: (done) => done === 2 && abort.abort() });
    expect(result.complete).toBe(false);
    expect(config(out)).toMatchObject({ status: 'partial', images: { total: 4, done: 2 } });
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('Partial run');
    expect(summaryRows(out)).toHaveLength(2);

    const screened: string[] = [];
    const resumed = await screen(folder, out, { resume: true, onImage: (_d, _t, file, problem) => problem === null && screened.push(path.basename(file)) });
    expect(resumed.complete).toBe(true);
    expect(config(out)).toMatchObject({ status: 'complete', resumed: true, images: { total: 4, done: 4, screened: 4 } });
    expect(summaryRows(out).map((r) => r[0])).toEqual(['img0.jpg', 'img1.jpg', 'img2.jpg', 'img3.jpg']);
    expect(fs.readFileSync(path.join(out, SCREEN_LOG_FILE), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).not.toContain('Partial run');

    // The same as one uninterrupted run.
    const straight = path.join(tmp, 'out-straight');
    await screen(folder, straight);
    const ms = column(out, 'Milliseconds');
    const strip = (rows: string[][]) => rows.map((r) => r.filter((_, i) => i !== ms)); // Milliseconds differ
    expect(strip(summaryRows(out))).toEqual(strip(summaryRows(straight)));
  });

  it('--resume with another folder, or with nothing to resume, is a clear error', async () => {
    const folder = await photoFolder('resume-other', 1);
    await expect(screen(folder, path.join(tmp, 'out-stopped'), { resume: true })).rejects.toThrow(/earlier run screened .*stopped, not/);
    await expect(screen(folder, path.join(tmp, 'nothing'), { resume: true })).rejects.toThrow(/nothing to resume/);
  });

  it('--resume at another operating point is a clear error (one summary, one decision rule)', async () => {
    const folder = await photoFolder('resume-rule', 2);
    const out = path.join(tmp, 'out-rule');
    const abort = new AbortController();
    await screen(folder, out, { signal: abort.signal, onImage: (done) => done === 1 && abort.abort() });
    await expect(screen(folder, out, { resume: true, decision: { fusion: 'paper', specificity: 0.9 } })).rejects.toThrow(/earlier run decided with .*resume with the same --fusion and --specificity/);
    expect((await screen(folder, out, { resume: true })).complete).toBe(true);
  });

  it('a half-written last log line (kill -9 mid-write) is screened again on resume', async () => {
    const folder = await photoFolder('killed', 2);
    const out = path.join(tmp, 'out-killed');
    await screen(folder, out);
    const log = path.join(out, SCREEN_LOG_FILE);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    fs.writeFileSync(log, `${lines[0]}\n${lines[1]!.slice(0, 40)}`);
    const again: string[] = [];
    await screen(folder, out, { resume: true, onImage: (_d, _t, file) => again.push(path.basename(file)) });
    expect(summaryRows(out)).toHaveLength(2);
    expect(config(out).status).toBe('complete');
  });

  it('a damaged JPEG is a problem in summary.csv, with no decision and no segmentation', async () => {
    const folder = await photoFolder('damaged', 2);
    fs.writeFileSync(path.join(folder, 'img1.jpg'), noisyTail(fs.readFileSync(path.join(folder, 'img1.jpg'))));
    const out = path.join(tmp, 'out-damaged');
    await screen(folder, out);
    const rows = summaryRows(out);
    const damaged = rows.find((r) => r[0] === 'img1.jpg')!;
    expect(damaged[column(out, 'Width')]).toBe(''); // no prediction
    expect(damaged[column(out, 'Decision')]).toBe('');
    expect(damaged[column(out, 'Problem')]).toMatch(/^damaged JPEG: Corrupt JPEG data/);
    expect(rows.find((r) => r[0] === 'img0.jpg')![1]).toBe('96');
    expect(fs.readdirSync(path.join(out, 'segmentation'))).toEqual(['img0.bmp']);
  });
});
