// A live timeline of Hive's locks and HiveServer2 registrations: what stands is read once (batched),
// then every change comes from one persistent recursive watch per root (ZooKeeper 3.6+), or from
// child watches per node or polling on older servers, and becomes an event, in the server's order.

import { Fifo } from '../concurrency';
import { HiveZkError, isHiveZkError, toHiveZkError } from '../errors';
import { decodeInstanceData, describeInstance, parseInstanceName } from '../registry/hs2Instance';
import { listInstances, NON_INSTANCE_CHILDREN } from '../registry/hs2Registry';
import { LockActivity, type BlockedQuery, type LockFact } from './lockActivity';
import { decodeLockData, decodeLockObject, formatLockObject, lockNameMode, lockNameSequence, type LockMode } from '../locks/locks';
import { walkLocks } from '../locks/lockWalk';
import { isUnimplemented } from '../zk/errorMap';
import type { Disposable, PersistentWatchEvent, ZkSession, ZnodeStat } from '../zk/session';
import { childPath, namespacePath } from '../zk/znodePath';

export type WatchMode = 'persistent-recursive' | 'per-node' | 'polling';

export type ActivityEvent =
  | { time: string; type: 'instance'; event: 'registered' | 'deregistered'; namespace: string; znode: string; host?: string; port?: number }
  | { time: string; type: 'lock'; event: 'created' | 'deleted'; path: string; mode: LockMode; object: string; queryId?: string; client?: string; heldMs?: number }
  | { time: string; type: 'blocked'; queryId: string; object: string; mode: LockMode; attempts: number; blockedBy: BlockedQuery['blockedBy'] }
  /** The watch was away (reconnect, failover, new session): what changed meanwhile was found by one batched reread. */
  | { time: string; type: 'resync'; reason: 'reconnected' | 'new-session'; created: number; deleted: number }
  /** Changes not followed because too many were waiting to be read: the timeline has a gap. */
  | { time: string; type: 'dropped'; count: number }
  | { time: string; type: 'error'; code: string; message: string };

export interface ActivityWatchOptions {
  /** HiveServer2 discovery namespaces whose registrations to follow. */
  namespaces: readonly string[];
  /** Hive's lock namespace (hive.zookeeper.namespace), if locks are to be followed. */
  lockNamespace?: string;
  /** Recent events kept for readers of the timeline (the Lock Activity view). */
  maxEvents?: number;
  /** Queries tracked for blocked detection at most. */
  maxQueries?: number;
  /** Changes waiting for their znode's data at most; past this they are dropped and counted. */
  maxPending?: number;
  /** Per-node watches (servers before 3.6) on at most this many znodes; beyond, the tree is polled. */
  maxWatchedNodes?: number;
  pollIntervalMs?: number;
  /** Forces a mode (tests, or a user who wants polling); by default the best the server offers. */
  mode?: WatchMode;
}

export const ACTIVITY_DEFAULTS = { maxEvents: 1000, maxQueries: 1000, maxPending: 10_000, maxWatchedNodes: 10_000, pollIntervalMs: 2000 } as const;

interface InstanceFact {
  namespace: string;
  znode: string;
  host?: string;
  port?: number;
}

/** A change on its way out: in order, once its znode's data (if needed) has been read. */
interface Pending {
  ready: boolean;
  apply(): void;
}

type Root = { kind: 'locks'; path: string } | { kind: 'namespace'; path: string; namespace: string };

