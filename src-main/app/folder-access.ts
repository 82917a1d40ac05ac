// Which folders the page may name. The API takes folder paths from the page
// (studies.import and the model-package calls read one; export.corrections,
// export.report and models.export write into one); a page that is not ours,
// or ours gone wrong, must not read or write anywhere on the disk. A folder is
// allowed when the user chose it in the main-process picker
// (studies.pickFolder, File > Import folder…), or when it lies under one of
// the roots the shell was started with (browser mode: `serve --folders DIR`;
// default the home folder). The check is made on the real path (links
// resolved, the nearest existing parent for a folder an export will create),
// and the app's own user-data folder is never a target.
import fs from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../core/contract/contract';
import { InputError } from '../core/errors';

export interface FolderAccess {
  /** Remembers a folder the user chose in the main-process picker (it and what lies under it are allowed). */
  grant(folder: string): void;
  /** The folder if the page may use it; otherwise throws an InputError naming it. */
  check(folder: string, use: 'read' | 'write'): string;
}

/** The real path of `p`, or of its nearest existing parent joined with the rest (a folder not made yet). */
function realPathOf(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let at = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return abs;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

const inside = (folder: string, root: string): boolean => {
  const rel = path.relative(root, folder);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

export function createFolderAccess(options: { readonly roots: readonly string[]; readonly userDataDir: string }): FolderAccess {
  const roots = options.roots.map(realPathOf);
  const granted: string[] = [];
  const userData = realPathOf(options.userDataDir);
  return {
    grant(folder) {
      granted.push(realPathOf(folder));
    },
    check(folder, use) {
      const real = realPathOf(folder);
      if (inside(real, userData)) throw new InputError(folder, `lies in the app's own data folder; choose another folder to ${use === 'read' ? 'import' : 'export to'}`);
      if (granted.some((g) => inside(real, g)) || roots.some((r) => inside(real, r))) return folder;
      const hint = roots.length > 0 ? ` or a folder under ${roots.join(', ')}` : '';
      throw new InputError(folder, `not a folder this app may ${use === 'read' ? 'read' : 'write'}: choose it with Browse…${hint}`);
    },
  };
}

/** A picker whose answer is granted. */
export function grantingPicker(pick: () => Promise<string | null>, access: FolderAccess): () => Promise<string | null> {
  return async () => {
    const folder = await pick();
    if (folder !== null) access.grant(folder);
    return folder;
  };
}

/** The handlers with every page-given folder checked first (every call that takes one). */
export function confineFolders(handlers: Handlers, access: FolderAccess): Handlers {
  return {
    ...handlers,
    'studies.import': (input) => handlers['studies.import']({ ...input, folder: access.check(input.folder, 'read') }),
    'export.corrections': (input) => handlers['export.corrections']({ ...input, folder: access.check(input.folder, 'write') }),
    'export.report': (input) => handlers['export.report']({ ...input, folder: access.check(input.folder, 'write') }),
    'export.casesCsv': (input) => handlers['export.casesCsv']({ ...input, folder: access.check(input.folder, 'write') }),
    'export.studyReport': (input) => handlers['export.studyReport']({ ...input, folder: access.check(input.folder, 'write') }),
    'models.inspectPackage': (input) => handlers['models.inspectPackage']({ ...input, folder: access.check(input.folder, 'read') }),
    'models.import': (input) => handlers['models.import']({ ...input, folder: access.check(input.folder, 'read') }),
    'models.export': (input) => handlers['models.export']({ ...input, folder: access.check(input.folder, 'write') }),
  };
}
