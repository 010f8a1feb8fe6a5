// LLAP daemons and Kyuubi servers and engines in the HiveServer2 section of the real VS Code tree:
// seeded into the sandbox ZooKeeper as LLAP and Kyuubi write them, removed again afterwards.
import * as assert from 'node:assert/strict';
import { ZkSession } from '../../../src/core/zk/session';
import type { TreeNode } from '../../../src/ui/tree/nodes';
import { registerKyuubi, registerLlapDaemon } from '../../support/hiveSeed';
import { removeTree } from '../../support/sandbox';
import { test } from './harness';
import { api, clipboardAfter, description, kids, label, path, tooltipText, waitFor, SANDBOX_ZK } from './helpers';

const ENGINE_SPACE = 'kyuubi_1.9.2_USER_SPARK_SQL';
const REF_ID = '5b1c0f7e-1111-2222-3333-444455556666';

function contextOf(node: TreeNode): string {
  return api().tree.getTreeItem(node).contextValue ?? '';
}

/** A namespace row under the sandbox's HiveServer2 section, once the rescan shows it. */
function namespaceRow(name: string): Promise<TreeNode> {
  return waitFor(`the ${name} namespace`, async () => {
    try {
      return await path('sandbox', 'HiveServer2', name);
    } catch {
      return undefined;
    }
  });
}

test('registries: LLAP daemons, Kyuubi servers and Kyuubi engines are listed with their details', async () => {
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    await registerLlapDaemon(seeder, { host: 'llap-1.example.com', slot: 0, executors: 8 });
    await registerLlapDaemon(seeder, { host: 'llap-2.example.com' }); // registered, no slot yet
    await seeder.create('/llap-unsecure/user-hive/llap0/workers/slot-7', Buffer.from('a-daemon-that-is-gone'), 'ephemeral');
    await registerKyuubi(seeder, '/kyuubi', { host: 'kyuubi-a.example.com', port: 10009 });
    await registerKyuubi(seeder, '/kyuubi', { host: 'kyuubi-b.example.com', port: 10009, publishConfigs: true });
    await registerKyuubi(seeder, `/${ENGINE_SPACE}/alice/default`, { host: 'engine-1.example.com', port: 41234, refId: REF_ID });
    api().tree.refresh();

    // LLAP: daemons by host:port with slot and executors; the orphaned slot is called out first.
    const llap = await namespaceRow('llap-unsecure');
    assert.match(description(llap), /^LLAP/);
    const llapRows = await kids(llap);
    assert.deepEqual(llapRows.map((n) => n.kind), ['message', 'llapDaemon', 'llapDaemon']);
    const [orphans, scheduled, unscheduled] = llapRows as [TreeNode, TreeNode, TreeNode];
    assert.equal(label(orphans), '1 slot without a daemon: slot-7');
    assert.equal(label(scheduled), 'llap-1.example.com:15001');
    assert.match(description(scheduled), /^slot 0 · 8 executors · 8192 MB · hive\/llap0/);
    assert.equal(label(unscheduled), 'llap-2.example.com:15001');
    assert.match(description(unscheduled), /^no slot · 4 executors/);
    const daemonTip = tooltipText(scheduled);
    for (const row of ['**LLAP daemon**', '**Management port:** 15004', '**Shuffle port:** 15551', '**Output format port:** 15003', '**Slot:** slot-0', '**State:** scheduled (holds a slot)']) {
      assert.ok(daemonTip.includes(row), `${row} in ${daemonTip}`);
    }
    assert.ok(tooltipText(unscheduled).includes("LLAP's scheduler skips it"), tooltipText(unscheduled));
    assert.equal(contextOf(scheduled), 'llapDaemon');
    assert.match(description(await namespaceRow('llap-unsecure')), /2 daemons$/);

    // Kyuubi servers: HiveServer2-protocol instances with the usual URL commands.
    const kyuubi = await namespaceRow('kyuubi');
    assert.equal(description(kyuubi), 'Kyuubi · 2 servers');
    const servers = await kids(kyuubi);
    assert.deepEqual(servers.map(label), ['kyuubi-a.example.com:10009', 'kyuubi-b.example.com:10009']);
    const [plain, published] = servers as [TreeNode, TreeNode];
    assert.match(description(plain), /^v1\.9\.2 · legacy/);
    assert.ok(tooltipText(published).startsWith('**Kyuubi server**'), tooltipText(published));
    assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', published), 'jdbc:hive2://kyuubi-b.example.com:10009/default;transportMode=binary;saslQop=auth');
    assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', kyuubi), `jdbc:hive2://${SANDBOX_ZK}/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=kyuubi`);

    // Kyuubi engines: one row per engine, its user/subdomain first, no URL of its own.
    const engines = await namespaceRow(ENGINE_SPACE);
    assert.equal(description(engines), 'Kyuubi engines');
    const [engine, ...more] = await kids(engines);
    assert.equal(more.length, 0);
    assert.ok(engine);
    assert.equal(label(engine), 'engine-1.example.com:41234');
    assert.match(description(engine), /^alice\/default · v1\.9\.2/);
    assert.equal(contextOf(engine), 'kyuubiEngine');
    const engineTip = tooltipText(engine);
    for (const row of ['**Kyuubi engine**', '**Engine type:** SPARK_SQL', '**Share level:** USER', `**Engine ref id:** ${REF_ID}`]) {
      assert.ok(engineTip.includes(row), `${row} in ${engineTip}`);
    }
    assert.equal(description(await namespaceRow(ENGINE_SPACE)), 'Kyuubi engines · 1 engine');
  } finally {
    for (const root of ['/llap-unsecure', '/kyuubi', `/${ENGINE_SPACE}`]) {
      await removeTree(seeder, root).catch(() => undefined);
    }
    seeder.close();
    api().tree.refresh();
  }
});
