// Lock and registration owners: sessions to client addresses, locks grouped by owner, orphans flagged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hs2Instance } from '../../src/core/registry/hs2Instance';
import type { HiveLock } from '../../src/core/locks/locks';
import { formatAge, groupLocksByOwner, ownerJson, ownerOf } from '../../src/core/health/owners';
import type { SessionHolder } from '../../src/core/health/serverHealth';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

const lock = (path: string, ephemeralOwner: string | undefined, lockTime?: number): HiveLock => ({
  mode: 'SHARED',
  sequence: 1,
  znode: path.split('/').at(-1) ?? '',
  path,
  objectPath: path.slice(0, path.lastIndexOf('/')),
  object: { database: 'db' },
  data: lockTime !== undefined ? { lockTime, problems: [] } : { problems: [] },
  ctime: NOW - HOUR,
  ephemeral: ephemeralOwner !== undefined,
  ...(ephemeralOwner !== undefined ? { ephemeralOwner } : {}),
  status: 'granted',
});

const instance = (host: string, ephemeralOwner: string): Hs2Instance => ({ znode: `serverUri=${host}:10000`, path: `/hiveserver2/serverUri=${host}:10000`, host, port: 10000, settings: {}, dataFormat: 'config', ephemeral: true, ephemeralOwner, problems: [] });

const sessions = new Map<string, SessionHolder>([
  ['100000a', { sessionId: '100000a', address: '10.20.0.15', port: 40001, server: 'zk1:2181' }],
  ['100000b', { sessionId: '100000b', address: '10.20.0.99', port: 40002, server: 'zk2:2181' }],
  ['200000c', { sessionId: '200000c', address: '10.20.0.15', port: 40003, server: 'zk1:2181' }],
]);

test('owner of an ephemeral znode: session and the client address holding it', () => {
  assert.deepEqual(ownerOf('100000a', sessions), { sessionId: '100000a', clientAddress: '10.20.0.15', server: 'zk1:2181' });
  assert.deepEqual(ownerOf('dead', sessions), { sessionId: 'dead' });
  assert.equal(ownerOf('0', sessions), undefined);
  assert.equal(ownerOf(undefined, sessions), undefined);
  assert.deepEqual(ownerJson(ownerOf('100000a', sessions)), { session: '0x100000a', client: '10.20.0.15' });
  assert.deepEqual(ownerJson(ownerOf('dead', sessions)), { session: '0xdead', client: null });
  assert.equal(ownerJson(undefined), null);
});

test('locks grouped by owner, busiest first, with the oldest age; owners off HiveServer2 hosts flagged', () => {
  const locks = [
    ...Array.from({ length: 37 }, (_, i) => lock(`/hive/db/t/LOCK-SHARED-${i}`, '100000a', NOW - 3 * HOUR + i * 1000)),
    lock('/hive/db/u/LOCK-SHARED-1', '100000b', NOW - 5 * 60_000),
    lock('/hive/db/v/LOCK-EXCLUSIVE-1', undefined),
  ];
  // The registration is held by another session of the same host: HS2 uses one client for locks and one for discovery.
  const report = groupLocksByOwner(locks, [instance('hs2-a.example.com', '200000c')], sessions, { now: NOW });
  assert.deepEqual(report.hiveServer2Hosts, ['10.20.0.15', 'hs2-a.example.com']);
  assert.equal(report.persistentLocks, 1);
  assert.deepEqual(
    report.groups.map((g) => [g.summary, g.onHiveServer2Host, g.problem ?? null]),
    [
      ['session 0x100000a on 10.20.0.15 holds 37 locks, the oldest 3 h', true, null],
      ['session 0x100000b on 10.20.0.99 holds 1 lock, the oldest 5 min', false, 'held from 10.20.0.99, where no live HiveServer2 is registered'],
    ],
  );
  assert.equal(report.groups[0]?.lockPaths.length, 37);
});

test('an owner session connected nowhere is flagged only when every server listed its connections', () => {
  const locks = [lock('/hive/db/t/LOCK-SHARED-1', 'dead')];
  assert.equal(groupLocksByOwner(locks, [], sessions, { now: NOW }).groups[0]?.problem, undefined, 'unknown, not wrong');
  const report = groupLocksByOwner(locks, [], sessions, { now: NOW, sessionsComplete: true });
  assert.match(report.groups[0]?.problem ?? '', /session 0xdead is connected to no server/);
  assert.equal(report.groups[0]?.summary, 'session 0xdead holds 1 lock, the oldest 1 h', 'ctime when the data has no lock time');
});

test('registered hosts given as addresses count as HiveServer2 hosts too', () => {
  const report = groupLocksByOwner([lock('/hive/db/t/LOCK-SHARED-1', '100000b')], [instance('10.20.0.99', 'elsewhere')], sessions, { now: NOW });
  assert.equal(report.groups[0]?.onHiveServer2Host, true);
});

test('ages: one unit', () => {
  assert.deepEqual([formatAge(999), formatAge(45_000), formatAge(12 * 60_000), formatAge(3 * HOUR + 59 * 60_000), formatAge(50 * HOUR), formatAge(-5)], ['0 s', '45 s', '12 min', '3 h', '2 d', '0 s']);
});
