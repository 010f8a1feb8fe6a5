// THE SEAM to node-zookeeper-client, pinned at 1.1.3: the only module that loads the library or touches
// its private parts (lib/ConnectionManager.js, lib/Exception.js). Everything else in zk/ uses the
// public API typed in libraryApi.ts, or the few verbs below. What it patches, and why:
// 1. Exception.create (process-wide, once): 1.1.3 knows only ZooKeeper 3.4's error codes and throws
//    in its socket handler on any other (a 3.6+ server enforcing SASL answers -124), crashing the
//    process; an unknown code becomes an ordinary error carrying the code.
// 2. ConnectionManager.connect (per client, takeOverConnect): the same steps, but the socket is ours
//    (TLS), and its data passes through our hook first (frame splitting, a SASL handshake before the
//    library's first request, multiRead replies, persistent-watch notifications). Setting the state
//    AUTHENTICATION_FAILED is how a refusal stops the library's reconnect loop.
// 3. ConnectionManager.queue (queueOwnFrame): frames the library cannot write (multiRead, whoAmI,
//    addWatch, removeWatches) go through its queue posing as a DELETE, so xids, ordering, pings and
//    reconnects stay its business.
// 4. ConnectionManager.socket (shutDown): destroyed after a grace, as a silent server never answers a close.
// checkLibraryInternals is the loud failure if an upgrade moves any of this; test/unit/zkWire.test.ts
// (GUARD) fingerprints lib/ConnectionManager.js so that an upgrade re-reads this contract.

import type * as net from 'node:net';
import { HiveZkError } from '../errors';
import type { AclChoice, Client, CreateMode, ZkAcl, ZookeeperLibrary } from './libraryApi';

/** The pinned version: anything else is refused before a client is made. */
export const LIBRARY_VERSION = '1.1.3';

export interface ServerAddress {
  host: string;
  port: number;
}

/** The library's Exception module object (its `create` is replaced by tolerateUnknownErrorCodes). */
interface ZookeeperExceptions {
  create: (code: number, path?: string) => Error;
  __hiveZkTolerant?: boolean;
}

/** The parts of the library's private ConnectionManager this seam drives. */
interface LibraryConnectionManager {
  socket: net.Socket | undefined;
  servers: unknown[];
  connectTimeout: number;
  connectTimeoutHandler: NodeJS.Timeout | null;
  state: number;
  setState(state: number): void;
  findNextServer(callback: (server: ServerAddress) => void): void;
  onSocketConnected(): void;
  onSocketData(frame: Buffer): void;
  onSocketDrain(): void;
  onSocketClosed(hasError: boolean): void;
  onSocketError(error: Error): void;
  onSocketConnectTimeout(): void;
  connect(): void;
  /** Queues a request; the library assigns `header.xid` just before it calls `toBuffer()` to write it. */
  queue(request: { header: { xid: number; type: number }; payload: null; toBuffer(): Buffer }, callback: (error?: Error | null) => void): void;
}

/** ConnectionManager.STATES that this seam sets or reads, checked by checkLibraryInternals. */
const LIBRARY_STATES = { CONNECTING: 1, CONNECTED: 2, AUTHENTICATION_FAILED: -4 } as const;
const HOOKED_METHODS = ['connect', 'findNextServer', 'setState', 'onSocketConnected', 'onSocketData', 'onSocketDrain', 'onSocketClosed', 'onSocketError', 'onSocketConnectTimeout', 'queue'] as const;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client') as ZookeeperLibrary;
// The library's own module object (its `create` is replaced), not a namespace copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
tolerateUnknownErrorCodes(require('node-zookeeper-client/lib/Exception.js') as ZookeeperExceptions);

