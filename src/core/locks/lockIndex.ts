// The locks of one walk indexed for a db → table → partition tree: which groups sit under each
// object path, the locks held on each, and lock / waiting totals for every group.
import { decodeLockObject, type HiveLock, type LockObject } from './locks';
import type { LockWalkResult } from './lockWalk';

export type LockGroupLevel = 'db' | 'table' | 'partition';

export interface LockIndex {
  root: string;
  walk: LockWalkResult;
  /** Object path → the object paths one level below it (sorted). */
  childGroups: Map<string, string[]>;
  /** Object path → the locks held directly on it. */
  locksAt: Map<string, HiveLock[]>;
  /** Object path → locks on it and below it, and how many of those wait. */
  totals: Map<string, { locks: number; waiting: number }>;
}

export interface LockGroup {
  objectPath: string;
  level: LockGroupLevel;
  object: LockObject;
  /** The group's own name: the database, the table, or the last "key=value" of a partition. */
  label: string;
  lockCount: number;
  waiting: number;
}

export function indexLocks(walk: LockWalkResult): LockIndex {
  const index: LockIndex = { root: walk.root, walk, childGroups: new Map(), locksAt: new Map(), totals: new Map() };
  // Each lock goes to its object's list, and its object's own counts; the ancestors' totals are then
  // added once per object, not once per lock (100k locks sit on a few thousand objects).
  const own = new Map<string, { locks: number; waiting: number }>();
  for (const lock of walk.locks) {
    const objectPath = lock.objectPath;
    const at = index.locksAt.get(objectPath);
    let counts = own.get(objectPath);
    if (at && counts) {
      at.push(lock);
    } else {
      index.locksAt.set(objectPath, [lock]);
      counts = { locks: 0, waiting: 0 };
      own.set(objectPath, counts);
    }
    counts.locks += 1;
    counts.waiting += lock.status === 'waiting' ? 1 : 0;
  }
  for (const [objectPath, counts] of own) {
    // Every ancestor from the root down to the object gets the object's locks in its totals.
    let path = index.root;
    for (const segment of objectPath.slice(index.root.length + 1).split('/')) {
      if (segment === '') {
        continue;
      }
      const next = `${path}/${segment}`;
      let totals = index.totals.get(next);
      if (!totals) {
        // First lock on or below this object: a new group (a lookup, not a scan of its siblings,
        // which grew quadratically with the tables or partitions under one parent).
        totals = { locks: 0, waiting: 0 };
        index.totals.set(next, totals);
        const list = index.childGroups.get(path);
        if (list) {
          list.push(next);
        } else {
          index.childGroups.set(path, [next]);
        }
      }
      totals.locks += counts.locks;
      totals.waiting += counts.waiting;
      path = next;
    }
  }
  for (const list of index.childGroups.values()) {
    list.sort();
  }
  return index;
}

/** The group at an object path: its decoded object, its label and its totals. */
export function lockGroupAt(index: LockIndex, objectPath: string, level: LockGroupLevel): LockGroup {
  const totals = index.totals.get(objectPath) ?? { locks: 0, waiting: 0 };
  const object = decodeLockObject(objectPath.slice(index.root.length + 1).split('/'));
  const partition = object.partition?.at(-1);
  const label = level === 'db' ? object.database : level === 'table' ? (object.table ?? '') : partition ? `${partition.key}=${partition.value}` : '';
  return { objectPath, level, object, label, lockCount: totals.locks, waiting: totals.waiting };
}

/** The level of the groups one below a group of `level` (partitions nest under partitions). */
export function childLevel(level: LockGroupLevel): LockGroupLevel {
  return level === 'db' ? 'table' : 'partition';
}

/** When the lock was taken: its own lockTime, else the znode's creation time. */
export function lockedAt(lock: HiveLock): number | undefined {
  return lock.data.lockTime ?? lock.ctime;
}

/** The lock a waiting lock waits behind: the older conflicting lock on the same object. */
export function blockerOf(index: LockIndex, lock: HiveLock): HiveLock | undefined {
  return lock.blockedBy === undefined ? undefined : index.locksAt.get(lock.objectPath)?.find((l) => l.znode === lock.blockedBy);
}

/** Every waiting lock, the longest waiting first. */
export function waitingLocks(index: LockIndex): HiveLock[] {
  // Each lock's time read once, not per comparison: a walk's lock data is made on each read (LockTable).
  const waiting = index.walk.locks.filter((l) => l.status === 'waiting').map((lock) => ({ lock, since: lockedAt(lock) ?? Number.MAX_SAFE_INTEGER }));
  return waiting.sort((a, b) => a.since - b.since).map((w) => w.lock);
}

/**
 * A query shortened for a label: whitespace collapsed, cut at `max` characters. Query ids share
 * long prefixes (hive_<timestamp>_…), so a lock is told apart by its query, not its id.
 */
export function querySnippet(query: string | undefined, max = 48): string | undefined {
  const text = query?.replace(/\s+/g, ' ').trim();
  if (!text) {
    return undefined;
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
