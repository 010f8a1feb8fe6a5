// Registry listing, lock walk and URL resolution against a real ZooKeeper seeded as Hive seeds it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HiveZkError } from '../../src/core/errors';
import { listHaInstances } from '../../src/core/registry/haRegistry';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { listMetastoreInstances } from '../../src/core/registry/metastoreRegistry';
import { discoverNamespaces } from '../../src/core/registry/namespaceDiscovery';
import { listHiveServer2 } from '../../src/core/registry/registry';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { resolveJdbcUrl } from '../../src/core/jdbc/resolver';
import { ZkSession } from '../../src/core/zk/session';
import { registerHaInstance, registerHs2, registerRaw, takeLock } from '../support/hiveSeed';
import { SANDBOX, seedSandbox } from '../support/sandbox';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let seeder: ZkSession;
let session: ZkSession;
before(async () => {
  zk = await startZooKeeper();
  seeder = new ZkSession({ connectString: zk.connectString, digest: 'hive:admin' });
  session = new ZkSession({ connectString: zk.connectString });
  await seedSandbox(seeder);
});
after(async () => {
  session.close();
  seeder.close();
  await zk.stop();
});

const isCode = (code: string, message?: RegExp) => (error: unknown) => error instanceof HiveZkError && error.code === code && (!message || message.test(error.message));
const url = (tail: string): string => `jdbc:hive2://${zk.connectString}/${tail}`;

test('namespaces are classified by what they hold', async () => {
  const found = Object.fromEntries((await discoverNamespaces(session)).map((n) => [n.name, n.kind]));
  assert.deepEqual(found, {
    [SANDBOX.hs2Namespace]: 'hs2',
    [SANDBOX.analyticsNamespace]: 'hs2',
    [`${SANDBOX.haNamespace}-unsecure`]: 'hs2-ha',
    [SANDBOX.metastoreNamespace]: 'metastore',
    [SANDBOX.lockNamespace]: 'locks',
  });
});

test('instances of every Hive version decode; the leader latch is not an instance', async () => {
  const listing = await listInstances(session, SANDBOX.hs2Namespace);
  assert.deepEqual(listing.otherChildren, ['leader']);
  const summary = listing.instances.map((i) => [i.host, i.port, i.version, i.dataFormat, i.transportMode ?? null, i.principal ?? null, i.ssl ?? null]);
  assert.deepEqual(summary, [
    ['hs2-a.example.com', 10000, '1.2.2', 'legacy', null, null, null],
    ['hs2-b.example.com', 10000, '2.3.9', 'config', 'binary', null, false],
    ['hs2-c.example.com', 10000, '3.1.3', 'config', 'binary', 'hive/_HOST@EXAMPLE.COM', true],
    ['hs2-d.example.com', 10001, '3.1.3', 'config', 'http', null, true],
    ['hs2-e.example.com', 10000, '4.0.1', 'config', 'all', null, false],
  ]);
  assert.ok(listing.instances.every((i) => i.ephemeral === true && i.problems.length === 0));
});

test('HA registry: the active instance is the leader', async () => {
  const listing = await listHaInstances(session, SANDBOX.haNamespace);
  assert.deepEqual(listing.instances.map((i) => [i.host, i.isLeader]), [
    ['hs2-ha-1.example.com', true],
    ['hs2-ha-2.example.com', false],
  ]);
});

test('metastore discovery', async () => {
  assert.deepEqual((await listMetastoreInstances(session, SANDBOX.metastoreNamespace)).map((m) => m.uri), ['thrift://metastore-1.example.com:9083', 'thrift://metastore-2.example.com:9083']);
});

test('garbage, binary and ACL-protected registrations are reported, the rest still listed', async () => {
  await registerHs2(seeder, 'mixed', { host: 'good.example.com', port: 10000, variant: 'v3-binary' });
  await registerRaw(seeder, 'mixed', 'serverUri=bin:1;version=x;sequence=0000000100', Buffer.from([0, 0xff, 0xfe, 7]));
  await registerRaw(seeder, 'mixed', 'not-an-instance', Buffer.from('hello'));
  await seeder.create('/mixed/serverUri=locked:1;version=3;sequence=0000000101', Buffer.from('hive.server2.thrift.bind.host=locked'), 'ephemeral', 'creatorOnly');
  const listing = await listInstances(session, 'mixed');
  const byZnode = Object.fromEntries(listing.instances.map((i) => [i.znode.split(';')[0], i]));
  assert.equal(listing.instances.length, 4);
  assert.equal(byZnode['serverUri=good.example.com:10000']?.problems.length, 0);
  assert.match(byZnode['serverUri=bin:1']?.problems.join() ?? '', /not UTF-8/);
  assert.match(byZnode['not-an-instance']?.problems.join() ?? '', /znode name/);
  assert.equal(byZnode['serverUri=locked:1']?.dataFormat, 'unreadable');
});

