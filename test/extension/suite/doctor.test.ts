// The registry doctor in a real VS Code: Check Endpoints on a namespace marks its instance rows from
// real probes of loopback listeners started here; the sandbox's *.example.com rows read "skipped"
// (the loopback-only guard is on for the whole run); Run Doctor… opens a read-only Markdown preview.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ZkSession } from '../../../src/core/zk/session';
import type { TreeNode } from '../../../src/ui/tree/nodes';
import { registerHs2 } from '../../support/hiveSeed';
import { closedPort, httpListener, silentListener, type Listener } from '../../support/probeTargets';
import { removeTree } from '../../support/sandbox';
import { test } from './harness';
import { api, description, kids, label, path, tooltipText, waitFor, SANDBOX_ZK } from './helpers';

const NS = 'hiveserver2-doctor';

test('doctor: Check Endpoints marks instance rows answering, refused, HTTP 401 answering, and skipped off loopback', async () => {
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  const listeners: Listener[] = [];
  try {
    const binary = await silentListener();
    const http = await httpListener(401);
    listeners.push(binary, http);
    const dead = await closedPort();
    await registerHs2(seeder, NS, { host: '127.0.0.1', port: binary.port, version: '4.0.1', variant: 'v3-binary' });
    await registerHs2(seeder, NS, { host: '127.0.0.1', port: dead, version: '3.1.3', variant: 'v3-binary' });
    await registerHs2(seeder, NS, { host: 'localhost', port: http.port, version: '3.1.3', variant: 'v3-http' });
    api().tree.refresh();
    const namespace = await waitFor(`the ${NS} namespace`, async () => {
      try {
        return await path('sandbox', 'HiveServer2', NS);
      } catch {
        return undefined;
      }
    });
    const rows = await kids(namespace);
    assert.equal(rows.length, 3);
    const before = rows.map(description);
    assert.ok(before.every((d) => !/answering|refused/.test(d)), 'nothing is probed until asked');

    const endpoints = await vscode.commands.executeCommand<{ znode: string; probe: { status: string } }[]>('hiveZk.checkEndpoints', namespace);
    assert.deepEqual(endpoints.map((e) => e.probe.status).sort(), ['answering', 'answering', 'refused']);
    const byLabel = new Map((await kids(namespace)).map((n) => [label(n), n] as [string, TreeNode]));
    const row = (text: string): TreeNode => {
      const found = byLabel.get(text);
      assert.ok(found, `${text} in ${[...byLabel.keys()].join(', ')}`);
      return found;
    };
    assert.match(description(row(`127.0.0.1:${binary.port}`)), /^answering · v4\.0\.1/);
    assert.match(description(row(`127.0.0.1:${dead}`)), /^refused · /);
    assert.match(description(row(`localhost:${http.port}`)), /^answering · /);
    assert.ok(tooltipText(row(`127.0.0.1:${dead}`)).includes(`refused`), tooltipText(row(`127.0.0.1:${dead}`)));
    assert.ok(tooltipText(row(`localhost:${http.port}`)).includes('HTTP 401 on /cliservice'), tooltipText(row(`localhost:${http.port}`)));
    const icon = api().tree.getTreeItem(row(`127.0.0.1:${dead}`)).iconPath as vscode.ThemeIcon;
    assert.equal(icon.id, 'error');
    assert.equal(http.requests.length, 1, 'one GET, nothing more');

    // The ensemble: the sandbox's example.com registrations are skipped, never probed.
    await vscode.commands.executeCommand('hiveZk.checkEndpoints', await path('sandbox'));
    const remote = (await kids(await path('sandbox', 'HiveServer2', 'hiveserver2'))).filter((n) => /\.example\.com:\d+$/.test(label(n)));
    assert.ok(remote.length >= 5);
    for (const node of remote) {
      assert.match(description(node), /^skipped/, label(node));
      assert.ok(tooltipText(node).includes('loopback-only'), tooltipText(node));
    }
    assert.match(description(row(`127.0.0.1:${binary.port}`)), /^answering/, 'the ensemble check kept the local marks');
  } finally {
    await removeTree(seeder, `/${NS}`).catch(() => undefined);
    seeder.close();
    await Promise.all(listeners.map((l) => l.close()));
    api().tree.refresh();
  }
});

test('doctor: Run Doctor… opens the report as a read-only Markdown preview, no untitled or dirty editor', async () => {
  const result = await vscode.commands.executeCommand<{ uri: vscode.Uri; markdown: string; report: { findings: { code: string }[] } }>('hiveZk.runDoctor', await path('sandbox', 'HiveServer2', 'hiveserver2'));
  assert.equal(result.uri.scheme, 'hivezk-doctor');
  assert.match(result.markdown, /^# Registry doctor: sandbox \/ hiveserver2\n/);
  assert.match(result.markdown, /\| Status \| Endpoint \| Kind \| Transport \| ms \| Detail \| Znode \|/);
  assert.match(result.markdown, /❌ skipped \| hs2\\-a\\\.example\\\.com:10000/);
  assert.ok(result.report.findings.some((f) => f.code === 'ENDPOINT_SKIPPED'));
  const document = await vscode.workspace.openTextDocument(result.uri);
  assert.equal(document.getText(), result.markdown);
  assert.equal(document.isDirty, false);
  assert.equal(document.isUntitled, false);
  assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isUntitled || d.isDirty).map((d) => d.uri.toString()), []);
  const preview = await waitFor('the Markdown preview tab', () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /markdown/i.test(t.input.viewType)),
  );
  assert.ok(preview);
  // From a JDBC URL: the steps are in the report.
  const byUrl = await vscode.commands.executeCommand<{ markdown: string }>('hiveZk.runDoctor', `jdbc:hive2://${SANDBOX_ZK}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2`);
  assert.match(byUrl.markdown, /## Steps\n\n\| Step \| \| Detail \|\n\|---\|---\|---\|\n\| parse \| ✅ \|/);
  assert.match(byUrl.markdown, /\| driver \| ❌ \| the driver picks one of 5 at random; 5 do not answer/);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});
