// Hive's ZooKeeperHiveLockManager as it lays out znodes: lock names and data, object paths
// (db / encoded table / escaped partition segments), which locks would wait per its grant rule,
// and a walk of the lock tree in batched reads on the shared session.

import { isUtf8 } from 'node:buffer';
import { preview } from './errors';
import { finishStatement, quoteIdentifier, quoteStringLiteral } from './hiveQl';
import { parseJavaInt } from './javaInt';
import { unlessMissingOutcome } from './missingZnode';
import { namespacePath } from './znodePath';
import type { ZkSession } from './zkSession';

export type LockMode = 'SHARED' | 'EXCLUSIVE' | 'SEMI_SHARED';

export interface LockName {
  mode: LockMode;
  sequence: number;
  sequenceText: string;
}

const LOCK_MODES: readonly LockMode[] = ['SHARED', 'EXCLUSIVE', 'SEMI_SHARED'];

/** "LOCK-<mode>-<1 to 19 digits>", read by hand: a walk parses 100k of these, and a match array each adds up. */
export function parseLockName(name: string): LockName | undefined {
  if (!name.startsWith('LOCK-')) {
    return undefined;
  }
  const dash = name.indexOf('-', 5);
  // The mode's own text is a new string per name: the shared constant is kept instead.
  let mode: LockMode | undefined;
  for (const known of LOCK_MODES) {
    if (known.length === dash - 5 && name.startsWith(known, 5)) {
      mode = known;
    }
  }
  const digits = name.length - dash - 1;
  if (!mode || digits < 1 || digits > 19) {
    return undefined;
  }
  for (let i = dash + 1; i < name.length; i += 1) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) {
      return undefined;
    }
  }
  const sequenceText = name.slice(dash + 1);
  // ZooKeeperHiveLockManager.getSequenceNumber: Integer.parseInt, and -1 when that fails.
  return { mode, sequence: parseJavaInt(sequenceText) ?? -1, sequenceText };
}

export interface LockData {
  queryId?: string;
  /** Epoch milliseconds when the lock was taken. */
  lockTime?: number;
  /** IMPLICIT (taken by a query) or EXPLICIT (LOCK TABLE/DATABASE). */
  lockMode?: string;
  queryString?: string;
  clientIp?: string;
  problems: readonly string[];
}

/** Shared by every lock without problems: 100k locks would otherwise hold 100k empty arrays. */
const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/** Decodes "queryId:lockTime:lockMode:queryStr[:clientIp]"; older Hive wrote fewer fields. */
export function decodeLockData(data: Uint8Array): LockData {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!isUtf8(bytes)) {
    return { problems: [`data is not UTF-8 text (${data.length} bytes)`] };
  }
  // As a UTF-8 decoder reads it: a leading byte order mark is not text.
  const text = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (text.length === 0) {
    return { problems: ['no lock data'] };
  }
  // Hive strips ":" from the first four fields; a fifth field with colons is an IPv6 client address.
  const [queryId, lockTime, lockMode, queryString, client] = splitLockFields(text);
  const problems: string[] = [];
  if (queryId && lockTime !== undefined && TIME.test(lockTime) && lockMode && queryString !== undefined && client) {
    // The usual case, built in one literal (one hidden class, no property backing store).
    return { problems: NO_PROBLEMS, queryId, lockTime: Number(lockTime), lockMode, queryString, clientIp: client };
  }
  const result: LockData = { problems: NO_PROBLEMS };
  if (queryId) {
    result.queryId = queryId;
  }
  if (lockTime !== undefined && lockTime !== '') {
    if (TIME.test(lockTime)) {
      result.lockTime = Number(lockTime);
    } else {
      problems.push(`lock time "${preview(lockTime, 30)}" is not epoch milliseconds`);
    }
  }
  if (lockMode) {
    result.lockMode = lockMode;
  }
  if (queryString !== undefined) {
    result.queryString = queryString;
  }
  if (client) {
    result.clientIp = client;
  }
  if (lockTime === undefined) {
    problems.push('lock data has fewer fields than queryId:lockTime:lockMode:queryString');
  }
  if (problems.length > 0) {
    result.problems = problems;
  }
  return result;
}

const TIME = /^\d{1,15}$/;

/**
 * The four colon-free fields and the rest (the client, which may hold colons); undefined where the
 * text ends first. Each field is decoded from its own bytes (valid UTF-8, so a 0x3a byte is always
 * ":"): slices of one decoded text would each keep that whole text alive, for every lock of a walk.
 * The lock mode and the client, which many locks repeat, come out of REPEATED shared.
 */
function splitLockFields(text: Buffer): [string, string?, string?, string?, string?] {
  const fields: [string, string?, string?, string?, string?] = [''];
  let start = 0;
  for (let field = 0; field < 4; field += 1) {
    let colon = start;
    while (colon < text.length && text[colon] !== 0x3a) {
      colon += 1;
    }
    fields[field] = field === 2 ? REPEATED.text(text, start, colon) : text.toString('utf8', start, colon);
    if (colon === text.length) {
      return fields;
    }
    start = colon + 1;
  }
  fields[4] = REPEATED.text(text, start, text.length);
  return fields;
}

