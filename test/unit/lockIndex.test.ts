// The lock index behind the Locks tree: groups per level, locks per object, totals per group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockerOf, childLevel, indexLocks, lockedAt, lockGroupAt, querySnippet, waitingLocks } from '../../src/core/locks/lockIndex';
import { decodeLockObject, type HiveLock } from '../../src/core/locks/locks';
import type { LockWalkResult } from '../../src/core/locks/lockWalk';

const ROOT = '/hive_zookeeper_namespace';

function lock(objectPath: string, sequence: number, status: HiveLock['status'] = 'granted'): HiveLock {
  const znode = `LOCK-SHARED-${String(sequence).padStart(10, '0')}`;
  return {
    mode: 'SHARED',
    sequence,
    znode,
    path: `${objectPath}/${znode}`,
    objectPath,
    object: decodeLockObject(objectPath.slice(ROOT.length + 1).split('/')),
    data: { problems: [] },
    status,
  };
}

function walk(locks: HiveLock[]): LockWalkResult {
  return { root: ROOT, locks, visited: locks.length, truncated: false, unreadable: [] };
}

const index = indexLocks(
  walk([
    lock(`${ROOT}/sales`, 1),
    lock(`${ROOT}/sales/orders`, 2),
    lock(`${ROOT}/sales/orders/ds=2026-11-24`, 3),
    lock(`${ROOT}/sales/orders/ds=2026-11-24`, 4, 'waiting'),
    lock(`${ROOT}/sales/web-45-logs`, 5),
    lock(`${ROOT}/finance/ledger`, 6),
  ]),
);

test('groups one level down, sorted; the root lists the databases', () => {
  assert.deepEqual(index.childGroups.get(ROOT), [`${ROOT}/finance`, `${ROOT}/sales`]);
  assert.deepEqual(index.childGroups.get(`${ROOT}/sales`), [`${ROOT}/sales/orders`, `${ROOT}/sales/web-45-logs`]);
  assert.deepEqual(index.childGroups.get(`${ROOT}/sales/orders`), [`${ROOT}/sales/orders/ds=2026-11-24`]);
});

test('locks held directly on an object, and totals including everything below', () => {
  assert.deepEqual(index.locksAt.get(`${ROOT}/sales/orders`)?.map((l) => l.sequence), [2]);
  assert.deepEqual(index.totals.get(`${ROOT}/sales`), { locks: 5, waiting: 1 });
  assert.deepEqual(index.totals.get(`${ROOT}/sales/orders`), { locks: 3, waiting: 1 });
  assert.deepEqual(index.totals.get(`${ROOT}/finance`), { locks: 1, waiting: 0 });
});

test('a group carries its decoded object and label per level', () => {
  const table = lockGroupAt(index, `${ROOT}/sales/web-45-logs`, 'table');
  assert.deepEqual([table.label, table.object], ['web-logs', { database: 'sales', table: 'web-logs' }]);
  const partition = lockGroupAt(index, `${ROOT}/sales/orders/ds=2026-11-24`, 'partition');
  assert.deepEqual([partition.label, partition.lockCount, partition.waiting], ['ds=2026-11-24', 2, 1]);
  assert.deepEqual(partition.object.partition, [{ key: 'ds', value: '2026-11-24' }]);
  assert.equal(lockGroupAt(index, `${ROOT}/sales`, 'db').label, 'sales');
  assert.deepEqual([childLevel('db'), childLevel('table'), childLevel('partition')], ['table', 'partition', 'partition']);
});

test('no locks: an empty index', () => {
  const empty = indexLocks(walk([]));
  assert.equal(empty.childGroups.size, 0);
  assert.deepEqual(lockGroupAt(empty, `${ROOT}/x`, 'db'), { objectPath: `${ROOT}/x`, level: 'db', object: { database: 'x' }, label: 'x', lockCount: 0, waiting: 0 });
});

test('who blocks whom: the blocker of a waiting lock, and waiting locks oldest first', () => {
  const older = lock(`${ROOT}/sales/orders`, 1);
  const waitingLate = { ...lock(`${ROOT}/sales/orders`, 3, 'waiting'), blockedBy: older.znode, data: { lockTime: 3000, problems: [] } };
  const waitingEarly = { ...lock(`${ROOT}/web/logs`, 2, 'waiting'), data: { lockTime: 1000, problems: [] } };
  const withWaits = indexLocks(walk([older, waitingLate, waitingEarly]));
  assert.equal(blockerOf(withWaits, waitingLate), older);
  assert.equal(blockerOf(withWaits, older), undefined);
  assert.deepEqual(waitingLocks(withWaits).map((l) => l.sequence), [2, 3]);
  assert.equal(lockedAt(waitingEarly), 1000);
});

test('query snippets: whitespace collapsed, long queries cut, none for no query', () => {
  assert.equal(querySnippet('SELECT  *\n  FROM t'), 'SELECT * FROM t');
  assert.equal(querySnippet('x'.repeat(60), 10), `${'x'.repeat(9)}…`);
  assert.equal(querySnippet('   '), undefined);
  assert.equal(querySnippet(undefined), undefined);
});
