// The tree's text filter: which instances, metastores, LLAP daemons and locks match, and how many locks match on
// and below each locked object (so groups show "n of m" and groups without a match are hidden).
import type { Hs2Instance } from '../../core/registry/hs2Instance';
import type { LlapDaemon } from '../../core/registry/llapRegistry';
import type { MetastoreInstance } from '../../core/registry/metastoreRegistry';
import type { LockIndex } from '../../core/locks/lockIndex';
import { formatLockObject, type HiveLock } from '../../core/locks/locks';

/** Texts whose match is remembered per filter, at most (then it starts over): bounds its memory. */
const MEMO_LIMIT = 100_000;

export class TreeFilter {
  /** Lower-cased filter text; undefined when no filter is set. */
  readonly text: string | undefined;

  constructor(text: string | undefined) {
    this.text = text && text.trim() !== '' ? text.trim().toLowerCase() : undefined;
  }

  get active(): boolean {
    return this.text !== undefined;
  }

  instance(i: Hs2Instance): boolean {
    return this.matches(i.znode, i.host, i.version, i.transportMode, i.principal);
  }

  metastore(m: MetastoreInstance): boolean {
    return this.matches(m.znode, m.host, m.uri);
  }

  llapDaemon(d: LlapDaemon): boolean {
    return this.matches(d.znode, d.host, d.user, d.cluster, d.uniqueId, d.containerId);
  }

  lock(l: HiveLock): boolean {
    if (this.text === undefined) {
      return true;
    }
    // Decided once per lock (a walk's locks, and each one a live change brings): listings under a filter look it up.
    let decided = this.decided.get(l);
    if (decided === undefined) {
      decided = this.decide(l);
      this.decided.set(l, decided);
    }
    return decided;
  }

  /** Per lock object, whether it matches: gone with the lock. */
  private readonly decided = new WeakMap<HiveLock, boolean>();
  /** Per object path, whether the object's name matches (a lock walk's objects: thousands, not locks' 100k). */
  private readonly objects = new Map<string, boolean>();
  /** Per short text locks share (query ids, clients), whether it matches; query texts, which may be long, are tested each time. */
  private readonly texts = new Map<string, boolean>();

  private decide(l: HiveLock): boolean {
    // The object first, once per object: every lock on a matching object matches.
    if (remembered(this.objects, l.objectPath, () => this.contains(formatLockObject(l.object))) || this.contains(l.znode)) {
      return true;
    }
    const data = l.data; // read once: a walk's lock makes its data on each read
    return this.containsShort(data.queryId) || this.containsShort(data.clientIp) || (data.queryString !== undefined && this.contains(data.queryString));
  }

  private containsShort(text: string | undefined): boolean {
    return text !== undefined && remembered(this.texts, text, () => this.contains(text));
  }

  private contains(text: string): boolean {
    return this.text !== undefined && text.toLowerCase().includes(this.text);
  }

  /** Per lock walk, counted once: every expansion under a filter used to rescan all the locks. */
  private readonly totalsByIndex = new WeakMap<LockIndex, Map<string, number>>();

  /** Matching locks on and below each object path (every ancestor counts its descendants' locks). */
  lockTotals(index: LockIndex): Map<string, number> {
    const known = this.totalsByIndex.get(index);
    if (known) {
      return known;
    }
    const totals = new Map<string, number>();
    this.totalsByIndex.set(index, totals);
    // Matches counted per object, then added to its ancestors once per object.
    const own = new Map<string, number>();
    for (const lock of index.walk.locks) {
      if (this.lock(lock)) {
        const objectPath = lock.objectPath;
        own.set(objectPath, (own.get(objectPath) ?? 0) + 1);
      }
    }
    for (const [objectPath, count] of own) {
      let path = index.root;
      for (const segment of objectPath.slice(index.root.length + 1).split('/')) {
        if (segment !== '') {
          path = `${path}/${segment}`;
          totals.set(path, (totals.get(path) ?? 0) + count);
        }
      }
    }
    return totals;
  }

  private matches(...fields: (string | undefined)[]): boolean {
    const filter = this.text;
    return filter === undefined || fields.some((f) => f?.toLowerCase().includes(filter));
  }
}

/** The memo's answer for `key`, computed once; past MEMO_LIMIT entries the memo starts over. */
function remembered(memo: Map<string, boolean>, key: string, compute: () => boolean): boolean {
  let found = memo.get(key);
  if (found === undefined) {
    found = compute();
    if (memo.size >= MEMO_LIMIT) {
      memo.clear();
    }
    memo.set(key, found);
  }
  return found;
}
