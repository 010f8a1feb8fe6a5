// LLAP daemons and Kyuubi servers/engines on a real ZooKeeper, seeded as LLAP and Kyuubi write them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from '../../src/cli/commands';
import { discoverNamespaces } from '../../src/core/registry/namespaceDiscovery';
import { listKyuubiEngines, listKyuubiServers } from '../../src/core/registry/kyuubiRegistry';
import { listLlapDaemons } from '../../src/core/registry/llapRegistry';
import { resolveJdbcUrl } from '../../src/core/jdbc/resolver';
import { ZkSession } from '../../src/core/zk/session';
import { mkdirp, registerKyuubi, registerLlapDaemon } from '../support/hiveSeed';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

const ENGINE_SPACE = 'kyuubi_1.9.2_USER_SPARK_SQL';
let zk: ZkCluster;
let session: ZkSession;
before(async () => {
  zk = await startZooKeeper();
  session = new ZkSession({ connectString: zk.connectString });
  await registerLlapDaemon(session, { host: 'llap-1.example.com', slot: 0, executors: 8 });
  await registerLlapDaemon(session, { host: 'llap-2.example.com', slot: 1 });
  await registerLlapDaemon(session, { host: 'llap-3.example.com' }); // no slot yet
  await registerKyuubi(session, '/kyuubi', { host: 'kyuubi-a.example.com', port: 10009 });
  await registerKyuubi(session, '/kyuubi', { host: 'kyuubi-b.example.com', port: 10009, publishConfigs: true });
  await registerKyuubi(session, `/${ENGINE_SPACE}/alice/default`, { host: 'engine-1.example.com', port: 41234, refId: '5b1c0f7e-1111-2222-3333-444455556666' });
  await mkdirp(session, `/${ENGINE_SPACE}_lock/alice/default`); // Curator lock tree: not a registration
});
after(async () => {
  session.close();
  await zk.stop();
});

test('namespace discovery recognises LLAP, Kyuubi servers and Kyuubi engine spaces', async () => {
  const kinds = Object.fromEntries((await discoverNamespaces(session)).map((n) => [n.name, n.kind]));
  assert.deepEqual(kinds, { 'llap-unsecure': 'llap', kyuubi: 'kyuubi', [ENGINE_SPACE]: 'kyuubi-engine', [`${ENGINE_SPACE}_lock`]: 'other' });
});

test('LLAP: worker ServiceRecords decode, slots are matched, a slot-less daemon is flagged', async () => {
  const { daemons, orphanSlots } = await listLlapDaemons(session, 'llap-unsecure');
  assert.deepEqual(
    daemons.map((d) => [d.user, d.cluster, d.host, d.rpcPort, d.managementPort, d.shufflePort, d.outputFormatPort, d.slot ?? null, d.ephemeral]),
    [
      ['hive', 'llap0', 'llap-1.example.com', 15001, 15004, 15551, 15003, 0, true],
      ['hive', 'llap0', 'llap-2.example.com', 15001, 15004, 15551, 15003, 1, true],
      ['hive', 'llap0', 'llap-3.example.com', 15001, 15004, 15551, 15003, null, true],
    ],
  );
  assert.equal(daemons[0]?.executors, 8);
  assert.equal(daemons[0]?.memoryMb, 8192);
  assert.match(daemons[2]?.problems.join() ?? '', /no slot-<n> node/);
  assert.deepEqual(orphanSlots, []);
});

test('Kyuubi servers: serviceUri names decode, both data forms, and Hive\'s resolver works on the namespace', async () => {
  const listing = await listKyuubiServers(session);
  assert.deepEqual(listing.instances.map((i) => [i.host, i.port, i.version, i.dataFormat, i.problems]), [
    ['kyuubi-a.example.com', 10009, '1.9.2', 'legacy', []],
    ['kyuubi-b.example.com', 10009, '1.9.2', 'config', []],
  ]);
  const resolution = await resolveJdbcUrl(`jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=kyuubi`, () => session, { random: () => 0.99 });
  assert.equal(resolution.chosen?.host, 'kyuubi-b.example.com');
});

test('Kyuubi engines: share level, engine type, user, subdomain and refId come from the path and name', async () => {
  const engines = await listKyuubiEngines(session, ENGINE_SPACE);
  assert.deepEqual(
    engines.map((e) => [e.serverSpace, e.kyuubiVersion, e.shareLevel, e.engineType, e.user, e.subdomain, e.refId, e.instance.host, e.instance.port]),
    [['kyuubi', '1.9.2', 'USER', 'SPARK_SQL', 'alice', 'default', '5b1c0f7e-1111-2222-3333-444455556666', 'engine-1.example.com', 41234]],
  );
  await assert.rejects(listKyuubiEngines(session, 'kyuubi'), /not a Kyuubi engine space/);
});

test('CLI instances recognises LLAP and Kyuubi engine namespaces by name', async () => {
  const llap = (await runCommand(['instances', '--zk', zk.connectString, '--namespace', 'llap-unsecure'])) as { daemons: unknown[] };
  assert.equal(llap.daemons.length, 3);
  const engines = (await runCommand(['instances', '--zk', zk.connectString, '--namespace', ENGINE_SPACE])) as { engines: unknown[] };
  assert.equal(engines.engines.length, 1);
  const servers = (await runCommand(['instances', '--zk', zk.connectString, '--namespace', 'kyuubi'])) as { instances: unknown[] };
  assert.equal(servers.instances.length, 2);
});
