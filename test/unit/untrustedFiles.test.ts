// Local files as untrusted input: configuration files whose ${} references grow, files that are
// not regular files or lie about their size, secrets in what is printed back, and the
// beeline-hs2-connection.xml rules exactly as beeline applies them. Hostile cases run in a child
// process whose peak memory is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HiveZkError, toHiveZkError } from '../../src/core/errors';
import { formatBeelineSiteEntry, readBeelineSite, readHs2ConnectionFile } from '../../src/core/config/beelineFiles';
import { MAX_EXPANDED_CHARS, parseHadoopXml, readConfigFile } from '../../src/core/config/hadoopXml';
import { readHiveSite } from '../../src/core/config/hiveSite';
import { readLocalFile } from '../../src/core/localFile';
import { MAX_RSS_MB, runHostile } from '../support/hostileRun';

const property = (name: string, value: string): string => `<property><name>${name}</name><value>${value}</value></property>`;
const conf = (...properties: string[]): string => `<?xml version="1.0"?>\n<configuration>\n${properties.join('\n')}\n</configuration>\n`;
const isCode = (code: string, pattern?: RegExp) => (e: unknown) => e instanceof HiveZkError && e.code === code && (pattern === undefined || pattern.test(e.message));

function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-files-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** The issue's first example: ten levels, each value ${previous} ten times. */
const tenByTen = (): string => conf(property('v1', 'x'.repeat(10)), ...Array.from({ length: 9 }, (_, i) => property(`v${i + 2}`, `\${v${i + 1}}`.repeat(10))), property('hive.zookeeper.quorum', '${v10}'));

test('expansion follows Hadoop: one reference at a time, at most 20, unknown names and self-reference stop it', () => {
  const { get } = parseHadoopXml(conf(property('a', '1'), property('b', 'y-${a}-${missing}-${a}'), property('c', '${missing}-${a}'), property('d', '${d}x'), property('e', '${a}'.repeat(20)), property('f', '${a}'.repeat(21)), property('g', '${ a}${}$${a}')));
  assert.equal(get('b'), 'y-1-${missing}-${a}');
  assert.equal(get('c'), '${missing}-${a}');
  assert.equal(get('d'), '${d}x');
  assert.throws(() => get('e'), isCode('BAD_CONFIG_FILE', /substitution depth too large/));
  assert.throws(() => get('f'), isCode('BAD_CONFIG_FILE', /substitution depth too large/));
  assert.equal(get('g'), '${ a}${}$1');
});

test('expansion is bounded: reference graphs built to grow are refused, whatever their shape', () => {
  assert.throws(() => readHiveSite(tenByTen()), isCode('BAD_CONFIG_FILE', /depth too large/));
  const big = 'q'.repeat(40_000);
  assert.throws(() => readHiveSite(conf(property('big', big), property('hive.zookeeper.quorum', '${big},${big}'))), isCode('BAD_CONFIG_FILE', new RegExp(`more than ${MAX_EXPANDED_CHARS / 1024} KB`)));
  // Values nobody looks up are never expanded: a file of references is read at the cost of its size.
  const { properties } = parseHadoopXml(tenByTen());
  assert.equal(properties.get('v10'), '${v9}'.repeat(10));
});

test('beeline-site.xml and beeline-hs2-connection.xml values are read as written (Configuration iterator: no ${} expansion)', () => {
  const site = readBeelineSite(conf(property('host', 'h'), property('beeline.hs2.jdbc.url.a', 'jdbc:hive2://${host}:1/')));
  assert.equal(site.urls[0]?.problem !== undefined || site.urls[0]?.url === 'jdbc:hive2://${host}:1/', true);
  assert.ok(!JSON.stringify(site).includes('jdbc:hive2://h:1/'));
});