test('lock walk: every lock decoded, waiting locks marked, encoded names decoded', async () => {
  const walk = await walkLocks(session, SANDBOX.lockNamespace);
  const summary = walk.locks.map((l) => `${l.object.database}.${l.object.table ?? ''}${l.object.partition ? '/' + l.object.partition.map((p) => `${p.key}=${p.value}`).join('/') : ''} ${l.mode} ${l.status}`);
  assert.deepEqual(summary, [
    'finance.ledger EXCLUSIVE granted',
    'sales.orders SHARED granted',
    'sales.orders/ds=2026-11-24 SHARED granted',
    'sales.orders/ds=2026-11-24 EXCLUSIVE waiting',
    'sales.orders/ds=2026-11-24/hr=09 SHARED granted',
    'sales.orders/ds=2026-11-25 SHARED granted',
    'web.web-logs/country=US/CA SHARED granted',
  ]);
  const explicit = walk.locks.find((l) => l.object.table === 'ledger');
  assert.equal(explicit?.ephemeral, false);
  assert.equal(explicit?.data.lockMode, 'EXPLICIT');
  const waiting = walk.locks.find((l) => l.status === 'waiting');
  assert.match(waiting?.data.queryString ?? '', /^INSERT OVERWRITE/);
  assert.equal(waiting?.blockedBy, 'LOCK-SHARED-0000000000');
});

test('lock walk: filtered by database and (encoded) table', async () => {
  const byDb = await walkLocks(session, SANDBOX.lockNamespace, { database: 'sales' });
  assert.equal(byDb.locks.length, 5);
  const byTable = await walkLocks(session, SANDBOX.lockNamespace, { database: 'web', table: 'web-logs' });
  assert.equal(byTable.locks.length, 1);
  const none = await walkLocks(session, SANDBOX.lockNamespace, { database: 'nope' });
  assert.deepEqual(none.locks, []);
});

test('lock walk: a protected subtree is reported unreadable, the rest still walked', async () => {
  await takeLock(seeder, 'lockacl', { db: 'open', table: 't', mode: 'SHARED', queryId: 'q1', query: 'select 1' });
  await seeder.create('/lockacl/closed', Buffer.alloc(0), 'persistent', 'creatorOnly');
  const walk = await walkLocks(session, 'lockacl');
  assert.deepEqual(walk.unreadable, ['/lockacl/closed']);
  assert.equal(walk.locks.length, 1);
});

test('resolve: every candidate, the random pick, settings from the znode', async () => {
  const resolution = await resolveJdbcUrl(url(`sales;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${SANDBOX.hs2Namespace};transportMode=binary`), () => session, { random: () => 0.99 });
  assert.equal(resolution.mode, 'zooKeeper');
  assert.equal(resolution.candidates.length, 5);
  assert.equal(resolution.roundTrips, 2);
  assert.equal(resolution.chosen?.host, 'hs2-e.example.com');
  const kerberos = resolution.candidates.find((c) => c.host === 'hs2-c.example.com');
  assert.deepEqual(kerberos?.fromZnode, { ssl: 'true', saslQop: 'auth', principal: 'hive/_HOST@EXAMPLE.COM' });
  assert.deepEqual(kerberos?.overriddenByUrl, { transportMode: 'binary' });
  assert.equal(kerberos?.url, 'jdbc:hive2://hs2-c.example.com:10000/sales;transportMode=binary;ssl=true;saslQop=auth;principal=hive/_HOST@EXAMPLE.COM');
  const http = resolution.candidates.find((c) => c.host === 'hs2-d.example.com');
  assert.equal(http?.port, 10001);
  const legacy = resolution.candidates.find((c) => c.host === 'hs2-a.example.com');
  assert.deepEqual(legacy?.fromZnode, {});
  assert.equal(legacy?.driverUrl, `jdbc:hive2://hs2-a.example.com:10000/sales;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${SANDBOX.hs2Namespace};transportMode=binary`);
});

