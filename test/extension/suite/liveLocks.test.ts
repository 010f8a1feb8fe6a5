// The Locks section follows the live timeline in the real extension host: locks coming and going show
// with right counts and no walk again, and a query retrying behind the sandbox's SHARED lock heads the
// Waiting summary while its own lock is gone between attempts, with Reveal Blocker on it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LockGroupNode, LockNode, TreeNode, WaitingLocksNode } from '../../../src/ui/tree/nodes';
import { ZkSession } from '../../../src/core/zk/session';
import { hiveLockAttempt, takeLock } from '../../support/hiveSeed';
import { activate, api, description, kids, onlySandbox, path, setSetting, waitFor, SANDBOX_ZK } from './helpers';
import { test } from './harness';

const LOCKS = 'hive_zookeeper_namespace';

async function group(locks: TreeNode, name: string): Promise<LockGroupNode | undefined> {
  return (await kids(locks)).find((n): n is LockGroupNode => n.kind === 'lockGroup' && n.label === name);
}

test('Locks live: locks coming and going update the groups and counts with no walk again; a retrying query heads Waiting while its lock is gone; Reveal Blocker', async () => {
  await activate();
  await onlySandbox();
  const tree = api().tree;
  const locks = await path('sandbox', 'Locks');
  await kids(locks);
  // The walk and the timeline are ready once the section has listed; what follows must not walk again.
  const walks = tree.lockWalks;
  const hive = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    const first = await takeLock(hive, LOCKS, { db: 'live_db', table: 'events', mode: 'SHARED', queryId: 'hive_live_1', query: 'select 1' });
    const second = await takeLock(hive, LOCKS, { db: 'live_db', table: 'events', mode: 'EXCLUSIVE', queryId: 'hive_live_2', query: 'insert into events select 2' });
    const db = await waitFor('live_db with two locks, one waiting', async () => {
      const found = await group(locks, 'live_db');
      return found?.lockCount === 2 && found.waiting === 1 ? found : undefined;
    });
    assert.match(description(db), /^2 locks · 1 waiting$/);
    await hive.remove(first);
    await waitFor('the exclusive lock granted once the shared one went', async () => {
      const found = await group(locks, 'live_db');
      return found?.lockCount === 1 && found.waiting === 0;
    });
    await hive.remove(second);
    await waitFor('live_db gone with its last lock', async () => (await group(locks, 'live_db')) === undefined);

    for (let attempt = 0; attempt < 3; attempt += 1) {
      const granted = await hiveLockAttempt(hive, LOCKS, { db: 'sales', table: 'orders', mode: 'EXCLUSIVE', queryId: 'hive_live_retrying', query: 'INSERT OVERWRITE TABLE sales.orders SELECT 1', client: '10.9.9.8' });
      assert.equal(granted, false, "the sandbox's SELECT holds a SHARED lock on sales.orders");
    }
    const retrying = await waitFor('the retrying query at the head of Waiting', async () => {
      const summary = (await kids(locks)).find((n): n is WaitingLocksNode => n.kind === 'waitingLocks');
      const rows = summary ? ((await kids(summary)) as LockNode[]) : [];
      return rows[0]?.retrying?.attempts === 3 ? rows[0] : undefined;
    });
    assert.equal(retrying.lock.data.queryId, 'hive_live_retrying');
    assert.equal(retrying.retrying?.standing, false, 'its own lock is gone between attempts');
    assert.match(description(retrying), /^retrying: 3 attempts, last attempt \d+ s ago · sales\.orders · behind shared lock/);
    const rows = (await kids((await kids(locks)).find((n) => n.kind === 'waitingLocks'))).length;
    assert.equal(tree.summary('sandbox').waiting, rows, 'the status bar counts the Waiting rows');
    const revealed = await vscode.commands.executeCommand<string>('hiveZk.revealBlocker', retrying);
    assert.match(revealed, /^sandbox\|\/hive_zookeeper_namespace\/sales\/orders\/LOCK-SHARED-\d{10}$/);
    assert.equal(tree.lockWalks, walks, 'no lock walk for any of these changes');
  } finally {
    hive.close();
    // Later files start from the sandbox as seeded: a settings change starts the timelines afresh.
    await setSetting('activity.maxEvents', 999);
    await setSetting('activity.maxEvents', undefined);
  }
});

test('The first listing of Locks reads the lock tree once: the timeline it starts reads it for the tree too, which follows it live from there', async () => {
  const hive = await activate();
  await onlySandbox();
  // A settings change stops every timeline and forgets the walks: the listing below starts the sandbox's.
  await setSetting('activity.maxEvents', 998);
  const writer = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    assert.equal(hive.lockActivity.timeline('sandbox'), undefined, 'no timeline before the listing');
    const walks = hive.tree.lockWalks;
    const rows = await kids(await path('sandbox', 'Locks'));
    assert.ok(rows.some((n) => n.kind === 'lockGroup' && n.label === 'sales'), 'the seeded locks are listed');
    const timeline = hive.lockActivity.timeline('sandbox');
    assert.ok(timeline, 'the listing started the timeline');
    assert.equal(timeline.standingReads, 1, "the timeline's one read of what stands");
    assert.equal(hive.tree.lockWalks, walks, 'and no walk of the tree its own');
    await takeLock(writer, LOCKS, { db: 'handover_db', table: 't', mode: 'SHARED', queryId: 'hive_handover', query: 'select 1' });
    const locks = await path('sandbox', 'Locks');
    await waitFor('the new lock shown live', async () => (await group(locks, 'handover_db'))?.lockCount === 1);
    assert.equal(hive.tree.lockWalks, walks, 'no walk for it either');
  } finally {
    writer.close();
    await setSetting('activity.maxEvents', undefined);
  }
});

test('Waiting summary is paged like every list: a page of waiting locks, then "Load more…"', async () => {
  await activate();
  await onlySandbox();
  const hive = new ZkSession({ connectString: SANDBOX_ZK });
  await setSetting('tree.pageSize', 10); // the smallest page
  try {
    // One shared lock and 11 exclusive ones behind it: 11 waiting, more than a page.
    await takeLock(hive, LOCKS, { db: 'paged_db', table: 't', mode: 'SHARED', queryId: 'hive_paged_0', query: 'select 1' });
    for (let i = 1; i <= 11; i += 1) {
      await takeLock(hive, LOCKS, { db: 'paged_db', table: 't', mode: 'EXCLUSIVE', queryId: `hive_paged_${i}`, query: `insert into t select ${i}` });
    }
    const locks = await path('sandbox', 'Locks');
    const rows = await waitFor('the Waiting summary with the 11 exclusive locks', async () => {
      const summary = (await kids(locks)).find((n): n is WaitingLocksNode => n.kind === 'waitingLocks');
      return summary && summary.rows.waiting.filter((l) => l.data.queryId?.startsWith('hive_paged_')).length === 11 ? kids(summary) : undefined;
    });
    // All waiting locks handed over at once held the view for a minute at 90,000 (the UI bench).
    assert.deepEqual(
      rows.map((n) => n.kind),
      [...Array<string>(10).fill('lock'), 'loadMore'],
    );
  } finally {
    hive.close();
    await setSetting('tree.pageSize', undefined);
    await setSetting('activity.maxEvents', 999);
    await setSetting('activity.maxEvents', undefined);
  }
});
