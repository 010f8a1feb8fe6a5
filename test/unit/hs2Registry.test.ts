// Decoding of HiveServer2 registrations in every form Hive writes (hive-zk-spec §1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeServiceRecord, describeHaInstance, haBaseName, haRegistryNames, haRegistryPaths, splitHaName } from '../../src/core/registry/haRegistry';
import { decodeInstanceData, describeInstance, parseInstanceName, type Hs2Instance } from '../../src/core/registry/hs2Instance';
import { compareInstances, sortInstances } from '../../src/core/registry/hs2Registry';
import { prng } from '../support/prng';
import { parseMetastoreZnode } from '../../src/core/registry/metastoreRegistry';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

test('znode name: serverUri, version, sequence', () => {
  assert.deepEqual(parseInstanceName('serverUri=hs2a.example.com:10000;version=3.1.0;sequence=0000000012'), {
    host: 'hs2a.example.com',
    port: 10000,
    version: '3.1.0',
    sequence: '0000000012',
    extra: {},
  });
});

test('znode name: unknown parts kept, missing version tolerated', () => {
  assert.deepEqual(parseInstanceName('serverUri=h:1;sequence=0000000001;zone=b'), { host: 'h', port: 1, sequence: '0000000001', extra: { zone: 'b' } });
});

for (const name of ['leader', 'serverUri=;version=1', 'serverUri=h;version=1', 'serverUri=h:99999', 'serverUri=h:1:2', 'serverUri=$(id):1', '']) {
  test(`znode name: "${name}" is not an instance`, () => assert.equal(parseInstanceName(name), undefined));
}

/**
 * The bytes each Hive version writes (hive-zk-spec §1.4, HiveServer2.addConfsToPublish), as literals:
 * Guava's Joiner over a HashMap, so in no particular key order, no escaping, no trailing ";".
 * Written out by hand here, apart from the seed model the integration tests share.
 */
const variants: [string, string, Partial<ReturnType<typeof describeInstance>>][] = [
  ['1.x (host:port)', 'h1:10000', { host: 'h1', port: 10000, dataFormat: 'legacy', settings: {} }],
  [
    '2.x binary (the spec example)',
    'hive.server2.thrift.sasl.qop=auth;hive.server2.thrift.bind.host=h1;hive.server2.transport.mode=binary;hive.server2.authentication=NONE;hive.server2.thrift.port=10000;hive.server2.use.SSL=false',
    { host: 'h1', port: 10000, dataFormat: 'config', transportMode: 'binary', ssl: false, authentication: 'NONE', saslQop: 'auth' },
  ],
  [
    '3.x binary',
    'hive.server2.instance.uri=h1:10000;hive.server2.authentication=NONE;hive.server2.transport.mode=binary;hive.server2.use.SSL=false;hive.server2.thrift.sasl.qop=auth;hive.server2.thrift.port=10000;hive.server2.thrift.bind.host=h1',
    { host: 'h1', port: 10000, transportMode: 'binary' },
  ],
  [
    '3.x NOSASL',
    'hive.server2.authentication=NOSASL;hive.server2.transport.mode=binary;hive.server2.thrift.sasl.qop=auth;hive.server2.thrift.port=10000;hive.server2.thrift.bind.host=h1;hive.server2.instance.uri=h1:10000;hive.server2.use.SSL=false',
    { authentication: 'NOSASL' },
  ],
  [
    '3.x http',
    'hive.server2.thrift.http.path=cliservice;hive.server2.instance.uri=h1:10001;hive.server2.authentication=NONE;hive.server2.thrift.http.port=10001;hive.server2.transport.mode=http;hive.server2.thrift.bind.host=h1;hive.server2.use.SSL=false',
    { host: 'h1', port: 10001, transportMode: 'http', httpPath: 'cliservice' },
  ],
  [
    '3.x Kerberos over SSL',
    'hive.server2.authentication.kerberos.principal=hive/_HOST@EXAMPLE.COM;hive.server2.thrift.sasl.qop=auth;hive.server2.thrift.bind.host=h1;hive.server2.transport.mode=binary;hive.server2.authentication=KERBEROS;hive.server2.thrift.port=10000;hive.server2.use.SSL=true;hive.server2.instance.uri=h1:10000',
    { principal: 'hive/_HOST@EXAMPLE.COM', authentication: 'KERBEROS', ssl: true },
  ],
  [
    '4.x all (binary and http)',
    'hive.server2.thrift.http.port=10001;hive.server2.thrift.bind.host=h1;hive.server2.transport.mode=all;hive.server2.thrift.http.path=cliservice;hive.server2.use.SSL=false;hive.server2.thrift.sasl.qop=auth;hive.server2.authentication=NONE;hive.server2.instance.uri=h1:10000;hive.server2.thrift.port=10000',
    { port: 10000, transportMode: 'all', httpPath: 'cliservice' },
  ],
];

