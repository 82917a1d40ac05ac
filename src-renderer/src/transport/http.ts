// Transport over HTTP to the local bridge (127.0.0.1, random token): the
// browser mode and the Chromium e2e suite. The page is served by the bridge,
// so calls go to the page's own origin. The token arrives in the URL
// fragment (#token=...), which browsers never send to a server or a referrer.
//   POST /api/<method>  JSON body, Authorization: Bearer <token>
//        -> 200 with the output JSON, or an error status with { error: ApiErrorDto }
//   GET  /events?token=...  server-sent events, each `data:` line one AppEvent as JSON
//   media: <path>?token=... (EventSource and <img> cannot send headers)
import type { AppEvent, Input, Method, Output } from '../../../src-main/core/contract/contract';
import { ApiError, errorDtoFrom } from './api-error';
import { apiFrom, type EventListener, type Transport } from './transport';

export interface HttpTransportOptions {
  /** Origin of the bridge (the page's own by default). */
  readonly origin: string;
  readonly token: string;
}

/** The token in a fragment like "#token=abc" (null when absent). */
export function tokenFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token');
}

export function withToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export function createHttpTransport({ origin, token }: HttpTransportOptions): Transport {
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    let response: Response;
    try {
      response = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new ApiError(method, { message: `Glaucoma Studio's service is not reachable (${error instanceof Error ? error.message : String(error)}).`, code: 'internal' });
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    const dto = errorDtoFrom(body);
    if (dto) throw new ApiError(method, dto);
    if (!response.ok) {
      const message = response.status === 401 || response.status === 403 ? 'Not authorised: open the address with its token (#token=...).' : `${method} failed (HTTP ${response.status}).`;
      throw new ApiError(method, { message, code: 'internal' });
    }
    return body as Output<M>;
  };

  const listeners = new Set<EventListener>();
  let source: EventSource | null = null;
  const connect = (): void => {
    if (source) return;
    source = new EventSource(withToken(`${origin}/events`, token));
    source.onmessage = (message: { readonly data: string }) => {
      let event: AppEvent;
      try {
        event = JSON.parse(String(message.data)) as AppEvent;
      } catch {
        return;
      }
      for (const listener of listeners) listener(event);
    };
  };

  return {
    api: apiFrom(call),
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
    mediaUrl: (path) => withToken(`${origin}${path}`, token),
  };
}
