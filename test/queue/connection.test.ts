import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueTarget } from '../../src-main/queue/connection';

describe('queueTarget', () => {
  it('reads host, port and database from a redis:// URL', () => {
    const t = queueTarget('redis://10.0.0.5:6380/2', {}, {});
    expect(t.connection).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, maxRetriesPerRequest: null });
    expect(t.connection.password).toBeUndefined();
    expect(t.connection.tls).toBeUndefined();
    expect(t.display).toBe('redis://10.0.0.5:6380/2');
  });

  it('takes the password from the URL, the environment or a file, and never shows it', () => {
    expect(queueTarget('redis://:s%40cret@q:6379', {}, {}).connection.password).toBe('s@cret');
    expect(queueTarget('redis://:s%40cret@q:6379', {}, {}).display).toBe('redis://q:6379');
    expect(queueTarget('redis://q', {}, { GLAUCOMA_STUDIO_REDIS_PASSWORD: 'fromenv' }).connection).toMatchObject({ password: 'fromenv', port: 6379 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gs-pw-')), 'pw');
    fs.writeFileSync(file, 'fromfile\n');
    expect(queueTarget('redis://:url@q', { passwordFile: file }, {}).connection.password).toBe('fromfile');
  });

  it('uses TLS for rediss:// or when asked, with an optional CA file', () => {
    expect(queueTarget('rediss://queue.clinic:6380', {}, {}).connection.tls).toEqual({ servername: 'queue.clinic' });
    const t = queueTarget('redis://queue.clinic:6380', { tls: true }, {});
    expect(t.tls).toBe(true);
    expect(t.display).toBe('rediss://queue.clinic:6380');
    expect(() => queueTarget('redis://q', { tlsCa: '/nonexistent/ca.pem' }, {})).toThrow(/--tls-ca: cannot read/);
  });

  it('refuses what is not a Redis URL', () => {
    expect(() => queueTarget('gpu-server:6379', {}, {})).toThrow(/not a Redis URL|not a URL/);
    expect(() => queueTarget('http://q:6379', {}, {})).toThrow(/not a Redis URL/);
    expect(() => queueTarget('redis://q/x', {}, {})).toThrow(/not a Redis database number/);
  });
});
