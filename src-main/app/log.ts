// The Electron app's log: one line per message in <userData>/logs/main.log
// (the job process's output included), echoed to stderr for development and
// the e2e runs. The previous file is kept once as main.log.1 when it grows
// past maxBytes, so a long-running install never fills the disk.
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../core/log';

export interface FileLogOptions {
  readonly maxBytes?: number;
  readonly echo?: (line: string) => void;
  readonly now?: () => Date;
}

export function createFileLog(file: string, options: FileLogOptions = {}): Log {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const echo = options.echo ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  return (level, message) => {
    const line = `${now().toISOString()} ${level} ${message}`;
    echo(line);
    try {
      if (size > maxBytes) {
        fs.renameSync(file, `${file}.1`);
        size = 0;
      }
      fs.appendFileSync(file, `${line}\n`);
      size += Buffer.byteLength(line) + 1;
    } catch {
      // A log that cannot be written must not stop the app; the echo still has it.
    }
  };
}