/**
 * Short strings kept once and found again by their bytes, without decoding them again. Bounded
 * (lock data is untrusted): past its size, or on a hash collision, a value is simply decoded.
 */
class ByteInterner {
  private readonly byHash = new Map<number, { bytes: Buffer; text: string }>();

  text(source: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > 64) {
      return source.toString('utf8', start, end);
    }
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i += 1) {
      hash = Math.imul(hash ^ source[i], 0x01000193);
    }
    const known = this.byHash.get(hash);
    if (known && known.bytes.length === length) {
      let same = true;
      for (let i = 0; same && i < length; i += 1) {
        same = known.bytes[i] === source[start + i];
      }
      if (same) {
        return known.text;
      }
    }
    const text = source.toString('utf8', start, end);
    if (!known && this.byHash.size < 4096) {
      this.byHash.set(hash, { bytes: Buffer.from(source.subarray(start, end)), text });
    }
    return text;
  }
}

const REPEATED = new ByteInterner();

export interface LockObject {
  database: string;
  table?: string;
  partition?: { key: string; value: string }[];
}

/** Reverses MetaStoreUtils.encodeTableName (Hive 2.0+): "-<decimal char code>-" back to the character. */
export function decodeTableName(encoded: string): string {
  return encoded.replace(/-(\d{1,7})-/g, (whole, code: string) => {
    const n = Number(code);
    return n <= 0x10ffff ? String.fromCodePoint(n) : whole;
  });
}

