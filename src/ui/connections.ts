// Owns the one ZooKeeper session per configured ensemble, shared by the tree, the commands and
// the watches; digest credentials and TLS/SASL secrets come from SecretStorage and are never logged.
import * as vscode from 'vscode';
import { parseConnectString } from '../core/zk/connectString';
import { HiveZkError, toHiveZkError } from '../core/errors';
import { Disposable } from '../core/lifecycle';
import { describeSecurity, secureTransport } from '../core/zk/auth/secureTransport';
import type { SessionState, StateChange, ZkSession, ZkSessionOptions } from '../core/zk/session';
import { readSecuritySecrets, securityKey, securitySecretKey, SECURITY_SECRETS, sessionSecurity, type SecuritySecret, type SecuritySecrets } from './ensembleSecurity';
import type { EnsembleConfig, Settings } from './settings';

const SECRET_PREFIX = 'hiveZk.digest.';

export interface EnsembleStateChange {
  ensemble: string;
  change: StateChange;
}

export class Connections extends Disposable {
  private readonly sessions = new Map<string, { session: ZkSession; subscription: { dispose(): void } }>();
  private readonly pendingSessions = new Map<string, Promise<ZkSession>>();
  /** Bumped by close(): a session still being created under an older epoch is not kept. */
  private readonly epochs = new Map<string, number>();
  /** Why an ensemble's session could not even be made (a TLS file, a missing SASL credential); cleared by close(). */
  private readonly setupFailures = new Map<string, HiveZkError>();
  /** The error of the last failed state change, for the status bar and tooltips. */
  private readonly lastErrors = new Map<string, HiveZkError>();
  private readonly stateEmitter = new vscode.EventEmitter<EnsembleStateChange>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    private settings: () => Settings,
  ) {
    super();
    // Released in this order: every session closed (listeners hear "idle"), then the emitter.
    this.register({ dispose: () => this.closeAll() });
    this.register(this.stateEmitter);
  }

  /** After dispose() nothing new is made: a session would outlive the extension, closed by nobody. */
  private refuseIfDisposed(ensemble: string): void {
    if (this.isDisposed) {
      throw disposedError(ensemble);
    }
  }

  /** The shared session of an ensemble, created on first use (no connection until a request). */
  sessionFor(ensemble: EnsembleConfig): Promise<ZkSession> {
    if (this.isDisposed) {
      return Promise.reject(disposedError(ensemble.name));
    }
    const existing = this.sessions.get(ensemble.name);
    if (existing) {
      return Promise.resolve(existing.session);
    }
    let pending = this.pendingSessions.get(ensemble.name);
    if (!pending) {
      const epoch = this.epochOf(ensemble.name);
      const created = this.createSession(ensemble, epoch).catch((error: unknown) => {
        const failure = toHiveZkError(error);
        if (epoch === this.epochOf(ensemble.name)) {
          this.setupFailures.set(ensemble.name, failure);
          this.lastErrors.set(ensemble.name, failure);
          this.log.warn(`[${ensemble.name}] session not made: ${failure.code}: ${failure.message}`);
          this.stateEmitter.fire({ ensemble: ensemble.name, change: { state: 'error', generation: 0, error: failure } });
        }
        throw failure;
      }).finally(() => {
        if (this.pendingSessions.get(ensemble.name) === created) {
          this.pendingSessions.delete(ensemble.name);
        }
      });
      pending = created;
      this.pendingSessions.set(ensemble.name, pending);
    }
    return pending;
  }

  private epochOf(name: string): number {
    return this.epochs.get(name) ?? 0;
  }

  private async createSession(ensemble: EnsembleConfig, epoch: number): Promise<ZkSession> {
    const [digest, secrets, { ZkSession }] = await Promise.all([this.secrets.get(SECRET_PREFIX + ensemble.name), readSecuritySecrets(this.secrets, ensemble.name), loadSessionModule()]);
    // Disposed while the secrets were read: the retry below would make a session nobody closes.
    this.refuseIfDisposed(ensemble.name);
    if (epoch !== this.epochOf(ensemble.name)) {
      // Closed while the secret or the library loaded: what was read may be stale, start over.
      const current = this.settings().ensembles.find((e) => e.name === ensemble.name);
      if (!current) {
        throw new HiveZkError('ZK_CLOSED', `The ensemble "${ensemble.name}" is no longer configured.`);
      }
      return this.sessionFor(current);
    }
    const session = new ZkSession(this.sessionOptions(ensemble, digest, secrets));
    const subscription = session.onDidChangeState((change) => {
      if (change.error) {
        this.lastErrors.set(ensemble.name, change.error);
      }
      const detail = change.error ? `: ${change.error.message}` : '';
      const line = `[${ensemble.name}] session ${change.state} (client #${change.generation})${detail}`;
      if (change.state === 'error' || change.state === 'expired' || change.state === 'authFailed') {
        this.log.warn(line);
      } else {
        this.log.info(line);
      }
      this.stateEmitter.fire({ ensemble: ensemble.name, change });
    });
    this.sessions.set(ensemble.name, { session, subscription });
    this.log.info(`[${ensemble.name}] session for ${session.connectString} (${describeSecurity(sessionSecurity(ensemble, secrets))})${digest ? ' with a digest credential' : ''}`);
    return session;
  }

  /** Options for a session of this ensemble; TLS files are read here, so a bad one throws ZK_TLS_FAILED. */
  private sessionOptions(ensemble: EnsembleConfig, digest: string | undefined, secrets: SecuritySecrets): ZkSessionOptions {
    const { connectTimeoutMs, requestTimeoutMs } = this.settings();
    const security = sessionSecurity(ensemble, secrets);
    return {
      connectString: ensemble.connectString,
      sessionTimeoutMs: ensemble.sessionTimeoutMs,
      connectTimeoutMs,
      requestTimeoutMs,
      ...(digest ? { digest } : {}),
      ...(security ? { transport: inExtensionWords(() => secureTransport(security)) } : {}),
    };
  }

  /**
   * Opens a throwaway session with these settings and the stored secrets (or `secrets`, not yet
   * stored, from a wizard), lists the root, and closes it: resolves with the root's child count,
   * or rejects with the precise failure within the connect timeout.
   */
  async testConnection(ensemble: EnsembleConfig, secrets?: SecuritySecrets): Promise<{ children: number; ms: number }> {
    const started = Date.now();
    const [digest, stored, { ZkSession }] = await Promise.all([this.secrets.get(SECRET_PREFIX + ensemble.name), readSecuritySecrets(this.secrets, ensemble.name), loadSessionModule()]);
    const session = new ZkSession(this.sessionOptions(ensemble, digest, { ...stored, ...secrets }));
    try {
      await session.open();
      const { children } = await session.getChildren('/');
      return { children: children.length, ms: Date.now() - started };
    } finally {
      session.close();
    }
  }

  /** Why the ensemble is failing, when its state says it is (error, authFailed, expired). */
  failureOf(name: string): HiveZkError | undefined {
    const state = this.stateOf(name);
    return state === 'error' || state === 'authFailed' || state === 'expired' ? this.lastErrors.get(name) : undefined;
  }

  stateOf(name: string): SessionState {
    return this.sessions.get(name)?.session.state ?? (this.setupFailures.has(name) ? 'error' : 'idle');
  }

  /** The configured ensemble whose servers match a connect string (order-insensitive), if any. */
  ensembleMatching(connectString: string): EnsembleConfig | undefined {
    const key = serverKey(connectString);
    return this.settings().ensembles.find((e) => serverKey(e.connectString) === key);
  }

  /**
   * Runs work on the shared session of a matching ensemble, or on a short-lived one that is closed
   * afterwards (a URL pasted for an ensemble that is not configured).
   */
  async withSessionFor<T>(connectString: string, work: (session: ZkSession) => Promise<T>): Promise<T> {
    const ensemble = this.ensembleMatching(connectString);
    if (ensemble) {
      return work(await this.sessionFor(ensemble));
    }
    const { connectTimeoutMs, requestTimeoutMs } = this.settings();
    const { ZkSession } = await loadSessionModule();
    const session = new ZkSession({ connectString, connectTimeoutMs, requestTimeoutMs });
    try {
      return await work(session);
    } finally {
      session.close();
    }
  }

  async storeCredential(ensemble: string, digest: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + ensemble, digest);
    this.close(ensemble);
  }

  async deleteCredential(ensemble: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + ensemble);
    this.close(ensemble);
  }

  async hasCredential(ensemble: string): Promise<boolean> {
    return (await this.secrets.get(SECRET_PREFIX + ensemble)) !== undefined;
  }

  /** Stores (or, with undefined, forgets) one TLS/SASL secret of an ensemble; its session is replaced. */
  async storeSecuritySecret(ensemble: string, secret: SecuritySecret, value: string | undefined): Promise<void> {
    if (value === undefined) {
      await this.secrets.delete(securitySecretKey(ensemble, secret));
    } else {
      await this.secrets.store(securitySecretKey(ensemble, secret), value);
    }
    this.close(ensemble);
  }

  async hasSecuritySecret(ensemble: string, secret: SecuritySecret): Promise<boolean> {
    return (await this.secrets.get(securitySecretKey(ensemble, secret))) !== undefined;
  }

  async deleteSecuritySecrets(ensemble: string): Promise<void> {
    await Promise.all(SECURITY_SECRETS.map((s) => this.secrets.delete(securitySecretKey(ensemble, s))));
    this.close(ensemble);
  }

  /** Closes one ensemble's session (or the one being created); the next use makes a new one with current settings. */
  close(name: string): void {
    this.epochs.set(name, this.epochOf(name) + 1);
    this.pendingSessions.delete(name);
    this.lastErrors.delete(name);
    if (this.setupFailures.delete(name) && !this.sessions.has(name)) {
      this.stateEmitter.fire({ ensemble: name, change: { state: 'idle', generation: 0 } });
    }
    const entry = this.sessions.get(name);
    if (entry) {
      this.sessions.delete(name);
      entry.subscription.dispose();
      entry.session.close();
      this.stateEmitter.fire({ ensemble: name, change: { state: 'idle', generation: 0 } });
    }
  }

  closeAll(): void {
    for (const name of new Set([...this.sessions.keys(), ...this.pendingSessions.keys(), ...this.settings().ensembles.map((e) => e.name)])) {
      this.close(name);
    }
  }

  /**
   * Applies a settings change: closes only the sessions it makes stale (an ensemble removed or its
   * connect string, session timeout, TLS or SASL changed; all of them when the timeouts change).
   */
  applySettings(previous: Settings, next: Settings): string[] {
    const stale = staleEnsembles(previous, next);
    for (const name of stale) {
      this.close(name);
    }
    return stale;
  }

}

