// Secrets: digest credentials in secret storage only, and never in the extension's log.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { ZkSession } from '../../../src/core/zk/session';
import { test } from './harness';
import { api, EXTENSION_ID, find, kids, label, path, SANDBOX_ZK, waitFor } from './helpers';

test('a digest credential goes to secret storage, not settings, and unlocks protected nodes', async () => {
  const owner = new ZkSession({ connectString: SANDBOX_ZK, digest: 'ops:t0psecret' });
  try {
    await owner.create('/protected-ns', Buffer.alloc(0), 'persistent', 'creatorOnly');
    const browse = await path('sandbox', 'Browse znodes');
    const protectedNode = await find(browse, 'protected-ns');
    const denied = await kids(protectedNode);
    assert.equal(denied[0]?.kind, 'message');
    assert.match(label(denied[0]), /Not authorized/);
    const ensemble = await find(undefined, 'sandbox');
    await vscode.commands.executeCommand('hiveZk.setCredential', ensemble, 'ops:t0psecret');
    assert.ok(await api().connections.hasCredential('sandbox'));
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('hiveZk').get('ensembles')).includes('t0psecret'));
    const allowed = await kids(await find(await path('sandbox', 'Browse znodes'), 'protected-ns'));
    assert.deepEqual(allowed, []);
    await vscode.commands.executeCommand('hiveZk.clearCredential', ensemble);
    assert.equal(await api().connections.hasCredential('sandbox'), false);
  } finally {
    await owner.remove('/protected-ns').catch(() => undefined);
    owner.close();
  }
});

test('no password or digest credential ever reached the extension\'s log files', async () => {
  // Set and forget a credential here, so the log holds that event whatever ran before.
  const ensemble = await find(undefined, 'sandbox');
  await vscode.commands.executeCommand('hiveZk.setCredential', ensemble, 'ops:t0psecret');
  await vscode.commands.executeCommand('hiveZk.clearCredential', ensemble);
  const logDir = dirname(api().logUri.fsPath);
  const readOurLogs = (): { files: string[]; ours: string[]; text: string } => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full);
        } else {
          files.push(full);
        }
      }
    };
    walk(logDir);
    const ours = files.filter((f) => f.includes('Hive ZooKeeper') || f.includes(EXTENSION_ID));
    return { files, ours, text: ours.map((f) => readFileSync(f, 'utf8')).join('\n') };
  };
  // The log channel writes its file in the background.
  const { files, ours, text } = await waitFor('the credential event in the log file', () => {
    const logs = readOurLogs();
    return /digest credential removed/.test(logs.text) ? logs : undefined;
  }).catch(() => readOurLogs());
  assert.ok(ours.length > 0, `found the extension's log among ${files.length} files in ${logDir}`);
  assert.match(text, /digest credential stored for user ops/, 'the log did record the credential being set (so it was the right file)');
  for (const secret of ['t0psecret', 'pa$$-w0rd', 'ops:t0psecret']) {
    assert.ok(!text.includes(secret), `"${secret}" is not in the log`);
  }
});
