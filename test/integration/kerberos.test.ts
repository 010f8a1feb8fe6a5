// Kerberos (SASL GSSAPI) against a real MIT KDC and a ZooKeeper whose JAAS Server section holds a
// service keytab: a `kinit` ticket lists instances and reads locks; no ticket is
// ZK_KERBEROS_UNAVAILABLE within the connect timeout, with no reconnect loop.
import { execFile } from 'node:child_process';
import { lookupService } from 'node:dns/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { secureTransport } from '../../src/core/zk/auth/secureTransport';
import { ZkSession, type StateChange } from '../../src/core/zk/session';
import { errorCode, hiveZk } from '../support/cli';
import { registerHs2, takeLock } from '../support/hiveSeed';
import { startKdc, type Kdc } from '../support/kdc';
import { delay, startZooKeeper, type ZkCluster } from '../support/zkServer';

const CONNECT_TIMEOUT_MS = 10_000;
const ALICE_PASSWORD = 'alice-kerberos-pw-5';

let kdc: Kdc;
let zk: ZkCluster;
let aliceCache: string;
const savedEnv = { KRB5_CONFIG: process.env.KRB5_CONFIG, KRB5CCNAME: process.env.KRB5CCNAME };
before(async () => {
  kdc = await startKdc();
  kdc.addPrincipal('zookeeper/localhost');
  kdc.addPrincipal('alice', ALICE_PASSWORD);
  const keytab = kdc.keytab(`zookeeper/localhost@${kdc.realm}`);
  aliceCache = kdc.kinit('alice', ALICE_PASSWORD);
  zk = await startZooKeeper({ sasl: { mechanism: 'kerberos', principal: `zookeeper/localhost@${kdc.realm}`, keytab, krb5Conf: kdc.krb5Conf } });
  // The GSSAPI library reads these from the process environment, as for any kinit user.
  process.env.KRB5_CONFIG = kdc.krb5Conf;
});
after(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) {
      delete process.env[key];
    } else {
      process.env[key] = value;
    }
  }
  await zk?.stop();
  await kdc?.stop();
});

/** Service principals name the host: connect by the name the keytab holds (zookeeper/localhost). */
const connectString = (): string => `localhost:${zk.port}`;
const kerberosSession = (): ZkSession =>
  new ZkSession({ connectString: connectString(), connectTimeoutMs: CONNECT_TIMEOUT_MS, requestTimeoutMs: CONNECT_TIMEOUT_MS, transport: secureTransport({ sasl: { mechanism: 'kerberos' } }) });

test('Kerberos: a kinit ticket authenticates; instances and locks', async () => {
  process.env.KRB5CCNAME = aliceCache;
  const session = kerberosSession();
  try {
    await registerHs2(session, 'hs2-krb', { host: 'krb.example.com', port: 10000, variant: 'v3-kerberos', version: '3.1.3', principal: 'hive/_HOST@HIVEZK.TEST' });
    await takeLock(session, 'locks_krb', { db: 'sales', mode: 'EXCLUSIVE', queryId: 'q_krb', query: 'insert' });
    const listing = await listInstances(session, 'hs2-krb');
    assert.deepEqual(listing.instances.map((i) => [i.host, i.principal]), [['krb.example.com', 'hive/_HOST@HIVEZK.TEST']]);
    const locks = await walkLocks(session, 'locks_krb');
    assert.deepEqual(locks.locks.map((l) => [l.mode, l.data.queryId]), [['EXCLUSIVE', 'q_krb']]);
  } finally {
    session.close();
  }
});

/**
 * Opens a Kerberos session that must be refused: resolves with the typed error once it is checked
 * to come within the connect timeout, with no state change after it (no reconnect loop).
 */
