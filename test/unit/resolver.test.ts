// The driver's applyConfs table (hive-zk-spec §2.4), row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPublishedSettings, resolveJdbcUrl } from '../../src/core/jdbc/resolver';

const rows: [string, Record<string, string>, Record<string, string>, Partial<ReturnType<typeof applyPublishedSettings>>][] = [
  ['bind host always wins', { 'hive.server2.thrift.bind.host': 'h2' }, {}, { host: 'h2' }],
  ['transport mode unless the URL sets it', { 'hive.server2.transport.mode': 'http' }, {}, { fromZnode: { transportMode: 'http' } }],
  ['URL transport mode wins', { 'hive.server2.transport.mode': 'http' }, { transportMode: 'binary' }, { fromZnode: {}, overriddenByUrl: { transportMode: 'http' } }],
  ['binary port always', { 'hive.server2.thrift.port': '10005' }, {}, { port: 10005 }],
  ['http port when no port yet', { 'hive.server2.thrift.http.port': '10001' }, {}, { port: 10001 }],
  ['binary port beats a later http port', { 'hive.server2.thrift.port': '10000', 'hive.server2.thrift.http.port': '10001' }, {}, { port: 10000 }],
  ['binary port overrides an earlier http port', { 'hive.server2.thrift.http.port': '10001', 'hive.server2.thrift.port': '10000' }, {}, { port: 10000 }],
  ['sasl qop unless set', { 'hive.server2.thrift.sasl.qop': 'auth-conf' }, {}, { fromZnode: { saslQop: 'auth-conf' } }],
  ['http path unless set', { 'hive.server2.thrift.http.path': 'cliservice' }, { httpPath: 'mine' }, { fromZnode: {}, overriddenByUrl: { httpPath: 'cliservice' } }],
  ['SSL unless set', { 'hive.server2.use.SSL': 'true' }, {}, { fromZnode: { ssl: 'true' } }],
  ['NOSASL forces auth=noSasl over the URL', { 'hive.server2.authentication': 'nosasl' }, { auth: 'kerberos' }, { fromZnode: { auth: 'noSasl' } }],
  ['other authentication values are ignored', { 'hive.server2.authentication': 'KERBEROS' }, {}, { fromZnode: {} }],
  ['principal unless the URL has one', { 'hive.server2.authentication.kerberos.principal': 'hive/_HOST@R' }, {}, { fromZnode: { principal: 'hive/_HOST@R' } }],
  ['URL principal wins', { 'hive.server2.authentication.kerberos.principal': 'hive/_HOST@R' }, { principal: 'me@R' }, { fromZnode: {}, overriddenByUrl: { principal: 'hive/_HOST@R' } }],
  ['no principal with auth=delegationToken', { 'hive.server2.authentication.kerberos.principal': 'hive/_HOST@R' }, { auth: 'delegationToken' }, { fromZnode: {} }],
  ['HIVE-11875: auth=delegationToken matched in any case (equalsIgnoreCase)', { 'hive.server2.authentication.kerberos.principal': 'hive/_HOST@R' }, { auth: 'DELEGATIONTOKEN' }, { fromZnode: {}, overriddenByUrl: { principal: 'hive/_HOST@R' } }],
  ['unknown keys ignored', { 'hive.server2.instance.uri': 'x:1', 'custom.key': 'v' }, {}, { fromZnode: {}, overriddenByUrl: {} }],
];

for (const [name, settings, urlVars, expected] of rows) {
  test(`applyConfs: ${name}`, () => {
    const applied = applyPublishedSettings(settings, urlVars);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(applied[key as keyof typeof applied], value, key);
    }
  });
}

test('HIVE-28217 direct URL: the port and usability follow the chosen driver version', async () => {
  const noSession = (): never => {
    throw new Error('a direct URL needs no ZooKeeper');
  };
  const latest = await resolveJdbcUrl('jdbc:hive2://h1/db;transportMode=http', noSession);
  assert.equal(latest.driver, '4.1+');
  assert.deepEqual([latest.chosen?.port, latest.chosen?.usable], [10001, true]);
  const old = await resolveJdbcUrl('jdbc:hive2://h1/db', noSession, { driver: '3' });
  assert.deepEqual([old.chosen?.port, old.chosen?.usable], [undefined, false]);
  assert.match(old.chosen?.problem ?? '', /port -1/);
  assert.ok(old.notes.some((n) => n.code === 'NO_DEFAULT_PORT'));
});

test('HIVE-18633: a zooKeeperHA URL is a direct URL to the first host for a Hive 2 driver', async () => {
  const resolution = await resolveJdbcUrl('jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeperHA', () => {
    throw new Error('a Hive 2 driver does not read ZooKeeper here');
  }, { driver: '2' });
  assert.deepEqual([resolution.mode, resolution.chosen?.host, resolution.chosen?.port], ['direct', 'zk1', 2181]);
});

test('Utils.parseURL host-text replacement and version comparison reach the resolution, without the password', async () => {
  const resolution = await resolveJdbcUrl('jdbc:hive2://hs2.example.com/;principal=hive/hs2.example.com@R;password=pw=1;PASSWORD=zz9', () => {
    throw new Error('direct');
  }, { compareVersions: true });
  assert.ok(resolution.notes.some((n) => n.code === 'HOST_TEXT_REPLACED'));
  assert.ok(resolution.versions?.differences.some((d) => d.startsWith('port:')));
  const text = JSON.stringify(resolution);
  assert.ok(!text.includes('pw') && !text.includes('zz9'), 'no part of a password, whatever the key case or split');
  assert.equal(resolution.chosen?.driverUrl, 'jdbc:hive2://hs2.example.com/default;principal=hive/hs2.example.com@R');
});
