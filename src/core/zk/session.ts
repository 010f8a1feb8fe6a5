// One shared ZooKeeper session per ensemble: the only module that talks to node-zookeeper-client.
// The library has no timeouts and never gives up on a dead address, so this module adds a connect
// timeout, a per-request timeout, a bound on requests in flight, and replaces a dead client
// (expired, auth failed, frozen) with a fresh one on next use. It runs the library over its own
// sockets (socketHook.ts) and adds batched reads through multiRead (multiRead.ts) and persistent
// watches (persistentWatches.ts) where the server has them.
// What holds a library client stays here (its requests, its connect and retirement); the rest lives
// in modules that never load the library (multiRead, requestDeadlines, zkLibrary, zkErrorMap).

import { Semaphore } from '../concurrency';
import { formatConnectString, parseConnectString, type ConnectString } from './connectString';
import { HiveZkError, isHiveZkError } from '../errors';
import { clientIdentities, credentialsFirst, digestUserOf, type ClientAuth, type SessionIdentities } from './identities';
import { MULTI_READ_DEFAULTS, MultiReader, decodeMultiReadReply, newMultiReadSupport, type MultiReadAnswer, type MultiReadOptions, type MultiReadSupport, type Sink, type InFrameSink, type InFrameListingSink } from './multiRead';
import { PersistentWatches, type PersistentWatchListener } from './persistentWatches';
import { PendingRequests, type PendingRequest } from './requestDeadlines';
import { FATAL_CODES, isUnimplemented, mapError, noAuthError, pathProblem } from './errorMap';
import {
  checkLibraryInternals,
  connectionManagerOf,
  queueOwnFrame,
  shutDown,
  toAcl,
  toStat,
  toWatchEvent,
  tolerateUnknownErrorCodes,
  type Cb,
  type Client,
  type LibraryInternals,
  type ZkAcl,
  type ZkState,
  type ZookeeperExceptions,
  type ZookeeperLibrary,
} from './library';
import { SocketHook, type ZkTransport } from './socketHook';
import type { WatchListener, ZnodeAcl, ZnodeData, ZnodeStat, ReadOutcome } from './types';
import { addWatchFrame, multiReadFrame, removeWatchesFrame, type AddWatchMode, type MultiReadKind } from './wire';
import { decodeWhoAmIReply, newWhoAmISupport, takeWhoAmIReply, whoAmIFrame, type WhoAmISupport } from './whoAmI';
import { pathAt, type ZnodePaths } from './znodePath';

export type { HandshakeChannel, ServerAddress, ZkTransport } from './socketHook';
export type { MultiReadOptions } from './multiRead';
export type { SessionIdentities, ZkIdentity } from './identities';
export type { PersistentWatchEvent, PersistentWatchListener } from './persistentWatches';
export type { AddWatchMode } from './wire';
export type { ReadOutcome, WatchEventType, WatchListener, ZnodeAcl, ZnodeData, ZnodeStat } from './types';

export type SessionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'expired' | 'authFailed' | 'error' | 'closed';

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

export interface StateChange {
  state: SessionState;
  /** Increments each time a new underlying client is created (watches must be re-armed). */
  generation: number;
  error?: HiveZkError;
}

export interface Disposable {
  dispose(): void;
}

