// Options every command that talks to the job queue shares (worker, queue,
// screen --queue): where it is and how to reach it securely.
import { queueTarget, PASSWORD_ENV, type QueueTarget } from '../../queue/connection';
import { flag, str, type OptionSpec, type ParsedOptions } from '../args';

export const QUEUE_CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  'password-file': { type: 'string', description: `file whose first line is the Redis password (or set ${PASSWORD_ENV}, or put it in the URL)`, placeholder: 'FILE' },
  tls: { type: 'boolean', description: 'connect with TLS (implied by a rediss:// URL)' },
  'tls-ca': { type: 'string', description: 'PEM file of the CA that signed the Redis server certificate', placeholder: 'FILE' },
};

export function queueTargetOf(url: string, options: ParsedOptions): QueueTarget {
  const passwordFile = str(options, 'password-file');
  const tlsCa = str(options, 'tls-ca');
  return queueTarget(url, { ...(passwordFile ? { passwordFile } : {}), ...(tlsCa ? { tlsCa } : {}), tls: flag(options, 'tls') });
}
