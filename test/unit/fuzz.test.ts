// Seeded, reproducible fuzzing of every parser and decoder of untrusted input: generated and
// mutated inputs must never crash or throw anything but a HiveZkError with one of the parser's own
// codes; what they return stays bounded, and what is built from it parses back the same.
// FUZZ_SEED picks the seed (printed on failure); FUZZ_ITERATIONS scales the run. No wall-clock
// limits here (a busy machine is not a bug): the linear-time checks live in linearPatterns.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConnectString } from '../../src/core/zk/connectString';
import { HiveZkError, type ErrorCode } from '../../src/core/errors';
import { decodeServiceRecord, describeHaInstance } from '../../src/core/registry/haRegistry';
import { decodeInstanceData, describeInstance, parseInstanceName } from '../../src/core/registry/hs2Instance';
import { parseMetastoreZnode } from '../../src/core/registry/metastoreRegistry';
import { instanceUrl } from '../../src/core/jdbc/hs2Urls';
import { formatJdbcUrl, parseJdbcUrl } from '../../src/core/jdbc/jdbcUrl';
import { decodeLockData, decodeLockObject, decodeTableName, parseLockName, unlockStatement } from '../../src/core/locks/locks';
import { splitPairs } from '../../src/core/pairs';
import { renderZnodeData } from '../../src/core/zk/znodeText';
import { prng } from '../support/prng';
import { readUnlock } from '../support/hiveQlModel';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 12_000);
/** A problem a decoder reports quotes untrusted values shortened (preview, escaped): never the whole input. */
const MAX_PROBLEM_CHARS = 1000;

/** The codes each parser may fail with: anything else is a bug leaking through (a TypeError, a RangeError, another layer's code). */
const URL_CODES: readonly ErrorCode[] = ['URL_NOT_HIVE2', 'URL_MALFORMED', 'URL_NO_HOST', 'URL_DUPLICATE_KEY', 'UNSAFE_VALUE', 'BAD_CONNECT_STRING'];
const CONNECT_CODES: readonly ErrorCode[] = ['BAD_CONNECT_STRING'];
const INSTANCE_URL_CODES: readonly ErrorCode[] = ['BAD_ZNODE_DATA', 'BAD_ARGUMENT', ...URL_CODES];
const UNLOCK_CODES: readonly ErrorCode[] = ['UNSAFE_VALUE'];

const CORPUS = [
  'jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2',
  'jdbc:hive2://h1:10000/sales;transportMode=http;httpPath=cli;principal=hive/_HOST@R?hive.exec.parallel=true#v=1',
  'serverUri=hs2a.example.com:10000;version=3.1.0;sequence=0000000012',
  'hive.server2.thrift.sasl.qop=auth;hive.server2.thrift.bind.host=h1;hive.server2.transport.mode=binary;hive.server2.authentication=NONE;hive.server2.thrift.port=10000;hive.server2.use.SSL=false',
  'hs2a.example.com:10000',
  'hive_20261125_q1:1764063000000:IMPLICIT:select * from t:10.0.0.7',
  'LOCK-EXCLUSIVE-0000000010',
  '{"type":"JSONServiceRecord","internal":[{"api":"activeEndpoint","addresses":[{"host":"h","port":"1"}]}]}',
  'zk1:2181,zk2:2181/hive/prod',
  'web-45-logs',
];
const ALPHABET = [...'abcXYZ019_-.', ...';=?#/:%@,[]{}"\'`$()&|<>!^\\ \t\n\r', '\u0000', '\u007f', 'é', '中', '\u2028', '\ud800', '%zz', '%3B', 'jdbc:hive2://', 'serviceDiscoveryMode=zooKeeper', 'LOCK-SHARED-', '=='];

function generate(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const roll = random();
  if (roll < 0.5) {
    // Mutate a valid input: replace, insert, delete or duplicate a few spans.
    let text = pick(CORPUS);
    for (let m = 0, n = 1 + Math.floor(random() * 4); m < n; m += 1) {
      const at = Math.floor(random() * (text.length + 1));
      const len = Math.floor(random() * 6);
      const op = random();
      if (op < 0.3) {
        text = text.slice(0, at) + pick(ALPHABET) + text.slice(at + len);
      } else if (op < 0.6) {
        text = text.slice(0, at) + pick(ALPHABET) + text.slice(at);
      } else if (op < 0.8) {
        text = text.slice(0, at) + text.slice(at + len);
      } else {
        text = text.slice(0, at) + text.slice(at, at + len + 8) + text.slice(at);
      }
    }
    return text;
  }
  const length = roll < 0.95 ? Math.floor(random() * 60) : Math.floor(random() * 3000);
  let text = '';
  while (text.length < length) {
    text += pick(ALPHABET);
  }
  return text;
}

