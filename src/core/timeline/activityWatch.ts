// A live timeline of Hive's locks and HiveServer2 registrations: what stands is read once (batched),
// then every change comes from one persistent recursive watch per root (ZooKeeper 3.6+), or from
// child watches per node or polling on older servers, and becomes an event, in the server's order.
// Event shapes and facts: activityEvents.ts; order: orderedChanges.ts; rereads: standing.ts; before 3.6: perNodeWatch.ts.

import { HiveZkError, toHiveZkError } from '../errors';
import { LockActivity } from './lockActivity';
import { plainLock, type HiveLock } from '../locks/locks';
import { isUnimplemented } from '../zk/errorMap';
import type { Disposable, PersistentWatchEvent, ZkSession } from '../zk/session';
import { childPath, namespacePath } from '../zk/znodePath';
import { ACTIVITY_DEFAULTS, instanceFact, lockAt, lockFact, lockFields, now, placeOf, type ActivityEvent, type ActivityWatchOptions, type InstanceFact, type LockChange, type NamespaceRoot, type Root, type WatchMode } from './activityEvents';
import { OrderedChanges } from './orderedChanges';
import { PerNodeWatch } from './perNodeWatch';
import { changesAfterRead, readStanding, standingOptions, type Standing, type StartOptions } from './standing';

export { ACTIVITY_DEFAULTS, type ActivityEvent, type ActivityWatchOptions, type LockChange, type WatchMode } from './activityEvents';
export type { StartOptions } from './standing';

export class ActivityWatch {
  readonly activity: LockActivity;
  private readonly options: Required<Omit<ActivityWatchOptions, 'lockNamespace' | 'mode'>> & Pick<ActivityWatchOptions, 'lockNamespace' | 'mode'>;
  private readonly roots: Root[];
  private readonly instances = new Map<string, InstanceFact>();
  private readonly listeners = new Set<(event: ActivityEvent) => void>();
  private readonly lockListeners = new Set<(change: LockChange) => void>();
  private readonly recent: ActivityEvent[] = [];
  private readonly ordered: OrderedChanges;
  /** Changes seen while a (re)read is under way: applied after it, against what it found. */
  private held: PersistentWatchEvent[] | undefined;
  private readonly disposables: Disposable[] = [];
  private disposed = false;
  private currentMode: WatchMode | undefined;
  private persistentWatches = 0;
  private timer: NodeJS.Timeout | undefined;
  private resyncing: Promise<void> | undefined;
  /** The session's client generation the watches were last set on: a new one means a new session. */
  private generation = 0;
  private readonly perNode: PerNodeWatch;
  /** Notifications for paths outside the watched roots or not Hive-shaped, skipped. */
  skipped = 0;
  /** Batched reads of all that stands (the first, and one per gap or poll). */
  standingReads = 0;

  constructor(
    private readonly session: ZkSession,
    options: ActivityWatchOptions,
  ) {
    this.options = { ...ACTIVITY_DEFAULTS, ...options };
    this.activity = new LockActivity({ maxQueries: this.options.maxQueries });
    this.roots = [
      ...(options.lockNamespace !== undefined ? [{ kind: 'locks' as const, path: namespacePath(options.lockNamespace) }] : []),
      ...options.namespaces.map((namespace) => ({ kind: 'namespace' as const, path: namespacePath(namespace), namespace: namespace.replace(/^\/+|\/+$/g, '') })),
    ];
    if (this.roots.length === 0) {
      throw new HiveZkError('BAD_ARGUMENT', 'Nothing to watch: give a lock namespace or a HiveServer2 namespace.');
    }
    this.ordered = new OrderedChanges(this.options.maxPending, (count) => this.emit({ time: now(), type: 'dropped', count }));
    this.perNode = new PerNodeWatch(session, this.roots, this.options.maxWatchedNodes, {
      active: () => !this.disposed && this.currentMode === 'per-node',
      changed: (event) => this.handle(event),
      stand: (lock) => this.activity.stand(lockFact(lock)),
      standInstance: (path, fact) => this.instances.set(path, fact),
      failed: (error) => this.emitError(error),
    });
  }

  get mode(): WatchMode | undefined {
    return this.currentMode;
  }

  /** Server-side watches this timeline holds: one per root when persistent recursive, one per znode per node, none when polling. */
  get watches(): number {
    return this.currentMode === 'per-node' ? this.perNode.watches : this.currentMode === 'polling' ? 0 : this.persistentWatches;
  }

  /** Recent events, newest first (at most maxEvents). */
  events(): readonly ActivityEvent[] {
    return [...this.recent].reverse();
  }

