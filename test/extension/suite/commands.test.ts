// Commands run on tree items: copying URLs, beeline and UNLOCK statements, resolving, znode
// documents, adding an ensemble from a URL.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Resolution } from '../../../src/core/jdbc/resolver';
import { HiveZkError } from '../../../src/core/errors';
import { nodeArgument } from '../../../src/ui/commands/common';
import { openResolutionDocument } from '../../../src/ui/commands/jdbc';
import { test } from './harness';
import { activate, api, kids, label, find, path, waitFor, setSetting, onlySandbox, clipboardAfter, SANDBOX_ZK, SANDBOX_PORT } from './helpers';

test('copy commands put the exact text on the clipboard', async () => {
  const hs2 = await path('sandbox', 'HiveServer2', 'hiveserver2');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', hs2), `jdbc:hive2://${SANDBOX_ZK}/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2`);
  const ha = await path('sandbox', 'HiveServer2', 'hs2ActivePassiveHA');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', ha), `jdbc:hive2://${SANDBOX_ZK}/default;serviceDiscoveryMode=zooKeeperHA;zooKeeperNamespace=hs2ActivePassiveHA`);
  const kerberos = await find(hs2, 'hs2-c.example.com:10000');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', kerberos), 'jdbc:hive2://hs2-c.example.com:10000/default;ssl=true;saslQop=auth;transportMode=binary;principal=hive/_HOST@EXAMPLE.COM');
  assert.equal(
    await clipboardAfter('hiveZk.copyBeelineCommand', kerberos),
    "beeline -u 'jdbc:hive2://hs2-c.example.com:10000/default;ssl=true;saslQop=auth;transportMode=binary;principal=hive/_HOST@EXAMPLE.COM'",
  );
  const http = await find(hs2, 'hs2-d.example.com:10001');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', http), 'jdbc:hive2://hs2-d.example.com:10001/default;ssl=true;httpPath=cliservice;transportMode=http');
  assert.match(await clipboardAfter('hiveZk.copyZnodePath', kerberos), /^\/hiveserver2\/serverUri=hs2-c\.example\.com:10000;version=3\.1\.3;sequence=\d{10}$/);
  assert.match(await clipboardAfter('hiveZk.copyZnodeData', kerberos), /hive\.server2\.authentication=KERBEROS/);
});

test('resolve gives every candidate and the driver\'s pick; HA gives the leader', async () => {
  const resolution = await vscode.commands.executeCommand<Resolution>('hiveZk.resolveJdbcUrl', `jdbc:hive2://${SANDBOX_ZK}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2`);
  assert.equal(resolution.candidates.length, 5);
  assert.ok(resolution.candidates.includes(resolution.chosen as never) || resolution.candidates.some((c) => c.znode === resolution.chosen?.znode));
  assert.equal(resolution.roundTrips, 2);
  const ha = await vscode.commands.executeCommand<Resolution>('hiveZk.resolveJdbcUrl', `jdbc:hive2://${SANDBOX_ZK}/;serviceDiscoveryMode=zooKeeperHA`);
  assert.equal(ha.chosen?.host, 'hs2-ha-1.example.com');
});

