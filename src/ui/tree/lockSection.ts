// The Locks section of an ensemble: one lock walk per ensemble, indexed by object and kept current by
// the ensemble's live timeline (liveLocks.ts), shown as a Waiting summary (queries retrying behind a
// lock first) then database → table → partition groups with their locks, filtered and counted.
import { blockerOf, childLevel, indexLocks, lockGroupAt, waitingLocks, type LockIndex } from '../../core/locks/lockIndex';
import type { HiveLock } from '../../core/locks/locks';
import { walkLocks, type LockWalkResult } from '../../core/locks/lockWalk';
import type { ActivityWatch } from '../../core/timeline/activityWatch';
import type { Disposable } from '../../core/zk/session';
import type { ActivityTimelines, Started } from '../activityTimelines';
import { LiveLocks, retryingQueries } from './liveLocks';
import { noAuthError } from '../../core/zk/errorMap';
import { untilAborted, type DisposableLike } from '../../core/lifecycle';
import type { ZkSession } from '../../core/zk/session';
import { treeWork } from '../progress';
import type { EnsembleConfig } from '../settings';
import type { TreeFilter } from './filter';
import { ensembleId, message, sectionId, znodeId, type LockGroupNode, type LockNode, type SectionNode, type TreeNode, type WaitingLocksNode } from './nodes';

/** What the section needs from the tree provider. */
export interface LockSectionHost {
  ensemble(name: string): EnsembleConfig;
  session(name: string): Promise<ZkSession>;
  filter(): TreeFilter;
  page(parent: TreeNode, nodes: TreeNode[]): Promise<TreeNode[]>;
  /** The shown page of `items`, made into nodes by `build` (that page only). */
  pageOf<T>(parent: TreeNode, items: readonly T[], build: (visible: readonly T[]) => TreeNode[]): Promise<TreeNode[]>;
  getChildren(node?: TreeNode): Promise<TreeNode[]>;
  /** A walk finished: the ensemble's waiting-lock count is known (for the status bar). */
  onWaitingCounted(ensemble: string): void;
  /** The section's rows changed (locks came or went): redraw it from the index. */
  changed(ensemble: string): void;
  /** A timer released with the tree. */
  timeout(ms: number, run: () => void): DisposableLike;
  /** A line for the extension's log. */
  log(message: string): void;
}

export class LockSection {
  private readonly indexes = new Map<string, Promise<LockIndex>>();
  /** Each index's waiting locks, longest waiting first: sorted once, not per listing. */
  private readonly waitingByIndex = new WeakMap<LockIndex, readonly HiveLock[]>();
  /** Each ensemble's index once its walk is in (kept current while followed live). */
  private readonly current = new Map<string, LockIndex>();
  private readonly live: LiveLocks = new LiveLocks({
    replace: (name, index) => {
      this.indexes.set(name, Promise.resolve(index));
      this.current.set(name, index);
      this.host.onWaitingCounted(name);
      this.host.changed(name);
    },
    rewalk: (name) => {
      this.forget(name);
      this.host.changed(name);
    },
  });
  /** Lock walks the section made itself (each a full read of the lock tree): a live change never starts one, nor a first listing that starts the timeline (its first read serves both). */
  walks = 0;
  private timelines: { source: ActivityTimelines; enabled: () => boolean } | undefined;

  constructor(private readonly host: LockSectionHost) {}

  /** From the next walk on, each ensemble's index follows its live timeline (while `enabled`). */
  follow(source: ActivityTimelines, enabled: () => boolean): Disposable {
    this.timelines = { source, enabled };
    // A timeline stopped under an index (its session closed): walk again, following the next one.
    return source.onDidChange((name) => {
      for (const ensemble of name === undefined ? [...this.indexes.keys()] : [name]) {
        const followed = this.live.timeline(ensemble);
        if (followed && source.get(ensemble)?.watch !== followed) {
          this.forget(ensemble);
          this.host.changed(ensemble);
        }
      }
    });
  }

