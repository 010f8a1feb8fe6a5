// The session's own socket under one instance of the ZooKeeper client library: we open each connection
// (plain TCP, or whatever a ZkTransport makes, e.g. TLS), see its errors, cut its data into whole
// frames, and may run a handshake (e.g. SASL) before the library sees the server's ConnectResponse.
// It reaches the library only through the seam's LibraryPort (library.ts: takeOverConnect).

import * as net from 'node:net';
import { HiveZkError } from '../errors';
import type { ClientAuth } from './identities';
import { takeOverConnect, type HookedSocket, type LibraryPort, type ServerAddress } from './library';
import type { Client } from './libraryApi';
import { FrameSplitter, connectResponseTimeout } from './wire';

export type { ServerAddress } from './library';

/** One new connection, between the server's ConnectResponse and the library's first request. */
export interface HandshakeChannel {
  readonly server: ServerAddress;
  /** The connection's socket (a TLSSocket when the transport made one), e.g. for its peer certificate. */
  readonly socket: net.Socket;
  /**
   * Writes one whole request frame (4-byte length prefix included) and resolves with the next
   * whole frame the server sends; rejects when the connection closes or the handshake times out.
   */
  exchange(frame: Buffer): Promise<Buffer>;
}

/**
 * How a session reaches its servers. Every part is optional; the default is plain TCP, no handshake.
 * - `createSocket`: opens the socket to one server. A socket with `encrypted` set (a TLSSocket) is
 *   ready on 'secureConnect', any other on 'connect'.
 * - `handshake`: runs on every new connection of the session (first connect, reconnect, failover)
 *   once the server has accepted the session and before any request is sent. Resolving lets the
 *   library carry on. Rejecting with a HiveZkError (say with a SASL code) fails the session for good
 *   (state authFailed, no reconnect loop), and that error is what the caller sees; any other
 *   rejection (e.g. exchange() failing because the connection broke) drops only this connection and
 *   the library tries the next server, as after a timeout.
 * - `describeError`: turns a socket error (a TLS alert, a refusal) into the error reported if the
 *   connect times out; when absent, the timeout error names the last socket error.
 */
export interface ZkTransport {
  createSocket?(server: ServerAddress): net.Socket;
  handshake?(channel: HandshakeChannel): Promise<void>;
  describeError?(error: Error, server: ServerAddress): HiveZkError | undefined;
  /**
   * A socket error retrying cannot fix (say a certificate the other side rejects). Once every server
   * of the connect string has failed so, the session fails at once with `describeError`'s error
   * instead of reconnecting until the connect timeout.
   */
  isFatal?(error: Error): boolean;
  /** How the handshake authenticates, as far as the client knows (its SASL mechanism and user). */
  clientAuth?(): ClientAuth;
}

export interface SocketHookOptions {
  transport: ZkTransport;
  /** A handshake that has not finished by then drops the connection (the library tries the next server). */
  handshakeTimeoutMs: number;
  /**
   * Sees every frame after the handshake, before the library does (batched reads decode their replies
   * here, persistent watches their notifications); 'drop' keeps it from the library.
   */
  inspectFrame?: (frame: Buffer) => 'pass' | 'drop';
  /** A connection was accepted by the server (and its handshake passed): `connectionId` counts them. */
  onConnection?: (connectionId: number) => void;
  /** Every server refused a connection (ECONNREFUSED) since the last accepted one: nothing listens there. */
  onAllRefused?: (error: Error) => void;
}

/** Per-client state of the hook, read by the session. */
export class SocketHook {
  /** Connections made so far (1 for the first); a new id means a new server-side connection. */
  connectionId = 0;
  lastError: { error: Error; server: ServerAddress } | undefined;
  /** Set when the handshake refused this session; the session reports it instead of a generic auth failure. */
  handshakeFailure: HiveZkError | undefined;
  /** Servers whose last connection failed for good (isFatal), since the last accepted connection. */
  private readonly fatalServers = new Set<string>();
  /** Servers that refused a connection since the last accepted one (a refusal is an answer, not a delay). */
  private readonly refusedServers = new Set<string>();

  private socketCloseWaiters: (() => void)[] = [];

  private readonly port: LibraryPort;

  constructor(client: Client, private readonly options: SocketHookOptions) {
    this.port = takeOverConnect(client, (server) => this.open(server));
  }

  /** Resolves once the current socket has closed (at once if there is none), or after `maxWaitMs`. */
  currentSocketClosed(maxWaitMs: number): Promise<void> {
    const socket = this.port.socket;
    if (!socket || socket.destroyed) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.socketCloseWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The connect error worth showing: the transport's reading of the last socket error, if any. */
  describeLastError(): HiveZkError | undefined {
    if (!this.lastError) {
      return undefined;
    }
    return this.options.transport.describeError?.(this.lastError.error, this.lastError.server);
  }

  /** A socket for the next server the library tries: the transport's, seen by us before the library. */
  private open(server: ServerAddress): HookedSocket {
    const socket = this.options.transport.createSocket?.(server) ?? net.connect({ host: server.host, port: server.port });
    const connection = new Connection(this, this.port, socket, server);
    return {
      socket,
      data: (chunk) => connection.receive(chunk),
      closed: () => {
        connection.closed();
        for (const wake of this.socketCloseWaiters.splice(0)) {
          wake();
        }
      },
      error: (error) => {
        this.lastError = { error, server };
        if (this.options.transport.isFatal?.(error)) {
          this.fatalServers.add(`${server.host}:${server.port}`);
          if (this.fatalServers.size >= this.port.serverCount) {
            this.handshakeFailure = this.describeLastError();
            // As for a failed handshake: the library's close handler stops instead of reconnecting.
            this.port.refuse();
          }
        }
        if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
          this.refusedServers.add(`${server.host}:${server.port}`);
          if (this.refusedServers.size >= this.port.serverCount) {
            // After the library has handled the error (it runs next, in the same handler).
            queueMicrotask(() => this.options.onAllRefused?.(error));
          }
        }
      },
    };
  }

