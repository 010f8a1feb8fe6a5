// The Health section in the real extension host: the sandbox server's facts, connections by client,
// and lock owners, with a lock taken from another loopback address (127.0.0.3) flagged.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/ui/tree/nodes';
import { ZkSession } from '../../../src/core/zk/session';
import { takeLock } from '../../support/hiveSeed';
import { startSourceProxy } from '../../support/sourceProxy';
import { api, clipboardAfter, description, find, kids, label, path, tooltipText, SANDBOX_PORT, SANDBOX_ZK } from './helpers';
import { test } from './harness';

function iconId(node: TreeNode): string {
  const icon = api().tree.getTreeItem(node).iconPath;
  return icon instanceof vscode.ThemeIcon ? icon.id : '';
}

test('Health: the server, connections by client, and lock owners with the stray client\'s locks flagged, in tooltips', async () => {
  // A lock manager on another host (127.0.0.3) takes a lock through a relay; the sandbox's own
  // registrations and locks are held by the seeder's session on 127.0.0.1.
  const proxy = await startSourceProxy({ host: '127.0.0.1', port: SANDBOX_PORT }, '127.0.0.3');
  const stray = new ZkSession({ connectString: `127.0.0.1:${proxy.port}` });
  const cleaner = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    const strayLock = await takeLock(stray, 'hive_zookeeper_namespace', { db: 'health_check', table: 'leaky', mode: 'SHARED', queryId: 'hive_stray_query', query: 'select 1', lockTime: Date.now() - 3 * 3_600_000 });
    const strayId = (stray.sessionId ?? '').replace(/^0+/, '');
    const health = await path('sandbox', 'Health');
    api().tree.refresh(health);
    assert.match(tooltipText(health), /short separate requests to each server, not sessions/);
    assert.deepEqual((await kids(health)).map(label), ['Servers', 'Connections by client', 'Lock owners', 'Authenticated as ip:127.0.0.1 (anonymous)']);

    const servers = await find(health, 'Servers');
    assert.equal(description(servers), '1 server');
    const [server] = await kids(servers);
    assert.ok(server);
    assert.equal(label(server), SANDBOX_ZK);
    assert.match(description(server), /^standalone · 3\.8\.0 · \d+ conn · avg \d+(\.\d)? ms$/);
    const serverTip = tooltipText(server);
    assert.match(serverTip, /batched reads available/);
    assert.match(serverTip, /srvr \(four-letter word\), mntr \(four-letter word\), cons \(four-letter word\), conf \(four-letter word\)/);
    assert.match(serverTip, /no per-host limit/);

    const clients = await kids(await find(health, 'Connections by client'));
    assert.deepEqual(clients.map(label).sort(), ['127.0.0.1', '127.0.0.3']);
    const strayClient = clients.find((c) => label(c) === '127.0.0.3');
    assert.ok(strayClient);
    assert.equal(description(strayClient), '1 connection · 1 session');
    assert.ok(tooltipText(strayClient).includes(`0x${strayId}`), tooltipText(strayClient));

    const ownersGroup = await find(health, 'Lock owners');
    assert.equal(description(ownersGroup), '2 sessions · 1 warning');
    assert.match(tooltipText(ownersGroup), /HiveServer2 hosts \(the addresses holding the registrations, and the registered hosts\): 127\.0\.0\.1, .*hs2-a\.example\.com/);
    const owners = await kids(ownersGroup);
    const strayOwner = owners.find((o) => label(o) === '127.0.0.3');
    const seederOwner = owners.find((o) => label(o) === '127.0.0.1');
    assert.ok(strayOwner && seederOwner, owners.map(label).join());
    assert.equal(description(strayOwner), `0x${strayId} · 1 lock · oldest 3 h`);
    assert.equal(iconId(strayOwner), 'warning');
    assert.match(tooltipText(strayOwner), /held from 127\.0\.0\.3, where no live HiveServer2 is registered/);
    assert.equal(iconId(seederOwner), 'key', 'the seeder also registered the HiveServer2 instances: its host is a HiveServer2 host');
    assert.match(tooltipText(seederOwner), /On a HiveServer2 host:\*\* yes/);
    const strayLocks = await kids(strayOwner);
    assert.deepEqual(strayLocks.map(label), ['shared · select 1'], 'the same lock item as under Locks');
    // Each lock names its object; its age reads as the owner row and its tooltip say it (one formatter, one moment).
    assert.equal(description(strayLocks[0]), 'health_check.leaky · 3 h · 10.0.0.7');
    assert.match(tooltipText(strayOwner), /holds 1 lock, the oldest 3 h/);
    assert.match(tooltipText(strayLocks[0]), /Held for:\*\* 3 h/);
    assert.match(tooltipText(strayLocks[0]), new RegExp(`Owner session:\\*\\* 0x${strayId}`));
    assert.equal(await clipboardAfter('hiveZk.copyUnlockStatement', strayLocks[0]), 'UNLOCK TABLE `health_check`.`leaky`;');
    await stray.remove(strayLock);
  } finally {
    stray.close();
    await proxy.close();
    // The persistent parents Hive's lock manager leaves behind go too, so later tests see the sandbox as seeded.
    for (const znode of ['/hive_zookeeper_namespace/health_check/leaky', '/hive_zookeeper_namespace/health_check']) {
      await cleaner.remove(znode).catch(() => undefined);
    }
    cleaner.close();
  }
});

