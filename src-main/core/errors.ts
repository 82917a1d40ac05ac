// Errors a user can act on. Each names the file (or setting) and the problem in
// one line, so a batch can report it and go on with the rest.
import type { z } from 'zod';

/** Bad input from the user: a file that cannot be read or does not follow its format. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    /** The file (or folder, or option) at fault, as the user gave it. */
    readonly file: string,
    /** What is wrong with it, in words a user understands. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** A configuration value that is out of range or inconsistent. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A long job stopped on request. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** One-line message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

/** A schema's first complaint about a value, as the end of a one-line problem: `at "networks.0.id": Required`. */
export function schemaProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `at "${issue.path.join('.') || '(root)'}": ${issue.message}`;
}
