// The database check at start-up: damaged, zero-byte and garbage files give a
// message naming the file and keep a copy; a migration runs after a backup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseFileError, openCheckedStore } from '../../../src-main/core/store/integrity';
import { MIGRATIONS, schemaVersion } from '../../../src-main/core/store/migrations';
import { openDatabase } from '../../../src-main/platform/sqlite';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'db-integrity-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A database with a study and many cases, closed cleanly (WAL checkpointed). */
function populated(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const file = path.join(dir, 'db.sqlite3');
  const { store } = openCheckedStore(file, openDatabase);
  store.studies.insert({ id: 's1', name: 'study', folder: '/photos' });
  store.transaction(() => {
    for (let i = 0; i < 400; i++) store.cases.insertMany([{ id: `c${i}`, studyId: 's1', file: `/photos/p${i}.jpg`, name: `p${i}.jpg`, eye: 'unknown', patientId: null, width: 100, height: 100, format: 'JPEG', problem: null }]);
  });
  store.close();
  return file;
}

function thrown(fn: () => unknown): DatabaseFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseFileError);
    return error as DatabaseFileError;
  }
  throw new Error('expected a DatabaseFileError');
}

const backups = (file: string, kind: string) => fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith(`${path.basename(file)}.${kind}-`) && n.endsWith('.bak'));

describe('database check at start-up', () => {
  it('a healthy database opens with no notes', () => {
    const file = populated('healthy');
    const { store, notes } = openCheckedStore(file, openDatabase);
    expect(notes).toEqual([]);
    expect(store.cases.listByStudy('s1')).toHaveLength(400);
    store.close();
  });

  it('a damaged page stops the start with the file named and a copy kept', () => {
    const file = populated('damaged');
    const bytes = fs.readFileSync(file);
    const page = 4096;
    for (let p = 2; p * page < bytes.length; p += 2) bytes.fill(0xa5, p * page + 8, p * page + 200);
    fs.writeFileSync(file, bytes);
    const error = thrown(() => openCheckedStore(file, openDatabase));
    expect(error.file).toBe(file);
    expect(error.message).toMatch(/db\.sqlite3: the database is damaged \(integrity check: .+\); a copy was kept as db\.sqlite3\.damaged-.*\.bak/);
    expect(backups(file, 'damaged')).toHaveLength(1);
  });

  it('a zero-byte file is set aside with a note, not taken silently for an empty database', () => {
    const dir = path.join(tmp, 'zero');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'db.sqlite3');
    fs.writeFileSync(file, '');
    const { store, notes } = openCheckedStore(file, openDatabase);
    expect(notes.join('\n')).toMatch(/db\.sqlite3 was an empty file \(0 bytes\)/);
    expect(backups(file, 'empty')).toHaveLength(1);
    store.close();
  });

  it('a garbage header names the file', () => {
    const dir = path.join(tmp, 'garbage');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'db.sqlite3');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x41));
    expect(thrown(() => openCheckedStore(file, openDatabase)).message).toMatch(/db\.sqlite3: not an SQLite database \(its header is damaged\)/);
  });

  it('an older schema is backed up before it is migrated', () => {
    const dir = path.join(tmp, 'old');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'db.sqlite3');
    openCheckedStore(file, openDatabase).store.close(); // at the current version
    const next = [...MIGRATIONS, { description: 'a later step (test)', sql: ['CREATE TABLE later_step (x INTEGER)'] }];
    const { store, notes } = openCheckedStore(file, openDatabase, { migrations: next });
    store.close();
    const target = MIGRATIONS.length + 1;
    expect(notes.join('\n')).toMatch(new RegExp(`backed up to db\\.sqlite3\\.before-v${target}-.*\\.bak before its update from schema version ${MIGRATIONS.length} to ${target}`));
    const [backup] = backups(file, `before-v${target}`);
    const copy = openDatabase(path.join(dir, backup!));
    expect(schemaVersion(copy)).toBe(MIGRATIONS.length);
    copy.close();
    const upgraded = openDatabase(file);
    expect(schemaVersion(upgraded)).toBe(target);
    upgraded.close();
  });
});
