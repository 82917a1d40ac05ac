// Reading a JSON file the user gave: each failure names the file and says which of the three things is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../../../src-main/core/errors';
import { checkJson, readJsonFile, readJsonFileAs } from '../../../src-main/core/fs/json-file';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-json-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const Schema = z.object({ domain: z.object({ low: z.number().positive() }) });

function problemOf(f: () => unknown): { file: string; problem: string } {
  try {
    f();
  } catch (error) {
    if (error instanceof InputError) return { file: error.file, problem: error.problem };
    throw error;
  }
  throw new Error('no InputError thrown');
}

describe('reading a JSON file', () => {
  it('returns the content, checked against a schema', () => {
    const file = path.join(dir, 'good.json');
    fs.writeFileSync(file, JSON.stringify({ domain: { low: 0.1 }, extra: 1 }));
    expect(readJsonFile(file)).toEqual({ domain: { low: 0.1 }, extra: 1 });
    expect(readJsonFileAs(file, Schema)).toEqual({ domain: { low: 0.1 } });
  });

  it('says a missing file is missing, and what else keeps a file from being read', () => {
    expect(problemOf(() => readJsonFile(path.join(dir, 'nowhere.json')))).toEqual({ file: path.join(dir, 'nowhere.json'), problem: 'file not found' });
    const folder = problemOf(() => readJsonFile(dir));
    expect(folder.file).toBe(dir);
    expect(folder.problem).toMatch(/^cannot read \(.*EISDIR/);
  });

  it('says a file that is not JSON is not JSON', () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"domain": ');
    const p = problemOf(() => readJsonFileAs(file, Schema));
    expect(p.file).toBe(file);
    expect(p.problem).toMatch(/^not valid JSON \(/);
  });

  it('names the first field that does not follow the schema, and what the content is', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ domain: { low: -1 } }));
    expect(problemOf(() => readJsonFileAs(file, Schema)).problem).toMatch(/^invalid value at "domain\.low": /);
    expect(problemOf(() => checkJson(file, [], Schema, 'measured field of view')).problem).toMatch(/^invalid measured field of view at "\(root\)": /);
  });
});
