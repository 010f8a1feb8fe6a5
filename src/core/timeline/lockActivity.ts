// What Hive's lock manager is doing, from lock znodes as they come and go: the locks standing on each
// object, and the queries blocked behind an older conflicting lock. Hive's manager (seed 004) deletes
// a lock it cannot have and retries, so a blocked query is seen only as repeated create/delete pairs.

import { forEachBlocker, type LockMode } from '../locks/locks';

export interface LockFact {
  path: string;
  /** The locked object's znode (the lock's parent). */
  objectPath: string;
  /** The object as Hive names it, e.g. "sales.orders (ds=2024-01-01)". */
  object: string;
  mode: LockMode;
  sequence: number;
  queryId?: string;
  client?: string;
  /** Epoch ms the lock was created (its ctime, else when it was first seen). */
  createdAt: number;
}

export interface BlockedQuery {
  queryId: string;
  object: string;
  objectPath: string;
  mode: LockMode;
  /** Attempts that found an older conflicting lock and gave up (created, then deleted their lock). */
  attempts: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  /** The attempt's lock while it stands (between its create and its delete), else undefined. */
  currentPath: string | undefined;
  /** The latest attempt's lock (gone between attempts): where the query waits. */
  lastPath: string;
  /** The blocked query's client, as its lock data gave it. */
  client?: string;
  blockedBy: { queryId?: string; mode: LockMode; client?: string; path: string };
}

export interface LockActivityOptions {
  /** Queries tracked at most (blocked ones and those with one failed attempt so far); the stalest go first. */
  maxQueries?: number;
}

/** A blocked query is reported from its second failed attempt on: one may be a race, two are a wait. */
export const BLOCKED_AFTER_ATTEMPTS = 2;

export class LockActivity {
  private readonly locks = new Map<string, LockFact>();
  private readonly byObject = new Map<string, LockFact[]>();
  /** Locks created while an older conflicting lock stood: an attempt, unless it is kept. */
  private readonly attempts = new Map<string, LockFact>();
  /** Per query, object and mode: insertion order is staleness order (refreshed on each attempt). */
  private readonly queries = new Map<string, BlockedQuery>();
  private readonly maxQueries: number;
  /** Failed attempts whose lock data was never read (no query id to count them under). */
  unattributed = 0;

  constructor(options: LockActivityOptions = {}) {
    this.maxQueries = Math.max(1, options.maxQueries ?? 1000);
  }

  get size(): number {
    return this.locks.size;
  }

  get(path: string): LockFact | undefined {
    return this.locks.get(path);
  }

  /** Every standing lock (in no set order). */
  all(): IterableIterator<LockFact> {
    return this.locks.values();
  }

  /** A lock that stood when watching began (or was found by a reread): known, never an attempt. */
  stand(lock: LockFact): void {
    this.remove(lock.path);
    this.insert(lock);
  }

  /**
   * A lock just created. Returns the older lock it conflicts with, if any (then it is an attempt that
   * Hive will give up); a lock with no conflict is granted, and its query is no longer blocked there.
   */
  created(lock: LockFact): LockFact | undefined {
    this.remove(lock.path);
    this.insert(lock);
    const blocker = this.blockerOf(lock);
    const key = queryKey(lock);
    if (blocker) {
      this.attempts.set(lock.path, blocker);
      const query = key ? this.queries.get(key) : undefined;
      if (query) {
        query.currentPath = lock.path;
      }
    } else if (key) {
      this.queries.delete(key);
    }
    return blocker;
  }

