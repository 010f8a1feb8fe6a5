// The registry doctor over a real ZooKeeper whose registrations point at real loopback listeners:
// every probe status, the hygiene findings the server can show (HA without a leader, LLAP tokens,
// persistent Kyuubi engines and mixed subdomains, an old explicit lock), and the CLI's contract
// (JSON shape, exit 0/1/2, --namespace, the URL form's steps). Probes are loopback-only throughout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { doctorExitCode, doctorRegistry, doctorUrl } from '../../src/core/doctor/doctor';
import { loopbackOnlyFromEnv, type ProbeOptions } from '../../src/core/doctor/probe';
import { collectEnsembleHealth } from '../../src/core/health/serverHealth';
import { ZkSession } from '../../src/core/zk/session';
import { errorCode, hiveZk } from '../support/cli';
import { mkdirp, registerHaInstance, registerHs2, registerKyuubi, registerRaw, takeLock } from '../support/hiveSeed';
import {
  chattyListener,
  closedPort,
  fullBacklogListener,
  httpListener,
  makeProbeCertificates,
  silentListener,
  tlsListener,
  type Listener,
  type ProbeCertificates,
} from '../support/probeTargets';
import { SANDBOX, startSandbox } from '../support/sandbox';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let session: ZkSession;
let certs: ProbeCertificates;
const listeners: Listener[] = [];
/** Registration path → the status its endpoint must get. */
const expected = new Map<string, string>();
let redirectTarget: Listener & { requests: unknown[] };
/** The TLS listener with a CA-signed certificate for localhost. */
let goodTlsPort = 0;
const NS = 'hiveserver2';

const open = async <T extends Listener>(made: Promise<T>): Promise<T> => {
  const listener = await made;
  listeners.push(listener);
  return listener;
};

before(async () => {
  [zk, certs] = await Promise.all([startZooKeeper(), makeProbeCertificates()]);
  session = new ZkSession({ connectString: zk.connectString });
  const silent = await open(silentListener());
  const good = await open(tlsListener(certs.good));
  goodTlsPort = good.port;
  const wrong = await open(tlsListener(certs.wrongHost));
  const expired = await open(tlsListener(certs.expired));
  const untrusted = await open(tlsListener(certs.untrusted));
  const http401 = await open(httpListener(401));
  const http404 = await open(httpListener(404));
  redirectTarget = await open(httpListener(200));
  const redirect = await open(httpListener(302, { location: `http://127.0.0.1:${redirectTarget.port}/` }));
  const backlog = await open(fullBacklogListener());
  const chatty = await open(chattyListener('not tls\n'));
  const refused = await closedPort();
  const reg = async (status: string, spec: Parameters<typeof registerHs2>[2], ns = NS): Promise<void> => {
    expected.set(await registerHs2(session, ns, spec), status);
  };
  await reg('answering', { host: '127.0.0.1', port: silent.port, version: '3.1.3', variant: 'v3-binary' });
  await reg('refused', { host: '127.0.0.1', port: refused, version: '2.3.9', variant: 'v2-binary' });
  await reg('answering', { host: 'localhost', port: good.port, version: '3.1.3', variant: 'v3-kerberos', ssl: true });
  await reg('tls-hostname', { host: 'localhost', port: wrong.port, version: '3.1.3', variant: 'v3-binary', ssl: true });
  await reg('tls-expired', { host: 'localhost', port: expired.port, version: '3.1.3', variant: 'v3-binary', ssl: true });
  await reg('tls-untrusted', { host: 'localhost', port: untrusted.port, version: '3.1.3', variant: 'v3-binary', ssl: true });
  await reg('tls-expected', { host: '127.0.0.1', port: chatty.port, version: '3.1.3', variant: 'v3-binary', ssl: true });
  await reg('answering', { host: '127.0.0.1', port: http401.port, version: '3.1.3', variant: 'v3-http' });
  await reg('http-error', { host: '127.0.0.1', port: http404.port, version: '3.1.3', variant: 'v3-http' });
  await reg('answering', { host: '127.0.0.1', port: redirect.port, version: '3.1.3', variant: 'v3-http' });
  await reg('timeout', { host: '127.0.0.1', port: backlog.port, version: '1.2.2', variant: 'legacy-1.x' });
  await reg('skipped', { host: 'hs2-a.example.com', port: 10000, version: '3.1.3', variant: 'v3-binary' });
  expected.set(await registerRaw(session, NS, 'serverUri=127.0.0.1:1;version=3.1.3;sequence=0000000099', Buffer.from('')), 'skipped');
  // A namespace where everything answers, for exit 0.
  await registerHs2(session, 'hs2-healthy', { host: '127.0.0.1', port: silent.port, version: '4.0.1', variant: 'v3-binary' });
  // Hygiene the server can show as it is.
  await registerHaInstance(session, 'hs2ActivePassiveHA', { host: '127.0.0.1', port: silent.port, variant: 'v3-binary', active: false });
  await registerHaInstance(session, 'hs2ActivePassiveHA', { host: '127.0.0.1', port: refused, variant: 'v3-binary', active: false });
  const space = '/kyuubi_1.9.2_USER_SPARK_SQL';
  await registerKyuubi(session, `${space}/alice/default`, { host: '127.0.0.1', port: silent.port, publishConfigs: true });
  await registerKyuubi(session, `${space}/alice/etl`, { host: '127.0.0.1', port: silent.port, publishConfigs: true });
  await mkdirp(session, `${space}/bob/default`);
  await session.create(`${space}/bob/default/serviceUri=127.0.0.1:${silent.port};version=1.9.2;sequence=0000000001`, Buffer.from(`127.0.0.1:${silent.port}`), 'persistent');
  await mkdirp(session, '/zkdtsm_llap0/ZKDTSMRoot/ZKDTSMTokensRoot');
  for (let i = 1; i <= 3; i += 1) {
    await session.create(`/zkdtsm_llap0/ZKDTSMRoot/ZKDTSMTokensRoot/DT_${i}`, Buffer.from('token'), 'persistent');
  }
  await takeLock(session, 'hive_zookeeper_namespace', { db: 'finance', table: 'ledger', mode: 'EXCLUSIVE', queryId: 'q1', query: 'LOCK TABLE finance.ledger EXCLUSIVE', lockTime: Date.now() - 2 * 3_600_000, client: '127.0.0.1', explicit: true });
});

