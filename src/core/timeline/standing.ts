// What stands under the timeline's roots, read in one batched pass without watches: every lock (the
// lock walk) and every registration. The timeline's first read (handed to a keeper of the lock tree, when
// asked) and each reread after a gap.

import { isHiveZkError } from '../errors';
import type { HiveLock } from '../locks/locks';
import { walkLocks, type LockWalkResult } from '../locks/lockWalk';
import { listInstances } from '../registry/hs2Registry';
import type { PersistentWatchEvent, ZkSession } from '../zk/session';
import { instanceFields, type InstanceFact, type Root } from './activityEvents';

export interface Standing {
  /** By path; a walk's locks, whose fields read through its table (keep a plainLock copy, not them). */
  locks: Map<string, HiveLock>;
  instances: Map<string, InstanceFact>;
  /** The lock root's walk as read (when a lock namespace is watched). */
  walk?: LockWalkResult;
}

export interface StandingOptions {
  /** Aborting stops the lock walk: the read rejects with CANCELLED. */
  signal?: AbortSignal;
  /** The lock walk's progress (znodes visited). */
  onProgress?: (visited: number) => void;
}

export async function readStanding(session: ZkSession, roots: readonly Root[], options: StandingOptions = {}): Promise<Standing> {
  const locks = new Map<string, HiveLock>();
  const instances = new Map<string, InstanceFact>();
  let walked: LockWalkResult | undefined;
  for (const root of roots) {
    if (root.kind === 'locks') {
      const walk = await walkLocks(session, root.path, options);
      walked = walk;
      // The walk's own locks (read through its table), not copies: what stands is mostly only looked up.
      for (const lock of walk.locks) {
        locks.set(lock.path, lock);
      }
      continue;
    }
    try {
      const listing = await listInstances(session, root.path);
      for (const instance of listing.instances) {
        instances.set(instance.path, instanceFields(root, instance.znode, instance.host, instance.port));
      }
    } catch (error) {
      // A namespace not made yet has no registrations; it is watched all the same.
      if (!isHiveZkError(error, 'NAMESPACE_MISSING')) {
        throw error;
      }
    }
  }
  return { locks, instances, ...(walked ? { walk: walked } : {}) };
}

export interface StartOptions extends StandingOptions {
  /**
   * The first read's lock walk, handed over before any change seen meanwhile is told: a keeper of
   * the lock tree that subscribed to onLockChange before start() needs no walk of its own.
   * (Persistent-recursive mode only; before 3.6 there is no such read.)
   */
  onStanding?: (walk: LockWalkResult) => void;
}

/** The read's own options out of start's (its signal and progress; not the hand-over). */
export function standingOptions(options: StartOptions): StandingOptions {
  return { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
}

/**
 * The changes held during a read that change what it found: a create of the unknown, a delete of the
 * known. A create kept here is applied only once its data is read, so a delete after it in the same
 * batch is kept too (applied after it, in order), or the lock would stay.
 */
export function changesAfterRead(held: readonly PersistentWatchEvent[], known: (path: string) => boolean): PersistentWatchEvent[] {
  const createdHere = new Set<string>();
  return held.filter((event) => {
    const isKnown = known(event.path) || createdHere.has(event.path);
    if (event.type === 'created' && !isKnown) {
      createdHere.add(event.path);
      return true;
    }
    if (event.type === 'deleted' && isKnown) {
      createdHere.delete(event.path);
      return true;
    }
    return false;
  });
}
