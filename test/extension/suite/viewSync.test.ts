// The tree as VS Code's own view sees it: rows expanded while live updates fire, refreshed and
// re-listed, must never register an id twice ("Element with id … is already registered").
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ZkSession } from '../../../src/core/zk/session';
import { registerHs2 } from '../../support/hiveSeed';
import { test } from './harness';
import { activate, api, kids, path, waitFor, SANDBOX_ZK } from './helpers';
import type { TreeNode } from '../../../src/ui/tree/nodes';

const RACE_NAMESPACE = 'hs2-race';
const INSTANCES = 1500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('expanding a namespace while its live updates fire, many times: every later expansion and reveal still works', async () => {
  await activate();
  const seeder = new ZkSession({ connectString: SANDBOX_ZK });
  const cleaner = new ZkSession({ connectString: SANDBOX_ZK });
  try {
    // Enough instances that VS Code's listing of the namespace is still in flight when the next change lands.
    for (let i = 0; i < INSTANCES; i += 1) {
      await registerHs2(seeder, RACE_NAMESPACE, { host: `race-${i}.example.com`, port: 10000, variant: 'v3-binary' });
    }
    api().tree.refresh();
    await vscode.commands.executeCommand('workbench.view.extension.hiveZk');
    const view = api().view;
    const listed = await path('sandbox', 'HiveServer2', RACE_NAMESPACE);
    const extra: string[] = [];
    for (let round = 0; round < 16; round += 1) {
      // The row as VS Code holds it (what a click or a live update refreshes).
      await view.reveal(listed, { select: true, expand: true });
      const shown = await waitFor('the namespace row selected', () => view.selection[0]);
      // Instances come and go (the namespace's watch fires, its count changes) while the row is
      // refreshed twice, the second time while VS Code may still be listing it after the first.
      const churn = (async () => {
        for (let k = 0; k < 3; k += 1) {
          if (k !== 1 || extra.length === 0) {
            extra.push(await registerHs2(seeder, RACE_NAMESPACE, { host: `churn-${round}-${k}.example.com`, port: 10000, variant: 'v3-binary' }));
          } else {
            await seeder.remove(extra.pop() as string);
          }
          await sleep(90 * (k + 1));
        }
      })();
      await vscode.commands.executeCommand('hiveZk.refreshNode', shown);
      await sleep(120 + (round % 8) * 40);
      await vscode.commands.executeCommand('hiveZk.refreshNode', shown);
      await churn;
      await sleep(250);
    }
    await sleep(1500);
    await api().tree.view.whenQuiet();
    // The view still lists the namespace: revealing its instances goes through VS Code's own
    // listing of it, which fails once an overtaken listing left an id registered.
    const instances = (await kids(await path('sandbox', 'HiveServer2', RACE_NAMESPACE))).filter((n) => n.kind === 'instance');
    assert.ok(instances.length > 0);
    const revealed: string[] = [];
    for (const instance of [instances[0], instances[instances.length - 1]] as TreeNode[]) {
      await view.reveal(listed, { select: true, expand: true });
      await vscode.commands.executeCommand('hiveZk.refreshNode', view.selection[0]);
      // Once the refresh has landed (a listing it overtook is asked for again by then).
      await sleep(300);
      await api().tree.view.whenQuiet();
      await view.reveal(instance, { select: true, focus: false });
      revealed.push(await waitFor('the revealed row selected', () => view.selection[0]?.id));
    }
    assert.deepEqual(revealed, [instances[0]?.id, instances[instances.length - 1]?.id]);
  } finally {
    seeder.close();
    await waitFor('the race instances gone', async () => (await cleaner.getChildren(`/${RACE_NAMESPACE}`)).children.length === 0, 20_000);
    await cleaner.remove(`/${RACE_NAMESPACE}`);
    cleaner.close();
    api().tree.refresh();
  }
}, 240_000);