function disposedError(ensemble: string): HiveZkError {
  return new HiveZkError('ZK_CLOSED', `Hive ZooKeeper is shutting down: no session for "${ensemble}".`);
}

/** The core names the CLI's password variables; here store passwords come from Configure Security. */
function inExtensionWords<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof HiveZkError && /HIVEZK_TLS_\w+_PASSWORD/.test(error.message)) {
      const message = error.message
        .replace(/If it has a password, set HIVEZK_TLS_\w+_PASSWORD\./, 'If it has a password, store it with "Configure Security…".')
        .replace(/\(HIVEZK_TLS_\w+_PASSWORD\)/, '(stored with "Configure Security…")');
      throw new HiveZkError(error.code, message, { ...error.details }, { cause: error });
    }
    throw error;
  }
}

/** The ZooKeeper client library is loaded with the first session, not at activation. */
function loadSessionModule(): Promise<typeof import('../core/zk/session')> {
  return import('../core/zk/session');
}

function serverKey(connectString: string): string {
  try {
    const parsed = parseConnectString(connectString);
    return parsed.servers.map((s) => `${s.host.toLowerCase()}:${s.port}`).sort().join(',') + (parsed.chroot ?? '');
  } catch {
    return connectString;
  }
}

/** The ensembles whose sessions a settings change makes stale. */
export function staleEnsembles(previous: Settings, next: Settings): string[] {
  const names = previous.ensembles.map((e) => e.name);
  if (previous.connectTimeoutMs !== next.connectTimeoutMs || previous.requestTimeoutMs !== next.requestTimeoutMs) {
    return names;
  }
  return names.filter((name) => {
    const before = previous.ensembles.find((e) => e.name === name);
    const after = next.ensembles.find((e) => e.name === name);
    return !after || after.connectString !== before?.connectString || after.sessionTimeoutMs !== before.sessionTimeoutMs || securityKey(after) !== securityKey(before);
  });
}
