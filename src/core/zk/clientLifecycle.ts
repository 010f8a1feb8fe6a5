// A session's connect lifecycle: one library client at a time, made on first use (single flight) with
// a connect timeout, its state changes told to listeners, and a client the server no longer honours
// (expired, refused, silent, disconnected past the session timeout) retired so that the next use
// makes a fresh one. Each client comes with its socket hook and what the session learns about it.

import { HiveZkError } from '../errors';
import { newLibraryClient, shutDown } from './library';
import type { Client, ZkState } from './libraryApi';
import { newMultiReadSupport, type MultiReadSupport } from './multiRead';
import { SocketHook, type ZkTransport } from './socketHook';
import { newWhoAmISupport, type WhoAmISupport } from './whoAmI';

export type SessionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'expired' | 'authFailed' | 'error' | 'closed';

export interface StateChange {
  state: SessionState;
  /** Increments each time a new underlying client is created (watches must be re-armed). */
  generation: number;
  error?: HiveZkError;
}

export interface Disposable {
  dispose(): void;
}

/** One library client and what the session keeps beside it, for as long as the client lives. */
export interface SessionClient {
  readonly client: Client;
  /** Our socket hook under the client (its connections, errors, handshake outcome). */
  readonly hook: SocketHook;
  readonly multiRead: MultiReadSupport;
  readonly whoAmI: WhoAmISupport;
}

export interface LifecycleOptions {
  connectString: string;
  sessionTimeoutMs: number;
  connectTimeoutMs: number;
  /** Digest credential "user:password": a secret, never logged or echoed. */
  digest?: string;
  transport: ZkTransport;
  /** Sees every frame of a client after its handshake, before the library does; 'drop' keeps it from the library. */
  inspectFrame(current: SessionClient, frame: Buffer): 'pass' | 'drop';
  /** A client's connection was accepted by the server (a new connectionId each time). */
  onConnection(current: SessionClient, connectionId: number): void;
  /** The current client is dropped: whatever waits on it fails with `reason`. */
  onDrop(reason: HiveZkError): void;
}

export class ClientLifecycle {
  private currentClient: SessionClient | undefined;
  private connecting: Promise<SessionClient> | undefined;
  /** Ends the connect in flight (close() while connecting): its client is shut down, its events ignored. */
  private abortConnect: ((error: HiveZkError) => void) | undefined;
  private currentState: SessionState = 'idle';
  private generationCounter = 0;
  private disconnectTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(change: StateChange) => void>();

  constructor(private readonly options: LifecycleOptions) {}

  get state(): SessionState {
    return this.currentState;
  }

  get generation(): number {
    return this.generationCounter;
  }

  /** The client in use now, if connected (or reconnecting): never starts one. */
  get current(): SessionClient | undefined {
    return this.currentClient;
  }

