// Persistent recursive watches on the session's own socket layer against real ZooKeeper: every
// notification in order, repeats never dropped, added again after a reconnect, a failover and a new
// session, removed on dispose, refused cleanly by a server before 3.6.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnimplemented } from '../../src/core/zk/errorMap';
import { ZkSession, type PersistentWatchEvent } from '../../src/core/zk/session';
import { mkdirp } from '../support/hiveSeed';
import { startCoalescingProxy } from '../support/coalescingProxy';
import { startPre36Proxy } from '../support/pre36Proxy';
import { OPCODES } from '../../src/core/zk/wire';
import { delay, fourLetterWord, startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
before(async () => {
  zk = await startZooKeeper();
});
after(async () => {
  await zk.stop();
});

/** Resolves once `check` holds (polled), or fails with what was seen. */
async function until(check: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting: ${what()}`);
    }
    await delay(20);
  }
}

const describe = (events: PersistentWatchEvent[]): string[] => events.map((e) => `${e.type} ${e.path}`);

test('a recursive watch sees every create and delete below its root, in order, repeats included; nothing outside it; removed on dispose', async () => {
  const writer = new ZkSession({ connectString: zk.connectString });
  const session = new ZkSession({ connectString: zk.connectString });
  try {
    await mkdirp(writer, '/pw/db/t');
    await mkdirp(writer, '/elsewhere');
    const events: PersistentWatchEvent[] = [];
    const handle = await session.addPersistentWatch('/pw', 'persistentRecursive', { event: (e) => events.push(e) });
    // A one-shot watch on the same root beside it: the library fires it once, the persistent watch keeps going.
    let oneShot = 0;
    await session.getChildren('/pw/db/t', () => (oneShot += 1));
    const expected: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const path = await writer.create('/pw/db/t/LOCK-EXCLUSIVE-', Buffer.from('q'), 'ephemeralSequential');
      await writer.create('/elsewhere/x', Buffer.alloc(0), 'ephemeral');
      await writer.remove(path);
      await writer.remove('/elsewhere/x');
      expected.push(`created ${path}`, `deleted ${path}`);
    }
    await until(() => events.length >= expected.length, () => describe(events).join());
    assert.deepEqual(describe(events), expected);
    assert.equal(oneShot, 1, 'the one-shot child watch fired once');
    const watches = await fourLetterWord(zk.port, 'wchs');
    assert.match(watches, /watching 1 paths/, watches);
    handle.dispose();
    handle.dispose();
    await delay(300);
    const afterDispose = await fourLetterWord(zk.port, 'wchs');
    assert.match(afterDispose, /Total watches:0/, afterDispose);
    const count = events.length;
    await writer.create('/pw/db/t/LOCK-SHARED-', Buffer.from('q'), 'ephemeralSequential');
    await session.exists('/pw');
    await delay(200);
    assert.equal(events.length, count, 'no events after dispose');
  } finally {
    session.close();
    writer.close();
  }
});

test("a persistent watch added over a one-shot watch on the same path (the tree's child watch) leaves it working", async () => {
  const writer = new ZkSession({ connectString: zk.connectString });
  const session = new ZkSession({ connectString: zk.connectString });
  try {
    await mkdirp(writer, '/pw-shared/hs2');
    let oneShot = 0;
    await session.getChildren('/pw-shared/hs2', () => (oneShot += 1));
    const events: PersistentWatchEvent[] = [];
    const handle = await session.addPersistentWatch('/pw-shared/hs2', 'persistentRecursive', { event: (e) => events.push(e) });
    await writer.create('/pw-shared/hs2/serverUri=a:1', Buffer.alloc(0), 'ephemeral');
    await writer.create('/pw-shared/hs2/serverUri=b:1', Buffer.alloc(0), 'ephemeral');
    await until(() => events.length === 2 && oneShot === 1, () => `one-shot fired ${oneShot} times; events ${describe(events).join()}`, 5000);
    handle.dispose();
  } finally {
    session.close();
    writer.close();
  }
});

test('persistent watches added and removed again and again over a one-shot watch (a timeline restarted per settings change) keep one listener for it, and it still fires once', async () => {
  const writer = new ZkSession({ connectString: zk.connectString });
  const session = new ZkSession({ connectString: zk.connectString });
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    await mkdirp(writer, '/pw-again/hs2');
    let oneShot = 0;
    await session.getChildren('/pw-again/hs2', () => (oneShot += 1));
    for (let i = 0; i < 12; i += 1) {
      const handle = await session.addPersistentWatch('/pw-again/hs2', 'persistentRecursive', { event: () => undefined });
      handle.dispose();
    }
    await writer.create('/pw-again/hs2/serverUri=a:1', Buffer.alloc(0), 'ephemeral');
    await until(() => oneShot === 1, () => `one-shot fired ${oneShot} times`, 5000);
    await delay(200);
    assert.equal(oneShot, 1);
    assert.deepEqual(warnings.filter((w) => w.includes('MaxListeners')), [], 'no listener piled up per addWatch');
  } finally {
    process.off('warning', onWarning);
    session.close();
    writer.close();
  }
});

test('a chrooted session sees paths below its chroot', async () => {
  const writer = new ZkSession({ connectString: zk.connectString });
  const session = new ZkSession({ connectString: `${zk.connectString}/chrooted` });
  try {
    await mkdirp(writer, '/chrooted/locks');
    const events: PersistentWatchEvent[] = [];
    const handle = await session.addPersistentWatch('/locks', 'persistentRecursive', { event: (e) => events.push(e) });
    await writer.create('/chrooted/locks/a', Buffer.alloc(0));
    await writer.remove('/chrooted/locks/a');
    await until(() => events.length >= 2, () => describe(events).join());
    assert.deepEqual(describe(events), ['created /locks/a', 'deleted /locks/a']);
    handle.dispose();
  } finally {
    session.close();
    writer.close();
  }
});

test('session expiry: a new session adds the watch again (new generation)', async () => {
  const cluster = await startZooKeeper({ tickTime: 500 });
  const writer = new ZkSession({ connectString: cluster.connectString });
  const session = new ZkSession({ connectString: cluster.connectString, sessionTimeoutMs: 2000, connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
  try {
    await mkdirp(writer, '/e');
    writer.close();
    const events: PersistentWatchEvent[] = [];
    const rearmed: number[] = [];
    await session.addPersistentWatch('/e', 'persistentRecursive', { event: (e) => events.push(e), rearmed: (info) => rearmed.push(info.generation) });
    const firstId = session.sessionId;
    await cluster.servers[0].stop();
    await delay(3000);
    assert.equal(session.state, 'expired');
    cluster.servers[0].start();
    await cluster.servers[0].waitServing();
    await session.open();
    await until(() => rearmed.length > 0, () => `rearmed ${rearmed.join()}`);
    assert.deepEqual(rearmed, [2]);
    assert.notEqual(session.sessionId, firstId);
    const again = new ZkSession({ connectString: cluster.connectString });
    await again.create('/e/new', Buffer.alloc(0));
    again.close();
    await until(() => events.length > 0, () => describe(events).join());
    assert.deepEqual(describe(events), ['created /e/new']);
  } finally {
    session.close();
    await cluster.stop();
  }
});

test('a server before 3.6 refuses addWatch: a clear unimplemented error, asked once per client, and the session reads on', async () => {
  const proxy = await startPre36Proxy(zk.port);
  const session = new ZkSession({ connectString: `127.0.0.1:${proxy.port}` });
  try {
    await session.open();
    await assert.rejects(session.addPersistentWatch('/', 'persistentRecursive', { event: () => undefined }), (error) => isUnimplemented(error) && /older than 3\.6/.test(String(error)));
    await assert.rejects(session.addPersistentWatch('/', 'persistent', { event: () => undefined }), isUnimplemented);
    assert.equal(proxy.refused, 1, 'one refusal, then the client knows');
    const { children } = await session.getChildren('/');
    assert.ok(children.includes('zookeeper'));
    assert.equal(session.multiReadState, 'unsupported');
  } finally {
    session.close();
    await proxy.close();
  }
});

test('a notification in the same socket chunk as the addWatch reply is delivered (the listener hears before the reply settles)', async () => {
  const proxy = await startCoalescingProxy(zk.port, OPCODES.addWatch);
  const writer = new ZkSession({ connectString: zk.connectString });
  const session = new ZkSession({ connectString: `127.0.0.1:${proxy.port}` });
  try {
    await mkdirp(writer, '/chunk');
    await session.open();
    const events: PersistentWatchEvent[] = [];
    let rearmed = 0;
    const adding = session.addPersistentWatch('/chunk', 'persistentRecursive', { event: (e) => events.push(e), rearmed: () => (rearmed += 1) });
    // The server has the watch and its reply is held: the create's notification goes out with it, in one write.
    await proxy.held;
    const created = await writer.create('/chunk/a', Buffer.alloc(0));
    const handle = await adding;
    assert.equal(proxy.coalesced, 1, 'reply and notification came in one chunk');
    await until(() => events.length > 0, () => 'no notification: the one in the reply\'s chunk was lost', 3000);
    assert.deepEqual(describe(events), [`created ${created}`]);
    assert.equal(rearmed, 0);
    handle.dispose();
  } finally {
    session.close();
    writer.close();
    await proxy.close();
  }
});

test('a watch added before the first connection is added once, with no rearm (no spurious resync)', async () => {
  const writer = new ZkSession({ connectString: zk.connectString });
  const session = new ZkSession({ connectString: zk.connectString });
  try {
    await mkdirp(writer, '/first');
    let rearmed = 0;
    const events: PersistentWatchEvent[] = [];
    assert.equal(session.state, 'idle');
    const handle = await session.addPersistentWatch('/first', 'persistentRecursive', { event: (e) => events.push(e), rearmed: () => (rearmed += 1) });
    const path = await writer.create('/first/x', Buffer.alloc(0));
    await until(() => events.length > 0, () => describe(events).join());
    await delay(200);
    assert.equal(rearmed, 0, 'the first connection is not a reconnect');
    assert.deepEqual(describe(events), [`created ${path}`], 'one watch on the server: each change notified once');
    handle.dispose();
  } finally {
    session.close();
    writer.close();
  }
});
