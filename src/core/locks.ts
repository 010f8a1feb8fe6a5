// Hive's ZooKeeperHiveLockManager as it lays out znodes: lock names and data, object paths
// (db / encoded table / escaped partition segments) and which locks would wait per its grant rule.
// The walk of the lock tree that reads them is lockWalk.ts.

import { isUtf8 } from 'node:buffer';
import { preview } from './errors';
import { finishStatement, quoteIdentifier, quoteStringLiteral } from './hiveQl';
import { parseJavaInt } from './javaInt';

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
export function markObjectConflicts(group: HiveLock[]): void {
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

export const bySequence = (a: { sequence: number }, b: { sequence: number }): number => a.sequence - b.sequence;

/** The grant rule over one object's locks, oldest first: `visit` gets each lock and the older one it waits for, if any. */
export function forEachBlocker<T extends { mode: LockMode; sequence: number }>(sorted: readonly T[], visit: (lock: T, blocker: T | undefined) => void): void {
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

/** Hive 2.0+ encodeTableName: letters, digits and "_" kept, anything else as "-<code>-". */
export function encodeTableName(name: string): string {
  return [...name].map((ch) => (/^[A-Za-z0-9_]$/.test(ch) ? ch : `-${ch.codePointAt(0)}-`)).join('');
}
