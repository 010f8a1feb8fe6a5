// Commands on the view itself: refresh, paging, the filter, revealing an instance, the log.
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
    const instances = await collectInstances(tree);
    const given = typeof arg === 'string' ? arg : undefined;
    const wanted = given?.toLowerCase();
    let node: InstanceNode | undefined;
    if (wanted !== undefined) {
      node = instances.find((i) => `${i.instance.host}:${i.instance.port}`.toLowerCase() === wanted || i.instance.znode.toLowerCase() === wanted);
      if (!node) {
        throw new HiveZkError('ZK_NO_NODE', `No live instance matches "${preview(given ?? '')}".`);
      }
    } else {
      const picked = await vscode.window.showQuickPick(
        instances.map((i) => ({ label: `${i.instance.host}:${i.instance.port}`, description: `${i.ensemble} · ${i.namespace}${i.instance.version ? ` · v${i.instance.version}` : ''}`, node: i })),
        { placeHolder: 'Reveal a HiveServer2 instance', matchOnDescription: true },
      );
      if (!picked) {
        throw new Cancelled();
      }
      node = picked.node;
    }
    await treeView.reveal(node, { select: true, focus: true, expand: false });
    return node.id;
  });
}

/** Expands each ensemble's HiveServer2 namespaces through the tree, so revealed nodes have parents. */
async function collectInstances(tree: HiveZkTreeProvider): Promise<InstanceNode[]> {
  const ensembles = (await tree.getChildren(undefined)).filter((n) => n.kind === 'ensemble');
  const perEnsemble = await Promise.all(
    ensembles.map(async (ensembleNode) => {
      const sections = await tree.getChildren(ensembleNode);
      const hs2 = sections.find((s) => s.kind === 'section' && s.section === 'hs2');
      const namespaces = hs2 ? (await tree.getChildren(hs2)).filter((n) => n.kind === 'namespace' && n.nsKind !== 'metastore' && !n.missing) : [];
      const lists = await Promise.all(namespaces.map((ns) => tree.getChildren(ns)));
      return lists.flat().filter((n): n is InstanceNode => n.kind === 'instance');
    }),
  );
  return perEnsemble.flat();
}
