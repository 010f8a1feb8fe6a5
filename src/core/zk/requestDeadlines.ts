// The session's requests on the wire: each has a deadline, checked by one periodic sweep (a timer
// per request would cost an allocation each); all of a dropped client's requests fail at once.

import type { HiveZkError } from '../errors';

export interface PendingRequest<C> {
  deadline: number;
  client: C;
  path: string;
  fail(error: HiveZkError): void;
}

export class PendingRequests<C> {
  private readonly entries = new Set<PendingRequest<C>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  /** `onOverdue` is called for each request past its deadline; it must settle the request. */
  constructor(
    private readonly requestTimeoutMs: number,
    private readonly onOverdue: (entry: PendingRequest<C>) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(entry: PendingRequest<C>): void {
    this.entries.add(entry);
    if (!this.sweepTimer) {
      const every = Math.min(1000, Math.max(50, Math.floor(this.requestTimeoutMs / 4)));
      this.sweepTimer = setInterval(() => this.sweep(), every);
    }
  }

  /** Forgets a request that has its answer; false if it was already settled. */
  settle(entry: PendingRequest<C>): boolean {
    if (!this.entries.delete(entry)) {
      return false;
    }
    if (this.entries.size === 0 && this.idleWaiters.length > 0) {
      for (const wake of this.idleWaiters.splice(0)) {
        wake();
      }
    }
    return true;
  }

  failAll(reason: HiveZkError): void {
    for (const entry of [...this.entries]) {
      entry.fail(reason);
    }
  }

  /** Resolves once nothing is on the wire. */
  whenIdle(): Promise<void> {
    return this.entries.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private sweep(): void {
    if (this.entries.size === 0) {
      this.stop();
      return;
    }
    const now = Date.now();
    for (const entry of [...this.entries]) {
      if (entry.deadline <= now) {
        this.onOverdue(entry);
      }
    }
  }
}
