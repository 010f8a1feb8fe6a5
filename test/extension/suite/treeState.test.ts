// What the tree and the status bar say about an ensemble: its session state as soon as it changes,
// its instances whatever is expanded, and rows that screen readers read by name.
import * as assert from 'node:assert/strict';
import { test } from './harness';
import { activate, api, find, kids, label, path, setSetting, onlySandbox, waitFor } from './helpers';

test('the status bar counts every HiveServer2 instance of the ensemble (plain and HA), whatever is expanded', async () => {
  await activate();
  api().tree.refresh();
  // Only the ensemble is listed (its namespaces scanned): 5 in hiveserver2, 1 in -analytics, 2 HA.
  await kids(await find(undefined, 'sandbox'));
  await waitFor('the status bar to count the instances', () => /sandbox: \d+ HS2/.test(api().statusBar.text));
  assert.match(api().statusBar.text, /sandbox: 8 HS2/);
  for (const namespace of ['hs2ActivePassiveHA', 'hiveserver2', 'hiveserver2-analytics']) {
    await kids(await path('sandbox', 'HiveServer2', namespace));
    assert.match(api().statusBar.text, /sandbox: 8 HS2/, `after expanding ${namespace}`);
  }
});

test('an ensemble row is redrawn when its session connects: icon, tooltip and screen-reader label say connected', async () => {
  await activate();
  api().connections.closeAll();
  api().tree.refresh();
  const ensemble = await find(undefined, 'sandbox');
  assert.match(api().tree.getTreeItem(ensemble).tooltip as string, /session: not connected/);
  const changed: string[] = [];
  const subscription = api().tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
  try {
    await kids(ensemble);
    await waitFor('the ensemble row to be redrawn', () => changed.includes(ensemble.id));
    const item = api().tree.getTreeItem(ensemble);
    // A connected ensemble's tooltip is filled in on hover (it names who the session is).
    assert.match((await api().tree.resolveTreeItem(item, ensemble)).tooltip as string, /session: connected/);
    assert.equal(item.contextValue, 'ensemble:connected');
    assert.match(item.accessibilityInformation?.label ?? '', /^sandbox, connected, 127\.0\.0\.1:\d+$/);
  } finally {
    subscription.dispose();
  }
});

test('screen readers hear each row by name and details, not its tooltip or znode path', async () => {
  await activate();
  const a11y = async (...labels: string[]): Promise<string> => api().tree.getTreeItem(await path(...labels)).accessibilityInformation?.label ?? '';
  assert.equal(await a11y('sandbox', 'Locks', 'sales'), 'sales, 5 locks · 1 waiting');
  assert.equal(await a11y('sandbox', 'Locks'), 'Locks, /hive_zookeeper_namespace');
  assert.equal(await a11y('sandbox', 'Health'), 'Health');
  assert.equal(await a11y('sandbox', 'HiveServer2', 'hiveserver2'), 'hiveserver2, 5 instances');
  const health = await kids(await path('sandbox', 'Health'));
  for (const row of health) {
    const spoken = api().tree.getTreeItem(row).accessibilityInformation?.label ?? '';
    assert.ok(spoken.startsWith(label(row)), `"${spoken}" starts with the row's name "${label(row)}"`);
  }
});

test('the status bar counts connected ensembles against all configured ones, in words (never "idle")', async () => {
  await activate();
  try {
    await setSetting('ensembles', [
      { name: 'sandbox', connectString: process.env.HIVEZK_TEST_ZK },
      { name: 'spare', connectString: '127.0.0.1:1' },
    ]);
    await kids(await waitFor('the sandbox ensemble', async () => (await kids()).find((n) => label(n) === 'sandbox')));
    await waitFor('the status bar to count both ensembles', () => / ZK \d\/2 connected$/.test(api().statusBar.text));
    assert.match(api().statusBar.text, / ZK 1\/2 connected$/);
    assert.match(api().statusBar.tooltip, /^spare: not connected$/m);
    assert.doesNotMatch(api().statusBar.tooltip, /idle/);
  } finally {
    await onlySandbox();
  }
});
