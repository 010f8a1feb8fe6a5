// Connection problems an operator can read at a glance: DNS, refused and no-handshake (TLS?) told
// apart on a short row with Retry and Edit inline, the ensemble's icon showing its session state,
// and Connect / Disconnect.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import * as vscode from 'vscode';
import { isHiveZkError } from '../../../src/core/errors';
import { Connections } from '../../../src/ui/connections';
import { ensembleWithDefaults, readSettings } from '../../../src/ui/settings';
import { freePort } from '../../support/zkServer';
import { test } from './harness';
import { api, extension, find, kids, label, onlySandbox, SANDBOX_ZK, setSetting, waitFor } from './helpers';

interface MenuEntry {
  command: string;
  when: string;
  group?: string;
}

/** Whether package.json shows `command` inline for a row with this contextValue. */
function inlineFor(command: string, contextValue: string): boolean {
  const manifest = JSON.parse(readFileSync(join(extension().extensionPath, 'package.json'), 'utf8')) as { contributes: { menus: { 'view/item/context': MenuEntry[] } } };
  return manifest.contributes.menus['view/item/context'].some((m) => {
    if (m.command !== command || !m.group?.startsWith('inline')) {
      return false;
    }
    const regex = /viewItem =~ \/(.+)\/$/.exec(m.when)?.[1];
    const exact = /viewItem == (\S+)/.exec(m.when)?.[1];
    return regex !== undefined ? new RegExp(regex).test(contextValue) : exact === contextValue;
  });
}

function iconId(node: Parameters<typeof label>[0]): string {
  return (api().tree.getTreeItem(node).iconPath as vscode.ThemeIcon).id;
}

test('connection errors: unknown host, refused and no ZooKeeper handshake told apart, Retry and Edit inline, state icons', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;
  const closedPort = await freePort();
  try {
    await setSetting('connection.connectTimeoutMs', 1500);
    await setSetting('ensembles', [
      { name: 'sandbox', connectString: SANDBOX_ZK },
      { name: 'typo-host', connectString: 'nxhost.invalid:2181' },
      { name: 'nothing-there', connectString: `127.0.0.1:${closedPort}` },
      { name: 'tls-only', connectString: `127.0.0.1:${silentPort}` },
    ]);
    await waitFor('the settings to apply', async () => (await kids()).length === 4);
    const expected: [string, RegExp][] = [
      ['typo-host', /^Unknown host: nxhost\.invalid$/],
      ['nothing-there', /^Connection refused by 127\.0\.0\.1:\d+$/],
      ['tls-only', /^No ZooKeeper handshake from 127\.0\.0\.1:\d+ \(a TLS-only port\?\)$/],
    ];
    const rows = await Promise.all(expected.map(async ([name]) => kids(await find(undefined, name))));
    for (const [i, [name, pattern]] of expected.entries()) {
      const [row] = rows[i] ?? [];
      assert.ok(row?.kind === 'message', `${name}: one error row`);
      assert.match(label(row), pattern, name);
      const contextValue = api().tree.getTreeItem(row).contextValue ?? '';
      assert.ok(inlineFor('hiveZk.refreshNode', contextValue), `${name}: Retry inline (${contextValue})`);
      assert.ok(inlineFor('hiveZk.editEnsemble', contextValue), `${name}: Edit inline (${contextValue})`);
      const ensemble = await find(undefined, name);
      assert.equal(iconId(ensemble), 'error', `${name}: the ensemble's icon shows the failure`);
      assert.match(String(api().tree.getTreeItem(ensemble).description), /· unreachable$/);
    }
    const sandbox = await find(undefined, 'sandbox');
    await kids(sandbox);
    assert.equal(await vscode.commands.executeCommand('hiveZk.disconnect', sandbox), 'idle');
    assert.equal(api().tree.getTreeItem(await find(undefined, 'sandbox')).contextValue, 'ensemble:disconnected');
    assert.equal(await vscode.commands.executeCommand('hiveZk.connect', sandbox), 'connected');
    const connected = await find(undefined, 'sandbox');
    assert.equal(api().tree.getTreeItem(connected).contextValue, 'ensemble:connected');
    assert.equal(iconId(connected), 'server-environment');
  } finally {
    await onlySandbox();
    await setSetting('connection.connectTimeoutMs', undefined);
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
}, 60_000);

test('Reveal from the palette opens a busy quick pick at once, instead of waiting silently', async () => {
  const revealing = vscode.commands.executeCommand('hiveZk.revealInstance');
  // The quick pick is up before the instances are read; Escape closes it (the command is cancelled).
  await new Promise((r) => setTimeout(r, 300));
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  assert.equal(await revealing, undefined);
});

test('Connections: a dispose() that lands while sessionFor waits on secrets refuses the session, and later calls are refused too', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const changed = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  const secrets: vscode.SecretStorage = {
    get: async () => {
      await gate;
      return undefined;
    },
    store: () => Promise.resolve(),
    delete: () => Promise.resolve(),
    onDidChange: changed.event,
  };
  const log = vscode.window.createOutputChannel('Hive ZooKeeper (dispose test)', { log: true });
  // A closed loopback port: a session is only made, never asked anything, so nothing connects.
  const ensemble = ensembleWithDefaults('gated', `127.0.0.1:${await freePort()}`);
  const settings = { ...readSettings(), ensembles: [ensemble] };
  const connections = new Connections(secrets, log, () => settings);
  try {
    const pending = connections.sessionFor(ensemble);
    connections.dispose();
    release();
    await assert.rejects(pending, (error: unknown) => isHiveZkError(error, 'ZK_CLOSED'), 'the session waiting on secrets is refused, not made for nobody');
    assert.equal(connections.stateOf('gated'), 'idle', 'no session kept after dispose');
    await assert.rejects(connections.sessionFor(ensemble), (error: unknown) => isHiveZkError(error, 'ZK_CLOSED'), 'a disposed Connections refuses new work');
  } finally {
    connections.dispose();
    log.dispose();
    changed.dispose();
  }
});
