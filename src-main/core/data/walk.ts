// Listing dataset folders. Copies of public datasets nest their parts
// differently, so readers list every file a few levels down once and find the
// parts by name in that list.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';

/** How deep readers look by default: REFUGE's official layout is 4 levels deep; 2 more for a parent folder. */
export const DEFAULT_SEARCH_DEPTH = 6;

/** Files under root, as relative POSIX paths, sorted; hidden files and folders (dot names) and __MACOSX are skipped. */
export function walkFiles(root: string, maxDepth = DEFAULT_SEARCH_DEPTH): string[] {
  const out: string[] = [];
  const visit = (dir: string, rel: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folders are skipped; the readers report what they did not find
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === '__MACOSX') continue;
      const full = path.join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const stat = fs.statSync(full);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (isDir && depth < maxDepth) visit(full, relPath, depth + 1);
      else if (isFile) out.push(relPath);
    }
  };
  visit(root, '', 1);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Throws InputError unless `root` is an existing folder. `what` names the dataset kind in the message. */
export function assertFolder(root: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new InputError(root, `${what} folder not found`);
  }
  if (!stat.isDirectory()) throw new InputError(root, `is a file; expected a ${what} folder`);
}

/** 'a/b/c.jpg' -> 'c'. */
export function stemOf(relPath: string): string {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** 'a/b/c.JPG' -> '.jpg'. */
export function extensionOf(relPath: string): string {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** Folder segments of a relative path ('a/b/c.jpg' -> ['a', 'b']). */
export function folderSegments(relPath: string): string[] {
  const parts = relPath.split('/');
  parts.pop();
  return parts;
}

/** A short list for messages: 'a, b, c and 7 more'. */
export function listForMessage(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
