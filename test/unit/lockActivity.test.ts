// Blocked-query detection from lock creates and deletes, fed the sequences Hive's ZooKeeper lock
// manager produces (seed 004): create, list, delete on conflict, sleep, retry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LockActivity, type LockFact } from '../../src/core/timeline/lockActivity';
import type { LockMode } from '../../src/core/locks/locks';

const OBJECT = '/hive_zookeeper_namespace/sales/orders';

/** A Hive-like lock manager over one object: a sequence counter per parent, as ZooKeeper keeps. */
class HiveModel {
  private sequence = 0;
  private clock = 1_000_000;
  constructor(
    readonly activity: LockActivity,
    private readonly objectPath = OBJECT,
  ) {}

  lock(mode: LockMode, queryId: string | undefined, client = '10.0.0.7'): LockFact {
    this.clock += 10;
    const seq = this.sequence++;
    return {
      path: `${this.objectPath}/LOCK-${mode}-${String(seq).padStart(10, '0')}`,
      objectPath: this.objectPath,
      object: 'sales.orders',
      mode,
      sequence: seq,
      ...(queryId !== undefined ? { queryId } : {}),
      client,
      createdAt: this.clock,
    };
  }

  /** One try of lockPrimitive: create, and when it conflicts delete again; the lock if granted. */
  attempt(mode: LockMode, queryId: string | undefined): { lock: LockFact; granted: boolean; blocked?: ReturnType<LockActivity['deleted']>['blocked'] } {
    const lock = this.lock(mode, queryId);
    const blocker = this.activity.created(lock);
    if (!blocker) {
      return { lock, granted: true };
    }
    this.clock += 5;
    const { blocked } = this.activity.deleted(lock.path, this.clock);
    return blocked ? { lock, granted: false, blocked } : { lock, granted: false };
  }

  now(): number {
    return this.clock;
  }
}

test('an EXCLUSIVE retry loop behind a standing SHARED lock: blocked from the second attempt, attempts grow, blocker named', () => {
  const activity = new LockActivity();
  const hive = new HiveModel(activity);
  const reader = hive.lock('SHARED', 'hive_reader');
  activity.stand(reader);
  const first = hive.attempt('EXCLUSIVE', 'hive_writer');
  assert.equal(first.granted, false);
  assert.equal(first.blocked, undefined, 'one failed attempt is not yet "blocked"');
  const reported = [2, 3, 4].map(() => hive.attempt('EXCLUSIVE', 'hive_writer').blocked);
  assert.deepEqual(
    reported.map((b) => b?.attempts),
    [2, 3, 4],
  );
  assert.deepEqual(reported[2]?.blockedBy, { queryId: 'hive_reader', mode: 'SHARED', client: '10.0.0.7', path: reader.path });
  assert.equal(reported[2]?.object, 'sales.orders');
  assert.equal(reported[2]?.mode, 'EXCLUSIVE');
  assert.equal(activity.blocked().length, 1);
  // The reader finishes: the writer's next attempt is granted, and it is no longer blocked.
  const released = activity.deleted(reader.path, hive.now() + 1000);
  assert.equal(released.heldMs, hive.now() + 1000 - reader.createdAt);
  assert.equal(hive.attempt('EXCLUSIVE', 'hive_writer').granted, true);
  assert.deepEqual(activity.blocked(), []);
});

test('SHARED locks coming and going beside other SHARED locks are never blocked', () => {
  const activity = new LockActivity();
  const hive = new HiveModel(activity);
  activity.stand(hive.lock('SHARED', 'long_reader'));
  for (let i = 0; i < 10; i += 1) {
    const { lock, granted } = hive.attempt('SHARED', 'short_reader');
    assert.equal(granted, true);
    assert.equal(activity.deleted(lock.path, hive.now() + 50).blocked, undefined);
  }
  assert.deepEqual(activity.blocked(), []);
});

