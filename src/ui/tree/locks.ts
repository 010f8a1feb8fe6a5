// The Locks section of an ensemble: one lock walk per ensemble (cached, shared with the Health
// section), indexed by database, table and partition, with the waiting locks listed first.
import * as vscode from 'vscode';
import { blockerOf, childLevel, indexLocks, lockGroupAt, waitingLocks, type LockIndex } from '../../core/lockIndex';
import { walkLocks, type HiveLock } from '../../core/locks';
import type { ZkSession } from '../../core/zkSession';
import { VIEW_ID } from '../ids';
import type { EnsembleConfig } from '../settings';
import type { TreeFilter } from './filter';
import { message, znodeId, type LockGroupNode, type LockNode, type SectionNode, type TreeNode } from './nodes';

/** What the Locks section borrows from the tree. */
export interface LockSources {
  config(ensemble: string): EnsembleConfig;
  session(ensemble: string): Promise<ZkSession>;
  filter(): TreeFilter;
  page(parent: TreeNode, nodes: TreeNode[]): Promise<TreeNode[]>;
  /** What the tree knows of an ensemble's health changed. */
  summaryChanged(ensemble: string): void;
}

export class LockSection {
  private readonly lockIndexes = new Map<string, Promise<LockIndex>>();
  /** Per ensemble: how many locks the latest walk found waiting, for health at a glance. */
  private readonly lastWaiting = new Map<string, number>();

  constructor(private readonly sources: LockSources) {}

  forget(ensemble: string): void {
    this.lockIndexes.delete(ensemble);
  }

  forgetAll(): void {
    this.lockIndexes.clear();
  }

  /** Waiting locks of an ensemble; undefined until its locks are walked. */
  waiting(ensemble: string): number | undefined {
    return this.lastWaiting.get(ensemble);
  }

  index(name: string): Promise<LockIndex> {
    let index = this.lockIndexes.get(name);
    if (!index) {
      const config = this.sources.config(name);
      const walking = Promise.resolve(
        vscode.window.withProgress({ location: { viewId: VIEW_ID }, title: 'Reading Hive locks…' }, async () => {
          const walk = await walkLocks(await this.sources.session(name), config.lockNamespace);
          const index = indexLocks(walk);
          this.lastWaiting.set(name, waitingLocks(index).length);
          this.sources.summaryChanged(name);
          return index;
        }),
      );
      walking.catch(() => this.lockIndexes.delete(name));
      this.lockIndexes.set(name, walking);
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
    for (const path of index.walk.unreadable) {
      nodes.push({ kind: 'message', id: `${node.id}|noauth|${path}`, ensemble: node.ensemble, severity: 'warning', text: `Not authorized: ${path}`, detail: 'Add a digest credential for this ensemble to read it.' });
    }
    if (nodes.length === 0) {
      return [message(node, 'info', this.sources.filter().active && index.walk.locks.length > 0 ? 'No lock matches the filter' : `No locks under ${index.root}`)];
    }
    return this.sources.page(node, nodes);
  }

  async groupChildren(node: LockGroupNode): Promise<TreeNode[]> {
    const index = await this.index(node.ensemble);
    const groups = this.lockGroupNodes(node.ensemble, index, index.childGroups.get(node.objectPath) ?? [], childLevel(node.level));
    const locks = this.lockNodes(node.ensemble, index, index.locksAt.get(node.objectPath) ?? []);
    return this.sources.page(node, [...locks, ...groups]);
  }

  /** Groups at these object paths; with a filter, only those holding a match, counted "n of m". */
  private lockGroupNodes(ensemble: string, index: LockIndex, objectPaths: readonly string[], level: LockGroupNode['level']): LockGroupNode[] {
    const matching = this.sources.filter().active ? this.sources.filter().lockTotals(index) : undefined;
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
      .filter((l) => this.sources.filter().lock(l))
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
}
