// The lock tree walk: every lock under Hive's lock namespace (or one database or table), read in
// batched reads on the shared session, decoded with locks.ts and marked granted or waiting.

import {
  decodeLockData,
  decodeLockObject,
  encodeTableName,
  forEachBlocker,
  markObjectConflicts,
  sortBySequence,
  lockNameMode,
  lockNameModeAt,
  lockNameSequence,
  lockNameSequenceAt,
  type HiveLock,
  type LockData,
  type LockMode,
  type LockName,
  type LockObject,
} from './locks';
import { unlessMissingOutcome } from './missingZnode';
import { namespacePath } from './znodePath';
import type { ZkSession } from './zkSession';
import { forEachChildNameAt, statCtimeAt, statEphemeralOwnerAt } from './zkWire';

export interface LockWalkOptions {
  database?: string;
  /** The table's plain name; it is encoded as Hive 2.0+ does to find its znode. */
  table?: string;
  /** Znodes per batched read (listings or lock data); a few such reads are in flight at once. */
  chunkSize?: number;
  /** Called every so often with the number of znodes visited. */
  onProgress?: (visited: number) => void;
  /** Stop collecting after this many locks (the walk still reports `truncated`). */
  limit?: number;
}

export interface LockWalkResult {
  root: string;
  locks: HiveLock[];
  visited: number;
  truncated: boolean;
  /** Paths we could not list (ACL). */
  unreadable: string[];
}

/** A znode to list, or a lock to read. */
type NodeItem = { path: string; segments: string[] };
/** A lock to read, with the sibling it waits for as its listing shows (final once all are read, see markObjectConflicts). */
type LockItem = Omit<LockName, 'sequenceText'> & { znode: string; object: ObjectLocks; blockedBy: string | undefined };
/** One locked object: its path (and "path/", the prefix of its locks' paths), decoded name and locks, shared by them all. */
type ObjectLocks = { path: string; prefix: string; object: LockObject; locks: HiveLock[] };

/** Batched reads of the walk on the wire or being decoded at once: enough to keep the session's batches flowing. */
const WALK_TASKS = 4;

const asReason = <R>(reason: R): R => reason;

/**
 * Walks the lock tree in batched reads (multiRead where the server has it): each chunk of znodes is
 * listed in one call, and the locks found are read in chunks too. Lock chunks go first and nodes are
 * taken depth-first, which keeps the frontier small; each object's path and decoded name are shared
 * by its locks, which are collected per object, so conflicts and order need no map or global sort.
 * At 100k locks this is what keeps the walk's memory in bounds (`npm run bench`).
 */