const DEFAULTS = {
  sessionTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  maxInFlight: 128,
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client') as ZookeeperLibrary;
// The library's own module object (its `create` is replaced), not a namespace copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
tolerateUnknownErrorCodes(require('node-zookeeper-client/lib/Exception.js') as ZookeeperExceptions);

let internalsChecked: string[] | undefined;

/**
 * What the socket hook needs from node-zookeeper-client's internals and does not find (empty when
 * all is in place); checked once, before the first client is made.
 */
export function libraryInternalsProblems(): string[] {
  if (!internalsChecked) {
    const internals: LibraryInternals = {
      library: zookeeper,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      version: (require('node-zookeeper-client/package.json') as { version?: string }).version,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      connectionManagerClass: require('node-zookeeper-client/lib/ConnectionManager.js') as LibraryInternals['connectionManagerClass'],
    };
    internalsChecked = checkLibraryInternals(internals);
  }
  return internalsChecked;
}

export class ZkSession {
  readonly connect: ConnectString;
  private readonly options: Required<Omit<ZkSessionOptions, 'digest' | 'connectString' | 'transport' | 'multiRead'>> & { digest?: string; transport: ZkTransport; multiRead: Required<MultiReadOptions> };
  private readonly limiter: Semaphore;
  private client: Client | undefined;
  /** Our socket hook under each client (its connections, errors, handshake outcome). */
  private readonly hooks = new WeakMap<Client, SocketHook>();
  private readonly multiReadSupport = new WeakMap<Client, MultiReadSupport>();
  private readonly multiReader: MultiReader;
  private readonly whoAmISupport = new WeakMap<Client, WhoAmISupport>();
  /** A whoAmI the server may not know (it would close the connection): nothing else is sent meanwhile. */
  private whoAmIProbe: Promise<SessionIdentities> | undefined;
  /** Persistent watches, kept across connections and clients: each new connection adds them again. */
  private readonly persistentWatches = new PersistentWatches();
  private connecting: Promise<Client> | undefined;
  /** Ends the connect in flight (close() while connecting): its client is shut down, its events ignored. */
  private abortConnect: ((error: HiveZkError) => void) | undefined;
  private currentState: SessionState = 'idle';
  private generationCounter = 0;
  private disconnectTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(change: StateChange) => void>();
  /** Requests on the wire: failed at their deadline, or at once when their client is dropped. */
  private readonly pending: PendingRequests<Client>;
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
    this.limiter = new Semaphore(this.options.maxInFlight);
    this.pending = new PendingRequests<Client>(this.options.requestTimeoutMs, (entry) => this.timeOut(entry));
    this.multiReader = new MultiReader(
      {
        connectString: this.connectString,
        maxInFlight: this.options.maxInFlight,
        currentClient: async () => {
          const client = await this.ensureClient();
          const support = this.multiReadSupport.get(client);
          const hook = this.hooks.get(client);
          return support && hook ? { support, hook } : undefined;
        },
        currentSupport: () => (this.client ? this.multiReadSupport.get(this.client) : undefined),
        send: (kind, paths, mode) => this.sendMultiRead(kind, paths, mode),
        readOne: async (kind, path) => (kind === 'data' ? this.getData(path) : (await this.getChildren(path)).children),
        whenIdle: () => this.pending.whenIdle(),
        identities: () => this.identitiesNow(),
        learnIdentities: () => this.whoAmI().catch(() => undefined),
      },
      this.options.multiRead,
    );
  }

  get connectString(): string {
    return formatConnectString(this.connect);
  }

  get state(): SessionState {
    return this.currentState;
  }

  get generation(): number {
    return this.generationCounter;
  }

  /** Requests sent to the server since this session object was made. */
  get requestCount(): number {
    return this.requestCounter;
  }

  /** The server-side session id (hex), when connected. */
  get sessionId(): string | undefined {
    const id = this.client?.getSessionId();
    return id && id.length > 0 ? id.toString('hex') : undefined;
  }

  onDidChangeState(listener: (change: StateChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Connects now (normally a connection is made lazily by the first request). */
  async open(): Promise<void> {
    await this.ensureClient();
  }

  async getChildren(path: string, watch?: WatchListener): Promise<{ children: string[]; stat: ZnodeStat }> {
    return this.request<[string[], unknown]>(path, (client, cb) => {
      if (watch) {
        client.getChildren(path, (event) => watch(toWatchEvent(event)), cb);
      } else {
        client.getChildren(path, cb);
      }
    }).then(([children, stat]) => ({ children, stat: toStat(stat) }));
  }

  async getData(path: string, watch?: WatchListener): Promise<{ data: Buffer; stat: ZnodeStat }> {
    return this.request<[Buffer | null | undefined, unknown]>(path, (client, cb) => {
      if (watch) {
        client.getData(path, (event) => watch(toWatchEvent(event)), cb);
      } else {
        client.getData(path, cb);
      }
    }).then(([data, stat]) => ({ data: data ?? Buffer.alloc(0), stat: toStat(stat) }));
  }

  /**
   * Reads many znodes' data: multiRead batches on ZooKeeper 3.6+, pipelined single reads on older
   * servers. Each znode gets its data or the error a single getData would throw (ZK_NO_NODE,
   * ZK_NO_AUTH, …). No watches (multiRead carries none): watch with getData.
   */
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

  /**
   * getDataMany that hands each outcome to `each` as soon as its batch arrives, in no set order:
   * decoding overlaps the reads still on the wire, and nothing is kept. An exception from `each`
   * fails the whole call. Paths may come as parents and names (ChildPaths), never joined.
   */
  async forEachData(paths: ZnodePaths, each: (outcome: ReadOutcome<ZnodeData>, index: number) => void, options: BatchReadOptions = {}): Promise<void> {
    await this.multiReader.readMany('data', paths, each as Sink, options.expectedBytes, options.inFrame ? { data: options.inFrame } : {});
  }

  /**
   * getChildrenMany, each outcome handed on as it arrives (see forEachData). `inFrame` takes the
   * listings that came by multiRead in place (no array or string per child); `each` still gets
   * single reads and errors.
   */
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
   * added again on every new connection (reconnect, failover, a new session after expiry), after which
   * `listener.rearmed` is told. Servers before 3.6 refuse it: the rejection satisfies isUnimplemented
   * (see watchesUnsupported), and the connection it cost is back before this settles.
   */
  async addPersistentWatch(path: string, mode: AddWatchMode, listener: PersistentWatchListener): Promise<Disposable> {
    if (this.multiReadState === 'unsupported') {
      throw persistentWatchesUnsupported(this.connectString);
    }
    try {
      await this.sendAddWatch(path, mode);
    } catch (error) {
      if (isUnimplemented(error)) {
        // A server before 3.6: no multiRead either, and no second try on this client. It closes the
        // connection right after refusing: let that happen before anything else is sent.
        const support = this.multiReadSupport.get(this.client as Client);
        if (support) {
          support.unsupported = true;
        }
        const hook = this.client ? this.hooks.get(this.client) : undefined;
        await hook?.currentSocketClosed(1000);
        throw persistentWatchesUnsupported(this.connectString);
      }
      throw error;
    }
    this.persistentWatches.add(path, mode, listener);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) {
          return;
        }
        disposed = true;
        if (this.persistentWatches.remove(path, mode, listener) && this.client && this.currentState === 'connected') {
          // Best effort: a session that is closing ends its watches anyway.
          this.request<[]>(path, (client, cb) => queueOwnFrame(client, (xid) => removeWatchesFrame(xid, path, this.connect.chroot), (error) => cb(error ?? null))).catch(() => undefined);
        }
      },
    };
  }

  /** Notifications dropped before the library saw them (an event type it would throw on). */
  get malformedNotifications(): number {
    return this.persistentWatches.malformed;
  }

  private sendAddWatch(path: string, mode: AddWatchMode): Promise<void> {
    return this.request<[]>(path, (client, cb) => queueOwnFrame(client, (xid) => addWatchFrame(xid, path, mode, this.connect.chroot), (error) => cb(error ?? null))).then(() => undefined);
  }

  /** A new connection of `client`: every persistent watch is added again, then its listeners are told. */
  private rearmPersistentWatches(client: Client, connectionId: number): void {
    const generation = this.generationCounter;
    for (const watch of this.persistentWatches.all()) {
      this.sendAddWatch(watch.path, watch.mode).then(
        () => watch.listeners.forEach((listener) => listener.rearmed?.({ connectionId, generation })),
        (error: unknown) => {
          // A connection lost again is retried by the next connection; anything else ends the watch.
          if (error instanceof HiveZkError && error.code !== 'ZK_CONNECTION_LOSS' && error.code !== 'ZK_CLOSED' && this.client === client) {
            watch.listeners.forEach((listener) => listener.failed?.(error));
          }
        },
      );
    }
  }

  /** The node's stat, or undefined if it does not exist. Works on nodes we may not read. */
  async exists(path: string, watch?: WatchListener): Promise<ZnodeStat | undefined> {
    const [stat] = await this.request<[unknown]>(path, (client, cb) => {
      if (watch) {
        client.exists(path, (event) => watch(toWatchEvent(event)), cb);
      } else {
        client.exists(path, cb);
      }
    });
    return stat ? toStat(stat) : undefined;
  }

  async getAcl(path: string): Promise<{ acls: ZnodeAcl[]; stat: ZnodeStat }> {
    const [acls, stat] = await this.request<[ZkAcl[], unknown]>(path, (client, cb) => client.getACL(path, cb));
    return { acls: acls.map(toAcl), stat: toStat(stat) };
  }

  /** Writes are only for tooling (tests, sandbox) and explicit, confirmed user actions. */
  async create(
    path: string,
    data: Buffer,
    mode: 'persistent' | 'ephemeral' | 'persistentSequential' | 'ephemeralSequential' = 'persistent',
    acl: 'open' | 'creatorOnly' | 'worldReadCreatorAll' = 'open',
  ): Promise<string> {
    const acls = {
      open: zookeeper.ACL.OPEN_ACL_UNSAFE,
      creatorOnly: zookeeper.ACL.CREATOR_ALL_ACL,
      worldReadCreatorAll: [...zookeeper.ACL.READ_ACL_UNSAFE, ...zookeeper.ACL.CREATOR_ALL_ACL],
    }[acl];
    const createMode = {
      persistent: zookeeper.CreateMode.PERSISTENT,
      ephemeral: zookeeper.CreateMode.EPHEMERAL,
      persistentSequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
      ephemeralSequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
    }[mode];
    const [created] = await this.request<[string]>(path, (client, cb) => client.create(path, data, acls, createMode, cb));
    return created;
  }

  async remove(path: string, version = -1): Promise<void> {
    await this.request<[]>(path, (client, cb) => client.remove(path, version, cb));
  }

  /** Idempotent; fails every request still waiting. */
  close(): void {
    if (this.currentState === 'closed') {
      return;
    }
    const closed = new HiveZkError('ZK_CLOSED', 'The ZooKeeper session was closed.');
    this.abortConnect?.(closed);
    this.dropClient(closed);
    this.pending.stop();
    this.setState('closed');
    this.listeners.clear();
  }

  private async request<T extends unknown[]>(path: string, invoke: (client: Client, callback: Cb<T>) => void, mode: 'normal' | 'probe' = 'normal'): Promise<T> {
    const invalid = pathProblem(path);
    if (invalid) {
      throw invalid;
    }
    const send = async (): Promise<T> => {
      let client = await this.ensureClient();
      // While a probe is out, nothing else may be on the wire (the probe may cost the connection).
      for (let probe = this.probing(); mode === 'normal' && probe; probe = this.probing()) {
        await probe;
        client = await this.ensureClient();
      }
      this.requestCounter += 1;
      return new Promise<T>((resolve, reject) => {
        const entry: PendingRequest<Client> = {
          deadline: Date.now() + this.options.requestTimeoutMs,
          client,
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
        try {
          invoke(client, (error, ...results) => {
            const failure = error ? mapError(error, path, this.connectString, this.identitiesNow(client)) : undefined;
            finish(failure, results);
            if (failure && FATAL_CODES.has(failure.code) && this.client === client) {
              this.dropClient(failure);
              this.setState('authFailed', failure);
            }
          });
        } catch (error) {
          finish(new HiveZkError('BAD_ARGUMENT', error instanceof Error ? error.message : String(error), { path }));
        }
      });
    };
    // The probe takes no slot: requests holding every slot may be waiting for it.
    const sent = mode === 'probe' ? send() : this.limiter.run(send);
    return mode === 'probe' ? sent : sent.catch((error: unknown) => this.explainNoAuth(error));
  }

  /** A probe in flight (multiRead or whoAmI): other requests wait for it. */
  private probing(): Promise<unknown> | undefined {
    return this.multiReader.probing ?? this.whoAmIProbe;
  }

  /**
   * Who this session is to ZooKeeper: the server's own answer (whoAmI, ZooKeeper 3.7+), else what
   * this client sent (its SASL user or mechanism, its digest user). Asked once per client; an older
   * server answers -6 and closes the connection, so the first ask goes out alone (as a multiRead
   * probe does) and the answer "none" is remembered. Never rejects for whoAmI's sake: a failure to
   * ask falls back to the client's knowledge, with the reason in `problem`.
   */
  async whoAmI(): Promise<SessionIdentities> {
    const client = await this.ensureClient();
    const support = this.whoAmISupport.get(client);
    // A server without multiRead (before 3.6) has no whoAmI either: not worth a lost connection.
    if (!support || support.identities || support.unsupported || this.multiReader.state === 'unsupported') {
      return this.identitiesNow(client) ?? { source: 'client', identities: [], client: {} };
    }
    this.whoAmIProbe ??= this.askWhoAmI(client, support).finally(() => {
      this.whoAmIProbe = undefined;
    });
    return this.whoAmIProbe;
  }

  private async askWhoAmI(client: Client, support: WhoAmISupport): Promise<SessionIdentities> {
    await this.pending.whenIdle();
    let problem: string | undefined;
    try {
      support.identities = credentialsFirst(await this.sendWhoAmI());
    } catch (error) {
      if (isUnimplemented(error)) {
        support.unsupported = true;
        // The server closes the connection right after its -6: let it, before anything else is sent.
        await this.hooks.get(client)?.currentSocketClosed(1000);
      } else {
        problem = error instanceof Error ? error.message : String(error);
      }
    }
    const who = this.identitiesNow(client) ?? { source: 'client' as const, identities: [], client: {} };
    return problem !== undefined ? { ...who, problem } : who;
  }

  private async sendWhoAmI(): Promise<NonNullable<WhoAmISupport['identities']>> {
    let reply: Buffer | undefined;
    await this.request<[]>(
      '/',
      (client, callback) => {
        const support = this.whoAmISupport.get(client);
        if (!support) {
          callback(new Error('No socket hook on this client.'));
          return;
        }
        queueOwnFrame(
          client,
          (xid) => {
            support.replies.set(xid, undefined);
            return whoAmIFrame(xid);
          },
          (error, xid) => {
            if (xid !== undefined) {
              reply = support.replies.get(xid);
              support.replies.delete(xid);
            }
            callback(error ?? null);
          },
        );
      },
      'probe',
    );
    if (!reply) {
      throw new HiveZkError('ZK_ERROR', 'ZooKeeper sent no whoAmI answer.');
    }
    return decodeWhoAmIReply(reply);
  }

  /** What is known now of who this client is, without asking: the server's answer if it has given one. */
  private identitiesNow(client = this.client): SessionIdentities | undefined {
    if (!client) {
      return undefined;
    }
    const auth: ClientAuth = { ...this.options.transport.clientAuth?.() };
    const digestUser = digestUserOf(this.options.digest);
    if (digestUser !== undefined) {
      auth.digestUser = digestUser;
    }
    const fromServer = this.whoAmISupport.get(client)?.identities;
    return fromServer ? { source: 'server', identities: fromServer, client: auth } : { source: 'client', identities: clientIdentities(auth), client: auth };
  }

  /** A ZK_NO_AUTH says who was refused: the server's identities are asked for (once) if not yet known. */
  private async explainNoAuth(error: unknown): Promise<never> {
    if (!isHiveZkError(error, 'ZK_NO_AUTH') || error.details.identitySource === 'server' || this.currentState !== 'connected') {
      throw error;
    }
    const who = await this.whoAmI().catch(() => undefined);
    if (!who || who.source !== 'server') {
      throw error;
    }
    throw noAuthError(String(error.details.path), this.connectString, who, error.cause instanceof Error ? error.cause : undefined);
  }

  /**
   * Sends one multiRead through the library's own queue (queueOwnFrame); the socket hook decodes the
   * reply (decodeMultiReadReply) before the library files it.
   */
  private async sendMultiRead(kind: MultiReadKind, paths: ZnodePaths, mode: 'normal' | 'probe'): Promise<MultiReadAnswer> {
    let answer: MultiReadAnswer | undefined;
    await this.request<[]>(
      pathAt(paths, 0),
      (client, callback) => {
        const support = this.multiReadSupport.get(client);
        const hook = this.hooks.get(client);
        if (!support || !hook) {
          callback(new Error('No socket hook on this client.'));
          return;
        }
        let connectionId = 0;
        queueOwnFrame(
          client,
          (xid) => {
            connectionId = hook.connectionId;
            support.replies.set(xid, { kind });
            return multiReadFrame(xid, kind, paths, this.connect.chroot);
          },
          (error, xid) => {
            const reply = xid !== undefined ? support.replies.get(xid) : undefined;
            if (xid !== undefined) {
              support.replies.delete(xid);
            }
            if (error) {
              callback(error);
            } else if (reply?.answer) {
              support.supportedOn = connectionId;
              answer = reply.answer;
              callback(null);
            } else {
              callback(reply?.failure ?? new Error('ZooKeeper sent no readable multiRead answer.'));
            }
          },
        );
      },
      mode,
    );
    return answer ?? { frame: Buffer.alloc(0), offsets: new Int32Array(0) };
  }

  private timeOut(entry: PendingRequest<Client>): void {
    entry.fail(new HiveZkError('ZK_TIMEOUT', `ZooKeeper did not answer within ${this.options.requestTimeoutMs} ms (${entry.path} on ${this.connectString}).`, { path: entry.path }));
    // A server that accepts but never answers is invisible to the library, and a reconnect can
    // hang on a half-started server for the library's own ~20 s: start afresh next time instead.
    if (this.client === entry.client && (this.currentState === 'connected' || this.currentState === 'reconnecting')) {
      this.dropClient(new HiveZkError('ZK_CONNECTION_LOSS', 'The ZooKeeper server stopped answering.'));
      this.setState('error');
    }
  }

  private ensureClient(): Promise<Client> {
    if (this.currentState === 'closed') {
      return Promise.reject(new HiveZkError('ZK_CLOSED', 'The ZooKeeper session was closed.'));
    }
    if (this.client) {
      return Promise.resolve(this.client);
    }
    this.connecting ??= this.startClient().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private startClient(): Promise<Client> {
    const internalsProblems = libraryInternalsProblems();
    if (internalsProblems.length > 0) {
      return Promise.reject(new HiveZkError('ZK_ERROR', `The bundled node-zookeeper-client is not the version this extension was built for: ${internalsProblems.join('; ')}.`));
    }
    const client = zookeeper.createClient(this.connectString, {
      sessionTimeout: this.options.sessionTimeoutMs,
      spinDelay: 200,
      retries: 0,
    });
    const support = newMultiReadSupport();
    const who = newWhoAmISupport();
    const hook = new SocketHook(connectionManagerOf(client), {
      transport: this.options.transport,
      handshakeTimeoutMs: this.options.connectTimeoutMs,
      inspectFrame: (frame) => {
        decodeMultiReadReply(support, frame);
        takeWhoAmIReply(who, frame);
        return this.persistentWatches.inspect(frame, this.connect.chroot ?? '');
      },
      onConnection: (connectionId) => {
        if (this.persistentWatches.size > 0) {
          this.rearmPersistentWatches(client, connectionId);
        }
      },
      // A first connect that every server refused is final: waiting out the connect timeout changes nothing.
      // (A session already made rides out refusals: a restarting server refuses for a moment.)
      onAllRefused: (error) => {
        const abort = this.abortConnect;
        if (abort && this.client !== client) {
          const failure = hook.describeLastError() ?? new HiveZkError('ZK_UNREACHABLE', `Every server of ${this.connectString} refused the connection (${error.message}): no ZooKeeper listens on that port. Check the hosts and ports.`, { connectString: this.connectString, lastError: error.message });
          this.setState('error', failure);
          abort(failure);
        }
      },
    });
    this.hooks.set(client, hook);
    this.multiReadSupport.set(client, support);
    this.whoAmISupport.set(client, who);
    this.generationCounter += 1;
    this.setState('connecting');
    return new Promise<Client>((resolve, reject) => {
      let established = false;
      this.abortConnect = (error) => {
        this.abortConnect = undefined;
        clearTimeout(timer);
        shutDown(client, 0);
        reject(error);
      };
      const timer = setTimeout(() => {
        this.abortConnect = undefined;
        shutDown(client, 0);
        const lastError = hook.lastError?.error.message;
        const error =
          hook.describeLastError() ??
          new HiveZkError(
            'ZK_UNREACHABLE',
            `Could not connect to ZooKeeper at ${this.connectString} within ${this.options.connectTimeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}. Check the hosts, ports and firewall.`,
            lastError ? { connectString: this.connectString, lastError } : { connectString: this.connectString },
          );
        this.setState('error', error);
        reject(error);
      }, this.options.connectTimeoutMs);
      client.on('state', (state: ZkState) => {
        const name = state.name;
        if (name === 'SYNC_CONNECTED' || name === 'CONNECTED_READ_ONLY') {
          this.clearDisconnectTimer();
          if (!established) {
            established = true;
            this.abortConnect = undefined;
            clearTimeout(timer);
            this.client = client;
            resolve(client);
          }
          this.setState('connected');
        } else if (name === 'DISCONNECTED' && established && this.client === client) {
          this.setState('reconnecting');
          this.startDisconnectTimer(client);
        } else if (name === 'EXPIRED') {
          this.abortConnect = undefined;
          clearTimeout(timer);
          this.retire(client, 'expired', new HiveZkError('ZK_SESSION_EXPIRED', 'The ZooKeeper session expired; a new one is made on next use.'), reject);
        } else if (name === 'AUTH_FAILED') {
          this.abortConnect = undefined;
          clearTimeout(timer);
          const failure = hook.handshakeFailure ?? new HiveZkError('ZK_AUTH_FAILED', `ZooKeeper rejected the credentials for ${this.connectString}.`);
          this.retire(client, 'authFailed', failure, reject);
        }
      });
      if (this.options.digest !== undefined) {
        client.addAuthInfo('digest', Buffer.from(this.options.digest, 'utf8'));
      }
      client.connect();
    });
  }

  /** Ends a client the server no longer honours; the next request starts a fresh one. */
  private retire(client: Client, state: SessionState, error: HiveZkError, rejectConnect: (e: HiveZkError) => void): void {
    if (this.client === client) {
      this.dropClient(error);
    } else {
      shutDown(client, 0);
      rejectConnect(error);
    }
    this.setState(state, error);
  }

  private startDisconnectTimer(client: Client): void {
    this.clearDisconnectTimer();
    // The library only learns of expiry once it reaches a server again; past the session
    // timeout the session is gone anyway, so stop waiting and start afresh on next use.
    this.disconnectTimer = setTimeout(() => {
      if (this.client === client) {
        const error = new HiveZkError('ZK_SESSION_EXPIRED', `Lost the connection to ${this.connectString} for longer than the session timeout.`);
        this.dropClient(error);
        this.setState('expired', error);
      }
    }, this.options.sessionTimeoutMs);
  }

  private clearDisconnectTimer(): void {
    if (this.disconnectTimer) {
      clearTimeout(this.disconnectTimer);
      this.disconnectTimer = undefined;
    }
  }

  private dropClient(reason: HiveZkError): void {
    this.clearDisconnectTimer();
    const client = this.client;
    this.client = undefined;
    if (client) {
      // A healthy server acknowledges the close at once; a frozen or unreachable one never does.
      shutDown(client, reason.code === 'ZK_CLOSED' ? 2000 : 0);
    }
    this.pending.failAll(reason);
  }

  private setState(state: SessionState, error?: HiveZkError): void {
    if (this.currentState === state && !error) {
      return;
    }
    this.currentState = state;
    const change: StateChange = error ? { state, generation: this.generationCounter, error } : { state, generation: this.generationCounter };
    for (const listener of [...this.listeners]) {
      listener(change);
    }
  }
}

/** What addPersistentWatch rejects with on a server before 3.6 (isUnimplemented holds for it). */
function persistentWatchesUnsupported(connectString: string): HiveZkError {
  return new HiveZkError('ZK_ERROR', `ZooKeeper at ${connectString} is older than 3.6: it has no persistent watches.`, { zkCode: -6 });
}