test('a znode opens as a read-only document with data, stat and ACL', async () => {
  const instance = await path('sandbox', 'HiveServer2', 'hiveserver2', 'hs2-b.example.com:10000');
  const text = await vscode.commands.executeCommand<string>('hiveZk.openZnode', instance);
  assert.match(text, /# version 0 · \d+ bytes · 0 children · ephemeral/);
  assert.match(text, /# ACL: world:anyone rwcda/);
  assert.match(text, /hive\.server2\.thrift\.bind\.host=hs2-b\.example\.com/);
  // The instance's URL and beeline command, aligned with its decoded fields.
  assert.match(text, /^JDBC URL +jdbc:hive2:\/\/hs2-b\.example\.com:10000\/default;/m);
  assert.match(text, /^beeline +beeline -u 'jdbc:hive2:\/\/hs2-b\.example\.com:10000\/default;[^']*'$/m);
});

test('beeline in a terminal: beeline itself prompts for the password; none passes through the extension', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-beeline-'));
  const fake = join(dir, 'beeline');
  writeFileSync(fake, '#!/bin/sh\nexit 0\n');
  chmodSync(fake, 0o755);
  await setSetting('beeline.user', 'alice');
  await setSetting('beeline.path', fake);
  try {
    const instance = await path('sandbox', 'HiveServer2', 'hiveserver2', 'hs2-b.example.com:10000');
    const result = await vscode.commands.executeCommand<{ terminalName: string; text: string }>('hiveZk.openBeeline', instance);
    assert.equal(result.text, `${fake} -u 'jdbc:hive2://hs2-b.example.com:10000/default;saslQop=auth;ssl=false;transportMode=binary' -n alice -p`);
    const terminal = vscode.window.terminals.find((t) => t.name === result.terminalName);
    assert.ok(terminal);
    assert.equal((terminal.creationOptions as vscode.TerminalOptions).env, undefined, 'no secret in the terminal environment');
    terminal.dispose();
    // A beeline that is not there: no terminal, a warning offering to set the path.
    await setSetting('beeline.path', join(dir, 'missing', 'beeline'));
    const terminals = vscode.window.terminals.length;
    const missing = await vscode.commands.executeCommand<{ missing?: string }>('hiveZk.openBeeline', instance);
    assert.equal(missing.missing, join(dir, 'missing', 'beeline'));
    assert.equal(vscode.window.terminals.length, terminals, 'no terminal opened for a missing beeline');
  } finally {
    await setSetting('beeline.user', undefined);
    await setSetting('beeline.path', undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('adding an ensemble from a pasted discovery URL', async () => {
  await activate();
  try {
    const url = `jdbc:hive2://localhost:${SANDBOX_PORT}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2-analytics`;
    await vscode.commands.executeCommand('workbench.view.extension.hiveZk');
    const expanded: string[] = [];
    const listening = api().view.onDidExpandElement((e) => expanded.push(e.element.id));
    const added = await vscode.commands.executeCommand<{ name: string; connectString: string; hs2Namespaces: string[] }>('hiveZk.addEnsembleFromUrl', url);
    listening.dispose();
    assert.deepEqual([added.name, added.connectString, added.hs2Namespaces], ['localhost', `localhost:${SANDBOX_PORT}`, ['hiveserver2-analytics']]);
    // In the view at once, selected and expanded (it stayed invisible until a Refresh).
    assert.equal(api().view.selection[0]?.id, 'ensemble|localhost');
    assert.deepEqual(expanded, ['ensemble|localhost']);
    const node = await waitFor('the new ensemble', async () => (await kids()).find((n) => label(n) === 'localhost'));
    assert.ok((await kids(await find(await find(node, 'HiveServer2'), 'hiveserver2-analytics'))).length >= 1);
  } finally {
    await onlySandbox();
  }
});

test('UNLOCK for a lock group is right when the lock namespace is written with slashes', async () => {
  try {
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK, lockNamespace: '/hive_zookeeper_namespace/' }]);
    const orders = await waitFor('the settings to apply', async () => {
      const locks = await path('sandbox', 'Locks');
      return (await kids(locks)).some((n) => label(n) === 'sales') ? find(await find(locks, 'sales'), 'orders') : undefined;
    });
    assert.equal(await clipboardAfter('hiveZk.copyUnlockStatement', orders), 'UNLOCK TABLE `sales`.`orders`;');
    const day = await find(orders, 'ds=2026-11-24');
    assert.equal(await clipboardAfter('hiveZk.copyUnlockStatement', day), "UNLOCK TABLE `sales`.`orders` PARTITION (`ds`='2026-11-24');");
  } finally {
    await onlySandbox();
  }
});

test('a command given the wrong kind of tree item refuses it with a clear error instead of guessing', async () => {
  const ensemble = await find(undefined, 'sandbox');
  await vscode.env.clipboard.writeText('untouched');
  assert.equal(await vscode.commands.executeCommand('hiveZk.copyUnlockStatement', ensemble), undefined);
  assert.equal(await vscode.env.clipboard.readText(), 'untouched');
  assert.throws(
    () => nodeArgument('hiveZk.copyUnlockStatement', ensemble, ['lock', 'lockGroup']),
    (error: unknown) => error instanceof HiveZkError && error.code === 'BAD_ARGUMENT' && /does not apply to the ensemble item; choose a lock or lockGroup item/.test(error.message),
  );
  assert.throws(() => nodeArgument('hiveZk.copyZnodePath', { kind: 'instance' }, 'any'), /does not apply to this argument/);
  assert.equal(nodeArgument('hiveZk.copyZnodePath', undefined, ['znode']), undefined, 'no argument: the palette, the command asks');
  assert.equal(nodeArgument('hiveZk.refreshNode', ensemble, 'any'), ensemble);
});

test('resolve from a namespace row, per-ensemble beeline user and options, the resolution kept as a JSON document', async () => {
  const hs2 = await path('sandbox', 'HiveServer2', 'hiveserver2');
  const resolution = await vscode.commands.executeCommand<Resolution>('hiveZk.resolveJdbcUrl', hs2);
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  assert.equal(resolution.mode, 'zooKeeper');
  assert.equal(resolution.candidates.length, 5);
  const document = await openResolutionDocument(api().snapshots, resolution);
  assert.equal(document.languageId, 'json');
  // A read-only virtual document, not an Untitled editor that asks to be saved.
  assert.equal(document.uri.scheme, 'hivezk-snapshot');
  assert.equal(document.isUntitled, false);
  assert.equal(document.isDirty, false);
  assert.deepEqual((JSON.parse(document.getText()) as Resolution).candidates.map((c) => c.znode), resolution.candidates.map((c) => c.znode));
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  try {
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK, beelineUser: 'bob', beelineArgs: ['--silent=true'] }]);
    const ensemble = await waitFor('the sandbox ensemble', async () => (await kids()).find((n) => label(n) === 'sandbox'));
    const command = await clipboardAfter('hiveZk.copyBeelineCommand', ensemble);
    assert.equal(command, `beeline -u 'jdbc:hive2://${SANDBOX_ZK}/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2' -n bob '--silent=true' -p`);
  } finally {
    await onlySandbox();
  }
});
