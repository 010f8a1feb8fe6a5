// The extension inside a real VS Code extension host, against a real ZooKeeper seeded with a
// Hive cluster (started by the runner; HIVEZK_TEST_ZK) and servers this suite starts itself.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { HiveZkApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/ui/tree/nodes';
import type { Resolution } from '../../../src/core/resolver';
import { ZkSession } from '../../../src/core/zkSession';
import { registerHs2, takeLock } from '../../support/hiveSeed';
import { startSourceProxy } from '../../support/sourceProxy';
import { countSessionConnections, startZooKeeper } from '../../support/zkServer';
import { test } from './harness';

const EXTENSION_ID = 'hive-zk-explorer.hive-zookeeper-explorer';
const SANDBOX_ZK = process.env.HIVEZK_TEST_ZK ?? '';
const SANDBOX_PORT = Number(SANDBOX_ZK.split(':')[1]);
let api: HiveZkApi;

async function kids(node?: TreeNode): Promise<TreeNode[]> {
  return api.tree.getChildren(node);
}

function label(node: TreeNode): string {
  const item = api.tree.getTreeItem(node);
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function description(node: TreeNode): string {
  const item = api.tree.getTreeItem(node);
  return typeof item.description === 'string' ? item.description : '';
}

async function find(parent: TreeNode | undefined, text: string): Promise<TreeNode> {
  const children = await kids(parent);
  const found = children.find((c) => label(c) === text);
  assert.ok(found, `"${text}" under ${parent ? label(parent) : 'root'}; saw ${children.map(label).join(', ')}`);
  return found;
}

async function path(...labels: string[]): Promise<TreeNode> {
  let node: TreeNode | undefined;
  for (const text of labels) {
    node = await find(node, text);
  }
  return node as TreeNode;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('hiveZk').update(key, value, vscode.ConfigurationTarget.Global);
}

async function clipboardAfter(command: string, ...args: unknown[]): Promise<string> {
  await vscode.env.clipboard.writeText('');
  await vscode.commands.executeCommand(command, ...args);
  return vscode.env.clipboard.readText();
}

test('activation makes no connection; every contributed command is registered and vice versa', async () => {
  assert.ok(SANDBOX_ZK, 'HIVEZK_TEST_ZK is set by the runner');
  // Activation is measured once the window has settled, as when a user opens the view.
  await new Promise((r) => setTimeout(r, 2000));
  const before = await countSessionConnections(SANDBOX_PORT);
  const extension = vscode.extensions.getExtension<HiveZkApi>(EXTENSION_ID);
  assert.ok(extension, 'extension is installed in development mode');
  const started = performance.now();
  api = await extension.activate();
  const activateMs = performance.now() - started;
  assert.equal(api.connections.stateOf('sandbox'), 'idle');
  const connectionsMade = (await countSessionConnections(SANDBOX_PORT)) - before;
  assert.equal(connectionsMade, 0, 'no connection at activation');
  // For `npm run bench`: activation as measured inside the real extension host.
  if (process.env.HIVEZK_TEST_RESULTS) {
    writeFileSync(join(dirname(process.env.HIVEZK_TEST_RESULTS), 'activation.json'), JSON.stringify({ hostActivateMs: activateMs, ...api.activation, connectionsMade }));
  }
  const manifest = JSON.parse(readFileSync(join(extension.extensionPath, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  // VS Code itself adds hiveZk.explorer.focus and the like for the view; those are not ours.
  const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('hiveZk.') && !c.startsWith('hiveZk.explorer.')).sort();
  assert.deepEqual(registered, contributed);
});

test('the tree shows the seeded namespaces, instances (with details) and HA leader', async () => {
  const ensemble = await find(undefined, 'sandbox');
  assert.deepEqual((await kids(ensemble)).map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
  const hs2 = await path('sandbox', 'HiveServer2');
  const namespaces = await kids(hs2);
  assert.deepEqual(namespaces.map(label), ['hive_metastore', 'hiveserver2', 'hiveserver2-analytics', 'hs2ActivePassiveHA']);
  assert.equal(description(await find(hs2, 'hiveserver2')), '5 instances');
  assert.equal(description(await find(hs2, 'hs2ActivePassiveHA')), 'active/passive HA');
  const instances = await kids(await find(hs2, 'hiveserver2'));
  assert.deepEqual(instances.map(label), ['hs2-a.example.com:10000', 'hs2-b.example.com:10000', 'hs2-c.example.com:10000', 'hs2-d.example.com:10001', 'hs2-e.example.com:10000']);
  assert.match(description(instances[2]), /^v3\.1\.3 · binary · SSL · \d+[smh]$/);
  assert.match(description(instances[3]), /^v3\.1\.3 · http · SSL/);
  const tooltip = api.tree.getTreeItem(instances[2]).tooltip as vscode.MarkdownString;
  assert.match(tooltip.value, /hive\/\\?_HOST@EXAMPLE\.COM/);
  const ha = await kids(await find(hs2, 'hs2ActivePassiveHA'));
  assert.deepEqual(ha.map((n) => [label(n), description(n).split(' · ')[0]]), [
    ['hs2-ha-1.example.com:10000', 'active'],
    ['hs2-ha-2.example.com:10000', 'passive'],
  ]);
  const metastores = await kids(await find(hs2, 'hive_metastore'));
  assert.deepEqual(metastores.map(description), ['thrift://metastore-1.example.com:9083', 'thrift://metastore-2.example.com:9083']);
});

test('the lock tree: database → table → partition → locks, waiting locks marked', async () => {
  const locks = await path('sandbox', 'Locks');
  assert.deepEqual((await kids(locks)).map(label), ['finance', 'sales', 'web']);
  const sales = await find(locks, 'sales');
  assert.equal(description(sales), '5 locks · 1 waiting');
  const orders = await find(sales, 'orders');
  const ordersChildren = await kids(orders);
  assert.deepEqual(ordersChildren.map(label), ['hive_20261125093000_a1b2c3', 'ds=2026-11-24', 'ds=2026-11-25']);
  const day = await find(orders, 'ds=2026-11-24');
  const dayLocks = (await kids(day)).filter((n) => n.kind === 'lock');
  assert.deepEqual(dayLocks.map((n) => description(n).split(' · ').slice(0, 2).join(' ')), ['shared 12m', 'exclusive waiting']);
  assert.deepEqual((await kids(await find(locks, 'web'))).map(label), ['web-logs'], 'encoded table name decoded');
  const unlock = await clipboardAfter('hiveZk.copyUnlockStatement', dayLocks[1]);
  assert.equal(unlock, "UNLOCK TABLE `sales`.`orders` PARTITION (`ds`='2026-11-24');");
});

test('copy commands put the exact text on the clipboard', async () => {
  const hs2 = await path('sandbox', 'HiveServer2', 'hiveserver2');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', hs2), `jdbc:hive2://${SANDBOX_ZK}/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2`);
  const ha = await path('sandbox', 'HiveServer2', 'hs2ActivePassiveHA');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', ha), `jdbc:hive2://${SANDBOX_ZK}/default;serviceDiscoveryMode=zooKeeperHA;zooKeeperNamespace=hs2ActivePassiveHA`);
  const kerberos = await find(hs2, 'hs2-c.example.com:10000');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', kerberos), 'jdbc:hive2://hs2-c.example.com:10000/default;ssl=true;saslQop=auth;transportMode=binary;principal=hive/_HOST@EXAMPLE.COM');
  assert.equal(
    await clipboardAfter('hiveZk.copyBeelineCommand', kerberos),
    "beeline -u 'jdbc:hive2://hs2-c.example.com:10000/default;ssl=true;saslQop=auth;transportMode=binary;principal=hive/_HOST@EXAMPLE.COM'",
  );
  const http = await find(hs2, 'hs2-d.example.com:10001');
  assert.equal(await clipboardAfter('hiveZk.copyJdbcUrl', http), 'jdbc:hive2://hs2-d.example.com:10001/default;ssl=true;httpPath=cliservice;transportMode=http');
  assert.match(await clipboardAfter('hiveZk.copyZnodePath', kerberos), /^\/hiveserver2\/serverUri=hs2-c\.example\.com:10000;version=3\.1\.3;sequence=\d{10}$/);
  assert.match(await clipboardAfter('hiveZk.copyZnodeData', kerberos), /hive\.server2\.authentication=KERBEROS/);
});

test('resolve gives every candidate and the driver\'s pick; HA gives the leader', async () => {
  const resolution = await vscode.commands.executeCommand<Resolution>('hiveZk.resolveJdbcUrl', `jdbc:hive2://${SANDBOX_ZK}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2`);
  assert.equal(resolution.candidates.length, 5);
  assert.ok(resolution.candidates.includes(resolution.chosen as never) || resolution.candidates.some((c) => c.znode === resolution.chosen?.znode));
  assert.equal(resolution.roundTrips, 2);
  const ha = await vscode.commands.executeCommand<Resolution>('hiveZk.resolveJdbcUrl', `jdbc:hive2://${SANDBOX_ZK}/;serviceDiscoveryMode=zooKeeperHA`);
  assert.equal(ha.chosen?.host, 'hs2-ha-1.example.com');
});

test('a znode opens as a read-only document with data, stat and ACL', async () => {
  const instance = await path('sandbox', 'HiveServer2', 'hiveserver2', 'hs2-b.example.com:10000');
  const text = await vscode.commands.executeCommand<string>('hiveZk.openZnode', instance);
  assert.match(text, /# version 0 · \d+ bytes · 0 children · ephemeral/);
  assert.match(text, /# ACL: world:anyone rwcda/);
  assert.match(text, /hive\.server2\.thrift\.bind\.host=hs2-b\.example\.com/);
});

test('everything above used exactly one session (one connection) to the sandbox', async () => {
  const seederConnections = 1; // the runner's seeding session holds the ephemeral registrations
  assert.equal(await countSessionConnections(SANDBOX_PORT), seederConnections + 1);
  assert.equal(api.connections.stateOf('sandbox'), 'connected');
  assert.match(api.statusBar.text, /ZK sandbox: connected/);
});

test('long lists load in pages ("Load more…")', async () => {
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

test('live updates: an instance that registers or deregisters shows up without a refresh', async () => {
  const namespace = await path('sandbox', 'HiveServer2', 'hiveserver2-analytics');
  assert.equal((await kids(namespace)).length, 1);
  const changed: string[] = [];
  const subscription = api.tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    const created = await registerHs2(seeder, 'hiveserver2-analytics', { host: 'hs2-analytics-2.example.com', port: 10000, variant: 'v3-binary' });
    await waitFor('a change event for the namespace', () => changed.includes(namespace.id));
    assert.equal((await kids(namespace)).length, 2);
    changed.length = 0;
    await seeder.remove(created);
    await waitFor('a change event after deregistration', () => changed.includes(namespace.id));
    assert.deepEqual((await kids(namespace)).map(label), ['hs2-analytics-1.example.com:10000']);
  } finally {
    subscription.dispose();
    seeder.close();
  }
});

test('a stopped ensemble shows an error node, and recovers when it returns', async () => {
  const cluster = await startZooKeeper();
  try {
    await setSetting('connection.connectTimeoutMs', 1500);
    await setSetting('connection.requestTimeoutMs', 3000);
    await setSetting('ensembles', [
      { name: 'sandbox', connectString: SANDBOX_ZK },
      { name: 'flaky', connectString: cluster.connectString },
    ]);
    const flaky = await waitFor('the flaky ensemble', async () => (await kids()).find((n) => label(n) === 'flaky'));
    assert.deepEqual((await kids(flaky)).map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
    await cluster.servers[0]?.stop();
    api.tree.refresh(flaky);
    const started = Date.now();
    const failed = await kids(flaky);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.kind, 'message');
    assert.match(label(failed[0]), /Lost the connection|did not answer|Could not connect|expired/);
    assert.ok(Date.now() - started < 20_000, 'the error came within the timeouts');
    cluster.servers[0]?.start();
    await cluster.servers[0]?.waitServing();
    await vscode.commands.executeCommand('hiveZk.refreshNode', failed[0]);
    let last: string[] = [];
    const recovered = await waitFor(
      'recovery',
      async () => {
        const children = await kids(flaky);
        last = children.map(label);
        return children.length === 4 ? children : undefined;
      },
      30_000,
    ).catch((error: unknown) => {
      // Say what the tree and the session looked like, should this ever fail again.
      throw new Error(`${String(error)}; tree showed ${JSON.stringify(last)}, session ${api.connections.stateOf('flaky')}`);
    });
    assert.deepEqual(recovered.map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
  } finally {
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK }]);
    await setSetting('connection.connectTimeoutMs', undefined);
    await setSetting('connection.requestTimeoutMs', undefined);
    await cluster.stop();
  }
}, 90_000);

test('beeline in a terminal: beeline itself prompts for the password; none passes through the extension', async () => {
  await setSetting('beeline.user', 'alice');
  try {
    const instance = await path('sandbox', 'HiveServer2', 'hiveserver2', 'hs2-b.example.com:10000');
    const result = await vscode.commands.executeCommand<{ terminalName: string; text: string }>('hiveZk.openBeeline', instance);
    assert.equal(result.text, `beeline -u 'jdbc:hive2://hs2-b.example.com:10000/default;saslQop=auth;ssl=false;transportMode=binary' -n alice -p`);
    const terminal = vscode.window.terminals.find((t) => t.name === result.terminalName);
    assert.ok(terminal);
    assert.equal((terminal.creationOptions as vscode.TerminalOptions).env, undefined, 'no secret in the terminal environment');
    terminal.dispose();
  } finally {
    await setSetting('beeline.user', undefined);
  }
});

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
    assert.ok(await api.connections.hasCredential('sandbox'));
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('hiveZk').get('ensembles')).includes('t0psecret'));
    const allowed = await kids(await find(await path('sandbox', 'Browse znodes'), 'protected-ns'));
    assert.deepEqual(allowed, []);
    await vscode.commands.executeCommand('hiveZk.clearCredential', ensemble);
    assert.equal(await api.connections.hasCredential('sandbox'), false);
  } finally {
    await owner.remove('/protected-ns').catch(() => undefined);
    owner.close();
  }
});