  /** The ensemble's timeline once ready, when locks are followed live. */
  private async timeline(name: string): Promise<ActivityWatch | undefined> {
    if (!this.timelines?.enabled()) {
      return undefined;
    }
    // Before 3.6 a timeline is a child watch per znode or polling whole walks: the tree starts none itself.
    if (!this.timelines.source.get(name) && (await this.host.session(name)).multiReadState === 'unsupported') {
      return undefined;
    }
    const started = await this.timelines.source.start(name);
    return started && 'watch' in started && started.watch.mode !== 'polling' ? started.watch : undefined;
  }

  /** Drops the walk of one ensemble (or all): the next listing walks again. */
  forget(ensemble?: string): void {
    if (ensemble === undefined) {
      this.indexes.clear();
      this.current.clear();
    } else {
      this.indexes.delete(ensemble);
      this.current.delete(ensemble);
    }
    this.live.stop(ensemble);
  }

  dispose(): void {
    this.live.stop();
  }

  /** The Waiting summary's rows (retrying queries and waiting locks) as of now, undefined before a walk. */
  waiting(ensemble: string): number | undefined {
    const index = this.current.get(ensemble);
    return index ? this.summary(ensemble, index).count : undefined;
  }

  /**
   * The lock walk of an ensemble, indexed; one walk shared until forgotten. A walk still running
   * after a moment offers Cancel; a forgotten walk's late result changes nothing.
   */
  index(name: string): Promise<LockIndex> {
    let index = this.indexes.get(name);
    if (!index) {
      const config = this.host.ensemble(name);
      // (Called only once the walk below has begun: `walking` is set by then.)
      const stillCurrent = (): boolean => this.indexes.get(name) === walking;
      const work = treeWork({ view: 'Reading Hive locks…', notification: `Reading the Hive locks of ${name}` }, (ms, run) => this.host.timeout(ms, run), async (signal, report) => {
        const onProgress = (visited: number): void => report(`${visited.toLocaleString('en-US')} znodes`);
        const started = performance.now();
        const joined = await this.startTimelineWithWalk(name, stillCurrent, signal, onProgress);
        if (joined.index) {
          this.logWalk(name, joined.index, started, 'read with the live timeline it started');
          return joined.index;
        }
        // The timeline first (so no change between the walk and following it is lost), then the walk;
        // a walk forgotten meanwhile never takes the following from the newer one.
        const timeline = joined.tried ? undefined : await this.timeline(name).catch(() => undefined);
        const following = joined.following ?? (timeline && stillCurrent() ? this.live.follow(name, timeline) : undefined);
        try {
          this.walks += 1;
          const walked = indexLocks(await walkLocks(await this.host.session(name), config.lockNamespace, { signal, onProgress }));
          this.logWalk(name, walked, started, following ? 'followed live' : 'not followed live');
          return following ? following.walked(walked) : walked;
        } catch (error) {
          if (following && stillCurrent()) {
            this.live.stop(name);
          }
          throw error;
        }
      });
      const walking: Promise<LockIndex> = work.then((result) => {
        if (stillCurrent()) {
          this.current.set(name, result);
          this.host.onWaitingCounted(name);
        }
        return result;
      });
      walking.catch(() => stillCurrent() && this.indexes.delete(name));
      this.indexes.set(name, walking);
      index = walking;
    }
    return index;
  }

  /**
   * When no timeline runs yet, starts the ensemble's timeline followed from before it starts, and its
   * first read of the lock tree is this walk: one read for both, not two. Else the caller walks: with
   * `following` (a per-node timeline reads no lock tree), or without a timeline when `tried` (a start
   * was made and failed, or polls).
   */
  private async startTimelineWithWalk(
    name: string,
    stillCurrent: () => boolean,
    signal: AbortSignal,
    onProgress: (visited: number) => void,
  ): Promise<{ index?: LockIndex; following?: ReturnType<LiveLocks['follow']>; tried: boolean }> {
    const timelines = this.timelines;
    if (!timelines?.enabled() || timelines.source.get(name) || (await this.host.session(name)).multiReadState === 'unsupported') {
      return { tried: false };
    }
    let following: ReturnType<LiveLocks['follow']> | undefined;
    let walk: LockWalkResult | undefined;
    let started: Started;
    try {
      // Cancelled, the tree stops waiting at once; the read itself stops too unless another view waits for it.
      started = await untilAborted(
        timelines.source.start(name, {
          created: (watch) => {
            following = stillCurrent() ? this.live.follow(name, watch) : undefined;
          },
          signal,
          onProgress,
          onStanding: (read) => {
            walk = read;
          },
        }),
        signal,
        'Reading the Hive locks',
      );
    } catch (error) {
      if (following && stillCurrent()) {
        this.live.stop(name);
      }
      throw error;
    }
    if (!following) {
      return { tried: false }; // another caller's start (or none): follow it as usual
    }
    if (walk && started && 'watch' in started) {
      return { index: following.walked(indexLocks(walk)), tried: true };
    }
    if (started && 'watch' in started && started.watch.mode === 'per-node') {
      return { following, tried: true };
    }
    if (stillCurrent()) {
      this.live.stop(name);
    }
    if (started && 'error' in started && started.error.code === 'CANCELLED') {
      throw started.error;
    }
    return { tried: true };
  }

