// The session's persistent watches (ZooKeeper 3.6+ addWatch): who listens on which path, which
// notification frames belong to them, and what to add again on each new connection. Knows nothing of
// the client library: the session sends the requests (ownRequests.ts) and hands every frame in.

import { HiveZkError } from '../errors';
import type { WatchEventType } from './types';
import { decodeWatcherEvent, type AddWatchMode } from './wire';

export interface PersistentWatchEvent {
  type: WatchEventType;
  path: string;
}

export interface PersistentWatchListener {
  /** One notification, in the server's order. */
  event(event: PersistentWatchEvent): void;
  /**
   * The watch is in place again on a new connection (reconnect, failover, or a new session after
   * expiry): what changed while it was away was never notified, so read again and reconcile.
   */
  rearmed?(info: { connectionId: number; generation: number }): void;
  /** The watch could not be added again (say the server refused it): no more events will come. */
  failed?(error: HiveZkError): void;
}

export interface PersistentWatch {
  readonly path: string;
  readonly mode: AddWatchMode;
  readonly listeners: Set<PersistentWatchListener>;
  /**
   * Listeners whose own addWatch is still on its way. They hear notifications already (one can come
   * in the same socket chunk as the reply, before the reply's promise settles), but a new connection
   * is not theirs to re-arm: their request goes out on it.
   */
  readonly pending: Set<PersistentWatchListener>;
}

const EVENT_TYPES: Record<number, WatchEventType> = { 1: 'created', 2: 'deleted', 3: 'dataChanged', 4: 'childrenChanged' };

export class PersistentWatches {
  private readonly watches = new Map<string, PersistentWatch>();
  /** Notifications the library would choke on (an event type it does not know), dropped here. */
  malformed = 0;

  get size(): number {
    return this.watches.size;
  }

  /** The watches to add again on a new connection, each with the listeners to tell once it is (none pending). */
  armed(): { watch: PersistentWatch; listeners: PersistentWatchListener[] }[] {
    const armed: { watch: PersistentWatch; listeners: PersistentWatchListener[] }[] = [];
    for (const watch of this.watches.values()) {
      const listeners = [...watch.listeners].filter((l) => !watch.pending.has(l));
      if (listeners.length > 0) {
        armed.push({ watch, listeners });
      }
    }
    return armed;
  }

  /** Adds a listener, pending until its addWatch is answered (then `arm`); it hears notifications from now. */
  add(path: string, mode: AddWatchMode, listener: PersistentWatchListener): void {
    const key = `${mode}:${path}`;
    const existing = this.watches.get(key);
    if (existing) {
      existing.listeners.add(listener);
      existing.pending.add(listener);
      return;
    }
    this.watches.set(key, { path, mode, listeners: new Set([listener]), pending: new Set([listener]) });
  }

  /** The listener's addWatch was answered: from now on a new connection re-arms it. */
  arm(path: string, mode: AddWatchMode, listener: PersistentWatchListener): void {
    this.watches.get(`${mode}:${path}`)?.pending.delete(listener);
  }

  /** Removes a listener; true when it was the path's last of that mode (the server's watch can go). */
  remove(path: string, mode: AddWatchMode, listener: PersistentWatchListener): boolean {
    const key = `${mode}:${path}`;
    const watch = this.watches.get(key);
    watch?.pending.delete(listener);
    if (!watch || !watch.listeners.delete(listener) || watch.listeners.size > 0) {
      return false;
    }
    this.watches.delete(key);
    return true;
  }

  /**
   * A new connection: every armed watch is set again in one request (`setAll`: setWatches2, as
   * ZooKeeper's own client does), then its listeners are told. A listener whose own addWatch is still
   * pending is left out: its request goes out on this connection. A refusal other than a lost
   * connection (which the next connection retries) ends the watches, unless the client has been
   * replaced meanwhile (`stillCurrent`).
   */
  rearm(setAll: (watches: readonly PersistentWatch[]) => Promise<unknown>, info: { connectionId: number; generation: number }, stillCurrent: () => boolean): void {
    const armed = this.armed();
    if (armed.length === 0) {
      return;
    }
    const listeners = armed.flatMap((a) => a.listeners);
    setAll(armed.map((a) => a.watch)).then(
      () => listeners.forEach((listener) => listener.rearmed?.(info)),
      (error: unknown) => {
        if (error instanceof HiveZkError && error.code !== 'ZK_CONNECTION_LOSS' && error.code !== 'ZK_CLOSED' && stillCurrent()) {
          // Ended for good: no later connection sets them again, and no more events come.
          for (const { watch } of armed) {
            this.watches.delete(`${watch.mode}:${watch.path}`);
          }
          listeners.forEach((listener) => listener.failed?.(error));
        }
      },
    );
  }

  /**
   * Runs in the socket's data path for every frame, before the library sees it: a notification is
   * handed to the listeners whose watch covers its path. The library still gets it for its own
   * one-shot watches (it keeps no record of persistent ones, so it can drop none of their repeats);
   * 'drop' for a notification it would throw on.
   */
  inspect(frame: Buffer, chroot: string): 'pass' | 'drop' {
    const notification = decodeWatcherEvent(frame, chroot);
    if (!notification) {
      return 'pass';
    }
    const type = EVENT_TYPES[notification.type];
    if (!type) {
      this.malformed += 1;
      return 'drop';
    }
    const path = notification.path;
    if (path === undefined || this.watches.size === 0) {
      return 'pass';
    }
    for (const watch of this.watches.values()) {
      if (covers(watch, path, type)) {
        for (const listener of [...watch.listeners]) {
          listener.event({ type, path });
        }
      }
    }
    return 'pass';
  }
}

function covers(watch: PersistentWatch, path: string, type: WatchEventType): boolean {
  if (watch.mode === 'persistent' || type === 'childrenChanged') {
    // A recursive watch is never told of child lists: such a notification is a one-shot watch's.
    return path === watch.path && watch.mode === 'persistent';
  }
  return path === watch.path || watch.path === '/' || path.startsWith(`${watch.path}/`);
}

/** What addPersistentWatch rejects with on a server before 3.6 (isUnimplemented holds for it). */
export function persistentWatchesUnsupported(connectString: string): HiveZkError {
  return new HiveZkError('ZK_ERROR', `ZooKeeper at ${connectString} is older than 3.6: it has no persistent watches.`, { zkCode: -6 });
}