/** Reverses FileUtils.escapePathName ("%XX" upper-case hex). */
export function unescapePathName(segment: string): string {
  return segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The Hive object a lock path names, from its segments below the lock root. */
export function decodeLockObject(segments: readonly string[]): LockObject {
  const [database = '', table, ...partition] = segments;
  const object: LockObject = { database };
  if (table !== undefined) {
    object.table = decodeTableName(table);
  }
  if (partition.length > 0) {
    object.partition = partition.map((segment) => {
      const eq = segment.indexOf('=');
      return eq === -1
        ? { key: unescapePathName(segment), value: '' }
        : { key: unescapePathName(segment.slice(0, eq)), value: unescapePathName(segment.slice(eq + 1)) };
    });
  }
  return object;
}

export function formatLockObject(object: LockObject): string {
  let text = object.database;
  if (object.table !== undefined) {
    text += `.${object.table}`;
  }
  if (object.partition) {
    text += ` (${object.partition.map((p) => `${p.key}=${p.value}`).join('/')})`;
  }
  return text;
}

/** A HiveQL UNLOCK statement for the object; throws UNSAFE_VALUE (with the reason) for names no quoting makes safe. */
export function unlockStatement(object: LockObject): string {
  const database = quoteIdentifier(object.database, 'database name');
  if (object.table === undefined) {
    return finishStatement(`UNLOCK DATABASE ${database}`);
  }
  let statement = `UNLOCK TABLE ${database}.${quoteIdentifier(object.table, 'table name')}`;
  if (object.partition && object.partition.length > 0) {
    const spec = object.partition.map((p) => `${quoteIdentifier(p.key, 'partition column')}=${quoteStringLiteral(p.value, 'partition value')}`);
    statement += ` PARTITION (${spec.join(', ')})`;
  }
  return finishStatement(statement);
}

export interface HiveLock extends LockName {
  znode: string;
  path: string;
  /** Path of the locked object's znode. */
  objectPath: string;
  object: LockObject;
  data: LockData;
  ctime?: number;
  /** Implicit query locks are ephemeral; explicit LOCK TABLE locks are persistent. */
  ephemeral?: boolean;
  /** The ZooKeeper session (hex) that holds an ephemeral lock: its lock manager's client. */
  ephemeralOwner?: string;
  /** Per the lock manager's grant rule, against older siblings on the same object. */
  status: 'granted' | 'waiting' | 'unreadable';
  /** The older lock that this one conflicts with, when waiting. */
  blockedBy?: string;
}

/**
 * Marks each lock on one object as granted or waiting, as ZooKeeperHiveLockManager.lockPrimitive
 * decides: a lock conflicts with an older EXCLUSIVE sibling, and an EXCLUSIVE lock also with an
 * older SHARED one; SEMI_SHARED siblings never conflict.
 */
export function markConflicts(locks: HiveLock[]): void {
  const byObject = new Map<string, HiveLock[]>();
  for (const lock of locks) {
    const group = byObject.get(lock.objectPath);
    if (group) {
      group.push(lock);
    } else {
      byObject.set(lock.objectPath, [lock]);
    }
  }
  for (const group of byObject.values()) {
    markObjectConflicts(group);
  }
}

/** markConflicts for the locks of one object; sorts them by sequence. */
function markObjectConflicts(group: HiveLock[]): void {
  group.sort(bySequence);
  forEachBlocker(group, (lock, blocker) => {
    if (lock.status !== 'unreadable') {
      lock.status = blocker ? 'waiting' : 'granted';
    }
    if (blocker) {
      lock.blockedBy = blocker.znode;
    } else if (lock.blockedBy !== undefined) {
      delete lock.blockedBy;
    }
  });
}

const bySequence = (a: { sequence: number }, b: { sequence: number }): number => a.sequence - b.sequence;

/** The grant rule over one object's locks, oldest first: `visit` gets each lock and the older one it waits for, if any. */
function forEachBlocker<T extends { mode: LockMode; sequence: number }>(sorted: readonly T[], visit: (lock: T, blocker: T | undefined) => void): void {
  let oldestExclusive: T | undefined;
  let oldestShared: T | undefined;
  for (const lock of sorted) {
    visit(lock, oldestExclusive ?? (lock.mode === 'EXCLUSIVE' ? oldestShared : undefined));
    if (lock.mode === 'EXCLUSIVE') {
      oldestExclusive ??= lock;
    } else if (lock.mode === 'SHARED') {
      oldestShared ??= lock;
    }
  }
}

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

/** Hive 2.0+ encodeTableName: letters, digits and "_" kept, anything else as "-<code>-". */
export function encodeTableName(name: string): string {
  return [...name].map((ch) => (/^[A-Za-z0-9_]$/.test(ch) ? ch : `-${ch.codePointAt(0)}-`)).join('');
}

/** A znode to list, or a lock to read. */
type NodeItem = { path: string; segments: string[] };
/** A lock to read, with the sibling it waits for as its listing shows (final once all are read, see markObjectConflicts). */
type LockItem = LockName & { znode: string; object: ObjectLocks; blockedBy: string | undefined };
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

  // Each batch is decoded as it arrives, while the next is still on the wire.
  const listNodes = async (chunk: NodeItem[]): Promise<void> => {
    await session.forEachChildren(
      chunk.map((n) => n.path),
      (children, i) => {
        const item = chunk[i];
        const listed = unlessMissingOutcome(children, asReason);
        if (listed === 'gone') {
          return; // released while we walked
        }
        if (listed === 'unreadable') {
          result.unreadable.push(item.path);
          return;
        }
        let object: ObjectLocks | undefined;
        let found: LockItem[] | undefined;
        for (const child of listed) {
          const lock = parseLockName(child);
          if (lock) {
            if (!object || !found) {
              object = { path: item.path, prefix: `${item.path}/`, object: decodeLockObject(item.segments), locks: [] };
              objects.push(object);
              found = [];
            }
            found.push({ mode: lock.mode, sequence: lock.sequence, sequenceText: lock.sequenceText, znode: child, object, blockedBy: undefined });
          } else {
            nodes.push({ path: `${item.path}/${child}`, segments: [...item.segments, child] });
          }
        }
        if (found) {
          // Who waits for whom is known from the names already: each lock is built with its final
          // shape (a blockedBy added afterwards would cost every waiting lock a property store).
          found.sort(bySequence);
          forEachBlocker(found, (lock, blocker) => (lock.blockedBy = blocker?.znode));
          for (const lock of found) {
            locks.push(lock);
          }
        }
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

  const readLocks = async (chunk: LockItem[]): Promise<void> => {
    await session.forEachData(
      // Request paths are made only now, so they do not wait in the frontier with their locks.
      chunk.map((l) => l.object.prefix + l.znode),
      (read, i) => {
        const item = chunk[i];
        locksReserved -= 1; // delivered: collected from here on, or gone
        const outcome = unlessMissingOutcome(read, asReason);
        if (outcome === 'gone') {
          return;
        }
        collected += 1;
        item.object.locks.push(
          outcome === 'unreadable'
            ? makeLock(item, { problems: ['not authorized to read this lock (ACL)'] })
            : makeLock(item, decodeLockData(outcome.data), outcome.stat.ctime, outcome.stat.ephemeralOwner === '0' ? undefined : internOwner(outcome.stat.ephemeralOwner)),
        );
      },
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
 * backing store (100k of them). Its path is a new string over the object's shared prefix, not the
 * request's: that one was flattened to be written to the socket and would keep a flat copy alive.
 */
function makeLock(item: LockItem, data: LockData, ctime?: number, ephemeralOwner?: string): HiveLock {
  const { mode, sequence, sequenceText, znode, object, blockedBy } = item;
  const path = object.prefix + znode;
  // Read: ctime known; unreadable (ACL): none.
  const status = ctime === undefined ? 'unreadable' : blockedBy === undefined ? 'granted' : 'waiting';
  const objectPath = object.path;
  if (blockedBy === undefined) {
    if (ctime === undefined) {
      return { mode, sequence, sequenceText, znode, path, objectPath, object: object.object, data, status };
    }
    if (ephemeralOwner === undefined) {
      return { mode, sequence, sequenceText, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: false };
    }
    return { mode, sequence, sequenceText, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: true, ephemeralOwner };
  }
  if (ctime === undefined) {
    return { mode, sequence, sequenceText, znode, path, objectPath, object: object.object, data, status, blockedBy };
  }
  if (ephemeralOwner === undefined) {
    return { mode, sequence, sequenceText, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: false, blockedBy };
  }
  return { mode, sequence, sequenceText, znode, path, objectPath, object: object.object, data, status, ctime, ephemeral: true, ephemeralOwner, blockedBy };
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
