// The database check at start-up. A damaged file must stop the app with a
// message naming it (not start and then answer every call with a bare 500), a
// zero-byte file must not pass silently for an empty study list, and every
// migration runs only after a backup of the file it changes.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db';
import { MIGRATIONS, schemaVersion } from './migrations';
import { openStore, type OpenStoreOptions, type Store } from './store';

/** The database file cannot be used; `file` names it and the message says what to do. */
export class DatabaseFileError extends Error {
  override readonly name = 'DatabaseFileError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

const SQLITE_HEADER = 'SQLite format 3\0';

function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/** A copy of the file beside it, named for why it was kept; returns its path. */
function keepCopy(file: string, why: string, now: Date): string {
  const copy = `${file}.${why}-${stamp(now)}.bak`;
  fs.copyFileSync(file, copy);
  for (const suffix of ['-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, copy + suffix);
  return copy;
}

export interface CheckedStore {
  readonly store: Store;
  /** Things to tell the user (an empty file set aside, a backup made before a migration). */
  readonly notes: string[];
}

/**
 * Opens the store after checking the file: a zero-byte file is set aside (kept as a .bak) with a
 * note; a file that is not SQLite, or fails `PRAGMA quick_check`, throws DatabaseFileError naming
 * it, after a copy was kept; a schema older than this app is backed up (VACUUM INTO) before it is
 * migrated.
 */
export function openCheckedStore(file: string, open: (file: string) => Db, options: OpenStoreOptions & { readonly clock?: () => Date } = {}): CheckedStore {
  const now = options.clock ?? (() => new Date());
  const notes: string[] = [];
  let size = -1;
  try {
    size = fs.statSync(file).size;
  } catch {
    // a new database
  }
  if (size === 0) {
    const aside = `${file}.empty-${stamp(now())}.bak`;
    fs.renameSync(file, aside);
    notes.push(`${file} was an empty file (0 bytes), not a database; it was set aside as ${path.basename(aside)} and a new, empty database was started`);
  } else if (size > 0) {
    const head = Buffer.alloc(16);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, 16, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (head.toString('latin1') !== SQLITE_HEADER) {
      const copy = keepCopy(file, 'damaged', now());
      throw new DatabaseFileError(file, `not an SQLite database (its header is damaged); a copy was kept as ${path.basename(copy)}. Restore a backup or move the file away to start with an empty database`);
    }
  }
  let db: Db;
  try {
    db = open(file);
  } catch (error) {
    throw new DatabaseFileError(file, `cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    if (size > 0) {
      let result: string[];
      try {
        result = (db.pragma('quick_check', { simple: false }) as { quick_check: string }[]).map((r) => r.quick_check);
      } catch (error) {
        result = [error instanceof Error ? error.message : String(error)];
      }
      if (result.length !== 1 || result[0] !== 'ok') {
        db.close();
        const copy = keepCopy(file, 'damaged', now());
        throw new DatabaseFileError(
          file,
          `the database is damaged (integrity check: ${result[0]}${result.length > 1 ? `, and ${result.length - 1} more` : ''}); a copy was kept as ${path.basename(copy)}. Restore a backup or move the file away to start with an empty database`,
        );
      }
      const version = schemaVersion(db);
      const target = (options.migrations ?? MIGRATIONS).length;
      if (version > 0 && version < target) {
        const backup = `${file}.before-v${target}-${stamp(now())}.bak`;
        db.prepare('VACUUM INTO ?').run(backup);
        notes.push(`the database was backed up to ${path.basename(backup)} before its update from schema version ${version} to ${target}`);
      }
    }
    return { store: openStore(db, options), notes };
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
}
