// Commands on the znodes behind tree items: copy a path or data, open a read-only document.
import * as vscode from 'vscode';
import { HiveZkError } from '../../core/errors';
import { renderZnodeData } from '../../core/zk/znodeText';
import { Commands } from '../ids';
import type { NodeOfKind } from '../tree/nodes';
import { ZNODE_SCHEME, znodeUri } from '../znodeDocument';
import { copy, pickEnsemble, register, registerForNodes, type CommandDeps } from './common';

/** The nodes that stand for one znode. */
const ZNODE_NODES = ['namespace', 'instance', 'metastore', 'llapDaemon', 'lock', 'lockGroup', 'znode'] as const;
type ZnodeBackedNode = NodeOfKind<(typeof ZNODE_NODES)[number]>;

export function registerZnodeCommands(deps: CommandDeps): void {
  const { connections, settings } = deps;

  register(deps, Commands.refreshZnodeDocument, (arg) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (uri?.scheme === ZNODE_SCHEME) {
      deps.znodeDocuments.refresh(uri);
    }
  });

  registerForNodes(deps, Commands.copyZnodePath, ZNODE_NODES, async (node) => copy(znodePathOf(node), 'znode path'));

  registerForNodes(deps, Commands.copyZnodeData, ZNODE_NODES, async (node) => {
    const path = znodePathOf(node);
    const ensemble = await pickEnsemble(settings, node);
    const { data } = await (await connections.sessionFor(ensemble)).getData(path);
    return copy(renderZnodeData(data).text, 'znode data');
  });

  registerForNodes(deps, Commands.openZnode, ZNODE_NODES, async (node) => {
    const path = znodePathOf(node);
    const ensemble = await pickEnsemble(settings, node);
    const uri = znodeUri(ensemble.name, path);
    // Opened again (a click on its row): show what the znode holds now.
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) {
      deps.znodeDocuments.refresh(uri);
    }
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
    return document.getText();
  });
}

function znodePathOf(node: ZnodeBackedNode | undefined): string {
  switch (node?.kind) {
    case 'namespace':
      return node.path;
    case 'instance':
      return node.instance.path;
    case 'lock':
      return node.lock.path;
    case 'lockGroup':
      return node.objectPath;
    case 'znode':
    case 'metastore':
    case 'llapDaemon':
      return node.path;
    default:
      throw new HiveZkError('BAD_ARGUMENT', 'Choose a znode in the Hive ZooKeeper tree.');
  }
}
