// The native SQLite binding. The core receives the Database object and only
// names its type; this is the one place that loads better-sqlite3.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from '../core/store/db';

/** Opens (creating if needed) the database file; ':memory:' for a throwaway one. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  return new Database(file);
}
