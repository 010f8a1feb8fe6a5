// Owns the one ZooKeeper session per configured ensemble, shared by the tree, the commands and
// the watches; digest credentials come from SecretStorage and are never logged.
import * as vscode from 'vscode';
import { parseConnectString } from '../core/connectString';
import { HiveZkError } from '../core/errors';
import type { SessionState, StateChange, ZkSession } from '../core/zkSession';
import type { EnsembleConfig, Settings } from './settings';

const SECRET_PREFIX = 'hiveZk.digest.';

export interface EnsembleStateChange {
  ensemble: string;
  change: StateChange;
}

export class Connections implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: ZkSession; subscription: { dispose(): void } }>();
  private readonly pendingSessions = new Map<string, Promise<ZkSession>>();
  /** Bumped by close(): a session still being created under an older epoch is not kept. */
  private readonly epochs = new Map<string, number>();
  private readonly stateEmitter = new vscode.EventEmitter<EnsembleStateChange>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    private settings: () => Settings,
  ) {}

  /** The shared session of an ensemble, created on first use (no connection until a request). */
  sessionFor(ensemble: EnsembleConfig): Promise<ZkSession> {
    const existing = this.sessions.get(ensemble.name);
    if (existing) {
      return Promise.resolve(existing.session);
    }
    let pending = this.pendingSessions.get(ensemble.name);
    if (!pending) {
      const created = this.createSession(ensemble, this.epochOf(ensemble.name)).finally(() => {
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
    const [digest, { ZkSession }] = await Promise.all([this.secrets.get(SECRET_PREFIX + ensemble.name), loadSessionModule()]);
    if (epoch !== this.epochOf(ensemble.name)) {
      // Closed while the secret or the library loaded: what was read may be stale, start over.
      const current = this.settings().ensembles.find((e) => e.name === ensemble.name);
      if (!current) {
        throw new HiveZkError('ZK_CLOSED', `The ensemble "${ensemble.name}" is no longer configured.`);
      }
      return this.sessionFor(current);
    }
    const { connectTimeoutMs, requestTimeoutMs } = this.settings();
    const session = new ZkSession({
      connectString: ensemble.connectString,
      sessionTimeoutMs: ensemble.sessionTimeoutMs,
      connectTimeoutMs,
      requestTimeoutMs,
      ...(digest ? { digest } : {}),
    });
    const subscription = session.onDidChangeState((change) => {
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
    this.log.info(`[${ensemble.name}] session for ${session.connectString}${digest ? ' with a digest credential' : ''}`);
    return session;
  }

  stateOf(name: string): SessionState {
    return this.sessions.get(name)?.session.state ?? 'idle';
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

  /** Closes one ensemble's session (or the one being created); the next use makes a new one with current settings. */
  close(name: string): void {
    this.epochs.set(name, this.epochOf(name) + 1);
    this.pendingSessions.delete(name);
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
   * connect string or session timeout changed; all of them when the timeouts change).
   */
  applySettings(previous: Settings, next: Settings): string[] {
    const stale = staleEnsembles(previous, next);
    for (const name of stale) {
      this.close(name);
    }
    return stale;
  }

  dispose(): void {
    this.closeAll();
    this.stateEmitter.dispose();
  }
}

/** The ZooKeeper client library is loaded with the first session, not at activation. */
function loadSessionModule(): Promise<typeof import('../core/zkSession')> {
  return import('../core/zkSession');
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
    return !after || after.connectString !== before?.connectString || after.sessionTimeoutMs !== before.sessionTimeoutMs;
  });
}
