// Table tests of jdbc:hive2:// parsing and formatting against the driver's rules (hive-zk-spec §2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJdbcUrl, parseJdbcUrl } from '../../src/core/jdbc/jdbcUrl';
import { driverPort } from '../../src/core/jdbc/driverVersions';
import { HiveZkError } from '../../src/core/errors';

const parses: [string, string, Partial<ReturnType<typeof parseJdbcUrl>>][] = [
  ['plain host, port and db', 'jdbc:hive2://h1:10000/sales', { hosts: [{ host: 'h1', port: 10000 }], database: 'sales', sessionVars: {} }],
  ['no port: the driver stores -1 (undefined here)', 'jdbc:hive2://h1/', { hosts: [{ host: 'h1' }], database: 'default' }],
  ['empty db is default', 'jdbc:hive2://h1:10000/;ssl=true', { database: 'default', sessionVars: { ssl: 'true' } }],
  [
    'session vars, hive confs, hive vars',
    'jdbc:hive2://h:1/db;transportMode=http;httpPath=cli?hive.exec.parallel=true;a=b#v1=x;v2=y',
    { database: 'db', sessionVars: { transportMode: 'http', httpPath: 'cli' }, hiveConfs: { 'hive.exec.parallel': 'true', a: 'b' }, hiveVars: { v1: 'x', v2: 'y' } },
  ],
  ['greedy key: a=b=c is key a=b', 'jdbc:hive2://h:1/db;a=b=c', { sessionVars: { 'a=b': 'c' } }],
  ['"#" inside session vars starts hive vars', 'jdbc:hive2://h:1/db;user=a#b=c', { sessionVars: { user: 'a' }, hiveVars: { b: 'c' } }],
  ['later hive conf wins, no error', 'jdbc:hive2://h:1/db?x=1;x=2', { hiveConfs: { x: '2' } }],
  ['authority ends at "?" when there is no "/"', 'jdbc:hive2://h:1?x=1', { hosts: [{ host: 'h', port: 1 }], hiveConfs: { x: '1' } }],
  ['authority ends at "#" when there is no "/" or "?"', 'jdbc:hive2://h:1#v=1', { hosts: [{ host: 'h', port: 1 }], hiveVars: { v: '1' } }],
  ['percent-escapes are decoded (java.net.URI)', 'jdbc:hive2://h:1/db;httpPath=a%20b', { sessionVars: { httpPath: 'a b' } }],
  ['deprecated sasl.qop becomes saslQop', 'jdbc:hive2://h:1/db;sasl.qop=auth-conf', { sessionVars: { saslQop: 'auth-conf' } }],
  ['hiveconf transport mode moves to session', 'jdbc:hive2://h:1/db?hive.server2.transport.mode=http;hive.server2.thrift.http.path=p', { sessionVars: { transportMode: 'http', httpPath: 'p' }, hiveConfs: {} }],
  [
    'discovery: authority is the ZooKeeper ensemble',
    'jdbc:hive2://zk1:2181,zk2:2182,zk3/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2',
    { hosts: [{ host: 'zk1', port: 2181 }, { host: 'zk2', port: 2182 }, { host: 'zk3', port: 2181 }], discovery: 'zooKeeper', authority: 'zk1:2181,zk2:2182,zk3' },
  ],
  ['discovery mode is case-insensitive', 'jdbc:hive2://zk1/;serviceDiscoveryMode=ZOOKEEPER', { discovery: 'zooKeeper' }],
  ['zooKeeperHA mode', 'jdbc:hive2://zk1/;serviceDiscoveryMode=zooKeeperHA', { discovery: 'zooKeeperHA' }],
  ['empty authority is embedded mode', 'jdbc:hive2://', { embedded: true, hosts: [] }],
  ['embedded with a db', 'jdbc:hive2:///db', { embedded: true, database: 'db' }],
];

for (const [name, url, expected] of parses) {
  test(`parse: ${name}`, () => {
    const parsed = parseJdbcUrl(url);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(parsed[key as keyof typeof parsed], value, key);
    }
  });
}

const rejects: [string, string, string, RegExp][] = [
  ['wrong scheme', 'jdbc:hive://h:1/', 'URL_NOT_HIVE2', /must start with "jdbc:hive2:\/\/"/],
  ['prefix check is case-sensitive', 'JDBC:HIVE2://h:1/', 'URL_NOT_HIVE2', /jdbc:hive2/],
  ['duplicate session key', 'jdbc:hive2://h:1/db;user=a;user=b', 'URL_DUPLICATE_KEY', /Multiple values for property user/],
  ['missing "/" after the host', 'jdbc:hive2://h:10000;principal=hive/x@R', 'URL_NO_HOST', /missing a '\/'/],
  ['several hosts without discovery', 'jdbc:hive2://h1:1,h2:2/', 'URL_NO_HOST', /serviceDiscoveryMode=zooKeeper/],
  ['port with letters', 'jdbc:hive2://h:10000test/', 'URL_NO_HOST', /Hostname not found/],
  ['port out of range', 'jdbc:hive2://h:70000/', 'URL_NO_HOST', /Hostname not found/],
  ['bad ensemble entry', 'jdbc:hive2://zk1:x/;serviceDiscoveryMode=zooKeeper', 'URL_NO_HOST', /not host\[:port\]/],
  ['whitespace', 'jdbc:hive2://h:1/db;user=a b', 'URL_MALFORMED', /whitespace/],
  ['newline', 'jdbc:hive2://h:1/db\n;x=1', 'URL_MALFORMED', /control character/],
  ['bad percent-escape', 'jdbc:hive2://h:1/db;x=%zz', 'URL_MALFORMED', /percent-escape/],
];

