// Lock data as Hive's lock manager writes it ("queryId:lockTime:lockMode:queryStr[:clientIp]"),
// decoded from untrusted bytes: the usual case read in place with its texts memoized (a walk reads
// 100k locks of a few queries), anything else field by field with what is wrong said.

import { isUtf8 } from 'node:buffer';
import { preview } from '../errors';

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
export const NO_PROBLEMS: readonly string[] = Object.freeze([]);

/** The lock modes Hive writes, as bytes to compare and as the one string every lock shares. */
export const LOCK_DATA_MODE_NAMES: readonly string[] = ['IMPLICIT', 'EXPLICIT'];
const LOCK_DATA_MODES = LOCK_DATA_MODE_NAMES.map((mode) => ({ mode, bytes: Buffer.from(mode) }));
const COLON = 0x3a;

/**
 * Decodes "queryId:lockTime:lockMode:queryStr[:clientIp]"; older Hive wrote fewer fields. Hive strips
 * ":" from the first four fields; a fifth field with colons is an IPv6 client address.
 * `start`/`end` take the bytes in place (a multiRead frame).
 */
export function decodeLockData(data: Uint8Array, start = 0, end = data.length): LockData {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const usual: UsualLockData = { queryId: '', lockTime: 0, lockMode: '', queryString: '', clientIp: undefined };
  if (readUsualLockData(bytes, start, end, usual)) {
    const { queryId, lockTime, lockMode, queryString, clientIp } = usual;
    return clientIp === undefined ? { problems: NO_PROBLEMS, queryId, lockTime, lockMode, queryString } : { problems: NO_PROBLEMS, queryId, lockTime, lockMode, queryString, clientIp };
  }
  // Anything else is checked whole first, then read field by field as it is.
  if (!isUtf8(bytes.subarray(start, end))) {
    return { problems: [`data is not UTF-8 text (${end - start} bytes)`] };
  }
  // As a UTF-8 decoder reads it: a leading byte order mark is not text.
  const from = startOfText(bytes, start, end);
  return from === end ? { problems: ['no lock data'] } : partialLockData(bytes, from, end, fieldStarts(bytes, from, end));
}

/** The fields of lock data in the usual case: four or five there (older Hive wrote no client), clean text, a mode Hive writes. */
export interface UsualLockData {
  queryId: string;
  lockTime: number;
  lockMode: string;
  queryString: string;
  clientIp: string | undefined;
}

/**
 * Reads lock data bytes[start, end) into `into` if it is the usual case (decodeLockData would give
 * these fields and no problem); false, with `into` partly written, for anything else. A walk reads 100k:
 * fields are found and the time parsed in the bytes, and texts met before are not decoded again.
 */
export function readUsualLockData(bytes: Buffer, start: number, end: number, into: UsualLockData): boolean {
  const from = startOfText(bytes, start, end);
  const [timeAt, modeAt, queryAt, clientAt] = fieldStarts(bytes, from, end);
  if (queryAt === 0 || timeAt <= from + 1 || queryAt <= modeAt + 1 || clientAt >= end) {
    return false;
  }
  const texts = (lockTexts ??= new TextMemo());
  const lockTime = epochMillis(bytes, timeAt, modeAt - 1);
  const queryId = texts.get(bytes, from, timeAt - 1);
  const lockMode = knownLockDataMode(bytes, modeAt, queryAt - 1);
  const queryString = texts.get(bytes, queryAt, clientAt === 0 ? end : clientAt - 1);
  const clientIp = clientAt === 0 ? undefined : texts.get(bytes, clientAt, end);
  if (lockTime < 0 || queryId === undefined || lockMode === undefined || queryString === undefined || (clientAt !== 0 && clientIp === undefined)) {
    return false;
  }
  into.queryId = queryId;
  into.lockTime = lockTime;
  into.lockMode = lockMode;
  into.queryString = queryString;
  into.clientIp = clientIp;
  return true;
}

/** Past a leading byte order mark: as a UTF-8 decoder reads it, that is not text. */
function startOfText(bytes: Buffer, start: number, end: number): number {
  return end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf ? start + 3 : start;
}

/**
 * Where each field after the first starts (0: the text ends before it). A colon byte is never inside
 * a UTF-8 sequence, so these are the text's colons whether or not the bytes are valid UTF-8.
 */
function fieldStarts(bytes: Buffer, from: number, end: number): [number, number, number, number] {
  const timeAt = indexOfColon(bytes, from, end) + 1;
  const modeAt = timeAt === 0 ? 0 : indexOfColon(bytes, timeAt, end) + 1;
  const queryAt = modeAt === 0 ? 0 : indexOfColon(bytes, modeAt, end) + 1;
  const clientAt = queryAt === 0 ? 0 : indexOfColon(bytes, queryAt, end) + 1;
  return [timeAt, modeAt, queryAt, clientAt];
}

