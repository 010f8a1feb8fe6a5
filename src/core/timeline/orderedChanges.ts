// Changes applied in the server's order although some wait for their znode's data: a bounded queue
// whose head goes out once ready; past its bound a change is dropped and counted, and the count is
// reported before the next change that goes out (or once the queue drains).

import { Fifo } from '../concurrency';

interface Pending {
  ready: boolean;
  apply(): void;
}

export class OrderedChanges {
  private readonly pending = new Fifo<Pending>();
  private dropped = 0;
  private stopped = false;

  constructor(
    private readonly maxPending: number,
    private readonly reportDropped: (count: number) => void,
  ) {}

  /** Room for one more; false (and counted) when the backlog is full. */
  admit(): boolean {
    if (this.pending.length >= this.maxPending) {
      this.dropped += 1;
      return false;
    }
    return true;
  }

  /** A change counted as dropped without asking for room (held back elsewhere past its bound). */
  drop(): void {
    this.dropped += 1;
  }

  enqueue(apply: () => void): void {
    this.pending.push({ ready: true, apply });
    this.drain();
  }

  /** Applies `apply` with what `read` gives (or undefined if it fails), in order with the rest. */
  enqueueRead<T>(read: Promise<T>, apply: (value: T | undefined) => void): void {
    const item: Pending = { ready: false, apply: () => undefined };
    this.pending.push(item);
    read
      .then(
        (value) => {
          item.apply = () => apply(value);
        },
        () => {
          item.apply = () => apply(undefined);
        },
      )
      .finally(() => {
        item.ready = true;
        this.drain();
      });
  }

  /** Nothing more goes out. */
  stop(): void {
    this.stopped = true;
  }

  private drain(): void {
    for (let head = this.pending.peek(); head?.ready; head = this.pending.peek()) {
      this.pending.shift();
      if (!this.stopped) {
        this.flushDropped();
        head.apply();
      }
    }
    if (this.pending.length === 0 && !this.stopped) {
      this.flushDropped();
    }
  }

  private flushDropped(): void {
    if (this.dropped > 0) {
      const count = this.dropped;
      this.dropped = 0;
      this.reportDropped(count);
    }
  }
}
