// Every pattern applied to untrusted text is linear: the parsers that replaced backtracking regular
// expressions give exactly what those expressions gave (checked on generated inputs) and finish on
// inputs built to make the expressions backtrack (each test has a hard time limit, not a timing assertion).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConnectString } from '../../src/core/zk/connectString';
import { parseEngineSpace } from '../../src/core/registry/namespaceDiscovery';
import { redactUrlText, isSecretKey } from '../../src/core/jdbc/secretParams';
import { javaTrim, trimEndWhere } from '../../src/core/untrusted';
import { prng } from '../support/prng';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const LIMIT = { timeout: 30_000 };

/** The expressions that were replaced, kept here as the reference. */
const OLD_ENGINE_SPACE = /^(.+)_(\d[\w.-]*)_(CONNECTION|USER|GROUP|SERVER_LOCAL|SERVER)_(SPARK_SQL|FLINK_SQL|TRINO|HIVE_SQL|JDBC|CHAT)$/;
const oldRedact = (decoded: string): string => decoded.replace(/([;?#&,/]|^)([^;?#&=]*)=([^;?#&]*)/g, (whole, lead: string, key: string) => (isSecretKey(key) ? `${lead}${key}=(hidden)` : whole));

function generated(random: () => number, pieces: readonly string[], max: number): string {
  return Array.from({ length: Math.floor(random() * max) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
}

test(`Kyuubi engine spaces: the linear parser equals EngineRef's pattern on 20,000 names (seed ${SEED})`, () => {
  const random = prng(SEED);
  const pieces = ['_', '1', '9', 'a', '.', '-', 'x', '\n', '\u2028', ' ', 'SERVER', 'LOCAL', 'USER', 'GROUP', 'CONNECTION', 'SPARK', 'SQL', 'HIVE', 'TRINO', 'JDBC', 'CHAT', 'FLINK', '_SERVER_LOCAL', '_SPARK_SQL', '_1.9.0'];
  for (let i = 0; i < 20_000; i += 1) {
    const name = generated(random, pieces, 12);
    const match = OLD_ENGINE_SPACE.exec(name);
    const expected = match ? { serverSpace: match[1], kyuubiVersion: match[2], shareLevel: match[3], engineType: match[4] } : undefined;
    assert.deepEqual(parseEngineSpace(name), expected, JSON.stringify(name));
  }
  assert.deepEqual(parseEngineSpace('kyuubi_1.9.0_USER_SPARK_SQL'), { serverSpace: 'kyuubi', kyuubiVersion: '1.9.0', shareLevel: 'USER', engineType: 'SPARK_SQL' });
});

test('Kyuubi engine spaces: the issue\'s znode name ("1_" × 50,000 + "X") and its kin are read in one pass', LIMIT, () => {
  assert.equal(parseEngineSpace(`${'1_'.repeat(50_000)}X`), undefined);
  assert.equal(parseEngineSpace(`a${'_1'.repeat(50_000)}\n_USER_SPARK_SQL`), undefined);
  assert.deepEqual(parseEngineSpace(`${'1_'.repeat(50_000)}USER_SPARK_SQL`), { serverSpace: '1_'.repeat(49_999).slice(0, -1), kyuubiVersion: '1', shareLevel: 'USER', engineType: 'SPARK_SQL' });
  assert.equal(parseEngineSpace(`${'_'.repeat(100_000)}1_USER_JDBC`)?.serverSpace.length, 99_999);
});

test(`redactUrlText: the one-pass scanner equals the old expression on 20,000 texts (seed ${SEED})`, () => {
  const random = prng(SEED + 1);
  const pieces = ['password', 'PassWord', 'trustStorePassword', 'jwt', 'http.header.X', 'user', '=', '==', ';', '?', '#', '&', ',', '/', 'a', ' ', 'x=y'];
  for (let i = 0; i < 20_000; i += 1) {
    const text = generated(random, pieces, 14);
    assert.equal(redactUrlText(text), oldRedact(text), JSON.stringify(text));
  }
});

test('runs built to backtrack: redaction, trims, chroots, quoting', LIMIT, () => {
  const slashes = `${'/'.repeat(200_000)}x`;
  assert.equal(redactUrlText(slashes), slashes);
  assert.equal(redactUrlText(`${"',".repeat(100_000)}!`).length, 200_001);
  assert.equal(javaTrim(`${'\t'.repeat(200_000)}!${'\t'.repeat(200_000)}`), '!');
  assert.equal(trimEndWhere(`a${'/'.repeat(200_000)}`, (c) => c === 0x2f), 'a');
  assert.throws(() => parseConnectString(`h:1/a${'/'.repeat(200_000)}!`));
});
