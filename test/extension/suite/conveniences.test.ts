// Small things operators trip on: copy the connect string and hive.metastore.uris, Browse-znodes
// parents that expand on click, rows a screen reader can read, and a tidy welcome view and title bar.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { test } from './harness';
import { api, clipboardAfter, extension, find, kids, path, SANDBOX_ZK } from './helpers';

test('Copy Connect String and Copy hive.metastore.uris put exactly that on the clipboard', async () => {
  assert.equal(await clipboardAfter('hiveZk.copyConnectString', await find(undefined, 'sandbox')), SANDBOX_ZK);
  const metastore = await path('sandbox', 'HiveServer2', 'hive_metastore');
  assert.equal(await clipboardAfter('hiveZk.copyMetastoreUris', metastore), 'thrift://metastore-1.example.com:9083,thrift://metastore-2.example.com:9083');
});

test('Browse znodes: a parent expands on click, only a leaf opens its data', async () => {
  const browse = await path('sandbox', 'Browse znodes');
  const parent = await find(browse, 'hiveserver2');
  const parentItem = api().tree.getTreeItem(parent);
  assert.equal(parentItem.command, undefined);
  assert.equal(parentItem.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
  const [leaf] = (await kids(parent)).filter((n) => n.kind === 'znode' && n.numChildren === 0);
  assert.ok(leaf);
  assert.equal(api().tree.getTreeItem(leaf).command?.command, 'hiveZk.openZnode');
});

test('rows with rich tooltips keep a screen-reader label', async () => {
  const instance = await path('sandbox', 'HiveServer2', 'hiveserver2', 'hs2-c.example.com:10000');
  assert.match(api().tree.getTreeItem(instance).accessibilityInformation?.label ?? '', /^hs2-c\.example\.com:10000, v3\.1\.3 · binary · SSL · \d+ (s|min|h|d)$/);
});

test('the welcome view has no literal backticks; title actions that need an ensemble hide without one', () => {
  const manifest = JSON.parse(readFileSync(join(extension().extensionPath, 'package.json'), 'utf8')) as {
    categories: string[];
    contributes: { viewsWelcome: { contents: string }[]; menus: { 'view/title': { command: string; when: string }[] } };
  };
  assert.ok(manifest.contributes.viewsWelcome.every((w) => !w.contents.includes('`')));
  for (const command of ['hiveZk.filter', 'hiveZk.clearFilter', 'hiveZk.refresh', 'hiveZk.revealInstance']) {
    const entry = manifest.contributes.menus['view/title'].find((m) => m.command === command);
    assert.match(entry?.when ?? '', /hiveZk\.hasEnsembles/, command);
  }
  assert.ok(manifest.categories.length > 1, 'more than "Other"');
});

test('details on click: an instance, a lock and a metastore open decoded fields and the raw data, refreshable', async () => {
  const instance = await path('sandbox', 'HiveServer2', 'hiveserver2', 'hs2-b.example.com:10000');
  const click = api().tree.getTreeItem(instance).command;
  assert.equal(click?.command, 'hiveZk.openZnode');
  const text = await vscode.commands.executeCommand<string>(click.command, ...((click.arguments ?? []) as unknown[]));
  // Its URL and beeline command first, aligned with its decoded fields.
  assert.match(text, /# decoded: HiveServer2 instance\nJDBC URL +jdbc:hive2:\/\/hs2-b\.example\.com:10000\/[^\n]*\nbeeline +beeline -u [^\n]*\nHost +hs2-b\.example\.com\nPort +10000\nVersion +2\.3\.9/);
  assert.match(text, /# raw data \(text\):/);
  const metastore = (await kids(await path('sandbox', 'HiveServer2', 'hive_metastore')))[0];
  assert.ok(metastore);
  assert.match(await vscode.commands.executeCommand<string>('hiveZk.openZnode', metastore), /# decoded: Hive metastore\nHost +metastore-1\.example\.com/);
  const [waiting] = await kids(await find(await path('sandbox', 'Locks'), 'Waiting (1)'));
  assert.ok(waiting);
  const lockText = await vscode.commands.executeCommand<string>('hiveZk.openZnode', waiting);
  assert.match(lockText, /# decoded: Hive lock\nMode +EXCLUSIVE\nObject +sales\.orders \(ds=2026-11-24\)/);
  // Opening it again reads the znode again (the refresh path); the text is the same znode's.
  assert.match(await vscode.commands.executeCommand<string>('hiveZk.openZnode', waiting), /Mode +EXCLUSIVE/);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});