after(async () => {
  session?.close();
  await Promise.all(listeners.map((l) => l.close()));
  await zk?.stop();
  certs?.remove();
});

const probe = (): ProbeOptions => ({ timeoutMs: 3000, loopbackOnly: loopbackOnlyFromEnv(process.env), ca: [certs.ca] });

test('every registration gets the status its listener earns; loopback-only skips the example.com host', async () => {
  assert.equal(loopbackOnlyFromEnv(process.env), true, 'the test rig sets the guard');
  const report = await doctorRegistry(session, NS, { probe: probe() });
  const got = new Map(report.endpoints.map((e) => [e.znode, e.probe.status]));
  assert.deepEqual(got, expected);
  const skipped = report.endpoints.find((e) => e.host === 'hs2-a.example.com');
  assert.match(skipped?.probe.detail ?? '', /^loopback-only/);
  const empty = report.endpoints.find((e) => e.znode.endsWith('0000000099'));
  assert.match(empty?.probe.detail ?? '', /nothing to probe: data is empty/);
  // Every endpoint that does not answer is an error naming its znode.
  const notAnswering = report.endpoints.filter((e) => e.probe.status !== 'answering').map((e) => e.znode).sort();
  const errors = report.findings.filter((f) => f.severity === 'error' && f.code.startsWith('ENDPOINT_'));
  assert.deepEqual(errors.map((f) => f.znode).sort(), notAnswering);
  assert.ok(errors.some((f) => f.code === 'ENDPOINT_TLS_HOSTNAME'));
  assert.equal(doctorExitCode(report), 1);
  assert.equal(redirectTarget.requests.length, 0, 'the redirect was not followed');
});

