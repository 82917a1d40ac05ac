// Where the job queue is and how to reach it safely. A queue is named by a
// URL: redis://[user:password@]HOST[:PORT][/DB], or rediss:// for TLS. The
// password may also come from a file (--password-file) or the environment
// (GLAUCOMA_STUDIO_REDIS_PASSWORD), so it need not appear in a process list;
// it is never printed (see `display`).
import fs from 'node:fs';
import type { RedisOptions } from 'ioredis';
import { ConfigError } from '../core/errors';

export const PASSWORD_ENV = 'GLAUCOMA_STUDIO_REDIS_PASSWORD';

/** Name of the BullMQ queue every glaucoma-studio job goes through. */
export const QUEUE_NAME = 'glaucoma-studio';

export interface QueueSecurity {
  /** A file holding the password (first line); wins over the URL and the environment. */
  readonly passwordFile?: string;
  /** Use TLS even with a redis:// URL. */
  readonly tls?: boolean;
  /** PEM file of the CA that signed the server's certificate (self-signed clinic servers). */
  readonly tlsCa?: string;
}

export interface QueueTarget {
  /** ioredis options for BullMQ's connections. */
  readonly connection: RedisOptions;
  /** The URL without its password, for logs and status. */
  readonly display: string;
  readonly tls: boolean;
}

export function queueTarget(url: string, security: QueueSecurity = {}, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--queue: "${url}" is not a URL (use redis://HOST:PORT or rediss://HOST:PORT)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError(`--queue: "${parsed.protocol}" is not a Redis URL (use redis:// or rediss://)`);
  if (!parsed.hostname) throw new ConfigError(`--queue: "${url}" names no host`);
  const port = parsed.port ? Number(parsed.port) : 6379;
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new ConfigError(`--queue: "${dbText}" is not a Redis database number`);
  let password: string | undefined = parsed.password ? decodeURIComponent(parsed.password) : env[PASSWORD_ENV] || undefined;
  if (security.passwordFile) {
    try {
      password = fs.readFileSync(security.passwordFile, 'utf8').split(/\r?\n/)[0];
    } catch (error) {
      throw new ConfigError(`--password-file: cannot read ${security.passwordFile} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const tls = parsed.protocol === 'rediss:' || security.tls === true || security.tlsCa !== undefined;
  let ca: string | undefined;
  if (security.tlsCa) {
    try {
      ca = fs.readFileSync(security.tlsCa, 'utf8');
    } catch (error) {
      throw new ConfigError(`--tls-ca: cannot read ${security.tlsCa} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const connection: RedisOptions = {
    host,
    port,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls: { servername: host, ...(ca ? { ca } : {}) } } : {}),
    // BullMQ's workers block on Redis; they must retry for ever rather than fail a request.
    maxRetriesPerRequest: null,
  };
  const shown = new URL(parsed.href);
  shown.password = '';
  if (tls) shown.protocol = 'rediss:';
  return { connection, display: `${shown.protocol}//${shown.username ? `${shown.username}@` : ''}${shown.host}${dbText ? `/${db}` : ''}`, tls };
}
