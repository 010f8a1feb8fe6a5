// The walk's column store: what its locks read back as, against plain HiveLocks written out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { decodeLockData, lockNameMode, lockNameSequence, plainLock, type HiveLock } from '../../src/core/locks/locks';
import { isUsualLockName, LockTable } from '../../src/core/locks/lockTable';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

test('a read lock reads back every field, as a plain object and as JSON', () => {
  const table = new LockTable();
  table.addObject('/hive_zookeeper_namespace/sales/orders', ['sales', 'orders']);
  const data = b('hive_q1:1764063000000:IMPLICIT:select 1:10.0.0.7');
  table.read(table.addLock('SHARED', 7), Buffer.concat([b('xx'), data]), 2, 2 + data.length, 1764063000123, '1a2b');
  const expected: HiveLock = {
    mode: 'SHARED',
    sequence: 7,
    znode: 'LOCK-SHARED-0000000007',
    path: '/hive_zookeeper_namespace/sales/orders/LOCK-SHARED-0000000007',
    objectPath: '/hive_zookeeper_namespace/sales/orders',
    object: { database: 'sales', table: 'orders' },
    data: { problems: [], queryId: 'hive_q1', lockTime: 1764063000000, lockMode: 'IMPLICIT', queryString: 'select 1', clientIp: '10.0.0.7' },
    status: 'granted',
    ctime: 1764063000123,
    ephemeral: true,
    ephemeralOwner: '1a2b',
    blockedBy: undefined,
  };
  const [lock] = table.locks();
  assert.ok(lock);
  assert.deepEqual(plainLock(lock), expected);
  assert.equal(JSON.stringify(lock), JSON.stringify(expected), 'written out as the plain lock, fields in the same order');
  assert.equal(inspect(lock), inspect(expected), 'shown by console.log as the plain lock');
});

test('objects by path, locks by sequence, whatever order they were listed and read in', () => {
  const table = new LockTable();
  const rows: number[] = [];
  table.addObject('/r/db/t2', ['db', 't2']);
  rows.push(table.addLock('SHARED', 9), table.addLock('EXCLUSIVE', 3));
  table.addObject('/r/db/t1', ['db', 't1']);
  rows.push(table.addLock('SHARED', 5));
  for (const row of rows.reverse()) {
    table.read(row, b('q:1:IMPLICIT:s:c'), 0, 16, 1, '0');
  }
  assert.deepEqual(
    table.locks().map((l) => [l.objectPath, l.znode, l.status, l.blockedBy]),
    [
      ['/r/db/t1', 'LOCK-SHARED-0000000005', 'granted', undefined],
      ['/r/db/t2', 'LOCK-EXCLUSIVE-0000000003', 'granted', undefined],
      ['/r/db/t2', 'LOCK-SHARED-0000000009', 'waiting', 'LOCK-EXCLUSIVE-0000000003'],
    ],
  );
});

test('a lock never read is left out and blocks nobody; a refused one is kept, unreadable, and still blocks', () => {
  const table = new LockTable();
  table.addObject('/r/db/gone', ['db', 'gone']);
  table.addLock('EXCLUSIVE', 1); // released before its read
  table.read(table.addLock('SHARED', 2), b('q:1:IMPLICIT:s:c'), 0, 16, 1, '0');
  table.addObject('/r/db/acl', ['db', 'acl']);
  table.unreadable(table.addLock('EXCLUSIVE', 1));
  table.read(table.addLock('SHARED', 2), b('q:1:IMPLICIT:s:c'), 0, 16, 1, '0');
  const locks = table.locks();
  assert.deepEqual(locks.map((l) => l.path), ['/r/db/acl/LOCK-EXCLUSIVE-0000000001', '/r/db/acl/LOCK-SHARED-0000000002', '/r/db/gone/LOCK-SHARED-0000000002'], 'the lock never read is not among them');
  const [acl, waiting, gone] = locks;
  assert.deepEqual([acl?.status, acl?.data.problems, acl?.ctime, acl?.ephemeral], ['unreadable', ['not authorized to read this lock (ACL)'], undefined, undefined]);
  assert.deepEqual([waiting?.status, waiting?.blockedBy], ['waiting', 'LOCK-EXCLUSIVE-0000000001']);
  assert.deepEqual([gone?.objectPath, gone?.status, gone?.blockedBy], ['/r/db/gone', 'granted', undefined]);
});

test('names that are not LOCK-<mode>-<10 digits> are kept as listed', () => {
  const table = new LockTable();
  table.addObject('/r/db', ['db']);
  const names = ['LOCK-SHARED-7', 'LOCK-SHARED-99999999999', 'LOCK-SEMI_SHARED-2147483648', 'LOCK-EXCLUSIVE-0000000042', 'LOCK-SHARED-00000000001'];
  for (const name of names) {
    const mode = lockNameMode(name);
    assert.ok(mode);
    const sequence = lockNameSequence(name);
    table.read(table.addLock(mode, sequence, isUsualLockName(mode.length, sequence, name.length) ? undefined : name), b('q:1:IMPLICIT:s:c'), 0, 16, 1, '0');
  }
  assert.deepEqual(table.locks().map((l) => l.znode).sort(), [...names].sort());
  assert.equal(isUsualLockName('EXCLUSIVE'.length, 42, 'LOCK-EXCLUSIVE-0000000042'.length), true);
  assert.equal(isUsualLockName('SHARED'.length, -1, 'LOCK-SHARED-9999999999'.length), false, 'past an int: the digits are not the sequence');
});