for (const [variant, data, expected] of variants) {
  test(`instance data: ${variant}`, () => {
    const port = expected.port ?? 10000;
    const instance = describeInstance('/hiveserver2', `serverUri=h1:${port};version=3.1.3;sequence=0000000001`, decodeInstanceData(b(data)));
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(instance[key as keyof typeof instance], value, key);
    }
    assert.deepEqual(instance.problems, []);
  });
}

test('instance data: the spec example, any key order', () => {
  const decoded = decodeInstanceData(
    b('hive.server2.thrift.sasl.qop=auth;hive.server2.thrift.bind.host=h1;hive.server2.transport.mode=binary;hive.server2.authentication=NONE;hive.server2.thrift.port=10000;hive.server2.use.SSL=false'),
  );
  assert.equal(decoded.format, 'config');
  assert.equal(decoded.format === 'config' && decoded.settings['hive.server2.thrift.port'], '10000');
});

test('instance data: unknown keys kept, missing ones tolerated', () => {
  const instance = describeInstance('/ns', 'serverUri=h:1;version=4;sequence=0000000001', decodeInstanceData(b('custom.key=x;hive.server2.thrift.bind.host=h2')));
  assert.equal(instance.settings['custom.key'], 'x');
  assert.equal(instance.host, 'h2');
  assert.equal(instance.port, 1, 'port falls back to the znode name');
  assert.equal(instance.transportMode, undefined);
});

test('instance data: trailing ";" and empty values', () => {
  const decoded = decodeInstanceData(b('a=1;b=;'));
  assert.deepEqual(decoded.format === 'config' && decoded.settings, { a: '1', b: '' });
});

test('instance data: duplicate keys reported, last one wins (driver applies in order)', () => {
  const instance = describeInstance('/ns', 'serverUri=h:1;sequence=0000000001', decodeInstanceData(b('hive.server2.thrift.port=1;hive.server2.thrift.port=2')));
  assert.equal(instance.port, 2);
  assert.match(instance.problems.join(), /duplicate keys/);
});

const garbage: [string, Buffer, RegExp][] = [
  ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x01]), /not UTF-8/],
  ['empty', Buffer.alloc(0), /empty/],
  ['neither form', b('just some text'), /neither/],
  ['host:port:extra', b('h:1:2'), /neither/],
];
for (const [name, data, reason] of garbage) {
  test(`instance data: ${name} is reported, not thrown`, () => {
    const decoded = decodeInstanceData(data);
    assert.equal(decoded.format, 'invalid');
    assert.match(decoded.format === 'invalid' ? decoded.reason : '', reason);
  });
}

test('instance data: hostile host and port values are dropped with a problem', () => {
  const instance = describeInstance('/ns', 'serverUri=h:1;sequence=0000000001', decodeInstanceData(b('hive.server2.thrift.bind.host=$(reboot);hive.server2.thrift.port=10000abc')));
  assert.equal(instance.host, undefined);
  assert.equal(instance.port, undefined);
  assert.equal(instance.problems.length, 2);
});

