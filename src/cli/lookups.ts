// Lookups several commands share: a namespace's HiveServer2 instances (plain, or HA when the plain
// namespace is missing) and which client address holds each session (`cons` only, never a session).

import { HiveZkError, preview, toHiveZkError } from '../core/errors';
import { listHaInstances } from '../core/registry/haRegistry';
import { listInstances, type NamespaceListing } from '../core/registry/hs2Registry';
import { collectEnsembleHealth, type HealthOptions, type SessionHolder } from '../core/health/serverHealth';
import type { ZkSession } from '../core/zk/session';
import { flag, parseTimeout, type Args } from './args';

/** A namespace's HiveServer2 instances; a plain namespace that is missing is tried as an HA one. */
export async function listAnyInstances(session: ZkSession, namespace: string, ha: boolean): Promise<NamespaceListing> {
  if (ha) {
    return listHaInstances(session, namespace);
  }
  try {
    return await listInstances(session, namespace);
  } catch (error) {
    const failure = toHiveZkError(error);
    if (failure.code === 'NAMESPACE_MISSING') {
      return listHaInstances(session, namespace).catch(() => Promise.reject(failure));
    }
    throw failure;
  }
}

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
