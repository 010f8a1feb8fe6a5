// Ensemble health and owners on real 3-server ensembles: four-letter words whitelisted or not, the
// AdminServer on or off, clients connecting from 127.0.0.2 / 127.0.0.3, and locks held by real sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { groupLocksByOwner, ownerOf } from '../../src/core/health/owners';
import { normalizeSessionId } from '../../src/core/health/healthReplies';
import { collectEnsembleHealth, type EnsembleHealth } from '../../src/core/health/serverHealth';
import { ZkSession } from '../../src/core/zk/session';
import { registerHs2, takeLock } from '../support/hiveSeed';
import { openRawConnections, startSourceProxy } from '../support/sourceProxy';
import { delay, freePort, startZooKeeper, type ZkServer } from '../support/zkServer';

const target = (server: ZkServer): { host: string; port: number } => ({ host: '127.0.0.1', port: server.clientPort });
const byServer = (health: EnsembleHealth, server: ZkServer) => health.servers.find((s) => s.port === server.clientPort);
const LOCKS = 'hive_zookeeper_namespace';

test('words whitelisted (AdminServer on but not needed): every server\'s facts, connections from 127.0.0.2/127.0.0.3 grouped against maxClientCnxns', async () => {
  const zk = await startZooKeeper({ size: 3, adminServer: true, maxClientCnxns: 10 });
  const [s1, s2, s3] = zk.servers as [ZkServer, ZkServer, ZkServer];
  const raw = [...(await openRawConnections(target(s1), '127.0.0.2', 8)), ...(await openRawConnections(target(s2), '127.0.0.2', 2)), ...(await openRawConnections(target(s3), '127.0.0.3', 3))];
  try {
    await delay(200);
    // The AdminServer's port is never asked for here (the words answer): a free port, never 8080.
    const health = await collectEnsembleHealth(zk.connectString, { adminPort: await freePort() });
    assert.deepEqual(health.servers.map((s) => s.mode).sort(), ['follower', 'follower', 'leader']);
    for (const server of health.servers) {
      assert.equal(server.reachable, true);
      assert.equal(server.version?.text, '3.8.0');
      assert.equal(server.version?.batchedReads, true);
      assert.equal(server.maxClientCnxns, 10);
      assert.deepEqual(server.sources, { srvr: 'fourLetterWord', mntr: 'fourLetterWord', cons: 'fourLetterWord', conf: 'fourLetterWord' });
      assert.deepEqual(server.missing, []);
      assert.equal(server.outstanding, 0);
      assert.ok((server.znodeCount ?? 0) >= 4 && server.watchCount !== undefined && server.latency !== undefined, JSON.stringify(server));
    }
    assert.equal(byServer(health, s1)?.connectionCount, 8, 'our own probe is not counted');
    assert.deepEqual(health.hints, []);
    const summary = health.clients.map((c) => [c.address, c.total, c.warn, c.perServer.map((p) => `${p.server === byServer(health, s1)?.server ? 's1' : p.server === byServer(health, s2)?.server ? 's2' : 's3'}=${p.count}/${p.limit ?? '?'}${p.warn ? '!' : ''}`).sort()]);
    assert.deepEqual(summary, [
      ['127.0.0.2', 10, true, ['s1=8/10!', 's2=2/10']],
      ['127.0.0.3', 3, false, ['s3=3/10']],
    ], 'our probes from 127.0.0.1 are left out; 8 of 10 warns');
    assert.equal(health.sessionsComplete, true);
  } finally {
    raw.forEach((s) => s.destroy());
    await zk.stop();
  }
});

