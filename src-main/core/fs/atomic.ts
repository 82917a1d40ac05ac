// Writes that never leave a half-written file or folder behind: a crash or a
// kill mid-write leaves either the old content or the new, never a mix.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function fsyncDir(dir: string): void {
  // Makes the rename itself durable; not supported on every platform (Windows), where rename is enough.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/** Writes a file atomically: temp file in the same folder, fsync, rename over the target. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, target);
  fsyncDir(path.dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Builds a folder atomically: `fill` writes into a temp sibling folder, which
 * then replaces `target` (any previous folder of that name is removed only
 * after the new one is complete). A crash leaves at most a `.tmp` sibling,
 * which the next call removes.
 */
export async function writeDirAtomic(target: string, fill: (dir: string) => Promise<void> | void): Promise<void> {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  removeStaleTemps(parent, path.basename(target));
  const tmp = tempSibling(target);
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  fsyncDir(tmp);
  if (fs.existsSync(target)) {
    const old = `${tmp}.old`;
    fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, target);
  }
  fsyncDir(parent);
}

/**
 * Cleans up after an interrupted atomic write of `name` in `dir`. If the crash
 * came between moving the old folder aside and moving the new one in, the old
 * folder is put back: the user keeps the last complete version.
 */
function removeStaleTemps(dir: string, name: string): void {
  const prefix = `.${name}.`;
  const target = path.join(dir, name);
  for (const entry of fs.readdirSync(dir)) {
    if (!entry.startsWith(prefix)) continue;
    const full = path.join(dir, entry);
    if (entry.endsWith('.tmp.old') && !fs.existsSync(target)) {
      fs.renameSync(full, target);
    } else if (entry.endsWith('.tmp') || entry.endsWith('.tmp.old')) {
      fs.rmSync(full, { recursive: true, force: true });
    }
  }
}
