// The locks of one walk kept column by column: a walk reads 100k locks, and as objects each was
// six (lock, data, two boxed numbers, name and path strings) for the garbage collector to trace and
// move. Here a lock is a row of typed arrays, its texts ids into one list of distinct texts, and the
// HiveLock the tree and the CLI read is a small view of its row (`npm run bench`: time and peak memory of the 100k-lock walk).

import { inspect } from 'node:util';
import { decodeLockData, LOCK_DATA_MODE_NAMES, NO_PROBLEMS, readUsualLockData, type LockData, type UsualLockData } from './lockData';
import { decodeLockObject, forEachBlocker, LOCK_MODES, plainLock, sortStably, type HiveLock, type LockMode, type LockObject } from './locks';

/** Where a listed lock stands: not (yet) read, read, or its read refused by an ACL. */
const LISTED = 0;
const READ = 1;
const UNREADABLE = 2;

/** Texts longer than this are not looked up to be shared (lock data's texts memo stops at 4 KiB too). */
const MAX_SHARED_TEXT = 4096;

const UNREADABLE_DATA: LockData = Object.freeze({ problems: Object.freeze(['not authorized to read this lock (ACL)']) });

/**
 * A locked object and its locks' rows, [first, first + count): a listing adds an object's locks in one
 * run. Its name is decoded from its path's segments when first asked for: a walk finds 10k objects,
 * and a view shows a few.
 */
interface ObjectRows {
  readonly path: string;
  readonly segments: readonly string[];
  object: LockObject | undefined;
  readonly first: number;
  count: number;
}

export class LockTable {
  private rows = 0;
  private modes = new Uint8Array(1024);
  private sequences = new Int32Array(1024);
  private objectOf = new Int32Array(1024);
  private states = new Uint8Array(1024);
  /** The row of the lock each waits behind, -1 for none (its status follows: see field()). */
  private blockers = new Int32Array(1024);
  private ctimes = new Float64Array(1024);
  private lockTimes = new Float64Array(1024);
  private lockModes = new Uint8Array(1024);
  // Texts (query ids and texts, clients, owner sessions) as ids into `texts`: an array of strings per
  // column would be 100k more slots for the collector to trace and move each time it grows.
  private ownerIds = new Int32Array(1024);
  private queryIds = new Int32Array(1024);
  private queryStrings = new Int32Array(1024);
  private clientIps = new Int32Array(1024);
  private readonly texts: string[] = [];
  private readonly textIds = new Map<string, number>();
  /** Lock data that is not the usual case, decoded whole (rare). */
  private readonly unusualData = new Map<number, LockData>();
  /** Names that are not "LOCK-<mode>-<10 digits>" of their mode and sequence (rare: ZooKeeper writes 10 digits). */
  private readonly oddNames = new Map<number, string>();
  private readonly objects: ObjectRows[] = [];
  private readonly usual: UsualLockData = { queryId: '', lockTime: 0, lockMode: '', queryString: '', clientIp: undefined };

  /** A locked object, by its znode path and that path's segments below the lock root: the locks added next are its locks. */
  addObject(path: string, segments: readonly string[]): void {
    this.objects.push({ path, segments, object: undefined, first: this.rows, count: 0 });
  }

  /**
   * A listed lock of the object added last, by its name's mode and sequence; `name` only when it is
   * not the name those give (see isUsualLockName). Its row, to read it by.
   */
  addLock(mode: LockMode, sequence: number, name?: string): number {
    const row = this.rows;
    if (row === this.modes.length) {
      this.grow();
    }
    const object = this.objects[this.objects.length - 1];
    object.count += 1;
    this.modes[row] = LOCK_MODES.indexOf(mode);
    this.sequences[row] = sequence;
    this.objectOf[row] = this.objects.length - 1;
    this.states[row] = LISTED;
    if (name !== undefined) {
      this.oddNames.set(row, name);
    }
    this.rows = row + 1;
    return row;
  }

  /** The lock's znode name. */
  nameOf(row: number): string {
    return (this.oddNames.size > 0 ? this.oddNames.get(row) : undefined) ?? usualLockName(this.modes[row], this.sequences[row]);
  }

  /** The path of the lock's object. */
  objectPathOf(row: number): string {
    return this.objects[this.objectOf[row]].path;
  }

  /** The lock as read: its data's bytes[start, end), its znode's ctime and owner session (hex, "0" for none). */
  read(row: number, bytes: Buffer, start: number, end: number, ctime: number, owner: string): void {
    this.states[row] = READ;
    this.ctimes[row] = ctime;
    this.ownerIds[row] = owner === '0' ? -1 : this.idOf(owner);
    const usual = this.usual;
    if (readUsualLockData(bytes, start, end, usual)) {
      this.queryIds[row] = this.idOf(usual.queryId);
      this.lockTimes[row] = usual.lockTime;
      this.lockModes[row] = LOCK_DATA_MODE_NAMES.indexOf(usual.lockMode);
      this.queryStrings[row] = this.idOf(usual.queryString);
      this.clientIps[row] = usual.clientIp === undefined ? -1 : this.idOf(usual.clientIp);
    } else {
      this.unusualData.set(row, decodeLockData(bytes, start, end));
    }
  }

