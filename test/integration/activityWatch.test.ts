// The live lock and registration timeline against real ZooKeeper: failover in a 3-server ensemble and
// session expiry are followed by one batched reread reported as a resync, and a flood is cut and counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityWatch, type ActivityEvent } from '../../src/core/timeline/activityWatch';
import { indexLocks, type LockIndex } from '../../src/core/locks/lockIndex';
import type { HiveLock } from '../../src/core/locks/locks';
import { walkLocks, type LockWalkResult } from '../../src/core/locks/lockWalk';
import { LiveLocks } from '../../src/ui/tree/liveLocks';
import { HiveZkError } from '../../src/core/errors';
import { ZkSession } from '../../src/core/zk/session';
import { OPCODES } from '../../src/core/zk/wire';
import { startCoalescingProxy } from '../support/coalescingProxy';
import { mkdirp, takeLock } from '../support/hiveSeed';
import { delay, startZooKeeper, type ZkCluster } from '../support/zkServer';

const LOCKS = 'hive_zookeeper_namespace';

async function until(check: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting: ${what()}`);
    }
    await delay(25);
  }
}

/**
 * Creates a lock znode of a fixed name, again after a lost connection (losing the leader drops every
 * server's clients while the ensemble elects a new one); a create that got through the first time is kept.
 */
async function createDuringFailover(session: ZkSession, path: string): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await session.create(path, Buffer.from('q_failover:1:IMPLICIT:select 2:10.0.0.1'), 'ephemeral');
    } catch (error) {
      if (await session.exists(path).catch(() => undefined)) {
        return path;
      }
      if (!(error instanceof HiveZkError && error.retryable) || attempt > 50) {
        throw error;
      }
      await delay(200);
    }
  }
}

const show = (events: ActivityEvent[]): string => events.map((e) => JSON.stringify(e)).join('\n');

let ensemble: ZkCluster;
before(async () => {
  ensemble = await startZooKeeper({ size: 3 });
});
after(async () => {
  await ensemble.stop();
});

test('failover in a 3-server ensemble: the watch is added again on the new server, changes made meanwhile come by one reread (a resync event), events flow on', async () => {
  const session = new ZkSession({ connectString: ensemble.connectString, sessionTimeoutMs: 20_000, requestTimeoutMs: 5000 });
  const writer = new ZkSession({ connectString: ensemble.connectString });
  const timeline = new ActivityWatch(session, { namespaces: [], lockNamespace: LOCKS });
  const events: ActivityEvent[] = [];
  timeline.onEvent((e) => events.push(e));
  try {
    const standing = await takeLock(writer, LOCKS, { db: 'sales', table: 'orders', mode: 'SHARED', queryId: 'q_standing', query: 'select 1' });
    assert.deepEqual(await timeline.start(), { mode: 'persistent-recursive', watches: 1 });
    const victim = await ensemble.serverHoldingSession(session.sessionId ?? '');
    assert.ok(victim);
    // The writer must not be on the victim: it writes while the watcher fails over.
    const writerServer = await ensemble.serverHoldingSession(writer.sessionId ?? '');
    const other = ensemble.servers.find((s) => s !== victim && s.running);
    const safeWriter = writerServer === victim && other ? new ZkSession({ connectString: `127.0.0.1:${other.clientPort}` }) : writer;
    await victim.stop(true);
    const missed = await createDuringFailover(safeWriter, `${standing.slice(0, standing.lastIndexOf('/'))}/LOCK-SHARED-0000009998`);
    await until(() => events.some((e) => e.type === 'resync') && events.some((e) => e.type === 'lock' && e.path === missed), () => show(events));
    await delay(300);
    const resync = events.find((e) => e.type === 'resync');
    assert.equal(resync?.type === 'resync' && resync.reason, 'reconnected');
    const created = events.filter((e) => e.type === 'lock' && e.event === 'created');
    assert.deepEqual(
      created.map((e) => e.type === 'lock' && e.path),
      [missed],
      `the lock made during failover, once (live or by the reread); the standing one never\n${show(events)}`,
    );
    const after = await createDuringFailover(safeWriter, `${standing.slice(0, standing.lastIndexOf('/'))}/LOCK-SHARED-0000009999`);
    await until(() => events.some((e) => e.type === 'lock' && e.path === after), () => show(events));
    assert.ok(!events.some((e) => e.type === 'lock' && e.path === standing));
    if (safeWriter !== writer) {
      safeWriter.close();
    }
    victim.start();
    await victim.waitServing();
  } finally {
    timeline.dispose();
    session.close();
    writer.close();
  }
});

test('the same server restarted: the session reconnects to it, sets its watch again through setWatches2 (no second addWatch), and what changed meanwhile comes by one reread (resync "reconnected")', async () => {
  const [home, ...others] = ensemble.servers;
  // The watcher reaches only `home` (through a proxy that counts its requests by opcode); the writer the others.
  const proxy = await startCoalescingProxy(home.clientPort, -1);
  const session = new ZkSession({ connectString: `127.0.0.1:${proxy.port}`, sessionTimeoutMs: 40_000, connectTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  const writer = new ZkSession({ connectString: others.map((s) => `127.0.0.1:${s.clientPort}`).join(',') });
  const timeline = new ActivityWatch(session, { namespaces: [], lockNamespace: 'restart_locks' });
  const events: ActivityEvent[] = [];
  timeline.onEvent((e) => events.push(e));
  try {
    const gone = await takeLock(writer, 'restart_locks', { db: 'd', table: 't', mode: 'SHARED', queryId: 'q_gone', query: 'select 1' });
    assert.deepEqual(await timeline.start(), { mode: 'persistent-recursive', watches: 1 });
    const sessionId = session.sessionId;
    await home.stop();
    await writer.remove(gone);
    const made = await takeLock(writer, 'restart_locks', { db: 'd', table: 't', mode: 'EXCLUSIVE', queryId: 'q_made', query: 'insert into t select 1' });
    home.start();
    await home.waitServing();
    await until(() => events.some((e) => e.type === 'resync'), () => show(events), 45_000);
    const resync = events.find((e) => e.type === 'resync');
    assert.deepEqual(resync?.type === 'resync' && [resync.reason, resync.created, resync.deleted], ['reconnected', 1, 1], show(events));
    assert.equal(session.sessionId, sessionId, 'the same session');
    assert.deepEqual(
      events.filter((e) => e.type === 'lock').map((e) => e.type === 'lock' && `${e.event} ${e.path}`),
      [`deleted ${gone}`, `created ${made}`],
      'each change missed while away reported once, by the reread',
    );
    assert.equal(proxy.opcodes.get(OPCODES.setWatches2), 1, 'set again by one setWatches2');
    assert.equal(proxy.opcodes.get(OPCODES.addWatch), 1, 'the first addWatch only');
    const after = await takeLock(writer, 'restart_locks', { db: 'd', table: 't', mode: 'SHARED', queryId: 'q_after', query: 'select 2' });
    await until(() => events.some((e) => e.type === 'lock' && e.path === after), () => show(events));
  } finally {
    timeline.dispose();
    session.close();
    writer.close();
    await proxy.close();
    if (!home.running) {
      home.start();
      await home.waitServing();
    }
  }
});

test('session expiry: the timeline asks for a new session, adds its watch again, rereads (resync "new-session"); a lock lost meanwhile is deleted once', async () => {
  const cluster = await startZooKeeper({ tickTime: 500 });
  const session = new ZkSession({ connectString: cluster.connectString, sessionTimeoutMs: 2000, connectTimeoutMs: 3000, requestTimeoutMs: 3000 });
  const writer = new ZkSession({ connectString: cluster.connectString, sessionTimeoutMs: 2000 });
  const timeline = new ActivityWatch(session, { namespaces: [], lockNamespace: LOCKS });
  const events: ActivityEvent[] = [];
  timeline.onEvent((e) => events.push(e));
  try {
    await mkdirp(writer, `/${LOCKS}`);
    await timeline.start();
    const lost = await takeLock(writer, LOCKS, { db: 'd', table: 't', mode: 'EXCLUSIVE', queryId: 'q_lost', query: 'insert into t values (1)' });
    await until(() => events.some((e) => e.type === 'lock' && e.path === lost), () => show(events));
    await cluster.servers[0].stop();
    writer.close(); // its session (and ephemeral lock) ends once the server is back
    await delay(3000);
    cluster.servers[0].start();
    await cluster.servers[0].waitServing();
    await until(() => events.some((e) => e.type === 'resync' && e.reason === 'new-session'), () => show(events));
    await until(() => events.some((e) => e.type === 'lock' && e.path === lost && e.event === 'deleted'), () => show(events));
    const fresh = new ZkSession({ connectString: cluster.connectString });
    const next = await takeLock(fresh, LOCKS, { db: 'd', table: 't', mode: 'SHARED', queryId: 'q_next', query: 'select 1' });
    await until(() => events.some((e) => e.type === 'lock' && e.path === next), () => show(events));
    fresh.close();
    await delay(300);
    assert.equal(events.filter((e) => e.type === 'lock' && e.path === lost && e.event === 'deleted').length, 1);
  } finally {
    timeline.dispose();
    session.close();
    writer.close();
    await cluster.stop();
  }
});

test('a flood beyond what may wait: events dropped and counted ("dropped"), never an unbounded backlog; the recent list keeps at most maxEvents', async () => {
  const session = new ZkSession({ connectString: ensemble.connectString });
  const writer = new ZkSession({ connectString: ensemble.connectString, maxInFlight: 256 });
  const timeline = new ActivityWatch(session, { namespaces: [], lockNamespace: 'flood_locks', maxPending: 5, maxEvents: 50 });
  const events: ActivityEvent[] = [];
  timeline.onEvent((e) => events.push(e));
  try {
    await mkdirp(writer, '/flood_locks/db/t');
    await timeline.start();
    await Promise.all(Array.from({ length: 300 }, () => writer.create('/flood_locks/db/t/LOCK-SHARED-', Buffer.from('q_flood:1:IMPLICIT:select 1:10.0.0.1'), 'ephemeralSequential')));
    const seen = (): number => events.filter((e) => e.type === 'lock').length;
    const dropped = (): number => events.reduce((sum, e) => sum + (e.type === 'dropped' ? e.count : 0), 0);
    await until(() => seen() + dropped() === 300, () => `seen ${seen()} dropped ${dropped()}`);
    assert.ok(dropped() > 0, 'some were dropped');
    assert.ok(timeline.events().length <= 50);
    assert.equal(timeline.events()[0], events.at(-1), 'newest first');
  } finally {
    timeline.dispose();
    session.close();
    writer.close();
  }
});

test('malformed names and data under a watched root: skipped or reported with what could be read, never a crash', async () => {
  const session = new ZkSession({ connectString: ensemble.connectString });
  const writer = new ZkSession({ connectString: ensemble.connectString });
  const timeline = new ActivityWatch(session, { namespaces: ['odd_ns'], lockNamespace: 'odd_locks' });
  const events: ActivityEvent[] = [];
  timeline.onEvent((e) => events.push(e));
  try {
    await mkdirp(writer, '/odd_locks/db/t');
    await mkdirp(writer, '/odd_ns');
    await timeline.start();
    await writer.create('/odd_locks/db/t/LOCK-BOGUS-0000000001', Buffer.from('x'));
    await writer.create('/odd_locks/db/t/LOCK-SHARED-', Buffer.from([0xff, 0xfe, 0x00, 0x3a]), 'ephemeralSequential');
    await writer.create('/odd_ns/garbage', Buffer.from([0xff, 0x00]), 'ephemeral');
    await until(() => events.length >= 2, () => show(events));
    await delay(200);
    const lock = events.find((e) => e.type === 'lock');
    assert.equal(lock?.type === 'lock' && lock.mode, 'SHARED');
    assert.equal(lock?.type === 'lock' && lock.queryId, undefined, 'no query id in unreadable data');
    assert.deepEqual(events.filter((e) => e.type === 'instance').map((e) => e.type === 'instance' && [e.znode, e.host]), [['garbage', undefined]]);
    assert.ok(timeline.skipped >= 1, 'the odd lock name and the object znodes are skipped');
  } finally {
    timeline.dispose();
    session.close();
    writer.close();
  }
});

test('start hands its first read of the lock tree to a keeper (one read for both), then tells the changes after it; its signal cancels that read', async () => {
  const session = new ZkSession({ connectString: ensemble.connectString });
  const writer = new ZkSession({ connectString: ensemble.connectString });
  const timeline = new ActivityWatch(session, { namespaces: [], lockNamespace: 'handover_locks' });
  const order: string[] = [];
  timeline.onLockChange((change) => order.push(`${change.type} ${change.type === 'created' ? change.lock.path : change.path}`));
  try {
    const standing = await takeLock(writer, 'handover_locks', { db: 'sales', table: 'orders', mode: 'SHARED', queryId: 'q_standing', query: 'select 1' });
    await timeline.start({ onStanding: (walk) => order.push(`standing ${walk.locks.map((l) => l.path).join(',')}`) });
    assert.deepEqual(order, [`standing ${standing}`], 'the walk handed over, the standing lock not told as created');
    assert.equal(timeline.standingReads, 1);
    const later = await takeLock(writer, 'handover_locks', { db: 'sales', table: 'orders', mode: 'EXCLUSIVE', queryId: 'q_later', query: 'insert into orders select 2' });
    await until(() => order.length === 2, () => order.join('\n'));
    assert.equal(order[1], `created ${later}`);

    const cancelledWatch = new ActivityWatch(session, { namespaces: [], lockNamespace: 'handover_locks' });
    const abort = new AbortController();
    abort.abort();
    let handed = false;
    await assert.rejects(cancelledWatch.start({ signal: abort.signal, onStanding: () => (handed = true) }), (e: unknown) => e instanceof HiveZkError && e.code === 'CANCELLED');
    cancelledWatch.dispose();
    assert.equal(handed, false);
  } finally {
    timeline.dispose();
    session.close();
    writer.close();
  }
});

test('a keeper following the timeline from before it starts, its first read taken as the walk, ends where a fresh walk does, whatever changed during that read', async () => {
  const ROOT = 'handover_churn';
  const session = new ZkSession({ connectString: ensemble.connectString, requestTimeoutMs: 60_000 });
  const writer = new ZkSession({ connectString: ensemble.connectString, requestTimeoutMs: 60_000 });
  const timeline = new ActivityWatch(session, { namespaces: [], lockNamespace: ROOT });
  let current: LockIndex | undefined;
  const live = new LiveLocks({ replace: (_name, index) => (current = index), rewalk: () => assert.fail('no gap expected') });
  const spec = (i: number): Parameters<typeof takeLock>[2] => ({ db: `db${i % 3}`, table: `t${i % 7}`, mode: i % 5 === 0 ? 'EXCLUSIVE' : 'SHARED', queryId: `q_churn_${i}`, query: `select ${i}` });
  try {
    const standing = await Promise.all(Array.from({ length: 1500 }, (_, i) => takeLock(writer, ROOT, spec(i))));
    const following = live.follow('e', timeline);
    let reading = true;
    let churned = 0;
    // Churn while the first read runs: new locks, standing ones removed, and attempts that come and go.
    const churn = (async () => {
      for (let i = 0; reading; i += 1) {
        const taken = await takeLock(writer, ROOT, spec(10_000 + i));
        await writer.remove(standing[i]);
        if (i % 2 === 0) {
          await writer.remove(taken);
        }
        churned += 1;
      }
    })();
    let walk: LockWalkResult | undefined;
    await timeline.start({ onStanding: (read) => (walk = read) });
    const duringStart = churned;
    assert.ok(walk, 'the first read was handed over');
    current = following.walked(indexLocks(walk));
    reading = false;
    await churn;
    assert.ok(duringStart > 0, 'locks changed while the timeline started and read (else this test shows nothing)');
    const fresh = await walkLocks(session, ROOT);
    const shape = (locks: readonly HiveLock[]): string[] => locks.map((l) => `${l.path} ${l.status}`).sort();
    await until(
      () => current !== undefined && shape(current.walk.locks).join('\n') === shape(fresh.locks).join('\n'),
      () => `kept ${current?.walk.locks.length} locks, a fresh walk ${fresh.locks.length}`,
    );
  } finally {
    live.stop();
    timeline.dispose();
    session.close();
    writer.close();
  }
});
