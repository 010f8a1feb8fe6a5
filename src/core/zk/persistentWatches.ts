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
}

const EVENT_TYPES: Record<number, WatchEventType> = { 1: 'created', 2: 'deleted', 3: 'dataChanged', 4: 'childrenChanged' };

export class PersistentWatches {
  private readonly watches = new Map<string, PersistentWatch>();
  /** Notifications the library would choke on (an event type it does not know), dropped here. */
  malformed = 0;

  get size(): number {
    return this.watches.size;
  }

  /** Adds a listener; true when the path had no watch of that mode yet (one addWatch is due). */
  add(path: string, mode: AddWatchMode, listener: PersistentWatchListener): boolean {
    const key = `${mode}:${path}`;
    const existing = this.watches.get(key);
    if (existing) {
      existing.listeners.add(listener);
      return false;
    }
    this.watches.set(key, { path, mode, listeners: new Set([listener]) });
    return true;
  }

  /** Removes a listener; true when it was the path's last of that mode (the server's watch can go). */
  remove(path: string, mode: AddWatchMode, listener: PersistentWatchListener): boolean {
    const key = `${mode}:${path}`;
    const watch = this.watches.get(key);
    if (!watch || !watch.listeners.delete(listener) || watch.listeners.size > 0) {
      return false;
    }
    this.watches.delete(key);
    return true;
  }

  /**
   * A new connection: each watch is added again by `add`, then its listeners are told; a refusal
   * other than a lost connection (which the next connection retries) ends the watch, unless its
   * client has been replaced meanwhile (`stillCurrent`).
   */
  rearm(add: (watch: PersistentWatch) => Promise<unknown>, info: { connectionId: number; generation: number }, stillCurrent: () => boolean): void {
    for (const watch of this.watches.values()) {
      add(watch).then(
        () => watch.listeners.forEach((listener) => listener.rearmed?.(info)),
        (error: unknown) => {
          if (error instanceof HiveZkError && error.code !== 'ZK_CONNECTION_LOSS' && error.code !== 'ZK_CLOSED' && stillCurrent()) {
            watch.listeners.forEach((listener) => listener.failed?.(error));
          }
        },
      );
    }
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