  /** The id of a text, which is kept once however many locks carry it (a leaking client may hold thousands). */
  private idOf(text: string): number {
    if (text.length > MAX_SHARED_TEXT) {
      // Kept as it comes: V8 hashes a string by its length alone past 16383 characters, so long texts
      // of one length would share one bucket of the map and each lookup would compare with them all.
      this.texts.push(text);
      return this.texts.length - 1;
    }
    const known = this.textIds.get(text);
    if (known !== undefined) {
      return known;
    }
    this.textIds.set(text, this.texts.length);
    this.texts.push(text);
    return this.texts.length - 1;
  }

  /** The lock's read was refused (ACL): it is shown as unreadable. */
  unreadable(row: number): void {
    this.states[row] = UNREADABLE;
  }

  /**
   * The locks read (or refused), objects by path and each one's locks by sequence, marked granted or
   * waiting by the lock manager's rule. Locks never read (released before their read, or past a
   * limit) are left out, and do not count in who waits for whom.
   */
  locks(): HiveLock[] {
    let kept = 0;
    for (let row = 0; row < this.rows; row += 1) {
      kept += this.states[row] === LISTED ? 0 : 1;
    }
    const locks = new Array<HiveLock>(kept);
    let at = 0;
    const rows: number[] = [];
    const sequenceOf = (row: number): number => this.sequences[row];
    const modeOf = (row: number): LockMode => LOCK_MODES[this.modes[row]];
    const mark = (row: number, blocker: number | undefined): void => {
      this.blockers[row] = blocker ?? -1;
      locks[at++] = new TableLock(this, row);
    };
    const objects = [...this.objects].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const object of objects) {
      rows.length = 0;
      for (let row = object.first; row < object.first + object.count; row += 1) {
        if (this.states[row] !== LISTED) {
          rows.push(row);
        }
      }
      sortStably(rows, sequenceOf);
      forEachBlocker(rows, modeOf, mark);
    }
    // The walk is built: the text → id map only served to share texts while reading, and the locks
    // keep this table alive as long as they are shown. Texts read after this are kept unshared.
    this.textIds.clear();
    return locks;
  }

  /** Distinct texts still looked up for sharing (0 once locks() has built the walk). */
  get sharedTextCount(): number {
    return this.textIds.size;
  }

  /** @internal The fields of a row, for its TableLock. */
  field<K extends keyof HiveLock>(row: number, key: K): HiveLock[K];
  field(row: number, key: keyof HiveLock): unknown {
    switch (key) {
      case 'mode':
        return LOCK_MODES[this.modes[row]];
      case 'sequence':
        return this.sequences[row];
      case 'znode':
        return this.nameOf(row);
      case 'path':
        return `${this.objectPathOf(row)}/${this.nameOf(row)}`;
      case 'objectPath':
        return this.objectPathOf(row);
      case 'object':
        return this.objectAt(this.objectOf[row]);
      case 'data':
        return this.dataOf(row);
      case 'status':
        // A refused read shows as unreadable whether or not it would wait (its mode, from its name, still counts for others).
        return this.states[row] === UNREADABLE ? 'unreadable' : this.blockers[row] === -1 ? 'granted' : 'waiting';
      case 'ctime':
        return this.states[row] === READ ? this.ctimes[row] : undefined;
      case 'ephemeral':
        return this.states[row] === READ ? this.ownerIds[row] !== -1 : undefined;
      case 'ephemeralOwner':
        return this.states[row] === READ && this.ownerIds[row] !== -1 ? this.texts[this.ownerIds[row]] : undefined;
      case 'blockedBy':
        return this.blockers[row] === -1 ? undefined : this.nameOf(this.blockers[row]);
    }
  }

  private objectAt(index: number): LockObject {
    const object = this.objects[index];
    object.object ??= decodeLockObject(object.segments);
    return object.object;
  }

  private dataOf(row: number): LockData {
    if (this.states[row] === UNREADABLE) {
      return UNREADABLE_DATA; // (a lock never read has no view: locks() leaves it out)
    }
    const unusual = this.unusualData.get(row);
    if (unusual) {
      return unusual;
    }
    // In the order decodeLockData gives them; data of older Hive has no client field (-1).
    const queryId = this.texts[this.queryIds[row]];
    const lockTime = this.lockTimes[row];
    const lockMode = LOCK_DATA_MODE_NAMES[this.lockModes[row]];
    const queryString = this.texts[this.queryStrings[row]];
    const client = this.clientIps[row];
    return client === -1
      ? { problems: NO_PROBLEMS, queryId, lockTime, lockMode, queryString }
      : { problems: NO_PROBLEMS, queryId, lockTime, lockMode, queryString, clientIp: this.texts[client] };
  }

  private grow(): void {
    const size = this.modes.length * 2;
    const grown = <T extends Uint8Array | Int32Array | Float64Array>(array: T, make: (size: number) => T): T => {
      const next = make(size);
      next.set(array);
      return next;
    };
    this.modes = grown(this.modes, (n) => new Uint8Array(n));
    this.sequences = grown(this.sequences, (n) => new Int32Array(n));
    this.objectOf = grown(this.objectOf, (n) => new Int32Array(n));
    this.states = grown(this.states, (n) => new Uint8Array(n));
    this.blockers = grown(this.blockers, (n) => new Int32Array(n));
    this.ctimes = grown(this.ctimes, (n) => new Float64Array(n));
    this.lockTimes = grown(this.lockTimes, (n) => new Float64Array(n));
    this.lockModes = grown(this.lockModes, (n) => new Uint8Array(n));
    this.ownerIds = grown(this.ownerIds, (n) => new Int32Array(n));
    this.queryIds = grown(this.queryIds, (n) => new Int32Array(n));
    this.queryStrings = grown(this.queryStrings, (n) => new Int32Array(n));
    this.clientIps = grown(this.clientIps, (n) => new Int32Array(n));
  }
}