  onDidChangeState(listener: (change: StateChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The current client, connecting first (one connect at a time) if there is none. */
  ensure(): Promise<SessionClient> {
    if (this.currentState === 'closed') {
      return Promise.reject(new HiveZkError('ZK_CLOSED', 'The ZooKeeper session was closed.'));
    }
    if (this.currentClient) {
      return Promise.resolve(this.currentClient);
    }
    this.connecting ??= this.start().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * Drops `current` if it is still the client in use (it stopped answering, or refused us): what waits
   * on it fails with `reason`, the state becomes `state` (telling `reported`), and the next use starts afresh.
   */
  retireCurrent(current: SessionClient, reason: HiveZkError, state: SessionState, reported?: HiveZkError): void {
    if (this.currentClient !== current) {
      return;
    }
    this.drop(reason);
    this.setState(state, reported);
  }

  /** Idempotent: the connect in flight is abandoned and the client closed. */
  close(): void {
    if (this.currentState === 'closed') {
      return;
    }
    const closed = new HiveZkError('ZK_CLOSED', 'The ZooKeeper session was closed.');
    this.abortConnect?.(closed);
    this.drop(closed);
    this.setState('closed');
    this.listeners.clear();
  }

  private start(): Promise<SessionClient> {
    const { connectString, connectTimeoutMs } = this.options;
    let client: Client;
    try {
      client = newLibraryClient(connectString, this.options.sessionTimeoutMs);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    let ownAbort: ((error: HiveZkError) => void) | undefined;
    const hook = new SocketHook(client, {
      transport: this.options.transport,
      handshakeTimeoutMs: connectTimeoutMs,
      inspectFrame: (frame) => this.options.inspectFrame(current, frame),
      onConnection: (connectionId) => this.options.onConnection(current, connectionId),
      // A first connect that every server refused is final: waiting out the connect timeout changes nothing.
      // (A session already made rides out refusals: a restarting server refuses for a moment.)
      onAllRefused: (error) => {
        const abort = this.abortConnect;
        // Only this client's own first connect (a retired client's late refusals abort nothing).
        if (abort && abort === ownAbort) {
          const failure = hook.describeLastError() ?? new HiveZkError('ZK_UNREACHABLE', `Every server of ${connectString} refused the connection (${error.message}): no ZooKeeper listens on that port. Check the hosts and ports.`, { connectString, lastError: error.message });
          this.setState('error', failure);
          abort(failure);
        }
      },
    });
    const current: SessionClient = { client, hook, multiRead: newMultiReadSupport(), whoAmI: newWhoAmISupport() };
    this.generationCounter += 1;
    this.setState('connecting');
    return new Promise<SessionClient>((resolve, reject) => {
      let established = false;
      ownAbort = (error) => {
        this.abortConnect = undefined;
        clearTimeout(timer);
        shutDown(client, 0);
        reject(error);
      };
      this.abortConnect = ownAbort;
      const timer = setTimeout(() => {
        this.abortConnect = undefined;
        shutDown(client, 0);
        const lastError = hook.lastError?.error.message;
        const error =
          hook.describeLastError() ??
          new HiveZkError(
            'ZK_UNREACHABLE',
            `Could not connect to ZooKeeper at ${connectString} within ${connectTimeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}. Check the hosts, ports and firewall.`,
            lastError ? { connectString, lastError } : { connectString },
          );
        this.setState('error', error);
        reject(error);
      }, connectTimeoutMs);
      client.on('state', (state: ZkState) => {
        const name = state.name;
        if (name === 'SYNC_CONNECTED' || name === 'CONNECTED_READ_ONLY') {
          this.clearDisconnectTimer();
          if (!established) {
            established = true;
            this.abortConnect = undefined;
            clearTimeout(timer);
            this.currentClient = current;
            resolve(current);
          }
          this.setState('connected');
        } else if (name === 'DISCONNECTED' && established && this.currentClient === current) {
          this.setState('reconnecting');
          this.startDisconnectTimer(current);
        } else if (name === 'EXPIRED') {
          this.abortConnect = undefined;
          clearTimeout(timer);
          this.retire(current, 'expired', new HiveZkError('ZK_SESSION_EXPIRED', 'The ZooKeeper session expired; a new one is made on next use.'), reject);
        } else if (name === 'AUTH_FAILED') {
          this.abortConnect = undefined;
          clearTimeout(timer);
          const failure = hook.handshakeFailure ?? new HiveZkError('ZK_AUTH_FAILED', `ZooKeeper rejected the credentials for ${connectString}.`);
          this.retire(current, 'authFailed', failure, reject);
        }
      });
      if (this.options.digest !== undefined) {
        client.addAuthInfo('digest', Buffer.from(this.options.digest, 'utf8'));
      }
      client.connect();
    });
  }

  /** Ends a client the server no longer honours; the next request starts a fresh one. */
  private retire(current: SessionClient, state: SessionState, error: HiveZkError, rejectConnect: (e: HiveZkError) => void): void {
    if (this.currentClient === current) {
      this.drop(error);
    } else {
      shutDown(current.client, 0);
      rejectConnect(error);
    }
    this.setState(state, error);
  }

  private startDisconnectTimer(current: SessionClient): void {
    this.clearDisconnectTimer();
    // The library only learns of expiry once it reaches a server again; past the session
    // timeout the session is gone anyway, so stop waiting and start afresh on next use.
    this.disconnectTimer = setTimeout(() => {
      if (this.currentClient === current) {
        const error = new HiveZkError('ZK_SESSION_EXPIRED', `Lost the connection to ${this.options.connectString} for longer than the session timeout.`);
        this.drop(error);
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

  private drop(reason: HiveZkError): void {
    this.clearDisconnectTimer();
    const current = this.currentClient;
    this.currentClient = undefined;
    if (current) {
      // A healthy server acknowledges the close at once; a frozen or unreachable one never does.
      shutDown(current.client, reason.code === 'ZK_CLOSED' ? 2000 : 0);
    }
    this.options.onDrop(reason);
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
