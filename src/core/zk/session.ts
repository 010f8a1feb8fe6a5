// The ZooKeeper session as the rest of the extension sees it: a promise API over one shared session per
// ensemble, with a per-request timeout and a bound on requests in flight; batched reads (multiRead.ts),
// persistent watches (persistentWatches.ts) and who-am-I (sessionIdentity.ts) where the server has them.
// Its parts: the connect lifecycle (clientLifecycle.ts: one client at a time, connect timeout, a dead
// client replaced on next use), the requests the library cannot write (ownRequests.ts), and the one
// seam to node-zookeeper-client's internals (library.ts) under the socket hook (socketHook.ts).

import { Semaphore } from '../concurrency';
import { ClientLifecycle, type Disposable, type SessionClient, type SessionState, type StateChange } from './clientLifecycle';
import { formatConnectString, parseConnectString, type ConnectString } from './connectString';
import { HiveZkError } from '../errors';
import type { SessionIdentities } from './identities';
import { libraryAcls, libraryCreateMode, oneShotWatchesOn } from './library';
import { toAcl, toStat, toWatchEvent, type AclChoice, type Cb, type CreateMode, type ZkAcl } from './libraryApi';
import { MULTI_READ_DEFAULTS, MultiReader, decodeMultiReadReply, type MultiReadAnswer, type MultiReadOptions, type Sink, type InFrameSink, type InFrameListingSink } from './multiRead';
import { addWatchRequest, multiReadRequest, removeWatchesRequest, setWatches2Request, type Invoke } from './ownRequests';
import { PersistentWatches, persistentWatchesUnsupported, type PersistentWatchListener } from './persistentWatches';
import { PendingRequests, type PendingRequest } from './requestDeadlines';
import { FATAL_CODES, isUnimplemented, mapError, pathProblem } from './errorMap';
import { SessionIdentity } from './sessionIdentity';
import type { ZkTransport } from './socketHook';
import type { WatchListener, ZnodeAcl, ZnodeData, ZnodeStat, ReadOutcome } from './types';
import type { AddWatchMode } from './wire';
import type { MultiReadKind } from './wireMultiRead';
import { takeWhoAmIReply } from './whoAmI';
import { pathAt, type ZnodePaths } from './znodePath';

export type { Disposable, SessionState, StateChange } from './clientLifecycle';
export { libraryInternalsProblems } from './library';
export type { HandshakeChannel, ServerAddress, ZkTransport } from './socketHook';
export type { MultiReadOptions } from './multiRead';
export type { SessionIdentities, ZkIdentity } from './identities';
export type { PersistentWatchEvent, PersistentWatchListener } from './persistentWatches';
export type { AddWatchMode } from './wire';
export type { ReadOutcome, WatchEventType, WatchListener, ZnodeAcl, ZnodeData, ZnodeStat } from './types';

export interface ZkSessionOptions {
  /** "host:port[,host:port…][/chroot]" */
  connectString: string;
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Requests on the wire at once; the rest wait in FIFO order. */
  maxInFlight?: number;
  /** Digest credential "user:password". A secret: never logged or echoed. */
  digest?: string;
  /** How sockets are made and what runs on each new connection (TLS, SASL); plain TCP when absent. */
  transport?: ZkTransport;
  /** Batched reads (getDataMany/getChildrenMany) through multiRead on ZooKeeper 3.6+. */
  multiRead?: MultiReadOptions;
}

export interface BatchReadOptions {
  /** Expected data sizes, index-aligned with the paths (e.g. the stat dataLength from an earlier read): big znodes go in small batches. */
  expectedBytes?: readonly (number | undefined)[];
  /** Takes the data reads that came by multiRead in place instead of `each` (which still gets single reads and errors). */
  inFrame?: InFrameSink;
}

const DEFAULTS = { sessionTimeoutMs: 30_000, connectTimeoutMs: 10_000, requestTimeoutMs: 15_000, maxInFlight: 128 };

