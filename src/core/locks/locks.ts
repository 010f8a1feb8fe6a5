// Hive's ZooKeeperHiveLockManager as it lays out znodes: lock names, object paths (db / encoded
// table / escaped partition segments) and which locks would wait per its grant rule. Lock data is
// lockData.ts's; the walk of the lock tree that reads them is lockWalk.ts.

import { finishStatement, quoteIdentifier, quoteStringLiteral } from './hiveQl';
import { sameBytesAt, type LockData } from './lockData';

export { decodeLockData, NO_PROBLEMS, type LockData } from './lockData';

export type LockMode = 'SHARED' | 'EXCLUSIVE' | 'SEMI_SHARED';

export interface LockName {
  mode: LockMode;
  sequence: number;
  sequenceText: string;
}

export const LOCK_MODES: readonly LockMode[] = ['SHARED', 'EXCLUSIVE', 'SEMI_SHARED'];

/** "LOCK-<mode>-<1 to 19 digits>" as a lock name, or undefined for any other name. */
export function parseLockName(name: string): LockName | undefined {
  const mode = lockNameMode(name);
  return mode ? { mode, sequence: lockNameSequence(name), sequenceText: lockSequenceText(name) } : undefined;
}

/** The longest lock name: "LOCK-SEMI_SHARED-" and 19 digits. */
const MAX_LOCK_NAME = 'LOCK-SEMI_SHARED-'.length + 19;
/** A name given as a string is parsed as its UTF-8 bytes, written here: one parser, no allocation per name. */
const NAME_BYTES = Buffer.allocUnsafe(MAX_LOCK_NAME * 3);

/** The mode of a lock name "LOCK-<mode>-<1 to 19 digits>", undefined for any other name (lockNameModeAt on its bytes). */
export function lockNameMode(name: string): LockMode | undefined {
  return name.length > MAX_LOCK_NAME ? undefined : lockNameModeAt(NAME_BYTES, 0, NAME_BYTES.write(name, 0, 'utf8'));
}

/**
 * The sequence of a lock name (one lockNameMode accepts) as ZooKeeperHiveLockManager.getSequenceNumber
 * reads it: Integer.parseInt of the ASCII digits, -1 when that fails (past 2^31 - 1).
 */
export function lockNameSequence(name: string): number {
  return lockNameSequenceAt(NAME_BYTES, 0, NAME_BYTES.write(name.length > MAX_LOCK_NAME ? '' : name, 0, 'utf8'));
}

/** "LOCK-", and each mode as bytes: for lock names read in place from a listing. */
const LOCK_PREFIX = Buffer.from('LOCK-');
const LOCK_MODE_BYTES = LOCK_MODES.map((mode) => ({ mode, bytes: Buffer.from(mode) }));

/**
 * The mode of a lock name given as its UTF-8 bytes, bytes[start, end): a lock name is ASCII, and no
 * other bytes decode to ASCII. Read by hand and without a new string: a walk reads 100k names in
 * place from the listings (parseLockName gives the whole name).
 */
export function lockNameModeAt(bytes: Buffer, start: number, end: number): LockMode | undefined {
  if (end - start < LOCK_PREFIX.length + 2 || !sameBytesAt(bytes, start, LOCK_PREFIX, 0, LOCK_PREFIX.length)) {
    return undefined;
  }
  const modeAt = start + LOCK_PREFIX.length;
  let mode: LockMode | undefined;
  let dash = -1;
  for (const known of LOCK_MODE_BYTES) {
    const after = modeAt + known.bytes.length;
    if (after < end && bytes[after] === DASH && sameBytesAt(bytes, modeAt, known.bytes, 0, known.bytes.length)) {
      mode = known.mode;
      dash = after;
    }
  }
  const digits = end - dash - 1;
  if (!mode || digits < 1 || digits > 19) {
    return undefined;
  }
  for (let i = dash + 1; i < end; i += 1) {
    if (bytes[i] < 48 || bytes[i] > 57) {
      return undefined;
    }
  }
  return mode;
}

/** lockNameSequence for a name lockNameModeAt accepts, given as its bytes. */
export function lockNameSequenceAt(bytes: Buffer, start: number, end: number): number {
  let value = 0;
  let i = end;
  while (i > start && bytes[i - 1] !== DASH) {
    i -= 1;
  }
  for (; i < end; i += 1) {
    value = value * 10 + bytes[i] - 48;
  }
  return value > 2 ** 31 - 1 ? -1 : value;
}

const DASH = 0x2d;