function tolerateUnknownErrorCodes(exceptions: ZookeeperExceptions): void {
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

let internalsChecked: string[] | undefined;

/**
 * What this seam needs from the library's internals and does not find (empty when all is in place);
 * checked once, before the first client is made.
 */
export function libraryInternalsProblems(): string[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  internalsChecked ??= checkLibraryInternals(
    (require('node-zookeeper-client/package.json') as { version?: string }).version,
    require('node-zookeeper-client/lib/ConnectionManager.js') as { prototype: Record<string, unknown>; STATES?: Record<string, number> },
  );
  /* eslint-enable @typescript-eslint/no-require-imports */
  return internalsChecked;
}

function checkLibraryInternals(version: string | undefined, connectionManagerClass: { prototype: Record<string, unknown>; STATES?: Record<string, number> }): string[] {
  const problems: string[] = [];
  if (version !== LIBRARY_VERSION) {
    problems.push(`version ${String(version)} instead of ${LIBRARY_VERSION}`);
  }
  for (const method of HOOKED_METHODS) {
    if (typeof connectionManagerClass.prototype[method] !== 'function') {
      problems.push(`ConnectionManager.${method} is missing`);
    }
  }
  const states = connectionManagerClass.STATES ?? {};
  if (states.CONNECTING !== LIBRARY_STATES.CONNECTING || states.AUTHENTICATION_FAILED !== LIBRARY_STATES.AUTHENTICATION_FAILED || states.CONNECTED !== LIBRARY_STATES.CONNECTED) {
    problems.push('ConnectionManager.STATES changed');
  }
  const client = zookeeper.createClient('127.0.0.1:1', { sessionTimeout: 1000, spinDelay: 0, retries: 0 }) as unknown as { connectionManager?: unknown };
  if (!(client.connectionManager instanceof (connectionManagerClass as unknown as new () => unknown))) {
    problems.push('Client.connectionManager is gone');
  }
  return problems;
}

/**
 * The one-shot watches the library keeps on `path` (its WatcherManager, keyed by the client's path).
 * ZooKeeper keeps one watch mode per connection and path: a persistent watch added over a one-shot
 * one set earlier silences it, so the session sets those again after an addWatch.
 */
export function oneShotWatchesOn(client: Client, path: string): { child: boolean; data: boolean } {
  type Watchers = Record<string, { listenerCount(event: string): number } | undefined>;
  const manager = (client as unknown as { connectionManager?: { watcherManager?: Record<string, Watchers | undefined> } }).connectionManager?.watcherManager;
  const has = (kind: string): boolean => (manager?.[kind]?.[path]?.listenerCount('notification') ?? 0) > 0;
  return { child: has('childWatchers'), data: has('dataWatchers') || has('existenceWatchers') };
}

/** A new client (not yet connected), after the internals check; it never retries on its own. */
export function newLibraryClient(connectString: string, sessionTimeoutMs: number): Client {
  const problems = libraryInternalsProblems();
  if (problems.length > 0) {
    throw new HiveZkError('ZK_ERROR', `The bundled node-zookeeper-client is not the version this extension was built for: ${problems.join('; ')}.`);
  }
  return zookeeper.createClient(connectString, { sessionTimeout: sessionTimeoutMs, spinDelay: 200, retries: 0 });
}

export function libraryCreateMode(mode: CreateMode): number {
  const modes = zookeeper.CreateMode;
  return { persistent: modes.PERSISTENT, ephemeral: modes.EPHEMERAL, persistentSequential: modes.PERSISTENT_SEQUENTIAL, ephemeralSequential: modes.EPHEMERAL_SEQUENTIAL }[mode];
}

export function libraryAcls(acl: AclChoice): ZkAcl[] {
  const acls = zookeeper.ACL;
  return { open: acls.OPEN_ACL_UNSAFE, creatorOnly: acls.CREATOR_ALL_ACL, worldReadCreatorAll: [...acls.READ_ACL_UNSAFE, ...acls.CREATOR_ALL_ACL] }[acl];
}

function connectionManagerOf(client: Client): LibraryConnectionManager {
  return (client as unknown as { connectionManager: LibraryConnectionManager }).connectionManager;
}

/** One socket the hook opened for a server the library tries, and what it does with the socket's events before the library's handlers run. */
export interface HookedSocket {
  socket: net.Socket;
  data(chunk: Buffer): void;
  closed(): void;
  error(error: Error): void;
}

/** What the hook may do with one client's connection machinery. */
export interface LibraryPort {
  /** The socket of the connection the library is on now, if any. */
  readonly socket: net.Socket | undefined;
  /** Servers in the connect string. */
  readonly serverCount: number;
  /** Whether the library has stopped for good (closed, expired, refused). */
  readonly stopped: boolean;
  /** Hands the library one whole frame from the server, as if it had read it itself. */
  deliver(frame: Buffer): void;
  /** Stops the library's reconnect loop: its close handler then reports AUTH_FAILED instead of retrying. */
  refuse(): void;
}

/**
 * Replaces the client's ConnectionManager.connect with the same steps on a socket `open` makes:
 * `open` is called for each server the library tries, and its handlers run before the library's.
 */
export function takeOverConnect(client: Client, open: (server: ServerAddress) => HookedSocket): LibraryPort {
  const manager = connectionManagerOf(client);
  manager.connect = () => {
    manager.setState(LIBRARY_STATES.CONNECTING);
    manager.findNextServer((server) => {
      if (manager.state !== LIBRARY_STATES.CONNECTING) {
        return; // closed or failed while waiting for the next server
      }
      const hooked = open(server);
      const socket = hooked.socket;
      manager.socket = socket;
      manager.connectTimeoutHandler = setTimeout(() => manager.onSocketConnectTimeout(), manager.connectTimeout);
      socket.setNoDelay(true);
      socket.on((socket as { encrypted?: boolean }).encrypted ? 'secureConnect' : 'connect', () => manager.onSocketConnected());
      socket.on('data', (chunk: Buffer) => hooked.data(chunk));
      socket.on('drain', () => manager.onSocketDrain());
      socket.on('close', (hasError: boolean) => {
        // The library clears its connect timer on connect or error only; a socket closed during a
        // TLS handshake (or destroyed by a shutdown) would leave it running and keep the process alive.
        if (manager.socket === socket && manager.connectTimeoutHandler) {
          clearTimeout(manager.connectTimeoutHandler);
          manager.connectTimeoutHandler = null;
        }
        hooked.closed();
        manager.onSocketClosed(hasError);
      });
      socket.on('error', (error: Error) => {
        hooked.error(error);
        manager.onSocketError(error);
      });
    });
  };
  return {
    get socket() {
      return manager.socket;
    },
    get serverCount() {
      return manager.servers.length;
    },
    get stopped() {
      return manager.state < 0;
    },
    deliver: (frame) => manager.onSocketData(frame),
    refuse: () => manager.setState(LIBRARY_STATES.AUTHENTICATION_FAILED),
  };
}

/** The library decodes no payload for a DELETE reply: requests the session writes itself are filed under that type. */
const LIBRARY_DISPATCH_WITHOUT_PAYLOAD = 2;

/**
 * Sends a request frame the library cannot write (multiRead, whoAmI, addWatch) through its own queue.
 * `frame` is called as the packet is written, with the xid just assigned; `callback` gets the
 * library's verdict and that xid (undefined if never written). The reply's payload is not decoded by
 * the library: the socket hook takes it by xid first.
 */
export function queueOwnFrame(client: Client, frame: (xid: number) => Buffer, callback: (error: Error | null | undefined, xid: number | undefined) => void): void {
  const header = { xid: 0, type: LIBRARY_DISPATCH_WITHOUT_PAYLOAD };
  let written: number | undefined;
  connectionManagerOf(client).queue(
    {
      header,
      payload: null,
      toBuffer: () => {
        written = header.xid;
        return frame(header.xid);
      },
    },
    (error) => callback(error, written),
  );
}

/**
 * Closes a client for good. The library sends a close request and keeps its socket until the
 * server answers, which a frozen or silent server never does; so the socket is destroyed after
 * `graceMs` (at once when there is no session worth closing politely).
 */
export function shutDown(client: Client, graceMs: number, attempt = 0): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
  const socket = connectionManagerOf(client)?.socket;
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
