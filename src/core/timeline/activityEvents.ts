// What the live timeline reports and follows: its event shapes, its options, the roots it watches,
// and how a lock znode or a registration znode becomes the facts those events carry.

import { decodeInstanceData, describeInstance, parseInstanceName } from '../registry/hs2Instance';
import { NON_INSTANCE_CHILDREN } from '../registry/hs2Registry';
import { lockFromZnode } from '../locks/liveLockIndex';
import { formatLockObject, lockNameMode, type HiveLock, type LockMode } from '../locks/locks';
import type { ZnodeStat } from '../zk/types';
import type { BlockedQuery, LockFact } from './lockActivity';

export type WatchMode = 'persistent-recursive' | 'per-node' | 'polling';

export type ActivityEvent =
  | { time: string; type: 'instance'; event: 'registered' | 'deregistered'; namespace: string; znode: string; host?: string; port?: number }
  | { time: string; type: 'lock'; event: 'created' | 'deleted'; path: string; mode: LockMode; object: string; queryId?: string; client?: string; heldMs?: number }
  | { time: string; type: 'blocked'; queryId: string; object: string; mode: LockMode; attempts: number; blockedBy: BlockedQuery['blockedBy'] }
  /** The watch was away (reconnect, failover, new session): what changed meanwhile was found by one batched reread. */
  | { time: string; type: 'resync'; reason: 'reconnected' | 'new-session'; created: number; deleted: number }
  /** Changes not followed because too many were waiting to be read: the timeline has a gap. */
  | { time: string; type: 'dropped'; count: number }
  | { time: string; type: 'error'; code: string; message: string };

/** A lock as the timeline learnt of it, whole (its data as read), for keepers of a lock tree. */
export type LockChange = { type: 'created'; lock: HiveLock } | { type: 'deleted'; path: string };

export interface ActivityWatchOptions {
  /** HiveServer2 discovery namespaces whose registrations to follow. */
  namespaces: readonly string[];
  /** Hive's lock namespace (hive.zookeeper.namespace), if locks are to be followed. */
  lockNamespace?: string;
  /** Recent events kept for readers of the timeline (the Lock Activity view). */
  maxEvents?: number;
  /** Queries tracked for blocked detection at most. */
  maxQueries?: number;
  /** Changes waiting for their znode's data at most; past this they are dropped and counted. */
  maxPending?: number;
  /** Per-node watches (servers before 3.6) on at most this many znodes; beyond, the tree is polled. */
  maxWatchedNodes?: number;
  pollIntervalMs?: number;
  /** Forces a mode (tests, or a user who wants polling); by default the best the server offers. */
  mode?: WatchMode;
}

export const ACTIVITY_DEFAULTS = { maxEvents: 1000, maxQueries: 1000, maxPending: 10_000, maxWatchedNodes: 10_000, pollIntervalMs: 2000 } as const;

export type Root = { kind: 'locks'; path: string } | { kind: 'namespace'; path: string; namespace: string };
export type NamespaceRoot = Root & { kind: 'namespace' };

export interface InstanceFact {
  namespace: string;
  znode: string;
  host?: string;
  port?: number;
}

/** What a notified path is: a lock below the lock root, a registration right below a namespace, or neither. */
export type Place = { kind: 'lock'; root: string } | { kind: 'instance'; root: NamespaceRoot; znode: string };

export function placeOf(roots: readonly Root[], path: string): Place | undefined {
  for (const root of roots) {
    if (!path.startsWith(`${root.path}/`)) {
      continue;
    }
    const rest = path.slice(root.path.length + 1);
    const slash = rest.lastIndexOf('/');
    if (root.kind === 'locks') {
      return slash > 0 && lockNameMode(rest.slice(slash + 1)) ? { kind: 'lock', root: root.path } : undefined;
    }
    return slash === -1 && !NON_INSTANCE_CHILDREN.has(rest) ? { kind: 'instance', root, znode: rest } : undefined;
  }
  return undefined;
}

export function now(): string {
  return new Date().toISOString();
}

/** A lock from its path below `root` and, when it could be read, its data and stat (a name placeOf accepted). */
export function lockAt(root: string, path: string, data: Buffer | undefined, stat: ZnodeStat | undefined): HiveLock {
  const lock = lockFromZnode(root, path, data, stat);
  if (!lock) {
    throw new Error(`Not a lock below ${root}: ${path}`);
  }
  return lock;
}

/** What blocked detection keeps of a lock. `objects`: object names already made, by object path (a first read makes 100k facts on a few thousand objects). */
export function lockFact(lock: HiveLock, objects?: Map<string, string>): LockFact {
  const data = lock.data;
  const objectPath = lock.objectPath;
  let object = objects?.get(objectPath);
  if (object === undefined) {
    object = formatLockObject(lock.object);
    objects?.set(objectPath, object);
  }
  const fact: LockFact = { path: lock.path, objectPath, object, mode: lock.mode, sequence: lock.sequence, createdAt: lock.ctime !== undefined && lock.ctime > 0 ? lock.ctime : Date.now() };
  if (data.queryId !== undefined) {
    fact.queryId = data.queryId;
  }
  if (data.clientIp !== undefined) {
    fact.client = data.clientIp;
  }
  return fact;
}

export function lockFields(lock: LockFact): { path: string; mode: LockMode; object: string; queryId?: string; client?: string } {
  return {
    path: lock.path,
    mode: lock.mode,
    object: lock.object,
    ...(lock.queryId !== undefined ? { queryId: lock.queryId } : {}),
    ...(lock.client !== undefined ? { client: lock.client } : {}),
  };
}

/** A registration's host and port: from its data as the driver reads it, else from its name (serverUri=…). */
export function instanceFact(root: NamespaceRoot, znode: string, data: Buffer | undefined): InstanceFact {
  if (data) {
    const instance = describeInstance(root.path, znode, decodeInstanceData(data));
    return instanceFields(root, znode, instance.host, instance.port);
  }
  const named = parseInstanceName(znode);
  return instanceFields(root, znode, named?.host, named?.port);
}

export function instanceFields(root: NamespaceRoot, znode: string, host: string | undefined, port: number | undefined): InstanceFact {
  return { namespace: root.namespace, znode, ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) };
}
