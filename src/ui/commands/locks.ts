// Commands on Hive locks: who blocks whom (reveal the blocker), the query behind a lock, and the
// UNLOCK statement for a lock or a locked object.
import * as vscode from 'vscode';
import { HiveZkError } from '../../core/errors';
import { formatLockObject, unlockStatement } from '../../core/locks/locks';
import { Cancelled } from '../commandFunnel';
import { Commands } from '../ids';
import type { LockGroupNode, LockNode } from '../tree/nodes';
import { modeLabel } from '../tree/lockPresentation';
import { copy, registerForNodes, type CommandDeps } from './common';

/**
 * What a copied UNLOCK does beyond the row it was copied from: Hive releases every lock on the
 * object, whoever holds it — a running query's included, which then runs on unprotected.
 */
export function unlockWarning(node: LockNode | LockGroupNode): string {
  const object = formatLockObject(node.kind === 'lock' ? node.lock.object : node.object);
  const blocker = node.kind === 'lock' ? node.blocker : undefined;
  const held = blocker && formatLockObject(blocker.object) === object ? ` — the ${modeLabel(blocker)} lock${blocker.data.clientIp ? ` of ${blocker.data.clientIp}` : ''} this one waits behind included, though its query may still be running` : ', those of running queries included';
  return `The UNLOCK statement releases every lock on ${object}, not only this one${held}. Run it only for locks whose queries are gone.`;
}

export function registerLockCommands(deps: CommandDeps): void {
  const { tree, treeView } = deps;

  registerForNodes(deps, Commands.copyUnlockStatement, ['lock', 'lockGroup'], async (node) => {
    if (node) {
      const copied = await copy(unlockStatement(node.kind === 'lock' ? node.lock.object : node.object), 'UNLOCK statement');
      void vscode.window.showWarningMessage(`Copied. ${unlockWarning(node)}`);
      return copied;
    }
    throw new HiveZkError('BAD_ARGUMENT', 'Choose a lock or a locked object in the Locks tree.');
  });

  registerForNodes(deps, Commands.copyQueryId, ['lock'], async (node) => {
    const queryId = node?.lock.data.queryId;
    if (!queryId) {
      throw new HiveZkError('BAD_ARGUMENT', node ? 'This lock records no query id.' : 'Choose a lock in the Locks tree.');
    }
    return copy(queryId, 'query id');
  });

  registerForNodes(deps, Commands.copyQueryText, ['lock'], async (node) => {
    const query = node?.lock.data.queryString;
    if (!query) {
      throw new HiveZkError('BAD_ARGUMENT', node ? 'This lock records no query text.' : 'Choose a lock in the Locks tree.');
    }
    return copy(query, 'query text');
  });

  registerForNodes(deps, Commands.revealBlocker, ['lock'], async (node) => {
    if (!node?.blocker) {
      throw new HiveZkError('BAD_ARGUMENT', 'Choose a waiting lock in the Locks tree: it is revealed with the lock it waits behind.');
    }
    let blocker = await tree.lockNode(node.ensemble, node.blocker.path);
    if (!blocker && tree.filter !== undefined) {
      // Hidden by the filter, perhaps: offered to clear it rather than refused.
      const clear = { label: '$(clear-all) Clear the filter and reveal' };
      const picked = await deps.wizardInputs.current.quickPick({ title: 'Reveal Blocker', step: 1, total: 1, back: false }, [clear], `The lock it waits behind is hidden by the filter "${tree.filter}"`);
      if (picked !== clear) {
        throw new Cancelled();
      }
      await vscode.commands.executeCommand(Commands.clearFilter);
      blocker = await tree.lockNode(node.ensemble, node.blocker.path);
    }
    if (!blocker) {
      throw new HiveZkError('ZK_NO_NODE', `The lock ${node.blocker.znode} is gone.`);
    }
    await treeView.reveal(blocker, { select: true, focus: true, expand: false });
    return blocker.id;
  });
}