test('persistent locks have no owner; data that is not the usual case is kept decoded whole', () => {
  const table = new LockTable();
  table.addObject('/r/db', ['db']);
  const binary = Buffer.from([0xc3, 0x28]);
  table.read(table.addLock('SHARED', 1), binary, 0, 2, 5, '0');
  table.read(table.addLock('SHARED', 2), b('q:soon:EXPLICIT:LOCK TABLE t'), 0, 28, 6, '0');
  const [first, second] = table.locks();
  assert.deepEqual([first?.ephemeral, first?.ephemeralOwner, first?.ctime], [false, undefined, 5]);
  assert.deepEqual(first?.data, decodeLockData(binary));
  assert.deepEqual(second?.data, decodeLockData(b('q:soon:EXPLICIT:LOCK TABLE t')));
  assert.match(second?.data.problems.join() ?? '', /not epoch/);
});

test('thousands of rows (past every column growing): each lock reads back its own fields', () => {
  const table = new LockTable();
  for (let o = 0; o < 1000; o += 1) {
    table.addObject(`/r/db/t${String(o).padStart(4, '0')}`, ['db', `t${o}`]);
    for (let l = 0; l < 5; l += 1) {
      const data = b(`q${o}_${l}:${1764063000000 + l}:IMPLICIT:select ${o}:10.0.${o % 256}.${l}`);
      table.read(table.addLock(l === 0 ? 'EXCLUSIVE' : 'SHARED', 100 - l), data, 0, data.length, o, l % 2 === 0 ? '0' : `f${o}`);
    }
  }
  const locks = table.locks();
  assert.equal(locks.length, 5000);
  locks.forEach((lock, i) => {
    const o = Math.floor(i / 5);
    const l = 4 - (i % 5); // by sequence: the last added first
    assert.equal(lock.objectPath, `/r/db/t${String(o).padStart(4, '0')}`);
    assert.equal(lock.sequence, 100 - l);
    assert.equal(lock.data.queryId, `q${o}_${l}`);
    assert.equal(lock.data.clientIp, `10.0.${o % 256}.${l}`);
    assert.equal(lock.ctime, o);
    assert.equal(lock.ephemeralOwner, l % 2 === 0 ? undefined : `f${o}`);
    assert.equal(lock.status, l === 0 ? 'waiting' : 'granted', 'the exclusive lock, youngest of its object, waits behind the shared ones');
  });
});

test("an object's name is decoded from its segments when asked for, once for all its locks", () => {
  const table = new LockTable();
  table.addObject('/r/db/web-45-logs/country=US%2FCA', ['db', 'web-45-logs', 'country=US%2FCA']);
  table.read(table.addLock('SHARED', 1), b('q:1:IMPLICIT:s:c'), 0, 16, 1, '0');
  table.read(table.addLock('SHARED', 2), b('q:1:IMPLICIT:s:c'), 0, 16, 1, '0');
  const [first, second] = table.locks();
  assert.deepEqual(first?.object, { database: 'db', table: 'web-logs', partition: [{ key: 'country', value: 'US/CA' }] });
  assert.equal(first?.object, second?.object, 'one decoded name per object');
});

test('data without the client field (older Hive) and long texts read back as decodeLockData gives them', () => {
  const table = new LockTable();
  table.addObject('/r/db', ['db']);
  const long = (n: number): string => `select ${'x'.repeat(20_000)}${n}`; // past V8's hashed length: not shared by the table
  const datas = [b('q:1:IMPLICIT:select 1'), b('q:1:IMPLICIT:'), b(`q:2:IMPLICIT:${long(1)}:c`), b(`q:3:IMPLICIT:${long(2)}:c`), b(`q:2:IMPLICIT:${long(1)}:c`)];
  datas.forEach((data, i) => table.read(table.addLock('SHARED', i), data, 0, data.length, 1, '0'));
  const locks = table.locks();
  locks.forEach((lock, i) => assert.deepEqual(lock.data, decodeLockData(datas[i] ?? b('')), `data ${i}`));
  assert.equal('clientIp' in (locks[0]?.data ?? {}), false, 'no client field: none made up');
});

test('once the walk is built the text-sharing map is dropped; the locks still read back their texts', () => {
  const table = new LockTable();
  table.addObject('/r/db/t', ['db', 't']);
  for (let i = 0; i < 3; i += 1) {
    const data = b(`hive_q${i}:1764063000000:IMPLICIT:select ${i}:10.0.0.${i}`);
    table.read(table.addLock('SHARED', i), data, 0, data.length, 1764063000000 + i, `owner${i}`);
  }
  assert.ok(table.sharedTextCount > 0, 'texts are shared while reading');
  const locks = table.locks();
  assert.equal(table.sharedTextCount, 0, 'nothing of the map is kept once the walk result is built');
  assert.deepEqual(
    locks.map((l) => [l.data.queryId, l.data.queryString, l.data.clientIp, l.ephemeralOwner]),
    [0, 1, 2].map((i) => [`hive_q${i}`, `select ${i}`, `10.0.0.${i}`, `owner${i}`]),
  );
});
