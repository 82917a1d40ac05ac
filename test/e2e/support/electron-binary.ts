// Where Electron's binary is, if it was downloaded (it is not on machines
// installed with ELECTRON_SKIP_BINARY_DOWNLOAD). Read the way the electron
// package does, without requiring it (which throws when the binary is missing).
import fs from 'node:fs';
import path from 'node:path';

const electronDir = path.resolve(import.meta.dirname, '..', '..', '..', 'node_modules', 'electron');

export function electronBinary(): string | null {
  const pathFile = path.join(electronDir, 'path.txt');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8') : 'electron');
    return fs.existsSync(p) ? p : null;
  }
  if (!fs.existsSync(pathFile)) return null;
  const p = path.join(electronDir, 'dist', fs.readFileSync(pathFile, 'utf8'));
  return fs.existsSync(p) ? p : null;
}