/** Lock data that is not the usual case, its bytes UTF-8: what is there, and what is wrong. `at`: where each field after the first starts (0: none). */
function partialLockData(bytes: Buffer, from: number, end: number, at: [number, number, number, number]): LockData {
  const [timeAt, modeAt, queryAt, clientAt] = at;
  const fieldEnd = (next: number): number => (next === 0 ? end : next - 1);
  const result: LockData = { problems: NO_PROBLEMS };
  const problems: string[] = [];
  if (fieldEnd(timeAt) > from) {
    result.queryId = bytes.toString('utf8', from, fieldEnd(timeAt));
  }
  if (timeAt === 0) {
    problems.push('lock data has fewer fields than queryId:lockTime:lockMode:queryString');
  } else if (fieldEnd(modeAt) > timeAt) {
    const time = epochMillis(bytes, timeAt, fieldEnd(modeAt));
    if (time >= 0) {
      result.lockTime = time;
    } else {
      problems.push(`lock time "${preview(bytes.toString('utf8', timeAt, fieldEnd(modeAt)), 30)}" is not epoch milliseconds`);
    }
  }
  if (modeAt > 0 && fieldEnd(queryAt) > modeAt) {
    result.lockMode = knownLockDataMode(bytes, modeAt, fieldEnd(queryAt)) ?? bytes.toString('utf8', modeAt, fieldEnd(queryAt));
  }
  if (queryAt > 0) {
    result.queryString = bytes.toString('utf8', queryAt, fieldEnd(clientAt));
  }
  if (clientAt > 0 && clientAt < end) {
    result.clientIp = bytes.toString('utf8', clientAt, end);
  }
  if (problems.length > 0) {
    result.problems = problems;
  }
  return result;
}

function indexOfColon(bytes: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i += 1) {
    if (bytes[i] === COLON) {
      return i;
    }
  }
  return -1;
}

/** 1 to 15 ASCII digits from start to end as a number, else -1. */
function epochMillis(bytes: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 15) {
    return -1;
  }
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const digit = bytes[i] - 48;
    if (digit < 0 || digit > 9) {
      return -1;
    }
    value = value * 10 + digit;
  }
  return value;
}

function knownLockDataMode(bytes: Buffer, start: number, end: number): string | undefined {
  for (const { mode, bytes: known } of LOCK_DATA_MODES) {
    if (sameBytes(bytes, start, end, known)) {
      return mode;
    }
  }
  return undefined;
}

function sameBytes(bytes: Buffer, start: number, end: number, known: Buffer): boolean {
  return end - start === known.length && sameBytesAt(bytes, start, known, 0, known.length);
}

/** Whether bytes[start, start + length) equal other[at, at + length). */
export function sameBytesAt(bytes: Buffer, start: number, other: Buffer, at: number, length: number): boolean {
  for (let i = 0; i < length; i += 1) {
    if (bytes[start + i] !== other[at + i]) {
      return false;
    }
  }
  return true;
}

/**
 * Texts of lock data (query id, query text, client) decoded once and found again by their bytes: every
 * lock of one query carries the same texts, and a walk reads 100k locks of a few queries. A
 * direct-mapped cache; a miss just decodes. Lock data is untrusted, so what it holds is bounded: up
 * to 4 KiB of bytes per text, the bytes in one arena of its own (1 MiB), and when that is full it
 * starts afresh. Where texts do not repeat, caching is all cost: after a window with few hits it
 * stands aside for a while.
 */
class TextMemo {
  /** A power of two: the slot is the hash's low bits. */
  private slots = new Array<{ at: number; length: number; text: string | undefined } | undefined>(4096);
  private readonly arena = Buffer.allocUnsafeSlow(1024 * 1024);
  private arenaUsed = 0;
  private windowLookups = 0;
  private windowHits = 0;
  private bypassLeft = 0;

  /** The text of bytes[start, end), or undefined if it decodes with a U+FFFD (not UTF-8, or a real one: the caller checks). */
  get(bytes: Buffer, start: number, end: number): string | undefined {
    const length = end - start;
    if (length > 4096 || this.bypassLeft > 0) {
      this.bypassLeft -= 1;
      return cleanText(bytes, start, end);
    }
    // FNV-1a over the length and up to 12 bytes at each end (texts that differ only in between share a slot and take turns).
    let hash = Math.imul(0x811c9dc5 ^ length, 0x01000193);
    const head = Math.min(end, start + 12);
    for (let i = start; i < head; i += 1) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193);
    }
    for (let i = Math.max(head, end - 12); i < end; i += 1) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193);
    }
    const slot = hash & (this.slots.length - 1);
    const known = this.slots[slot];
    const hit = known !== undefined && known.length === length && sameBytesAt(bytes, start, this.arena, known.at, length);
    this.windowLookups += 1;
    this.windowHits += hit ? 1 : 0;
    if (this.windowLookups === 1024) {
      // Fewer than one hit in eight: decode only, for the next 16k texts, then try again.
      this.bypassLeft = this.windowHits < 128 ? 16 * 1024 : 0;
      this.windowLookups = 0;
      this.windowHits = 0;
    }
    if (hit) {
      return known.text;
    }
    const text = cleanText(bytes, start, end);
    if (this.arenaUsed + length > this.arena.length) {
      this.slots = new Array<{ at: number; length: number; text: string | undefined } | undefined>(this.slots.length);
      this.arenaUsed = 0;
    }
    bytes.copy(this.arena, this.arenaUsed, start, end);
    this.slots[slot] = { at: this.arenaUsed, length, text };
    this.arenaUsed += length;
    return text;
  }
}

function cleanText(bytes: Buffer, start: number, end: number): string | undefined {
  const text = bytes.toString('utf8', start, end);
  return text.includes('\uFFFD') ? undefined : text;
}

/** Made on first use, not when the module loads (the tree loads this module at activation). */
let lockTexts: TextMemo | undefined;

