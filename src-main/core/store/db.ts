// The connection as the core sees it. The Database object is created by
// src-main/platform/sqlite.ts (better-sqlite3 is a native module, so the core
// only names its type) and configured here, once, before the migrations run.
import type Database from 'better-sqlite3';

export type Db = Database.Database;

/** An ISO 8601 timestamp source; tests pass a fixed clock. */
export type Clock = () => string;

export const systemClock: Clock = () => new Date().toISOString();

/**
 * WAL lets readers (the UI's list queries) run while a job writes predictions.
 * synchronous=FULL fsyncs the WAL on every commit: an expert's correction is
 * on disk when saveAnnotation returns, even if the machine loses power next.
 * Foreign keys are off by default in SQLite and must be enabled per connection.
 */
export function configureConnection(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}
