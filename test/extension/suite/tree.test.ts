// The tree against the seeded sandbox: namespaces, instances, HA, the lock tree, paging, the
// filter and reveal, malformed settings.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ZkSession } from '../../../src/core/zk/session';
import { registerHs2 } from '../../support/hiveSeed';
import { countSessionConnections } from '../../support/zkServer';
import { test } from './harness';
import { api, kids, label, description, find, fresh, path, waitFor, setSetting, onlySandbox, clipboardAfter, SANDBOX_ZK, SANDBOX_PORT } from './helpers';
import { unlockWarning } from '../../../src/ui/commands/locks';

test('the tree shows the seeded namespaces, instances (with details) and HA leader', async () => {
  await fresh();
  const ensemble = await find(undefined, 'sandbox');
  assert.deepEqual((await kids(ensemble)).map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
  const hs2 = await path('sandbox', 'HiveServer2');
  const namespaces = await kids(hs2);
  assert.deepEqual(namespaces.map(label), ['hive_metastore', 'hiveserver2', 'hiveserver2-analytics', 'hs2ActivePassiveHA']);
  assert.equal(description(await find(hs2, 'hiveserver2')), '5 instances');
  assert.equal(description(await find(hs2, 'hs2ActivePassiveHA')), 'active/passive HA');
  const instances = await kids(await find(hs2, 'hiveserver2'));
  assert.deepEqual(instances.map(label), ['hs2-a.example.com:10000', 'hs2-b.example.com:10000', 'hs2-c.example.com:10000', 'hs2-d.example.com:10001', 'hs2-e.example.com:10000']);
  assert.match(description(instances[2]), /^v3\.1\.3 · binary · SSL · \d+ (s|min|h)$/);
  assert.match(description(instances[3]), /^v3\.1\.3 · http · SSL/);
  const tooltip = api().tree.getTreeItem(instances[2]).tooltip as vscode.MarkdownString;
  assert.match(tooltip.value, /hive\/\\?_HOST@EXAMPLE\.COM/);
  const ha = await kids(await find(hs2, 'hs2ActivePassiveHA'));
  assert.deepEqual(ha.map((n) => [label(n), description(n).split(' · ')[0]]), [
    ['hs2-ha-1.example.com:10000', 'active'],
    ['hs2-ha-2.example.com:10000', 'passive'],
  ]);
  const metastores = await kids(await find(hs2, 'hive_metastore'));
  assert.deepEqual(metastores.map(description), ['thrift://metastore-1.example.com:9083', 'thrift://metastore-2.example.com:9083']);
});

test('the lock tree: database → table → partition → locks, labelled by mode and query, waiting locks marked', async () => {
  await fresh();
  const locks = await path('sandbox', 'Locks');
  assert.deepEqual((await kids(locks)).map(label), ['Waiting (1)', 'finance', 'sales', 'web']);
  const sales = await find(locks, 'sales');
  assert.equal(description(sales), '5 locks · 1 waiting');
  const orders = await find(sales, 'orders');
  const ordersChildren = await kids(orders);
  assert.deepEqual(ordersChildren.map(label), ["shared · SELECT count(*) FROM sales.orders WHERE ds >= '…", 'ds=2026-11-24', 'ds=2026-11-25']);
  const day = await find(orders, 'ds=2026-11-24');
  const dayLocks = (await kids(day)).filter((n) => n.kind === 'lock');
  assert.deepEqual(dayLocks.map((n) => label(n).split(' · ')[0]), ['shared', 'exclusive']);
  assert.match(description(dayLocks[0]), /^\d+ min · 10\.20\.0\.15$/);
  // Who it waits behind first: the end of a long row is cut off.
  assert.match(description(dayLocks[1]), /^behind shared lock of 10\.20\.0\.15 \(\d+ min\) · \d+ min · 10\.20\.0\.31$/);
  // Icons that read right: a shared lock is a closed padlock too (blue: it stops only writers;
  // an exclusive one is red), a waiting one a clock.
  const icons = dayLocks.map((n) => api().tree.getTreeItem(n).iconPath as vscode.ThemeIcon);
  assert.deepEqual(icons.map((i) => i.id), ['lock-small', 'watch']);
  assert.equal(icons[0]?.color?.id, 'charts.blue');
  assert.deepEqual((await kids(await find(locks, 'web'))).map(label), ['web-logs'], 'encoded table name decoded');
  const unlock = await clipboardAfter('hiveZk.copyUnlockStatement', dayLocks[1]);
  assert.equal(unlock, "UNLOCK TABLE `sales`.`orders` PARTITION (`ds`='2026-11-24');");
});

test('who blocks whom: the Waiting summary names the blocker, Reveal Blocker selects it, queries copy', async () => {
  await fresh();
  const locks = await path('sandbox', 'Locks');
  const summary = await find(locks, 'Waiting (1)');
  assert.equal(api().tree.getTreeItem(summary).collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
  const [waiting] = await kids(summary);
  assert.ok(waiting?.kind === 'lock');
  assert.match(label(waiting), /^exclusive · INSERT OVERWRITE TABLE sales\.orders PARTITION/);
  assert.match(description(waiting), /^sales\.orders \(ds=2026-11-24\) · behind shared lock of 10\.20\.0\.15 \(\d+ min\) · \d+ min · 10\.20\.0\.31$/);
  assert.equal(api().tree.getTreeItem(waiting).contextValue, 'lock:waiting');
  const tooltip = (api().tree.getTreeItem(waiting).tooltip as vscode.MarkdownString).value;
  assert.match(tooltip, /Waits behind/);
  assert.match(tooltip, /a1b2c3/, 'the blocker\'s query id');
  // Copy UNLOCK says what the statement does beyond this row: the blocker's lock (its query running) goes too.
  assert.equal(
    unlockWarning(waiting),
    'The UNLOCK statement releases every lock on sales.orders (ds=2026-11-24), not only this one — the shared lock of 10.20.0.15 this one waits behind included, though its query may still be running. Run it only for locks whose queries are gone.',
  );
  const revealed = await vscode.commands.executeCommand<string>('hiveZk.revealBlocker', waiting);
  assert.match(revealed, /^sandbox\|\/hive_zookeeper_namespace\/sales\/orders\/ds=2026-11-24\/LOCK-SHARED-\d{10}$/);
  assert.equal(await clipboardAfter('hiveZk.copyQueryId', waiting), 'hive_20261125093000_d4e5f6');
  assert.equal(await clipboardAfter('hiveZk.copyQueryText', waiting), "INSERT OVERWRITE TABLE sales.orders PARTITION (ds='2026-11-24') SELECT * FROM staging.orders_raw");
});

test('long lists load in pages ("Load more…")', async () => {
  await fresh();
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    await Promise.all(Array.from({ length: 25 }, (_, i) => registerHs2(seeder, 'paged', { host: `p${String(i).padStart(2, '0')}.example.com`, port: 10000, variant: 'v3-binary' })));
    await setSetting('tree.pageSize', 10);
    const paged = await waitFor('the paged namespace', async () => (await kids(await path('sandbox', 'HiveServer2'))).find((n) => label(n) === 'paged'));
    let page = await kids(paged);
    assert.equal(page.length, 11);
    const more = page[10];
    assert.equal(label(more), 'Load more… (10 of 25)');
    await vscode.commands.executeCommand('hiveZk.loadMore', more);
    page = await kids(paged);
    assert.equal(page.length, 21);
    await vscode.commands.executeCommand('hiveZk.loadMore', page[20]);
    page = await kids(paged);
    assert.equal(page.length, 25);
    assert.ok(page.every((n) => n.kind === 'instance'));
  } finally {
    await setSetting('tree.pageSize', undefined);
    seeder.close();
  }
});

test('instances that leave are forgotten by the tree, not kept in its maps', async () => {
  await fresh();
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    const created = await Promise.all(Array.from({ length: 5 }, (_, i) => registerHs2(seeder, 'pruned', { host: `q${i}.example.com`, port: 10000, variant: 'v3-binary' })));
    api().tree.refresh();
    const namespace = await waitFor('the new namespace', async () => (await kids(await path('sandbox', 'HiveServer2'))).find((n) => label(n) === 'pruned'));
    assert.equal((await kids(namespace)).length, 5);
    const before = api().tree.knownNodeCount;
    await Promise.all(created.map((znode) => seeder.remove(znode)));
    assert.deepEqual((await kids(namespace)).map(label), ['No live instance registered']);
    assert.equal(api().tree.knownNodeCount, before - 4, 'five instances replaced by one message');
  } finally {
    await seeder.remove('/pruned').catch(() => undefined);
    seeder.close();
    api().tree.refresh();
  }
});