test('owners on the whitelisted ensemble: each lock and registration to its session and client address; locks off HiveServer2 hosts flagged; the CLI', async () => {
  const zk = await startZooKeeper({ size: 3 });
  const [s1, s2] = zk.servers as [ZkServer, ZkServer, ZkServer];
  const hs2Proxy = await startSourceProxy(target(s1), '127.0.0.2');
  const strayProxy = await startSourceProxy(target(s2), '127.0.0.3');
  const hs2 = new ZkSession({ connectString: `127.0.0.1:${hs2Proxy.port}` });
  const stray = new ZkSession({ connectString: `127.0.0.1:${strayProxy.port}`, sessionTimeoutMs: 30_000 });
  const reader = new ZkSession({ connectString: zk.connectString });
  try {
    await registerHs2(hs2, 'hiveserver2', { host: 'hs2-a.example.com', port: 10000, variant: 'v3-binary' });
    for (const table of ['orders', 'items']) {
      await takeLock(hs2, LOCKS, { db: 'sales', table, mode: 'SHARED', queryId: 'q1', query: 'select 1', lockTime: Date.now() - 2 * 3_600_000 });
    }
    for (const table of ['a', 'b', 'c']) {
      await takeLock(stray, LOCKS, { db: 'tmp', table, mode: 'EXCLUSIVE', queryId: 'q2', query: 'insert', lockTime: Date.now() - 60_000 });
    }
    await takeLock(stray, LOCKS, { db: 'tmp', table: 'held', mode: 'EXCLUSIVE', queryId: 'q3', query: 'LOCK TABLE held EXCLUSIVE', explicit: true });
    const hs2Id = normalizeSessionId(hs2.sessionId);
    const strayId = normalizeSessionId(stray.sessionId);

    const health = await collectEnsembleHealth(zk.connectString, { adminPort: await freePort() });
    const listing = await listInstances(reader, 'hiveserver2');
    const walk = await walkLocks(reader, LOCKS);
    assert.deepEqual(ownerOf(listing.instances[0]?.ephemeralOwner, health.sessions), { sessionId: hs2Id, clientAddress: '127.0.0.2', server: `127.0.0.1:${s1.clientPort}` });
    const report = groupLocksByOwner(walk.locks, listing.instances, health.sessions, { sessionsComplete: health.sessionsComplete });
    assert.equal(report.persistentLocks, 1);
    assert.deepEqual(report.hiveServer2Hosts, ['127.0.0.2', 'hs2-a.example.com']);
    assert.deepEqual(
      report.groups.map((g) => [g.owner.sessionId, g.owner.clientAddress, g.count, g.onHiveServer2Host, g.problem ?? null]),
      [
        [strayId, '127.0.0.3', 3, false, 'held from 127.0.0.3, where no live HiveServer2 is registered'],
        [hs2Id, '127.0.0.2', 2, true, null],
      ],
    );
    assert.match(report.groups[1]?.summary ?? '', new RegExp(`^session 0x${hs2Id ?? ''} on 127\\.0\\.0\\.2 holds 2 locks, the oldest 2 h$`));

    // The CLI prints the same owners, and the health command ties it together.
    const run = promisify(execFile);
    const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
    const noAdmin = String(await freePort());
    const locks = JSON.parse((await run('node', [cli, 'locks', '--zk', zk.connectString, '--db', 'tmp', '--admin-port', noAdmin])).stdout) as { locks: { path: string; owner: unknown }[] };
    assert.deepEqual(locks.locks.map((l) => l.owner), [{ session: `0x${strayId ?? ''}`, client: '127.0.0.3' }, { session: `0x${strayId ?? ''}`, client: '127.0.0.3' }, { session: `0x${strayId ?? ''}`, client: '127.0.0.3' }, null]);
    const instances = JSON.parse((await run('node', [cli, 'instances', '--zk', zk.connectString, '--admin-port', noAdmin])).stdout) as { instances: { owner: unknown }[] };
    assert.deepEqual(instances.instances.map((i) => i.owner), [{ session: `0x${hs2Id ?? ''}`, client: '127.0.0.2' }]);
    const cliHealth = JSON.parse((await run('node', [cli, 'health', '--zk', zk.connectString, '--admin-port', noAdmin])).stdout) as {
      servers: { mode: string; version: string; batchedReads: boolean }[];
      clients: { address: string; sessions: string[] }[];
      hints: string[];
      registry: { lockOwners: { summary: string; problem: string | null }[] };
    };
    assert.deepEqual(cliHealth.servers.map((s) => `${s.mode} ${s.version} ${s.batchedReads}`).sort(), ['follower 3.8.0 true', 'follower 3.8.0 true', 'leader 3.8.0 true']);
    assert.deepEqual(cliHealth.clients.find((c) => c.address === '127.0.0.3')?.sessions, [`0x${strayId ?? ''}`]);
    assert.deepEqual(cliHealth.hints, []);
    assert.deepEqual(cliHealth.registry.lockOwners.map((o) => o.problem), ['held from 127.0.0.3, where no live HiveServer2 is registered', null]);

    // The stray client vanishes without closing its session: its locks stay, owned by a session connected nowhere.
    await strayProxy.close();
    await delay(300);
    const after = await collectEnsembleHealth(zk.connectString, { adminPort: await freePort() });
    const orphaned = groupLocksByOwner((await walkLocks(reader, LOCKS)).locks, listing.instances, after.sessions, { sessionsComplete: after.sessionsComplete });
    assert.equal(orphaned.groups.find((g) => g.owner.sessionId === strayId)?.problem, `session 0x${strayId ?? ''} is connected to no server: its client is gone, and the locks stay until the session expires`);
  } finally {
    stray.close();
    hs2.close();
    reader.close();
    await hs2Proxy.close();
    await strayProxy.close();
    await zk.stop();
  }
});

