// `hive-zk watch` against real ZooKeeper: the ready line, then registrations, locks and a query blocked
// as Hive's lock manager retries (create LOCK-EXCLUSIVE, see the older SHARED lock, delete, sleep, retry).
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ZkSession } from '../../src/core/zk/session';
import { errorCode, hiveZk } from '../support/cli';
import { hiveLockAttempt, hs2Data, mkdirp, registerHs2, takeLock } from '../support/hiveSeed';
import { startPre36Proxy } from '../support/pre36Proxy';
import { SANDBOX, startSandbox } from '../support/sandbox';
import { delay, freePort, startZooKeeper, type ZkCluster } from '../support/zkServer';

const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const LOCKS = 'hive_zookeeper_namespace';

let zk: ZkCluster;
before(async () => {
  zk = await startZooKeeper();
});
after(async () => {
  await zk.stop();
});

type Line = Record<string, unknown>;

/** Watches still running: a test that fails before it stops its own must not leave it holding this file's process open. */
const running = new Set<ChildProcess>();
afterEach(() => {
  running.forEach((child) => child.kill('SIGKILL'));
  running.clear();
});

/** A running `hive-zk watch`, its stdout read as JSON lines as they come. */
class Watching {
  readonly lines: Line[] = [];
  readonly child: ChildProcess;
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn('node', [cli, 'watch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.child);
    this.child.once('exit', () => running.delete(this.child));
    let rest = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      rest += chunk.toString('utf8');
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) {
        this.lines.push(JSON.parse(part) as Line);
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async until(check: (lines: Line[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.lines)) {
      if (Date.now() > deadline) {
        assert.fail(`timed out; lines so far:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${this.stderr}`);
      }
      await delay(25);
    }
  }

  of(type: string): Line[] {
    return this.lines.filter((l) => l.type === type);
  }
}

test('watch: ready line, standing locks not reported, a retrying EXCLUSIVE query reported blocked by the SHARED lock, shared readers never, registrations, exit 0 on SIGINT', async () => {
  const hive = new ZkSession({ connectString: zk.connectString });
  const hs2 = new ZkSession({ connectString: zk.connectString });
  try {
    const reader = await takeLock(hive, LOCKS, { db: 'sales', table: 'orders', mode: 'SHARED', queryId: 'hive_reader_1', query: 'select count(*) from orders', client: '10.1.1.1' });
    await registerHs2(hs2, 'hiveserver2', { host: 'hs2-a.example.com', port: 10000, variant: 'v3-binary' });
    const watching = new Watching(['--zk', zk.connectString, '--namespace', 'hiveserver2', '--locks', LOCKS]);
    await watching.until((lines) => lines.length > 0);
    assert.deepEqual(watching.lines[0], { type: 'ready', mode: 'persistent-recursive', watches: 2 });

    // Shared readers beside the long shared lock: granted at once, released, never blocked.
    for (let i = 0; i < 3; i += 1) {
      const spec = { db: 'sales', table: 'orders', mode: 'SHARED' as const, queryId: `hive_short_${i}`, query: 'select 1', client: '10.1.1.2' };
      const granted = await hiveLockAttempt(hive, LOCKS, spec);
      assert.ok(granted);
      await delay(100); // its query runs (removed at once, the watcher's read of its data may come too late to name it)
      await hive.remove(granted);
    }
    // The writer: attempts, each seeing the older SHARED lock, deleting its own, sleeping; at least
    // three, and more (as Hive retries) until the watch has named two blocked ones: an attempt deleted
    // before its data could be read is not counted (its query is unknown), which a busy machine allows.
    for (let i = 0; i < 10 && (i < 3 || watching.of('blocked').length < 2); i += 1) {
      const granted = await hiveLockAttempt(hive, LOCKS, { db: 'sales', table: 'orders', mode: 'EXCLUSIVE', queryId: 'hive_writer_1', query: 'insert overwrite table orders select * from staging', client: '10.1.1.3' });
      assert.equal(granted, false);
      await delay(150);
    }
    const hs2Path = await registerHs2(hs2, 'hiveserver2', { host: 'hs2-b.example.com', port: 10001, variant: 'v3-binary' });
    await hs2.remove(hs2Path);
    await watching.until((lines) => lines.filter((l) => l.type === 'instance').length >= 2 && lines.filter((l) => l.type === 'blocked').length >= 2);

    const blocked = watching.of('blocked');
    // Reported from the second counted attempt on, one event per attempt after it.
    assert.deepEqual(
      blocked.slice(0, 2).map((b) => [b.queryId, b.object, b.mode, b.attempts]),
      [
        ['hive_writer_1', 'sales.orders', 'EXCLUSIVE', 2],
        ['hive_writer_1', 'sales.orders', 'EXCLUSIVE', 3],
      ],
    );
    assert.deepEqual(blocked[1].blockedBy, { queryId: 'hive_reader_1', mode: 'SHARED', client: '10.1.1.1', path: reader });
    assert.deepEqual(Object.keys(blocked[0]).sort(), ['attempts', 'blockedBy', 'mode', 'object', 'queryId', 'time', 'type']);

    const locks = watching.of('lock');
    assert.ok(!locks.some((l) => l.path === reader), 'the standing lock is not an event');
    const writerEvents = locks.filter((l) => l.queryId === 'hive_writer_1').map((l) => l.event);
    assert.ok(writerEvents.length >= 6, writerEvents.join());
    assert.deepEqual(writerEvents, writerEvents.map((_, i) => (i % 2 === 0 ? 'created' : 'deleted')), 'each attempt: created, then deleted');
    const created = locks.find((l) => l.event === 'created' && l.queryId === 'hive_writer_1');
    assert.deepEqual(Object.keys(created ?? {}).sort(), ['client', 'event', 'mode', 'object', 'path', 'queryId', 'time', 'type']);
    const deleted = locks.find((l) => l.event === 'deleted' && l.queryId === 'hive_writer_1');
    assert.equal(typeof deleted?.heldMs, 'number');
    assert.ok(!Number.isNaN(Date.parse(String(deleted?.time))), 'an ISO-8601 time');
    assert.equal(locks.filter((l) => String(l.queryId).startsWith('hive_short_')).length, 6, 'each shared reader: created and deleted');

    assert.deepEqual(
      watching.of('instance').map((i) => [i.event, i.namespace, i.host, i.port]),
      [
        ['registered', 'hiveserver2', 'hs2-b.example.com', 10001],
        ['deregistered', 'hiveserver2', 'hs2-b.example.com', 10001],
      ],
    );
    assert.equal(watching.of('instance')[0].znode, hs2Path.slice(hs2Path.lastIndexOf('/') + 1));

    watching.child.kill('SIGINT');
    assert.equal(await watching.exited, 0);
  } finally {
    hive.close();
    hs2.close();
  }
});

test('watch --for: exits 0 by itself; a blocker older than the watch is still named', async () => {
  const hive = new ZkSession({ connectString: zk.connectString });
  try {
    const writer = await takeLock(hive, LOCKS, { db: 'hr', table: 'staff', mode: 'EXCLUSIVE', queryId: 'hive_long_writer', query: 'insert into staff values (1)' });
    const watching = new Watching(['--zk', zk.connectString, '--locks', LOCKS, '--for', '8']);
    await watching.until((lines) => lines.length > 0);
    // As Hive's reader does, it tries until the timeline has seen two attempts by their data: an
    // attempt deleted before its data could be read is not counted (its query is unknown).
    for (let i = 0; i < 10 && watching.of('blocked').length === 0; i += 1) {
      assert.equal(await hiveLockAttempt(hive, LOCKS, { db: 'hr', table: 'staff', mode: 'SHARED', queryId: 'hive_blocked_reader', query: 'select * from staff' }), false);
      await delay(100);
    }
    await watching.until((lines) => lines.some((l) => l.type === 'blocked'));
    assert.equal((watching.of('blocked')[0].blockedBy as { path: string }).path, writer);
    assert.equal(await watching.exited, 0);
    await hive.remove(writer);
  } finally {
    hive.close();
  }
});

test('watch on a server before 3.6: per-node child watches, said in the ready line; locks and registrations still reported', async () => {
  const proxy = await startPre36Proxy(zk.port);
  const hive = new ZkSession({ connectString: zk.connectString });
  try {
    await mkdirp(hive, `/${LOCKS}/web/visits`);
    await mkdirp(hive, '/hs2old');
    const watching = new Watching(['--zk', `127.0.0.1:${proxy.port}`, '--namespace', 'hs2old', '--locks', LOCKS]);
    await watching.until((lines) => lines.length > 0);
    const ready = watching.lines[0];
    assert.equal(ready.mode, 'per-node');
    assert.ok(Number(ready.watches) >= 4, `a watch per znode: ${JSON.stringify(ready)}`);
    const lock = await takeLock(hive, LOCKS, { db: 'web', table: 'visits', mode: 'SHARED', queryId: 'hive_old_1', query: 'select 1' });
    await watching.until((lines) => lines.some((l) => l.type === 'lock' && l.event === 'created'));
    await hive.remove(lock);
    await hive.create('/hs2old/serverUri=old.example.com:10000;version=2.3.9;sequence=0000000001', Buffer.from(hs2Data({ host: 'old.example.com', port: 10000, variant: 'v2-binary' })), 'ephemeral');
    await watching.until((lines) => lines.some((l) => l.type === 'lock' && l.event === 'deleted') && lines.some((l) => l.type === 'instance'));
    const created = watching.of('lock')[0];
    assert.equal(created.queryId, 'hive_old_1');
    assert.equal(created.object, 'web.visits');
    assert.deepEqual(
      watching.of('instance').map((i) => [i.event, i.host, i.port]),
      [['registered', 'old.example.com', 10000]],
    );
    watching.child.kill('SIGINT');
    assert.equal(await watching.exited, 0);
  } finally {
    hive.close();
    await proxy.close();
  }
});

test('watch: a connect failure is the usual JSON error (as instances gives it), exit 1; bad flags exit 2', async () => {
  const port = await freePort();
  const failed = await hiveZk({}, 'watch', '--zk', `127.0.0.1:${port}`, '--timeout', '1000');
  const instances = await hiveZk({}, 'instances', '--zk', `127.0.0.1:${port}`, '--timeout', '1000');
  assert.equal(failed.code, 1);
  assert.equal(errorCode(failed), errorCode(instances));
  assert.equal(errorCode(failed), 'ZK_UNREACHABLE');
  assert.equal((await hiveZk({}, 'watch', '--zk', zk.connectString, '--for', '0')).code, 2);
  assert.equal((await hiveZk({}, 'watch', '--zk', zk.connectString, '--locks', 'a', '--locks', 'b')).code, 2, 'only --namespace may repeat');
});

test('watch: SIGINT while still connecting (a server that accepts and never answers) ends it at once with exit 0 and no output', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as AddressInfo).port;
  try {
    let connected = false;
    silent.once('connection', () => (connected = true));
    const watching = new Watching(['--zk', `127.0.0.1:${port}`, '--timeout', '30000']);
    const deadline = Date.now() + 10_000;
    while (!connected && Date.now() < deadline) {
      await delay(25);
    }
    assert.ok(connected, 'the watch reached the silent server');
    watching.child.kill('SIGINT');
    assert.equal(await watching.exited, 0, 'SIGINT during connect exits 0 (it was killed by the signal before)');
    assert.deepEqual(watching.lines, []);
  } finally {
    silent.close();
  }
});