function randomBytes(random: () => number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) {
    buffer[i] = Math.floor(random() * 256);
  }
  return buffer;
}

/** Calls fn; a throw must be a HiveZkError with one of `codes` and a bounded message. Returns the result or undefined. */
function guarded<T>(label: string, input: unknown, codes: readonly ErrorCode[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    const where = `(seed ${SEED}, input ${JSON.stringify(String(input).slice(0, 200))})`;
    assert.ok(error instanceof HiveZkError, `${label} threw a ${(error as Error)?.constructor?.name}: ${String(error)} ${where}`);
    assert.ok(codes.includes(error.code), `${label} failed with ${error.code}, not one of ${codes.join(', ')} ${where}`);
    assert.ok(error.message.length > 10 && error.message.length <= 2000, `${label}: message of ${error.message.length} characters ${where}`);
    return undefined;
  }
}

/** Must never throw at all: decoders report problems instead. */
function total<T>(label: string, input: unknown, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    assert.fail(`${label} threw ${String(error)} (seed ${SEED}, input ${JSON.stringify(String(input).slice(0, 200))})`);
  }
}

/** Problems are sentences of bounded length: a hostile znode cannot make one carry its whole data. */
function assertProblemsBounded(label: string, problems: readonly string[], input: unknown): void {
  for (const problem of problems) {
    assert.ok(problem.length > 0 && problem.length <= MAX_PROBLEM_CHARS, `${label}: a problem of ${problem.length} characters (seed ${SEED}, input ${JSON.stringify(String(input).slice(0, 100))})`);
  }
}

function regexPairs(text: string, pattern: RegExp): [string, string][] {
  return [...text.matchAll(pattern)].filter((m) => m[0] !== '').map((m) => [m[1] ?? '', m[2] ?? '']);
}

test(`fuzz: JDBC URLs, connect strings and URL round trips (seed ${SEED})`, () => {
  const random = prng(SEED);
  let parsed = 0;
  let roundTrips = 0;
  for (let i = 0; i < ITERATIONS * 3; i += 1) {
    const text = generate(random);
    const input = random() < 0.6 && !text.startsWith('jdbc:hive2://') ? `jdbc:hive2://${text}` : text;
    const url = guarded('parseJdbcUrl', input, URL_CODES, () => parseJdbcUrl(input));
    const connect = guarded('parseConnectString', text, CONNECT_CODES, () => parseConnectString(text));
    if (connect) {
      assert.ok(connect.servers.length > 0 && connect.servers.every((s) => Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535 && s.host !== ''), `servers of ${JSON.stringify(text)}`);
    }
    if (!url) {
      continue;
    }
    parsed += 1;
    if (url.embedded || url.discovery) {
      continue;
    }
    const formatted = guarded('formatJdbcUrl', input, URL_CODES, () => formatJdbcUrl(url));
    if (formatted) {
      const again = parseJdbcUrl(formatted);
      assert.deepEqual([again.database, again.sessionVars, again.hiveConfs, again.hiveVars], [url.database, url.sessionVars, url.hiveConfs, url.hiveVars], `round trip of ${input} via ${formatted}`);
      roundTrips += 1;
    }
  }
  assert.ok(parsed > ITERATIONS / 10 && roundTrips > ITERATIONS / 50, `enough valid inputs reached (parsed ${parsed}, round-tripped ${roundTrips})`);
});

test(`fuzz: znode names and data of HS2, HA and metastore registrations (seed ${SEED})`, () => {
  const random = prng(SEED + 1);
  let decoded = 0;
  for (let i = 0; i < ITERATIONS * 3; i += 1) {
    const name = generate(random);
    const data = random() < 0.2 ? randomBytes(random, Math.floor(random() * 200)) : Buffer.from(generate(random), 'utf8');
    total('parseInstanceName', name, () => parseInstanceName(name));
    const instanceData = total('decodeInstanceData', data, () => decodeInstanceData(data));
    const instance = total('describeInstance', data, () => describeInstance('/hiveserver2', name, instanceData));
    assertProblemsBounded('describeInstance', instance.problems, data);
    assert.ok(instance.port === undefined || (Number.isInteger(instance.port) && instance.port >= 1 && instance.port <= 65535), `port ${instance.port} (seed ${SEED})`);
    total('decodeServiceRecord', data, () => decodeServiceRecord(data));
    assertProblemsBounded('describeHaInstance', total('describeHaInstance', data, () => describeHaInstance('/ha-unsecure/instances', name, data)).problems, data);
    total('parseMetastoreZnode', data, () => parseMetastoreZnode(name, data));
    total('renderZnodeData', data, () => renderZnodeData(data));
    // Whatever a znode holds, a URL built from it parses back without extra parameters.
    const url = guarded('instanceUrl', data, INSTANCE_URL_CODES, () => instanceUrl(instance));
    if (url) {
      decoded += 1;
      const parts = parseJdbcUrl(url);
      assert.deepEqual(Object.keys(parts.hiveConfs), []);
      assert.deepEqual(Object.keys(parts.hiveVars), []);
      assert.ok(Object.keys(parts.sessionVars).every((k) => ['transportMode', 'httpPath', 'principal', 'saslQop', 'ssl', 'auth'].includes(k)), url);
      assert.equal(parts.hosts.length, 1);
    }
  }
  assert.ok(decoded > 0);
});

