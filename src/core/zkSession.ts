// One shared ZooKeeper session per ensemble: the only module that talks to node-zookeeper-client.
// The library has no timeouts and never gives up on a dead address, so this module adds a connect
// timeout, a per-request timeout, a bound on requests in flight, and replaces a dead client
// (expired, auth failed, frozen) with a fresh one on next use. It runs the library over its own
// sockets (zkSocketHook.ts) and adds batched reads through multiRead where the server has it.

import { Semaphore } from './concurrency';
import { formatConnectString, parseConnectString, type ConnectString } from './connectString';
import { HiveZkError, type ErrorCode } from './errors';
import { LIBRARY_STATES, SocketHook, type LibraryConnectionManager, type ZkTransport } from './zkSocketHook';
import { decodeMultiReadResponse, multiReadFrame, replyHeader, type MultiReadKind, type MultiReadResult } from './zkWire';

export type { HandshakeChannel, ServerAddress, ZkTransport } from './zkSocketHook';

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

export interface MultiReadOptions {
  /** false: batched reads are always pipelined single reads (as on servers before 3.6). */
  enabled?: boolean;
  /** Ops per batch at most. */
  maxOps?: number;
  /** Expected response bytes per batch at most (from known data sizes, else what earlier batches returned). */
  maxBytes?: number;
  /** Batches on the wire at once, per session. */
  inFlight?: number;
}

/** A batched read's outcome for one znode: its value, or the error a single read would have thrown. */
export type ReadOutcome<T> = T | HiveZkError;

export interface ZnodeData {
  data: Buffer;
  stat: ZnodeStat;
}

export interface BatchReadOptions {
  /** Expected data sizes, index-aligned with the paths (e.g. the stat dataLength from an earlier read): big znodes go in small batches. */
  expectedBytes?: readonly (number | undefined)[];
}

export interface ZnodeStat {
  version: number;
  cversion: number;
  aversion: number;
  numChildren: number;
  dataLength: number;
  /** Creation and modification times, epoch milliseconds. */
  ctime: number;
  mtime: number;
  /** Session id owning an ephemeral node, as hex; "0" for persistent nodes. */
  ephemeralOwner: string;
}

export interface ZnodeAcl {
  scheme: string;
  id: string;
  /** Letters of READ, WRITE, CREATE, DELETE, ADMIN, e.g. "rwcda". */
  permissions: string;
}

export type WatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';
export type WatchListener = (event: { type: WatchEventType; path: string }) => void;

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

const MULTI_READ_DEFAULTS: Required<MultiReadOptions> = { enabled: true, maxOps: 500, maxBytes: 1024 * 1024, inFlight: 2 };
/** Ops in a session's first batch of each kind, before any response has shown how big znodes are. */
const SLOW_START_OPS = 32;

type Sink = (outcome: ReadOutcome<unknown>, index: number) => void;

/** ZooKeeper's answer to an opcode it does not know (servers before 3.6 to multiRead); they then close the connection. */
const UNIMPLEMENTED = -6;

/** What a client has learnt about multiRead: probed per connection, refused for good once a server says -6. */
interface MultiReadSupport {
  unsupported: boolean;
  /** The connection on which a multiRead last succeeded. */
  supportedOn: number;
  failedProbes: number;
  /** Decoded replies by xid, filled by the socket hook just before the library hands us the reply. */
  replies: Map<number, MultiReadReply>;
}

interface MultiReadReply {
  results?: MultiReadResult[];
  bytes?: number;
  failure?: Error;
}

/** The library decodes no payload for a DELETE reply: our multiRead is filed under that type. */
const LIBRARY_DISPATCH_WITHOUT_PAYLOAD = 2;

/** Runs in the socket's data path for every frame, before the library sees it. */
function decodeMultiReadReply(support: MultiReadSupport, frame: Buffer): void {
  if (support.replies.size === 0 || frame.length < 20) {
    return;
  }
  const { xid, err } = replyHeader(frame);
  const reply = support.replies.get(xid);
  if (!reply || err !== 0) {
    return;
  }
  try {
    reply.results = decodeMultiReadResponse(frame);
    reply.bytes = frame.length;
  } catch (error) {
    reply.failure = error instanceof Error ? error : new Error(String(error));
  }
}

