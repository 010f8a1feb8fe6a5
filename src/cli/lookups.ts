// Lookups several commands share: the health options and which client address holds each session
// (`cons` only, never a session).

import { HiveZkError, preview } from '../core/errors';
import { collectEnsembleHealth, type HealthOptions, type SessionHolder } from '../core/health/serverHealth';
import type { ZkSession } from '../core/zk/session';
import { flag, parseTimeout, type Args } from './args';

export function healthOptions(args: Args): HealthOptions {
  const adminPort = flag(args, 'admin-port');
  const port = adminPort !== undefined && /^\d{1,5}$/.test(adminPort) ? Number(adminPort) : undefined;
  if (adminPort !== undefined && (port === undefined || port < 1 || port > 65535)) {
    throw new HiveZkError('BAD_ARGUMENT', `--admin-port must be a port number, not "${preview(adminPort, 20)}".`);
  }
  return { timeoutMs: parseTimeout(flag(args, 'timeout')), ...(port !== undefined ? { adminPort: port } : {}) };
}

/** Which client address holds each session: `cons` only, short separate requests, never a session. */
export async function sessionHolders(session: ZkSession, args: Args): Promise<Map<string, SessionHolder>> {
  return (await collectEnsembleHealth(session.connect, { ...healthOptions(args), words: ['cons'] })).sessions;
}