for (const [name, url, code, message] of rejects) {
  test(`reject: ${name}`, () => {
    assert.throws(
      () => parseJdbcUrl(url),
      (error: unknown) => error instanceof HiveZkError && error.code === code && message.test(error.message),
    );
  });
}

test('HIVE-28217: the 4.1+ driver default port (10000, 10001 for http); none before', () => {
  const binary = parseJdbcUrl('jdbc:hive2://h/');
  const http = parseJdbcUrl('jdbc:hive2://h/;transportMode=http');
  assert.equal(driverPort(binary, binary.hosts[0], '4.1+'), 10000);
  assert.equal(driverPort(http, http.hosts[0], '4.1+'), 10001);
  assert.equal(driverPort(binary, binary.hosts[0], '4.0'), -1);
});

test('format: round-trips through the parser', () => {
  const parts = {
    hosts: [{ host: 'h1.example.com', port: 10001 }],
    database: 'sales',
    sessionVars: { transportMode: 'http', httpPath: 'gateway/default/hive', principal: 'hive/_HOST@EXAMPLE.COM' },
    hiveConfs: { 'mapreduce.job.queuename': 'etl' },
    hiveVars: { day: '2026-11-25' },
  };
  const url = formatJdbcUrl(parts);
  assert.equal(url, 'jdbc:hive2://h1.example.com:10001/sales;transportMode=http;httpPath=gateway/default/hive;principal=hive/_HOST@EXAMPLE.COM?mapreduce.job.queuename=etl#day=2026-11-25');
  const back = parseJdbcUrl(url);
  assert.deepEqual(back.sessionVars, parts.sessionVars);
  assert.deepEqual(back.hiveConfs, parts.hiveConfs);
  assert.deepEqual(back.hiveVars, parts.hiveVars);
});

test('format: percent-encodes what the driver decodes, so values survive', () => {
  const url = formatJdbcUrl({ hosts: [{ host: 'h', port: 1 }], sessionVars: { httpPath: 'a b%c' } });
  assert.equal(parseJdbcUrl(url).sessionVars.httpPath, 'a b%c');
});

for (const [field, parts] of [
  ['";" in a value', { sessionVars: { principal: 'x;auth=noSasl' } }],
  ['"?" in a value', { sessionVars: { httpPath: 'p?hive.x=1' } }],
  ['"#" in a value', { sessionVars: { httpPath: 'p#v=1' } }],
  ['"=" in a value', { sessionVars: { principal: 'a=b' } }],
  ['"=" in a key', { sessionVars: { 'a=b': 'c' } }],
  ['a bad host', { hosts: [{ host: 'h;x=1', port: 1 }] }],
  ['a newline', { sessionVars: { user: 'a\nb' } }],
] as const) {
  test(`format: refuses ${field} rather than change the URL's meaning`, () => {
    assert.throws(() => formatJdbcUrl({ hosts: [{ host: 'h', port: 1 }], ...parts }), (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE');
  });
}

test('IPv6 hosts (HIVE-28782): written bracketed, read back from brackets; anything else with colons is refused', () => {
  const url = formatJdbcUrl({ hosts: [{ host: '2001:db8::1', port: 10000 }], database: 'default', sessionVars: {}, hiveConfs: {}, hiveVars: {} });
  assert.equal(url, 'jdbc:hive2://[2001:db8::1]:10000/default');
  assert.deepEqual(parseJdbcUrl(url).hosts, [{ host: '2001:db8::1', port: 10000 }]);
  assert.deepEqual(parseJdbcUrl('jdbc:hive2://[::1]/db').hosts, [{ host: '::1' }]);
  for (const host of ['fd00::1::2', 'fe80::1%eth0', '::1]:1/x;a=[', 'g::1']) {
    assert.throws(() => formatJdbcUrl({ hosts: [{ host, port: 1 }], database: 'default', sessionVars: {}, hiveConfs: {}, hiveVars: {} }), (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE', host);
  }
  for (const bad of ['jdbc:hive2://[fd00::1::2]:1/', 'jdbc:hive2://[h.example.com]:1/', 'jdbc:hive2://[::1/', 'jdbc:hive2://::1:10000/']) {
    assert.throws(() => parseJdbcUrl(bad), (e: unknown) => e instanceof HiveZkError && e.code === 'URL_NO_HOST', bad);
  }
});
