// The locks command: Hive's locks in ZooKeeper (optionally one database or table), each with who
// holds it and the UNLOCK statement for it, or why none can be built safely.

import { HiveZkError, preview, toHiveZkError } from '../core/errors';
import { DEFAULT_LOCK_NAMESPACE } from '../core/registry/hs2Registry';
import { formatLockObject, lockSequenceText, unlockStatement, type LockObject } from '../core/locks/locks';
import { walkLocks } from '../core/locks/lockWalk';
import { ownerJson, ownerOf } from '../core/health/owners';
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
    const [database, table] = [flag(args, 'db'), flag(args, 'table')];
    // Who holds which session (`cons`, short connections of its own) is asked while the locks are walked.
    const [sessions, walk] = await Promise.all([
      sessionHolders(session, args),
      walkLocks(session, flag(args, 'namespace') ?? DEFAULT_LOCK_NAMESPACE, {
        ...(database !== undefined ? { database } : {}),
        ...(table !== undefined ? { table } : {}),
      }),
    ]);
    // A query's locks share their object (a table's or partition's several locks): its name and
    // UNLOCK statement are built once per object, not once per lock.
    const perObject = new Map<string, { object: string; unlock: ReturnType<typeof unlockOrReason> }>();
    return {
      root: walk.root,
      visited: walk.visited,
      unreadable: walk.unreadable,
      locks: walk.locks.map((lock) => {
        const objectPath = lock.objectPath;
        let object = perObject.get(objectPath);
        if (!object) {
          const locked = lock.object;
          object = { object: formatLockObject(locked), unlock: unlockOrReason(locked) };
          perObject.set(objectPath, object);
        }
        const data = lock.data;
        // A table lock's fields are read through from its row: each one once (the name is built on every read).
        const znode = lock.znode;
        const row: Record<string, unknown> = {
          path: `${objectPath}/${znode}`,
          object: object.object,
          mode: lock.mode,
          sequence: lockSequenceText(znode),
          status: lock.status,
          blockedBy: lock.blockedBy ?? null,
          queryId: data.queryId ?? null,
          lockTime: data.lockTime ?? null,
          lockMode: data.lockMode ?? null,
          query: data.queryString ?? null,
          client: data.clientIp ?? null,
          ephemeral: lock.ephemeral ?? null,
          owner: ownerJson(ownerOf(lock.ephemeralOwner, sessions)),
          unlock: object.unlock.unlock,
        };
        // Last, as before: the reason no UNLOCK statement is given (a spread per row costs a cold start 20k copies).
        if (object.unlock.unlockRefused !== undefined) {
          row.unlockRefused = object.unlock.unlockRefused;
        }
        return row;
      }),
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