test('filter and reveal', async () => {
  await fresh();
  await vscode.commands.executeCommand('hiveZk.filter', 'hs2-d');
  const filtered = await kids(await path('sandbox', 'HiveServer2', 'hiveserver2'));
  assert.deepEqual(filtered.map(label), ['hs2-d.example.com:10001']);
  await vscode.commands.executeCommand('hiveZk.clearFilter');
  assert.equal((await kids(await path('sandbox', 'HiveServer2', 'hiveserver2'))).length, 5);
  const revealed = await vscode.commands.executeCommand<string>('hiveZk.revealInstance', 'hs2-e.example.com:10000');
  assert.match(revealed, /^sandbox\|\/hiveserver2\/serverUri=hs2-e\.example\.com:10000;/);
});

test('a filter you can see: shown above the tree, groups without a match hidden, "n of m" counts, metastore and HA too', async () => {
  await fresh();
  try {
    await vscode.commands.executeCommand('hiveZk.filter', 'hs2-d');
    assert.match(api().view.message ?? '', /^Filtered by "hs2-d"/);
    const hs2 = await path('sandbox', 'HiveServer2');
    const namespaces = await kids(hs2);
    assert.deepEqual(namespaces.map((n) => [label(n), description(n)]), [['hiveserver2', '1 of 5 instances']]);
    assert.deepEqual((await kids(await path('sandbox', 'Locks'))).map(label), ['No lock matches the filter']);

    await vscode.commands.executeCommand('hiveZk.filter', 'metastore-2');
    const metastore = await find(await path('sandbox', 'HiveServer2'), 'hive_metastore');
    assert.equal(description(metastore), 'metastore · 1 of 2 instances');
    assert.deepEqual((await kids(metastore)).map(label), ['metastore-2.example.com:9083']);

    await vscode.commands.executeCommand('hiveZk.filter', 'hs2-ha-2');
    const ha = await find(await path('sandbox', 'HiveServer2'), 'hs2ActivePassiveHA');
    assert.equal(description(ha), 'active/passive HA · 1 of 2 instances');

    await vscode.commands.executeCommand('hiveZk.filter', '10.20.0.31');
    const locks = await path('sandbox', 'Locks');
    assert.deepEqual((await kids(locks)).map((n) => [label(n), description(n)]), [
      ['Waiting (1)', 'longest waiting first'],
      ['sales', '1 of 5 locks · 1 waiting'],
    ]);
  } finally {
    await vscode.commands.executeCommand('hiveZk.clearFilter');
  }
  assert.equal(api().view.message, '');
  assert.equal(description(await find(await path('sandbox', 'HiveServer2'), 'hiveserver2')), '5 instances');
});