  /** Called by a connection once the server accepted the session on it. */
  accepted(): number {
    this.fatalServers.clear();
    this.refusedServers.clear();
    this.connectionId += 1;
    this.options.onConnection?.(this.connectionId);
    return this.connectionId;
  }

  get hasHandshake(): boolean {
    return this.options.transport.handshake !== undefined;
  }

  handshake(channel: HandshakeChannel): Promise<void> {
    return this.options.transport.handshake?.(channel) ?? Promise.resolve();
  }

  get handshakeTimeoutMs(): number {
    return this.options.handshakeTimeoutMs;
  }

  get inspectFrame(): ((frame: Buffer) => 'pass' | 'drop') | undefined {
    return this.options.inspectFrame;
  }
}

/** One socket's data path: ConnectResponse (held during a handshake), then frames to the library. */
class Connection {
  private readonly splitter = new FrameSplitter();
  private phase: 'awaitingConnectResponse' | 'handshake' | 'open' | 'closed' = 'awaitingConnectResponse';
  private readonly waiters: { resolve(frame: Buffer): void; reject(error: Error): void }[] = [];

  constructor(
    private readonly hook: SocketHook,
    private readonly port: LibraryPort,
    private readonly socket: net.Socket,
    private readonly server: ServerAddress,
  ) {}

  receive(chunk: Buffer): void {
    try {
      this.splitter.push(chunk, (frame) => this.deliver(frame));
    } catch (error) {
      this.hook.lastError = { error: error instanceof Error ? error : new Error(String(error)), server: this.server };
      this.socket.destroy();
    }
  }

  closed(): void {
    this.phase = 'closed';
    const gone = new Error(`The connection to ${this.server.host}:${this.server.port} closed during the handshake.`);
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(gone);
    }
  }

  private deliver(frame: Buffer): void {
    switch (this.phase) {
      case 'open':
        if (this.hook.inspectFrame?.(frame) !== 'drop') {
          this.port.deliver(frame);
        }
        return;
      case 'awaitingConnectResponse':
        if (this.hook.hasHandshake && connectResponseTimeout(frame) > 0) {
          this.phase = 'handshake';
          void this.runHandshake(frame);
        } else {
          this.open(frame);
        }
        return;
      case 'handshake': {
        const waiter = this.waiters.shift();
        if (waiter) {
          waiter.resolve(frame);
        } else {
          this.hook.lastError = { error: new Error('ZooKeeper sent an unexpected frame during the handshake.'), server: this.server };
          this.socket.destroy();
        }
        return;
      }
      case 'closed':
        return;
    }
  }

  private open(connectResponse: Buffer): void {
    this.phase = 'open';
    if (connectResponseTimeout(connectResponse) > 0) {
      this.hook.accepted();
    }
    this.port.deliver(connectResponse);
  }

  private async runHandshake(connectResponse: Buffer): Promise<void> {
    const channel: HandshakeChannel = {
      server: this.server,
      socket: this.socket,
      exchange: (request) =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.phase !== 'handshake') {
            reject(new Error('The handshake is over.'));
            return;
          }
          this.waiters.push({ resolve, reject });
          this.socket.write(request);
        }),
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.hook.handshakeTimeoutMs);
    });
    let outcome: 'done' | 'timeout' | { failure: unknown };
    try {
      outcome = await Promise.race([this.hook.handshake(channel).then(() => 'done' as const), timeout]);
    } catch (failure) {
      outcome = { failure };
    } finally {
      clearTimeout(timer);
    }
    if (typeof outcome === 'object' && outcome.failure instanceof HiveZkError) {
      // A verdict (bad credentials, say): final even if the server has closed the connection since
      // and the library is already on its way to the next server.
      this.hook.handshakeFailure = outcome.failure;
      if (!this.port.stopped) {
        // The library's close handler then stops instead of reconnecting.
        this.port.refuse();
        this.port.socket?.destroy();
      }
      return;
    }
    if (this.phase !== 'handshake' || this.port.socket !== this.socket) {
      return; // the connection went away meanwhile; the library is already reconnecting
    }
    if (outcome === 'done') {
      this.open(connectResponse);
      return;
    }
    // Timed out, or failed without a verdict (e.g. the connection broke): drop this connection only.
    const reason =
      outcome === 'timeout'
        ? new Error(`The handshake with ${this.server.host}:${this.server.port} did not finish within ${this.hook.handshakeTimeoutMs} ms.`)
        : outcome.failure instanceof Error
          ? outcome.failure
          : new Error(String(outcome.failure));
    this.hook.lastError = { error: reason, server: this.server };
    this.socket.destroy();
  }
}
