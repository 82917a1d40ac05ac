// Reading a JSON file the user gave (a model manifest, a score file, a measured field of view): every failure is an
// InputError naming the file and saying which of three things is wrong: it cannot be read, it is not JSON, or a field
// does not follow its schema (the first such field, by its path).
import fs from 'node:fs';
import type { z } from 'zod';
import { InputError, schemaProblem } from '../errors';

/** The parsed content of a JSON file, unchecked. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'file not found' : `cannot read (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(file, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Parsed JSON from `file` checked against `schema`; `what` names the content in the error ("model manifest"). */
export function checkJson<S extends z.ZodType>(file: string, json: unknown, schema: S, what = 'value'): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InputError(file, `invalid ${what} ${schemaProblem(parsed.error)}`);
  return parsed.data;
}

/** readJsonFile, then checkJson. */
export function readJsonFileAs<S extends z.ZodType>(file: string, schema: S, what = 'value'): z.output<S> {
  return checkJson(file, readJsonFile(file), schema, what);
}