test('resolve: the pick is uniform over usable candidates', async () => {
  const picks = new Set<string>();
  for (const r of [0, 0.2, 0.4, 0.6, 0.8]) {
    picks.add((await resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper'), () => session, { random: () => r })).chosen?.host ?? '');
  }
  assert.equal(picks.size, 5);
});

test('resolve: zooKeeperHA picks the leader', async () => {
  const resolution = await resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeperHA'), () => session);
  assert.equal(resolution.namespace, 'hs2ActivePassiveHA');
  assert.equal(resolution.chosen?.host, 'hs2-ha-1.example.com');
  assert.equal(resolution.candidates.length, 2);
});

test('resolve: no leader is explained', async () => {
  await registerHaInstance(seeder, 'noleader', { host: 'p1', port: 10000, variant: 'v3-binary', active: false });
  await assert.rejects(resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeperHA;zooKeeperNamespace=noleader'), () => session), isCode('NO_LEADER', /No active HiveServer2/));
});

test('resolve: a missing namespace lists the ones that exist', async () => {
  await assert.rejects(
    resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hs2-typo'), () => session),
    isCode('NAMESPACE_MISSING', /\/hs2-typo does not exist.*hiveserver2, hiveserver2-analytics/),
  );
});

test('resolve: an empty namespace says so', async () => {
  await seeder.create('/emptyns', Buffer.alloc(0));
  await assert.rejects(resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=emptyns'), () => session), isCode('NAMESPACE_EMPTY', /No live HiveServer2/));
});

test('resolve: only bad data is explained', async () => {
  await registerRaw(seeder, 'badonly', 'serverUri=x:1;version=1;sequence=0000000001', Buffer.from('garbage'));
  await assert.rejects(resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=badonly'), () => session), isCode('BAD_ZNODE_DATA', /neither/));
});

test('resolve: a namespace we may not list is NO_AUTH', async () => {
  await seeder.create('/closedns', Buffer.alloc(0), 'persistent', 'creatorOnly');
  await assert.rejects(resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=closedns'), () => session), isCode('ZK_NO_AUTH', /Not authorized to list/));
});

test('resolve: a direct URL needs no ZooKeeper', async () => {
  const resolution = await resolveJdbcUrl('jdbc:hive2://h1/db;transportMode=http', () => {
    throw new Error('no session expected');
  });
  assert.equal(resolution.mode, 'direct');
  assert.equal(resolution.chosen?.port, 10001);
});

const run = promisify(execFile);
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

async function hiveZk(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  try {
    const { stdout } = await run('node', [cli, ...args]);
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, json: JSON.parse(failure.stdout) as Record<string, unknown> };
  }
}

test('CLI: namespaces, instances, locks, resolve, beeline print the documented JSON', async () => {
  const namespaces = await hiveZk('namespaces', '--zk', zk.connectString);
  assert.equal(namespaces.code, 0);
  assert.ok((namespaces.json.namespaces as { name: string }[]).some((n) => n.name === 'hiveserver2'));
  const instances = await hiveZk('instances', '--zk', zk.connectString, '--namespace', 'hiveserver2');
  assert.equal((instances.json.instances as unknown[]).length, 5);
  // Metastore discovery is listed as metastores, by its default name or with --metastore, not as HS2 instances with problems.
  const metastores = await hiveZk('instances', '--zk', zk.connectString, '--namespace', SANDBOX.metastoreNamespace);
  assert.deepEqual(metastores.json, { namespace: SANDBOX.metastoreNamespace, metastores: await listMetastoreInstances(seeder, SANDBOX.metastoreNamespace) });
  assert.ok((metastores.json.metastores as { uri: string }[]).some((m) => m.uri === 'thrift://metastore-1.example.com:9083'));
  assert.deepEqual((await hiveZk('instances', '--zk', zk.connectString, '--namespace', `/${SANDBOX.metastoreNamespace}`, '--metastore')).json.metastores, metastores.json.metastores);
  assert.equal((await hiveZk('instances', '--zk', zk.connectString, '--ha', '--metastore')).code, 2);
  // Without --namespace, each kind reads its own default namespace; LLAP has none and is asked for one.
  assert.deepEqual((await hiveZk('instances', '--zk', zk.connectString, '--metastore')).json, metastores.json);
  const ha = await hiveZk('instances', '--zk', zk.connectString, '--ha');
  assert.deepEqual((ha.json.instances as { host: string }[]).map((i) => i.host).sort(), ['hs2-ha-1.example.com', 'hs2-ha-2.example.com']);
  const llap = await hiveZk('instances', '--zk', zk.connectString, '--llap');
  assert.equal(llap.code, 2);
  assert.match(JSON.stringify(llap.json), /--llap needs --namespace/);
  const locks = await hiveZk('locks', '--zk', zk.connectString, '--db', 'sales', '--table', 'orders');
  assert.equal((locks.json.locks as { status: string }[]).filter((l) => l.status === 'waiting').length, 1);
  const resolved = await hiveZk('resolve', url(';serviceDiscoveryMode=zooKeeper'));
  assert.equal(resolved.code, 0);
  assert.deepEqual(Object.keys(resolved.json).slice(0, 4), ['mode', 'namespace', 'ensemble', 'candidates']);
  assert.ok((resolved.json.chosen as { url: string }).url.startsWith('jdbc:hive2://hs2-'));
  const beeline = await hiveZk('beeline', '--zk', zk.connectString, '--namespace', 'hiveserver2', '--instance', (instances.json.instances as { znode: string }[])[2].znode, '--user', 'alice');
  assert.equal(beeline.json.command, "beeline -u 'jdbc:hive2://hs2-c.example.com:10000/default;ssl=true;saslQop=auth;transportMode=binary;principal=hive/_HOST@EXAMPLE.COM' -n alice");
});

test('CLI: failures are JSON with a code and a non-zero exit', async () => {
  const malformed = await hiveZk('parse-url', 'jdbc:hive2://h:1/db;a=1;a=2');
  assert.equal(malformed.code, 1);
  assert.deepEqual(malformed.json, { error: { code: 'URL_DUPLICATE_KEY', message: 'Bad URL format: Multiple values for property a.' } });
  const usage = await hiveZk('frobnicate');
  assert.equal(usage.code, 2);
  const missing = await hiveZk('resolve', url(';serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=nope'));
  assert.equal((missing.json.error as { code: string }).code, 'NAMESPACE_MISSING');
});

test('CLI: what it does not understand is refused (exit 2), never ignored', async () => {
  const cases: [string[], RegExp][] = [
    [['instances', '--zk', zk.connectString, 'rogue_ns'], /Unexpected argument "rogue_ns"/],
    [['beeline', 'jdbc:hive2://h:1/default', 'alice'], /Unexpected argument "alice"/],
    [['locks', '--zk', zk.connectString, '--table', 'orders'], /--table needs --db/],
    [['namespaces', '--zk', zk.connectString, '--frobnicate'], /Unknown option '--frobnicate'/],
    [['beeline', 'jdbc:hive2://h:1/default', '--password-env'], /--password-prompt or --password-file/],
    [['namespaces', '--zk', zk.connectString, '--timeout', '3000000000'], /--timeout must be a whole number/],
    [['namespaces', '--zk', zk.connectString, '--timeout', '1e4'], /--timeout must be a whole number/],
    [['beeline', '--zk', zk.connectString, '--zk', 'evil:1', '--namespace', 'hiveserver2'], /--zk is given more than once/],
    [['beeline', 'jdbc:hive2://h:1/default', '--user', ''], /--user needs a non-empty value/],
    [['locks', '--zk', zk.connectString, '--db', 'sales/orders'], /is a path/],
    [['resolve', 'jdbc:hive2://h:10000/default', '--pick-only'], /nothing to pick/],
    [['beeline', 'jdbc:hive2://h:1/default', '--password-file', '/nonexistent/pw'], /The password file \/nonexistent\/pw cannot be read: it does not exist/],
  ];
  for (const [args, message] of cases) {
    const result = await hiveZk(...args);
    assert.equal(result.code, 2, args.join(' '));
    const error = result.json.error as { code: string; message: string };
    assert.equal(error.code, 'BAD_ARGUMENT');
    assert.match(error.message, message);
  }
});

test('CLI: exits right after printing, even when the client library keeps timers (timeout, unreachable)', async () => {
  const timed = async (...args: string[]): Promise<{ ms: number; code: string }> => {
    const started = Date.now();
    const result = await hiveZk(...args);
    return { ms: Date.now() - started, code: (result.json.error as { code: string } | undefined)?.code ?? 'OK' };
  };
  // The library's own connect timer would keep the process alive for ~30 s.
  const tiny = await timed('namespaces', '--zk', zk.connectString, '--timeout', '1');
  assert.ok(tiny.ms < 10_000, `exited after ${tiny.ms} ms (${tiny.code})`);
  const closedPort = await timed('namespaces', '--zk', '127.0.0.1:1', '--timeout', '500');
  assert.notEqual(closedPort.code, 'OK');
  assert.ok(closedPort.ms < 10_000, `exited after ${closedPort.ms} ms`);
});

test('CLI: beeline --instance refuses a registration the driver could not use, whatever its name says', async () => {
  const name = await registerRaw(seeder, 'clirogue', 'serverUri=looks-fine.example.com:10000;version=3.1.3;sequence=0000000001', Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  const result = await hiveZk('beeline', '--zk', zk.connectString, '--namespace', 'clirogue', '--instance', name.split('/').pop() ?? name);
  assert.equal(result.code, 1);
  assert.equal((result.json.error as { code: string }).code, 'BAD_ZNODE_DATA');
  const locks = await hiveZk('locks', '--zk', zk.connectString, '--db', 'sales');
  assert.ok((locks.json.locks as { unlock: string | null }[]).every((l) => typeof l.unlock === 'string'));
});

test('CLI: znode text is printed with invisible characters escaped; a password file beeline would misread is refused', async () => {
  await takeLock(seeder, SANDBOX.lockNamespace, { db: 'bidi\u202egpj', table: 't', mode: 'EXCLUSIVE', queryId: 'q\u202e1', query: 'DROP TABLE x \u202e safe', client: '10.0.0.1' });
  const raw = await run('node', [cli, 'locks', '--zk', zk.connectString, '--db', 'bidi\u202egpj']);
  assert.ok(!/[\u202e\u009b]/.test(raw.stdout), 'no raw bidi override in the output');
  assert.match(raw.stdout, /bidi\\\\u\{202E\}gpj/);
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-pwfile-'));
  try {
    const file = join(dir, 'pw');
    writeFileSync(file, 'pa ss"word\n');
    const refused = await hiveZk('beeline', 'jdbc:hive2://h:1/default', '--user', 'alice', '--password-file', file);
    assert.equal((refused.json.error as { code: string }).code, 'UNSAFE_VALUE');
    assert.ok(!JSON.stringify(refused.json).includes('ss"word'), 'the password is not echoed');
    writeFileSync(file, '  s3cr3t!\n');
    const built = await hiveZk('beeline', 'jdbc:hive2://h:1/default', '--user', 'alice', '--password-file', file);
    assert.equal(built.json.command, `beeline -u jdbc:hive2://h:1/default -n alice -w ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resolve --pick-only: the driver\'s procedure, two round trips, unusable znodes rejected and another picked', async () => {
  const resolution = await resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper'), () => session, { pickOnly: true, random: () => 0 });
  assert.equal(resolution.candidates.length, 1);
  assert.equal(resolution.roundTrips, 2);
  assert.equal(resolution.chosen?.host, 'hs2-a.example.com');
  await registerRaw(seeder, 'pickmix', 'serverUri=bad:1;version=1;sequence=0000000001', Buffer.from('garbage'));
  await registerHs2(seeder, 'pickmix', { host: 'good.example.com', port: 10000, variant: 'v3-binary' });
  // The first or the last child is picked first: one of the two orders must hit the garbage first.
  const trips: number[] = [];
  for (const r of [0, 0.99]) {
    const mixed = await resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=pickmix'), () => session, { pickOnly: true, random: () => r });
    assert.equal(mixed.chosen?.host, 'good.example.com');
    assert.ok(mixed.candidates.slice(0, -1).every((c) => !c.usable));
    assert.equal(mixed.roundTrips, 1 + mixed.candidates.length);
    trips.push(mixed.roundTrips);
  }
  assert.deepEqual(trips.sort(), [2, 3]);
  await assert.rejects(resolveJdbcUrl(url(';serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=nope'), () => session, { pickOnly: true }), isCode('NAMESPACE_MISSING', /HiveServer2 namespaces on this ensemble/));
});

test('resolve: a password in the URL never reaches the URLs built for candidates', async () => {
  const resolution = await resolveJdbcUrl(url('sales;serviceDiscoveryMode=zooKeeper;user=alice;password=s3cr3t'), () => session, { random: () => 0 });
  for (const candidate of resolution.candidates) {
    assert.ok(!candidate.url?.includes('s3cr3t'), candidate.url);
    assert.match(candidate.url ?? '', /;user=alice/);
  }
});

test('HiveServer2 in every namespace a scan found: both HA registries of a namespace (-unsecure and -sasl) listed, each once', async () => {
  await registerHaInstance(seeder, 'bothha', { host: 'plain-1.example.com', port: 10000, variant: 'v3-binary', active: true });
  await registerHaInstance(seeder, 'bothha', { host: 'krb-1.example.com', port: 10000, variant: 'v3-binary', active: true, registry: 'sasl' });
  const found = (await discoverNamespaces(session)).filter((n) => n.name.startsWith('bothha'));
  assert.deepEqual(found.map((n) => `${n.name} ${n.kind}`).sort(), ['bothha-sasl hs2-ha', 'bothha-unsecure hs2-ha']);
  assert.deepEqual((await listHiveServer2(session, found)).map((i) => i.host).sort(), ['krb-1.example.com', 'plain-1.example.com']);
});
