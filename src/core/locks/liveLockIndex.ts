// Keeps a lock walk's index current from the changes a watch reports: a created or deleted lock
// updates its object's locks, their waiting status and every ancestor's totals, with no walk again;
// the walk's flat lock list is rebuilt once per batch of changes, not per change.

import type { LockIndex } from './lockIndex';
import { decodeLockData, decodeLockObject, forEachBlocker, lockNameMode, lockNameSequence, NO_PROBLEMS, plainLock, type HiveLock } from './locks';
import type { ZnodeStat } from '../zk/types';

/**
 * A lock as its znode reads: its name, its place below `root`, and its data and stat when the read
 * got them (Hive's retries delete their lock within milliseconds, so often it does not).
 * Undefined for a name that is not a lock's.
 */
export function lockFromZnode(root: string, path: string, data: Buffer | undefined, stat: ZnodeStat | undefined): HiveLock | undefined {
  const slash = path.lastIndexOf('/');
  const znode = path.slice(slash + 1);
  const mode = lockNameMode(znode);
  if (!mode || slash <= root.length || !path.startsWith(`${root}/`)) {
    return undefined;
  }
  const objectPath = path.slice(0, slash);
  return {
    mode,
    sequence: lockNameSequence(znode),
    znode,
    path,
    objectPath,
    object: decodeLockObject(objectPath.slice(root.length + 1).split('/')),
    data: data && data.length > 0 ? decodeLockData(data) : { problems: NO_PROBLEMS },
    status: 'granted',
    ...(stat ? { ctime: stat.ctime, ephemeral: stat.ephemeralOwner !== '0', ...(stat.ephemeralOwner !== '0' ? { ephemeralOwner: stat.ephemeralOwner } : {}) } : {}),
  };
}

export class LiveLockIndex {
  private index: LockIndex;
  private dirty = false;

  constructor(index: LockIndex) {
    this.index = index;
  }

  /** A lock appeared (or was read again): its object's locks and the totals above it follow. Idempotent. */
  created(found: HiveLock): void {
    const { index } = this;
    // Its status is worked out here, against the siblings this index knows.
    const lock: HiveLock = { ...plainLock(found), status: found.status === 'unreadable' ? 'unreadable' : 'granted', blockedBy: undefined };
    let locks = index.locksAt.get(lock.objectPath);
    const known = locks?.findIndex((l) => l.path === lock.path) ?? -1;
    if (!locks) {
      locks = [];
      index.locksAt.set(lock.objectPath, locks);
    }
    if (known >= 0) {
      const [replaced] = locks.splice(known, 1);
      this.addToTotals(lock.objectPath, 0, replaced.status === 'waiting' ? -1 : 0);
    } else {
      this.addToTotals(lock.objectPath, 1);
    }
    let at = locks.length;
    while (at > 0 && locks[at - 1].sequence > lock.sequence) {
      at -= 1;
    }
    locks.splice(at, 0, lock);
    this.restatus(lock.objectPath, locks);
    this.dirty = true;
  }

  /** A lock went: its object's locks and the totals above it follow; a group left without locks goes. Idempotent. */
  deleted(path: string): void {
    const objectPath = path.slice(0, path.lastIndexOf('/'));
    const locks = this.index.locksAt.get(objectPath);
    const at = locks?.findIndex((l) => l.path === path) ?? -1;
    if (!locks || at < 0) {
      return;
    }
    const [gone] = locks.splice(at, 1);
    this.restatus(objectPath, locks);
    if (locks.length === 0) {
      this.index.locksAt.delete(objectPath);
    }
    this.addToTotals(objectPath, -1, gone.status === 'waiting' ? -1 : 0);
    this.dirty = true;
  }

  /**
   * The index with the changes so far: a new object when anything changed (so what was worked out
   * per index, such as a filter's counts, is worked out again), its walk's lock list rebuilt.
   */
  current(): LockIndex {
    if (!this.dirty) {
      return this.index;
    }
    this.dirty = false;
    const locks: HiveLock[] = [];
    for (const list of this.index.locksAt.values()) {
      locks.push(...list);
    }
    this.index = { ...this.index, walk: { ...this.index.walk, locks } };
    return this.index;
  }

  /** Each lock of one object granted or waiting again per Hive's grant rule; the change in waiting goes up the totals. */
  private restatus(objectPath: string, locks: HiveLock[]): void {
    let delta = 0;
    // By position: a lock replaced below is still its old self to the rule (modes do not change).
    const positions = locks.map((_, i) => i);
    forEachBlocker(
      positions,
      (i) => locks[i].mode,
      (i, blockerAt) => {
        const lock = locks[i];
        const blocker = blockerAt === undefined ? undefined : locks[blockerAt];
        const status = lock.status === 'unreadable' ? 'unreadable' : blocker ? 'waiting' : 'granted';
        const blockedBy = blocker?.znode;
        if (status !== lock.status || blockedBy !== lock.blockedBy) {
          delta += (status === 'waiting' ? 1 : 0) - (lock.status === 'waiting' ? 1 : 0);
          locks[i] = { ...plainLock(lock), status, blockedBy };
        }
      },
    );
    if (delta !== 0) {
      this.addToTotals(objectPath, 0, delta);
    }
  }

  /** Adds to the totals of every group from the root down to `objectPath`, making or dropping groups. */
  private addToTotals(objectPath: string, locks: number, waiting = 0): void {
    const { index } = this;
    const segments = objectPath.slice(index.root.length + 1).split('/').filter(Boolean);
    let parent = index.root;
    for (const segment of segments) {
      const path = `${parent}/${segment}`;
      let totals = index.totals.get(path);
      if (!totals) {
        totals = { locks: 0, waiting: 0 };
        index.totals.set(path, totals);
        insertSorted(index.childGroups, parent, path);
      }
      totals.locks += locks;
      totals.waiting += waiting;
      if (totals.locks <= 0) {
        index.totals.delete(path);
        removeFrom(index.childGroups, parent, path);
      }
      parent = path;
    }
  }
}

function insertSorted(groups: Map<string, string[]>, parent: string, child: string): void {
  const list = groups.get(parent);
  if (!list) {
    groups.set(parent, [child]);
    return;
  }
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid] < child) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  list.splice(low, 0, child);
}

function removeFrom(groups: Map<string, string[]>, parent: string, child: string): void {
  const list = groups.get(parent);
  const at = list?.indexOf(child) ?? -1;
  if (list && at >= 0) {
    list.splice(at, 1);
    if (list.length === 0) {
      groups.delete(parent);
    }
  }
}
