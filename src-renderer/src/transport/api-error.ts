// Errors from main as the UI sees them: the contract's ApiErrorDto (a message
// for the user, the file at fault when known, and a code the UI acts on).
import type { ApiErrorDto } from '../../../src-main/core/contract/contract';

export class ApiError extends Error {
  readonly code: ApiErrorDto['code'];
  readonly file: string | undefined;
  /** The contract call that failed. */
  readonly method: string;

  constructor(method: string, dto: ApiErrorDto) {
    super(dto.message);
    this.name = 'ApiError';
    this.code = dto.code;
    this.file = dto.file;
    this.method = method;
  }
}

/** Reads an ApiErrorDto out of a response body, or null when the body is not one. */
export function errorDtoFrom(body: unknown): ApiErrorDto | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { message, file, code } = error as Record<string, unknown>;
  if (typeof message !== 'string') return null;
  const codes: readonly ApiErrorDto['code'][] = ['invalid-input', 'not-found', 'conflict', 'input-error', 'internal'];
  return {
    message,
    ...(typeof file === 'string' ? { file } : {}),
    code: codes.includes(code as ApiErrorDto['code']) ? (code as ApiErrorDto['code']) : 'internal',
  };
}

/** A one-line message for any thrown value, naming the file when the error has one. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.file && !error.message.includes(error.file) ? `${error.file}: ${error.message}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Main refused a write made from a stale revision (another window saved meanwhile). */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'conflict';
}