test('a SHARED retry loop behind a standing EXCLUSIVE lock is blocked; SEMI_SHARED never is', () => {
  const activity = new LockActivity();
  const hive = new HiveModel(activity);
  const writer = hive.lock('EXCLUSIVE', 'hive_writer');
  activity.stand(writer);
  hive.attempt('SHARED', 'hive_reader');
  assert.equal(hive.attempt('SHARED', 'hive_reader').blocked?.blockedBy.path, writer.path);
  const semi = new LockActivity();
  const other = new HiveModel(semi);
  semi.stand(other.lock('SEMI_SHARED', 'a'));
  assert.equal(other.attempt('SEMI_SHARED', 'b').granted, true);
});

test('the blocker is the oldest conflicting lock, as Hive grants: an older EXCLUSIVE before an older SHARED', () => {
  const activity = new LockActivity();
  const hive = new HiveModel(activity);
  const shared = hive.lock('SHARED', 'r1');
  const exclusive = hive.lock('EXCLUSIVE', 'w1');
  activity.stand(shared);
  activity.stand(exclusive);
  hive.attempt('EXCLUSIVE', 'w2');
  assert.equal(hive.attempt('EXCLUSIVE', 'w2').blocked?.blockedBy.path, exclusive.path);
});

test('one failed attempt per query is not blocked; two queries blocked on one object are counted apart; different objects apart', () => {
  const activity = new LockActivity();
  const hive = new HiveModel(activity);
  activity.stand(hive.lock('EXCLUSIVE', 'w'));
  hive.attempt('SHARED', 'a');
  hive.attempt('SHARED', 'b');
  assert.deepEqual(activity.blocked(), []);
  hive.attempt('SHARED', 'a');
  hive.attempt('SHARED', 'b');
  hive.attempt('SHARED', 'b');
  assert.deepEqual(
    activity.blocked().map((q) => [q.queryId, q.attempts]),
    [
      ['b', 3],
      ['a', 2],
    ],
  );
  const elsewhere = new HiveModel(activity, '/hive_zookeeper_namespace/sales/items');
  elsewhere.attempt('SHARED', 'a');
  assert.equal(activity.blocked().length, 2, 'an attempt on another (free) object is granted and counted apart');
});

test('a standing attempt is shown as the query\'s current lock; attempts without lock data are counted, not attributed', () => {
  const activity = new LockActivity();
  const hive = new HiveModel(activity);
  activity.stand(hive.lock('EXCLUSIVE', 'w'));
  hive.attempt('SHARED', 'q');
  hive.attempt('SHARED', 'q');
  const third = hive.lock('SHARED', 'q');
  activity.created(third);
  assert.equal(activity.blocked()[0]?.currentPath, third.path);
  activity.deleted(third.path, hive.now());
  assert.equal(activity.blocked()[0]?.currentPath, undefined);
  hive.attempt('SHARED', undefined);
  hive.attempt('SHARED', undefined);
  assert.equal(activity.unattributed, 2);
  assert.equal(activity.blocked().length, 1);
});

test('bounded: at most maxQueries tracked, the stalest dropped first', () => {
  const activity = new LockActivity({ maxQueries: 3 });
  const hive = new HiveModel(activity);
  activity.stand(hive.lock('EXCLUSIVE', 'w'));
  for (let round = 0; round < 2; round += 1) {
    for (let q = 0; q < 10; q += 1) {
      hive.attempt('SHARED', `q${q}`);
    }
  }
  assert.deepEqual(
    activity.blocked().map((q) => q.queryId),
    [],
    'each query was evicted before its second attempt',
  );
  for (let round = 0; round < 2; round += 1) {
    hive.attempt('SHARED', 'q1');
  }
  assert.deepEqual(
    activity.blocked().map((q) => q.queryId),
    ['q1'],
  );
  assert.equal(activity.size, 1, 'only the standing lock remains');
});

test('a delete of an unknown lock, or a lock created twice (a reread), changes nothing unexpected', () => {
  const activity = new LockActivity();
  const hive = new HiveModel(activity);
  assert.deepEqual(activity.deleted('/nowhere/LOCK-SHARED-0000000001', 1), {});
  const lock = hive.lock('SHARED', 'a');
  activity.stand(lock);
  activity.stand(lock);
  assert.equal(activity.size, 1);
  activity.clearLocks();
  assert.equal(activity.size, 0);
});
