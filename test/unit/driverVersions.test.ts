// One test per row of DRIVER_DIFFERENCES (named by its Hive issue), plus version parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DRIVER_DIFFERENCES,
  HIVE_DRIVER_VERSIONS,
  emptyNamespaceMessage,
  has,
  parseDriverVersion,
  parseJdbcUrlAs,
  parseLegacyHostPort,
  reparsedPassword,
  type DifferenceId,
} from '../../src/core/jdbc/driverVersions';
import { compareDriverVersions, explainUrl } from '../../src/core/jdbc/driverQuirks';
import { HiveZkError } from '../../src/core/errors';
import { discoveryUrl } from '../../src/core/jdbc/hs2Urls';

test('parseDriverVersion maps releases to the modelled lines', () => {
  const cases: [string, string][] = [
    ['2', '2'], ['2.3.9', '2'], ['3', '3'], ['3.1.3', '3'], ['4.0', '4.0'], ['4.0.1', '4.0'], ['4.1', '4.1+'], ['4.1+', '4.1+'], ['4.1.0', '4.1+'], ['4.2.0', '4.1+'],
  ];
  for (const [text, expected] of cases) {
    assert.equal(parseDriverVersion(text), expected, text);
  }
  for (const bad of ['1.2.2', '4', 'latest', '', '4.x']) {
    assert.throws(() => parseDriverVersion(bad), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ARGUMENT', bad);
  }
});

const rowTests: Record<DifferenceId, () => void> = {
  zooKeeperHA: () => {
    const url = 'jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeperHA';
    const v2 = parseJdbcUrlAs(url, '2');
    assert.equal(v2.discovery, undefined);
    assert.deepEqual(v2.hosts, [{ host: 'zk1', port: 2181 }]);
    assert.equal(parseJdbcUrlAs(url, '3').discovery, 'zooKeeperHA');
  },
  retryInterval: () => {
    const url = 'jdbc:hive2://h:10000/;retryInterval=500';
    assert.ok(explainUrl(url, '3').some((n) => n.code === 'SETTING_UNKNOWN_TO_VERSION' && /HIVE-21925/.test(n.message)));
    assert.ok(!explainUrl(url, '4.0').some((n) => n.code === 'SETTING_UNKNOWN_TO_VERSION'));
  },
  emptyNamespaceMessage: () => {
    assert.match(emptyNamespaceMessage('3'), /Unable to read HiveServer2 configs/);
    assert.match(emptyNamespaceMessage('4.0'), /No more HiveServer2 URIs/);
  },
  defaultPort: () => {
    assert.equal(parseJdbcUrlAs('jdbc:hive2://h/', '4.0').driverPort, -1);
    assert.equal(parseJdbcUrlAs('jdbc:hive2://h/', '4.1+').driverPort, 10000);
    assert.equal(parseJdbcUrlAs('jdbc:hive2://h:10005/', '2').driverPort, 10005);
  },
  httpDefaultPort: () => {
    assert.equal(parseJdbcUrlAs('jdbc:hive2://h/;transportMode=http', '4.1+').driverPort, 10001);
    assert.equal(parseJdbcUrlAs('jdbc:hive2://h/;transportMode=http', '3').driverPort, -1);
  },
  passwordReparse: () => {
    const url = 'jdbc:hive2://h:1/db;user=u;password=a=b#c';
    assert.equal(parseJdbcUrlAs(url, '4.0').sessionVars.password, undefined); // key "password=a", value "b"
    assert.equal(parseJdbcUrlAs(url, '4.1+').sessionVars.password, 'a=b#c');
    assert.equal(parseJdbcUrlAs('jdbc:hive2://h:1/db;PASSWORD=x', '4.1+').sessionVars.password, 'x');
    assert.equal(parseJdbcUrlAs('jdbc:hive2://h:1/db;PASSWORD=x', '4.0').sessionVars.password, undefined);
    // Derived from the regex: the value runs to the next ";" across "?".
    assert.equal(reparsedPassword('jdbc:hive2://h:1/;password=bar?hive.server2.transport.mode=http;x=y', 'h:1'), 'bar?hive.server2.transport.mode=http');
    // "xpassword=" is not a match: the key must follow ";" or the start.
    assert.equal(reparsedPassword('jdbc:hive2://h:1/;xpassword=1', 'h:1'), undefined);
  },
  legacyHostPortIpv6: () => {
    assert.deepEqual(parseLegacyHostPort('h:10000', '4.0'), { host: 'h', port: 10000 });
    assert.equal(parseLegacyHostPort('[::1]:10000', '4.0'), undefined);
    assert.deepEqual(parseLegacyHostPort('h:99999', '4.0'), { host: 'h', port: 99999 }); // Integer.parseInt, no range check
    assert.deepEqual(parseLegacyHostPort('[::1]:10000', '4.1+'), { host: '::1', port: 10000 });
    assert.deepEqual(parseLegacyHostPort('fe80::1:10000', '4.1+'), { host: 'fe80::1', port: 10000 });
    assert.equal(parseLegacyHostPort('h:99999', '4.1+'), undefined);
    assert.equal(parseLegacyHostPort('h:010', '4.1+'), undefined); // leading zero refused by the port pattern
    assert.equal(parseLegacyHostPort(':10000', '4.1+'), undefined); // empty host
    assert.deepEqual(parseLegacyHostPort('h:0', '4.1+'), { host: 'h', port: 0 });
  },
};

for (const row of DRIVER_DIFFERENCES) {
  test(`driver difference ${row.hiveIssue} (${row.id}, since ${row.since}): ${row.source}`, () => {
    assert.ok(!has(HIVE_DRIVER_VERSIONS[0] ?? '2', row.id) || row.since === '2');
    assert.ok(has('4.1+', row.id));
    rowTests[row.id]();
  });
}

test('every table row has a test, and every test a row', () => {
  assert.deepEqual(Object.keys(rowTests).sort(), DRIVER_DIFFERENCES.map((r) => r.id).sort());
});

test('compareDriverVersions: a port-less direct URL with a special password (HIVE-28217, HIVE-28805)', () => {
  const { differences, readings } = compareDriverVersions('jdbc:hive2://h/;password=a=b');
  assert.ok(differences.some((d) => d.startsWith('port:') && /4\.0 → -1/.test(d) && /4\.1\+ → 10000/.test(d)), differences.join('\n'));
  assert.ok(differences.some((d) => d.startsWith('password:') && /4\.1\+ → 3 characters/.test(d)));
  assert.ok(!JSON.stringify({ differences, readings }).includes('a=b'), 'the password never appears');
});

test('compareDriverVersions: a plain URL with a port reads alike everywhere', () => {
  assert.deepEqual(compareDriverVersions('jdbc:hive2://h:10000/db;ssl=true').differences, []);
});

test('HIVE-18633 URL building: no zooKeeperHA discovery URL for a Hive 2 driver', () => {
  const connect = { servers: [{ host: 'zk1', port: 2181 }] };
  assert.match(discoveryUrl(connect, 'hs2ActivePassiveHA', { ha: true, driver: '3' }), /serviceDiscoveryMode=zooKeeperHA/);
  assert.throws(() => discoveryUrl(connect, 'hs2ActivePassiveHA', { ha: true, driver: '2' }), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ARGUMENT' && /HIVE-18633/.test(e.message));
});
