// The page may not name any folder on the disk: studies.import and the model
// package calls read, and export.corrections / export.report / models.export
// write, only in a folder chosen in the
// main-process picker or under the roots the shell was started with, judged on
// the real path (links and '..' resolved), never in the app's own data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderAccess } from '../../src-main/app/folder-access';
import { appHarness, writeStudyFolder } from '../core/api/study-fixture';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-folders-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('createFolderAccess', () => {
  const root = path.join(tmp, 'root');
  const userData = path.join(root, 'user-data');
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(root, 'clinic'), { recursive: true });
  fs.mkdirSync(userData, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  fs.symlinkSync(outside, path.join(root, 'link-out'));
  const access = createFolderAccess({ roots: [root], userDataDir: userData });

  it('allows folders under a root, also ones an export will create', () => {
    expect(access.check(path.join(root, 'clinic'), 'read')).toBe(path.join(root, 'clinic'));
    expect(access.check(path.join(root, 'new', 'deeper'), 'write')).toBe(path.join(root, 'new', 'deeper'));
  });

  it("refuses folders outside, through '..' or a link, and the app's own data", () => {
    expect(() => access.check(outside, 'read')).toThrow(/not a folder this app may read: choose it with Browse/);
    expect(() => access.check(path.join(root, 'clinic', '..', '..', 'outside'), 'write')).toThrow(/may write/);
    expect(() => access.check(path.join(root, 'link-out'), 'read')).toThrow(/choose it with Browse/);
    expect(() => access.check(path.join(root, 'link-out', 'new'), 'write')).toThrow(/choose it with Browse/);
    expect(() => access.check('/', 'write')).toThrow(/may write/);
    expect(() => access.check(path.join(userData, 'heatmaps'), 'write')).toThrow(/the app's own data folder/);
  });

  it('allows a folder chosen in the picker, and what lies under it', () => {
    const picked = createFolderAccess({ roots: [], userDataDir: userData });
    expect(() => picked.check(outside, 'read')).toThrow(/Browse/);
    picked.grant(outside);
    expect(picked.check(outside, 'read')).toBe(outside);
    expect(picked.check(path.join(outside, 'export'), 'write')).toBe(path.join(outside, 'export'));
    expect(() => picked.check(tmp, 'read')).toThrow(/Browse/);
  });
});

describe('the API with folder roots', () => {
  it('imports and exports under the roots only', async () => {
    const h = await appHarness(); // roots: the temporary folder
    try {
      const etc = await h.services.dispatch('studies.import', { folder: '/etc' });
      expect(etc).toMatchObject({ ok: false, error: { code: 'input-error', file: '/etc', message: expect.stringMatching(/not a folder this app may read/) } });
      const folder = await writeStudyFolder(path.join(h.root, 'clinic'));
      const imported = await h.services.dispatch('studies.import', { folder: folder.dir });
      if (!imported.ok) throw new Error(imported.error.message);
      const studyId = (imported.value as { study: { id: string } }).study.id;
      const cases = await h.services.dispatch('cases.list', { studyId });
      const caseId = (cases.ok ? (cases.value as Array<{ id: string; name: string }>) : []).find((c) => c.name === 'P001_OD.png')!.id;
      for (const target of ['/etc/glaucoma-export', path.join(h.userData, 'exports')]) {
        const corrections = await h.services.dispatch('export.corrections', { studyId, folder: target, formats: ['refuge'] });
        expect(corrections).toMatchObject({ ok: false, error: { code: 'input-error', file: target } });
        const report = await h.services.dispatch('export.report', { caseId, format: 'html', folder: target });
        expect(report).toMatchObject({ ok: false, error: { code: 'input-error', file: target } });
      }
      expect(fs.existsSync('/etc/glaucoma-export')).toBe(false);
      const report = await h.services.dispatch('export.report', { caseId, format: 'html', folder: path.join(h.root, 'reports') });
      expect(report).toMatchObject({ ok: true });
      // Model packages: read (inspect, import) and written (export) under the roots only.
      for (const method of ['models.inspectPackage', 'models.import'] as const) {
        expect(await h.services.dispatch(method, { folder: '/etc' })).toMatchObject({ ok: false, error: { code: 'input-error', file: '/etc', message: expect.stringMatching(/not a folder this app may read/) } });
      }
      for (const target of ['/etc/glaucoma-models', path.join(h.userData, 'share')]) {
        expect(await h.services.dispatch('models.export', { modelId: 'bundled-default', folder: target })).toMatchObject({ ok: false, error: { code: 'input-error', file: target } });
      }
      expect(fs.existsSync('/etc/glaucoma-models')).toBe(false);
    } finally {
      await h.cleanup();
    }
  });
});