async function refusedOnce(code: string): Promise<HiveZkError> {
  const session = kerberosSession();
  const changes: StateChange[] = [];
  session.onDidChangeState((c) => changes.push(c));
  const started = Date.now();
  try {
    const error = await session.open().then(
      () => assert.fail('the session should not open'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HiveZkError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok(Date.now() - started < CONNECT_TIMEOUT_MS + 1500);
    const count = changes.length;
    await delay(1000);
    assert.equal(changes.length, count, changes.map((c) => c.state).join(', '));
    assert.equal(session.state, 'authFailed');
    return error;
  } finally {
    session.close();
  }
}

test('Kerberos: no ticket → ZK_KERBEROS_UNAVAILABLE saying to kinit, within the timeout, no reconnect loop', async () => {
  process.env.KRB5CCNAME = `FILE:${kdc.dir}/no-such-ccache`;
  try {
    const error = await refusedOnce('ZK_KERBEROS_UNAVAILABLE');
    assert.match(error.message, /kinit/);
    assert.ok(!JSON.stringify(error).includes(ALICE_PASSWORD));
  } finally {
    process.env.KRB5CCNAME = aliceCache;
  }
});

test('Kerberos: a ticket of another realm (whose KDC has no such service) → typed ZK_SASL_FAILED within the timeout, no reconnect loop', async (t) => {
  const other = await startKdc('OTHER.TEST');
  t.after(() => other.stop());
  other.addPrincipal('carol', 'carol-other-realm-pw');
  // carol's own krb5.conf: her realm is OTHER.TEST, whose KDC has never heard of zookeeper/localhost.
  process.env.KRB5_CONFIG = other.krb5Conf;
  process.env.KRB5CCNAME = other.kinit('carol', 'carol-other-realm-pw');
  try {
    const error = await refusedOnce('ZK_SASL_FAILED');
    assert.match(error.message, /zookeeper\/localhost/);
    assert.ok(!error.message.includes('carol-other-realm-pw'));
  } finally {
    process.env.KRB5_CONFIG = kdc.krb5Conf;
    process.env.KRB5CCNAME = aliceCache;
  }
});

test('Kerberos: a service name the KDC does not know → ZK_SASL_FAILED naming the principal', async () => {
  process.env.KRB5CCNAME = aliceCache;
  const session = new ZkSession({ connectString: connectString(), connectTimeoutMs: CONNECT_TIMEOUT_MS, transport: secureTransport({ sasl: { mechanism: 'kerberos', service: 'zk-nope' } }) });
  try {
    await assert.rejects(session.open(), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_SASL_FAILED' && /zk-nope\/localhost/.test(e.message));
  } finally {
    session.close();
  }
});

test('CLI: --sasl kerberos lists instances with a ticket; without one it exits 1 with ZK_KERBEROS_UNAVAILABLE', async (t) => {
  process.env.KRB5CCNAME = aliceCache;
  const seeder = kerberosSession();
  t.after(() => seeder.close());
  await registerHs2(seeder, 'hs2-krbcli', { host: 'krbcli.example.com', port: 10000, variant: 'v3-binary', version: '3.1.3' });
  const env = { KRB5_CONFIG: kdc.krb5Conf, KRB5CCNAME: aliceCache };
  const listed = await hiveZk(env, 'instances', '--zk', connectString(), '--namespace', 'hs2-krbcli', '--sasl', 'kerberos', '--kerberos-service', 'zookeeper', '--timeout', '15000');
  assert.equal(listed.code, 0, listed.output);
  assert.deepEqual((listed.json.instances as { host: string }[]).map((i) => i.host), ['krbcli.example.com']);
  const noTicket = await hiveZk({ ...env, KRB5CCNAME: `FILE:${kdc.dir}/none` }, 'namespaces', '--zk', connectString(), '--sasl', 'kerberos', '--timeout', '5000');
  assert.deepEqual([noTicket.code, errorCode(noTicket)], [1, 'ZK_KERBEROS_UNAVAILABLE'], noTicket.output);
  assert.ok(noTicket.ms < 5000 + 3000, `took ${noTicket.ms} ms`);
});

/**
 * ZooKeeper's own Java client (zkCli's ZooKeeperMain) listing `path` over Kerberos with this ticket
 * cache: did it authenticate? Asynchronous: the seeding session must keep its heartbeats meanwhile.
 */
async function javaClientLists(server: string, path: string, ccache: string, canonicalize: boolean): Promise<{ ok: boolean; output: string }> {
  const jaas = join(kdc.dir, `java-client-${canonicalize}.jaas`);
  writeFileSync(jaas, ['Client {', '  com.sun.security.auth.module.Krb5LoginModule required', '  useTicketCache=true', `  ticketCache="${ccache.replace(/^FILE:/, '')}"`, '  doNotPrompt=true;', '};', ''].join('\n'));
  const classpath = ['/usr/share/java/zookeeper.jar', '/usr/share/java/zookeeper-jute.jar', '/usr/share/java/slf4j-api.jar', '/usr/share/java/slf4j-nop.jar'].filter((jar) => existsSync(jar)).join(':');
  const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    execFile(
      'java',
    [
      `-Djava.security.auth.login.config=${jaas}`,
      `-Djava.security.krb5.conf=${kdc.krb5Conf}`,
      `-Dzookeeper.sasl.client.canonicalize.hostname=${canonicalize}`,
      '-Dsun.security.krb5.disableReferrals=true',
      '-cp',
      classpath,
      'org.apache.zookeeper.ZooKeeperMain',
      '-server',
      server,
      'ls',
      path,
    ],
      { encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    ),
  );
  const output = `${result.stdout}${result.stderr}`;
  return { ok: result.status === 0 && output.includes('serverUri=java.example.com'), output };
}

/** A second loopback name from /etc/hosts (not the canonical name of its address), to tell canonicalization on from off. */
async function loopbackAlias(): Promise<string | undefined> {
  const lines = readFileSync('/etc/hosts', 'utf8').split('\n').slice(0, 200);
  for (const line of lines) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || !/^127\.\d+\.\d+\.\d+$/.test(address)) {
      continue;
    }
    const canonical = (await lookupService(address, 0).catch(() => undefined))?.hostname;
    const alias = names.find((name) => name !== canonical && /^[A-Za-z0-9.-]+$/.test(name));
    if (alias) {
      return alias;
    }
  }
  return undefined;
}

test('Kerberos host names: the server principal is formed as ZooKeeper\'s Java client forms it, with canonicalization on and off', async (t) => {
  process.env.KRB5CCNAME = aliceCache;
  const seeder = kerberosSession();
  t.after(() => seeder.close());
  await registerHs2(seeder, 'hs2-canon', { host: 'java.example.com', port: 10000, variant: 'v3-binary', version: '3.1.3' });
  const failures: string[] = [];
  const ours = async (server: string, canonicalizeHostname: boolean): Promise<boolean> => {
    const session = new ZkSession({ connectString: server, connectTimeoutMs: CONNECT_TIMEOUT_MS, transport: secureTransport({ sasl: { mechanism: 'kerberos', canonicalizeHostname } }) });
    try {
      const listing = await listInstances(session, 'hs2-canon');
      if (listing.instances.length !== 1) {
        failures.push(`${server} ${canonicalizeHostname}: listed ${JSON.stringify(listing).slice(0, 300)}`);
      }
      return listing.instances.length === 1;
    } catch (error) {
      assert.ok(error instanceof HiveZkError && error.code === 'ZK_SASL_FAILED', String(error));
      failures.push(`${server} ${canonicalizeHostname}: ${error.message}`);
      return false;
    } finally {
      session.close();
    }
  };
  const compare = async (server: string, expected: { on: boolean; off: boolean }): Promise<void> => {
    const java = { on: await javaClientLists(server, '/hs2-canon', aliceCache, true), off: await javaClientLists(server, '/hs2-canon', aliceCache, false) };
    assert.deepEqual({ on: java.on.ok, off: java.off.ok }, expected, `Java's client on ${server}: ${java.on.output.slice(-800)} / ${java.off.output.slice(-800)}`);
    assert.deepEqual({ on: await ours(server, true), off: await ours(server, false) }, expected, `ours on ${server}: ${failures.join(' | ')}`);
  };
  // Measured: Java names an IP address by its reverse name whatever the setting (zookeeper/localhost).
  await compare(`127.0.0.1:${zk.port}`, { on: true, off: true });
  const env = { KRB5_CONFIG: kdc.krb5Conf, KRB5CCNAME: aliceCache };
  const cli = await hiveZk(env, 'instances', '--zk', `127.0.0.1:${zk.port}`, '--namespace', 'hs2-canon', '--sasl', 'kerberos', '--timeout', '15000');
  assert.equal(cli.code, 0, cli.output);
  const alias = await loopbackAlias();
  if (!alias) {
    t.diagnostic('no second loopback name in /etc/hosts: canonicalization off for a host name is checked in unit tests only');
    return;
  }
  // A name that is not its address's canonical name: canonicalized it works, as written (zookeeper/<alias>) the KDC knows no such principal.
  await compare(`${alias}:${zk.port}`, { on: true, off: false });
  const asWritten = await hiveZk(env, 'instances', '--zk', `${alias}:${zk.port}`, '--namespace', 'hs2-canon', '--sasl', 'kerberos', '--no-canonicalize-hostname', '--timeout', '15000');
  assert.deepEqual([asWritten.code, errorCode(asWritten)], [1, 'ZK_SASL_FAILED'], asWritten.output);
});