export async function walkLocks(session: ZkSession, lockNamespace: string, options: LockWalkOptions = {}): Promise<LockWalkResult> {
  const root = namespacePath(lockNamespace);
  const startSegments = [options.database, options.database !== undefined && options.table !== undefined ? encodeTableName(options.table) : undefined].filter(
    (s): s is string => s !== undefined,
  );
  const result: LockWalkResult = { root, locks: [], visited: 0, truncated: false, unreadable: [] };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const chunkSize = Math.max(1, options.chunkSize ?? 500);
  const nodes: NodeItem[] = [{ path: [root, ...startSegments].join('/'), segments: startSegments }];
  const locks: LockItem[] = [];
  const objects: ObjectLocks[] = [];
  let collected = 0;
  let locksReserved = 0;

  const countVisited = (count: number): void => {
    const before = Math.floor(result.visited / 5000);
    result.visited += count;
    if (Math.floor(result.visited / 5000) > before) {
      options.onProgress?.(result.visited);
    }
  };

  // One listed znode at a time (each listing is handled whole, synchronously): its lock names are
  // collected for its object, its other children queued as nodes to list.
  let listed: NodeItem = nodes[0];
  let listedObject: ObjectLocks | undefined;
  let found: LockItem[] = [];
  const startListing = (item: NodeItem): void => {
    listed = item;
    listedObject = undefined;
    found = [];
  };
  const addLock = (mode: LockMode, sequence: number, znode: string): void => {
    listedObject ??= newObject(listed);
    found.push({ mode, sequence, znode, object: listedObject, blockedBy: undefined });
  };
  const addNode = (name: string): void => {
    nodes.push({ path: `${listed.path}/${name}`, segments: [...listed.segments, name] });
  };
  const finishListing = (): void => {
    // Who waits for whom is known from the names already: each lock is built with its final
    // shape (a blockedBy added afterwards would cost every waiting lock a property store).
    sortBySequence(found);
    forEachBlocker(found, (lock, blocker) => (lock.blockedBy = blocker?.znode));
    for (let f = 0; f < found.length; f += 1) {
      locks.push(found[f]);
    }
  };
  const newObject = (item: NodeItem): ObjectLocks => {
    const object = { path: item.path, prefix: `${item.path}/`, object: decodeLockObject(item.segments), locks: [] };
    objects.push(object);
    return object;
  };

  // Each batch is decoded as it arrives, while the next is still on the wire.
  const listNodes = async (chunk: NodeItem[]): Promise<void> => {
    await session.forEachChildren(
      chunk.map((n) => n.path),
      (children, i) => {
        const outcome = unlessMissingOutcome(children, asReason);
        if (outcome === 'gone') {
          return; // released while we walked
        }
        if (outcome === 'unreadable') {
          result.unreadable.push(chunk[i].path);
          return;
        }
        startListing(chunk[i]);
        // Indexed loops: this runs for every znode of the tree, and iterators cost an object a step where not optimized away.
        for (let c = 0; c < outcome.length; c += 1) {
          const child = outcome[c];
          const mode = lockNameMode(child);
          if (mode) {
            addLock(mode, lockNameSequence(child), child);
          } else {
            addNode(child);
          }
        }
        finishListing();
      },
      {
        // Listings by multiRead (the usual case) are read in place: lock names from their bytes, no array per listing.
        inFrame: (frame, first, count, i) => {
          startListing(chunk[i]);
          forEachChildNameAt(frame, first, count, (start, end) => {
            const mode = lockNameModeAt(frame, start, end);
            if (mode) {
              addLock(mode, lockNameSequenceAt(frame, start, end), frame.toString('latin1', start, end)); // ASCII, as lockNameModeAt checked
            } else {
              addNode(frame.toString('utf8', start, end));
            }
          });
          finishListing();
        },
      },
    );
    countVisited(chunk.length);
  };

  // One string per owner session, shared by its locks (a leaking client may hold thousands).
  const owners = new Map<string, string>();
  const internOwner = (owner: string): string => {
    const known = owners.get(owner);
    if (known !== undefined) {
      return known;
    }
    owners.set(owner, owner);
    return owner;
  };

  const collect = (item: LockItem, data: LockData, ctime?: number, ephemeralOwner?: string): void => {
    locksReserved -= 1; // delivered: collected from here on
    collected += 1;
    item.object.locks.push(makeLock(item, data, ctime, ephemeralOwner === undefined || ephemeralOwner === '0' ? undefined : internOwner(ephemeralOwner)));
  };

  const readLocks = async (chunk: LockItem[]): Promise<void> => {
    await session.forEachData(
      // As parents and names: written into the request from those parts, no path string per lock.
      { parents: chunk.map((l) => l.object.path), names: chunk.map((l) => l.znode) },
      (read, i) => {
        const item = chunk[i];
        const outcome = unlessMissingOutcome(read, asReason);
        if (outcome === 'gone') {
          locksReserved -= 1;
          return;
        }
        if (outcome === 'unreadable') {
          collect(item, { problems: ['not authorized to read this lock (ACL)'] });
        } else {
          collect(item, decodeLockData(outcome.data), outcome.stat.ctime, outcome.stat.ephemeralOwner);
        }
      },
      // Batched reads (the usual case) are decoded in place: no data view or stat object per lock.
      { inFrame: (frame, start, end, i) => collect(chunk[i], decodeLockData(frame, start, end), statCtimeAt(frame, end), statEphemeralOwnerAt(frame, end)) },
    );
    countVisited(chunk.length);
  };

  /** The next chunk of work: locks first (they are leaves), else the most recently found nodes. */
  const nextTask = (): (() => Promise<void>) | undefined => {
    if (locks.length > 0) {
      const room = limit - collected - locksReserved;
      if (room <= 0) {
        countVisited(locks.length);
        locks.length = 0;
        result.truncated = true;
        return nextTask();
      }
      const chunk = locks.splice(Math.max(0, locks.length - Math.min(chunkSize, room)));
      locksReserved += chunk.length;
      return () => readLocks(chunk);
    }
    if (nodes.length > 0) {
      const chunk = nodes.splice(Math.max(0, nodes.length - chunkSize));
      return () => listNodes(chunk);
    }
    return undefined;
  };

  await runTasks(nextTask, WALK_TASKS);
  result.unreadable.sort();
  // Objects by path, each one's locks by sequence: the order the tree and the CLI show.
  objects.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  result.locks = new Array<HiveLock>(collected);
  let at = 0;
  for (const object of objects) {
    markObjectConflicts(object.locks);
    for (const lock of object.locks) {
      result.locks[at++] = lock;
    }
  }
  return result;
}

/**
 * Every lock built by one literal per shape, in one property order: no spread copies and no property
 * backing store (100k of them). Its path is joined only here, over the object's shared prefix (the
 * request was written from the parent and the name).
 */
function makeLock(item: LockItem, data: LockData, ctime?: number, ephemeralOwner?: string): HiveLock {
  const { mode, sequence, znode, object, blockedBy } = item;
  const path = object.prefix + znode;
  // Read: ctime known; unreadable (ACL): none.
  const status = ctime === undefined ? 'unreadable' : blockedBy === undefined ? 'granted' : 'waiting';
  const objectPath = object.path;
  if (blockedBy === undefined) {
    if (ctime === undefined) {
      return { mode, sequence, znode, path, objectPath, object: object.object, data, status };
    }
    if (ephemeralOwner === undefined) {
      return { mode, sequence, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: false };
    }
    return { mode, sequence, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: true, ephemeralOwner };
  }
  if (ctime === undefined) {
    return { mode, sequence, znode, path, objectPath, object: object.object, data, status, blockedBy };
  }
  if (ephemeralOwner === undefined) {
    return { mode, sequence, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: false, blockedBy };
  }
  return { mode, sequence, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: true, ephemeralOwner, blockedBy };
}

/** Runs tasks from `next` (which may find more work as tasks finish), `width` at a time; the first failure rejects. */
async function runTasks(next: () => (() => Promise<void>) | undefined, width: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      for (let task = active < width ? next() : undefined; !failed && task; task = active < width ? next() : undefined) {
        active += 1;
        task().then(
          () => {
            active -= 1;
            pump();
            if (active === 0 && !failed) {
              resolve();
            }
          },
          (error: unknown) => {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    };
    pump();
    if (active === 0) {
      resolve();
    }
  });
}
