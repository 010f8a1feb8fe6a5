// The Lock Activity view in the real extension host: a query retrying behind the sandbox's long SHARED
// lock, as Hive's lock manager does, shows as blocked at the top, with Reveal Blocker into the tree.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ActivityNode } from '../../../src/ui/lockActivityView';
import { ZkSession } from '../../../src/core/zk/session';
import { hiveLockAttempt, registerHs2 } from '../../support/hiveSeed';
import { activate, api, onlySandbox, setSetting, waitFor, SANDBOX_PORT, SANDBOX_ZK } from './helpers';
import { startPre36Proxy } from '../../support/pre36Proxy';
import { test } from './harness';

function text(node: ActivityNode): { label: string; description: string } {
  const item = api().lockActivity.getTreeItem(node);
  return { label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''), description: typeof item.description === 'string' ? item.description : '' };
}

test('Lock Activity: the watch mode shown, a retrying query blocked at the top with attempts and blocker, events newest first, Reveal Blocker', async () => {
  await activate();
  await onlySandbox();
  const provider = api().lockActivity;
  const [ensemble] = await provider.getChildren();
  assert.equal(ensemble?.kind, 'ensemble');
  await provider.getChildren(ensemble);
  assert.match(text(ensemble).description, /^persistent-recursive, 2 watches$/, 'the lock namespace and hiveserver2, one watch each');
  const hive = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const granted = await hiveLockAttempt(hive, 'hive_zookeeper_namespace', { db: 'sales', table: 'orders', mode: 'EXCLUSIVE', queryId: 'hive_ext_blocked', query: 'INSERT OVERWRITE TABLE sales.orders SELECT 1', client: '10.9.9.9' });
      assert.equal(granted, false, 'the sandbox\'s SELECT holds a SHARED lock on sales.orders');
    }
    const children = await waitFor('the blocked query', async () => {
      const listed = await provider.getChildren(ensemble);
      return listed[0]?.kind === 'blocked' && listed[0].query.attempts === 3 ? listed : undefined;
    });
    const blocked = children[0];
    assert.equal(text(blocked).label, 'hive_ext_blocked blocked on sales.orders');
    assert.match(text(blocked).description, /^EXCLUSIVE, 3 attempts, behind SHARED lock of hive_20261125093000_a1b2c3, blocked \d+ s, last attempt \d+ s ago$/);
    const events = children.filter((c) => c.kind === 'event');
    assert.match(text(events[0]).label, /^(released EXCLUSIVE sales\.orders|hive_ext_blocked blocked on sales\.orders)$/, 'newest first');
    assert.ok(events.some((e) => /^released EXCLUSIVE sales\.orders$/.test(text(e).label) && /held \d+ s/.test(text(e).description)));
    const revealed = await vscode.commands.executeCommand<string>('hiveZk.revealActivityBlocker', blocked);
    assert.match(revealed, /^sandbox\|\/hive_zookeeper_namespace\/sales\/orders\/LOCK-SHARED-\d{10}$/);
  } finally {
    hive.close();
  }
});

test('Lock Activity on a server before 3.6: the ensemble row says the watch is per-node (child watches), not persistent', async () => {
  await activate();
  const proxy = await startPre36Proxy(SANDBOX_PORT);
  try {
    await setSetting('ensembles', [
      { name: 'sandbox', connectString: SANDBOX_ZK },
      { name: 'old', connectString: `127.0.0.1:${proxy.port}` },
    ]);
    const provider = api().lockActivity;
    const old = await waitFor('the old ensemble row', async () => (await provider.getChildren()).find((n) => n.kind === 'ensemble' && n.ensemble === 'old'));
    await provider.getChildren(old);
    assert.match(text(old).description, /^per-node, \d+ watches$/);
    assert.ok(proxy.refused >= 1, 'the proxy refused a 3.6+ request');
  } finally {
    await onlySandbox();
    await proxy.close();
  }
});

test('Lock Activity: a HiveServer2 instance that re-registers repeatedly is flagged flapping; one that registers once is not', async () => {
  await activate();
  await onlySandbox();
  const provider = api().lockActivity;
  const ensemble = await waitFor('the sandbox row', async () => (await provider.getChildren()).find((n) => n.kind === 'ensemble' && n.ensemble === 'sandbox'));
  await provider.getChildren(ensemble);
  const hs2 = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    for (let i = 0; i < 3; i += 1) {
      await hs2.remove(await registerHs2(hs2, 'hiveserver2', { host: 'hs2-flap.example.com', port: 10000, variant: 'v3-binary' }));
    }
    await registerHs2(hs2, 'hiveserver2', { host: 'hs2-once.example.com', port: 10000, variant: 'v3-binary' });
    const rows = await waitFor('the registrations', async () => {
      const listed = (await provider.getChildren(ensemble)).filter((n) => n.kind === 'event' && n.event.type === 'instance');
      return listed.some((n) => n.kind === 'event' && n.event.type === 'instance' && n.event.host === 'hs2-once.example.com') ? listed : undefined;
    });
    const of = (host: string): ActivityNode[] => rows.filter((n) => n.kind === 'event' && n.event.type === 'instance' && n.event.host === host);
    assert.equal(of('hs2-flap.example.com').length, 6);
    assert.ok(of('hs2-flap.example.com').every((n) => /flapping: re-registers repeatedly$/.test(text(n).description)), of('hs2-flap.example.com').map((n) => text(n).description).join('\n'));
    assert.ok(of('hs2-once.example.com').every((n) => !/flapping/.test(text(n).description)));
  } finally {
    hs2.close();
  }
});