/** The one listener of re-armed one-shot watches (the library keeps one per path and function: not one more per addWatch). */
const REARMED = (): void => undefined;

export class ZkSession {
  readonly connect: ConnectString;
  private readonly options: Required<Omit<ZkSessionOptions, 'digest' | 'connectString' | 'transport' | 'multiRead'>> & { digest?: string; transport: ZkTransport; multiRead: Required<MultiReadOptions> };
  private readonly limiter: Semaphore;
  private readonly lifecycle: ClientLifecycle;
  private readonly multiReader: MultiReader;
  private readonly identity: SessionIdentity;
  /** Persistent watches, kept across connections and clients: each new connection adds them again. */
  private readonly persistentWatches = new PersistentWatches();
  /** Requests on the wire: failed at their deadline, or at once when their client is dropped. */
  private readonly pending: PendingRequests<SessionClient>;
  private requestCounter = 0;

  constructor(options: ZkSessionOptions) {
    this.connect = parseConnectString(options.connectString);
    this.options = {
      sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULTS.sessionTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      maxInFlight: options.maxInFlight ?? DEFAULTS.maxInFlight,
      ...(options.digest !== undefined ? { digest: options.digest } : {}),
      transport: options.transport ?? {},
      multiRead: { ...MULTI_READ_DEFAULTS, ...options.multiRead },
    };
    const chroot = this.connect.chroot ?? '';
    this.limiter = new Semaphore(this.options.maxInFlight);
    this.pending = new PendingRequests<SessionClient>(this.options.requestTimeoutMs, (entry) => this.timeOut(entry));
    this.lifecycle = new ClientLifecycle({
      connectString: this.connectString,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
      ...(this.options.digest !== undefined ? { digest: this.options.digest } : {}),
      transport: this.options.transport,
      inspectFrame: (current, frame) => {
        decodeMultiReadReply(current.multiRead, frame);
        takeWhoAmIReply(current.whoAmI, frame);
        return this.persistentWatches.inspect(frame, chroot);
      },
      onConnection: (current, connectionId) => {
        const info = { connectionId, generation: this.generation };
        this.persistentWatches.rearm((watches) => this.request(watches[0].path, setWatches2Request(watches, chroot)), info, () => this.lifecycle.current === current);
      },
      onDrop: (reason) => this.pending.failAll(reason),
    });
    this.identity = new SessionIdentity({
      connectString: this.connectString,
      digest: this.options.digest,
      transport: this.options.transport,
      state: () => this.state,
      ensure: () => this.lifecycle.ensure(),
      current: () => this.lifecycle.current,
      multiReadUnsupported: () => this.multiReader.state === 'unsupported',
      whenIdle: () => this.pending.whenIdle(),
      probe: (invoke) => this.request('/', invoke, 'probe'),
    });
    this.multiReader = new MultiReader(
      {
        connectString: this.connectString,
        maxInFlight: this.options.maxInFlight,
        currentClient: async () => {
          const { multiRead, hook } = await this.lifecycle.ensure();
          return { support: multiRead, hook };
        },
        currentSupport: () => this.lifecycle.current?.multiRead,
        send: (kind, paths, mode) => this.sendMultiRead(kind, paths, mode),
        readOne: async (kind, path) => (kind === 'data' ? this.getData(path) : (await this.getChildren(path)).children),
        whenIdle: () => this.pending.whenIdle(),
        identities: () => this.identity.now(),
        learnIdentities: () => this.identity.whoAmI().catch(() => undefined),
      },
      this.options.multiRead,
    );
  }

  get connectString(): string {
    return formatConnectString(this.connect);
  }

  get state(): SessionState {
    return this.lifecycle.state;
  }

  get generation(): number {
    return this.lifecycle.generation;
  }

  /** Requests sent to the server since this session object was made. */
  get requestCount(): number {
    return this.requestCounter;
  }

