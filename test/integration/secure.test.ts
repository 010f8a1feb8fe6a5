// TLS and SASL DIGEST-MD5 against real servers: a ZooKeeper with a Netty secureClientPort
// (client certificates required) and one enforcing SASL. Each works end to end (instances and
// locks); each misconfiguration fails with its own code within the connect timeout, with no
// reconnect loop and no secret in the error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { secureTransport, type SessionSecurity } from '../../src/core/zk/auth/secureTransport';
import { ZkSession, type StateChange } from '../../src/core/zk/session';
import { makeTestCertificates, type TestCertificates } from '../support/certs';
import { errorCode, hiveZk } from '../support/cli';
import { registerHs2, takeLock } from '../support/hiveSeed';
import { delay, startZooKeeper, type ZkCluster } from '../support/zkServer';

const CONNECT_TIMEOUT_MS = 4000;
const DIGEST_PASSWORD = 'bob-digest-secret-7';

let certs: TestCertificates;
let tlsZk: ZkCluster;
let saslZk: ZkCluster;
before(async () => {
  certs = await makeTestCertificates();
  [tlsZk, saslZk] = await Promise.all([
    startZooKeeper({ tls: { keyStore: certs.serverP12, trustStore: certs.truststoreP12, password: certs.password, clientAuth: 'need' } }),
    startZooKeeper({ sasl: { mechanism: 'digest', users: { bob: DIGEST_PASSWORD } } }),
  ]);
});
after(async () => {
  await Promise.all([tlsZk?.stop(), saslZk?.stop()]);
  certs?.remove();
});

const goodTls = (): NonNullable<SessionSecurity['tls']> => ({ caFile: certs.caPem, certFile: certs.clientCertPem, keyFile: certs.clientKeyPem });
const digest = (password = DIGEST_PASSWORD): NonNullable<SessionSecurity['sasl']> => ({ mechanism: 'digest', credential: { username: 'bob', password } });

/** Sessions expected to work get time to spare on a loaded machine; those expected to fail get CONNECT_TIMEOUT_MS. */
function secureSession(connectString: string, security: SessionSecurity, timeoutMs = 15_000): ZkSession {
  return new ZkSession({ connectString, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, transport: secureTransport(security) });
}
const failingSession = (connectString: string, security: SessionSecurity): ZkSession => secureSession(connectString, security, CONNECT_TIMEOUT_MS);

/** Seeds one HS2 instance and one lock through `session`, then lists and walks them back. */
async function listsInstancesAndReadsLocks(session: ZkSession, tag: string): Promise<void> {
  await registerHs2(session, `hs2-${tag}`, { host: `${tag}.example.com`, port: 10000, variant: 'v3-binary', version: '3.1.3' });
  await takeLock(session, `locks_${tag}`, { db: 'sales', table: 'orders', mode: 'SHARED', queryId: `q_${tag}`, query: 'select 1' });
  const listing = await listInstances(session, `hs2-${tag}`);
  assert.deepEqual(listing.instances.map((i) => [i.host, i.port]), [[`${tag}.example.com`, 10000]]);
  const locks = await walkLocks(session, `locks_${tag}`);
  assert.deepEqual(locks.locks.map((l) => [l.mode, l.data.queryId]), [['SHARED', `q_${tag}`]]);
}

/**
 * Opens a session that must fail: the right code, within the connect timeout (plus slack), no state
 * change afterwards (no reconnect loop), and no secret anywhere in what is reported.
 */
