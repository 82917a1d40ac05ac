// Errors that cross the API boundary. Handlers throw ApiError (or InputError for
// a file the user gave); toApiError turns anything thrown into the ApiErrorDto
// the renderer shows, so a message never depends on which transport carried it.
import { z } from 'zod';
import { errorMessage, InputError } from '../errors';
import type { ApiErrorDto } from './contract';

export type ApiErrorCode = ApiErrorDto['code'];

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

/** A save based on a revision that is no longer the current one. */
export class StaleRevisionError extends Error {
  override readonly name = 'StaleRevisionError';
  constructor(
    readonly caseId: string,
    readonly baseRevision: number,
    readonly currentRevision: number,
  ) {
    super(`the annotation was saved elsewhere meanwhile: this edit started from revision ${baseRevision}, the current one is ${currentRevision}; reload the case`);
  }
}

export const notFound = (what: string, id: string): ApiError => new ApiError('not-found', `${what} ${id} not found (it may have been removed)`);

/** The one place where thrown values become ApiErrorDto. */
export function toApiError(error: unknown): ApiErrorDto {
  if (error instanceof ApiError) return error.file === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, file: error.file };
  if (error instanceof InputError) return { code: 'input-error', message: error.message, file: error.file };
  if (error instanceof StaleRevisionError) return { code: 'conflict', message: error.message };
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    return { code: 'invalid-input', message: issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'invalid input' };
  }
  return { code: 'internal', message: errorMessage(error) };
}
