// The tree's text filter over locks: what matches (object, lock name, query id and text, client;
// case aside), the per-group counts and the per-index lookup, against a plain reference on random locks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexLocks } from '../../src/core/locks/lockIndex';
import { decodeLockObject, formatLockObject, type HiveLock } from '../../src/core/locks/locks';
import { TreeFilter } from '../../src/ui/tree/filter';
import { prng } from '../support/prng';

const ROOT = '/hive_zookeeper_namespace';

function randomLocks(seed: number, count: number): HiveLock[] {
  const next = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const locks: HiveLock[] = [];
  for (let sequence = 0; sequence < count; sequence += 1) {
    const segments = [pick(['Sales', 'hr', 'db3', 'web_logs']), ...(next() < 0.8 ? [pick(['Orders', 'staff', 't_db3x'])] : []), ...(next() < 0.5 ? [pick(['ds=2026-11-01', 'ds=2026-11-02', 'region=EU'])] : [])];
    const objectPath = `${ROOT}/${segments.join('/')}`;
    const znode = `LOCK-${pick(['SHARED', 'EXCLUSIVE', 'SEMI_SHARED'])}-${String(sequence).padStart(10, '0')}`;
    const queryId = next() < 0.9 ? pick(['hive_20261207_aa', 'hive_20261207_DB3', 'hive_q7']) : undefined;
    const queryString = next() < 0.8 ? pick(['select * from Sales.orders', 'INSERT INTO hr.staff select 1', 'select "db3"']) : undefined;
    const clientIp = next() < 0.7 ? pick(['10.0.0.1', '10.0.3.30', '::1']) : undefined;
    locks.push({
      mode: 'SHARED',
      sequence,
      znode,
      path: `${objectPath}/${znode}`,
      objectPath,
      object: decodeLockObject(segments),
      data: { problems: [], ...(queryId !== undefined ? { queryId } : {}), ...(queryString !== undefined ? { queryString } : {}), ...(clientIp !== undefined ? { clientIp } : {}) },
      status: next() < 0.5 ? 'waiting' : 'granted',
    });
  }
  return locks;
}

/** What the filter means, written plainly. */
function referenceMatch(text: string, lock: HiveLock): boolean {
  const needle = text.trim().toLowerCase();
  return [lock.znode, lock.data.queryId, lock.data.queryString, lock.data.clientIp, formatLockObject(lock.object)].some((field) => field?.toLowerCase().includes(needle));
}

test('lock filter: the same locks as the plain reference, asked again or for copies, and counts per group on and below each object', () => {
  const locks = randomLocks(7, 3000);
  const index = indexLocks({ root: ROOT, locks, visited: locks.length, truncated: false, unreadable: [] });
  for (const text of ['db3', 'SALES', 'hive_q7', '10.0.3', 'exclusive', '0000000042', 'region=eu', 'ds=2026-11-02', 'nothing-like-it', ' Orders ']) {
    const filter = new TreeFilter(text);
    const expected = locks.filter((l) => referenceMatch(text, l));
    assert.deepEqual(
      locks.filter((l) => filter.lock(l)).map((l) => l.path),
      expected.map((l) => l.path),
      text,
    );
    // Asked again (each lock's answer now remembered), and for copies of the locks (as a live change brings): the same.
    assert.deepEqual(locks.filter((l) => filter.lock(l)).length, expected.length, text);
    assert.deepEqual(
      locks.filter((l) => filter.lock({ ...l })).map((l) => l.path),
      expected.map((l) => l.path),
      text,
    );
    const totals = new Map<string, number>();
    for (const lock of expected) {
      const segments = lock.objectPath.slice(ROOT.length + 1).split('/');
      for (let i = 1; i <= segments.length; i += 1) {
        const path = `${ROOT}/${segments.slice(0, i).join('/')}`;
        totals.set(path, (totals.get(path) ?? 0) + 1);
      }
    }
    assert.deepEqual(new Map([...filter.lockTotals(index)].sort()), new Map([...totals].sort()), text);
  }
});

test('no filter: every lock matches', () => {
  const locks = randomLocks(8, 50);
  const none = new TreeFilter('   ');
  assert.equal(none.active, false);
  assert.ok(locks.every((l) => none.lock(l)));
});
