// A folder of what a clinic's export might hold, and a services instance over
// a temporary user-data folder with the in-memory job process. Images are
// small synthetic fundus photographs (src-main/core/data/synth.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import type { CaseSummary } from '../../../src-main/core/contract/contract';
import { callApi } from '../../../src-main/core/contract/dispatch';
import { encodeBmp } from '../../helpers/bmp-writer';
import { generateFundus } from '../../../src-main/core/data/synth';
import { InputError } from '../../../src-main/core/errors';
import { encodePng } from '../../../src-main/core/report/png';
import { createSharpCodec } from '../../../src-main/platform/sharp-codec';
import { columnPrediction, FakeLauncher, type FakeBehaviour } from '../jobs/fake-job-process';
import { writeFakeModel } from '../jobs/model-fixture';

export const codec = createSharpCodec();

export interface StudyFolder {
  readonly dir: string;
  /** Readable photographs: a PNG of a right eye, a JPEG of a left eye, a grey PNG, a BMP. */
  readonly good: readonly string[];
}

/**
 * Writes: P001_OD.png, P002_L.jpg, grey.png, camera.bmp (readable);
 * truncated.jpg (header intact, data cut: fails when screened); broken.png
 * (PNG signature, garbage after: fails at import); tiny.png (20x20: too small);
 * huge.png (a header claiming 12000 x 10000 px: too large); notes.txt (not an image).
 */
export async function writeStudyFolder(dir: string): Promise<StudyFolder> {
  fs.mkdirSync(dir, { recursive: true });
  const right = generateFundus(1, { width: 96, height: 88 }).image;
  const left = generateFundus(2, { width: 96, height: 96 }).image;
  await codec.writePng(path.join(dir, 'P001_OD.png'), right);
  await codec.writeJpeg(path.join(dir, 'P002_L.jpg'), left, 90);
  const grey = new Uint8Array(80 * 72);
  for (let i = 0; i < grey.length; i++) grey[i] = (i * 7) % 256;
  await codec.writePng(path.join(dir, 'grey.png'), { width: 80, height: 72, data: grey });
  fs.writeFileSync(path.join(dir, 'camera.bmp'), encodeBmp(generateFundus(3, { width: 72, height: 72 }).image));
  const jpeg = fs.readFileSync(path.join(dir, 'P002_L.jpg'));
  fs.writeFileSync(path.join(dir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  fs.writeFileSync(path.join(dir, 'broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
  await codec.writePng(path.join(dir, 'tiny.png'), { width: 20, height: 20, data: new Uint8Array(400 * 3).fill(90) });
  fs.writeFileSync(path.join(dir, 'huge.png'), pngClaimingSize(12_000, 10_000));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'exported by the camera\n');
  return { dir, good: ['P001_OD.png', 'P002_L.jpg', 'grey.png', 'camera.bmp'] };
}

/** A tiny grey PNG whose header claims another size (the limits are checked on the header, before any pixel is decoded). */
function pngClaimingSize(width: number, height: number): Buffer {
  const png = Buffer.from(encodePng({ width: 1, height: 1, data: new Uint8Array([0]) }));
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Screens like the job process would: reads the image (an unreadable one fails with its InputError) and predicts a fixed disc and cup. */
export const readingBehaviour = (): FakeBehaviour => ({
  predict: async (file) => {
    const image = await codec.readRgb(file);
    return columnPrediction(image.width, image.height, 0.7);
  },
});

export interface AppHarness {
  readonly root: string;
  readonly userData: string;
  readonly bundled: string;
  readonly launcher: FakeLauncher;
  services: Services;
  /** Builds the services again over the same folders (a restart). */
  restart(behaviour?: FakeBehaviour): Services;
  cleanup(): Promise<void>;
}

export async function appHarness(options: { behaviour?: FakeBehaviour; training?: Record<string, unknown>; printToPdf?: (html: string, file: string) => Promise<void> } = {}): Promise<AppHarness> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-app-'));
  const userData = path.join(root, 'user-data');
  const bundled = path.join(root, 'resources', 'model');
  await writeFakeModel(bundled, { id: 'drishti-v1', name: 'Default model', ...(options.training ? { training: options.training } : {}) });
  const launcher = new FakeLauncher(options.behaviour ?? readingBehaviour());
  const build = (): Services =>
    createServices({
      userDataDir: userData,
      bundledModelDir: bundled,
      launcher,
      shell: 'browser',
      appVersion: '0.0.0-test',
      user: 'dr.test',
      codec,
      // The tests' study folders and export targets are temporary folders.
      folderRoots: [os.tmpdir()],
      jobTuning: { progressIntervalMs: 0, readyTimeoutMs: 2000, cancelGraceMs: 100 },
      log: (level, message) => { if (process.env.GS_TEST_LOG) process.stderr.write(`[${level}] ${message}\n`); },
      ...(options.printToPdf ? { printToPdf: options.printToPdf } : {}),
    });
  const harness: AppHarness = {
    root,
    userData,
    bundled,
    launcher,
    services: build(),
    restart(behaviour) {
      if (behaviour) launcher.behaviour = behaviour;
      harness.services = build();
      return harness.services;
    },
    async cleanup() {
      await harness.services.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Imports writeStudyFolder's folder as study "Clinic", screens it and returns its cases by file name. */
export async function importAndScreen(h: AppHarness): Promise<{ studyId: string; byName: Map<string, CaseSummary> }> {
  const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
  const { study } = await callApi(h.services.handlers, 'studies.import', { folder: folder.dir, name: 'Clinic' });
  await callApi(h.services.handlers, 'screening.start', { studyId: study.id });
  await h.services.jobs.whenIdle();
  const cases = await callApi(h.services.handlers, 'cases.list', { studyId: study.id });
  return { studyId: study.id, byName: new Map(cases.map((c) => [c.name, c])) };
}

export { InputError };