test('filter and reveal', async () => {
  await vscode.commands.executeCommand('hiveZk.filter', 'hs2-d');
  const filtered = await kids(await path('sandbox', 'HiveServer2', 'hiveserver2'));
  assert.deepEqual(filtered.map(label), ['hs2-d.example.com:10001']);
  await vscode.commands.executeCommand('hiveZk.clearFilter');
  assert.equal((await kids(await path('sandbox', 'HiveServer2', 'hiveserver2'))).length, 5);
  const revealed = await vscode.commands.executeCommand<string>('hiveZk.revealInstance', 'hs2-e.example.com:10000');
  assert.match(revealed, /^sandbox\|\/hiveserver2\/serverUri=hs2-e\.example\.com:10000;/);
});

test('session expiry: the tree refreshes by itself and live updates keep working', async () => {
  const cluster = await startZooKeeper({ tickTime: 500 });
  const seeder = new ZkSession({ connectString: cluster.connectString });
  const changed: string[] = [];
  const subscription = api.tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
  try {
    await seeder.create('/hiveserver2', Buffer.alloc(0));
    seeder.close();
    await setSetting('connection.requestTimeoutMs', 3000);
    await setSetting('ensembles', [
      { name: 'sandbox', connectString: SANDBOX_ZK },
      { name: 'expiring', connectString: cluster.connectString, sessionTimeoutMs: 2000 },
    ]);
    await waitFor('the expiring ensemble', async () => (await kids()).find((n) => label(n) === 'expiring'));
    const namespace = await path('expiring', 'HiveServer2', 'hiveserver2');
    assert.deepEqual((await kids(namespace)).map(label), ['No live instance registered']);
    await cluster.servers[0]?.stop();
    await waitFor('the session to expire', () => api.connections.stateOf('expiring') === 'expired', 20_000);
    cluster.servers[0]?.start();
    await cluster.servers[0]?.waitServing();
    changed.length = 0;
    // The tree asks again by itself (refresh on expiry, then its retry timer) and gets a new session.
    await waitFor('a new session', async () => {
      await kids(await path('expiring', 'HiveServer2', 'hiveserver2'));
      return api.connections.stateOf('expiring') === 'connected';
    }, 30_000);
    const again = await path('expiring', 'HiveServer2', 'hiveserver2');
    await kids(again);
    changed.length = 0;
    const writer = new ZkSession({ connectString: cluster.connectString });
    try {
      await registerHs2(writer, 'hiveserver2', { host: 'after.example.com', port: 10000, variant: 'v3-binary' });
      await waitFor('the re-armed watch to fire', () => changed.includes(again.id));
      assert.deepEqual((await kids(again)).map(label), ['after.example.com:10000']);
    } finally {
      writer.close();
    }
  } finally {
    subscription.dispose();
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK }]);
    await setSetting('connection.requestTimeoutMs', undefined);
    await cluster.stop();
  }
}, 90_000);

