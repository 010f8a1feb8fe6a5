// The locks command: Hive's locks in ZooKeeper (optionally one database or table), each with who
// holds it and the UNLOCK statement for it, or why none can be built safely.

import { HiveZkError, preview, toHiveZkError } from '../core/errors';
import { DEFAULT_LOCK_NAMESPACE } from '../core/hs2Registry';
import { formatLockObject, lockSequenceText, unlockStatement, type LockObject } from '../core/locks';
import { walkLocks } from '../core/lockWalk';
import { ownerJson, ownerOf } from '../core/owners';
import { flag, requireFlag, type Args } from './args';
import { sessionHolders } from './lookups';
import { withSession } from './session';

export function locks(args: Args): Promise<unknown> {
  if (flag(args, 'table') !== undefined && flag(args, 'db') === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', '--table needs --db: a table is found under its database.');
  }
  for (const name of ['db', 'table']) {
    const value = flag(args, name);
    if (value !== undefined && (value.includes('/') || value === '.' || value === '..')) {
      throw new HiveZkError('BAD_ARGUMENT', `--${name} names one ${name === 'db' ? 'database' : 'table'}: "${preview(value, 60)}" is a path.`);
    }
  }
  return withSession(requireFlag(args, 'zk'), args, async (session) => {
    const sessions = await sessionHolders(session, args);
    const [database, table] = [flag(args, 'db'), flag(args, 'table')];
    const walk = await walkLocks(session, flag(args, 'namespace') ?? DEFAULT_LOCK_NAMESPACE, {
      ...(database !== undefined ? { database } : {}),
      ...(table !== undefined ? { table } : {}),
    });
    return {
      root: walk.root,
      visited: walk.visited,
      unreadable: walk.unreadable,
      locks: walk.locks.map((lock) => ({
        path: lock.path,
        object: formatLockObject(lock.object),
        mode: lock.mode,
        sequence: lockSequenceText(lock.znode),
        status: lock.status,
        blockedBy: lock.blockedBy ?? null,
        queryId: lock.data.queryId ?? null,
        lockTime: lock.data.lockTime ?? null,
        lockMode: lock.data.lockMode ?? null,
        query: lock.data.queryString ?? null,
        client: lock.data.clientIp ?? null,
        ephemeral: lock.ephemeral ?? null,
        owner: ownerJson(ownerOf(lock.ephemeralOwner, sessions)),
        ...unlockOrReason(lock.object),
      })),
    };
  });
}

/** The UNLOCK statement, or why none can be built safely for this lock's names. */
function unlockOrReason(object: LockObject): { unlock: string | null; unlockRefused?: string } {
  try {
    return { unlock: unlockStatement(object) };
  } catch (error) {
    return { unlock: null, unlockRefused: toHiveZkError(error).message };
  }
}
