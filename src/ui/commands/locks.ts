// Commands on Hive locks: who blocks whom (reveal the blocker), the query behind a lock, and the
// UNLOCK statement for a lock or a locked object.
import { HiveZkError } from '../../core/errors';
import { unlockStatement } from '../../core/locks/locks';
import { Commands } from '../ids';
import { copy, registerForNodes, type CommandDeps } from './common';

export function registerLockCommands(deps: CommandDeps): void {
  const { tree, treeView } = deps;

  registerForNodes(deps, Commands.copyUnlockStatement, ['lock', 'lockGroup'], async (node) => {
    if (node?.kind === 'lock') {
      return copy(unlockStatement(node.lock.object), 'UNLOCK statement');
    }
    if (node?.kind === 'lockGroup') {
      return copy(unlockStatement(node.object), 'UNLOCK statement');
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
    const blocker = await tree.lockNode(node.ensemble, node.blocker.path);
    if (!blocker) {
      throw new HiveZkError('ZK_NO_NODE', `The lock ${node.blocker.znode} is gone or hidden by the filter.`);
    }
    await treeView.reveal(blocker, { select: true, focus: true, expand: false });
    return blocker.id;
  });
}