test('a malformed ensemble entry shows as an error row; the others keep working', async () => {
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
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK }]);
  }
});

test('adding an ensemble from a pasted discovery URL', async () => {
  try {
    const url = `jdbc:hive2://localhost:${SANDBOX_PORT}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2-analytics`;
    const added = await vscode.commands.executeCommand<{ name: string; connectString: string; hs2Namespaces: string[] }>('hiveZk.addEnsembleFromUrl', url);
    assert.deepEqual([added.name, added.connectString, added.hs2Namespaces], ['localhost', `localhost:${SANDBOX_PORT}`, ['hiveserver2-analytics']]);
    const node = await waitFor('the new ensemble', async () => (await kids()).find((n) => label(n) === 'localhost'));
    assert.ok((await kids(await find(await find(node, 'HiveServer2'), 'hiveserver2-analytics'))).length >= 1);
  } finally {
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK }]);
  }
});

test('a live update still arrives after a settings change and after a credential change', async () => {
  const namespace = await path('sandbox', 'HiveServer2', 'hiveserver2-analytics');
  assert.equal((await kids(namespace)).length, 1);
  const changed: string[] = [];
  const subscription = api.tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  const expectLiveUpdate = async (host: string, after: string): Promise<void> => {
    const listed = await kids(await path('sandbox', 'HiveServer2', 'hiveserver2-analytics'));
    assert.equal(listed.filter((n) => n.kind === 'instance').length, 1, `one instance before (${after})`);
    changed.length = 0;
    const created = await registerHs2(seeder, 'hiveserver2-analytics', { host, port: 10000, variant: 'v3-binary' });
    await waitFor(`a live update ${after}`, () => changed.includes(namespace.id), 10_000);
    assert.ok((await kids(namespace)).some((n) => label(n) === `${host}:10000`));
    await seeder.remove(created);
    await waitFor(`the deregistration ${after}`, async () => (await kids(namespace)).filter((n) => n.kind === 'instance').length === 1, 10_000);
  };
  try {
    await setSetting('tree.pageSize', 150);
    await expectLiveUpdate('after-settings.example.com', 'after a settings change');
    const ensemble = await find(undefined, 'sandbox');
    await vscode.commands.executeCommand('hiveZk.setCredential', ensemble, 'ops:t0psecret');
    await expectLiveUpdate('after-credential.example.com', 'after setting a credential');
    await vscode.commands.executeCommand('hiveZk.clearCredential', ensemble);
    await expectLiveUpdate('after-clear.example.com', 'after clearing a credential');
  } finally {
    await setSetting('tree.pageSize', undefined);
    subscription.dispose();
    seeder.close();
  }
}, 90_000);

