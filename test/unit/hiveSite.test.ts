// hive-site.xml / beeline-site.xml / beeline-hs2-connection.xml import, realistic and hostile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFileKind, formatBeelineSiteEntry, readBeelineSite, readHs2ConnectionFile } from '../../src/core/config/beelineFiles';
import { MAX_CONFIG_BYTES, parseHadoopXml } from '../../src/core/config/hadoopXml';
import { ensemblesFromHiveSite, quorumWithPort, readHiveSite } from '../../src/core/config/hiveSite';
import { HiveZkError } from '../../src/core/errors';

const conf = (props: Record<string, string>, extra = ''): string =>
  `<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>\n<configuration>\n${Object.entries(props)
    .map(([k, v]) => `  <property>\n    <name>${k}</name>\n    <value>${v}</value>\n    <description>d</description>\n  </property>`)
    .join('\n')}${extra}\n</configuration>\n`;

const isBadFile = (pattern: RegExp) => (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_CONFIG_FILE' && pattern.test(e.message);

test('HiveConf.getZKConfig: hive.zookeeper.client.port is appended to hosts without a port only', () => {
  assert.equal(quorumWithPort('zk1,zk2:2182, zk3', '2281'), 'zk1:2281,zk2:2182,zk3:2281');
  assert.equal(quorumWithPort('zk1', undefined), 'zk1:2181');
});

test('hive-site.xml: a realistic HDP-style file gives the ensemble and every namespace', () => {
  const text = conf({
    'hive.zookeeper.quorum': 'zk1.example.com,zk2.example.com,zk3.example.com',
    'hive.zookeeper.client.port': '2181',
    'hive.server2.support.dynamic.service.discovery': 'true',
    'hive.server2.zookeeper.namespace': 'hiveserver2-interactive',
    'hive.zookeeper.namespace': 'hive_zookeeper_namespace_hive',
    'hive.support.concurrency': 'true',
    'hive.server2.transport.mode': 'http',
    'hive.server2.use.SSL': 'true',
    'hive.server2.authentication': 'KERBEROS',
    'hive.server2.authentication.kerberos.principal': 'hive/_HOST@EXAMPLE.COM',
  });
  const { ensembles, settings } = ensemblesFromHiveSite(text, 'prod');
  assert.deepEqual(ensembles, [
    { name: 'prod', connectString: 'zk1.example.com:2181,zk2.example.com:2181,zk3.example.com:2181', hs2Namespaces: ['hiveserver2-interactive'], lockNamespace: 'hive_zookeeper_namespace_hive' },
  ]);
  assert.equal(settings.discoveryEnabled, true);
  assert.equal(settings.httpPath, 'cliservice');
  assert.equal(settings.principal, 'hive/_HOST@EXAMPLE.COM');
  assert.deepEqual(settings.warnings, []);
});

test('hive-site.xml: discovery off, HA namespaces, and the metastore ensemble (HIVE-20794)', () => {
  const { ensembles, settings } = ensemblesFromHiveSite(
    conf({
      'hive.zookeeper.quorum': 'zk1:2181',
      'hive.server2.active.passive.ha.enable': 'true',
      'metastore.service.discovery.mode': 'ZooKeeper',
      'hive.metastore.uris': 'mzk1,mzk2',
    }),
  );
  assert.equal(settings.discoveryEnabled, false);
  assert.ok(settings.warnings.some((w) => /does not register/.test(w)));
  assert.deepEqual(ensembles.map((e) => [e.connectString, e.hs2Namespaces]), [
    ['zk1:2181', ['hs2ActivePassiveHA-unsecure', 'hs2ActivePassiveHA-sasl']],
    ['mzk1:2181,mzk2:2181', []],
  ]);
  assert.deepEqual(settings.metastore, { connectString: 'mzk1:2181,mzk2:2181', namespace: 'hive_metastore' });
});

test('Hadoop Configuration: final wins, later overrides, ${var} expands, names are trimmed', () => {
  const { properties, warnings, get } = parseHadoopXml(
    '<configuration><property><name> a </name><value>1</value><final>true</final></property><property><name>a</name><value>2</value></property>' +
      '<property><name>b</name><value>x</value></property><property><name>b</name><value>y-${a}-${missing}</value></property></configuration>',
  );
  assert.equal(properties.get('a'), '1');
  assert.equal(properties.get('b'), 'y-${a}-${missing}', 'as written');
  assert.equal(get('b'), 'y-1-${missing}', 'expanded when read');
  assert.ok(warnings.some((w) => /final/.test(w)));
});

test('Hadoop Configuration: self-referencing ${var} stops after the substitution limit', () => {
  const { get } = parseHadoopXml('<configuration><property><name>a</name><value>${a}x</value></property></configuration>');
  assert.equal(get('a'), '${a}x');
});

test('hostile XML: DOCTYPE / entity declarations (billion laughs, XXE) are refused', () => {
  const laughs = '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><configuration><property><name>x</name><value>&b;</value></property></configuration>';
  assert.throws(() => parseHadoopXml(laughs), isBadFile(/DOCTYPE/));
  const xxe = '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]><configuration/>';
  assert.throws(() => parseHadoopXml(xxe), isBadFile(/DOCTYPE/));
});

test('hostile XML: predefined entities are decoded, nothing else', () => {
  assert.equal(parseHadoopXml('<configuration><property><name>u</name><value>a&amp;b&lt;c</value></property></configuration>').properties.get('u'), 'a&b<c');
});

test('hostile XML: oversized files are refused before parsing', () => {
  const huge = conf({ filler: 'x'.repeat(MAX_CONFIG_BYTES) });
  assert.throws(() => parseHadoopXml(huge), isBadFile(/larger than/));
});

test('hostile XML: malformed, non-configuration, and deeply nested input give a typed error', () => {
  assert.throws(() => parseHadoopXml('<configuration><property>'), isBadFile(/well-formed/));
  assert.throws(() => parseHadoopXml('<html><body/></html>'), isBadFile(/no <configuration>/));
  const deep = `<configuration>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</configuration>`;
  assert.throws(() => parseHadoopXml(deep), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_CONFIG_FILE');
});

test('hostile XML: a property without a name is skipped with a warning; an empty value is ""', () => {
  const { properties, warnings } = parseHadoopXml('<configuration><property><value>v</value></property><property><name>e</name><value></value></property></configuration>');
  assert.equal(properties.get('e'), '');
  assert.equal(warnings.length, 1);
});

test('hive-site.xml: no quorum gives no ensemble and says why', () => {
  const { ensembles, settings } = ensemblesFromHiveSite(conf({ 'hive.server2.support.dynamic.service.discovery': 'true' }));
  assert.deepEqual(ensembles, []);
  assert.match(settings.warnings.join(), /hive.zookeeper.quorum is not set/);
});

test('hive-site.xml: an invalid quorum is reported, not imported', () => {
  const { ensembles, settings } = ensemblesFromHiveSite(conf({ 'hive.zookeeper.quorum': 'zk1:99999' }));
  assert.deepEqual(ensembles, []);
  assert.match(settings.warnings.join(), /Invalid port/);
});

test('beeline-site.xml (HIVE-18963): named URLs, the default name, passwords left out', () => {
  const site = readBeelineSite(
    conf({
      'beeline.hs2.jdbc.url.prod': 'jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2',
      'beeline.hs2.jdbc.url.dev': 'jdbc:hive2://dev:10000/sales;user=bob;password=s3cret',
      'beeline.hs2.jdbc.url.bad': 'http://nope',
      'beeline.hs2.jdbc.url.default': 'prod',
      'unrelated.key': 'x',
    }),
  );
  assert.equal(site.defaultName, 'prod');
  assert.deepEqual(site.urls.map((u) => [u.name, u.hadPassword, u.problem === undefined]), [['prod', false, true], ['dev', true, true], ['bad', false, false]]);
  assert.ok(!JSON.stringify(site).includes('s3cret'));
  assert.equal(site.urls[1]?.url, 'jdbc:hive2://dev:10000/sales;user=bob');
  assert.equal(configFileKind(parseHadoopXml(conf({ 'beeline.hs2.jdbc.url.x': 'jdbc:hive2://h:1/' })).properties), 'beeline-site');
});

test('beeline-site.xml: a default naming a missing entry is reported', () => {
  assert.match(readBeelineSite(conf({ 'beeline.hs2.jdbc.url.default': 'nope' })).warnings.join(), /not defined/);
});

test('beeline-site.xml entry formatter: round-trips through the reader, escapes XML, refuses bad names', () => {
  const url = 'jdbc:hive2://zk1:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2?a=b&c';
  const entry = formatBeelineSiteEntry('prod', url, { makeDefault: true });
  assert.match(entry, /&amp;c/);
  const back = readBeelineSite(`<configuration>\n${entry}</configuration>`);
  assert.equal(back.defaultName, 'prod');
  assert.equal(back.urls[0]?.url, url);
  assert.throws(() => formatBeelineSiteEntry('my url', url), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ARGUMENT');
  assert.throws(() => formatBeelineSiteEntry('default', url), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ARGUMENT');
  assert.ok(!formatBeelineSiteEntry('p', 'jdbc:hive2://h:1/;password=zz9').includes('zz9'));
});

test('beeline-hs2-connection.xml (HIVE-14063): hosts, defaultDB, sorted session keys, hiveconf and hivevar', () => {
  const file = readHs2ConnectionFile(
    conf({
      'beeline.hs2.connection.user': 'alice',
      'beeline.hs2.connection.hosts': 'h1:10000,h2:10000',
      'beeline.hs2.connection.principal': 'hive/_HOST@R',
      'beeline.hs2.connection.password': 'pw',
      'beeline.hs2.connection.hiveconf': 'hive.cli.print.current.db=true, hive.exec.parallel=true',
      'beeline.hs2.connection.hivevar': 'x=1',
    }),
  );
  assert.equal(file.url, 'jdbc:hive2://h1:10000,h2:10000/default;principal=hive/_HOST@R;user=alice?hive.cli.print.current.db=true;hive.exec.parallel=true#x=1');
  assert.equal(file.hadPassword, true);
  assert.match(file.warnings.join(), /Several hosts|not valid/); // beeline builds it, but Hive 3+ refuses a host list without discovery
  assert.equal(readHs2ConnectionFile(conf({ 'beeline.hs2.connection.user': 'a' })).url, undefined);
});

test('readHiveSite ignores unrelated files gracefully', () => {
  const settings = readHiveSite(conf({}));
  assert.equal(settings.hs2Namespace, 'hiveserver2');
  assert.equal(settings.lockNamespace, 'hive_zookeeper_namespace');
});