interface PendingRequest {
  deadline: number;
  client: Client;
  path: string;
  fail(error: HiveZkError): void;
}

// ---- node-zookeeper-client 1.1.3, which ships no types: the parts used here, typed here.

interface ZkState {
  name: string;
  code: number;
}
interface ZkEvent {
  getType(): number;
  getPath(): string;
}
interface ZkAcl {
  permission: number;
  id: { scheme: string; id: string };
}
type Cb<T extends unknown[]> = (error: Error | null | undefined, ...results: T) => void;
interface Client {
  connect(): void;
  close(): void;
  on(event: 'state', listener: (state: ZkState) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  removeAllListeners(): void;
  getSessionId(): Buffer;
  addAuthInfo(scheme: string, auth: Buffer): void;
  getChildren(path: string, callback: Cb<[string[], unknown]>): void;
  getChildren(path: string, watcher: (event: ZkEvent) => void, callback: Cb<[string[], unknown]>): void;
  getData(path: string, callback: Cb<[Buffer | null | undefined, unknown]>): void;
  getData(path: string, watcher: (event: ZkEvent) => void, callback: Cb<[Buffer | null | undefined, unknown]>): void;
  exists(path: string, callback: Cb<[unknown]>): void;
  exists(path: string, watcher: (event: ZkEvent) => void, callback: Cb<[unknown]>): void;
  getACL(path: string, callback: Cb<[ZkAcl[], unknown]>): void;
  create(path: string, data: Buffer, acls: ZkAcl[], mode: number, callback: Cb<[string]>): void;
  remove(path: string, version: number, callback: Cb<[]>): void;
}
interface ZookeeperLibrary {
  createClient(connectionString: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): Client;
  CreateMode: { PERSISTENT: number; PERSISTENT_SEQUENTIAL: number; EPHEMERAL: number; EPHEMERAL_SEQUENTIAL: number };
  ACL: { OPEN_ACL_UNSAFE: ZkAcl[]; CREATOR_ALL_ACL: ZkAcl[]; READ_ACL_UNSAFE: ZkAcl[] };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client') as ZookeeperLibrary;
// The library's own module object (its `create` is replaced below), not a namespace copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeperExceptions = require('node-zookeeper-client/lib/Exception.js') as { create: (code: number, path?: string) => Error; __hiveZkTolerant?: boolean };


const CODE_MAP: Record<number, ErrorCode> = {
  [-4]: 'ZK_CONNECTION_LOSS',
  [-7]: 'ZK_TIMEOUT',
  [-101]: 'ZK_NO_NODE',
  [-102]: 'ZK_NO_AUTH',
  [-112]: 'ZK_SESSION_EXPIRED',
  [-115]: 'ZK_AUTH_FAILED',
  [-124]: 'ZK_SASL_REQUIRED',
};

/** Errors after which this client is of no further use: a new one is made on next use. */
const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ZK_AUTH_FAILED', 'ZK_SASL_REQUIRED']);

/**
 * The library only knows the error codes of ZooKeeper 3.4 and throws from its socket handler on any
 * other (a 3.6+ server enforcing SASL answers -124), which would crash the process. Unknown codes
 * become ordinary errors that carry the code instead.
 */
function tolerateUnknownErrorCodes(): void {
  const exceptions = zookeeperExceptions;
  if (exceptions.__hiveZkTolerant || typeof exceptions.create !== 'function') {
    return;
  }
  const create = exceptions.create;
  exceptions.create = (code: number, path?: string): Error => {
    try {
      return create(code, path);
    } catch {
      return Object.assign(new Error(`ZooKeeper error code ${code}`), { getCode: () => code });
    }
  };
  exceptions.__hiveZkTolerant = true;
}
tolerateUnknownErrorCodes();

export class ZkSession {
  readonly connect: ConnectString;
  private readonly options: Required<Omit<ZkSessionOptions, 'digest' | 'connectString' | 'transport' | 'multiRead'>> & { digest?: string; transport: ZkTransport; multiRead: Required<MultiReadOptions> };
  private readonly limiter: Semaphore;
  private client: Client | undefined;
  /** Our socket hook under each client (its connections, errors, handshake outcome). */
  private readonly hooks = new WeakMap<Client, SocketHook>();
  private readonly multiReadSupport = new WeakMap<Client, MultiReadSupport>();
  private readonly batchLimiter: Semaphore;
  /** A multiRead probe in progress: nothing else is sent meanwhile (an old server closes the connection). */
  private probing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Expected response bytes per op, learnt from earlier batches, for sizing the next ones. */
  private readonly bytesPerOp: Record<MultiReadKind, number> = { data: 512, children: 512 };
  /** Whether any batch of that kind has come back yet: until then, sizes are guesses and batches start small. */
  private readonly sizesLearnt: Record<MultiReadKind, boolean> = { data: false, children: false };
  private connecting: Promise<Client> | undefined;
  /** Ends the connect in flight (close() while connecting): its client is shut down, its events ignored. */
  private abortConnect: ((error: HiveZkError) => void) | undefined;
  private currentState: SessionState = 'idle';
  private generationCounter = 0;
  private disconnectTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(change: StateChange) => void>();
  /** Requests on the wire: failed at their deadline, or at once when their client is dropped. */
  private readonly pending = new Set<PendingRequest>();
  /** One sweep for all deadlines: a timer per request would cost an allocation each. */
  private sweepTimer: NodeJS.Timeout | undefined;
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
    this.batchLimiter = new Semaphore(this.options.multiRead.inFlight);
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
  async getDataMany(paths: readonly string[], options: BatchReadOptions = {}): Promise<ReadOutcome<ZnodeData>[]> {
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
   * fails the whole call.
   */
  async forEachData(paths: readonly string[], each: (outcome: ReadOutcome<ZnodeData>, index: number) => void, options: BatchReadOptions = {}): Promise<void> {
    await this.readMany('data', paths, each as (outcome: ReadOutcome<unknown>, index: number) => void, options.expectedBytes);
  }

  /** getChildrenMany, each outcome handed on as it arrives (see forEachData). */
  async forEachChildren(paths: readonly string[], each: (outcome: ReadOutcome<string[]>, index: number) => void): Promise<void> {
    await this.readMany('children', paths, each as (outcome: ReadOutcome<unknown>, index: number) => void);
  }

  /** What this session's current client knows about multiRead: 'unknown' until it has been tried. */
  get multiReadState(): 'unknown' | 'supported' | 'unsupported' {
    const support = this.client ? this.multiReadSupport.get(this.client) : undefined;
    if (!support || (!support.unsupported && support.supportedOn === 0)) {
      return 'unknown';
    }
    return support.unsupported ? 'unsupported' : 'supported';
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
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
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
      while (mode === 'normal' && this.probing) {
        await this.probing;
        client = await this.ensureClient();
      }
      this.requestCounter += 1;
      return new Promise<T>((resolve, reject) => {
        const entry: PendingRequest = {
          deadline: Date.now() + this.options.requestTimeoutMs,
          client,
          path,
          fail: (error) => finish(error),
        };
        const finish = (error: HiveZkError | undefined, results?: T): void => {
          if (!this.pending.delete(entry)) {
            return; // already settled
          }
          if (this.pending.size === 0 && this.idleWaiters.length > 0) {
            for (const wake of this.idleWaiters.splice(0)) {
              wake();
            }
          }
          if (error) {
            reject(error);
          } else {
            resolve(results as T);
          }
        };
        this.track(entry);
        try {
          invoke(client, (error, ...results) => {
            const failure = error ? mapError(error, path, this.connectString) : undefined;
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
    return mode === 'probe' ? send() : this.limiter.run(send);
  }

  private async readMany(kind: MultiReadKind, paths: readonly string[], sink: Sink, expectedBytes?: readonly (number | undefined)[]): Promise<void> {
    const valid: number[] = [];
    paths.forEach((path, i) => {
      const problem = pathProblem(path);
      if (problem) {
        sink(problem, i);
      } else {
        valid.push(i);
      }
    });
    if (!this.options.multiRead.enabled || valid.length === 0 || this.multiReadState === 'unsupported') {
      await this.readSingly(kind, paths, valid, sink);
      return;
    }
    const { maxOps, maxBytes } = this.options.multiRead;
    let cursor = 0;
    // Batches are cut when taken, so each uses what the previous ones taught about sizes.
    const nextBatch = (): number[] | undefined => {
      if (cursor >= valid.length) {
        return undefined;
      }
      const batch: number[] = [];
      let bytes = 0;
      // The server builds each answer whole in memory: until real sizes are known (unknown znodes
      // may be 1 MB each), a batch of unknown sizes stays small.
      const opsCap = this.sizesLearnt[kind] ? maxOps : Math.min(maxOps, SLOW_START_OPS);
      while (cursor < valid.length && batch.length < maxOps) {
        const index = valid[cursor];
        const known = expectedBytes?.[index];
        if (known === undefined && batch.length >= opsCap) {
          break;
        }
        const expected = (known ?? this.bytesPerOp[kind]) + 100;
        if (batch.length > 0 && bytes + expected > maxBytes) {
          break;
        }
        batch.push(index);
        bytes += expected;
        cursor += 1;
      }
      return batch;
    };
    const worker = async (): Promise<void> => {
      for (let batch = nextBatch(); batch; batch = nextBatch()) {
        if (!(await this.readBatch(kind, paths, batch, sink))) {
          // No multiRead here (any more): everything left goes as one pipeline of single reads,
          // not batch by batch, which would stall the pipeline at every batch's slowest read.
          const rest = valid.slice(cursor);
          cursor = valid.length;
          await this.readSingly(kind, paths, rest, sink);
        }
      }
    };
    // One worker more than batches on the wire: while one decodes its answer, the others' batches are out.
    await Promise.all(Array.from({ length: this.options.multiRead.inFlight + 1 }, worker));
  }

  /** One batch: multiRead where this connection supports it, else the same reads one by one (then false). */
  private async readBatch(kind: MultiReadKind, paths: readonly string[], batch: number[], sink: Sink): Promise<boolean> {
    if (!(await this.multiReadUsable())) {
      await this.readSingly(kind, paths, batch, sink);
      return false;
    }
    const batchPaths = batch.map((i) => paths[i]);
    let outcome: { results: MultiReadResult[]; bytes: number };
    try {
      outcome = await this.batchLimiter.run(() => this.sendMultiRead(kind, batchPaths, 'normal'));
    } catch (error) {
      if (isUnimplemented(error)) {
        // The server (before 3.6) closed the connection; the session reconnects on its own.
        this.markMultiReadUnsupported();
        await this.readSingly(kind, paths, batch, sink);
        return false;
      }
      batch.forEach((index, i) => sink(perPathError(error, batchPaths[i], this.connectString), index));
      return true;
    }
    const observed = outcome.bytes / Math.max(1, batch.length);
    this.bytesPerOp[kind] = Math.round(this.bytesPerOp[kind] * 0.5 + observed * 0.5);
    this.sizesLearnt[kind] = true;
    batch.forEach((index, i) => sink(this.toOutcome(outcome.results[i], batchPaths[i]), index));
    return true;
  }

  private toOutcome(result: MultiReadResult | undefined, path: string): ReadOutcome<unknown> {
    if (!result) {
      return new HiveZkError('ZK_ERROR', `ZooKeeper's multiRead answer had no result for ${path}.`, { path });
    }
    if ('errorCode' in result) {
      return errorFromCode(result.errorCode, path, this.connectString);
    }
    return 'children' in result ? result.children : result;
  }

  /** Pipelined single reads, at most maxInFlight at once, each outcome kept as a single read reports it. */
  private async readSingly(kind: MultiReadKind, paths: readonly string[], indices: readonly number[], sink: Sink): Promise<void> {
    let cursor = 0;
    const worker = async (): Promise<void> => {
      while (cursor < indices.length) {
        const index = indices[cursor++];
        const path = paths[index];
        let outcome: ReadOutcome<unknown>;
        try {
          outcome = kind === 'data' ? await this.getData(path) : (await this.getChildren(path)).children;
        } catch (error) {
          outcome = error instanceof HiveZkError ? error : new HiveZkError('ZK_ERROR', String(error), { path }, { cause: error });
        }
        sink(outcome, index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(indices.length, this.options.maxInFlight) }, worker));
  }

  /**
   * Whether to send a multiRead now: known per connection, probed once per new connection with a
   * one-op batch while nothing else is on the wire. A -6 answer, or two probes that came to nothing,
   * settle it for this client: single reads from then on, never a loop.
   */
  private async multiReadUsable(): Promise<boolean> {
    for (;;) {
      const client = await this.ensureClient();
      const support = this.multiReadSupport.get(client);
      const hook = this.hooks.get(client);
      if (!support || !hook || support.unsupported) {
        return false;
      }
      if (support.supportedOn === hook.connectionId) {
        return true;
      }
      if (this.probing) {
        await this.probing;
        continue;
      }
      let supported = false;
      this.probing = (async () => {
        await this.whenIdle();
        try {
          await this.sendMultiRead('data', ['/'], 'probe');
          supported = true;
        } catch (error) {
          support.failedProbes += 1;
          if (isUnimplemented(error) || support.failedProbes >= 2) {
            support.unsupported = true;
          }
          if (isUnimplemented(error)) {
            // The server closes the connection right after its answer: hold everything back until
            // it has, so nothing else is written to a connection about to go.
            await hook.currentSocketClosed(1000);
          }
        }
      })().finally(() => {
        this.probing = undefined;
      });
      await this.probing;
      return supported;
    }
  }

  private markMultiReadUnsupported(): void {
    const support = this.client ? this.multiReadSupport.get(this.client) : undefined;
    if (support) {
      support.unsupported = true;
    }
  }

  private whenIdle(): Promise<void> {
    return this.pending.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Sends one multiRead through the library's own queue, so xids, ordering, pings and reconnects stay
   * its business. Its header is written with opcode 22 but the library files it as a DELETE, whose
   * reply it does not decode; the socket hook decodes the reply (decodeMultiReadReply) first.
   */
  private async sendMultiRead(kind: MultiReadKind, paths: readonly string[], mode: 'normal' | 'probe'): Promise<{ results: MultiReadResult[]; bytes: number }> {
    const chroot = this.connect.chroot;
    const serverPaths = chroot ? paths.map((p) => (p === '/' ? chroot : chroot + p)) : paths;
    let answer: MultiReadReply | undefined;
    await this.request<[]>(
      paths[0],
      (client, callback) => {
        const support = this.multiReadSupport.get(client);
        const hook = this.hooks.get(client);
        if (!support || !hook) {
          callback(new Error('No socket hook on this client.'));
          return;
        }
        const header = { xid: 0, type: LIBRARY_DISPATCH_WITHOUT_PAYLOAD };
        let written: { xid: number; connectionId: number } | undefined;
        connectionManagerOf(client).queue(
          {
            header,
            payload: null,
            // The library calls this as it writes the packet, right after assigning the xid.
            toBuffer: () => {
              written = { xid: header.xid, connectionId: hook.connectionId };
              support.replies.set(header.xid, {});
              return multiReadFrame(header.xid, kind, serverPaths);
            },
          },
          (error) => {
            const reply = written ? support.replies.get(written.xid) : undefined;
            if (written) {
              support.replies.delete(written.xid);
            }
            if (error) {
              callback(error);
            } else if (reply?.results && written) {
              support.supportedOn = written.connectionId;
              answer = reply;
              callback(null);
            } else {
              callback(reply?.failure ?? new Error('ZooKeeper sent no readable multiRead answer.'));
            }
          },
        );
      },
      mode,
    );
    return { results: answer?.results ?? [], bytes: answer?.bytes ?? 0 };
  }

  private track(entry: PendingRequest): void {
    this.pending.add(entry);
    if (!this.sweepTimer) {
      const every = Math.min(1000, Math.max(50, Math.floor(this.options.requestTimeoutMs / 4)));
      this.sweepTimer = setInterval(() => this.sweepDeadlines(), every);
    }
  }

  private sweepDeadlines(): void {
    if (this.pending.size === 0) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
      return;
    }
    const now = Date.now();
    for (const entry of [...this.pending]) {
      if (entry.deadline > now) {
        continue;
      }
      entry.fail(new HiveZkError('ZK_TIMEOUT', `ZooKeeper did not answer within ${this.options.requestTimeoutMs} ms (${entry.path} on ${this.connectString}).`, { path: entry.path }));
      // A server that accepts but never answers is invisible to the library, and a reconnect can
      // hang on a half-started server for the library's own ~20 s: start afresh next time instead.
      if (this.client === entry.client && (this.currentState === 'connected' || this.currentState === 'reconnecting')) {
        this.dropClient(new HiveZkError('ZK_CONNECTION_LOSS', 'The ZooKeeper server stopped answering.'));
        this.setState('error');
      }
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
    const support: MultiReadSupport = { unsupported: false, supportedOn: 0, failedProbes: 0, replies: new Map() };
    const hook = new SocketHook(connectionManagerOf(client), {
      transport: this.options.transport,
      handshakeTimeoutMs: this.options.connectTimeoutMs,
      inspectFrame: (frame) => decodeMultiReadReply(support, frame),
    });
    this.hooks.set(client, hook);
    this.multiReadSupport.set(client, support);
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
    for (const entry of [...this.pending]) {
      entry.fail(reason);
    }
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

function connectionManagerOf(client: Client): LibraryConnectionManager {
  return (client as unknown as { connectionManager: LibraryConnectionManager }).connectionManager;
}

const HOOKED_METHODS = ['connect', 'findNextServer', 'setState', 'onSocketConnected', 'onSocketData', 'onSocketDrain', 'onSocketClosed', 'onSocketError', 'onSocketConnectTimeout', 'queue'] as const;

let internalsChecked: string[] | undefined;

/**
 * What the socket hook needs from node-zookeeper-client's internals and does not find (empty when
 * all is in place). The library is pinned; this is the loud failure if an upgrade moves them.
 */
export function libraryInternalsProblems(): string[] {
  if (internalsChecked) {
    return internalsChecked;
  }
  const problems: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('node-zookeeper-client/package.json') as { version?: string };
  if (pkg.version !== '1.1.3') {
    problems.push(`version ${String(pkg.version)} instead of 1.1.3`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const managerClass = require('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: Record<string, unknown>; STATES?: Record<string, number> };
  for (const method of HOOKED_METHODS) {
    if (typeof managerClass.prototype[method] !== 'function') {
      problems.push(`ConnectionManager.${method} is missing`);
    }
  }
  const states = managerClass.STATES ?? {};
  if (states.CONNECTING !== LIBRARY_STATES.CONNECTING || states.AUTHENTICATION_FAILED !== LIBRARY_STATES.AUTHENTICATION_FAILED || states.CONNECTED !== 2) {
    problems.push('ConnectionManager.STATES changed');
  }
  const client = zookeeper.createClient('127.0.0.1:1', { sessionTimeout: 1000, spinDelay: 0, retries: 0 }) as unknown as { connectionManager?: unknown };
  if (!(client.connectionManager instanceof (managerClass as unknown as new () => unknown))) {
    problems.push('Client.connectionManager is gone');
  }
  internalsChecked = problems;
  return problems;
}

/**
 * Closes a client for good. The library sends a close request and keeps its socket until the
 * server answers, which a frozen or silent server never does; so the socket is destroyed after
 * `graceMs` (at once when there is no session worth closing politely).
 */
function shutDown(client: Client, graceMs: number, attempt = 0): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
  const socket = (client as unknown as { connectionManager?: { socket?: { destroy(): void; destroyed?: boolean } } }).connectionManager?.socket;
  if (!socket && attempt < 10) {
    // Closed right after connect(): the library opens its socket on a later tick and would write
    // the close request to a socket it does not have yet. Close once the socket exists.
    setTimeout(() => shutDown(client, graceMs, attempt + 1), 20).unref();
    return;
  }
  client.close();
  if (socket && typeof socket.destroy === 'function') {
    const destroy = (): void => {
      if (!socket.destroyed) {
        socket.destroy();
      }
    };
    if (graceMs <= 0) {
      destroy();
    } else {
      setTimeout(destroy, graceMs).unref();
    }
  }
}

function pathProblem(path: unknown): HiveZkError | undefined {
  if (typeof path !== 'string' || !path.startsWith('/') || (path.length > 1 && path.endsWith('/')) || path.includes('//') || /[\u0000-\u001f\u007f]/.test(path)) {
    return new HiveZkError('BAD_ARGUMENT', `Invalid znode path "${String(path)}".`);
  }
  return undefined;
}

function isUnimplemented(error: unknown): boolean {
  return error instanceof HiveZkError && error.details.zkCode === UNIMPLEMENTED;
}

/** A whole batch's failure as each of its znodes would have seen it in a single read. */
function perPathError(error: unknown, path: string, connectString: string): HiveZkError {
  if (error instanceof HiveZkError) {
    const zkCode = error.details.zkCode;
    if (typeof zkCode === 'number') {
      return errorFromCode(zkCode, path, connectString, error);
    }
    return error;
  }
  return new HiveZkError('ZK_ERROR', String(error), { path }, { cause: error });
}

function mapError(error: Error, path: string, connectString: string): HiveZkError {
  const rawCode = (error as { getCode?: () => number }).getCode?.();
  return errorFromCode(rawCode, path, connectString, error);
}

function errorFromCode(rawCode: number | undefined, path: string, connectString: string, cause?: Error): HiveZkError {
  const code: ErrorCode = (rawCode !== undefined ? CODE_MAP[rawCode] : undefined) ?? 'ZK_ERROR';
  const messages: Partial<Record<ErrorCode, string>> = {
    ZK_NO_NODE: `The znode ${path} does not exist.`,
    ZK_NO_AUTH: `Not authorized to read ${path}: its ACL does not grant this session access (add a digest credential for the ensemble).`,
    ZK_CONNECTION_LOSS: `Lost the connection to ZooKeeper (${connectString}) while reading ${path}; try again.`,
    ZK_SESSION_EXPIRED: `The ZooKeeper session expired while reading ${path}; try again.`,
    ZK_AUTH_FAILED: `ZooKeeper rejected the credentials for ${connectString}.`,
    ZK_SASL_REQUIRED: `${connectString} requires SASL authentication and none is configured: set up SASL DIGEST-MD5 or Kerberos for this ensemble.`,
  };
  const fallback = `ZooKeeper error on ${path}: ${cause?.message ?? `code ${rawCode}`}`;
  return new HiveZkError(code, messages[code] ?? fallback, { path, zkCode: rawCode }, cause ? { cause } : {});
}

function toWatchEvent(event: ZkEvent): { type: WatchEventType; path: string } {
  const types: Record<number, WatchEventType> = { 1: 'created', 2: 'deleted', 3: 'dataChanged', 4: 'childrenChanged' };
  return { type: types[event.getType()] ?? 'childrenChanged', path: event.getPath() };
}

function toStat(raw: unknown): ZnodeStat {
  const stat = raw as Record<string, unknown>;
  return {
    version: Number(stat.version ?? 0),
    cversion: Number(stat.cversion ?? 0),
    aversion: Number(stat.aversion ?? 0),
    numChildren: Number(stat.numChildren ?? 0),
    dataLength: Number(stat.dataLength ?? 0),
    ctime: bufferToNumber(stat.ctime),
    mtime: bufferToNumber(stat.mtime),
    ephemeralOwner: bufferToHex(stat.ephemeralOwner),
  };
}

/** The library returns 64-bit longs as 8-byte big-endian buffers. */
function bufferToNumber(value: unknown): number {
  return Buffer.isBuffer(value) && value.length === 8 ? value.readInt32BE(0) * 2 ** 32 + value.readUInt32BE(4) : Number(value ?? 0);
}

function bufferToHex(value: unknown): string {
  if (!Buffer.isBuffer(value)) {
    return '0';
  }
  const hex = value.toString('hex').replace(/^0+/, '');
  return hex === '' ? '0' : hex;
}

function toAcl(acl: ZkAcl): ZnodeAcl {
  const bits = Number(acl.permission);
  const letters = [
    [1, 'r'],
    [2, 'w'],
    [4, 'c'],
    [8, 'd'],
    [16, 'a'],
  ] as const;
  return {
    scheme: acl.id.scheme,
    id: acl.id.id,
    permissions: letters.map(([bit, letter]) => (bits & bit ? letter : '')).join(''),
  };
}
