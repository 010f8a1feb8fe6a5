// The live lock index: after any run of creates and deletes it is what indexing a fresh walk of the
// surviving locks gives (groups, totals, waiting status and blockers), and it is a new object per batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexLocks, type LockIndex } from '../../src/core/locks/lockIndex';
import { LiveLockIndex, lockFromZnode } from '../../src/core/locks/liveLockIndex';
import { forEachBlocker, plainLock, type HiveLock, type LockMode } from '../../src/core/locks/locks';
import type { ZnodeStat } from '../../src/core/zk/types';
import { prng } from '../support/prng';

const ROOT = '/hive_zookeeper_namespace';
const OBJECTS = [`${ROOT}/sales`, `${ROOT}/sales/orders`, `${ROOT}/sales/orders/ds=1`, `${ROOT}/sales/orders/ds=2`, `${ROOT}/web/logs`, ROOT];
const MODES: LockMode[] = ['SHARED', 'EXCLUSIVE', 'SEMI_SHARED'];

function make(objectPath: string, mode: LockMode, sequence: number): HiveLock {
  const lock = lockFromZnode(ROOT, `${objectPath}/LOCK-${mode}-${String(sequence).padStart(10, '0')}`, Buffer.from(`q${sequence}:1700000000000:IMPLICIT:select ${sequence}:10.0.0.1`), undefined);
  assert.ok(lock || objectPath === ROOT);
  return lock as HiveLock;
}

/** What a fresh walk of these locks gives: statuses by Hive's rule per object, then indexed. */
function walked(locks: HiveLock[]): LockIndex {
  const byObject = new Map<string, HiveLock[]>();
  for (const lock of [...locks].sort((a, b) => a.sequence - b.sequence)) {
    byObject.set(lock.objectPath, [...(byObject.get(lock.objectPath) ?? []), lock]);
  }
  const statused: HiveLock[] = [];
  for (const list of byObject.values()) {
    forEachBlocker(list, (l) => l.mode, (l, blocker) => statused.push({ ...plainLock(l), status: blocker ? 'waiting' : 'granted', blockedBy: blocker?.znode }));
  }
  return indexLocks({ root: ROOT, locks: statused, visited: 0, truncated: false, unreadable: [] });
}

function shape(index: LockIndex): unknown {
  const sortedEntries = <V>(map: Map<string, V>): [string, V][] => [...map].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    groups: sortedEntries(index.childGroups),
    totals: sortedEntries(index.totals),
    locks: sortedEntries(index.locksAt).map(([path, list]) => [path, list.map((l) => `${l.znode} ${l.status} ${l.blockedBy ?? '-'}`)]),
    all: index.walk.locks.map((l) => l.path).sort(),
  };
}

test('lockFromZnode: name, object, data and stat; not a lock name or outside the root is undefined', () => {
  const stat: ZnodeStat = { version: 0, cversion: 0, aversion: 0, numChildren: 0, dataLength: 1, ctime: 1_700_000_000_123, mtime: 0, ephemeralOwner: '1f' };
  const lock = lockFromZnode(ROOT, `${ROOT}/sales/orders/ds=1/LOCK-EXCLUSIVE-0000000007`, Buffer.from('q7:1:IMPLICIT:insert:10.1.1.1'), stat);
  assert.deepEqual(
    [lock?.mode, lock?.sequence, lock?.objectPath, lock?.object, lock?.data.queryId, lock?.data.clientIp, lock?.ctime, lock?.ephemeral, lock?.ephemeralOwner],
    ['EXCLUSIVE', 7, `${ROOT}/sales/orders/ds=1`, { database: 'sales', table: 'orders', partition: [{ key: 'ds', value: '1' }] }, 'q7', '10.1.1.1', 1_700_000_000_123, true, '1f'],
  );
  assert.equal(lockFromZnode(ROOT, `${ROOT}/sales/orders`, undefined, undefined), undefined);
  assert.equal(lockFromZnode(ROOT, `/elsewhere/LOCK-SHARED-0000000001`, undefined, undefined), undefined);
  assert.deepEqual(lockFromZnode(ROOT, `${ROOT}/db/LOCK-SHARED-0000000001`, undefined, undefined)?.data, { problems: [] });
});

test('after random creates and deletes (repeats included) the live index is what a fresh walk indexes', () => {
  const random = prng(26);
  const start: HiveLock[] = [];
  let sequence = 0;
  for (let i = 0; i < 30; i += 1) {
    start.push(make(OBJECTS[Math.floor(random() * (OBJECTS.length - 1))], MODES[Math.floor(random() * 3)], (sequence += 1)));
  }
  const live = new LiveLockIndex(walked(start));
  const standing = new Map(start.map((l) => [l.path, l]));
  for (let step = 0; step < 2000; step += 1) {
    const paths = [...standing.keys()];
    if (random() < 0.5 && paths.length > 0) {
      const path = paths[Math.floor(random() * paths.length)];
      standing.delete(path);
      live.deleted(path);
      if (random() < 0.1) {
        live.deleted(path); // a delete seen twice (live and by a reread) changes nothing
      }
    } else {
      const lock = make(OBJECTS[Math.floor(random() * (OBJECTS.length - 1))], MODES[Math.floor(random() * 3)], (sequence += 1));
      standing.set(lock.path, lock);
      live.created(lock);
      if (random() < 0.1) {
        live.created(lock);
      }
    }
    if (step % 97 === 0) {
      assert.deepEqual(shape(live.current()), shape(walked([...standing.values()])), `after step ${step}`);
    }
  }
  for (const path of [...standing.keys()]) {
    live.deleted(path);
  }
  const empty = live.current();
  assert.deepEqual(shape(empty), shape(walked([])), 'every group goes with its last lock');
});

test('a batch of changes gives a new index object (per-index caches start again); none gives the same one', () => {
  const live = new LiveLockIndex(walked([make(`${ROOT}/sales/orders`, 'SHARED', 1)]));
  const first = live.current();
  assert.equal(live.current(), first);
  live.created(make(`${ROOT}/sales/orders`, 'EXCLUSIVE', 2));
  const second = live.current();
  assert.notEqual(second, first);
  assert.deepEqual(second.totals.get(`${ROOT}/sales/orders`), { locks: 2, waiting: 1 });
  assert.equal(second.locksAt.get(`${ROOT}/sales/orders`)?.[1].blockedBy, 'LOCK-SHARED-0000000001');
  live.deleted(`${ROOT}/sales/orders/LOCK-SHARED-0000000001`);
  assert.deepEqual(live.current().totals.get(`${ROOT}/sales`), { locks: 1, waiting: 0 }, 'the waiting lock is granted once its blocker goes');
});
