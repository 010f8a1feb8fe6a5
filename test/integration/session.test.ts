// The shared session against a real ZooKeeper: one connection for everything, timeouts,
// single-flight connect, auth and ACLs, expiry and a frozen server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { HiveZkError } from '../../src/core/errors';
import { ZkSession, type SessionState } from '../../src/core/zk/session';
import { mkdirp } from '../support/hiveSeed';
import { countSessionConnections, delay, freePort, startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
before(async () => {
  zk = await startZooKeeper();
});
after(async () => {
  await zk.stop();
});

const isCode = (code: string) => (error: unknown) => error instanceof HiveZkError && error.code === code;

test('1,000 concurrent operations leave exactly one client connection on the server', async () => {
  const session = new ZkSession({ connectString: zk.connectString, maxInFlight: 64 });
  const writer = new ZkSession({ connectString: zk.connectString });
  try {
    await mkdirp(writer, '/load');
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.create(`/load/n${i}`, Buffer.from(`v${i}`))));
    writer.close();
    await delay(200);
    assert.equal(await countSessionConnections(zk.port), 0, 'writer gone before the measurement');
    const ops = Array.from({ length: 1000 }, (_, i) => {
      const path = `/load/n${i % 50}`;
      return i % 3 === 0 ? session.getChildren('/load') : i % 3 === 1 ? session.getData(path) : session.exists(path);
    });
    const results = await Promise.all(ops);
    assert.equal(results.length, 1000);
    assert.equal(await countSessionConnections(zk.port), 1);
    assert.equal(session.requestCount, 1000);
  } finally {
    session.close();
    writer.close();
  }
});

test('concurrent first calls share one connect attempt', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  const states: SessionState[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  try {
    await Promise.all([session.open(), session.exists('/'), session.getChildren('/'), session.open()]);
    assert.equal(session.generation, 1);
    assert.deepEqual(states, ['connecting', 'connected']);
    assert.equal(await countSessionConnections(zk.port), 1);
  } finally {
    session.close();
  }
});

test('reads: children, data with stat, exists, ACL', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  try {
    await mkdirp(session, '/reads/a');
    await session.create('/reads/b', Buffer.from('hello'), 'ephemeral');
    const { children, stat } = await session.getChildren('/reads');
    assert.deepEqual(children.sort(), ['a', 'b']);
    assert.equal(stat.numChildren, 2);
    const data = await session.getData('/reads/b');
    assert.equal(data.data.toString(), 'hello');
    assert.equal(data.stat.dataLength, 5);
    assert.notEqual(data.stat.ephemeralOwner, '0');
    assert.ok(Math.abs(data.stat.ctime - Date.now()) < 60_000, 'ctime is epoch ms');
    assert.equal(await session.exists('/reads/missing'), undefined);
    assert.deepEqual((await session.getAcl('/reads/a')).acls, [{ scheme: 'world', id: 'anyone', permissions: 'rwcda' }]);
    await assert.rejects(session.getData('/reads/missing'), isCode('ZK_NO_NODE'));
    await assert.rejects(session.getData('bad path'), isCode('BAD_ARGUMENT'));
  } finally {
    session.close();
  }
});

test('a watch fires when a child appears', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  const other = new ZkSession({ connectString: zk.connectString });
  try {
    await mkdirp(session, '/watched');
    const fired = new Promise<string>((resolve) => {
      void session.getChildren('/watched', (event) => resolve(`${event.type} ${event.path}`));
    });
    await delay(50);
    await other.create('/watched/x', Buffer.alloc(0), 'ephemeral');
    assert.equal(await fired, 'childrenChanged /watched');
  } finally {
    session.close();
    other.close();
  }
});

test('digest auth: protected nodes are NO_AUTH without it, readable with it; exists still works', async () => {
  const owner = new ZkSession({ connectString: zk.connectString, digest: 'hive:s3cret' });
  const anonymous = new ZkSession({ connectString: zk.connectString });
  const wrong = new ZkSession({ connectString: zk.connectString, digest: 'hive:wrong' });
  try {
    await owner.create('/secret', Buffer.from('classified'), 'persistent', 'creatorOnly');
    await assert.rejects(anonymous.getData('/secret'), (e: unknown) => isCode('ZK_NO_AUTH')(e) && /Not authorized to read \/secret/.test((e as Error).message));
    await assert.rejects(wrong.getData('/secret'), isCode('ZK_NO_AUTH'));
    assert.ok(await anonymous.exists('/secret'));
    assert.equal((await owner.getData('/secret')).data.toString(), 'classified');
    await owner.remove('/secret');
  } finally {
    owner.close();
    anonymous.close();
    wrong.close();
  }
});

test('a refused port fails after one round over all servers, not after the connect timeout, and leaves nothing retrying', { timeout: 20_000 }, async () => {
  // Nothing listens on these loopback ports: each refuses at once. The connect timeout is far past
  // the test's own, so waiting it out (what a refusal did before) fails the test.
  const ports = [await freePort(), await freePort()];
  const session = new ZkSession({ connectString: ports.map((p) => `127.0.0.1:${p}`).join(','), connectTimeoutMs: 120_000 });
  try {
    await assert.rejects(session.getChildren('/'), (error: unknown) => isCode('ZK_UNREACHABLE')(error) && /Every server of .* refused the connection/.test((error as Error).message));
    assert.equal(session.state, 'error');
    // A second call tries again (fresh attempt), and also fails after one round.
    await assert.rejects(session.exists('/'), isCode('ZK_UNREACHABLE'));
  } finally {
    session.close();
  }
});

