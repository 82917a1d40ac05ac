import { randomBytes } from 'node:crypto';

/** A random id with a prefix saying what it names ('s' study, 'c' case, 'j' job, 'm' model): s_3f9a0c1e22b4d7aa. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}
