// Hostile registrations inside the real VS Code: invisible characters from znodes are shown
// escaped in labels, descriptions and tooltips; a registration the driver cannot use yields no
// URL or command, whatever its znode name says.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ZkSession } from '../../../src/core/zk/session';
import { registerRaw } from '../../support/hiveSeed';
import { test } from './harness';
import { api, description, kids, path, waitFor, SANDBOX_ZK } from './helpers';

test('untrusted znodes: bidi overrides are shown escaped, and unusable data yields no command', async () => {
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  const created: string[] = [];
  try {
    created.push(await registerRaw(seeder, 'hostile-ns', 'serverUri=evil.example.com:10000;version=3\u202e1.0.4;sequence=0000000001', Buffer.from('hive.server2.thrift.bind.host=evil.example.com;hive.server2.thrift.port=10000')));
    created.push(await registerRaw(seeder, 'hostile-ns', 'serverUri=looks-fine.example.com:10000;version=3.1.3;sequence=0000000002', Buffer.from([0xde, 0xad, 0xbe, 0xef])));
    api().tree.refresh();
    const namespace = await waitFor('the hostile namespace', async () => {
      try {
        return await path('sandbox', 'HiveServer2', 'hostile-ns');
      } catch {
        return undefined;
      }
    });
    const instances = (await kids(namespace)).filter((n) => n.kind === 'instance');
    assert.equal(instances.length, 2);
    const bidi = instances.find((n) => description(n).includes('3'));
    assert.ok(bidi);
    assert.ok(description(bidi).includes('v3\\u{202E}1.0.4'), description(bidi));
    const tooltip = api().tree.getTreeItem(bidi).tooltip;
    const tooltipText = tooltip instanceof vscode.MarkdownString ? tooltip.value : String(tooltip);
    assert.ok(!tooltipText.includes('\u202e') && tooltipText.includes('\\u{202E}'), 'tooltip escaped');
    const garbage = instances.find((n) => n !== bidi);
    assert.ok(garbage);
    await vscode.env.clipboard.writeText('sentinel');
    assert.equal(await vscode.commands.executeCommand('hiveZk.copyJdbcUrl', garbage), undefined, 'refused through the error funnel');
    assert.equal(await vscode.env.clipboard.readText(), 'sentinel', 'nothing copied');
    assert.equal(await vscode.commands.executeCommand('hiveZk.copyJdbcUrl', bidi), 'jdbc:hive2://evil.example.com:10000/default');
  } finally {
    for (const znode of created) {
      await seeder.remove(znode).catch(() => undefined);
    }
    await seeder.remove('/hostile-ns').catch(() => undefined);
    seeder.close();
  }
});