test('words not whitelisted, AdminServer on: srvr by word (always allowed), mntr/cons/conf from the AdminServer, session ids exact', async () => {
  const zk = await startZooKeeper({ size: 3, fourLetterWords: 'ruok', adminServer: true });
  const [s1] = zk.servers as [ZkServer, ZkServer, ZkServer];
  const proxy = await startSourceProxy(target(s1), '127.0.0.2');
  const client = new ZkSession({ connectString: `127.0.0.1:${proxy.port}` });
  try {
    await client.create('/owned', Buffer.alloc(0), 'ephemeral');
    const owner = (await client.exists('/owned'))?.ephemeralOwner;
    const raw = await openRawConnections(target(s1), '127.0.0.3', 2);
    await delay(200);
    // Each server has its own AdminServer port; the option names one, so ask server by server.
    // Jetty answers its first request slowly on a busy machine: a generous timeout here.
    const health = await Promise.all(zk.servers.map((s) => collectEnsembleHealth(`127.0.0.1:${s.clientPort}`, { adminPort: s.adminPort ?? 0, timeoutMs: 15_000 })));
    raw.forEach((s) => s.destroy());
    for (const part of health) {
      const [server] = part.servers;
      assert.deepEqual(server?.sources, { srvr: 'fourLetterWord', mntr: 'adminServer', cons: 'adminServer', conf: 'adminServer' });
      assert.deepEqual(server?.missing, []);
      assert.equal(server?.maxClientCnxns, 0);
      assert.ok(server?.watchCount !== undefined && server.version?.batchedReads === true);
      assert.deepEqual(part.hints, []);
    }
    const first = health[0];
    assert.ok(first);
    assert.equal(owner, normalizeSessionId(client.sessionId));
    assert.deepEqual(ownerOf(owner, first.sessions), { sessionId: owner, clientAddress: '127.0.0.2', server: `127.0.0.1:${s1.clientPort}` }, 'the 64-bit id from JSON matches ephemeralOwner exactly');
    assert.deepEqual(first.clients.map((c) => [c.address, c.total]), [['127.0.0.3', 2], ['127.0.0.2', 1]]);
  } finally {
    client.close();
    await proxy.close();
    await zk.stop();
  }
});

test('words not whitelisted, AdminServer off: what srvr tells, and exactly which setting to enable', async () => {
  const zk = await startZooKeeper({ size: 3, fourLetterWords: 'ruok' });
  const client = new ZkSession({ connectString: zk.connectString });
  try {
    await client.create('/owned', Buffer.alloc(0), 'ephemeral');
    const adminPort = await freePort(); // nothing listens there, as on a server with admin.enableServer=false
    const health = await collectEnsembleHealth(zk.connectString, { adminPort });
    assert.deepEqual(health.servers.map((s) => s.mode).sort(), ['follower', 'follower', 'leader'], 'srvr is always whitelisted (3.5+)');
    for (const server of health.servers) {
      assert.deepEqual(server.sources, { srvr: 'fourLetterWord' });
      assert.deepEqual(server.missing, ['mntr', 'cons', 'conf']);
      assert.equal(server.connections, undefined);
      assert.equal(server.version?.text, '3.8.0');
      assert.equal(server.problems.length, 1, server.problems.join(' | '));
      assert.match(server.problems[0] ?? '', /ECONNREFUSED/);
    }
    assert.equal(health.sessionsComplete, false);
    assert.equal(health.hints.length, 1);
    assert.equal(
      health.hints[0],
      `mntr, cons, conf unavailable on ${health.servers.map((s) => s.server).join(', ')}. Enable the four-letter words in zoo.cfg: 4lw.commands.whitelist=srvr,mntr,cons,conf ` +
        `(or -Dzookeeper.4lw.commands.whitelist=…), or the AdminServer: admin.enableServer=true with admin.serverPort=${adminPort} reachable from here.`,
    );
    assert.deepEqual(ownerOf((await client.exists('/owned'))?.ephemeralOwner, health.sessions), { sessionId: normalizeSessionId(client.sessionId) }, 'the session, without an address');
  } finally {
    client.close();
    await zk.stop();
  }
});

test('a server that is down is reported unreachable within the timeout; the others still answer', async () => {
  const zk = await startZooKeeper({ size: 3 });
  try {
    const before = await collectEnsembleHealth(zk.connectString, { adminPort: await freePort() });
    const leader = zk.servers.find((s) => byServer(before, s)?.mode === 'leader');
    assert.ok(leader);
    await leader.stop(true);
    // The survivors elect a new leader; meanwhile they answer "not currently serving requests" or close the connection.
    const options = { timeoutMs: 2000, adminPort: await freePort() };
    const deadline = Date.now() + 30_000;
    let health = await collectEnsembleHealth(zk.connectString, options);
    while (health.servers.filter((s) => s.reachable).map((s) => s.mode).sort().join() !== 'follower,leader' && Date.now() < deadline) {
      await delay(200);
      const started = Date.now();
      health = await collectEnsembleHealth(zk.connectString, options);
      assert.ok(Date.now() - started < 5000, 'every probe is bounded by its timeout');
    }
    assert.equal(byServer(health, leader)?.reachable, false);
    assert.match(byServer(health, leader)?.problems.join() ?? '', /ECONNREFUSED/);
    assert.deepEqual(health.servers.filter((s) => s.reachable).map((s) => s.mode).sort(), ['follower', 'leader']);
    assert.deepEqual(health.hints, [], 'nothing to enable on a server that is down');
  } finally {
    await zk.stop();
  }
});
