// Lock names read in place from batched listings: non-ASCII and near-miss names under objects with
// non-ASCII paths give the same walk in place (multiRead), singly, and through a pre-3.6 server,
// with and without a non-ASCII chroot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { ZkSession } from '../../src/core/zk/session';
import { mkdirp } from '../support/hiveSeed';
import { plainWalk } from '../support/plainWalk';
import { startPre36Proxy, type Pre36Proxy } from '../support/pre36Proxy';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let proxy: Pre36Proxy;
const sessions: ZkSession[] = [];
const CHROOT = '/ténant-ü名';
const OBJECTS = ['/odd_locks/dé/tàble名/p=ü', '/odd_locks/db/t', '/odd_locks/LOCK-SHARED-1x'];
const NAMES = [
  'LOCK-SHARED-0000000001',
  'LOCK-SHARED-0000000001x',
  'LOCK-SHARED-00000000000000000001',
  'LOCK-SHARED-0000000000000000001',
  'LOCK-SEMI_SHARED-2147483648',
  'LOCK-EXCLUSIVE-9999999999999999999',
  'LOCK-EXCLUSIVE-0000000002',
  'LOCK-SHAREDé-1',
  'LOCK-SHARED-١٢',
  'LOCK-SHARED-１',
  'lock-SHARED-1',
  'LOCK-READ-1',
  'LOCK--1',
  'LOCK-SHARED--1',
  'LOCK-SHARED-',
  'ÄLOCK-SHARED-3',
  'LOCK-SHARED-3Ä',
];

function open(hosts: string, chroot: string, multiRead = true): ZkSession {
  const session = new ZkSession({ connectString: `${hosts}${chroot}`, requestTimeoutMs: 60_000, ...(multiRead ? {} : { multiRead: { enabled: false } }) });
  sessions.push(session);
  return session;
}

before(async () => {
  zk = await startZooKeeper();
  proxy = await startPre36Proxy(zk.port);
  await mkdirp(open(zk.connectString, ''), CHROOT);
  for (const chroot of ['', CHROOT]) {
    const seeder = open(zk.connectString, chroot);
    for (const object of OBJECTS) {
      await mkdirp(seeder, object);
      for (const name of NAMES) {
        // The locks of one query carry the same bytes (one shared decoded copy); some carry bad UTF-8.
        const data = name.endsWith('2') ? Buffer.from([0x71, 0x3a, 0x31, 0x3a, 0xc3, 0x3a, 0x73]) : Buffer.from('q1:1764063000000:IMPLICIT:select 1:10.0.0.7');
        await seeder.create(`${object}/${name}`, data);
      }
    }
  }
});

after(async () => {
  sessions.forEach((s) => s.close());
  await proxy.close();
  await zk.stop();
});

for (const chroot of ['', CHROOT]) {
  test(`odd lock names: in place, single and pre-3.6 walks agree${chroot ? ' under a non-ASCII chroot' : ''}`, async () => {
    const batched = open(zk.connectString, chroot);
    const single = open(zk.connectString, chroot, false);
    const old = open(`127.0.0.1:${proxy.port}`, chroot);
    const expected = await plainWalk(walkLocks(single, 'odd_locks', { chunkSize: 5 }));
    assert.deepEqual(await plainWalk(walkLocks(batched, 'odd_locks', { chunkSize: 5 })), expected);
    assert.deepEqual(await plainWalk(walkLocks(old, 'odd_locks', { chunkSize: 5 })), expected);
    assert.equal(batched.multiReadState, 'supported');
    // The names that are locks on one object; the others are listed as nodes (and nested objects found).
    const perObject = expected.locks.filter((l) => l.objectPath === '/odd_locks/dé/tàble名/p=ü').map((l) => `${l.znode}:${l.sequence}`);
    assert.deepEqual(perObject.sort(), [
      'LOCK-EXCLUSIVE-0000000002:2',
      'LOCK-EXCLUSIVE-9999999999999999999:-1',
      'LOCK-SEMI_SHARED-2147483648:-1',
      'LOCK-SHARED-0000000000000000001:1',
      'LOCK-SHARED-0000000001:1',
    ]);
    assert.equal(expected.locks.length, 5 * OBJECTS.length);
    // 7 object znodes listed, then every name under each object: listed (near misses) or read (locks).
    assert.equal(expected.visited, 7 + OBJECTS.length * NAMES.length);
  });
}
