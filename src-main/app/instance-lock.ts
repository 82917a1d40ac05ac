// One app instance per user-data folder. A second instance on the same folder
// would mark the first one's running job "interrupted" and, resumed, run it
// twice; it is refused with a message saying who holds the folder. The lock is
// a file created exclusively; one left by a process that is gone is taken over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'glaucoma-studio.lock';

/** The user-data folder is in use by another running instance. */
export class InstanceLockedError extends Error {
  override readonly name = 'InstanceLockedError';
  constructor(
    readonly folder: string,
    readonly holder: { readonly pid: number; readonly host: string; readonly startedAt: string },
  ) {
    super(`${folder}: already open in another Glaucoma Studio (process ${holder.pid} on ${holder.host}, since ${holder.startedAt}); close it first, or use another user-data folder`);
  }
}

export interface InstanceLock {
  readonly file: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): { pid: number; host: string; startedAt: string } | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; host?: unknown; startedAt?: unknown };
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? 'unknown') };
  } catch {
    return null;
  }
}

/** Takes the folder's lock or throws InstanceLockedError. A lock of a dead process (or an unreadable one) is taken over. */
export function acquireInstanceLock(folder: string): InstanceLock {
  const file = path.join(folder, LOCK_FILE);
  const mine = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      return {
        file,
        release() {
          const holder = readHolder(file);
          if (holder && holder.pid === mine.pid && holder.host === mine.host) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    // Another host's process cannot be checked: only a lock from this host is judged stale.
    if (holder && (holder.host !== mine.host || alive(holder.pid)) && !(holder.pid === mine.pid && holder.host === mine.host)) {
      throw new InstanceLockedError(folder, holder);
    }
    fs.rmSync(file, { force: true }); // stale: its process is gone (or the file was half-written)
  }
  throw new Error(`${file}: could not take the user-data lock`);
}
