// Failover on a real 3-server ensemble on loopback: kill the server the session uses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkSession, type SessionState } from '../../src/core/zk/session';
import { registerHs2 } from '../support/hiveSeed';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let ensemble: ZkCluster;
before(async () => {
  ensemble = await startZooKeeper({ size: 3 });
});
after(async () => {
  await ensemble.stop();
});

test('killing the connected server: in-flight calls fail retryably or succeed, the next call succeeds within 5 s, one connection', async () => {
  const seeder = new ZkSession({ connectString: ensemble.connectString });
  const session = new ZkSession({ connectString: ensemble.connectString, sessionTimeoutMs: 10_000, requestTimeoutMs: 5000 });
  const states: SessionState[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  try {
    for (let i = 0; i < 3; i += 1) {
      await registerHs2(seeder, 'hiveserver2', { host: `hs2-${i}.example.com`, port: 10000, variant: 'v3-binary' });
    }
    await session.open();
    const victim = await ensemble.serverHoldingSession(session.sessionId ?? '');
    assert.ok(victim, 'found the server holding the session');
    const inFlight = Array.from({ length: 200 }, () => session.getChildren('/hiveserver2').then(
      () => 'ok',
      (error: { retryable?: boolean; code?: string }) => (error.retryable ? 'retryable' : `fatal ${error.code}`),
    ));
    await victim.stop(true);
    const outcomes = await Promise.all(inFlight);
    assert.ok(outcomes.every((o) => o === 'ok' || o === 'retryable'), [...new Set(outcomes)].join());
    const started = Date.now();
    const listing = await listInstances(session, 'hiveserver2');
    assert.ok(Date.now() - started < 5000, `recovered in ${Date.now() - started} ms`);
    assert.equal(listing.instances.length, 3, 'ephemeral registrations of the other session survived');
    assert.ok(states.includes('reconnecting'), states.join());
    assert.equal(states.at(-1), 'connected');
    seeder.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await ensemble.countSessionConnections(), 1, 'still one connection across the ensemble');
    victim.start();
    await victim.waitServing();
  } finally {
    session.close();
    seeder.close();
  }
});

test('the whole ensemble down past the session timeout, then back: a new session on next use, still one connection', async () => {
  const session = new ZkSession({ connectString: ensemble.connectString, sessionTimeoutMs: 4000, connectTimeoutMs: 15_000, requestTimeoutMs: 15_000 });
  const states: SessionState[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  try {
    await session.open();
    const firstId = session.sessionId;
    await Promise.all(ensemble.servers.map((s) => s.stop(true)));
    await new Promise((r) => setTimeout(r, 5000));
    assert.ok(states.includes('expired'), `expired after the session timeout: ${states.join()}`);
    ensemble.servers.forEach((s) => s.start());
    await Promise.all(ensemble.servers.map((s) => s.waitServing()));
    const { children } = await session.getChildren('/');
    assert.ok(children.includes('zookeeper'));
    assert.notEqual(session.sessionId, firstId, 'a new session');
    assert.equal(session.state, 'connected');
    assert.equal(await ensemble.countSessionConnections(), 1);
  } finally {
    session.close();
  }
});
