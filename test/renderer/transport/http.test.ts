import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, errorMessage } from '../../../src-renderer/src/transport/api-error';
import { createHttpTransport, tokenFromHash } from '../../../src-renderer/src/transport/http';

afterEach(() => {
  vi.unstubAllGlobals();
});

function stubFetch(status: number, body: unknown): ReturnType<typeof vi.fn> {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

describe('HTTP transport to the local bridge', () => {
  it('reads the token from the URL fragment', () => {
    expect(tokenFromHash('#token=a%2Bb&x=1')).toBe('a+b');
    expect(tokenFromHash('')).toBeNull();
  });

  it('posts the input as JSON to /api/<method> with the bearer token', async () => {
    const fetch = stubFetch(200, { removed: true });
    const transport = createHttpTransport({ origin: 'http://127.0.0.1:5000', token: 'secret' });
    await expect(transport.api['studies.remove']({ studyId: 's1' })).resolves.toEqual({ removed: true });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:5000/api/studies.remove');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer secret');
    expect(JSON.parse(init.body as string)).toEqual({ studyId: 's1' });
  });

  it('turns { error } bodies into ApiErrors with code and file', async () => {
    stubFetch(409, { error: { message: 'stale revision 3', code: 'conflict', file: 'g0001.jpg' } });
    const transport = createHttpTransport({ origin: '', token: 't' });
    const error = await transport.api['cases.get']({ caseId: 'c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('conflict');
    expect(errorMessage(error)).toBe('g0001.jpg: stale revision 3');
  });

  it('explains an HTTP failure without a body', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 401 })));
    const transport = createHttpTransport({ origin: '', token: 't' });
    await expect(transport.api['app.info']({})).rejects.toThrow(/token/);
  });

  it('adds the token to media URLs', () => {
    const transport = createHttpTransport({ origin: 'http://h', token: 't k' });
    expect(transport.mediaUrl('/media/case/c1/image')).toBe('http://h/media/case/c1/image?token=t%20k');
    expect(transport.mediaUrl('/media/case/c1/heatmap/od?model=m')).toBe('http://h/media/case/c1/heatmap/od?model=m&token=t%20k');
  });
});