test(`fuzz: lock names, lock data and lock paths (seed ${SEED})`, () => {
  const random = prng(SEED + 2);
  for (let i = 0; i < ITERATIONS * 2; i += 1) {
    const name = generate(random);
    const data = random() < 0.2 ? randomBytes(random, Math.floor(random() * 200)) : Buffer.from(generate(random), 'utf8');
    total('parseLockName', name, () => parseLockName(name));
    const lock = total('decodeLockData', data, () => decodeLockData(data));
    assertProblemsBounded('decodeLockData', lock.problems, data);
    const segments = name.split('/');
    const object = total('decodeLockObject', name, () => decodeLockObject(segments));
    total('decodeTableName', name, () => decodeTableName(name));
    const statement = guarded('unlockStatement', name, UNLOCK_CODES, () => unlockStatement(object));
    if (statement !== undefined) {
      assert.deepEqual(readUnlock(statement), object, statement);
    }
  }
});

test(`differential: the linear pair parser equals Hive's regexes on ${ITERATIONS * 2} inputs (seed ${SEED})`, () => {
  const random = prng(SEED + 3);
  for (let i = 0; i < ITERATIONS * 2; i += 1) {
    const text = generate(random).slice(0, 300);
    assert.deepEqual(splitPairs(text, 'lastEquals'), regexPairs(text, /([^;]*)=([^;]*);?/g), `URL pairs of ${JSON.stringify(text)}`);
    assert.deepEqual(splitPairs(text, 'firstEquals'), regexPairs(text, /([^=;]*)=([^;]*);?/g), `znode pairs of ${JSON.stringify(text)}`);
  }
});

test('huge and degenerate inputs: 1 MB values, 10k-character names, empty and duplicate keys', () => {
  const megabyte = 'a'.repeat(1 << 20);
  const cases: Buffer[] = [
    Buffer.from(megabyte),
    Buffer.from(`hive.server2.thrift.bind.host=${megabyte}`),
    Buffer.from(`${';'.repeat(1 << 19)}=`),
    Buffer.from('='.repeat(1 << 20)),
    Buffer.from(`=;=;a=;=b;a=1;a=2;a=3`),
    Buffer.from(Array.from({ length: 1 << 16 }, (_, i) => `k${i % 7}=v${i}`).join(';')),
    Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc]),
    Buffer.alloc(1 << 20),
  ];
  for (const data of cases) {
    const decoded = total('decodeInstanceData', data.subarray(0, 40), () => decodeInstanceData(data));
    assertProblemsBounded('describeInstance', total('describeInstance', data.subarray(0, 40), () => describeInstance('/ns', 'x'.repeat(10_000), decoded)).problems, data.subarray(0, 40));
    assertProblemsBounded('decodeLockData', total('decodeLockData', data.subarray(0, 40), () => decodeLockData(data)).problems, data.subarray(0, 40));
    total('decodeServiceRecord', data.subarray(0, 40), () => decodeServiceRecord(data));
    const rendered = total('renderZnodeData', data.subarray(0, 40), () => renderZnodeData(data));
    assert.ok(rendered.text.length < 5_000_000);
  }
  const longName = `serverUri=${'h'.repeat(10_000)}:10000;version=${'9'.repeat(10_000)};sequence=0000000001`;
  assert.equal(parseInstanceName(longName), undefined, 'a 10k-character host is not a host');
  for (const url of [`jdbc:hive2://h:1/db;${megabyte}`, `jdbc:hive2://${'h'.repeat(10_000)}:1/`, `jdbc:hive2://h:1/db;${'a=1;'.repeat(50_000)}`, `jdbc:hive2://h:1/db?${'=;'.repeat(100_000)}`]) {
    guarded('parseJdbcUrl', url.slice(0, 60), URL_CODES, () => parseJdbcUrl(url));
  }
  const duplicate = decodeInstanceData(Buffer.from('hive.server2.thrift.port=1;hive.server2.thrift.port=2;=x;=y'));
  assert.ok(duplicate.format === 'config' && duplicate.duplicateKeys.includes('hive.server2.thrift.port') && duplicate.duplicateKeys.includes(''));
});