  /** The server-side session id (hex), when connected. */
  get sessionId(): string | undefined {
    const id = this.lifecycle.current?.client.getSessionId();
    return id && id.length > 0 ? id.toString('hex') : undefined;
  }

  onDidChangeState(listener: (change: StateChange) => void): Disposable {
    return this.lifecycle.onDidChangeState(listener);
  }

  /** Connects now (normally a connection is made lazily by the first request). */
  async open(): Promise<void> {
    await this.lifecycle.ensure();
  }

  async getChildren(path: string, watch?: WatchListener): Promise<{ children: string[]; stat: ZnodeStat }> {
    return this.request<[string[], unknown]>(path, ({ client }, cb) => {
      if (watch) {
        client.getChildren(path, (event) => watch(toWatchEvent(event)), cb);
      } else {
        client.getChildren(path, cb);
      }
    }).then(([children, stat]) => ({ children, stat: toStat(stat) }));
  }

  async getData(path: string, watch?: WatchListener): Promise<{ data: Buffer; stat: ZnodeStat }> {
    return this.request<[Buffer | null | undefined, unknown]>(path, ({ client }, cb) => {
      if (watch) {
        client.getData(path, (event) => watch(toWatchEvent(event)), cb);
      } else {
        client.getData(path, cb);
      }
    }).then(([data, stat]) => ({ data: data ?? Buffer.alloc(0), stat: toStat(stat) }));
  }

  /** Many znodes' data: multiRead batches on 3.6+, pipelined single reads before; each gets its data or the error
   * a single getData would throw (ZK_NO_NODE, ZK_NO_AUTH, …). No watches (multiRead carries none). */
  async getDataMany(paths: readonly string[], options: Pick<BatchReadOptions, 'expectedBytes'> = {}): Promise<ReadOutcome<ZnodeData>[]> {
    const results = new Array<ReadOutcome<ZnodeData>>(paths.length);
    await this.forEachData(paths, (outcome, index) => (results[index] = outcome), options);
    return results;
  }

  /** Lists many znodes' children as getDataMany reads data (the stat is not part of a multiRead listing). */
  async getChildrenMany(paths: readonly string[]): Promise<ReadOutcome<string[]>[]> {
    const results = new Array<ReadOutcome<string[]>>(paths.length);
    await this.forEachChildren(paths, (outcome, index) => (results[index] = outcome));
    return results;
  }

  /** getDataMany handing each outcome to `each` as its batch arrives, in no set order (nothing kept); a throw
   * from `each` fails the call. Paths may come as parents and names (ChildPaths), never joined. */
  async forEachData(paths: ZnodePaths, each: (outcome: ReadOutcome<ZnodeData>, index: number) => void, options: BatchReadOptions = {}): Promise<void> {
    await this.multiReader.readMany('data', paths, each as Sink, options.expectedBytes, options.inFrame ? { data: options.inFrame } : {});
  }

  /** getChildrenMany, each outcome handed on as it arrives (see forEachData). `inFrame` takes multiRead
   * listings in place (no array or string per child); `each` still gets single reads and errors. */
  async forEachChildren(paths: readonly string[], each: (outcome: ReadOutcome<string[]>, index: number) => void, options: { inFrame?: InFrameListingSink } = {}): Promise<void> {
    await this.multiReader.readMany('children', paths, each as Sink, undefined, options.inFrame ? { children: options.inFrame } : {});
  }

  /** What this session's current client knows about multiRead: 'unknown' until it has been tried. */
  get multiReadState(): 'unknown' | 'supported' | 'unsupported' {
    return this.multiReader.state;
  }