  onEvent(listener: (event: ActivityEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Each lock created (with its data as read) or deleted, as its event goes out: for keepers of a lock tree. */
  onLockChange(listener: (change: LockChange) => void): Disposable {
    this.lockListeners.add(listener);
    return { dispose: () => this.lockListeners.delete(listener) };
  }

  /**
   * Reads what stands and starts following changes: one persistent recursive watch per root on
   * ZooKeeper 3.6+, else child watches per node (or polling past maxWatchedNodes). Resolves with the
   * mode once events flow; a connect failure rejects.
   */
  async start(options: StartOptions = {}): Promise<{ mode: WatchMode; watches: number }> {
    // A batched read first: it learns (safely, once) whether the server is 3.6+.
    await this.session.getChildrenMany(this.roots.map((r) => r.path));
    let mode = this.options.mode ?? (this.session.multiReadState === 'unsupported' ? 'per-node' : 'persistent-recursive');
    if (mode === 'persistent-recursive') {
      this.held = [];
      try {
        for (const root of this.roots) {
          this.disposables.push(
            await this.session.addPersistentWatch(root.path, 'persistentRecursive', {
              event: (event) => this.notified(event),
              rearmed: (info) => {
                const reason = info.generation !== this.generation ? 'new-session' : 'reconnected';
                this.generation = info.generation;
                this.resync(reason);
              },
              failed: (error) => this.emitError(error),
            }),
          );
        }
        this.persistentWatches = this.roots.length;
      } catch (error) {
        this.disposeWatches();
        this.held = undefined;
        if (!isUnimplemented(error)) {
          throw error;
        }
        mode = 'per-node';
      }
    }
    this.generation = this.session.generation;
    this.disposables.push(this.session.onDidChangeState((change) => this.stateChanged(change.state, change.generation)));
    this.currentMode = mode; // before listing: a per-node watch that fires meanwhile is followed
    if (mode === 'per-node' && !(await this.perNode.listAll())) {
      mode = 'polling';
    }
    this.currentMode = mode;
    if (mode === 'persistent-recursive') {
      await this.readAll(options);
      this.releaseHeld();
    } else if (mode === 'polling') {
      await this.readAll(standingOptions(options));
      this.schedulePoll();
    }
    return { mode, watches: this.watches };
  }

  /** Synchronous and safe twice: watches removed (best effort), timers stopped, no more events. */
  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    clearTimeout(this.timer);
    this.ordered.stop();
    this.disposeWatches();
    this.listeners.clear();
    this.lockListeners.clear();
  }

  private disposeWatches(): void {
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  // ---- events in ----

  private notified(event: PersistentWatchEvent): void {
    if (this.disposed) {
      return;
    }
    if (this.held) {
      if (this.held.length < this.options.maxPending) {
        this.held.push(event);
      } else {
        this.ordered.drop();
      }
      return;
    }
    this.handle(event);
  }

  /** One created or deleted znode: a lock or a registration becomes an event; anything else is skipped. */
  private handle(event: PersistentWatchEvent): void {
    if (event.type !== 'created' && event.type !== 'deleted') {
      return;
    }
    const place = placeOf(this.roots, event.path);
    if (!place) {
      this.skipped += 1;
      return;
    }
    if (!this.ordered.admit()) {
      return; // counted, and reported once the backlog has drained
    }
    if (place.kind === 'lock') {
      if (event.type === 'created') {
        // Read now: it may be gone by the answer (Hive's retries live milliseconds), then only its name tells.
        this.ordered.enqueueRead(this.session.getData(event.path), (read) => this.lockCreated(lockAt(place.root, event.path, read?.data, read?.stat)));
      } else {
        this.ordered.enqueue(() => this.lockDeleted(event.path, place.root));
      }
    } else if (event.type === 'created') {
      this.ordered.enqueueRead(this.session.getData(event.path), (read) => this.instanceRegistered(place.root, place.znode, read?.data));
    } else {
      this.ordered.enqueue(() => this.instanceDeregistered(place.root, place.znode));
    }
  }

  // ---- state changes as events ----

  private lockCreated(lock: HiveLock): void {
    const fact = lockFact(lock);
    this.activity.created(fact);
    this.emit({ time: now(), type: 'lock', event: 'created', ...lockFields(fact) });
    this.tellLockListeners({ type: 'created', lock });
  }

  private lockDeleted(path: string, root: string, at = Date.now()): void {
    const { lock, heldMs, blocked } = this.activity.deleted(path, at);
    const known = lock ?? lockFact(lockAt(root, path, undefined, undefined));
    this.emit({ time: now(), type: 'lock', event: 'deleted', ...lockFields(known), ...(heldMs !== undefined ? { heldMs } : {}) });
    this.tellLockListeners({ type: 'deleted', path });
    if (blocked) {
      this.emit({ time: now(), type: 'blocked', queryId: blocked.queryId, object: blocked.object, mode: blocked.mode, attempts: blocked.attempts, blockedBy: blocked.blockedBy });
    }
  }

  private instanceRegistered(root: NamespaceRoot, znode: string, data: Buffer | undefined): void {
    const path = childPath(root.path, znode);
    const fact = instanceFact(root, znode, data);
    this.instances.set(path, fact);
    this.emit({ time: now(), type: 'instance', event: 'registered', ...fact });
  }

  private instanceDeregistered(root: NamespaceRoot, znode: string): void {
    const path = childPath(root.path, znode);
    const fact = this.instances.get(path) ?? instanceFact(root, znode, undefined);
    this.instances.delete(path);
    this.emit({ time: now(), type: 'instance', event: 'deregistered', ...fact });
  }

  private emitError(failure: HiveZkError): void {
    this.emit({ time: now(), type: 'error', code: failure.code, message: failure.message });
  }

  private emit(event: ActivityEvent): void {
    this.recent.push(event);
    if (this.recent.length > this.options.maxEvents) {
      this.recent.splice(0, this.recent.length - this.options.maxEvents);
    }
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }

  private tellLockListeners(change: LockChange): void {
    for (const listener of [...this.lockListeners]) {
      listener(change);
    }
  }

  // ---- reading what stands ----

  /** First read: what stands is known (so an older blocker is), never reported. */
  private async readAll(options: StartOptions = {}): Promise<void> {
    this.standingReads += 1;
    const { locks, instances, walk } = await readStanding(this.session, this.roots, standingOptions(options));
    const objects = new Map<string, string>();
    for (const lock of locks.values()) {
      this.activity.stand(lockFact(lock, objects));
    }
    for (const [path, fact] of instances) {
      this.instances.set(path, fact);
    }
    if (walk && options.onStanding) {
      options.onStanding(walk);
    }
  }

  /** Changes held during a read, applied against what it found. */
  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of changesAfterRead(held, (path) => this.activity.get(path) !== undefined || this.instances.has(path))) {
      this.handle(event);
    }
  }

