import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureConnection, migrate, MIGRATIONS, openStore, schemaVersion, SCHEMA_VERSION, type Db, type Migration } from '../../../src-main/core/store';
import { openDatabase } from '../../../src-main/platform/sqlite';

const opened: Db[] = [];
function fresh(): Db {
  const db = openDatabase(':memory:');
  configureConnection(db);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** The schema as SQLite stores it: every table, index and trigger with its SQL. */
function schemaOf(db: Db): Array<{ type: string; name: string; sql: string | null }> {
  return db.prepare<[], { type: string; name: string; sql: string | null }>("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
}

describe('migrations', () => {
  it('brings a new database to the latest version', () => {
    const db = fresh();
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(migrate(db)).toEqual([]);
  });

  it.each(Array.from({ length: MIGRATIONS.length }, (_, v) => v))('upgrades from version %i to the same schema as a fresh database', (from) => {
    const latest = fresh();
    migrate(latest);
    const old = fresh();
    migrate(old, MIGRATIONS, from);
    expect(schemaVersion(old)).toBe(from);
    migrate(old);
    expect(schemaVersion(old)).toBe(SCHEMA_VERSION);
    expect(schemaOf(old)).toEqual(schemaOf(latest));
  });

  it('keeps the data of earlier versions through later steps', () => {
    const steps: Migration[] = [
      { description: 'notes', sql: ['CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT'] },
      { description: 'notes get an author', sql: ["ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'unknown'"] },
    ];
    const db = fresh();
    migrate(db, steps, 1);
    db.prepare('INSERT INTO notes (text) VALUES (?)').run('kept');
    migrate(db, steps);
    expect(db.prepare('SELECT text, author FROM notes').all()).toEqual([{ text: 'kept', author: 'unknown' }]);
  });

  it('rolls a failing step back whole and keeps the previous version', () => {
    const steps: Migration[] = [
      { description: 'a', sql: ['CREATE TABLE a (x INTEGER) STRICT'] },
      { description: 'b breaks half way', sql: ['CREATE TABLE b (x INTEGER) STRICT', 'INSERT INTO missing VALUES (1)'] },
    ];
    const db = fresh();
    expect(() => migrate(db, steps)).toThrow(/no such table: missing/);
    expect(schemaVersion(db)).toBe(1);
    expect(schemaOf(db).map((s) => s.name)).toEqual(['a']);
  });

  it('refuses a database written by a newer app', () => {
    const db = fresh();
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this app understands/);
  });

  it('a file database runs in WAL mode with foreign keys on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-store-'));
    try {
      const store = openStore(openDatabase(path.join(dir, 'sub', 'db.sqlite3')));
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('V5 keeps the audit trail (ids, cascade, append-only) and lets an app-wide entry in that can never be deleted', () => {
    const db = fresh();
    migrate(db, MIGRATIONS, 4);
    db.prepare("INSERT INTO studies (id, name, folder, created_at) VALUES ('s', 'S', '/s', 't')").run();
    for (const id of ['a', 'b']) db.prepare("INSERT INTO cases (id, study_id, file, name, created_at, updated_at) VALUES (?, 's', ?, ?, 't', 't')").run(id, `/s/${id}`, id);
    db.prepare("INSERT INTO audit_events (id, case_id, kind, detail, author, created_at) VALUES (7, 'a', 'status', 'x', 'dr', 't'), (9, 'b', 'grade', 'y', 'dr', 't')").run();
    expect(() => db.prepare("INSERT INTO audit_events (case_id, kind, detail, author, created_at) VALUES (NULL, 'k', 'd', 'dr', 't')").run()).toThrow(/NOT NULL/);
    migrate(db);
    expect(db.prepare('SELECT id, case_id, kind, detail FROM audit_events ORDER BY id').all()).toEqual([
      { id: 7, case_id: 'a', kind: 'status', detail: 'x' },
      { id: 9, case_id: 'b', kind: 'grade', detail: 'y' },
    ]);
    db.prepare("INSERT INTO audit_events (case_id, kind, detail, author, created_at) VALUES (NULL, 'operating-point', 'target specificity 85 % → 90 %', 'dr', 't')").run();
    expect(() => db.prepare("UPDATE audit_events SET detail = 'z' WHERE case_id IS NULL").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events WHERE case_id IS NULL').run()).toThrow(/append-only/);
    // A case's entries still go with the case (the study removed), the app-wide one stays.
    db.prepare("DELETE FROM studies WHERE id = 's'").run();
    expect(db.prepare('SELECT case_id, kind FROM audit_events').all()).toEqual([{ case_id: null, kind: 'operating-point' }]);
  });
});
