// The hostile-input classes beyond quoting: numbers read as Hive reads them, one rule for unusable
// registrations on every path, URLs rebuilt from parsed parts without passwords, bounded sizes and
// messages, and invisible characters shown escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBeelineCommand, MAX_COMMAND_CHARS } from '../../src/core/jdbc/beeline';
import { parseConnectString } from '../../src/core/zk/connectString';
import { HiveZkError } from '../../src/core/errors';
import { decodeServiceRecord } from '../../src/core/registry/haRegistry';
import { connectTarget, decodeInstanceData, describeInstance, parseInstanceName, type Hs2Instance } from '../../src/core/registry/hs2Instance';
import { instanceUrl } from '../../src/core/jdbc/hs2Urls';
import { parseJavaInt } from '../../src/core/javaInt';
import { formatJdbcUrl, MAX_URL_CHARS, parseJdbcUrl } from '../../src/core/jdbc/jdbcUrl';
import { parseLockName } from '../../src/core/locks/locks';
import { resolveJdbcUrl } from '../../src/core/jdbc/resolver';
import { isSecretKey, maskSecrets, redactUrlText } from '../../src/core/jdbc/secretParams';
import { escapeInvisible, findInvisible } from '../../src/core/untrusted';

const NAME = 'serverUri=h1:10000;version=3.1.3;sequence=0000000001';

function instance(data: Uint8Array | string): Hs2Instance {
  return describeInstance('/hiveserver2', NAME, decodeInstanceData(typeof data === 'string' ? Buffer.from(data) : data));
}

test('Integer.parseInt, as the driver reads published ports', () => {
  const rows: [string, number | undefined][] = [
    ['10000', 10000],
    ['+10000', 10000],
    ['-1', -1],
    ['010000', 10000],
    ['\u0661\u0660\u0660\u0660\u0660', 10000], // Arabic-Indic digits: Character.digit accepts them
    ['\uff11\uff10\uff10\uff10\uff10', 10000], // fullwidth digits too
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['2147483648', undefined],
    ['10000abc', undefined],
    ['1e4', undefined],
    [' 10000', undefined],
    ['10000 ', undefined],
    ['0x2710', undefined],
    ['', undefined],
    ['+', undefined],
    ['1_000', undefined],
    ['\ud835\udfcf', undefined], // a digit outside the BMP: charAt sees a surrogate
  ];
  for (const [text, expected] of rows) {
    assert.equal(parseJavaInt(text), expected, JSON.stringify(text));
  }
});