test('watch: several namespaces, one persistent recursive watch each', async () => {
  const watching = new Watching(['--zk', zk.connectString, '--namespace', 'ns_one', '--namespace', 'ns_two', '--locks', LOCKS, '--for', '1']);
  await watching.until((lines) => lines.length > 0);
  assert.deepEqual(watching.lines[0], { type: 'ready', mode: 'persistent-recursive', watches: 3 });
  assert.equal(await watching.exited, 0);
});

test('the live sandbox (the demo): hive-zk watch shows its query blocked behind the long SHARED lock within a few retries', async () => {
  const sandbox = await startSandbox({ live: true });
  try {
    const watching = new Watching(['--zk', sandbox.connectString, '--namespace', SANDBOX.hs2Namespace, '--locks', SANDBOX.lockNamespace, '--for', '30']);
    await watching.until((lines) => lines.some((l) => l.type === 'blocked'), 20_000);
    const blocked = watching.of('blocked')[0];
    assert.equal(blocked.queryId, SANDBOX.blockedQueryId);
    assert.equal(blocked.object, 'sales.orders');
    assert.equal((blocked.blockedBy as { queryId: string; mode: string }).queryId, 'hive_20261125093000_a1b2c3');
    assert.equal((blocked.blockedBy as { mode: string }).mode, 'SHARED');
    watching.child.kill('SIGINT');
    assert.equal(await watching.exited, 0);
  } finally {
    await sandbox.stop();
  }
});
