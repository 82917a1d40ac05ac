// A body of millions of empty objects is refused before JSON.parse builds them.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_CONTAINERS, parseJsonBody } from '../../src-main/app/json-body';
import { appHarness } from '../core/api/study-fixture';
import { startBridge } from '../../src-main/app/bridge';

describe('API bodies', () => {
  it('parses ordinary bodies, refuses container floods and bad JSON', () => {
    expect(parseJsonBody(new TextEncoder().encode('{"caseId":"c1","labels":{"width":2,"height":1,"runs":[0,2]}}'))).toEqual({ ok: true, value: { caseId: 'c1', labels: { width: 2, height: 1, runs: [0, 2] } } });
    expect(parseJsonBody(new Uint8Array())).toEqual({ ok: true, value: {} });
    const flood = new TextEncoder().encode(`[${'{},'.repeat(MAX_JSON_CONTAINERS + 5)}{}]`);
    expect(parseJsonBody(flood)).toMatchObject({ ok: false, message: expect.stringMatching(/more than 10000 JSON objects/) });
    expect(parseJsonBody(new TextEncoder().encode('{'))).toEqual({ ok: false, message: 'the request body is not valid JSON' });
  });

  it('the bridge answers a flood of {} with 400 naming the reason', async () => {
    const h = await appHarness();
    const bridge = await startBridge({ handlers: h.services.handlers, subscribe: (l) => h.services.events.subscribe(l), media: (p, q) => h.services.media(p, q), rendererDir: h.root });
    try {
      const response = await fetch(`${bridge.url}api/cases.list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}` },
        body: `[${'{},'.repeat(2_000_000)}{}]`,
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toMatch(/more than 10000 JSON objects/);
    } finally {
      await bridge.close();
      await h.cleanup();
    }
  });
});
