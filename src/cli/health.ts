// The health command: the servers' own reports, connections by client, and who holds the
// registrations and locks.

import { toHiveZkError } from '../core/errors';
import { formatSessionId } from '../core/health/healthReplies';
import { formatIdentity } from '../core/zk/identities';
import { DEFAULT_LOCK_NAMESPACE } from '../core/registry/hs2Registry';
import { walkLocks } from '../core/locks/lockWalk';
import { discoverNamespaces } from '../core/registry/namespaceDiscovery';
import { listHiveServer2 } from '../core/registry/registry';
import { groupLocksByOwner, ownerJson, ownerOf } from '../core/health/owners';
import { collectEnsembleHealth } from '../core/health/serverHealth';
import { isSlash, trimEndWhere, trimStartWhere } from '../core/untrusted';
import { flag, requireFlag, type Args } from './args';
import { healthOptions } from './lookups';
import { withSession } from './session';

/** Servers, connections by client, and who holds the registrations and locks. */
export async function health(args: Args): Promise<unknown> {
  const zk = requireFlag(args, 'zk');
  const ensemble = await collectEnsembleHealth(zk, healthOptions(args));
  // Connections are summarised by client below; each server keeps its counts.
  const servers = ensemble.servers.map(({ connections: _connections, version, ...server }) => ({ ...server, version: version?.text ?? null, batchedReads: version?.batchedReads ?? null }));
  const clients = ensemble.clients.map((c) => ({ ...c, sessions: c.sessions.map(formatSessionId) }));
  let registry: unknown;
  // Who the session is to ZooKeeper (whoAmI on 3.7+, else what this client sent); null when it could not connect.
  let authentication: { source: string; identities: string[]; problem?: string } | null = null;
  try {
    registry = await withSession(zk, args, async (session) => {
      const who = await session.whoAmI();
      authentication = { source: who.source, identities: who.identities.map(formatIdentity), ...(who.problem !== undefined ? { problem: who.problem } : {}) };
      const kinds = await discoverNamespaces(session);
      const lockNamespace = flag(args, 'namespace') ?? DEFAULT_LOCK_NAMESPACE;
      const instances = await listHiveServer2(session, kinds);
      const walk = kinds.some((n) => n.name === trimStartWhere(trimEndWhere(lockNamespace, isSlash), isSlash)) ? await walkLocks(session, lockNamespace) : undefined;
      const ownership = groupLocksByOwner(walk?.locks ?? [], instances, ensemble.sessions, { sessionsComplete: ensemble.sessionsComplete });
      return {
        hiveServer2: instances.map((i) => ({ path: i.path, host: i.host ?? null, port: i.port ?? null, owner: ownerJson(ownerOf(i.ephemeralOwner, ensemble.sessions)) })),
        locks: walk ? { root: walk.root, count: walk.locks.length, persistent: ownership.persistentLocks } : null,
        lockOwners: ownership.groups.map((g) => ({ ...ownerJson(g.owner), count: g.count, oldest: g.oldest ?? null, onHiveServer2Host: g.onHiveServer2Host ?? null, problem: g.problem ?? null, summary: g.summary })),
        hiveServer2Hosts: ownership.hiveServer2Hosts,
      };
    });
  } catch (error) {
    registry = { error: toHiveZkError(error).toJSON() };
  }
  return { connectString: ensemble.connectString, checkedAt: new Date(ensemble.checkedAt).toISOString(), servers, clients, hints: ensemble.hints, registry, authentication };
}