async function failsWith(session: ZkSession, code: string, message: RegExp, secrets: string[] = []): Promise<HiveZkError> {
  const changes: StateChange[] = [];
  session.onDidChangeState((c) => changes.push(c));
  const started = Date.now();
  try {
    const error = await session.open().then(
      () => assert.fail('the session should not open'),
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    assert.ok(error instanceof HiveZkError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    assert.ok(elapsed < CONNECT_TIMEOUT_MS + 1500, `failed after ${elapsed} ms`);
    const changesAtFailure = changes.length;
    await delay(1000);
    assert.equal(changes.length, changesAtFailure, `state kept changing: ${changes.map((c) => c.state).join(', ')}`);
    const shown = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(changes.map((c) => c.error?.toJSON()))}`;
    for (const secret of [...secrets, certs.password]) {
      assert.ok(!shown.includes(secret), 'a secret leaked into the error');
    }
    return error;
  } finally {
    session.close();
  }
}

test('TLS: mutual TLS with a PEM CA and a PEM client certificate lists instances and reads locks', async () => {
  const session = secureSession(tlsZk.secureConnectString, { tls: goodTls() });
  try {
    await listsInstancesAndReadsLocks(session, 'tlspem');
  } finally {
    session.close();
  }
});

test('TLS: Java stores work as they are (JKS truststore, PKCS12 keystore), by host name too', async () => {
  const session = secureSession(`localhost:${tlsZk.servers[0]?.securePort}`, {
    tls: { caFile: certs.truststoreJks, caPassword: certs.password, keystoreFile: certs.clientP12, keystorePassword: certs.password },
  });
  try {
    await listsInstancesAndReadsLocks(session, 'tlsjava');
  } finally {
    session.close();
  }
});

test('TLS: a CA that did not sign the server → ZK_TLS_FAILED (unknown CA) at once, not after retrying until the timeout', async () => {
  const session = failingSession(tlsZk.secureConnectString, { tls: { ...goodTls(), caFile: certs.otherCaPem } });
  const states: string[] = [];
  session.onDidChangeState((c) => states.push(c.state));
  await failsWith(session, 'ZK_TLS_FAILED', /not signed by a trusted CA/);
  // 'authFailed' is the give-up-now path; a connect timeout would end in 'error'.
  assert.deepEqual(states.slice(0, 2), ['connecting', 'authFailed']);
});

test('TLS: no client certificate where the server needs one → ZK_TLS_FAILED', async () => {
  await failsWith(failingSession(tlsZk.secureConnectString, { tls: { caFile: certs.caPem } }), 'ZK_TLS_FAILED', /client certificate|did not speak TLS/);
});

test('TLS: the plain client port → ZK_TLS_FAILED saying it is not a TLS port', async () => {
  await failsWith(failingSession(tlsZk.connectString, { tls: goodTls() }), 'ZK_TLS_FAILED', /did not speak TLS/);
});

test('TLS: a wrong keystore password is ZK_TLS_FAILED before any connection, without the password', () => {
  const wrong = 'wrong-keystore-pass-9';
  assert.throws(
    () => secureTransport({ tls: { caFile: certs.caPem, keystoreFile: certs.clientJks, keystorePassword: wrong } }),
    (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_TLS_FAILED' && !JSON.stringify(e).includes(wrong) && !e.message.includes(wrong),
  );
});

test('SASL DIGEST-MD5: an enforcing server accepts the credential; instances and locks', async () => {
  const session = secureSession(saslZk.connectString, { sasl: digest() });
  try {
    await listsInstancesAndReadsLocks(session, 'digest');
  } finally {
    session.close();
  }
});

test('SASL DIGEST-MD5: a wrong password → ZK_SASL_FAILED at once, the password nowhere', async () => {
  const wrong = 'not-bobs-password-3';
  const error = await failsWith(failingSession(saslZk.connectString, { sasl: digest(wrong) }), 'ZK_SASL_FAILED', /rejected the DIGEST-MD5 authentication/, [wrong, DIGEST_PASSWORD]);
  assert.equal(error.details.zkCode, -124);
});

test('SASL DIGEST-MD5 against a server without SASL → ZK_SASL_FAILED saying the server has none', async () => {
  await failsWith(failingSession(tlsZk.connectString, { sasl: digest() }), 'ZK_SASL_FAILED', /no SASL configured/, [DIGEST_PASSWORD]);
});

test('SASL: a server that enforces SASL, and no SASL configured → ZK_SASL_REQUIRED', async () => {
  const session = new ZkSession({ connectString: saslZk.connectString, connectTimeoutMs: CONNECT_TIMEOUT_MS, requestTimeoutMs: CONNECT_TIMEOUT_MS });
  try {
    await assert.rejects(session.getChildren('/'), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_SASL_REQUIRED' && /none is configured/.test(e.message));
  } finally {
    session.close();
  }
});

test('SASL DIGEST-MD5 is redone on the new connection after a server restart: same session, reads still allowed', async () => {
  const session = secureSession(saslZk.connectString, { sasl: digest() });
  const server = saslZk.servers[0];
  assert.ok(server);
  try {
    await session.getChildren('/');
    const sessionId = session.sessionId;
    await server.stop();
    server.start();
    await server.waitServing();
    // The session survives (same id, same generation); an enforcing server only serves it if SASL ran again.
    const deadline = Date.now() + 15_000;
    let children: string[] | undefined;
    while (!children && Date.now() < deadline) {
      children = await session.getChildren('/').then((r) => r.children, () => undefined);
      if (!children) {
        await delay(200);
      }
    }
    assert.ok(children?.includes('zookeeper'), 'reads work after the reconnect');
    assert.equal(session.sessionId, sessionId);
    assert.equal(session.generation, 1);
  } finally {
    session.close();
  }
});

test('CLI: --tls with Java stores (passwords from env) lists instances; resolve honours zooKeeperSSLEnable and masks store passwords', async (t) => {
  // The instance is ephemeral: the seeding session stays open while the CLI reads it.
  const seeder = secureSession(tlsZk.secureConnectString, { tls: goodTls() });
  t.after(() => seeder.close());
  await registerHs2(seeder, 'hs2-cli', { host: 'cli.example.com', port: 10000, variant: 'v3-binary', version: '3.1.3' });
  const env = { HIVEZK_TLS_TRUSTSTORE_PASSWORD: certs.password, HIVEZK_TLS_KEYSTORE_PASSWORD: certs.password };
  const listed = await hiveZk(env, 'instances', '--zk', tlsZk.secureConnectString, '--namespace', 'hs2-cli', '--tls', '--tls-ca', certs.truststoreJks, '--tls-keystore', certs.clientP12, '--timeout', '15000');
  assert.equal(listed.code, 0, listed.output);
  assert.deepEqual((listed.json.instances as { host: string }[]).map((i) => i.host), ['cli.example.com']);
  const pem = await hiveZk({}, 'locks', '--zk', tlsZk.secureConnectString, '--tls', '--tls-ca', certs.caPem, '--tls-cert', certs.clientCertPem, '--tls-key', certs.clientKeyPem, '--timeout', '15000');
  assert.equal(pem.code, 0, pem.output);
  const url =
    `jdbc:hive2://${tlsZk.secureConnectString}/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hs2-cli;zooKeeperSSLEnable=true` +
    `;zooKeeperTruststoreLocation=${certs.truststoreP12};zooKeeperTruststorePassword=${certs.password};zooKeeperTruststoreType=PKCS12` +
    `;zooKeeperKeystoreLocation=${certs.clientJks};zooKeeperKeystorePassword=${certs.password};zooKeeperKeystoreType=JKS`;
  const resolved = await hiveZk({}, 'resolve', url, '--timeout', '15000');
  assert.equal(resolved.code, 0, resolved.output);
  assert.match((resolved.json.chosen as { url: string }).url, /^jdbc:hive2:\/\/cli\.example\.com:10000\/default/);
  assert.ok(!resolved.output.includes(certs.password), 'store password printed');
});

test('CLI: TLS and SASL failures exit 1 with their code within the timeout, secrets nowhere', async () => {
  const wrongCa = await hiveZk({}, 'namespaces', '--zk', tlsZk.secureConnectString, '--tls-ca', certs.otherCaPem, '--tls-cert', certs.clientCertPem, '--tls-key', certs.clientKeyPem, '--timeout', '3000');
  assert.deepEqual([wrongCa.code, errorCode(wrongCa)], [1, 'ZK_TLS_FAILED'], wrongCa.output);
  assert.ok(wrongCa.ms < 3000 + 3000, `took ${wrongCa.ms} ms`);
  const wrongPassword = 'cli-wrong-password-1';
  const badSasl = await hiveZk({ HIVEZK_SASL: `bob:${wrongPassword}` }, 'instances', '--zk', saslZk.connectString, '--sasl', 'digest', '--timeout', '3000');
  assert.deepEqual([badSasl.code, errorCode(badSasl)], [1, 'ZK_SASL_FAILED'], badSasl.output);
  assert.ok(!badSasl.output.includes(wrongPassword));
  const goodSasl = await hiveZk({ HIVEZK_SASL: `bob:${DIGEST_PASSWORD}` }, 'namespaces', '--zk', saslZk.connectString, '--sasl', 'digest', '--timeout', '15000');
  assert.equal(goodSasl.code, 0, goodSasl.output);
  assert.ok(!goodSasl.output.includes(DIGEST_PASSWORD));
  const noSasl = await hiveZk({}, 'namespaces', '--zk', saslZk.connectString, '--timeout', '3000');
  assert.deepEqual([noSasl.code, errorCode(noSasl)], [1, 'ZK_SASL_REQUIRED'], noSasl.output);
  const noCredential = await hiveZk({ HIVEZK_SASL: '' }, 'namespaces', '--zk', saslZk.connectString, '--sasl', 'digest');
  assert.deepEqual([noCredential.code, errorCode(noCredential)], [2, 'BAD_ARGUMENT']);
});
