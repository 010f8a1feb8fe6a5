// How the Locks section's rows look: object groups, locks (who a waiting lock waits behind first) and
// the Waiting summary. Lock data is untrusted: it reaches markdown only as escaped text or code.
import * as vscode from 'vscode';
import { lockedAt, querySnippet } from '../../core/locks/lockIndex';
import { formatLockObject, type HiveLock } from '../../core/locks/locks';
import { formatSessionId } from '../../core/health/healthReplies';
import type { LockGroupNode, LockNode, WaitingLocksNode } from './nodes';
import { age, counted, settingsTable } from './rowParts';

/**
 * Every held lock shows a padlock (a shared lock is still a lock), told apart by shape and colour:
 * an exclusive lock stops everyone, a shared one only writers. Waiting locks show a clock.
 */
const LOCK_ICONS: Record<HiveLock['mode'], () => vscode.ThemeIcon> = {
  EXCLUSIVE: () => new vscode.ThemeIcon('lock', new vscode.ThemeColor('charts.red')),
  SEMI_SHARED: () => new vscode.ThemeIcon('shield', new vscode.ThemeColor('charts.orange')),
  SHARED: () => new vscode.ThemeIcon('lock-small', new vscode.ThemeColor('charts.blue')),
};

export function modeLabel(lock: HiveLock): string {
  return lock.mode === 'SEMI_SHARED' ? 'semi-shared' : lock.mode.toLowerCase();
}

export function lockTreeItem(node: LockGroupNode | LockNode | WaitingLocksNode): vscode.TreeItem {
  switch (node.kind) {
    case 'lockGroup': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = `${counted(node.lockCount, node.matchCount, 'lock')}${node.waiting > 0 ? ` · ${node.waiting} waiting` : ''}`;
      item.iconPath = new vscode.ThemeIcon(node.level === 'db' ? 'database' : node.level === 'table' ? 'table' : 'symbol-folder', node.waiting > 0 ? new vscode.ThemeColor('list.warningForeground') : undefined);
      item.contextValue = `lockGroup:${node.level}`;
      item.tooltip = node.objectPath;
      return item;
    }
    case 'lock':
      return lockItem(node);
    case 'waitingLocks': {
      const item = new vscode.TreeItem(`Waiting (${node.count})`, vscode.TreeItemCollapsibleState.Expanded);
      item.description = 'longest waiting first';
      item.iconPath = new vscode.ThemeIcon('watch', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = 'waitingLocks';
      item.tooltip = 'Locks that wait behind an older conflicting lock on the same object, as Hive\'s lock manager decides.';
      return item;
    }
  }
}

function lockItem(node: LockNode): vscode.TreeItem {
  const { lock, blocker } = node;
  const now = Date.now();
  // Query ids share long prefixes (hive_<timestamp>_…): the mode and the query tell locks apart.
  const item = new vscode.TreeItem(`${modeLabel(lock)} · ${querySnippet(lock.data.queryString) ?? lock.data.queryId ?? lock.znode}`, vscode.TreeItemCollapsibleState.None);
  // Who it waits behind comes first: the rest of a long row is cut off at any realistic width.
  item.description = [
    node.retrying ? `retrying: ${node.retrying.attempts} attempts, last attempt ${age(node.retrying.lastAttemptAt, now)} ago` : undefined,
    node.inSummary ? formatLockObject(lock.object) : undefined,
    blocker ? `behind ${modeLabel(blocker)} lock${blocker.data.clientIp ? ` of ${blocker.data.clientIp}` : ''} (${age(lockedAt(blocker), now)})` : undefined,
    lock.status === 'granted' || blocker ? undefined : lock.status,
    age(lockedAt(lock), now),
    lock.data.clientIp,
    lock.ephemeral === false ? 'explicit' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  item.iconPath = lock.status === 'waiting' ? new vscode.ThemeIcon('watch', new vscode.ThemeColor('list.warningForeground')) : LOCK_ICONS[lock.mode]();
  item.contextValue = blocker ? 'lock:waiting' : 'lock';
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${lock.mode} lock** on `);
  md.appendText(formatLockObject(lock.object));
  md.appendMarkdown('  \n');
  settingsTable(md, [
    ['Status', lock.status],
    ['Query id', lock.data.queryId],
    ['Locked at', lock.data.lockTime ? new Date(lock.data.lockTime).toISOString() : undefined],
    ['Held for', age(lockedAt(lock), now)],
    ['Lock mode', lock.data.lockMode],
    ['Client', lock.data.clientIp],
    ['Owner session', lock.ephemeralOwner !== undefined ? formatSessionId(lock.ephemeralOwner) : undefined],
    ['Znode', lock.path],
  ]);
  if (lock.data.queryString) {
    md.appendCodeblock(lock.data.queryString, 'sql');
  }
  if (blocker) {
    md.appendMarkdown(`\n**Waits behind** the ${modeLabel(blocker)} lock  \n`);
    settingsTable(md, [
      ['Query id', blocker.data.queryId],
      ['Client', blocker.data.clientIp],
      ['Held for', age(lockedAt(blocker), now)],
      ['Znode', blocker.znode],
    ]);
    if (blocker.data.queryString) {
      md.appendCodeblock(blocker.data.queryString, 'sql');
    }
  }
  if (lock.data.problems.length > 0) {
    md.appendText(lock.data.problems.join('\n'));
  }
  item.tooltip = md;
  return item;
}
