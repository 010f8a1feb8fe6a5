// The lock tree walk: every lock under Hive's lock namespace (or one database or table), read in
// batched reads on the shared session, decoded with locks.ts and marked granted or waiting.

import {
  decodeLockData,
  decodeLockObject,
  encodeTableName,
  markObjectConflicts,
  lockNameMode,
  lockNameModeAt,
  lockNameSequence,
  lockNameSequenceAt,
  type HiveLock,
  type LockData,
  type LockMode,
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

/** A znode to list. */
type NodeItem = { path: string; segments: string[] };
/**
 * One locked object: its path (and "path/", the prefix of its locks' paths), decoded name and locks,
 * shared by them all. `lost`: a lock of it was released between listing and read, or left unread
 * past the limit; its locks are then filtered and who waits for whom worked out again.
 */
type ObjectLocks = { path: string; prefix: string; object: LockObject; locks: HiveLock[]; lost: boolean };

/** Batched reads of the walk on the wire or being decoded at once: enough to keep the session's batches flowing. */
const WALK_TASKS = 4;

/** The data of a listed lock until it is read; a lock still holding it at the end was never read. */
const NOT_READ: LockData = Object.freeze({ problems: Object.freeze(['not read']) });
const UNREADABLE: LockData = Object.freeze({ problems: Object.freeze(['not authorized to read this lock (ACL)']) });

const asReason = <R>(reason: R): R => reason;

/**
 * Walks the lock tree in batched reads (multiRead where the server has it): each chunk of znodes is
 * listed in one call, and the locks found are read in chunks too. Lock chunks go first and nodes are
 * taken depth-first, which keeps the frontier small. Each lock is made once, in its final shape, when
 * its name is listed: its object's locks are then already in order with who waits for whom (known
 * from the names), and its read only fills in the data. At 100k locks this is what keeps the walk's
 * memory and time in bounds (`npm run bench`).
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
  /** Listed locks waiting to be read. */
  const unread: HiveLock[] = [];
  /** Each listed lock's object, by its place in `unread` (a lock does not carry its ObjectLocks). */
  const unreadObjects: ObjectLocks[] = [];
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

  // One listed znode at a time (each listing is handled whole, synchronously): its lock names become
  // its object's locks, its other children are queued as nodes to list.
  let listed: NodeItem = nodes[0];
  let listedObject: ObjectLocks | undefined;
  const startListing = (item: NodeItem): void => {
    listed = item;
    listedObject = undefined;
  };
  const addLock = (mode: LockMode, sequence: number, znode: string): void => {
    const object = (listedObject ??= newObject(listed));
    // Every field in the one order (one hidden class for 100k locks): the read fills in the rest.
    object.locks.push({
      mode,
      sequence,
      znode,
      path: object.prefix + znode,
      objectPath: object.path,
      object: object.object,
      data: NOT_READ,
      status: 'granted',
      ctime: undefined,
      ephemeral: undefined,
      ephemeralOwner: undefined,
      blockedBy: undefined,
    });
  };
  const addNode = (name: string): void => {
    nodes.push({ path: `${listed.path}/${name}`, segments: [...listed.segments, name] });
  };
  const finishListing = (): void => {
    if (!listedObject) {
      return;
    }
    // Who waits for whom is known from the names already (final unless a lock goes before its read).
    markObjectConflicts(listedObject.locks);
    for (const lock of listedObject.locks) {
      unread.push(lock);
      unreadObjects.push(listedObject);
    }
  };
  const newObject = (item: NodeItem): ObjectLocks => {
    const object = { path: item.path, prefix: `${item.path}/`, object: decodeLockObject(item.segments), locks: [], lost: false };
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

  const fill = (lock: HiveLock, data: LockData, ctime: number, ephemeralOwner: string): void => {
    locksReserved -= 1; // delivered: collected from here on
    collected += 1;
    lock.data = data;
    lock.ctime = ctime;
    lock.ephemeral = ephemeralOwner !== '0';
    lock.ephemeralOwner = ephemeralOwner === '0' ? undefined : internOwner(ephemeralOwner);
  };

  const readLocks = async (chunk: HiveLock[], chunkObjects: ObjectLocks[]): Promise<void> => {
    await session.forEachData(
      // As parents and names: written into the request from those parts, no path string per lock.
      { parents: chunkObjects.map((o) => o.path), names: chunk.map((l) => l.znode) },
      (read, i) => {
        const lock = chunk[i];
        const outcome = unlessMissingOutcome(read, asReason);
        if (outcome === 'gone') {
          locksReserved -= 1;
          chunkObjects[i].lost = true; // left out at the end
        } else if (outcome === 'unreadable') {
          locksReserved -= 1;
          collected += 1;
          lock.data = UNREADABLE;
          lock.status = 'unreadable';
        } else {
          fill(lock, decodeLockData(outcome.data), outcome.stat.ctime, outcome.stat.ephemeralOwner);
        }
      },
      // Batched reads (the usual case) are decoded in place: no data view or stat object per lock.
      { inFrame: (frame, start, end, i) => fill(chunk[i], decodeLockData(frame, start, end), statCtimeAt(frame, end), statEphemeralOwnerAt(frame, end)) },
    );
    countVisited(chunk.length);
  };

  /** The next chunk of work: locks first (they are leaves), else the most recently found nodes. */
  const nextTask = (): (() => Promise<void>) | undefined => {
    if (unread.length > 0) {
      const room = limit - collected - locksReserved;
      if (room <= 0) {
        countVisited(unread.length);
        for (const object of unreadObjects) {
          object.lost = true; // its unread locks are left out
        }
        unread.length = 0;
        unreadObjects.length = 0;
        result.truncated = true;
        return nextTask();
      }
      const take = Math.max(0, unread.length - Math.min(chunkSize, room));
      const chunk = unread.splice(take);
      const chunkObjects = unreadObjects.splice(take);
      locksReserved += chunk.length;
      return () => readLocks(chunk, chunkObjects);
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
    if (object.lost) {
      // Without the locks that went (or were never read), who waits for whom may change.
      object.locks = object.locks.filter((lock) => lock.data !== NOT_READ);
      markObjectConflicts(object.locks);
    }
    for (const lock of object.locks) {
      result.locks[at++] = lock;
    }
  }
  return result;
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
