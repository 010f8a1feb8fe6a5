// The import commands inside a real extension host: hive-site.xml and beeline-site.xml become
// ensembles in the user's settings, and a tree item copies as a beeline-site.xml entry.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { test } from './harness';

const conf = (props: Record<string, string>): string =>
  `<?xml version="1.0"?>\n<configuration>\n${Object.entries(props)
    .map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`)
    .join('\n')}\n</configuration>\n`;

function ensembles(): { name: string; connectString: string; hs2Namespaces?: string[]; lockNamespace?: string }[] {
  return vscode.workspace.getConfiguration('hiveZk').get('ensembles') ?? [];
}

test('Add Ensembles from hive-site.xml, Add from beeline-site.xml, Copy as beeline-site.xml Entry', async () => {
  const saved = ensembles();
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-import-'));
  const hiveSite = join(dir, 'hive-site.xml');
  writeFileSync(hiveSite, conf({ 'hive.zookeeper.quorum': 'zkimport1,zkimport2', 'hive.zookeeper.client.port': '2281', 'hive.server2.zookeeper.namespace': 'hs2imported', 'hive.zookeeper.namespace': 'locks_imported' }));
  const beelineSite = join(dir, 'beeline-site.xml');
  writeFileSync(beelineSite, conf({ 'beeline.hs2.jdbc.url.bsite': 'jdbc:hive2://zkb1:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=bns;password=never', 'beeline.hs2.jdbc.url.default': 'bsite' }));
  try {
    const added = await vscode.commands.executeCommand<{ name: string }[]>('hiveZk.addEnsemblesFromHiveSite', vscode.Uri.file(hiveSite));
    assert.equal(added.length, 1);
    const imported = ensembles().find((e) => e.connectString === 'zkimport1:2281,zkimport2:2281');
    assert.deepEqual(imported && { ns: imported.hs2Namespaces, lock: imported.lockNamespace }, { ns: ['hs2imported'], lock: 'locks_imported' });
    const again = await vscode.commands.executeCommand<unknown[]>('hiveZk.addEnsemblesFromHiveSite', vscode.Uri.file(hiveSite));
    assert.deepEqual(again, [], 'a second import adds nothing');

    await vscode.commands.executeCommand('hiveZk.addFromBeelineSite', vscode.Uri.file(beelineSite));
    const fromBeeline = ensembles().find((e) => e.name === 'bsite');
    assert.equal(fromBeeline?.connectString, 'zkb1:2181');
    assert.deepEqual(fromBeeline?.hs2Namespaces, ['bns']);
    assert.ok(!JSON.stringify(ensembles()).includes('never'), 'no password reaches settings');

    await vscode.env.clipboard.writeText('');
    const entry = await vscode.commands.executeCommand<string>('hiveZk.copyAsBeelineSiteEntry', { kind: 'ensemble', id: 'ensemble|bsite', ensemble: 'bsite' }, { name: 'mine' });
    assert.equal(await vscode.env.clipboard.readText(), entry);
    assert.match(entry, /<name>beeline\.hs2\.jdbc\.url\.mine<\/name>/);
    assert.match(entry, /jdbc:hive2:\/\/zkb1:2181\/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=bns/);
  } finally {
    await vscode.workspace.getConfiguration('hiveZk').update('ensembles', saved, vscode.ConfigurationTarget.Global);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hiveZk.driver.hiveVersion: Resolve answers for that driver (HIVE-28217 default port)', async () => {
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('hiveZk');
  try {
    await config().update('driver.hiveVersion', '3', vscode.ConfigurationTarget.Global);
    const old = await vscode.commands.executeCommand<{ driver: string; chosen?: { port?: number; usable: boolean } }>('hiveZk.resolveJdbcUrl', 'jdbc:hive2://h1/db');
    assert.deepEqual([old.driver, old.chosen?.port, old.chosen?.usable], ['3', undefined, false]);
    await config().update('driver.hiveVersion', undefined, vscode.ConfigurationTarget.Global);
    const latest = await vscode.commands.executeCommand<{ driver: string; chosen?: { port?: number } }>('hiveZk.resolveJdbcUrl', 'jdbc:hive2://h1/db');
    assert.deepEqual([latest.driver, latest.chosen?.port], ['4.1+', 10000]);
  } finally {
    await config().update('driver.hiveVersion', undefined, vscode.ConfigurationTarget.Global);
  }
});
