// Who holds what: the ZooKeeper session behind each ephemeral lock and HiveServer2 registration
// (its znode's ephemeralOwner), the client address holding that session (from `cons`), locks
// grouped by owner, and locks whose owner is on no live HiveServer2's host.

import type { Hs2Instance } from '../registry/hs2Instance';
import type { HiveLock } from '../locks/locks';
import { formatSessionId } from './healthReplies';
import type { SessionHolder } from './serverHealth';

export interface Owner {
  /** Hex without leading zeros, as `ZnodeStat.ephemeralOwner`. */
  sessionId: string;
  /** The client address holding the session, when a server listed it. */
  clientAddress?: string;
  /** The ZooKeeper server ("host:port") that session is connected to. */
  server?: string;
}

/** The owner of an ephemeral znode; undefined for persistent ones (explicit LOCK TABLE, or unknown). */
export function ownerOf(ephemeralOwner: string | undefined, sessions: ReadonlyMap<string, SessionHolder>): Owner | undefined {
  if (ephemeralOwner === undefined || ephemeralOwner === '0') {
    return undefined;
  }
  const holder = sessions.get(ephemeralOwner);
  return holder ? { sessionId: ephemeralOwner, clientAddress: holder.address, server: holder.server } : { sessionId: ephemeralOwner };
}

/** The JSON shape the CLI prints: `{ session: "0x…", client: "10.20.0.15" | null }`. */
export function ownerJson(owner: Owner | undefined): { session: string; client: string | null } | null {
  return owner ? { session: formatSessionId(owner.sessionId), client: owner.clientAddress ?? null } : null;
}

export interface LockOwnerGroup {
  owner: Owner;
  count: number;
  /** Epoch milliseconds of the oldest lock (its lock time, else its znode's ctime). */
  oldest?: number;
  lockPaths: string[];
  /** Whether the owner's client address hosts a live HiveServer2 registration; undefined when unknown. */
  onHiveServer2Host?: boolean;
  /** Why these locks look orphaned, when they do. */
  problem?: string;
  /** "session 0x… on 10.20.0.15 holds 37 locks, the oldest 3 h" */
  summary: string;
}

export interface LockOwnership {
  /** Busiest owner first. */
  groups: LockOwnerGroup[];
  /** Explicit (LOCK TABLE) locks are persistent and have no owner session. */
  persistentLocks: number;
  /** Addresses considered HiveServer2 hosts: the clients holding the registrations' sessions, and the registered hosts. */
  hiveServer2Hosts: string[];
}

export interface OwnershipOptions {
  now?: number;
  /** Every reachable server listed its connections: a session not found is then connected nowhere. */
  sessionsComplete?: boolean;
}

/** Groups ephemeral locks by owner session and flags owners that are not on a live HiveServer2 host. */
export function groupLocksByOwner(
  locks: readonly HiveLock[],
  instances: readonly Hs2Instance[],
  sessions: ReadonlyMap<string, SessionHolder>,
  options: OwnershipOptions = {},
): LockOwnership {
  const now = options.now ?? Date.now();
  const hosts = new Set<string>();
  for (const instance of instances) {
    const owner = ownerOf(instance.ephemeralOwner, sessions);
    if (owner?.clientAddress !== undefined) {
      hosts.add(owner.clientAddress);
    }
    if (instance.host !== undefined) {
      hosts.add(instance.host);
    }
  }
  const groups = new Map<string, LockOwnerGroup>();
  let persistentLocks = 0;
  for (const lock of locks) {
    const owner = ownerOf(lock.ephemeralOwner, sessions);
    if (!owner) {
      persistentLocks += lock.ephemeral === false ? 1 : 0;
      continue;
    }
    let group = groups.get(owner.sessionId);
    if (!group) {
      group = { owner, count: 0, lockPaths: [], summary: '' };
      groups.set(owner.sessionId, group);
    }
    group.count += 1;
    group.lockPaths.push(lock.path);
    const taken = lock.data.lockTime ?? lock.ctime;
    if (taken !== undefined && (group.oldest === undefined || taken < group.oldest)) {
      group.oldest = taken;
    }
  }
  for (const group of groups.values()) {
    const address = group.owner.clientAddress;
    if (address !== undefined) {
      group.onHiveServer2Host = hosts.has(address);
      if (!group.onHiveServer2Host) {
        group.problem = `held from ${address}, where no live HiveServer2 is registered`;
      }
    } else if (options.sessionsComplete) {
      group.problem = `session ${formatSessionId(group.owner.sessionId)} is connected to no server: its client is gone, and the locks stay until the session expires`;
    }
    group.summary = summarize(group, now);
  }
  return {
    groups: [...groups.values()].sort((a, b) => b.count - a.count || (a.owner.sessionId < b.owner.sessionId ? -1 : 1)),
    persistentLocks,
    hiveServer2Hosts: [...hosts].sort(),
  };
}

/** "session 0x… on 10.0.0.5 holds 3 locks, the oldest 12 min", its ages as of `now`. */
export function summarize(group: LockOwnerGroup, now: number): string {
  const where = group.owner.clientAddress !== undefined ? ` on ${group.owner.clientAddress}` : '';
  const count = `${group.count} lock${group.count === 1 ? '' : 's'}`;
  const age = group.oldest !== undefined ? `, the oldest ${formatAge(now - group.oldest)}` : '';
  return `session ${formatSessionId(group.owner.sessionId)}${where} holds ${count}${age}`;
}

/** "45 s", "12 min", "3 h", "2 d": the one unit that matters. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min`;
  }
  if (seconds < 86_400) {
    return `${Math.floor(seconds / 3600)} h`;
  }
  return `${Math.floor(seconds / 86_400)} d`;
}
