// A small Disposable base: what an object owns is registered once and released by one idempotent
// dispose(); a disposed object cannot re-arm a timer or take on new resources. And cancellation:
// long work takes an AbortSignal and stops with the typed CANCELLED error.

import { HiveZkError } from './errors';

export interface DisposableLike {
  dispose(): void;
}

export function toDisposable(dispose: () => void): DisposableLike {
  let done = false;
  return {
    dispose: () => {
      if (!done) {
        done = true;
        dispose();
      }
    },
  };
}

export abstract class Disposable implements DisposableLike {
  private readonly owned = new Set<DisposableLike>();
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Takes ownership; something registered after dispose() is released at once. */
  protected register<T extends DisposableLike>(resource: T): T {
    if (this.disposed) {
      resource.dispose();
    } else {
      this.owned.add(resource);
    }
    return resource;
  }

  /** A timer released with this object; never armed once it is disposed. */
  protected timeout(ms: number, run: () => void): DisposableLike {
    if (this.disposed) {
      return toDisposable(() => undefined);
    }
    const handle = setTimeout(() => {
      this.owned.delete(entry);
      run();
    }, ms);
    const entry = toDisposable(() => {
      clearTimeout(handle);
      this.owned.delete(entry);
    });
    this.owned.add(entry);
    return entry;
  }

  /** A repeating timer released with this object; never armed once it is disposed. */
  protected interval(ms: number, run: () => void): DisposableLike {
    if (this.disposed) {
      return toDisposable(() => undefined);
    }
    const handle = setInterval(run, ms);
    const entry = toDisposable(() => {
      clearInterval(handle);
      this.owned.delete(entry);
    });
    this.owned.add(entry);
    return entry;
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    for (const resource of [...this.owned]) {
      resource.dispose();
    }
    this.owned.clear();
  }
}

/** The error long work stops with when its signal aborts; `what` names the work ("Reading the locks"). */
export function cancelled(what: string): HiveZkError {
  return new HiveZkError('CANCELLED', `${what} was cancelled.`);
}

/** Throws CANCELLED if the signal has aborted: called between the steps of long work. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    throw cancelled(what);
  }
}

/**
 * The work's result, or CANCELLED as soon as the signal aborts: the caller stops waiting at once (a
 * request already sent still completes, unheard), so a cancelled result never lands late.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) {
    return work;
  }
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(cancelled(what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled(what));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