test('closeAll racing a session being created: the late session is not kept, current settings win', async () => {
  const stale = { name: 'sandbox', connectString: '127.0.0.1:1', hs2Namespaces: ['hiveserver2'], lockNamespace: 'hive_zookeeper_namespace', sessionTimeoutMs: 30_000 };
  api.connections.closeAll();
  const pending = api.connections.sessionFor(stale);
  api.connections.closeAll();
  const session = await pending;
  assert.equal(session.connectString, SANDBOX_ZK, 'the session in use is built from the current settings');
  assert.equal(await api.connections.sessionFor(stale), session, 'one session per ensemble afterwards');
  assert.deepEqual((await kids(await find(undefined, 'sandbox'))).map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
});

test('invalid ensembles without a name or with the same name get distinct tree ids', async () => {
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
    const ids = roots.map((n) => api.tree.getTreeItem(n).id);
    assert.equal(new Set(ids).size, ids.length, `distinct ids: ${ids.join(', ')}`);
  } finally {
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK }]);
  }
});

test('UNLOCK for a lock group is right when the lock namespace is written with slashes', async () => {
  try {
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK, lockNamespace: '/hive_zookeeper_namespace/' }]);
    const orders = await waitFor('the settings to apply', async () => {
      const locks = await path('sandbox', 'Locks');
      return (await kids(locks)).length === 3 ? find(await find(locks, 'sales'), 'orders') : undefined;
    });
    assert.equal(await clipboardAfter('hiveZk.copyUnlockStatement', orders), 'UNLOCK TABLE `sales`.`orders`;');
    const day = await find(orders, 'ds=2026-11-24');
    assert.equal(await clipboardAfter('hiveZk.copyUnlockStatement', day), "UNLOCK TABLE `sales`.`orders` PARTITION (`ds`='2026-11-24');");
  } finally {
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK }]);
  }
});

