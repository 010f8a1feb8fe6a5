// One shared ZooKeeper session per ensemble: the only module that talks to node-zookeeper-client.
// The library has no timeouts and never gives up on a dead address, so this module adds a connect
// timeout, a per-request timeout, a bound on requests in flight, and replaces a dead client
// (expired, auth failed, frozen) with a fresh one on next use.

import { Semaphore } from './concurrency';
import { formatConnectString, parseConnectString, type ConnectString } from './connectString';
import { HiveZkError, type ErrorCode } from './errors';
import { LIBRARY_STATES, SocketHook, type LibraryConnectionManager, type ZkTransport } from './zkSocketHook';

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
  private readonly options: Required<Omit<ZkSessionOptions, 'digest' | 'connectString' | 'transport'>> & { digest?: string; transport: ZkTransport };
  private readonly limiter: Semaphore;
  private client: Client | undefined;
  /** Our socket hook under each client (its connections, errors, handshake outcome). */
  private readonly hooks = new WeakMap<Client, SocketHook>();
  private connecting: Promise<Client> | undefined;
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
    };
    this.limiter = new Semaphore(this.options.maxInFlight);
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
    this.dropClient(new HiveZkError('ZK_CLOSED', 'The ZooKeeper session was closed.'));
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.setState('closed');
    this.listeners.clear();
  }

  private async request<T extends unknown[]>(path: string, invoke: (client: Client, callback: Cb<T>) => void): Promise<T> {
    if (typeof path !== 'string' || !path.startsWith('/') || (path.length > 1 && path.endsWith('/')) || path.includes('//') || /[\u0000-\u001f\u007f]/.test(path)) {
      throw new HiveZkError('BAD_ARGUMENT', `Invalid znode path "${String(path)}".`);
    }
    return this.limiter.run(async () => {
      const client = await this.ensureClient();
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
    });
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
    const hook = new SocketHook(connectionManagerOf(client), {
      transport: this.options.transport,
      handshakeTimeoutMs: this.options.connectTimeoutMs,
    });
    this.hooks.set(client, hook);
    this.generationCounter += 1;
    this.setState('connecting');
    return new Promise<Client>((resolve, reject) => {
      let established = false;
      const timer = setTimeout(() => {
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
            clearTimeout(timer);
            this.client = client;
            resolve(client);
          }
          this.setState('connected');
        } else if (name === 'DISCONNECTED' && established && this.client === client) {
          this.setState('reconnecting');
          this.startDisconnectTimer(client);
        } else if (name === 'EXPIRED') {
          clearTimeout(timer);
          this.retire(client, 'expired', new HiveZkError('ZK_SESSION_EXPIRED', 'The ZooKeeper session expired; a new one is made on next use.'), reject);
        } else if (name === 'AUTH_FAILED') {
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
function shutDown(client: Client, graceMs: number): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
  client.close();
  const socket = (client as unknown as { connectionManager?: { socket?: { destroy(): void; destroyed?: boolean } } }).connectionManager?.socket;
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

function mapError(error: Error, path: string, connectString: string): HiveZkError {
  const rawCode = (error as { getCode?: () => number }).getCode?.();
  const code: ErrorCode = (rawCode !== undefined ? CODE_MAP[rawCode] : undefined) ?? 'ZK_ERROR';
  const messages: Partial<Record<ErrorCode, string>> = {
    ZK_NO_NODE: `The znode ${path} does not exist.`,
    ZK_NO_AUTH: `Not authorized to read ${path}: its ACL does not grant this session access (add a digest credential for the ensemble).`,
    ZK_CONNECTION_LOSS: `Lost the connection to ZooKeeper (${connectString}) while reading ${path}; try again.`,
    ZK_SESSION_EXPIRED: `The ZooKeeper session expired while reading ${path}; try again.`,
    ZK_AUTH_FAILED: `ZooKeeper rejected the credentials for ${connectString}.`,
    ZK_SASL_REQUIRED: `${connectString} requires SASL authentication and none is configured: set up SASL DIGEST-MD5 or Kerberos for this ensemble.`,
  };
  return new HiveZkError(code, messages[code] ?? `ZooKeeper error on ${path}: ${error.message}`, { path, zkCode: rawCode }, { cause: error });
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