export class ActivityWatch {
  readonly activity: LockActivity;
  private readonly options: Required<Omit<ActivityWatchOptions, 'lockNamespace' | 'mode'>> & Pick<ActivityWatchOptions, 'lockNamespace' | 'mode'>;
  private readonly roots: Root[];
  private readonly instances = new Map<string, InstanceFact>();
  private readonly listeners = new Set<(event: ActivityEvent) => void>();
  private readonly recent: ActivityEvent[] = [];
  private readonly pending = new Fifo<Pending>();
  /** Changes seen while a (re)read is under way: applied after it, against what it found. */
  private held: PersistentWatchEvent[] | undefined;
  private readonly disposables: Disposable[] = [];
  private dropped = 0;
  private disposed = false;
  private currentMode: WatchMode | undefined;
  private watchCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private resyncing: Promise<void> | undefined;
  /** The session's client generation the watches were last set on: a new one means a new session. */
  private generation = 0;
  /** Per-node mode: each watched znode's children as last listed. */
  private readonly listed = new Map<string, Set<string>>();
  /** Notifications for paths outside the watched roots or not Hive-shaped, skipped. */
  skipped = 0;

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
  }

  get mode(): WatchMode | undefined {
    return this.currentMode;
  }

  /** Server-side watches this timeline holds: one per root when persistent recursive, one per znode per node, none when polling. */
  get watches(): number {
    return this.watchCount;
  }

  /** Recent events, newest first (at most maxEvents). */
  events(): readonly ActivityEvent[] {
    return [...this.recent].reverse();
  }

  onEvent(listener: (event: ActivityEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Reads what stands and starts following changes: one persistent recursive watch per root on
   * ZooKeeper 3.6+, else child watches per node (or polling past maxWatchedNodes). Resolves with the
   * mode once events flow; a connect failure rejects.
   */
  async start(): Promise<{ mode: WatchMode; watches: number }> {
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
              failed: (error) => this.emit({ time: now(), type: 'error', code: error.code, message: error.message }),
            }),
          );
        }
        this.watchCount = this.roots.length;
      } catch (error) {
        this.disposeWatches();
        if (!isUnimplemented(error)) {
          throw error;
        }
        mode = 'per-node';
      }
    }
    this.currentMode = mode;
    this.generation = this.session.generation;
    this.disposables.push(this.session.onDidChangeState((change) => this.stateChanged(change.state, change.generation)));
    if (mode === 'persistent-recursive') {
      await this.readAll();
      this.releaseHeld();
    } else if (mode === 'per-node') {
      await this.listPerNode();
      if (this.currentMode === 'polling') {
        mode = 'polling';
      }
    } else {
      await this.readAll();
    }
    if (mode === 'polling') {
      this.schedulePoll();
    }
    return { mode, watches: this.watchCount };
  }

  /** Synchronous and safe twice: watches removed (best effort), timers stopped, no more events. */
  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    clearTimeout(this.timer);
    this.disposeWatches();
    this.listeners.clear();
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
        this.dropped += 1;
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
    const place = this.place(event.path);
    if (!place) {
      this.skipped += 1;
      return;
    }
    if (this.pending.length >= this.options.maxPending) {
      this.dropped += 1; // reported once the backlog has drained
      return;
    }
    if (place.kind === 'lock') {
      if (event.type === 'created') {
        this.enqueueRead(event.path, (data, stat) => this.lockCreated(lockFact(place.root, event.path, data, stat)));
      } else {
        this.enqueue(() => this.lockDeleted(event.path, place.root));
      }
    } else if (event.type === 'created') {
      this.enqueueRead(event.path, (data) => this.instanceRegistered(place.root, place.znode, data));
    } else {
      this.enqueue(() => this.instanceDeregistered(place.root, place.znode));
    }
  }

  /** What a path is: a lock below the lock root, a registration right below a namespace, or neither. */
  private place(path: string): { kind: 'lock'; root: string } | { kind: 'instance'; root: Root & { kind: 'namespace' }; znode: string } | undefined {
    for (const root of this.roots) {
      if (!path.startsWith(`${root.path}/`)) {
        continue;
      }
      const rest = path.slice(root.path.length + 1);
      const slash = rest.lastIndexOf('/');
      if (root.kind === 'locks') {
        return slash > 0 && lockNameMode(rest.slice(slash + 1)) ? { kind: 'lock', root: root.path } : undefined;
      }
      return slash === -1 && !NON_INSTANCE_CHILDREN.has(rest) ? { kind: 'instance', root, znode: rest } : undefined;
    }
    return undefined;
  }

  private enqueue(apply: () => void): void {
    this.pending.push({ ready: true, apply });
    this.drain();
  }

  /** Reads the znode's data now (it may be gone by the answer: Hive's retries live milliseconds), applies in order. */
  private enqueueRead(path: string, apply: (data: Buffer | undefined, stat: ZnodeStat | undefined) => void): void {
    const item: Pending = { ready: false, apply: () => undefined };
    this.pending.push(item);
    this.session.getData(path).then(
      ({ data, stat }) => {
        item.apply = () => apply(data, stat);
      },
      () => {
        item.apply = () => apply(undefined, undefined);
      },
    ).finally(() => {
      item.ready = true;
      this.drain();
    });
  }

  private drain(): void {
    for (let head = this.pending.peek(); head?.ready; head = this.pending.peek()) {
      this.pending.shift();
      if (!this.disposed) {
        this.reportDropped();
        head.apply();
      }
    }
    if (this.pending.length === 0 && !this.disposed) {
      this.reportDropped();
    }
  }

  private reportDropped(): void {
    if (this.dropped > 0) {
      const count = this.dropped;
      this.dropped = 0;
      this.emit({ time: now(), type: 'dropped', count });
    }
  }

  // ---- state changes as events ----

  private lockCreated(lock: LockFact): void {
    this.activity.created(lock);
    this.emit({ time: now(), type: 'lock', event: 'created', ...lockFields(lock) });
  }

  private lockDeleted(path: string, root: string, at = Date.now()): void {
    const { lock, heldMs, blocked } = this.activity.deleted(path, at);
    const known = lock ?? lockFact(root, path, undefined, undefined);
    this.emit({ time: now(), type: 'lock', event: 'deleted', ...lockFields(known), ...(heldMs !== undefined ? { heldMs } : {}) });
    if (blocked) {
      this.emit({ time: now(), type: 'blocked', queryId: blocked.queryId, object: blocked.object, mode: blocked.mode, attempts: blocked.attempts, blockedBy: blocked.blockedBy });
    }
  }

  private instanceRegistered(root: Root & { kind: 'namespace' }, znode: string, data: Buffer | undefined): void {
    const path = childPath(root.path, znode);
    const fact = instanceFact(root, znode, data);
    this.instances.set(path, fact);
    this.emit({ time: now(), type: 'instance', event: 'registered', ...fact });
  }

  private instanceDeregistered(root: Root & { kind: 'namespace' }, znode: string): void {
    const path = childPath(root.path, znode);
    const fact = this.instances.get(path) ?? instanceFact(root, znode, undefined);
    this.instances.delete(path);
    this.emit({ time: now(), type: 'instance', event: 'deregistered', ...fact });
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

  // ---- reading what stands ----

  /** One batched read of every root: what stands now, without watches. */
  private async snapshot(): Promise<{ locks: Map<string, LockFact>; instances: Map<string, InstanceFact> }> {
    const locks = new Map<string, LockFact>();
    const instances = new Map<string, InstanceFact>();
    for (const root of this.roots) {
      if (root.kind === 'locks') {
        const walk = await walkLocks(this.session, root.path);
        for (const lock of walk.locks) {
          locks.set(lock.path, {
            path: lock.path,
            objectPath: lock.objectPath,
            object: formatLockObject(lock.object),
            mode: lock.mode,
            sequence: lock.sequence,
            ...(lock.data.queryId !== undefined ? { queryId: lock.data.queryId } : {}),
            ...(lock.data.clientIp !== undefined ? { client: lock.data.clientIp } : {}),
            createdAt: lock.ctime ?? Date.now(),
          });
        }
      } else {
        try {
          const listing = await listInstances(this.session, root.path);
          for (const instance of listing.instances) {
            instances.set(instance.path, instanceFields(root, instance.znode, instance.host, instance.port));
          }
        } catch (error) {
          if (!isHiveZkError(error, 'NAMESPACE_MISSING')) {
            throw error;
          }
        }
      }
    }
    return { locks, instances };
  }

  /** First read: what stands is known (so an older blocker is), never reported. */
  private async readAll(): Promise<void> {
    const { locks, instances } = await this.snapshot();
    for (const lock of locks.values()) {
      this.activity.stand(lock);
    }
    for (const [path, fact] of instances) {
      this.instances.set(path, fact);
    }
  }

  /** Changes held during a read, applied against what it found: a create already known or a delete of the unknown is no change. */
  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) {
      const known = this.activity.get(event.path) !== undefined || this.instances.has(event.path);
      if ((event.type === 'created' && !known) || (event.type === 'deleted' && known)) {
        this.handle(event);
      }
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
        const { locks, instances } = await this.snapshot();
        if (this.disposed) {
          return;
        }
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
            this.lockCreated(lock);
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
        if (reason !== 'poll') {
          this.emit({ time: now(), type: 'resync', reason, created, deleted });
        }
      } catch (error) {
        const failure = toHiveZkError(error);
        this.emit({ time: now(), type: 'error', code: failure.code, message: failure.message });
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
        this.listed.clear();
        void this.listPerNode().then(() => this.emit({ time: now(), type: 'resync', reason: 'new-session', created: 0, deleted: 0 }));
      } else if (this.currentMode === 'polling') {
        this.schedulePoll();
      }
    }
  }

  // ---- servers before 3.6 ----

  private schedulePoll(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.resync('poll');
      void this.resyncing?.finally(() => !this.disposed && this.schedulePoll());
    }, this.options.pollIntervalMs);
  }

  /**
   * Child watches on every znode below the roots (servers before 3.6): each is listed with a watch,
   * its locks read in one batch; a change lists it again. Past maxWatchedNodes this turns to polling.
   */
  private async listPerNode(): Promise<void> {
    this.held = [];
    const queue: { path: string; root: Root; depth: number }[] = this.roots.map((root) => ({ path: root.path, root, depth: 0 }));
    const lockPaths: string[] = [];
    for (let item = queue.pop(); item; item = queue.pop()) {
      if (this.listed.size >= this.options.maxWatchedNodes) {
        this.listed.clear();
        this.currentMode = 'polling';
        this.watchCount = 0;
        this.held = undefined;
        await this.readAll();
        return;
      }
      const children = await this.listWatched(item.path);
      for (const child of children) {
        const path = childPath(item.path, child);
        if (item.root.kind === 'locks') {
          if (lockNameMode(child)) {
            lockPaths.push(path);
          } else {
            queue.push({ path, root: item.root, depth: item.depth + 1 });
          }
        }
      }
    }
    this.watchCount = this.listed.size;
    const lockRoot = this.roots.find((r) => r.kind === 'locks');
    const reads = await this.session.getDataMany(lockPaths);
    reads.forEach((read, i) => {
      if (!(read instanceof HiveZkError) && lockRoot) {
        this.activity.stand(lockFact(lockRoot.path, lockPaths[i], read.data, read.stat));
      }
    });
    for (const root of this.roots) {
      if (root.kind === 'namespace') {
        const names = [...(this.listed.get(root.path) ?? [])].filter((n) => !NON_INSTANCE_CHILDREN.has(n));
        const data = await this.session.getDataMany(names.map((n) => childPath(root.path, n)));
        names.forEach((name, i) => {
          const read = data[i];
          this.instances.set(childPath(root.path, name), instanceFact(root, name, read instanceof HiveZkError ? undefined : read.data));
        });
      }
    }
    this.held = undefined;
  }

  /** Lists a znode with a child watch (an exists watch while it is missing) and remembers its children. */
  private async listWatched(path: string): Promise<string[]> {
    const watcher = (): void => {
      if (!this.disposed && this.currentMode === 'per-node') {
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
      const failure = toHiveZkError(error);
      this.emit({ time: now(), type: 'error', code: failure.code, message: failure.message });
      return;
    }
    const current = new Set(after);
    for (const name of before) {
      if (!current.has(name)) {
        const child = childPath(path, name);
        this.listed.delete(child);
        this.handle({ type: 'deleted', path: child });
      }
    }
    for (const name of after) {
      if (!before.has(name)) {
        const child = childPath(path, name);
        const place = this.place(child);
        if (place) {
          this.handle({ type: 'created', path: child });
        } else if (this.roots.some((r) => r.kind === 'locks' && child.startsWith(`${r.path}/`))) {
          // A new object (database, table, partition): watched from now on, its locks reported as they appear.
          await this.relist(child);
        }
      }
    }
    this.watchCount = this.listed.size;
  }
}