/** A tooltip's text as shown: markdown's escapes of appended text undone. */
function tooltipText(node: TreeNode): string {
  const tooltip = api.tree.getTreeItem(node).tooltip;
  const markdown = typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
  return markdown.replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1');
}

function iconId(node: TreeNode): string {
  const icon = api.tree.getTreeItem(node).iconPath;
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
    api.tree.refresh(health);
    assert.match(tooltipText(health), /short separate requests to each server, not sessions/);
    assert.deepEqual((await kids(health)).map(label), ['Servers', 'Connections by client', 'Lock owners']);

    const servers = await find(health, 'Servers');
    assert.equal(description(servers), '1 server');
    const [server] = await kids(servers);
    assert.ok(server);
    assert.equal(label(server), SANDBOX_ZK);
    assert.match(description(server), /^standalone · 3\.8\.0 · \d+ conn · avg [\d.]+ ms$/);
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
    assert.deepEqual(strayLocks.map(label), ['hive_stray_query']);
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

test('no password or digest credential ever reached the extension\'s log files', () => {
  const logDir = dirname(api.logUri.fsPath);
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
  assert.ok(ours.length > 0, `found the extension's log among ${files.length} files in ${logDir}`);
  const text = ours.map((f) => readFileSync(f, 'utf8')).join('\n');
  assert.match(text, /digest credential stored for user ops/, 'the log did record the credential being set (so it was the right file)');
  for (const secret of ['t0psecret', 'pa$$-w0rd', 'ops:t0psecret']) {
    assert.ok(!text.includes(secret), `"${secret}" is not in the log`);
  }
});