test('a port that accepts and never answers fails within the connect timeout', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const session = new ZkSession({ connectString: `127.0.0.1:${port}`, connectTimeoutMs: 1000 });
  try {
    await assert.rejects(session.getData('/x'), isCode('ZK_UNREACHABLE'));
  } finally {
    session.close();
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
});

test('close() is idempotent and fails later calls clearly', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  await session.open();
  session.close();
  session.close();
  assert.equal(session.state, 'closed');
  await assert.rejects(session.exists('/'), isCode('ZK_CLOSED'));
  await delay(200);
  assert.equal(await countSessionConnections(zk.port), 0);
});

test('a frozen server: the request times out, then a fresh connection serves the next call', async () => {
  const frozen = await startZooKeeper();
  const session = new ZkSession({ connectString: frozen.connectString, requestTimeoutMs: 1000, connectTimeoutMs: 1500, sessionTimeoutMs: 6000 });
  try {
    await session.open();
    const server = frozen.servers[0];
    server.freeze();
    const started = Date.now();
    await assert.rejects(session.getChildren('/'), isCode('ZK_TIMEOUT'));
    assert.ok(Date.now() - started < 3000);
    server.thaw();
    await frozen.servers[0].waitServing();
    const { children } = await session.getChildren('/');
    assert.ok(children.includes('zookeeper'));
    assert.equal(session.generation, 2, 'the stuck client was replaced');
  } finally {
    frozen.servers[0].thaw();
    session.close();
    await frozen.stop();
  }
});

test('session expiry: ensemble down past the session timeout, then back: a new session on next use', async () => {
  const cluster = await startZooKeeper({ tickTime: 500 });
  const session = new ZkSession({ connectString: cluster.connectString, sessionTimeoutMs: 2000, connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
  const states: SessionState[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  try {
    await session.open();
    const firstId = session.sessionId;
    await cluster.servers[0].stop();
    await delay(3000);
    assert.ok(states.includes('reconnecting'), states.join());
    assert.ok(states.includes('expired'), states.join());
    cluster.servers[0].start();
    await cluster.servers[0].waitServing();
    await session.getChildren('/');
    assert.equal(session.state, 'connected');
    assert.notEqual(session.sessionId, firstId);
    assert.equal(await countSessionConnections(cluster.port), 1);
  } finally {
    session.close();
    await cluster.stop();
  }
});

test('a SASL-only ensemble: a clear "requires SASL" error, no crash, no reconnect loop', async () => {
  const sasl = await startZooKeeper({ requireSasl: true });
  const session = new ZkSession({ connectString: sasl.connectString, connectTimeoutMs: 3000, requestTimeoutMs: 3000 });
  const states: SessionState[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  try {
    await assert.rejects(session.getChildren('/'), (e: unknown) => isCode('ZK_SASL_REQUIRED')(e) && /requires SASL/.test((e as Error).message));
    assert.equal(session.state, 'authFailed');
    await delay(1500);
    assert.equal(await countSessionConnections(sasl.port), 0, 'the client gave up instead of reconnecting');
    assert.deepEqual(states.filter((s) => s === 'connecting').length, 1);
  } finally {
    session.close();
    await sasl.stop();
  }
});

test('after a connect timeout nothing keeps retrying: no new connection attempts, little CPU', async () => {
  let accepted = 0;
  let closed = 0;
  const sockets: Socket[] = [];
  const silent: Server = createServer((socket) => {
    accepted += 1;
    sockets.push(socket);
    socket.on('close', () => (closed += 1));
    socket.resume(); // read (and drop) what the client sends, so its close is seen
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const session = new ZkSession({ connectString: `127.0.0.1:${port}`, connectTimeoutMs: 700 });
  try {
    await assert.rejects(session.exists('/'), isCode('ZK_UNREACHABLE'));
    const attempts = accepted;
    const cpuBefore = process.cpuUsage();
    await delay(2000);
    const cpu = process.cpuUsage(cpuBefore);
    assert.equal(accepted, attempts, 'no connection attempt after giving up');
    assert.ok(cpu.user + cpu.system < 200_000, `idle after giving up (${(cpu.user + cpu.system) / 1000} ms CPU in 2 s)`);
    assert.equal(closed, accepted, 'the client closed every socket it opened');
  } finally {
    session.close();
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
});

test('close() while the first connect is in flight cancels it: no late "connected", no server session left', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  const states: SessionState[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  const opening = session.open();
  session.close();
  await assert.rejects(opening, isCode('ZK_CLOSED'));
  await delay(1000);
  assert.equal(session.state, 'closed');
  assert.deepEqual(states, ['connecting', 'closed']);
  assert.equal(await countSessionConnections(zk.port), 0, 'the connecting client was shut down');
  await assert.rejects(session.exists('/'), isCode('ZK_CLOSED'));
});
