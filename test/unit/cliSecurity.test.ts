// hive-zk's security flags and a JDBC URL's zooKeeper* parameters → session security (table-tested).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { securityFromFlags } from '../../src/cli/security';
import { HiveZkError } from '../../src/core/errors';
import { describeSecurity, tlsFromJdbcSessionVars } from '../../src/core/zk/auth/secureTransport';

const flags = (values: Record<string, string | true>) => (name: string) => values[name];
const isBad = (error: unknown) => error instanceof HiveZkError && error.code === 'BAD_ARGUMENT';

const cases: [string, Record<string, string | true>, Record<string, string>, unknown][] = [
  ['nothing', {}, {}, undefined],
  ['--tls alone trusts the system CAs', { tls: true }, {}, { tls: {} }],
  ['--tls-ca implies TLS; its password from env', { 'tls-ca': 'ca.jks' }, { HIVEZK_TLS_TRUSTSTORE_PASSWORD: 'tp' }, { tls: { caFile: 'ca.jks', caPassword: 'tp' } }],
  ['PEM client cert + key', { tls: true, 'tls-cert': 'c.pem', 'tls-key': 'k.pem' }, {}, { tls: { certFile: 'c.pem', keyFile: 'k.pem' } }],
  ['keystore with env password', { tls: true, 'tls-keystore': 'k.p12' }, { HIVEZK_TLS_KEYSTORE_PASSWORD: 'kp' }, { tls: { keystoreFile: 'k.p12', keystorePassword: 'kp' } }],
  ['--sasl digest reads HIVEZK_SASL', { sasl: 'digest' }, { HIVEZK_SASL: 'bob:pa:ss' }, { sasl: { mechanism: 'digest', credential: { username: 'bob', password: 'pa:ss' } } }],
  ['--sasl kerberos', { sasl: 'kerberos' }, {}, { sasl: { mechanism: 'kerberos' } }],
  ['--sasl kerberos --kerberos-service', { sasl: 'kerberos', 'kerberos-service': 'zk' }, {}, { sasl: { mechanism: 'kerberos', service: 'zk' } }],
  ['--sasl kerberos --no-canonicalize-hostname', { sasl: 'kerberos', 'no-canonicalize-hostname': true }, {}, { sasl: { mechanism: 'kerberos', canonicalizeHostname: false } }],
  ['TLS + digest', { tls: true, 'tls-ca': 'ca.pem', sasl: 'digest' }, { HIVEZK_SASL: 'u:p' }, { tls: { caFile: 'ca.pem' }, sasl: { mechanism: 'digest', credential: { username: 'u', password: 'p' } } }],
];
for (const [name, given, env, expected] of cases) {
  test(`security flags: ${name}`, () => assert.deepEqual(securityFromFlags(flags(given), env), expected));
}

const badCases: [string, Record<string, string | true>, Record<string, string>][] = [
  ['--sasl digest without HIVEZK_SASL', { sasl: 'digest' }, {}],
  ['--sasl with an unknown mechanism', { sasl: 'plain' }, {}],
  ['--kerberos-service without --sasl kerberos', { 'kerberos-service': 'zk' }, {}],
  ['--no-canonicalize-hostname without --sasl kerberos', { 'no-canonicalize-hostname': true }, {}],
  ['HIVEZK_SASL not user:password', { sasl: 'digest' }, { HIVEZK_SASL: 'justsecret' }],
];
for (const [name, given, env] of badCases) {
  test(`security flags: ${name} is BAD_ARGUMENT, without the secret`, () =>
    assert.throws(() => securityFromFlags(flags(given), env), (e: unknown) => isBad(e) && !(e as Error).message.includes('justsecret')));
}

test('JDBC URL: zooKeeperSSLEnable=true with Hive 4 store parameters (exact names, as the driver reads them)', () => {
  const vars = {
    zooKeeperSSLEnable: 'true',
    zooKeeperTruststoreLocation: '/etc/ts.jks',
    zooKeeperTruststorePassword: 'tsp',
    zooKeeperTruststoreType: 'jks',
    zooKeeperKeystoreLocation: '/etc/ks.p12',
    zooKeeperKeystorePassword: 'ksp',
    zooKeeperKeystoreType: 'PKCS12',
  };
  assert.deepEqual(tlsFromJdbcSessionVars(vars), { caFile: '/etc/ts.jks', caPassword: 'tsp', caType: 'JKS', keystoreFile: '/etc/ks.p12', keystorePassword: 'ksp', keystoreType: 'PKCS12' });
  assert.deepEqual(tlsFromJdbcSessionVars({ zooKeeperSSLEnable: 'TRUE' }), {});
  assert.equal(tlsFromJdbcSessionVars({ zooKeeperSSLEnable: 'false', zooKeeperTruststoreLocation: '/x' }), undefined);
  assert.equal(tlsFromJdbcSessionVars({}), undefined);
});

test('JDBC URL parameters fill in; flags win; env passwords only where the URL has none', () => {
  const url = { zooKeeperSSLEnable: 'true', zooKeeperTruststoreLocation: '/u/ts.jks', zooKeeperTruststorePassword: 'urlpw', zooKeeperKeystoreLocation: '/u/ks.jks' };
  assert.deepEqual(securityFromFlags(flags({}), { HIVEZK_TLS_TRUSTSTORE_PASSWORD: 'envpw', HIVEZK_TLS_KEYSTORE_PASSWORD: 'kenv' }, url), {
    tls: { caFile: '/u/ts.jks', caPassword: 'urlpw', keystoreFile: '/u/ks.jks', keystorePassword: 'kenv' },
  });
  assert.deepEqual(securityFromFlags(flags({ 'tls-ca': 'mine.pem', 'tls-cert': 'c.pem', 'tls-key': 'k.pem' }), {}, url), { tls: { caFile: 'mine.pem', certFile: 'c.pem', keyFile: 'k.pem' } });
});

test('describeSecurity names the mechanism and user, never the password', () => {
  assert.equal(describeSecurity(undefined), 'plain');
  assert.equal(describeSecurity({ tls: {}, sasl: { mechanism: 'digest', credential: { username: 'bob', password: 'hunter2' } } }), 'TLS + SASL DIGEST-MD5 as bob');
  assert.equal(describeSecurity({ sasl: { mechanism: 'kerberos' } }), 'plain + Kerberos (service zookeeper)');
});
