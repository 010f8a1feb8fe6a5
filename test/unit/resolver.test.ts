// The driver's applyConfs table (hive-zk-spec §2.4), row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPublishedSettings } from '../../src/core/resolver';

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
