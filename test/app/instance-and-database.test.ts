// Start-up faults of the app's services: a second instance on the same
// user-data folder, and damaged or zero-byte databases.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InstanceLockedError, LOCK_FILE } from '../../src-main/app/instance-lock';
import { DatabaseFileError } from '../../src-main/core/store/integrity';
import { DATABASE_FILE } from '../../src-main/core/store/store';
import { appHarness } from '../core/api/study-fixture';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

describe('one instance per user-data folder', () => {
  it('a second instance (another live process holds the folder) is refused, naming the folder and the holder', async () => {
    const app = await appHarness();
    await app.services.close();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(other);
    fs.writeFileSync(path.join(app.userData, LOCK_FILE), JSON.stringify({ pid: other.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00Z' }));
    let caught: unknown;
    try {
      app.restart();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InstanceLockedError);
    expect((caught as Error).message).toMatch(new RegExp(`user-data: already open in another Glaucoma Studio \\(process ${other.pid} `));
    other.kill();
    await new Promise((resolve) => other.once('exit', resolve));
    // Its process gone, the lock is stale and taken over; closing releases it.
    const services = app.restart();
    expect(JSON.parse(fs.readFileSync(path.join(app.userData, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await services.close();
    expect(fs.existsSync(path.join(app.userData, LOCK_FILE))).toBe(false);
    await app.cleanup();
  });
});

describe('database check at start-up', () => {
  it('a damaged database stops the start with the file named (not a bare 500 later), and the lock is released', async () => {
    const app = await appHarness();
    await app.services.close();
    const file = path.join(app.userData, DATABASE_FILE);
    const bytes = fs.readFileSync(file);
    for (let at = 4096; at < bytes.length; at += 4096) bytes.fill(0x5a, at, at + 100);
    fs.writeFileSync(file, bytes);
    expect(() => app.restart()).toThrow(DatabaseFileError);
    expect(() => app.restart()).toThrow(new RegExp(`${DATABASE_FILE}: the database is damaged`));
    expect(fs.existsSync(path.join(app.userData, LOCK_FILE))).toBe(false);
    await app.cleanup().catch(() => undefined);
  });

  it('a zero-byte database starts with a note saying so', async () => {
    const app = await appHarness();
    await app.services.close();
    fs.writeFileSync(path.join(app.userData, DATABASE_FILE), '');
    for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(app.userData, DATABASE_FILE + suffix), { force: true });
    const services = app.restart();
    expect(services.notes.join('\n')).toMatch(/was an empty file \(0 bytes\)/);
    await services.close();
    await app.cleanup();
  });
});