  /**
   * After the watch was away (or on each poll): one batched reread, and its difference from what was
   * known becomes events; changes notified meanwhile wait and are applied after it.
   */
  private resync(reason: 'reconnected' | 'new-session' | 'poll'): void {
    if (this.disposed) {
      return;
    }
    if (this.resyncing) {
      // Away again during a reread: one more after it, which sees what this one may have missed.
      void this.resyncing.then(() => this.resync(reason));
      return;
    }
    this.held ??= [];
    this.resyncing = (async () => {
      try {
        this.standingReads += 1;
        const standing = await readStanding(this.session, this.roots);
        if (this.disposed) {
          return;
        }
        const { created, deleted } = this.reconcile(standing);
        if (reason !== 'poll') {
          this.emit({ time: now(), type: 'resync', reason, created, deleted });
        }
      } catch (error) {
        const failure = toHiveZkError(error);
        this.emitError(failure);
        if (failure.retryable && reason !== 'poll') {
          // Say a failover still electing its leader: the reread is tried again, or the gap stays unknown.
          setTimeout(() => this.resync(reason), 1000).unref();
        }
      } finally {
        this.resyncing = undefined;
        if (this.currentMode === 'persistent-recursive') {
          this.releaseHeld();
        } else {
          this.held = undefined;
        }
      }
    })();
  }

  /** What a reread found against what was known: each difference becomes its event. */
  private reconcile({ locks, instances }: Standing): { created: number; deleted: number } {
    let created = 0;
    let deleted = 0;
    const at = Date.now();
    for (const lock of [...this.activity.all()]) {
      if (!locks.has(lock.path)) {
        deleted += 1;
        this.lockDeleted(lock.path, '', at);
      }
    }
    for (const lock of locks.values()) {
      if (!this.activity.get(lock.path)) {
        created += 1;
        this.lockCreated(plainLock(lock)); // kept by listeners: a copy, not a row of the reread's table
      }
    }
    for (const [path, fact] of [...this.instances]) {
      if (!instances.has(path)) {
        deleted += 1;
        this.instances.delete(path);
        this.emit({ time: now(), type: 'instance', event: 'deregistered', ...fact });
      }
    }
    for (const [path, fact] of instances) {
      if (!this.instances.has(path)) {
        created += 1;
        this.instances.set(path, fact);
        this.emit({ time: now(), type: 'instance', event: 'registered', ...fact });
      }
    }
    return { created, deleted };
  }

  /** A new session (after expiry or a dead server) is made only on use: ask for one, now and then, until it comes. */
  private stateChanged(state: string, generation: number): void {
    if (this.disposed) {
      return;
    }
    if (state === 'expired' || state === 'error') {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.session.open().catch(() => this.stateChanged(state, generation));
      }, 1000);
    } else if (state === 'connected' && generation !== this.generation && this.currentMode !== 'persistent-recursive') {
      // (A persistent watch is added again by the session, and its rearmed resyncs.) Per-node watches died with the old client.
      this.generation = generation;
      if (this.currentMode === 'per-node') {
        this.perNode.clear();
        void this.perNode.listAll().then(() => this.emit({ time: now(), type: 'resync', reason: 'new-session', created: 0, deleted: 0 }));
      } else if (this.currentMode === 'polling') {
        this.schedulePoll();
      }
    }
  }

  private schedulePoll(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.resync('poll');
      void this.resyncing?.finally(() => !this.disposed && this.schedulePoll());
    }, this.options.pollIntervalMs);
  }
}