function now(): string {
  return new Date().toISOString();
}

/** A lock from its path below `root` and, when it could be read, its data and stat. */
function lockFact(root: string, path: string, data: Buffer | undefined, stat: ZnodeStat | undefined): LockFact {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const objectPath = path.slice(0, slash);
  const segments = objectPath.length > root.length ? objectPath.slice(root.length + 1).split('/') : [];
  const decoded = data && data.length > 0 ? decodeLockData(data) : undefined;
  return {
    path,
    objectPath,
    object: formatLockObject(decodeLockObject(segments)),
    mode: lockNameMode(name) ?? 'SHARED',
    sequence: lockNameSequence(name),
    ...(decoded?.queryId !== undefined ? { queryId: decoded.queryId } : {}),
    ...(decoded?.clientIp !== undefined ? { client: decoded.clientIp } : {}),
    createdAt: stat && stat.ctime > 0 ? stat.ctime : Date.now(),
  };
}

function lockFields(lock: LockFact): { path: string; mode: LockMode; object: string; queryId?: string; client?: string } {
  return {
    path: lock.path,
    mode: lock.mode,
    object: lock.object,
    ...(lock.queryId !== undefined ? { queryId: lock.queryId } : {}),
    ...(lock.client !== undefined ? { client: lock.client } : {}),
  };
}

/** A registration's host and port: from its data as the driver reads it, else from its name (serverUri=…). */
function instanceFact(root: Root & { kind: 'namespace' }, znode: string, data: Buffer | undefined): InstanceFact {
  if (data) {
    const instance = describeInstance(root.path, znode, decodeInstanceData(data));
    return instanceFields(root, znode, instance.host, instance.port);
  }
  const named = parseInstanceName(znode);
  return instanceFields(root, znode, named?.host, named?.port);
}

function instanceFields(root: Root & { kind: 'namespace' }, znode: string, host: string | undefined, port: number | undefined): InstanceFact {
  return { namespace: root.namespace, znode, ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) };
}