  /**
   * A lock just deleted: the lock as it was known (with how long it was held), and the blocked query
   * to report when this delete was a failed attempt that makes its query's count reach two or more.
   */
  deleted(path: string, at: number): { lock?: LockFact; heldMs?: number; blocked?: BlockedQuery } {
    const lock = this.locks.get(path);
    if (!lock) {
      return {};
    }
    this.remove(path);
    const heldMs = Math.max(0, at - lock.createdAt);
    const blocker = this.attempts.get(path);
    if (!blocker) {
      return { lock, heldMs };
    }
    this.attempts.delete(path);
    const key = queryKey(lock);
    if (!key || lock.queryId === undefined) {
      this.unattributed += 1;
      return { lock, heldMs };
    }
    let query = this.queries.get(key);
    if (query) {
      this.queries.delete(key); // re-inserted below: now the freshest
    } else {
      query = { queryId: lock.queryId, object: lock.object, objectPath: lock.objectPath, mode: lock.mode, attempts: 0, firstAttemptAt: lock.createdAt, lastAttemptAt: at, currentPath: undefined, lastPath: lock.path, blockedBy: describeBlocker(blocker) };
    }
    query.lastPath = lock.path;
    if (lock.client !== undefined) {
      query.client = lock.client;
    }
    query.attempts += 1;
    query.lastAttemptAt = at;
    query.currentPath = undefined;
    query.blockedBy = describeBlocker(blocker);
    this.queries.set(key, query);
    while (this.queries.size > this.maxQueries) {
      const stalest = this.queries.keys().next().value as string;
      this.queries.delete(stalest);
    }
    return query.attempts >= BLOCKED_AFTER_ATTEMPTS ? { lock, heldMs, blocked: { ...query, blockedBy: { ...query.blockedBy } } } : { lock, heldMs };
  }

  /** Queries blocked now (two or more failed attempts), the most recent attempt first. */
  blocked(): BlockedQuery[] {
    const list: BlockedQuery[] = [];
    for (const query of this.queries.values()) {
      if (query.attempts >= BLOCKED_AFTER_ATTEMPTS) {
        list.push(query);
      }
    }
    return list.reverse();
  }

  /** Forgets every lock (not the queries' history): before a full reread replaces them. */
  clearLocks(): void {
    this.locks.clear();
    this.byObject.clear();
    this.attempts.clear();
  }

  /** Per Hive's grant rule, the older lock on the same object that `lock` waits for, if any. */
  private blockerOf(lock: LockFact): LockFact | undefined {
    const siblings = this.byObject.get(lock.objectPath) ?? [];
    let found: LockFact | undefined;
    forEachBlocker(
      siblings,
      (s) => s.mode,
      (s, blocker) => {
        if (s === lock) {
          found = blocker;
        }
      },
    );
    return found;
  }

  /** Each object's locks stay in sequence order: a new lock is the newest, so it almost always goes last. */
  private insert(lock: LockFact): void {
    this.locks.set(lock.path, lock);
    const siblings = this.byObject.get(lock.objectPath);
    if (!siblings) {
      this.byObject.set(lock.objectPath, [lock]);
      return;
    }
    let at = siblings.length;
    while (at > 0 && siblings[at - 1].sequence > lock.sequence) {
      at -= 1;
    }
    siblings.splice(at, 0, lock);
  }

  private remove(path: string): void {
    const lock = this.locks.get(path);
    if (!lock) {
      return;
    }
    this.locks.delete(path);
    const siblings = this.byObject.get(lock.objectPath);
    if (siblings) {
      const at = siblings.indexOf(lock);
      if (at >= 0) {
        siblings.splice(at, 1);
      }
      if (siblings.length === 0) {
        this.byObject.delete(lock.objectPath);
      }
    }
  }
}

function queryKey(lock: LockFact): string | undefined {
  return lock.queryId === undefined ? undefined : `${lock.queryId}\u0000${lock.objectPath}\u0000${lock.mode}`;
}

function describeBlocker(blocker: LockFact): BlockedQuery['blockedBy'] {
  return {
    ...(blocker.queryId !== undefined ? { queryId: blocker.queryId } : {}),
    mode: blocker.mode,
    ...(blocker.client !== undefined ? { client: blocker.client } : {}),
    path: blocker.path,
  };
}
