// Keeps the tree current without a refresh: ZooKeeper watches on expanded namespaces (armed once per
// session and client generation), a debounce so a burst of changes is one refresh, and a backed-off
// retry of an ensemble that failed to list.
import type { DisposableLike } from '../../core/lifecycle';
import { Disposable } from '../../core/lifecycle';
import type { ZkSession } from '../../core/zk/session';

const DEBOUNCE_MS = 250;
const FIRST_RETRY_MS = 5000;
const MAX_RETRY_MS = 60_000;

export class LiveUpdates extends Disposable {
  /** Node id → the session and client generation its watch is armed on. */
  private readonly armed = new Map<string, { session: ZkSession; generation: number }>();
  private readonly debounces = new Map<string, DisposableLike>();
  private readonly retries = new Map<string, { timer: DisposableLike; attempt: number }>();

  constructor(
    /** Called (debounced) when a watched node changed. */
    private readonly onNodeChanged: (id: string) => void,
    /** Called when an ensemble's retry is due. */
    private readonly onRetryDue: (ensemble: string) => void,
  ) {
    super();
  }

  /**
   * A watcher for the node's next listing on this session, or undefined when one is armed already.
   * A new session or a new client (after expiry, a timeout, a credential or settings change) has
   * none of the old watches, so the key includes both.
   */
  watcherFor(id: string, session: ZkSession): (() => void) | undefined {
    const armed = this.armed.get(id);
    if (this.isDisposed || (armed?.session === session && armed.generation === session.generation)) {
      return undefined;
    }
    this.armed.set(id, { session, generation: session.generation });
    return () => {
      if (this.armed.get(id)?.session === session) {
        this.armed.delete(id);
      }
      this.debounce(id);
    };
  }

  /** The node is gone from the tree: its watch, should it fire, changes nothing. */
  forget(id: string): void {
    this.armed.delete(id);
    this.debounces.get(id)?.dispose();
    this.debounces.delete(id);
  }

  private debounce(id: string): void {
    this.debounces.get(id)?.dispose();
    this.debounces.set(
      id,
      this.timeout(DEBOUNCE_MS, () => {
        this.debounces.delete(id);
        this.onNodeChanged(id);
      }),
    );
  }

  /** Retries an ensemble later, backing off 5 s, 10 s, 20 s … up to a minute. */
  scheduleRetry(ensemble: string): void {
    const previous = this.retries.get(ensemble);
    previous?.timer.dispose();
    const attempt = (previous?.attempt ?? 0) + 1;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
    this.retries.set(ensemble, { attempt, timer: this.timeout(delay, () => this.onRetryDue(ensemble)) });
  }

  clearRetry(ensemble: string): void {
    this.retries.get(ensemble)?.timer.dispose();
    this.retries.delete(ensemble);
  }
}
