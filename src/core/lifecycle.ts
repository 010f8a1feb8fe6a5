// A small Disposable base: what an object owns is registered once and released by one idempotent
// dispose(); a disposed object cannot re-arm a timer or take on new resources.

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
