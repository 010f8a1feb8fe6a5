// What stands under the timeline's roots, read in one batched pass without watches: every lock (the
// lock walk) and every registration. The timeline's first read and each reread after a gap.

import { isHiveZkError } from '../errors';
import { plainLock, type HiveLock } from '../locks/locks';
import { walkLocks } from '../locks/lockWalk';
import { listInstances } from '../registry/hs2Registry';
import type { ZkSession } from '../zk/session';
import { instanceFields, type InstanceFact, type Root } from './activityEvents';

export interface Standing {
  locks: Map<string, HiveLock>;
  instances: Map<string, InstanceFact>;
}

export async function readStanding(session: ZkSession, roots: readonly Root[]): Promise<Standing> {
  const locks = new Map<string, HiveLock>();
  const instances = new Map<string, InstanceFact>();
  for (const root of roots) {
    if (root.kind === 'locks') {
      const walk = await walkLocks(session, root.path);
      for (const lock of walk.locks) {
        locks.set(lock.path, plainLock(lock));
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
  return { locks, instances };
}
