// Kerberos authentication that explains itself, against a real MIT KDC and a Kerberos-enforcing
// ZooKeeper 3.8 whose namespace has the ACL sasl:alice@REALM only: bob is named in his ZK_NO_AUTH
// with Kerberos advice; an expired ticket says so with its end time; an unreachable KDC is named by
// realm; a server whose keytab no longer matches is a keytab hint. Each within the connect timeout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HiveZkError } from '../../src/core/errors';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { secureTransport } from '../../src/core/zk/auth/secureTransport';
import { readTicketCache } from '../../src/core/zk/auth/ticketCache';
import { ZkSession, type StateChange } from '../../src/core/zk/session';
import { hiveZk } from '../support/cli';
import { registerHs2 } from '../support/hiveSeed';
import { startKdc, type Kdc } from '../support/kdc';
import { delay, freePort, startZooKeeper, type ZkCluster } from '../support/zkServer';

const CONNECT_TIMEOUT_MS = 10_000;
const ALICE_PASSWORD = 'alice-krb-pw-21';
const BOB_PASSWORD = 'bob-krb-pw-21';

let kdc: Kdc;
let zk: ZkCluster;
let aliceCache: string;
let bobCache: string;
let seeder: ZkSession | undefined;
const savedEnv = { KRB5_CONFIG: process.env.KRB5_CONFIG, KRB5CCNAME: process.env.KRB5CCNAME };
before(async () => {
  kdc = await startKdc();
  kdc.addPrincipal('zookeeper/localhost');
  kdc.addPrincipal('alice', ALICE_PASSWORD);
  kdc.addPrincipal('bob', BOB_PASSWORD);
  const keytab = kdc.keytab(`zookeeper/localhost@${kdc.realm}`);
  aliceCache = kdc.kinit('alice', ALICE_PASSWORD);
  bobCache = kdc.kinit('bob', BOB_PASSWORD);
  zk = await startZooKeeper({ sasl: { mechanism: 'kerberos', principal: `zookeeper/localhost@${kdc.realm}`, keytab, krb5Conf: kdc.krb5Conf } });
  process.env.KRB5_CONFIG = kdc.krb5Conf;
  process.env.KRB5CCNAME = aliceCache;
  // The namespace and its registration are alice's alone (CREATOR_ALL_ACL = sasl:alice@HIVEZK.TEST);
  // her session stays open so that the (ephemeral) registration lives.
  seeder = kerberosSession();
  await seeder.create('/hs2-alice', Buffer.alloc(0), 'persistent', 'creatorOnly');
  await registerHs2(seeder, 'hs2-alice', { host: 'alice.example.com', port: 10000, variant: 'v3-kerberos', version: '3.1.3', principal: 'hive/_HOST@HIVEZK.TEST' });
  assert.deepEqual((await seeder.getAcl('/hs2-alice')).acls, [{ scheme: 'sasl', id: `alice@${kdc.realm}`, permissions: 'rwcda' }]);
});
after(async () => {
  seeder?.close();
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

const connectString = (): string => `localhost:${zk.port}`;
function kerberosSession(): ZkSession {
  return new ZkSession({ connectString: connectString(), connectTimeoutMs: CONNECT_TIMEOUT_MS, requestTimeoutMs: CONNECT_TIMEOUT_MS, transport: secureTransport({ sasl: { mechanism: 'kerberos' } }) });
}

/** Opens a session that must fail: its error, checked to come within the connect timeout and to end in no reconnect loop. */
async function failedOpen(session: ZkSession): Promise<HiveZkError> {
  const changes: StateChange[] = [];
  session.onDidChangeState((c) => changes.push(c));
  const started = Date.now();
  const error = await session.open().then(
    () => assert.fail('the session should not open'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof HiveZkError, String(error));
  assert.ok(Date.now() - started < CONNECT_TIMEOUT_MS + 1500, `took ${Date.now() - started} ms`);
  const count = changes.length;
  await delay(1000);
  assert.equal(changes.length, count, changes.map((c) => c.state).join(', '));
  for (const secret of [ALICE_PASSWORD, BOB_PASSWORD]) {
    assert.ok(!JSON.stringify(error).includes(secret) && !error.message.includes(secret));
  }
  return error;
}

test('whoAmI: alice is sasl:alice@HIVEZK.TEST (and ip) to the server', async () => {
  process.env.KRB5CCNAME = aliceCache;
  const session = kerberosSession();
  try {
    const who = await session.whoAmI();
    assert.equal(who.source, 'server');
    assert.deepEqual(who.identities.map((i) => `${i.scheme}:${i.id}`).sort(), [`ip:127.0.0.1`, `sasl:alice@${kdc.realm}`]);
    assert.equal(who.client.mechanism, 'GSSAPI');
    assert.equal(who.client.saslUser, `alice@${kdc.realm}`);
    assert.equal((await listInstances(session, 'hs2-alice')).instances.length, 1);
  } finally {
    session.close();
  }
});

test('bob (valid ticket, not in the ACL): ZK_NO_AUTH names sasl:bob@HIVEZK.TEST with Kerberos advice, never a digest credential', async () => {
  process.env.KRB5CCNAME = bobCache;
  const session = kerberosSession();
  try {
    const error = await listInstances(session, 'hs2-alice').then(
      () => assert.fail('bob should not read alice\'s namespace'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HiveZkError && error.code === 'ZK_NO_AUTH', String(error));
    assert.match(error.message, new RegExp(`sasl:bob@${kdc.realm}`));
    assert.match(error.message, /not allowed/);
    assert.match(error.message, /kinit/);
    assert.doesNotMatch(error.message, /digest/i);
    assert.equal(error.details.identitySource, 'server');
    assert.equal(session.state, 'connected');
  } finally {
    session.close();
  }
});

test('an expired ticket says "expired" with its end time, within the connect timeout', async () => {
  const cache = `FILE:${join(kdc.dir, 'ccache-short')}`;
  const kinit = spawnSync('/usr/bin/kinit', ['-l', '5s', '-c', cache, 'bob'], { env: kdc.env(), input: `${BOB_PASSWORD}\n`, encoding: 'utf8', timeout: 30_000 });
  assert.equal(kinit.status, 0, kinit.stderr);
  const ticket = readTicketCache(cache.slice('FILE:'.length));
  assert.ok(ticket?.tgtEndsAt !== undefined, 'the cache names its TGT');
  await delay(Math.max(0, ticket.tgtEndsAt - Date.now()) + 1500);
  process.env.KRB5CCNAME = cache;
  const session = kerberosSession();
  try {
    const error = await failedOpen(session);
    assert.equal(error.code, 'ZK_KERBEROS_UNAVAILABLE', error.message);
    assert.equal(error.details.reason, 'expired');
    assert.match(error.message, new RegExp(`The Kerberos ticket of bob@${kdc.realm} expired at ${new Date(ticket.tgtEndsAt).toISOString().replace(/\./g, '\\.')}: run \`kinit\``));
    // Nothing was judged by the server: this is no authentication failure.
    assert.equal(session.state, 'authFailed');
  } finally {
    session.close();
  }
});

test('an unreachable KDC (nothing listening on its port) says so, naming the realm', async () => {
  // A fresh ticket-granting ticket, but no service ticket yet: the client must ask the KDC for one.
  const cache = kdc.kinit('bob', BOB_PASSWORD);
  const deadKdc = join(kdc.dir, 'krb5-dead-kdc.conf');
  const port = await freePort();
  writeFileSync(deadKdc, readFileSync(kdc.krb5Conf, 'utf8').replace(/kdc = 127\.0\.0\.1:\d+/, `kdc = 127.0.0.1:${port}`));
  process.env.KRB5CCNAME = cache;
  process.env.KRB5_CONFIG = deadKdc;
  const session = kerberosSession();
  try {
    const error = await failedOpen(session);
    assert.equal(error.code, 'ZK_KERBEROS_UNAVAILABLE', error.message);
    assert.deepEqual([error.details.reason, error.details.realm], ['kdcUnreachable', kdc.realm]);
    assert.match(error.message, new RegExp(`Cannot reach a Kerberos KDC for realm ${kdc.realm}`));
  } finally {
    session.close();
    process.env.KRB5_CONFIG = kdc.krb5Conf;
  }
});

test('CLI health: the session\'s identities as the server sees them, existing keys unchanged', async () => {
  const env = { KRB5_CONFIG: kdc.krb5Conf, KRB5CCNAME: bobCache };
  const result = await hiveZk(env, 'health', '--zk', connectString(), '--sasl', 'kerberos', '--timeout', '10000');
  assert.equal(result.code, 0, result.output);
  assert.deepEqual(result.json.authentication, { source: 'server', identities: [`sasl:bob@${kdc.realm}`, 'ip:127.0.0.1'] });
  for (const key of ['connectString', 'checkedAt', 'servers', 'clients', 'hints', 'registry']) {
    assert.ok(key in result.json, key);
  }
  assert.ok(!result.output.includes(BOB_PASSWORD));
});

// Last: it changes the service's key in the KDC, so the server's keytab no longer matches.
test('a server whose keytab no longer matches the KDC: the rejection hints at the keytab and at kdestroy && kinit', async () => {
  const rekey = spawnSync('/usr/sbin/kadmin.local', ['-r', kdc.realm, '-q', `cpw -randkey zookeeper/localhost@${kdc.realm}`], { env: kdc.env(), encoding: 'utf8', timeout: 30_000 });
  assert.equal(rekey.status, 0, rekey.stderr);
  process.env.KRB5CCNAME = kdc.kinit('bob', BOB_PASSWORD);
  const session = kerberosSession();
  try {
    const error = await failedOpen(session);
    assert.equal(error.code, 'ZK_SASL_FAILED', error.message);
    assert.match(error.message, /keytab/);
    assert.match(error.message, /`kdestroy && kinit`/);
    assert.equal(session.state, 'authFailed');
  } finally {
    session.close();
  }
});