  /**
   * A persistent watch on `path` (ZooKeeper 3.6+ addWatch; 'persistentRecursive' covers everything
   * below it): each notification goes to `listener.event` until the returned handle is disposed. It is
   * added again on every new connection (reconnect, failover, a new session after expiry), and then
   * `listener.rearmed` is told. Servers before 3.6 refuse it: the rejection satisfies isUnimplemented
   * (see watchesUnsupported), and the connection it cost is back before this settles.
   */
  async addPersistentWatch(path: string, mode: AddWatchMode, listener: PersistentWatchListener): Promise<Disposable> {
    if (this.multiReadState === 'unsupported') {
      throw persistentWatchesUnsupported(this.connectString);
    }
    // Listening before the request is written: a notification can come in the same socket chunk as
    // the reply, and the frames of one chunk are all handed in before the reply's promise settles.
    this.persistentWatches.add(path, mode, listener);
    try {
      await this.request(path, addWatchRequest(path, mode, this.connect.chroot));
    } catch (error) {
      this.persistentWatches.remove(path, mode, listener);
      if (isUnimplemented(error)) {
        // A server before 3.6: no multiRead either, and no second try on this client. It closes the
        // connection right after refusing: let that happen before anything else is sent.
        const current = this.lifecycle.current;
        if (current) {
          current.multiRead.unsupported = true;
        }
        await current?.hook.currentSocketClosed(1000);
        throw persistentWatchesUnsupported(this.connectString);
      }
      throw error;
    }
    this.persistentWatches.arm(path, mode, listener);
    await this.rearmOneShotWatches(path);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) {
          return;
        }
        disposed = true;
        if (this.persistentWatches.remove(path, mode, listener) && this.lifecycle.current && this.state === 'connected') {
          // Best effort. Before 3.9 only every watch on the path goes at once (its own type: MARSHALLING_ERROR
          // on 3.8): while the library holds one-shot watches there (the tree's), it is left to the connection.
          const held = oneShotWatchesOn(this.lifecycle.current.client, path);
          if (!held.child && !held.data) {
            this.request(path, removeWatchesRequest(path, this.connect.chroot)).catch(() => undefined);
          }
        }
      },
    };
  }

  /** Sets again the library's one-shot watches on `path` that an addWatch silenced (see oneShotWatchesOn), all with one listener. */
  private async rearmOneShotWatches(path: string): Promise<void> {
    const held = this.lifecycle.current && oneShotWatchesOn(this.lifecycle.current.client, path);
    const child = held?.child ? this.request(path, ({ client }, cb) => client.getChildren(path, REARMED, cb)) : undefined;
    await Promise.all([child, held?.data ? this.request(path, ({ client }, cb) => client.exists(path, REARMED, cb)) : undefined]).catch(() => undefined);
  }

  /** Notifications dropped before the library saw them (an event type it would throw on). */
  get malformedNotifications(): number {
    return this.persistentWatches.malformed;
  }

  /** The node's stat, or undefined if it does not exist. Works on nodes we may not read. */
  async exists(path: string, watch?: WatchListener): Promise<ZnodeStat | undefined> {
    const [stat] = await this.request<[unknown]>(path, ({ client }, cb) => {
      if (watch) {
        client.exists(path, (event) => watch(toWatchEvent(event)), cb);
      } else {
        client.exists(path, cb);
      }
    });
    return stat ? toStat(stat) : undefined;
  }

  async getAcl(path: string): Promise<{ acls: ZnodeAcl[]; stat: ZnodeStat }> {
    const [acls, stat] = await this.request<[ZkAcl[], unknown]>(path, ({ client }, cb) => client.getACL(path, cb));
    return { acls: acls.map(toAcl), stat: toStat(stat) };
  }

  /** Writes are only for tooling (tests, sandbox) and explicit, confirmed user actions. */
  async create(path: string, data: Buffer, mode: CreateMode = 'persistent', acl: AclChoice = 'open'): Promise<string> {
    const [created] = await this.request<[string]>(path, ({ client }, cb) => client.create(path, data, libraryAcls(acl), libraryCreateMode(mode), cb));
    return created;
  }

  async remove(path: string, version = -1): Promise<void> {
    await this.request<[]>(path, ({ client }, cb) => client.remove(path, version, cb));
  }

  /** Idempotent; fails every request still waiting. */
  close(): void {
    if (this.state === 'closed') {
      return;
    }
    this.lifecycle.close();
    this.pending.stop();
  }

  /**
   * Who this session is to ZooKeeper: the server's own answer (whoAmI, ZooKeeper 3.7+), else what this
   * client sent (see SessionIdentity.whoAmI). Never rejects for whoAmI's sake.
   */
  whoAmI(): Promise<SessionIdentities> {
    return this.identity.whoAmI();
  }

  private async request<T extends unknown[]>(path: string, invoke: Invoke<T>, mode: 'normal' | 'probe' = 'normal'): Promise<T> {
    const invalid = pathProblem(path);
    if (invalid) {
      throw invalid;
    }
    const send = async (): Promise<T> => {
      let current = await this.lifecycle.ensure();
      // While a probe is out, nothing else may be on the wire (the probe may cost the connection).
      for (let probe = this.probing(); mode === 'normal' && probe; probe = this.probing()) {
        await probe;
        current = await this.lifecycle.ensure();
      }
      this.requestCounter += 1;
      return new Promise<T>((resolve, reject) => {
        const entry: PendingRequest<SessionClient> = {
          deadline: Date.now() + this.options.requestTimeoutMs,
          client: current,
          path,
          fail: (error) => finish(error),
        };
        const finish = (error: HiveZkError | undefined, results?: T): void => {
          if (!this.pending.settle(entry)) {
            return; // already settled
          }
          if (error) {
            reject(error);
          } else {
            resolve(results as T);
          }
        };
        this.pending.add(entry);
        const callback: Cb<T> = (error, ...results) => {
          const failure = error ? mapError(error, path, this.connectString, this.identity.now(current)) : undefined;
          finish(failure, results);
          if (failure && FATAL_CODES.has(failure.code)) {
            this.lifecycle.retireCurrent(current, failure, 'authFailed', failure);
          }
        };
        try {
          invoke(current, callback);
        } catch (error) {
          finish(new HiveZkError('BAD_ARGUMENT', error instanceof Error ? error.message : String(error), { path }));
        }
      });
    };
    // The probe takes no slot: requests holding every slot may be waiting for it.
    const sent = mode === 'probe' ? send() : this.limiter.run(send);
    return mode === 'probe' ? sent : sent.catch((error: unknown) => this.identity.explainNoAuth(error));
  }

  /** A probe in flight (multiRead or whoAmI): other requests wait for it. */
  private probing(): Promise<unknown> | undefined {
    return this.multiReader.probing ?? this.identity.probing;
  }

  /** One multiRead through the library's own queue; the socket hook decodes the reply (decodeMultiReadReply) before the library files it. */
  private async sendMultiRead(kind: MultiReadKind, paths: ZnodePaths, mode: 'normal' | 'probe'): Promise<MultiReadAnswer> {
    let answer: MultiReadAnswer | undefined;
    await this.request(pathAt(paths, 0), multiReadRequest(kind, paths, this.connect.chroot, (received) => (answer = received)), mode);
    return answer ?? { frame: Buffer.alloc(0), offsets: new Int32Array(0) };
  }

  private timeOut(entry: PendingRequest<SessionClient>): void {
    entry.fail(new HiveZkError('ZK_TIMEOUT', `ZooKeeper did not answer within ${this.options.requestTimeoutMs} ms (${entry.path} on ${this.connectString}).`, { path: entry.path }));
    // A server that accepts but never answers is invisible to the library, and a reconnect can
    // hang on a half-started server for the library's own ~20 s: start afresh next time instead.
    if (this.state === 'connected' || this.state === 'reconnecting') {
      this.lifecycle.retireCurrent(entry.client, new HiveZkError('ZK_CONNECTION_LOSS', 'The ZooKeeper server stopped answering.'), 'error');
    }
  }
}
