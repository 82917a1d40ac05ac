// Errors that cross the API boundary. Handlers throw ApiError (or InputError for
// a file the user gave); toApiError turns anything thrown into the ApiErrorDto
// the renderer shows, so a message never depends on which transport carried it.
import { z } from 'zod';
import { errorMessage, InputError } from '../errors';
import { StaleRevisionError } from '../store/annotations';
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

/** HTTP status of an error code (the bridge). */
export function httpStatusOf(code: ApiErrorCode): number {
  switch (code) {
    case 'invalid-input':
      return 400;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'input-error':
      return 422;
    case 'internal':
      return 500;
  }
}
