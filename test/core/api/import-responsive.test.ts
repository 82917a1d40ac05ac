// Importing a huge folder must not stop the app answering: the folder walk
// gives the event loop back as it goes (walkFolderAsync), so a call made while
// a folder of thousands of files is being listed is answered before the
// listing ends, not after it (before, another call waited 5.7 s).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appHarness, codec, type AppHarness } from './study-fixture';

let harness: AppHarness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.cleanup();
  harness = null;
});

describe('studies.import of a huge folder', () => {
  it('answers another call while the folder is being listed', async () => {
    harness = await appHarness();
    const folder = path.join(harness.root, 'huge');
    // 8 photographs among 12,000 other files in 40 folders (a camera's whole export disk).
    const png = await fs.promises.readFile(await (async () => {
      const file = path.join(harness!.root, 'one.png');
      await codec.writePng(file, { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(100) });
      return file;
    })());
    for (let d = 0; d < 40; d++) {
      const dir = path.join(folder, `visit-${d}`);
      fs.mkdirSync(dir, { recursive: true });
      if (d % 5 === 0) fs.writeFileSync(path.join(dir, `P${d}_OD.png`), png);
      for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(dir, `log-${i}.txt`), '');
    }

    // The walk ends where the first header is probed.
    const events: string[] = [];
    const probe = codec.probe.bind(codec);
    vi.spyOn(codec, 'probe').mockImplementation((file) => {
      if (!events.includes('walk done')) events.push('walk done');
      return probe(file);
    });
    const started = performance.now();
    const importing = harness.services.dispatch('studies.import', { folder });
    let listMs = 0;
    const listing = new Promise<void>((resolve) =>
      setImmediate(() => {
        const asked = performance.now();
        void harness!.services.dispatch('studies.list', {}).then((listed) => {
          listMs = performance.now() - asked;
          expect(listed.ok).toBe(true);
          events.push('list answered');
          resolve();
        });
      }),
    );
    const [imported] = await Promise.all([importing, listing]);
    const importMs = performance.now() - started;
    process.stdout.write(`import of 12,008 files: ${importMs.toFixed(0)} ms; a studies.list made meanwhile answered in ${listMs.toFixed(0)} ms\n`);
    expect(imported).toMatchObject({ ok: true, value: { study: { name: 'huge', images: 8 } } });
    if (!imported.ok) throw new Error('import failed');
    expect((imported.value as { problems: unknown[] }).problems).toHaveLength(12_000);
    expect(events).toEqual(['list answered', 'walk done']);
  });
});