test('HA ServiceRecord: the active endpoint marks the leader (a record as the Hadoop registry writes it)', () => {
  // ServiceRecord JSON (hive-zk-spec §1.7): attributes as top-level strings, one internal endpoint, ports as strings.
  const record =
    '{\n  "type" : "JSONServiceRecord",\n  "description" : "HiveServer2",\n  "external" : [ ],\n  "internal" : [ {\n    "api" : "activeEndpoint",\n    "addressType" : "host/port",\n    "protocolType" : "hadoop/IPC",\n    "addresses" : [ {\n      "host" : "ha1",\n      "port" : "10000"\n    } ]\n  } ],\n' +
    '  "hive.server2.thrift.bind.host" : "ha1",\n  "hive.server2.webui.port" : "10002",\n  "hive.server2.instance.uri" : "ha1:10000",\n  "registry.unique.id" : "7f3c4b2e-5d1a-4c8e-9b6f-0a1d2e3f4a5b",\n  "hive.server2.transport.mode" : "binary",\n  "hive.server2.thrift.port" : "10000",\n  "hive.server2.thrift.sasl.qop" : "auth",\n  "hive.server2.authentication" : "NONE",\n  "hive.server2.use.SSL" : "false"\n}';
  const instance = describeHaInstance('/hs2ActivePassiveHA-unsecure/instances', 'instance-0000000003', b(record));
  assert.equal(instance.isLeader, true);
  assert.equal(instance.host, 'ha1');
  assert.equal(instance.port, 10000);
  assert.equal(instance.sequence, '0000000003');
  assert.equal(instance.dataFormat, 'serviceRecord');
  const passive = describeHaInstance('/hs2ActivePassiveHA-unsecure/instances', 'instance-0000000004', b(record.replace('activeEndpoint', 'passiveEndpoint')));
  assert.equal(passive.isLeader, false);
  assert.equal(passive.host, 'ha1');
});

test('HA name rule: "<ns>-unsecure" and "<ns>-sasl", in one function', () => {
  assert.deepEqual(splitHaName('hs2ActivePassiveHA-unsecure'), { base: 'hs2ActivePassiveHA', suffix: 'unsecure' });
  assert.deepEqual(splitHaName('hs2ActivePassiveHA-sasl'), { base: 'hs2ActivePassiveHA', suffix: 'sasl' });
  assert.equal(splitHaName('hiveserver2'), undefined);
  assert.equal(splitHaName('hs2-saslx'), undefined);
  assert.equal(haBaseName('llap-sasl'), 'llap');
  assert.equal(haBaseName('hiveserver2'), 'hiveserver2');
  assert.deepEqual(haRegistryNames('hs2ActivePassiveHA'), ['hs2ActivePassiveHA-unsecure', 'hs2ActivePassiveHA-sasl']);
  assert.deepEqual(haRegistryPaths('hs2ActivePassiveHA'), ['/hs2ActivePassiveHA-unsecure', '/hs2ActivePassiveHA-sasl']);
  assert.deepEqual(haRegistryPaths('/ha-sasl'), ['/ha-sasl'], 'a registry named whole is listed alone');
});

for (const [name, data] of [
  ['not JSON', '{nope'],
  ['JSON array', '[1,2]'],
  ['binary', '\u0000\u0001'],
] as const) {
  test(`HA ServiceRecord: ${name} is undefined, not thrown`, () => assert.equal(decodeServiceRecord(b(data)), undefined));
}

test('metastore znode: host:port data', () => {
  assert.deepEqual(parseMetastoreZnode('ms1:90830000000001', b('ms1:9083')), { znode: 'ms1:90830000000001', host: 'ms1', port: 9083, uri: 'thrift://ms1:9083' });
  assert.equal(parseMetastoreZnode('x', b('garbage')), undefined);
});

test('instances sorted as compareInstances sorts them, stably: ZooKeeper sequences, duplicates, odd widths, no sequence, huge numbers', () => {
  const random = prng(20261125);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  for (let round = 0; round < 400; round += 1) {
    const width = pick([10, 10, 10, 3, 1]);
    const odd = random() < 0.3;
    const instances = Array.from({ length: Math.floor(random() * 60) }, (_, place) => {
      const digits = String(Math.floor(random() * (round % 2 ? 20 : 10 ** Math.min(width, 10)))).padStart(width, '0');
      const sequence = odd ? pick([digits, `${digits}1`, '9999999999', '-000000001', ' 00000001', undefined]) : digits;
      const instance: Hs2Instance = { znode: `serverUri=h${place}:1;sequence=${sequence ?? ''}`, path: '/ns', settings: {}, dataFormat: 'config', problems: [] };
      if (sequence !== undefined) {
        instance.sequence = sequence;
      }
      return instance;
    });
    // A stable sort by compareInstances, written out: an insertion sort.
    const expected: Hs2Instance[] = [];
    for (const instance of instances) {
      let at = expected.length;
      while (at > 0 && compareInstances(expected[at - 1], instance) > 0) {
        at -= 1;
      }
      expected.splice(at, 0, instance);
    }
    assert.deepEqual(sortInstances([...instances]).map((i) => i.znode), expected.map((i) => i.znode), `round ${round}`);
  }
});
