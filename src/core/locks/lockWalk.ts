// The lock tree walk: every lock under Hive's lock namespace (or one database or table), read in
// batched reads on the shared session into a LockTable, which decodes them and marks them granted or waiting.

import { encodeTableName, lockNameMode, lockNameModeAt, lockNameSequence, lockNameSequenceAt, type HiveLock, type LockMode } from './locks';
import { isUsualLockName, LockTable } from './lockTable';
import { unlessMissingOutcome } from '../zk/missingZnode';
import { namespacePath } from '../zk/znodePath';
import { cancelled } from '../lifecycle';
import type { ZkSession } from '../zk/session';

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
  /** Aborting stops the walk between batches: it rejects with CANCELLED, its partial result dropped. */
  signal?: AbortSignal;
}

export interface LockWalkResult {
  root: string;
  /** Objects by path, each one's locks by sequence. Compare them by their plain form (plainLock): their fields are accessors. */
  locks: HiveLock[];
  visited: number;
  truncated: boolean;
  /** Paths we could not list (ACL). */
  unreadable: string[];
}

/** A znode to list. */
type NodeItem = { path: string; segments: string[] };

/** Batched reads of the walk on the wire or being decoded at once: enough to keep the session's batches flowing. */
const WALK_TASKS = 4;

const asReason = <R>(reason: R): R => reason;

/**
 * Walks the lock tree in batched reads (multiRead where the server has it): each chunk of znodes is
 * listed in one call, and the locks found are read in chunks too. Lock chunks go first and nodes are
 * taken depth-first, which keeps the frontier small. Locks are kept in a LockTable, a row each: at
 * 100k locks this is what keeps the walk's memory and time in bounds (`npm run bench`).
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
  const table = new LockTable();
  /** Rows of listed locks waiting to be read. */
  const unread: number[] = [];
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
  let objectAdded = false;
  const addLock = (mode: LockMode, sequence: number, oddName: string | undefined): void => {
    if (!objectAdded) {
      table.addObject(listed.path, listed.segments);
      objectAdded = true;
    }
    unread.push(table.addLock(mode, sequence, oddName));
  };
  const addNode = (name: string): void => {
    nodes.push({ path: `${listed.path}/${name}`, segments: [...listed.segments, name] });
  };

  /** One child name of a listing read in place, as its UTF-8 bytes: a lock, or a node to list. */
  const readName = (bytes: Buffer, start: number, end: number): void => {
    const mode = lockNameModeAt(bytes, start, end);
    if (mode) {
      const sequence = lockNameSequenceAt(bytes, start, end);
      addLock(mode, sequence, isUsualLockName(mode.length, sequence, end - start) ? undefined : bytes.toString('latin1', start, end)); // ASCII, as lockNameModeAt checked
    } else {
      addNode(bytes.toString('utf8', start, end));
    }
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
        listed = chunk[i];
        objectAdded = false;
        // Indexed loops: this runs for every znode of the tree, and iterators cost an object a step where not optimized away.
        for (let c = 0; c < outcome.length; c += 1) {
          const child = outcome[c];
          const mode = lockNameMode(child);
          if (mode) {
            const sequence = lockNameSequence(child);
            addLock(mode, sequence, isUsualLockName(mode.length, sequence, child.length) ? undefined : child);
          } else {
            addNode(child);
          }
        }
      },
      {
        // Listings by multiRead (the usual case) are read in place: lock names from their bytes, no string for a usual one.
        inFrame: (listing, i) => {
          listed = chunk[i];
          objectAdded = false;
          listing.forEachChildName(readName);
        },
      },
    );
    countVisited(chunk.length);
  };

  const readLocks = async (rows: number[]): Promise<void> => {
    // As parents and names: written into the request from those parts, no path string per lock.
    const parents = new Array<string>(rows.length);
    const names = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i += 1) {
      parents[i] = table.objectPathOf(rows[i]);
      names[i] = table.nameOf(rows[i]);
    }
    await session.forEachData(
      { parents, names },
      (read, i) => {
        const outcome = unlessMissingOutcome(read, asReason);
        locksReserved -= 1;
        if (outcome === 'gone') {
          return; // released between listing and read: left out
        }
        collected += 1;
        if (outcome === 'unreadable') {
          table.unreadable(rows[i]);
        } else {
          table.read(rows[i], outcome.data, 0, outcome.data.length, outcome.stat.ctime, outcome.stat.ephemeralOwner);
        }
      },
      // Batched reads (the usual case) are decoded in place: no data view or stat object per lock.
      {
        inFrame: (lock, i) => {
          locksReserved -= 1;
          collected += 1;
          table.read(rows[i], lock.bytes, lock.start, lock.end, lock.ctime, lock.ephemeralOwner);
        },
      },
    );
    countVisited(rows.length);
  };

  /** The next chunk of work: locks first (they are leaves), else the most recently found nodes. */
  const nextTask = (): (() => Promise<void>) | undefined => {
    if (options.signal?.aborted) {
      return () => Promise.reject(cancelled('Reading the locks'));
    }
    if (unread.length > 0) {
      const room = limit - collected - locksReserved;
      if (room <= 0) {
        // Past the limit: the unread locks are left out.
        countVisited(unread.length);
        unread.length = 0;
        result.truncated = true;
        return nextTask();
      }
      const rows = unread.splice(Math.max(0, unread.length - Math.min(chunkSize, room)));
      locksReserved += rows.length;
      return () => readLocks(rows);
    }
    if (nodes.length > 0) {
      const chunk = nodes.splice(Math.max(0, nodes.length - chunkSize));
      return () => listNodes(chunk);
    }
    return undefined;
  };

  await runTasks(nextTask, WALK_TASKS);
  result.unreadable.sort();
  result.locks = table.locks();
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