test('published ports the driver rejects make the registration unusable on every path', () => {
  for (const port of ['10000abc', '1e4', ' 10000', '0', '70000', '-5']) {
    const bad = instance(`hive.server2.thrift.bind.host=h2;hive.server2.thrift.port=${port}`);
    const target = connectTarget(bad);
    assert.ok('problem' in target, `port ${JSON.stringify(port)} refused`);
    assert.throws(() => instanceUrl(bad), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ZNODE_DATA');
  }
  assert.deepEqual(connectTarget(instance('hive.server2.thrift.bind.host=h2;hive.server2.thrift.port=+10001')), { host: 'h2', port: 10001 });
  // The HTTP port counts only while no port > 0 is known, in data order.
  assert.deepEqual(connectTarget(instance('hive.server2.thrift.bind.host=h2;hive.server2.thrift.port=0;hive.server2.thrift.http.port=10001')), { host: 'h2', port: 10001 });
  assert.deepEqual(connectTarget(instance('hive.server2.thrift.bind.host=h2;hive.server2.thrift.http.port=10001;hive.server2.thrift.port=10000')), { host: 'h2', port: 10000 });
});

test('one rule: data the driver cannot read is never replaced by the znode name', () => {
  const unusable: [string, Uint8Array | string][] = [
    ['empty', ''],
    ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
    ['invalid UTF-8', Buffer.from([0x68, 0x31, 0xc3])],
    ['neither k=v nor host:port', 'garbage'],
    ['host:port with a bad port', 'h2:port'],
  ];
  for (const [what, data] of unusable) {
    const registration = instance(data);
    assert.equal(registration.host, 'h1', `${what}: the name still labels it in the tree`);
    assert.ok('problem' in connectTarget(registration), `${what}: not connectable`);
    assert.throws(() => instanceUrl(registration), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ZNODE_DATA', what);
  }
  assert.deepEqual(connectTarget(instance('h2:10002')), { host: 'h2', port: 10002 });
});

test('resolve of a direct URL: rebuilt from its parts, never echoing the password', async () => {
  const noSession = (): never => {
    throw new Error('no session expected');
  };
  const resolution = await resolveJdbcUrl('jdbc:hive2://hs2.example.com:10000/db;principal=hive/hs2.example.com@R;password=s3cr3t;user=bob', noSession);
  const text = JSON.stringify(resolution);
  assert.ok(!text.includes('s3cr3t'), text);
  assert.equal(resolution.chosen?.url, 'jdbc:hive2://hs2.example.com:10000/db;principal=hive/hs2.example.com@R;user=bob');
  assert.equal(resolution.chosen?.driverUrl, resolution.chosen?.url);
});

test('sizes are bounded: huge generated commands, URLs, connect strings and echoed names are refused briefly', () => {
  const hugePath = 'p'.repeat(1024 * 1024);
  assert.throws(
    () => buildBeelineCommand({ url: instanceUrl(instance(`hive.server2.thrift.bind.host=h2;hive.server2.thrift.port=10000;hive.server2.thrift.http.path=${hugePath}`)) }),
    (e: unknown) => e instanceof HiveZkError && ['UNSAFE_VALUE', 'URL_MALFORMED'].includes(e.code) && e.message.length < 1100,
  );
  const longest = buildBeelineCommand({ url: `jdbc:hive2://h:1/default;httpPath=${'p'.repeat(MAX_COMMAND_CHARS - 80)}` });
  assert.ok(longest.display('posix').length <= MAX_COMMAND_CHARS);
  assert.throws(() => buildBeelineCommand({ url: `jdbc:hive2://h:1/default;httpPath=${'p'.repeat(MAX_COMMAND_CHARS)}` }), /at most 8191/);
  const inputs: [string, () => unknown][] = [
    ['120 KB URL', () => parseJdbcUrl(`jdbc:hive2://h:1/${'d'.repeat(120_000)}`)],
    ['10k-character host', () => parseJdbcUrl(`jdbc:hive2://${'h'.repeat(10_000)}!:1/`)],
    ['1,000-host connect string', () => parseConnectString(Array.from({ length: 1000 }, (_, i) => `zk${i}:2181`).join(','))],
    ['1,000-host ensemble in a URL', () => parseJdbcUrl(`jdbc:hive2://${Array.from({ length: 1000 }, (_, i) => `zk${i}:2181`).join(',')}/;serviceDiscoveryMode=zooKeeper`)],
    ['10k-character connect string host', () => parseConnectString(`${'z'.repeat(10_000)}!`)],
  ];
  for (const [what, parse] of inputs) {
    assert.throws(parse, (e: unknown) => e instanceof HiveZkError && e.message.length < 400, what);
  }
  assert.ok(new HiveZkError('ZK_ERROR', 'x'.repeat(100_000)).message.length <= 1001);
});

test('invisible characters are shown escaped and found before they reach a command', () => {
  assert.equal(escapeInvisible('evil\u202etxt.exe'), 'evil\\u{202E}txt.exe');
  assert.equal(escapeInvisible('a\u200bb\u00a0c\u0000d\ud800'), 'a\\u{200B}b\\u{00A0}c\\u{0000}d\\u{D800}');
  assert.equal(escapeInvisible('plain ünïcödé 中文 \ud83d\ude00'), 'plain ünïcödé 中文 \ud83d\ude00');
  assert.deepEqual(findInvisible('ok\u2066x'), { index: 2, codePoint: '\\u{2066}' });
  assert.throws(() => buildBeelineCommand({ url: 'jdbc:hive2://h:1/default', user: 'ad\u202emin' }), /user name/);
  // From a znode, the URL carries it percent-encoded (visible); typed raw into a URL, it is refused.
  const url = instanceUrl(instance('hive.server2.thrift.bind.host=h2;hive.server2.thrift.port=10000;hive.server2.authentication.kerberos.principal=hive/\u202eh@R'));
  assert.match(url, /principal=hive\/%E2%80%AEh@R/);
  assert.throws(() => buildBeelineCommand({ url: 'jdbc:hive2://h:1/default;principal=a\u202eb' }), /invisible/);
});

test('every secret-bearing JDBC parameter is hidden, dropped or refused — never printed, echoed or put on a command line', async () => {
  const secrets = ['password', 'PassWord', 'trustStorePassword', 'keyStorePassword', 'zooKeeperTruststorePassword', 'zooKeeperKeystorePassword', 'jwt', 'http.header.Authorization', 'http.cookie.hive.server2.auth'];
  for (const key of secrets) {
    assert.ok(isSecretKey(key), key);
    const url = `jdbc:hive2://h:10000/default;ssl=true;${key}=S3CRET`;
    assert.deepEqual(Object.values(maskSecrets(parseJdbcUrl(url).sessionVars)).filter((v) => v.includes('S3CRET')), [], key);
    const resolution = await resolveJdbcUrl(url, () => {
      throw new Error('no session expected');
    });
    assert.ok(!JSON.stringify(resolution).includes('S3CRET'), `resolve of ${key}`);
    assert.throws(() => buildBeelineCommand({ url }), (e: unknown) => e instanceof HiveZkError && e.code === 'UNSAFE_VALUE' && !e.message.includes('S3CRET'), `beeline refuses ${key}`);
  }
  assert.ok(!isSecretKey('principal') && !isSecretKey('trustStoreType'));
  // Greedy keys ("password=ab=c" gives key "password=ab") hold part of the secret.
  assert.ok(isSecretKey('password=ab'));
  // Messages that quote a malformed URL never quote its secret, however it is spelled.
  for (const bad of ['jdbc:hive2://h:10000;user=u;password=SECRET1', 'jdbc:hive2://zk1:2181;password=SECRET4,zk2/;serviceDiscoveryMode=zooKeeper', 'jdbc:hive2://h:10000;pass%77ord=SECRET6']) {
    assert.throws(() => parseJdbcUrl(bad), (e: unknown) => e instanceof HiveZkError && !/SECRET/.test(e.message + JSON.stringify(e.details)), bad);
  }
  assert.equal(redactUrlText('h:1;user=u;pass%77ord=x;a=b'), 'h:1;user=u;password=(hidden);a=b');
});

test('sizes: a znode value that makes a URL too long makes the candidate unusable, and nothing of it is echoed', () => {
  const hugePath = 'a'.repeat(MAX_URL_CHARS + 10);
  const data = `hive.server2.thrift.bind.host=h2;hive.server2.thrift.port=10000;hive.server2.thrift.http.path=${hugePath}`;
  assert.throws(() => instanceUrl(instance(data)), (e: unknown) => e instanceof HiveZkError && e.message.length < 400);
  assert.throws(() => formatJdbcUrl({ hosts: [{ host: 'h', port: 1 }], sessionVars: { httpPath: hugePath } }), /at most 16384/);
});

test('HA records: ports only as Hadoop writes them (strings Integer.parseInt reads), lock sequences as Hive parses them', () => {
  const record = (port: unknown): Buffer => Buffer.from(JSON.stringify({ type: 'JSONServiceRecord', internal: [{ api: 'activeEndpoint', addresses: [{ host: 'ha1', port }] }] }));
  assert.equal(decodeServiceRecord(record('10000'))?.endpoints[0]?.port, 10000);
  assert.equal(decodeServiceRecord(record('+10000'))?.endpoints[0]?.port, 10000);
  for (const bad of [1e4, 10000, '1e4', '10000.0', '70000', ' 10000']) {
    assert.deepEqual(decodeServiceRecord(record(bad))?.endpoints, [], JSON.stringify(bad));
  }
  assert.equal(parseLockName('LOCK-SHARED-0000000012')?.sequence, 12);
  assert.equal(parseLockName('LOCK-EXCLUSIVE-9007199254740993')?.sequence, -1);
});

test('"__proto__" is a key like any other in znode data, znode names and URLs: kept, never dropped or turned into a prototype', () => {
  const data = decodeInstanceData(Buffer.from('__proto__=x;hive.server2.thrift.port=10000;constructor=y'));
  assert.ok(data.format === 'config');
  assert.deepEqual(Object.entries(data.settings), [['__proto__', 'x'], ['hive.server2.thrift.port', '10000'], ['constructor', 'y']]);
  assert.equal(Object.getPrototypeOf(data.settings), Object.prototype);
  const again = decodeInstanceData(Buffer.from('__proto__=x;__proto__=z'));
  assert.ok(again.format === 'config');
  assert.deepEqual([again.settings.__proto__, again.duplicateKeys], ['z', ['__proto__']]);
  assert.deepEqual(Object.entries(parseInstanceName('serverUri=h:10000;__proto__=p;sequence=1')?.extra ?? {}), [['__proto__', 'p']]);
  assert.deepEqual(Object.entries(parseJdbcUrl('jdbc:hive2://h:10000/db;__proto__=s').sessionVars), [['__proto__', 's']]);
  assert.throws(() => parseJdbcUrl('jdbc:hive2://h:10000/db;__proto__=s;__proto__=t'), /Multiple values for property __proto__/);
});

test('printed JSON escapes invisible characters in keys as in values (LLAP attributes, Kyuubi data, URL keys)', async () => {
  const { safeJson } = await import('../../src/core/untrusted');
  const text = safeJson({ 'hive.llap.daemon\u202e.num': 'v\u202e', nested: [{ 'k\u0007\u200b': 1 }], plain: { a: 'b' } }, 2);
  assert.ok(!/[\u202e\u0007\u200b]/.test(text), text);
  assert.match(text, /"hive\.llap\.daemon\\\\u\{202E\}\.num"/);
  assert.deepEqual(JSON.parse(safeJson({ a: { b: 'c' } })), { a: { b: 'c' } });
  const { hiveZk } = await import('../support/cli');
  const printed = await hiveZk({}, 'parse-url', 'jdbc:hive2://h:1/db;a%E2%80%AEb=1');
  assert.equal(printed.code, 0);
  assert.ok(!printed.output.includes('\u202e') && printed.output.includes('a\\\\u{202E}b'), printed.output);
});
