// The one door into the handlers. Every transport (Electron's IPC, the local
// HTTP bridge, tests) calls dispatch with a method name and the raw input it
// received; dispatch checks the name, validates the input with the contract's
// schema (so no handler ever sees unchecked data), runs the handler, checks the
// answer against the output schema (a handler bug surfaces here, not in the
// renderer), and turns any error into an ApiErrorDto.
import { contract, METHODS, type ApiErrorDto, type Handlers, type Input, type Method, type Output } from './contract';
import { ApiError, toApiError } from './errors';

export type ApiResult<T = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiErrorDto };

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && (METHODS as readonly string[]).includes(name);
}

export type DispatchLog = (method: string, error: unknown) => void;

export async function dispatch(handlers: Handlers, method: unknown, rawInput: unknown, log?: DispatchLog): Promise<ApiResult> {
  if (!isMethod(method)) return { ok: false, error: { code: 'not-found', message: `unknown API call ${JSON.stringify(method)}` } };
  const entry = contract[method];
  const input = entry.input.safeParse(rawInput === undefined ? {} : rawInput);
  if (!input.success) {
    const issue = input.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: { code: 'invalid-input', message: `${method}: ${where}${issue?.message ?? 'invalid input'}` } };
  }
  let value: unknown;
  try {
    const handler = handlers[method] as (input: unknown) => unknown;
    value = await handler(input.data);
  } catch (error) {
    const dto = toApiError(error);
    if (dto.code === 'internal') log?.(method, error);
    return { ok: false, error: dto };
  }
  const output = entry.output.safeParse(value);
  if (!output.success) {
    const issue = output.error.issues[0];
    log?.(method, output.error);
    return { ok: false, error: { code: 'internal', message: `${method} produced an invalid answer (${issue?.path.join('.')}: ${issue?.message}); this is a bug` } };
  }
  return { ok: true, value: output.data };
}

/** Typed in-process call through dispatch: returns the output or throws ApiError. */
export async function callApi<M extends Method>(handlers: Handlers, method: M, input: Input<M>): Promise<Output<M>> {
  const result = await dispatch(handlers, method, input);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message, result.error.file);
  return result.value as Output<M>;
}