  private logWalk(name: string, index: LockIndex, started: number, how: string): void {
    const { walk } = index;
    this.host.log(`[${name}] lock walk of ${walk.root}: ${walk.locks.length.toLocaleString('en-US')} locks, ${walk.visited.toLocaleString('en-US')} znodes in ${Math.round(performance.now() - started)} ms (${how})`);
  }

  async sectionChildren(node: SectionNode): Promise<TreeNode[]> {
    const index = await this.index(node.ensemble);
    const dbs = index.childGroups.get(index.root) ?? [];
    const nodes: TreeNode[] = [];
    // Who blocks whom first: queries retrying behind a lock, then the waiting locks, longest waiting
    // first (ids apart from the same locks further down the tree), made into rows a page at a time.
    const filter = this.host.filter();
    const summary = this.summary(node.ensemble, index);
    const retrying = summary.retrying.filter((r) => filter.lock(r.lock));
    const waiting = filter.active ? summary.waiting.filter((l) => filter.lock(l)) : summary.waiting;
    if (retrying.length + waiting.length > 0) {
      nodes.push({ kind: 'waitingLocks', id: `${node.id}|waiting`, ensemble: node.ensemble, count: retrying.length + waiting.length, rows: { retrying, waiting, index } });
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

  /** The Waiting summary's shown page: its retrying queries, then its waiting locks as rows. */
  waitingChildren(node: WaitingLocksNode): Promise<TreeNode[]> {
    const { retrying, waiting, index } = node.rows;
    const items: readonly (LockNode | HiveLock)[] = retrying.length > 0 ? [...retrying, ...waiting] : waiting;
    return this.host.pageOf(node, items, (visible) => visible.map((item) => (isNode(item) ? item : this.lockRow(node.ensemble, index, item, '|waiting'))));
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

  /** The Waiting summary's rows: queries seen retrying (their own lock standing or not), then the other waiting locks. */
  private summary(ensemble: string, index: LockIndex): { retrying: LockNode[]; waiting: readonly HiveLock[]; count: number } {
    const retrying = retryingQueries(ensemble, index, this.live.timeline(ensemble));
    let waiting = this.waitingByIndex.get(index);
    if (!waiting) {
      waiting = waitingLocks(index);
      this.waitingByIndex.set(index, waiting);
    }
    if (retrying.length > 0) {
      const standing = new Set(retrying.map((r) => r.lock.path));
      waiting = waiting.filter((l) => !standing.has(l.path));
    }
    return { retrying, waiting, count: retrying.length + waiting.length };
  }

  private lockNodes(ensemble: string, index: LockIndex, locks: readonly HiveLock[]): LockNode[] {
    const filter = this.host.filter();
    return locks.filter((l) => filter.lock(l)).map((lock) => this.lockRow(ensemble, index, lock));
  }

  private lockRow(ensemble: string, index: LockIndex, lock: HiveLock, idSuffix = ''): LockNode {
    const node: LockNode = { kind: 'lock', id: znodeId(ensemble, lock.path) + idSuffix, ensemble, lock };
    const blocker = blockerOf(index, lock);
    if (blocker) {
      node.blocker = blocker;
    }
    if (idSuffix !== '') {
      node.inSummary = true;
    }
    return node;
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

/** A row already made (a retrying query), not a lock still to make one of. */
function isNode(item: LockNode | HiveLock): item is LockNode {
  return 'kind' in item;
}
