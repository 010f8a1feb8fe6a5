// In an untrusted workspace (code-server started with workspace trust on, the folder never
// trusted) whose .vscode/settings.json defines its own ensemble with BeeLine options that run a
// script and its own beeline: the extension sees only the user's settings, and builds no command
// from the workspace's.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { test } from './harness';
import { activate, kids, label } from './helpers';

test('untrusted workspace: its hiveZk.ensembles, beeline path and user are ignored; the user\'s ensemble is shown', async () => {
  assert.equal(vscode.workspace.isTrusted, false, 'the workspace is not trusted');
  const config = vscode.workspace.getConfiguration('hiveZk');
  // The workspace's settings file is read: a setting a workspace may set applies …
  assert.equal(config.get('tree.pageSize'), 37);
  // … but none of its restricted settings is what the extension gets.
  assert.ok(!JSON.stringify(config.get('ensembles')).includes('from-workspace'), JSON.stringify(config.get('ensembles')));
  assert.equal(config.get('beeline.path'), 'beeline');
  assert.equal(config.get('beeline.user'), '');
  await activate();
  const rows = (await kids()).map(label);
  assert.ok(rows.some((r) => r.includes('user-ensemble')) && !rows.some((r) => r.includes('from-workspace')), rows.join(', '));
  const [ensemble] = (await kids()).filter((n) => label(n).includes('user-ensemble'));
  const command = await vscode.commands.executeCommand<string>('hiveZk.copyBeelineCommand', ensemble);
  assert.ok(typeof command === 'string' && command.startsWith('beeline -u ') && !/scriptFile|evil/.test(command), String(command));
});
