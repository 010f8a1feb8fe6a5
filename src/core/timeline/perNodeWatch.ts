// The timeline on servers before 3.6 (no persistent watches): a child watch on every znode below the
// roots, each listed with its watch and listed again when it fires, the difference reported as
// created and deleted znodes. Past a bound on watched znodes the caller polls instead.

import { HiveZkError, isHiveZkError, toHiveZkError } from '../errors';
import { NON_INSTANCE_CHILDREN } from '../registry/hs2Registry';
import { lockNameMode } from '../locks/locks';
import type { PersistentWatchEvent, ZkSession } from '../zk/session';
import { childPath } from '../zk/znodePath';
import { instanceFact, lockAt, placeOf, type InstanceFact, type Root } from './activityEvents';
import type { HiveLock } from '../locks/locks';

export interface PerNodeHost {
  /** Still following this way (not disposed, not turned to polling). */
  active(): boolean;
  /** A created or deleted child, as a persistent watch would have told it. */
  changed(event: PersistentWatchEvent): void;
  /** What stood when listing began: known, never reported. */
  stand(lock: HiveLock): void;
  standInstance(path: string, fact: InstanceFact): void;
  failed(error: HiveZkError): void;
}

export class PerNodeWatch {
  /** Each watched znode's children as last listed. */
  private readonly listed = new Map<string, Set<string>>();

  constructor(
    private readonly session: ZkSession,
    private readonly roots: readonly Root[],
    private readonly maxWatchedNodes: number,
    private readonly host: PerNodeHost,
  ) {}

  /** Znodes with a child watch now. */
  get watches(): number {
    return this.listed.size;
  }

  /** Watches died with their session: forget them (listAll sets them again). */
  clear(): void {
    this.listed.clear();
  }

  /**
   * Lists every znode below the roots with a watch and reads what stands (locks and registrations,
   * batched). False when there were more than maxWatchedNodes: nothing is kept, poll instead.
   */
  async listAll(): Promise<boolean> {
    const queue: { path: string; root: Root }[] = this.roots.map((root) => ({ path: root.path, root }));
    const lockPaths: string[] = [];
    for (let item = queue.pop(); item; item = queue.pop()) {
      if (this.listed.size >= this.maxWatchedNodes) {
        this.listed.clear();
        return false;
      }
      const children = await this.listWatched(item.path);
      if (item.root.kind !== 'locks') {
        continue;
      }
      for (const child of children) {
        const path = childPath(item.path, child);
        if (lockNameMode(child)) {
          lockPaths.push(path);
        } else {
          queue.push({ path, root: item.root });
        }
      }
    }
    const lockRoot = this.roots.find((r) => r.kind === 'locks');
    const reads = await this.session.getDataMany(lockPaths);
    reads.forEach((read, i) => {
      if (!(read instanceof HiveZkError) && lockRoot) {
        this.host.stand(lockAt(lockRoot.path, lockPaths[i], read.data, read.stat));
      }
    });
    for (const root of this.roots) {
      if (root.kind === 'namespace') {
        const names = [...(this.listed.get(root.path) ?? [])].filter((n) => !NON_INSTANCE_CHILDREN.has(n));
        const data = await this.session.getDataMany(names.map((n) => childPath(root.path, n)));
        names.forEach((name, i) => {
          const read = data[i];
          this.host.standInstance(childPath(root.path, name), instanceFact(root, name, read instanceof HiveZkError ? undefined : read.data));
        });
      }
    }
    return true;
  }

  /** Lists a znode with a child watch (an exists watch while it is missing) and remembers its children. */
  private async listWatched(path: string): Promise<string[]> {
    const watcher = (): void => {
      if (this.host.active()) {
        void this.relist(path);
      }
    };
    try {
      const { children } = await this.session.getChildren(path, watcher);
      this.listed.set(path, new Set(children));
      return children;
    } catch (error) {
      if (!isHiveZkError(error, 'ZK_NO_NODE')) {
        throw error;
      }
      this.listed.delete(path);
      // Watch for it to appear (Hive makes its lock namespace on first use).
      if (this.roots.some((r) => r.path === path) && (await this.session.exists(path, watcher))) {
        return this.listWatched(path);
      }
      return [];
    }
  }

  /** A watched znode's children changed: list it again (re-arming its watch) and report the difference. */
  private async relist(path: string): Promise<void> {
    const before = this.listed.get(path) ?? new Set<string>();
    let after: string[];
    try {
      after = await this.listWatched(path);
    } catch (error) {
      this.host.failed(toHiveZkError(error));
      return;
    }
    const current = new Set(after);
    for (const name of before) {
      if (!current.has(name)) {
        const child = childPath(path, name);
        this.listed.delete(child);
        this.host.changed({ type: 'deleted', path: child });
      }
    }
    for (const name of after) {
      if (!before.has(name)) {
        const child = childPath(path, name);
        if (placeOf(this.roots, child)) {
          this.host.changed({ type: 'created', path: child });
        } else if (this.roots.some((r) => r.kind === 'locks' && child.startsWith(`${r.path}/`))) {
          // A new object (database, table, partition): watched from now on, its locks reported as they appear.
          await this.relist(child);
        }
      }
    }
  }
}
