// Live updates and session lifecycle: watches that survive settings, credential and session
// changes, a stopped ensemble that recovers, session expiry.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ZkSession } from '../../../src/core/zk/session';
import { registerHs2 } from '../../support/hiveSeed';
import { startZooKeeper } from '../../support/zkServer';
import { test } from './harness';
import { api, kids, label, find, path, waitFor, setSetting, onlySandbox, SANDBOX_ZK } from './helpers';

test('live updates: an instance that registers or deregisters shows up without a refresh, redrawing its namespace alone', async () => {
  const namespace = await path('sandbox', 'HiveServer2', 'hiveserver2-analytics');
  assert.equal((await kids(namespace)).length, 1);
  const changed: string[] = [];
  const subscription = api().tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    const created = await registerHs2(seeder, 'hiveserver2-analytics', { host: 'hs2-analytics-2.example.com', port: 10000, variant: 'v3-binary' });
    await waitFor('a change event for the namespace', () => changed.includes(namespace.id));
    assert.equal((await kids(namespace)).length, 2);
    // Only that namespace is redrawn: not the tree (a refresh of everything would re-list every
    // expanded node), nor the other namespaces or the ensemble row.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual([...new Set(changed)], [namespace.id]);
    changed.length = 0;
    await seeder.remove(created);
    await waitFor('a change event after deregistration', () => changed.includes(namespace.id));
    assert.deepEqual((await kids(namespace)).map(label), ['hs2-analytics-1.example.com:10000']);
  } finally {
    subscription.dispose();
    seeder.close();
  }
});

test('a live update still arrives after a settings change and after a credential change', async () => {
  const namespace = await path('sandbox', 'HiveServer2', 'hiveserver2-analytics');
  assert.equal((await kids(namespace)).length, 1);
  const changed: string[] = [];
  const subscription = api().tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
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
  api().connections.closeAll();
  const pending = api().connections.sessionFor(stale);
  api().connections.closeAll();
  const session = await pending;
  assert.equal(session.connectString, SANDBOX_ZK, 'the session in use is built from the current settings');
  assert.equal(await api().connections.sessionFor(stale), session, 'one session per ensemble afterwards');
  assert.deepEqual((await kids(await find(undefined, 'sandbox'))).map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
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
    api().tree.refresh(flaky);
    const started = Date.now();
    const failed = await kids(flaky);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.kind, 'message');
    assert.match(label(failed[0]), /Lost the connection|did not answer|Could not connect|expired|Connection refused/);
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
      throw new Error(`${String(error)}; tree showed ${JSON.stringify(last)}, session ${api().connections.stateOf('flaky')}`);
    });
    assert.deepEqual(recovered.map(label), ['HiveServer2', 'Locks', 'Browse znodes', 'Health']);
  } finally {
    await onlySandbox();
    await setSetting('connection.connectTimeoutMs', undefined);
    await setSetting('connection.requestTimeoutMs', undefined);
    await cluster.stop();
  }
}, 90_000);

test('session expiry: the tree refreshes by itself and live updates keep working', async () => {
  const cluster = await startZooKeeper({ tickTime: 500 });
  const seeder = new ZkSession({ connectString: cluster.connectString });
  const changed: string[] = [];
  const subscription = api().tree.onDidChangeTreeData((node) => changed.push(node?.id ?? 'root'));
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
    await waitFor('the session to expire', () => api().connections.stateOf('expiring') === 'expired', 20_000);
    cluster.servers[0]?.start();
    await cluster.servers[0]?.waitServing();
    changed.length = 0;
    // The tree asks again by itself (refresh on expiry, then its retry timer) and gets a new session.
    await waitFor('a new session', async () => {
      await kids(await path('expiring', 'HiveServer2', 'hiveserver2'));
      return api().connections.stateOf('expiring') === 'connected';
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
    await onlySandbox();
    await setSetting('connection.requestTimeoutMs', undefined);
    await cluster.stop();
  }
}, 90_000);