test('the whole ensemble: HA without a leader, LLAP tokens, Kyuubi engines, the old explicit lock with its UNLOCK', async () => {
  const report = await doctorRegistry(session, undefined, { probe: probe(), health: () => collectEnsembleHealth(session.connect, { words: ['cons', 'conf'] }) });
  const codes = (code: string) => report.findings.filter((f) => f.code === code);
  assert.equal(codes('HA_NO_LEADER').length, 1);
  assert.equal(codes('HA_NO_LEADER')[0]?.znode, '/hs2ActivePassiveHA-unsecure/instances');
  const tokens = codes('LLAP_TOKENS')[0];
  assert.equal(tokens?.znode, '/zkdtsm_llap0/ZKDTSMRoot/ZKDTSMTokensRoot');
  assert.match(tokens?.message ?? '', /^3 LLAP delegation token znodes, the oldest \d+ s\.$/);
  assert.deepEqual(codes('KYUUBI_MIXED_SUBDOMAINS').map((f) => f.znode), ['/kyuubi_1.9.2_USER_SPARK_SQL/alice']);
  assert.deepEqual(codes('KYUUBI_ENGINE_PERSISTENT').map((f) => f.znode), [`/kyuubi_1.9.2_USER_SPARK_SQL/bob/default/serviceUri=127.0.0.1:${report.endpoints.find((e) => e.kind === 'kyuubi-engine')?.port};version=1.9.2;sequence=0000000001`]);
  const lock = codes('LOCK_EXPLICIT_STALE')[0];
  assert.match(lock?.message ?? '', /Explicit EXCLUSIVE lock on finance\.ledger from 127\.0\.0\.1, taken 2 h ago: .*UNLOCK TABLE `finance`\.`ledger`;$/);
  assert.match(lock?.znode ?? '', /^\/hive_zookeeper_namespace\/finance\/ledger\/LOCK-EXCLUSIVE-\d+$/);
  const kinds = new Set(report.endpoints.map((e) => e.kind));
  assert.deepEqual([...kinds].sort(), ['hs2', 'hs2-ha', 'kyuubi-engine']);
  assert.deepEqual(codes('READ_FAILED'), []);
  // Errors first.
  const severities = report.findings.map((f) => f.severity);
  assert.deepEqual(severities, [...severities].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
});

test('the URL form explains each step and what the driver does with what answers', async () => {
  const url = `jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${NS}`;
  const sessions: ZkSession[] = [];
  const report = await doctorUrl(url, (connectString) => {
    const s = new ZkSession({ connectString });
    sessions.push(s);
    return s;
  }, { probe: probe() });
  sessions.forEach((s) => s.close());
  assert.deepEqual(report.steps?.map((s) => [s.step, s.ok]), [
    ['parse', true],
    ['connect', true],
    ['namespace', true],
    ['candidates', true],
    ['probe', false],
    ['driver', false],
  ]);
  assert.equal(report.endpoints.length, expected.size, 'every registration, not only the pick');
  // 13 registered, 12 usable (one has empty data), 4 of those answer.
  assert.match(report.steps?.[5]?.detail ?? '', /picks one of 12 at random; 8 do not answer, so 67 % of connection attempts/);
  // The URL's ssl=true wins over the znode's: the plain listener then "does not speak TLS".
  const sslUrl = `jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hs2-healthy;ssl=true`;
  const strict = await doctorUrl(sslUrl, (connectString) => {
    const s = new ZkSession({ connectString });
    sessions.push(s);
    return s;
  }, { probe: probe() });
  sessions.forEach((s) => s.close());
  assert.equal(strict.endpoints[0]?.ssl, true);
  assert.equal(strict.endpoints[0]?.probe.status, 'timeout', 'a silent plain port never answers a ClientHello');
  // A namespace that does not exist stops at that step with the reason.
  const missing = await doctorUrl(`jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=nope`, (connectString) => {
    const s = new ZkSession({ connectString });
    sessions.push(s);
    return s;
  }, { probe: probe() });
  sessions.forEach((s) => s.close());
  assert.deepEqual(missing.steps?.map((s) => [s.step, s.ok]), [['parse', true], ['connect', true], ['namespace', false]]);
  assert.equal(missing.findings[0]?.code, 'NAMESPACE_MISSING');
  assert.equal(doctorExitCode(missing), 1);
});

test('CLI: the JSON contract, exit 1 on an error finding, 0 when all is well, 2 on bad usage', async () => {
  const ssl = { HIVEZK_SSL_CA_PASSWORD: '' };
  const all = await hiveZk(ssl, 'doctor', '--zk', zk.connectString, '--namespace', NS, '--probe-timeout', '3000', '--ssl-ca', certs.caPem);
  assert.equal(all.code, 1);
  assert.deepEqual(Object.keys(all.json).sort(), ['endpoints', 'findings']);
  const endpoints = all.json.endpoints as Record<string, unknown>[];
  assert.deepEqual(Object.keys(endpoints[0] ?? {}), ['namespace', 'znode', 'kind', 'host', 'port', 'transport', 'ssl', 'probe']);
  assert.deepEqual(Object.keys((endpoints[0]?.probe as object) ?? {}), ['status', 'ms', 'detail']);
  assert.deepEqual(new Map(endpoints.map((e) => [e.znode, (e.probe as { status: string }).status])), expected);
  const findings = all.json.findings as Record<string, unknown>[];
  assert.deepEqual(Object.keys(findings[0] ?? {}), ['severity', 'code', 'message', 'znode']);

  const healthy = await hiveZk({}, 'doctor', '--zk', zk.connectString, '--namespace', 'hs2-healthy', '--json');
  assert.equal(healthy.code, 0, healthy.output);
  assert.equal((healthy.json.endpoints as unknown[]).length, 1);

  const url = await hiveZk({}, 'doctor', `jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hs2-healthy`, '--hive-version', '3');
  assert.equal(url.code, 0, url.output);
  assert.deepEqual(Object.keys(url.json).sort(), ['endpoints', 'findings', 'steps']);

  for (const bad of [
    ['doctor'],
    ['doctor', 'jdbc:hive2://h:1/', '--zk', zk.connectString],
    ['doctor', 'jdbc:hive2://h:1/', '--namespace', 'x'],
    ['doctor', '--zk', zk.connectString, '--hive-version', '3'],
    ['doctor', '--zk', zk.connectString, '--probe-timeout', '0'],
    ['doctor', '--zk', zk.connectString, '--probe-timeout', '3s'],
    ['doctor', '--zk', zk.connectString, '--follow-redirects'],
  ]) {
    const result = await hiveZk({}, ...bad);
    assert.equal(result.code, 2, bad.join(' '));
    assert.equal(errorCode(result), 'BAD_ARGUMENT');
  }
  // A JKS truststore with its password from HIVEZK_SSL_CA_PASSWORD; a wrong password is named by its variable, never echoed.
  const jks = join(certs.dir, 'trust.jks');
  await promisify(execFile)('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', certs.caPem, '-keystore', jks, '-storetype', 'JKS', '-storepass', 'jks-secret-pw']);
  const viaJks = await hiveZk({ HIVEZK_SSL_CA_PASSWORD: 'jks-secret-pw' }, 'doctor', '--zk', zk.connectString, '--namespace', NS, '--ssl-ca', jks);
  const statuses = new Map((viaJks.json.endpoints as { znode: string; probe: { status: string } }[]).map((e) => [e.znode, e.probe.status]));
  assert.deepEqual(statuses, expected, 'the CA from the JKS store is trusted like the PEM one');
  const wrongPassword = await hiveZk({ HIVEZK_SSL_CA_PASSWORD: 'not-the-pw-123' }, 'doctor', '--zk', zk.connectString, '--ssl-ca', jks);
  assert.equal(wrongPassword.code, 1);
  assert.equal(errorCode(wrongPassword), 'ZK_TLS_FAILED');
  assert.match(wrongPassword.output, /HIVEZK_SSL_CA_PASSWORD/);
  assert.doesNotMatch(wrongPassword.output, /not-the-pw-123|jks-secret-pw/);
  // The URL's sslTrustStore is trusted the same way: without it, the CA-signed endpoint is untrusted.
  const tlsNs = 'hs2-tls';
  await registerHs2(session, tlsNs, { host: 'localhost', port: goodTlsPort, version: '3.1.3', variant: 'v3-binary', ssl: true });
  const urlBase = `jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${tlsNs}`;
  const withStore = await hiveZk({}, 'doctor', `${urlBase};sslTrustStore=${certs.caPem}`);
  assert.equal(withStore.code, 0, withStore.output);
  const without = await hiveZk({}, 'doctor', urlBase);
  assert.equal(without.code, 1);
  assert.equal((without.json.endpoints as { probe: { status: string } }[])[0]?.probe.status, 'tls-untrusted');

  const missingCa = await hiveZk({}, 'doctor', '--zk', zk.connectString, '--ssl-ca', `${certs.dir}/nope.pem`);
  assert.equal(missingCa.code, 1);
  assert.equal(errorCode(missingCa), 'ZK_TLS_FAILED');
});

test('the sandbox (as the demo runs it): local registrations answer or are dead, *.example.com ones are skipped loopback-only', async () => {
  const sandbox = await startSandbox();
  const s = new ZkSession({ connectString: sandbox.connectString });
  try {
    const report = await doctorRegistry(s, undefined, { probe: { timeoutMs: 3000, loopbackOnly: loopbackOnlyFromEnv(process.env) } });
    const local = report.endpoints.filter((e) => e.namespace === SANDBOX.localNamespace).map((e) => `${e.transport}${e.ssl ? '+ssl' : ''} ${e.probe.status}`);
    assert.deepEqual(local.sort(), ['binary answering', 'binary refused', 'binary+ssl refused', 'http answering']);
    const remote = report.endpoints.filter((e) => e.host?.endsWith('.example.com'));
    assert.equal(remote.length, 10);
    assert.ok(remote.every((e) => e.probe.status === 'skipped' && e.probe.detail === `loopback-only: ${e.host} is not a loopback address`));
  } finally {
    s.close();
    await sandbox.stop();
  }
});
