// The session's socket hook on a real ZooKeeper: our own sockets, socket errors reported, and a
// handshake of raw frames held between the ConnectResponse and the first request (TLS/SASL build on it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { HiveZkError } from '../../src/core/errors';
import { ZkSession, type HandshakeChannel, type SessionState, type ZkTransport } from '../../src/core/zk/session';
import { juteString, replyHeader, requestFrame, OPCODES } from '../../src/core/zk/wire';
import { delay, freePort, startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let ensemble: ZkCluster;
before(async () => {
  [zk, ensemble] = await Promise.all([startZooKeeper(), startZooKeeper({ size: 3 })]);
});
after(async () => {
  await Promise.all([zk.stop(), ensemble.stop()]);
});

/** An exists("/") request as raw frames: what a SASL exchange does with opcode 102. */
async function rawExists(channel: HandshakeChannel, xid: number): Promise<{ xid: number; err: number }> {
  const reply = await channel.exchange(requestFrame(xid, OPCODES.exists, Buffer.concat([juteString('/'), Buffer.from([0])])));
  return replyHeader(reply);
}

function countingTransport(extra: Partial<ZkTransport> = {}): ZkTransport & { sockets: number } {
  const transport = {
    sockets: 0,
    createSocket(server: { host: string; port: number }): net.Socket {
      transport.sockets += 1;
      return net.connect(server);
    },
    ...extra,
  };
  return transport;
}

test('the session makes its own sockets through the transport', async () => {
  const transport = countingTransport();
  const session = new ZkSession({ connectString: zk.connectString, transport });
  try {
    const { children } = await session.getChildren('/');
    assert.ok(children.includes('zookeeper'));
    assert.equal(transport.sockets, 1);
  } finally {
    session.close();
  }
});

test('a refused connect says why, not only that it timed out', async () => {
  const port = await freePort();
  const session = new ZkSession({ connectString: `127.0.0.1:${port}`, connectTimeoutMs: 600 });
  await assert.rejects(session.open(), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_UNREACHABLE' && /ECONNREFUSED/.test(e.message));
  session.close();
  const described = new ZkSession({
    connectString: `127.0.0.1:${port}`,
    connectTimeoutMs: 600,
    transport: { describeError: (error) => new HiveZkError('ZK_ERROR', `transport says: ${(error as NodeJS.ErrnoException).code}`) },
  });
  await assert.rejects(described.open(), (e: unknown) => e instanceof HiveZkError && e.message === 'transport says: ECONNREFUSED');
  described.close();
});

test('a handshake exchanges raw frames before the library sends anything, then the session works', async () => {
  const order: string[] = [];
  const transport = countingTransport({
    async handshake(channel) {
      order.push('handshake');
      assert.deepEqual(await rawExists(channel, 1_000_001), { xid: 1_000_001, err: 0 });
      assert.deepEqual(await rawExists(channel, 1_000_002), { xid: 1_000_002, err: 0 });
      order.push('handshake done');
    },
  });
  const session = new ZkSession({ connectString: zk.connectString, transport });
  session.onDidChangeState((c) => order.push(c.state));
  try {
    await session.getChildren('/');
    assert.deepEqual(order, ['connecting', 'handshake', 'handshake done', 'connected']);
  } finally {
    session.close();
  }
});

test('a failed handshake fails the session with its own error and does not reconnect', async () => {
  const transport = countingTransport({
    async handshake(channel) {
      await rawExists(channel, 7);
      throw new HiveZkError('ZK_AUTH_FAILED', 'the server refused our SASL token');
    },
  });
  const session = new ZkSession({ connectString: zk.connectString, transport, connectTimeoutMs: 3000 });
  const states: SessionState[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  const started = Date.now();
  await assert.rejects(session.getChildren('/'), (e: unknown) => e instanceof HiveZkError && e.message === 'the server refused our SASL token');
  assert.ok(Date.now() - started < 2000, 'failed at once, not at the connect timeout');
  await delay(500);
  assert.equal(transport.sockets, 1, 'no reconnect loop');
  assert.deepEqual(states, ['connecting', 'authFailed']);
  session.close();
});

test('a verdict reached after the server closed the connection still fails the session, without a loop', async () => {
  const transport = countingTransport({
    async handshake(channel) {
      // The connection drops mid-exchange, as a server drops it after a failed SASL step (-124).
      const pending = channel.exchange(requestFrame(1, OPCODES.exists, Buffer.concat([juteString('/'), Buffer.from([0])])));
      channel.socket.destroy();
      await assert.rejects(pending, /closed during the handshake/);
      await delay(50); // the library is already reconnecting
      throw new HiveZkError('ZK_AUTH_FAILED', 'verdict after the close');
    },
  });
  const session = new ZkSession({ connectString: zk.connectString, transport, connectTimeoutMs: 3000 });
  await assert.rejects(session.open(), (e: unknown) => e instanceof HiveZkError && e.message === 'verdict after the close');
  const sockets = transport.sockets;
  await delay(500);
  // Each attempt's handshake breaks its own connection, so a few may start before the first verdict lands; then none.
  assert.equal(transport.sockets, sockets, 'no reconnect loop');
  session.close();
});

test('a handshake failing without a verdict drops only that connection: retried until the connect timeout, which names it', async () => {
  const transport = countingTransport({
    handshake: () => Promise.reject(new Error('token service unavailable')),
  });
  const session = new ZkSession({ connectString: zk.connectString, transport, connectTimeoutMs: 1500 });
  await assert.rejects(session.open(), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_UNREACHABLE' && /token service unavailable/.test(e.message));
  assert.ok(transport.sockets >= 2, `retried: ${transport.sockets} sockets`);
  session.close();
});

test('a handshake that never finishes ends in the connect timeout', async () => {
  const transport = countingTransport({ handshake: () => new Promise<void>(() => undefined) });
  const session = new ZkSession({ connectString: zk.connectString, transport, connectTimeoutMs: 800 });
  await assert.rejects(session.open(), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_UNREACHABLE');
  session.close();
});

test('the handshake is redone on every new connection: failover keeps the session', async () => {
  const handshakes: number[] = [];
  const transport = countingTransport({
    async handshake(channel) {
      handshakes.push(channel.server.port);
      assert.equal((await rawExists(channel, 42)).err, 0);
    },
  });
  const session = new ZkSession({ connectString: ensemble.connectString, transport, sessionTimeoutMs: 10_000, requestTimeoutMs: 5000 });
  try {
    await session.open();
    const sessionId = session.sessionId;
    const victim = await ensemble.serverHoldingSession(sessionId ?? '');
    assert.ok(victim);
    await victim.stop(true);
    let children: string[] = [];
    for (let attempt = 0; attempt < 50 && children.length === 0; attempt += 1) {
      children = await session.getChildren('/').then((r) => r.children, () => []);
      if (children.length === 0) {
        await delay(100);
      }
    }
    assert.ok(children.includes('zookeeper'));
    assert.equal(session.sessionId, sessionId, 'same session after failover');
    assert.ok(handshakes.length >= 2, `handshakes: ${handshakes.join()}`);
    assert.notEqual(handshakes.at(-1), victim.clientPort);
    victim.start();
    await victim.waitServing();
  } finally {
    session.close();
  }
});