test('hostile: the issue\'s reference graphs in a child stay under the memory bound and fail typed', async () => {
  await withDir(async (dir) => {
    const chain = join(dir, 'chain.xml');
    writeFileSync(chain, tenByTen());
    const wide = join(dir, 'wide.xml');
    writeFileSync(wide, conf(property('long', 'L'.repeat(400)), property('hive.zookeeper.quorum', '${long}'.repeat(125_000)), property('hive.metastore.uris', '${long}'.repeat(125_000))));
    for (const file of [chain, wide]) {
      const report = await runHostile(['cli', JSON.stringify(['ensembles-from', file])], 60_000);
      assert.deepEqual(report.outcomes, ['BAD_CONFIG_FILE']);
      assert.ok(report.maxRssMb < MAX_RSS_MB, `peak ${report.maxRssMb} MB`);
    }
    // The same references in a beeline-site.xml are printed as written: output bounded by the file.
    const site = join(dir, 'beeline-site.xml');
    writeFileSync(site, conf(property('long', 'L'.repeat(400)), ...Array.from({ length: 100 }, (_, i) => property(`beeline.hs2.jdbc.url.u${i}`, `jdbc:hive2://h:1/db;a=${'${long}'.repeat(2500)}`))));
    const report = await runHostile(['cli', JSON.stringify(['ensembles-from', site])], 60_000);
    assert.deepEqual(report.outcomes, ['ok']);
    assert.ok(report.outputChars < 4 * 1024 * 1024, `${report.outputChars} characters of output`);
    assert.ok(report.maxRssMb < MAX_RSS_MB, `peak ${report.maxRssMb} MB`);
  });
});

test('only regular files are read, by count: /dev/zero, a FIFO, a directory and an oversized file are refused with the reason', async () => {
  await withDir(async (dir) => {
    const fifo = join(dir, 'fifo.xml');
    execFileSync('mkfifo', [fifo]);
    const sub = join(dir, 'conf.d');
    mkdirSync(sub);
    const huge = join(dir, 'huge.xml');
    writeFileSync(huge, Buffer.alloc(5 * 1024 * 1024, 0x20));
    const cases: [string, RegExp][] = [
      ['/dev/zero', /character device/],
      [fifo, /pipe/],
      [sub, /directory/],
      [huge, /larger than 4 MB/],
      [join(dir, 'missing.xml'), /does not exist/],
    ];
    for (const [path, reason] of cases) {
      assert.throws(() => readConfigFile(path), isCode('BAD_CONFIG_FILE', reason), path);
      const report = await runHostile(['cli', JSON.stringify(['ensembles-from', path])], 30_000);
      assert.deepEqual(report.outcomes, ['BAD_CONFIG_FILE'], path);
      assert.ok(report.maxRssMb < MAX_RSS_MB, `${path}: peak ${report.maxRssMb} MB`);
    }
    // /proc files report size 0 and are read by count all the same.
    assert.ok(readLocalFile('/proc/self/status', { what: 'A file', maxBytes: 1 << 20, code: 'BAD_ARGUMENT' }).length > 0);
    assert.throws(() => readLocalFile('/proc/self/status', { what: 'A file', maxBytes: 10, code: 'BAD_ARGUMENT' }), isCode('BAD_ARGUMENT', /larger than 10 bytes/));
  });
});

test('a local file error that escapes a reader is never reported as a ZooKeeper error', () => {
  const error = Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { code: 'EISDIR', syscall: 'read', path: '/etc' });
  const typed = toHiveZkError(error);
  assert.notEqual(typed.code, 'ZK_ERROR');
  assert.match(typed.message, /\/etc/);
});

/** Every spelling of a secret parameter the project knows (secretParams.ts). */
const SECRETS: [string, string][] = [
  ['password', 'S3cret-pw'],
  ['trustStorePassword', 'S3cret-ts'],
  ['keyStorePassword', 'S3cret-ks'],
  ['zooKeeperTruststorePassword', 'S3cret-zts'],
  ['zooKeeperKeystorePassword', 'S3cret-zks'],
  ['PASSWORD', 'S3cret-upper'],
  ['jwt', 'S3cret-jwt'],
  ['http.header.Authorization', 'S3cret-hdr'],
];

