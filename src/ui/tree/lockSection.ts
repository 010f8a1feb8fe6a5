// The Locks section of an ensemble: one lock walk per ensemble, indexed by object, shown as a
// Waiting summary then database → table → partition groups with their locks, filtered and counted.
import { blockerOf, childLevel, indexLocks, lockGroupAt, waitingLocks, type LockIndex } from '../../core/locks/lockIndex';
import type { HiveLock } from '../../core/locks/locks';
import { walkLocks } from '../../core/locks/lockWalk';
import { noAuthError } from '../../core/zk/errorMap';
import type { DisposableLike } from '../../core/lifecycle';
import type { ZkSession } from '../../core/zk/session';
import { treeWork } from '../progress';
import type { EnsembleConfig } from '../settings';
import type { TreeFilter } from './filter';
import { ensembleId, message, sectionId, znodeId, type LockGroupNode, type LockNode, type SectionNode, type TreeNode } from './nodes';

/** What the section needs from the tree provider. */
export interface LockSectionHost {
  ensemble(name: string): EnsembleConfig;
  session(name: string): Promise<ZkSession>;
  filter(): TreeFilter;
  page(parent: TreeNode, nodes: TreeNode[]): Promise<TreeNode[]>;
  getChildren(node?: TreeNode): Promise<TreeNode[]>;
  /** A walk finished: the ensemble's waiting-lock count is known (for the status bar). */
  onWaitingCounted(ensemble: string): void;
  /** A timer released with the tree. */
  timeout(ms: number, run: () => void): DisposableLike;
}

export class LockSection {
  private readonly indexes = new Map<string, Promise<LockIndex>>();
  private readonly waitingCounts = new Map<string, number>();

  constructor(private readonly host: LockSectionHost) {}

  /** Drops the walk of one ensemble (or all): the next listing walks again. */
  forget(ensemble?: string): void {
    if (ensemble === undefined) {
      this.indexes.clear();
    } else {
      this.indexes.delete(ensemble);
    }
  }

  /** Waiting locks seen by the latest walk, undefined before one. */
  waiting(ensemble: string): number | undefined {
    return this.waitingCounts.get(ensemble);
  }

  /**
   * The lock walk of an ensemble, indexed; one walk shared until forgotten. A walk still running
   * after a moment offers Cancel; a forgotten walk's late result changes nothing.
   */
  index(name: string): Promise<LockIndex> {
    let index = this.indexes.get(name);
    if (!index) {
      const config = this.host.ensemble(name);
      const work = treeWork({ view: 'Reading Hive locks…', notification: `Reading the Hive locks of ${name}` }, (ms, run) => this.host.timeout(ms, run), async (signal, report) =>
        indexLocks(await walkLocks(await this.host.session(name), config.lockNamespace, { signal, onProgress: (visited) => report(`${visited.toLocaleString('en-US')} znodes`) })),
      );
      const walking: Promise<LockIndex> = work.then((result) => {
        if (this.indexes.get(name) === walking) {
          this.waitingCounts.set(name, waitingLocks(result).length);
          this.host.onWaitingCounted(name);
        }
        return result;
      });
      walking.catch(() => this.indexes.get(name) === walking && this.indexes.delete(name));
      this.indexes.set(name, walking);
      index = walking;
    }
    return index;
  }

  async sectionChildren(node: SectionNode): Promise<TreeNode[]> {
    const index = await this.index(node.ensemble);
    const dbs = index.childGroups.get(index.root) ?? [];
    const nodes: TreeNode[] = [];
    // Who blocks whom first: the waiting locks, longest waiting first (ids apart from the same
    // locks further down the tree).
    const waiting = this.lockNodes(node.ensemble, index, waitingLocks(index), '|waiting');
    if (waiting.length > 0) {
      nodes.push({ kind: 'waitingLocks', id: `${node.id}|waiting`, ensemble: node.ensemble, locks: waiting });
    }
    nodes.push(...this.lockGroupNodes(node.ensemble, index, dbs, 'db'));
    const rootLocks = index.locksAt.get(index.root) ?? [];
    nodes.push(...this.lockNodes(node.ensemble, index, rootLocks));
    if (index.walk.unreadable.length > 0) {
      // Who was refused decides the advice: a Kerberos user is not told to add a digest credential.
      const session = await this.host.session(node.ensemble);
      const who = await session.whoAmI().catch(() => undefined);
      for (const path of index.walk.unreadable) {
        nodes.push({ kind: 'message', id: `${node.id}|noauth|${path}`, ensemble: node.ensemble, severity: 'warning', text: `Not authorized: ${path}`, detail: noAuthError(path, session.connectString, who).message });
      }
    }
    if (nodes.length === 0) {
      return [message(node, 'info', this.host.filter().active && index.walk.locks.length > 0 ? 'No lock matches the filter' : `No locks under ${index.root}`)];
    }
    return this.host.page(node, nodes);
  }

  async groupChildren(node: LockGroupNode): Promise<TreeNode[]> {
    const index = await this.index(node.ensemble);
    const groups = this.lockGroupNodes(node.ensemble, index, index.childGroups.get(node.objectPath) ?? [], childLevel(node.level));
    const locks = this.lockNodes(node.ensemble, index, index.locksAt.get(node.objectPath) ?? []);
    return this.host.page(node, [...locks, ...groups]);
  }

  /** Groups at these object paths; with a filter, only those holding a match, counted "n of m". */
  private lockGroupNodes(ensemble: string, index: LockIndex, objectPaths: readonly string[], level: LockGroupNode['level']): LockGroupNode[] {
    const matching = this.host.filter().active ? this.host.filter().lockTotals(index) : undefined;
    const nodes: LockGroupNode[] = [];
    for (const objectPath of objectPaths) {
      const node: LockGroupNode = { kind: 'lockGroup', id: znodeId(ensemble, objectPath), ensemble, ...lockGroupAt(index, objectPath, level) };
      if (matching) {
        node.matchCount = matching.get(objectPath) ?? 0;
        if (node.matchCount === 0) {
          continue;
        }
      }
      nodes.push(node);
    }
    return nodes;
  }

  private lockNodes(ensemble: string, index: LockIndex, locks: HiveLock[], idSuffix = ''): LockNode[] {
    return locks
      .filter((l) => this.host.filter().lock(l))
      .map((lock) => {
        const node: LockNode = { kind: 'lock', id: znodeId(ensemble, lock.path) + idSuffix, ensemble, lock };
        const blocker = blockerOf(index, lock);
        if (blocker) {
          node.blocker = blocker;
        }
        if (idSuffix !== '') {
          node.inSummary = true;
        }
        return node;
      });
  }

  /**
   * The tree node of a lock, listing the Locks section and the groups down to it so that it can be
   * revealed (its ancestors known); undefined if it is gone or filtered out.
   */
  async lockNode(ensemble: string, lockPath: string): Promise<LockNode | undefined> {
    const ensembleNode = (await this.host.getChildren()).find((n) => n.id === ensembleId(ensemble));
    let current = ensembleNode && (await this.host.getChildren(ensembleNode)).find((n) => n.id === sectionId(ensemble, 'locks'));
    while (current) {
      const children = await this.host.getChildren(current);
      const found = children.find((n): n is LockNode => n.kind === 'lock' && n.lock.path === lockPath);
      if (found) {
        return found;
      }
      current = children.find((n) => n.kind === 'lockGroup' && lockPath.startsWith(`${n.objectPath}/`));
    }
    return undefined;
  }
}
