// The CLI twins of the driver-version and import features (no ZooKeeper needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/commands';
import { HiveZkError } from '../../src/core/errors';

const isCode = (code: string) => (e: unknown) => e instanceof HiveZkError && e.code === code;

test('parse-url --hive-version: HIVE-28217 port and HIVE-28805 password, never printed', async () => {
  const old = (await runCommand(['parse-url', 'jdbc:hive2://h/;password=a=b', '--hive-version', '3.1.3'])) as { driver: string; port: number; sessionVars: Record<string, string>; notes: { code: string }[] };
  assert.deepEqual([old.driver, old.port], ['3', -1]);
  assert.deepEqual(old.sessionVars, { 'password=…': '(hidden)' });
  assert.ok(old.notes.some((n) => n.code === 'NO_DEFAULT_PORT'));
  const latest = (await runCommand(['parse-url', 'jdbc:hive2://h/;password=a=b'])) as { port: number; sessionVars: Record<string, string> };
  assert.equal(latest.port, 10000);
  assert.equal(latest.sessionVars.password, '(hidden)');
  assert.ok(!JSON.stringify([old, latest]).includes('a=b'));
  await assert.rejects(runCommand(['parse-url', 'jdbc:hive2://h/', '--hive-version', '1.2']), isCode('BAD_ARGUMENT'));
});

test('ensembles-from: hive-site.xml, beeline-site.xml and a missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-cli-'));
  try {
    const hiveSite = join(dir, 'hive-site.xml');
    writeFileSync(hiveSite, '<configuration><property><name>hive.zookeeper.quorum</name><value>zk1,zk2</value></property></configuration>');
    const result = (await runCommand(['ensembles-from', hiveSite])) as { kind: string; ensembles: { connectString: string }[] };
    assert.equal(result.kind, 'hive-site');
    assert.equal(result.ensembles[0]?.connectString, 'zk1:2181,zk2:2181');
    const beelineSite = join(dir, 'beeline-site.xml');
    writeFileSync(beelineSite, '<configuration><property><name>beeline.hs2.jdbc.url.a</name><value>jdbc:hive2://h:1/</value></property></configuration>');
    assert.equal(((await runCommand(['ensembles-from', beelineSite])) as { kind: string }).kind, 'beeline-site');
    // Every problem with the file itself is the file's code, with the reason.
    await assert.rejects(runCommand(['ensembles-from', join(dir, 'nope.xml')]), isCode('BAD_CONFIG_FILE'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('beeline-site-entry: the property for beeline -c, and the default marker', async () => {
  const { entry } = (await runCommand(['beeline-site-entry', 'prod', 'jdbc:hive2://h:10000/', '--default'])) as { entry: string };
  assert.match(entry, /beeline\.hs2\.jdbc\.url\.prod/);
  assert.match(entry, /<name>beeline\.hs2\.jdbc\.url\.default<\/name>\s*<value>prod<\/value>/);
  await assert.rejects(runCommand(['beeline-site-entry', 'prod']), isCode('BAD_ARGUMENT'));
});

test('beeline --hive-version 2 refuses an HA discovery URL (HIVE-18633)', async () => {
  await assert.rejects(runCommand(['beeline', '--zk', 'zk1:2181', '--namespace', 'hs2ActivePassiveHA', '--ha', '--hive-version', '2']), isCode('BAD_ARGUMENT'));
});
