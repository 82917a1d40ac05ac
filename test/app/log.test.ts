// The app log: lines with time and level, echoed, and one rotation when the file grows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileLog } from '../../src-main/app/log';

let tmp = '';
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('createFileLog', () => {
  it('appends time-stamped lines, echoes them and keeps the previous file once it passes the size', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-log-'));
    const file = path.join(tmp, 'logs', 'main.log');
    const echoed: string[] = [];
    const log = createFileLog(file, { maxBytes: 60, echo: (l) => echoed.push(l), now: () => new Date('2025-01-02T03:04:05.000Z') });
    log('info', 'first');
    log('warn', 'second line that is long enough');
    log('error', 'third');
    expect(echoed).toEqual(['2025-01-02T03:04:05.000Z info first', '2025-01-02T03:04:05.000Z warn second line that is long enough', '2025-01-02T03:04:05.000Z error third']);
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe(`${echoed[0]}\n${echoed[1]}\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${echoed[2]}\n`);
  });
});
