// Activation: no connection is made, and package.json, the ids module and the registered
// commands agree. This file runs first (index.ts), so it is what activates the extension.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/ui/ids';
import { countSessionConnections } from '../../support/zkServer';
import { test } from './harness';
import { activate, extension, SANDBOX_PORT, SANDBOX_ZK } from './helpers';

test('activation makes no connection; every contributed command is registered and vice versa', async () => {
  assert.ok(SANDBOX_ZK, 'HIVEZK_TEST_ZK is set by the runner');
  assert.equal(extension().isActive, false, 'this test runs before anything activates the extension');
  // Activation is measured once the window has settled, as when a user opens the view.
  await new Promise((r) => setTimeout(r, 2000));
  const before = await countSessionConnections(SANDBOX_PORT);
  const started = performance.now();
  const api = await activate();
  const activateMs = performance.now() - started;
  assert.equal(api.connections.stateOf('sandbox'), 'idle');
  const connectionsMade = (await countSessionConnections(SANDBOX_PORT)) - before;
  assert.equal(connectionsMade, 0, 'no connection at activation');
  // For `npm run bench`: activation as measured inside the real extension host.
  if (process.env.HIVEZK_TEST_RESULTS) {
    writeFileSync(join(dirname(process.env.HIVEZK_TEST_RESULTS), 'activation.json'), JSON.stringify({ hostActivateMs: activateMs, ...api.activation, connectionsMade }));
  }
  const manifest = JSON.parse(readFileSync(join(extension().extensionPath, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  // VS Code itself adds hiveZk.explorer.focus and the like for each view; those are not ours.
  const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('hiveZk.') && !c.startsWith('hiveZk.explorer.') && !c.startsWith('hiveZk.lockActivity.')).sort();
  assert.deepEqual(registered, contributed);
  assert.deepEqual(Object.values(Commands).sort(), contributed, 'the ids module names exactly the contributed commands');
});
