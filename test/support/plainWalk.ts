// Walk results in a form deepEqual can compare: a walk's locks are views of its table, their fields accessors.
import { plainLock } from '../../src/core/locks/locks';
import type { LockWalkResult } from '../../src/core/locks/lockWalk';

export async function plainWalk(walk: Promise<LockWalkResult>): Promise<LockWalkResult> {
  const result = await walk;
  return { ...result, locks: result.locks.map(plainLock) };
}