test('secret parameters never come back: beeline-site.xml, beeline-hs2-connection.xml, beeline-site-entry', async () => {
  const secretsIn = (text: string): string[] => SECRETS.filter(([, value]) => text.includes(value)).map(([key]) => key);
  const session = SECRETS.map(([k, v]) => `;${k}=${v}`).join('');
  const site = readBeelineSite(conf(property('beeline.hs2.jdbc.url.a', `jdbc:hive2://h:10000/db;ssl=true${session}`), property('beeline.hs2.jdbc.url.b', `jdbc:hive2://h:10000/db?${SECRETS.map(([k, v]) => `${k}=${v}`).join(';')}`)));
  assert.deepEqual(secretsIn(JSON.stringify(site)), []);
  assert.deepEqual(site.urls.map((u) => u.hadPassword), [true, true]);
  assert.equal(site.urls[0]?.url, 'jdbc:hive2://h:10000/db;ssl=true');
  const hs2 = readHs2ConnectionFile(conf(property('beeline.hs2.connection.hosts', 'h:10000'), ...SECRETS.map(([k, v]) => property(`beeline.hs2.connection.${k}`, v))));
  assert.deepEqual(secretsIn(JSON.stringify(hs2)), []);
  assert.equal(hs2.url, 'jdbc:hive2://h:10000/default');
  assert.equal(hs2.hadPassword, true);
  assert.deepEqual(secretsIn(formatBeelineSiteEntry('p', `jdbc:hive2://h:10000/db${session}`)), []);
  await withDir(async (dir) => {
    const file = join(dir, 'beeline-site.xml');
    writeFileSync(file, conf(property('beeline.hs2.jdbc.url.a', `jdbc:hive2://h:10000/db${session}`)));
    const { hiveZk } = await import('../support/cli');
    const printed = await hiveZk({}, 'ensembles-from', file);
    assert.equal(printed.code, 0);
    assert.deepEqual(secretsIn(printed.output), []);
    const entry = await hiveZk({}, 'beeline-site-entry', 'p', `jdbc:hive2://h:10000/db${session}`);
    assert.deepEqual(secretsIn(entry.output), []);
  });
});

test('beeline-hs2-connection.xml as HS2ConnectionFileUtils builds it: only hosts, defaultDB and hiveconf/hivevar pairs are trimmed', () => {
  const file = readHs2ConnectionFile(
    conf(
      property('beeline.hs2.connection.hosts', ' h1:10000 '),
      property('beeline.hs2.connection.defaultDB', ' sales '),
      property('beeline.hs2.connection.principal', 'hive/_HOST@R '),
      property('beeline.hs2.connection.hiveconf', ' a = 1 , b=2'),
      property('beeline.hs2.connection.hivevar', 'x=1,'),
    ),
  );
  assert.equal(file.url, 'jdbc:hive2://h1:10000/sales;principal=hive/_HOST@R ?a=1;b=2#x=1');
  assert.match(file.warnings.join(), /not valid/, 'beeline builds it; the driver then refuses the blank');
  // An empty defaultDB stays empty (only a missing one is "default").
  assert.equal(readHs2ConnectionFile(conf(property('beeline.hs2.connection.hosts', 'h:1'), property('beeline.hs2.connection.defaultDB', ''))).url, 'jdbc:hive2://h:1/');
  // Each hiveconf/hivevar entry has exactly one "=" (Java's split drops trailing empties: "a=b=" passes, "a=" does not).
  for (const bad of ['a', 'a=', 'a=b=c', 'a=b,,c=d', ',a=b', '', '=']) {
    assert.throws(() => readHs2ConnectionFile(conf(property('beeline.hs2.connection.hosts', 'h:1'), property('beeline.hs2.connection.hiveconf', bad))), isCode('BAD_CONFIG_FILE', /Unable to parse/), JSON.stringify(bad));
  }
  assert.equal(readHs2ConnectionFile(conf(property('beeline.hs2.connection.hosts', 'h:1'), property('beeline.hs2.connection.hivevar', 'a=b=,=c'))).url, 'jdbc:hive2://h:1/default#a=b;=c');
  assert.match(readHs2ConnectionFile(conf(property('beeline.hs2.connection.hosts', ''))).warnings.join(), /hosts parameter cannot be empty/);
});
