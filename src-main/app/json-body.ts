// Parsing an API request body without letting a client grow the server: a
// 63 MB body of `{}` is within the byte limit but makes JSON.parse build
// millions of objects (2.3 GB). Real calls hold a few containers (a label map
// is one object with one array of numbers), so the count of `{` and `[` bytes
// is checked first; the count is an upper bound (it includes brackets inside
// strings), cheap, and allocates nothing.

/** More containers than any API call needs (a label map: a handful). */
export const MAX_JSON_CONTAINERS = 10_000;

export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

export function parseJsonBody(body: Uint8Array, maxContainers = MAX_JSON_CONTAINERS): JsonBody {
  if (body.length === 0) return { ok: true, value: {} };
  let containers = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if ((b === 0x7b || b === 0x5b) && ++containers > maxContainers) {
      return { ok: false, message: `the request body holds more than ${maxContainers} JSON objects or arrays; no API call takes that many` };
    }
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) };
  } catch {
    return { ok: false, message: 'the request body is not valid JSON' };
  }
}