/** The sequence digits of a lock znode's name as Hive wrote them (the number may not fit an int). */
export function lockSequenceText(znode: string): string {
  return znode.slice(znode.lastIndexOf('-') + 1);
}

export interface LockObject {
  database: string;
  table?: string;
  partition?: { key: string; value: string }[];
}

/** Reverses MetaStoreUtils.encodeTableName (Hive 2.0+): "-<decimal char code>-" back to the character. */
export function decodeTableName(encoded: string): string {
  if (!encoded.includes('-')) {
    return encoded; // the usual name, and no copy of it
  }
  return encoded.replace(/-(\d{1,7})-/g, (whole, code: string) => {
    const n = Number(code);
    return n <= 0x10ffff ? String.fromCodePoint(n) : whole;
  });
}

/** Reverses FileUtils.escapePathName ("%XX" upper-case hex). */
export function unescapePathName(segment: string): string {
  if (!segment.includes('%')) {
    return segment;
  }
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

/** A lock as a walk finds it. Its sequence's own digits are in its name (lockSequenceText). */
export interface HiveLock extends Omit<LockName, 'sequenceText'> {
  readonly znode: string;
  readonly path: string;
  /** Path of the locked object's znode. */
  readonly objectPath: string;
  readonly object: LockObject;
  readonly data: LockData;
  readonly ctime?: number | undefined;
  /** Implicit query locks are ephemeral; explicit LOCK TABLE locks are persistent. */
  readonly ephemeral?: boolean | undefined;
  /** The ZooKeeper session (hex) that holds an ephemeral lock: its lock manager's client. */
  readonly ephemeralOwner?: string | undefined;
  /** Per the lock manager's grant rule, against older siblings on the same object. */
  readonly status: 'granted' | 'waiting' | 'unreadable';
  /** The older lock that this one conflicts with, when waiting. */
  readonly blockedBy?: string | undefined;
}

/** A lock as a plain object, every field in the one order: how locks are compared and written out (a walk's locks are views with accessors). */
export function plainLock(lock: HiveLock): HiveLock {
  return {
    mode: lock.mode,
    sequence: lock.sequence,
    znode: lock.znode,
    path: lock.path,
    objectPath: lock.objectPath,
    object: lock.object,
    data: lock.data,
    status: lock.status,
    ctime: lock.ctime,
    ephemeral: lock.ephemeral,
    ephemeralOwner: lock.ephemeralOwner,
    blockedBy: lock.blockedBy,
  };
}

/**
 * The grant rule of ZooKeeperHiveLockManager.lockPrimitive over one object's locks, oldest first: a
 * lock conflicts with an older EXCLUSIVE sibling, and an EXCLUSIVE lock also with an older SHARED
 * one; SEMI_SHARED siblings never conflict. `visit` gets each lock and the older one it waits for, if any.
 */
export function forEachBlocker<T>(sorted: readonly T[], modeOf: (lock: T) => LockMode, visit: (lock: T, blocker: T | undefined) => void): void {
  let oldestExclusive: T | undefined;
  let oldestShared: T | undefined;
  for (let i = 0; i < sorted.length; i += 1) {
    const lock = sorted[i];
    const mode = modeOf(lock);
    visit(lock, oldestExclusive ?? (mode === 'EXCLUSIVE' ? oldestShared : undefined));
    if (mode === 'EXCLUSIVE') {
      oldestExclusive ??= lock;
    } else if (mode === 'SHARED') {
      oldestShared ??= lock;
    }
  }
}

/**
 * Sorts by a numeric key, in place and stably. One object's locks are a handful, listed in the
 * server's order: an insertion sort allocates nothing, where Array.prototype.sort allocates a work
 * array on every call (a 100k-lock walk sorts 10k such lists). Long lists use it.
 */
export function sortStably<T>(items: T[], key: (item: T) => number): void {
  if (items.length > 32) {
    items.sort((a, b) => key(a) - key(b));
    return;
  }
  for (let i = 1; i < items.length; i += 1) {
    const item = items[i];
    const itemKey = key(item);
    let j = i - 1;
    for (; j >= 0 && key(items[j]) > itemKey; j -= 1) {
      items[j + 1] = items[j];
    }
    items[j + 1] = item;
  }
}

/** Hive 2.0+ encodeTableName: letters, digits and "_" kept, anything else as "-<code>-". */
export function encodeTableName(name: string): string {
  return [...name].map((ch) => (/^[A-Za-z0-9_]$/.test(ch) ? ch : `-${ch.codePointAt(0)}-`)).join('');
}
