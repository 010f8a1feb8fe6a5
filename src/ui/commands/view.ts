// Commands on the view itself: refresh, the title buttons, paging, the filter, revealing an instance, the log.
import * as vscode from 'vscode';
import { HiveZkError, preview } from '../../core/errors';
import { Cancelled } from '../commandFunnel';
import { Commands, ContextKeys } from '../ids';
import type { InstanceNode } from '../tree/nodes';
import type { HiveZkTreeProvider } from '../tree/provider';
import { ask, register, registerForNodes, type CommandDeps } from './common';

export function registerViewCommands(deps: CommandDeps): void {
  const { log, tree, treeView } = deps;

  register(deps, Commands.refresh, () => tree.refresh());
  // A view-title button runs its command with no row, whatever row is focused.
  register(deps, Commands.addEnsembleFromTitle, () => vscode.commands.executeCommand(Commands.addEnsemble));
  register(deps, Commands.resolveJdbcUrlFromTitle, () => vscode.commands.executeCommand(Commands.resolveJdbcUrl));
  registerForNodes(deps, Commands.refreshNode, 'any', (node) => {
    if (node?.kind === 'message' && node.retryId !== undefined) {
      tree.refreshById(node.retryId);
    } else if (node) {
      tree.refresh(node);
    }
  });
  registerForNodes(deps, Commands.loadMore, ['loadMore'], (node) => {
    if (node) {
      tree.loadMore(node);
    }
  });
  register(deps, Commands.showLog, () => log.show());

  const applyFilter = (text: string | undefined): void => {
    tree.setFilter(text);
    // Shown above the tree while it is filtered, so a partial tree is never mistaken for the whole.
    treeView.message = tree.filter ? `Filtered by "${tree.filter}": instances, metastores and locks that match, counted "n of m". Clear Filter (✕ above) shows everything.` : '';
    treeView.description = tree.filter ? `filter: ${tree.filter}` : '';
    void vscode.commands.executeCommand('setContext', ContextKeys.filtered, tree.filter !== undefined);
  };
  register(deps, Commands.filter, async (arg) => {
    const text = typeof arg === 'string' ? arg : await ask({ title: 'Filter the tree', prompt: 'Show instances and locks whose host, version, query id, query or client contains…', value: tree.filter ?? '' });
    applyFilter(text);
  });
  register(deps, Commands.clearFilter, () => applyFilter(undefined));

  register(deps, Commands.revealInstance, async (arg) => {
    const given = typeof arg === 'string' ? arg : undefined;
    let node: InstanceNode | undefined;
    if (given !== undefined) {
      const wanted = given.toLowerCase();
      node = (await collectInstances(tree)).find((i) => `${i.instance.host}:${i.instance.port}`.toLowerCase() === wanted || i.instance.znode.toLowerCase() === wanted);
      if (!node) {
        throw new HiveZkError('ZK_NO_NODE', `No live instance matches "${preview(given)}".`);
      }
    } else {
      node = await pickInstance(tree);
    }
    await treeView.reveal(node, { select: true, focus: true, expand: false });
    return node.id;
  });
}

/** A quick pick that opens at once, busy while the instances are read from every ensemble. */
async function pickInstance(tree: HiveZkTreeProvider): Promise<InstanceNode> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { node: InstanceNode }>();
  pick.placeholder = 'Reading HiveServer2 instances from every ensemble…';
  pick.matchOnDescription = true;
  pick.busy = true;
  pick.show();
  try {
    const chosen = new Promise<InstanceNode | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.node));
      pick.onDidHide(() => resolve(undefined));
    });
    void collectInstances(tree).then(
      (instances) => {
        pick.items = instances.map((i) => ({ label: `${i.instance.host}:${i.instance.port}`, description: `${i.ensemble} · ${i.namespace}${i.instance.version ? ` · v${i.instance.version}` : ''}`, node: i }));
        pick.placeholder = 'Reveal a HiveServer2 instance';
        pick.busy = false;
      },
      (error: unknown) => {
        pick.placeholder = `Could not read the instances: ${error instanceof Error ? error.message : String(error)}`;
        pick.busy = false;
      },
    );
    const node = await chosen;
    if (!node) {
      throw new Cancelled();
    }
    return node;
  } finally {
    pick.dispose();
  }
}

/** Expands each ensemble's HiveServer2 namespaces through the tree, so revealed nodes have parents. */
async function collectInstances(tree: HiveZkTreeProvider): Promise<InstanceNode[]> {
  const ensembles = (await tree.getChildren(undefined)).filter((n) => n.kind === 'ensemble');
  const perEnsemble = await Promise.all(
    ensembles.map(async (ensembleNode) => {
      const sections = await tree.getChildren(ensembleNode);
      const hs2 = sections.find((s) => s.kind === 'section' && s.section === 'hs2');
      const namespaces = hs2 ? (await tree.getChildren(hs2)).filter((n) => n.kind === 'namespace' && (n.nsKind === 'hs2' || n.nsKind === 'hs2-ha') && !n.missing) : [];
      const lists = await Promise.all(namespaces.map((ns) => tree.getChildren(ns)));
      return lists.flat().filter((n): n is InstanceNode => n.kind === 'instance');
    }),
  );
  return perEnsemble.flat();
}
