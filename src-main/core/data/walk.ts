// Listing dataset folders. Copies of public datasets nest their parts
// differently, so readers list every file a few levels down once and find the
// parts by name in that list.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';

/** How deep readers look by default: REFUGE's official layout is 4 levels deep; 2 more for a parent folder. */
export const DEFAULT_SEARCH_DEPTH = 6;

/** An entry the walk did not list, with why (relative POSIX path). */
export interface SkippedEntry {
  readonly relPath: string;
  readonly reason: string;
}

export interface WalkedFolder {
  readonly files: string[];
  readonly folders: string[];
  readonly skipped: SkippedEntry[];
}

/** Entries stat'ed between two yields of the walk (a few milliseconds of work). */
const ENTRIES_PER_STEP = 256;

/**
 * Files under root, as relative POSIX paths, sorted, and what was skipped with the reason:
 * hidden files and folders (dot names) and __MACOSX silently; dangling links, FIFOs, sockets and
 * devices, unreadable folders, and links back to a folder already walked (a cycle such as
 * `self -> .` would otherwise list the same photographs thousands of times) with a reason.
 * Folders are told apart by device and inode, so two links to one folder are walked once;
 * `folders` lists the folders walked.
 */
export function walkFolder(root: string, maxDepth = DEFAULT_SEARCH_DEPTH): WalkedFolder {
  const steps = walkSteps(root, maxDepth);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * walkFolder that lets other work run: it gives the event loop back after every
 * folder read and every few hundred entries, so a server importing a folder of
 * a hundred thousand files keeps answering its other calls.
 */
export async function walkFolderAsync(root: string, maxDepth = DEFAULT_SEARCH_DEPTH): Promise<WalkedFolder> {
  const steps = walkSteps(root, maxDepth);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The walk, as steps: it yields after each folder read and every ENTRIES_PER_STEP entries. */
function* walkSteps(root: string, maxDepth: number): Generator<void, WalkedFolder> {
  const out: string[] = [];
  const folders: string[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new Set<string>();
  const folderKey = (stat: fs.Stats): string => `${stat.dev}:${stat.ino}`;
  let entriesSinceYield = 0;
  try {
    seen.add(folderKey(fs.statSync(root)));
  } catch {
    // the readers report a missing root themselves
  }
  function* visit(dir: string, rel: string, depth: number): Generator<void, void> {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (rel) skipped.push({ relPath: rel, reason: `folder cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); skipped` });
      return;
    }
    yield;
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === '__MACOSX') continue;
      if (++entriesSinceYield >= ENTRIES_PER_STEP) {
        entriesSinceYield = 0;
        yield;
      }
      const full = path.join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      let stat: fs.Stats;
      try {
        stat = fs.statSync(full);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        skipped.push({ relPath, reason: entry.isSymbolicLink() && code === 'ENOENT' ? 'link to nothing (dangling symbolic link); skipped' : `cannot be read (${code ?? 'error'}); skipped` });
        continue;
      }
      if (stat.isDirectory()) {
        const key = folderKey(stat);
        if (seen.has(key)) {
          skipped.push({ relPath, reason: 'link to a folder already searched (a cycle or a second link); skipped' });
          continue;
        }
        if (depth >= maxDepth) continue;
        seen.add(key);
        folders.push(relPath);
        yield* visit(full, relPath, depth + 1);
      } else if (stat.isFile()) {
        out.push(relPath);
      } else {
        const kind = stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : 'a device';
        skipped.push({ relPath, reason: `${kind}, not a regular file; skipped` });
      }
    }
  }
  yield* visit(root, '', 1);
  const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return { files: out.sort(byPath), folders: folders.sort(byPath), skipped: skipped.sort((a, b) => byPath(a.relPath, b.relPath)) };
}

/** Files under root, as relative POSIX paths, sorted (walkFolder without the skipped list). */
export function walkFiles(root: string, maxDepth = DEFAULT_SEARCH_DEPTH): string[] {
  return walkFolder(root, maxDepth).files;
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
