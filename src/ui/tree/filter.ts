// The tree's text filter: which instances, metastores, LLAP daemons and locks match, and how many locks match on
// and below each locked object (so groups show "n of m" and groups without a match are hidden).
import type { Hs2Instance } from '../../core/registry/hs2Instance';
import type { LlapDaemon } from '../../core/registry/llapRegistry';
import type { MetastoreInstance } from '../../core/registry/metastoreRegistry';
import type { LockIndex } from '../../core/locks/lockIndex';
import { formatLockObject, type HiveLock } from '../../core/locks/locks';

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
    const data = l.data; // read once: a walk's lock makes its data on each read
    return this.matches(l.znode, data.queryId, data.queryString, data.clientIp, formatLockObject(l.object));
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
    for (const lock of index.walk.locks) {
      if (!this.lock(lock)) {
        continue;
      }
      let path = index.root;
      for (const segment of lock.objectPath.slice(index.root.length + 1).split('/').filter(Boolean)) {
        path = `${path}/${segment}`;
        totals.set(path, (totals.get(path) ?? 0) + 1);
      }
    }
    return totals;
  }

  private matches(...fields: (string | undefined)[]): boolean {
    const filter = this.text;
    return filter === undefined || fields.some((f) => f?.toLowerCase().includes(filter));
  }
}