test('counts stay live: a new instance seen by a watch updates "n instances" and "n of m"', async () => {
  await fresh();
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  const changed: string[] = [];
  const subscription = api().tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
  let created: string | undefined;
  try {
    const namespace = await path('sandbox', 'HiveServer2', 'hiveserver2');
    assert.equal((await kids(namespace)).length, 5);
    created = await registerHs2(seeder, 'hiveserver2', { host: 'hs2-d2.example.com', port: 10000, variant: 'v3-binary' });
    await waitFor('the watch to fire', () => changed.includes(namespace.id));
    assert.equal((await kids(namespace)).length, 6);
    assert.equal(description(namespace), '6 instances', 'the row that was on screen');
    assert.equal(description(await find(await path('sandbox', 'HiveServer2'), 'hiveserver2')), '6 instances', 'the section listed again');
    await vscode.commands.executeCommand('hiveZk.filter', 'hs2-d');
    const filtered = await find(await path('sandbox', 'HiveServer2'), 'hiveserver2');
    assert.equal(description(filtered), '2 of 6 instances');
  } finally {
    await vscode.commands.executeCommand('hiveZk.clearFilter');
    if (created) {
      await seeder.remove(created);
    }
    subscription.dispose();
    seeder.close();
  }
});

test('a malformed ensemble entry shows as an error row; the others keep working', async () => {
  await fresh();
  try {
    await setSetting('ensembles', [
      { name: 'sandbox', connectString: SANDBOX_ZK },
      { name: 'typo', connectString: 'zk1:21B1' },
      { name: 'sandbox', connectString: 'zk9:2181' },
    ]);
    const roots = await waitFor('the settings to apply', async () => {
      const nodes = await kids();
      return nodes.length === 3 ? nodes : undefined;
    });
    assert.deepEqual(roots.map((n) => n.kind), ['ensemble', 'message', 'message']);
    assert.match(label(roots[1]), /^typo: Invalid port "21B1"/);
    assert.match(label(roots[2]), /^sandbox: Another ensemble has the same name/);
    assert.deepEqual((await kids(roots[0])).map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
  } finally {
    await onlySandbox();
  }
});

test('invalid ensembles without a name or with the same name get distinct tree ids', async () => {
  await fresh();
  try {
    await setSetting('ensembles', [
      { name: 'sandbox', connectString: SANDBOX_ZK },
      { connectString: 'zk1:2181' },
      { connectString: 'zk2:2181' },
      { name: 'bad', connectString: 'zk1:x' },
      { name: 'bad', connectString: 'zk1:y' },
    ]);
    const roots = await waitFor('the settings to apply', async () => {
      const nodes = await kids();
      return nodes.length === 5 ? nodes : undefined;
    });
    const ids = roots.map((n) => api().tree.getTreeItem(n).id);
    assert.equal(new Set(ids).size, ids.length, `distinct ids: ${ids.join(', ')}`);
  } finally {
    await onlySandbox();
  }
});

test('one session (one connection) to the sandbox serves the whole tree; the status bar sums it up', async () => {
  await fresh();
  // Every section listed by this test itself: namespaces and their instances, the lock tree, the browser.
  for (const namespace of await kids(await path('sandbox', 'HiveServer2'))) {
    await kids(namespace);
  }
  for (const group of await kids(await path('sandbox', 'Locks'))) {
    await kids(group);
  }
  await kids(await path('sandbox', 'Browse znodes'));
  const seederConnections = 1; // the runner's seeding session holds the ephemeral registrations
  assert.equal(await countSessionConnections(SANDBOX_PORT), seederConnections + 1);
  assert.equal(api().connections.stateOf('sandbox'), 'connected');
  // Health at a glance once the tree has listed: instances (5 plain + 2 HA) and waiting locks.
  await waitFor('the status bar to sum up the tree', () => /sandbox: \d+ HS2 · 1 waiting$/.test(api().statusBar.text));
  assert.match(api().statusBar.tooltip, /^sandbox: connected · \d+ HS2 · 1 waiting$/m);
});