/** "LOCK-<mode>-" by mode index, and runs of zeros to pad a sequence to 10 digits. */
const NAME_PREFIXES = LOCK_MODES.map((mode) => `LOCK-${mode}-`);
const ZEROS = Array.from({ length: 11 }, (_, n) => '0'.repeat(n));

/**
 * Usual names of small sequences, by mode, made once: a walk names every lock it reads. ZooKeeper
 * numbers a sequential znode by its parent's count of child changes (creates and deletes), and Hive
 * removes an object's znode when its last lock goes, so most objects' sequences stay small (a
 * database's znode, locked by every query, may outgrow the cache; its names are then made each time).
 */
const SMALL_SEQUENCE_NAMES = LOCK_MODES.map(() => new Array<string | undefined>(4096));

/** "LOCK-<mode>-<sequence as 10 digits>": the name ZooKeeper gives a sequential lock znode. */
function usualLockName(mode: number, sequence: number): string {
  const small = sequence < 4096 ? SMALL_SEQUENCE_NAMES[mode] : undefined;
  const known = small?.[sequence];
  if (known !== undefined) {
    return known;
  }
  const digits = String(sequence);
  const name = NAME_PREFIXES[mode] + ZEROS[10 - digits.length] + digits;
  if (small) {
    small[sequence] = name;
  }
  return name;
}

/** Whether a lock name is usualLockName of its mode and sequence (then the table need not keep it). */
export function isUsualLockName(modeLength: number, sequence: number, nameLength: number): boolean {
  return sequence >= 0 && nameLength === 'LOCK-'.length + modeLength + 1 + 10;
}

/**
 * One lock of a LockTable, read through from its row: a HiveLock like any other, but with no state of
 * its own. Its fields are accessors, so compare locks by their plain form (toJSON, plainLock).
 */
class TableLock implements HiveLock {
  readonly #table: LockTable;
  readonly #row: number;

  constructor(table: LockTable, row: number) {
    this.#table = table;
    this.#row = row;
  }

  get mode(): LockMode {
    return this.#table.field(this.#row, 'mode');
  }
  get sequence(): number {
    return this.#table.field(this.#row, 'sequence');
  }
  get znode(): string {
    return this.#table.field(this.#row, 'znode');
  }
  get path(): string {
    return this.#table.field(this.#row, 'path');
  }
  get objectPath(): string {
    return this.#table.field(this.#row, 'objectPath');
  }
  get object(): LockObject {
    return this.#table.field(this.#row, 'object');
  }
  get data(): LockData {
    return this.#table.field(this.#row, 'data');
  }
  get status(): HiveLock['status'] {
    return this.#table.field(this.#row, 'status');
  }
  get ctime(): number | undefined {
    return this.#table.field(this.#row, 'ctime');
  }
  get ephemeral(): boolean | undefined {
    return this.#table.field(this.#row, 'ephemeral');
  }
  get ephemeralOwner(): string | undefined {
    return this.#table.field(this.#row, 'ephemeralOwner');
  }
  get blockedBy(): string | undefined {
    return this.#table.field(this.#row, 'blockedBy');
  }

  toJSON(): HiveLock {
    return plainLock(this);
  }

  /** As console.log and the debugger show it: its fields (it has no own properties to show). */
  [inspect.custom](): HiveLock {
    return plainLock(this);
  }
}
