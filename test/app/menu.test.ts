// The application menu template and its File > Import folder… action, without Electron.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { ApiResult } from '../../src-main/core/contract/dispatch';
import { applicationMenuTemplate, IMPORT_FOLDER_LABEL, importFolderAction } from '../../src-main/app/menu';

function submenu(item: MenuItemConstructorOptions | undefined): MenuItemConstructorOptions[] {
  return Array.isArray(item?.submenu) ? item.submenu : [];
}

function allRoles(template: MenuItemConstructorOptions[]): string[] {
  return template.flatMap((item) => [...(item.role ? [item.role] : []), ...allRoles(submenu(item))]);
}

describe('applicationMenuTemplate', () => {
  const calls: string[] = [];
  const actions = { importFolder: () => calls.push('import'), showDataFolder: () => calls.push('data') };

  it('has File > Import folder… on Ctrl/Cmd+O that runs the import action', () => {
    const template = applicationMenuTemplate({ platform: 'linux', developerTools: false, actions });
    const file = template.find((item) => item.label === 'File');
    const item = submenu(file).find((i) => i.label === IMPORT_FOLDER_LABEL);
    expect(item?.accelerator).toBe('CmdOrCtrl+O');
    calls.length = 0;
    (item!.click as () => void)();
    expect(calls).toEqual(['import']);
  });

  it('uses the standard roles, the app menu on macOS only, and the developer tools in development only', () => {
    const linux = allRoles(applicationMenuTemplate({ platform: 'linux', developerTools: false, actions }));
    expect(linux).toEqual(expect.arrayContaining(['quit', 'editMenu', 'windowMenu', 'zoomIn', 'togglefullscreen', 'about']));
    expect(linux).not.toContain('toggleDevTools');
    expect(linux).not.toContain('appMenu');
    const mac = allRoles(applicationMenuTemplate({ platform: 'darwin', developerTools: true, actions }));
    expect(mac).toEqual(expect.arrayContaining(['appMenu', 'close', 'toggleDevTools', 'reload']));
    expect(mac).not.toContain('about');
  });
});

describe('importFolderAction', () => {
  const studyResult = (problems: Array<{ file: string; problem: string; kind: 'skipped' | 'unreadable' }>): ApiResult => ({
    ok: true,
    value: { study: { id: 'S1', name: 'Clinic A', images: 2 }, problems },
  });

  function setup(picked: string | null, result: ApiResult) {
    const told: Array<[string, string, string]> = [];
    const dispatched: unknown[] = [];
    const run = importFolderAction({
      pickFolder: async () => picked,
      dispatch: async (method, input) => {
        dispatched.push([method, input]);
        return result;
      },
      tell: async (kind, message, detail) => {
        told.push([kind, message, detail]);
      },
    });
    return { run, told, dispatched };
  }

  it('does nothing when the picker is cancelled', async () => {
    const { run, told, dispatched } = setup(null, studyResult([]));
    await run();
    expect(dispatched).toEqual([]);
    expect(told).toEqual([]);
  });

  it('imports through dispatch and names the files that could not be used', async () => {
    const { run, told, dispatched } = setup('/data/clinic-a', studyResult([{ file: 'notes.txt', problem: 'not an image', kind: 'skipped' }]));
    await run();
    expect(dispatched).toEqual([['studies.import', { folder: '/data/clinic-a' }]]);
    expect(told).toEqual([['info', 'Imported 2 images into “Clinic A”.', '1 other file was skipped:\nnotes.txt: not an image']]);
  });

  it('counts unreadable images among the imported ones, apart from the skipped files', async () => {
    const { run, told } = setup('/data/clinic-a', studyResult([{ file: 'notes.txt', problem: 'not an image', kind: 'skipped' }, { file: 'huge.png', problem: 'too large', kind: 'unreadable' }]));
    await run();
    expect(told[0]![2].split('\n')[0]).toBe('1 of the images cannot be read (marked unreadable in the queue); 1 other file was skipped:');
  });

  it('lists at most twelve problems', async () => {
    const problems = Array.from({ length: 15 }, (_, i) => ({ file: `f${i}.txt`, problem: 'not an image', kind: 'skipped' as const }));
    const { run, told } = setup('/data/x', studyResult(problems));
    await run();
    const detail = told[0]![2].split('\n');
    expect(detail[0]).toBe('15 other files were skipped:');
    expect(detail).toHaveLength(1 + 12 + 1);
    expect(detail.at(-1)).toBe('… and 3 more');
  });

  it('shows the error with its file', async () => {
    const { run, told } = setup('/data/gone', { ok: false, error: { code: 'input-error', file: '/data/gone', message: 'folder not found' } });
    await run();
    expect(told).toEqual([['error', 'Could not import /data/gone', '/data/gone: folder not found']]);
  });
});
