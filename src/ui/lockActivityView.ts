// The Lock Activity view: per ensemble, the live timeline of core/timeline/activityWatch.ts — queries blocked
// behind an older lock first, then lock and registration events, newest first. Each ensemble's
// timeline starts when the view first shows it and follows that ensemble's shared session.
import * as vscode from 'vscode';
import type { ActivityWatch, ActivityEvent } from '../core/timeline/activityWatch';
import { HiveZkError } from '../core/errors';
import { Disposable, type DisposableLike } from '../core/lifecycle';
import type { BlockedQuery } from '../core/timeline/lockActivity';
import type { ActivityTimelines } from './activityTimelines';
import { registerCommand } from './commandFunnel';
import { Commands } from './ids';
import type { Settings } from './settings';
import type { TreeNode } from './tree/nodes';
import type { HiveZkTreeProvider } from './tree/provider';

export const LOCK_ACTIVITY_VIEW_ID = 'hiveZk.lockActivity';

export type ActivityNode =
  | { kind: 'ensemble'; id: string; ensemble: string }
  | { kind: 'blocked'; id: string; ensemble: string; query: BlockedQuery }
  | { kind: 'event'; id: string; ensemble: string; event: ActivityEvent; flapping: boolean }
  | { kind: 'message'; id: string; ensemble: string; text: string; detail?: string };

/** A registration seen registering this many times among recent events is flagged as flapping. */
const FLAPPING_REGISTRATIONS = 3;

export class LockActivityProvider extends Disposable implements vscode.TreeDataProvider<ActivityNode> {
  private readonly changeEmitter = new vscode.EventEmitter<ActivityNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private refreshTimer: DisposableLike | undefined;

  constructor(
    private readonly timelines: ActivityTimelines,
    private readonly settings: () => Settings,
  ) {
    super();
    // While blocked queries are shown, their "last attempt N s ago" is redrawn now and then.
    this.interval(5000, () => {
      if (this.settings().ensembles.some((e) => (this.timelines.get(e.name)?.watch.activity.blocked().length ?? 0) > 0)) {
        this.scheduleRefresh();
      }
    });
    this.register(timelines.onEvent(() => this.scheduleRefresh()));
    this.register(timelines.onDidChange(() => this.scheduleRefresh()));
    this.register(this.changeEmitter);
  }

  /** The timeline of an ensemble, once started (for the extension's tests). */
  timeline(ensemble: string): ActivityWatch | undefined {
    return this.timelines.get(ensemble)?.watch;
  }

  getTreeItem(node: ActivityNode): vscode.TreeItem {
    switch (node.kind) {
      case 'ensemble': {
        // Expanding starts the ensemble's timeline (a connection): open at once only when there is one.
        const single = this.settings().ensembles.length === 1;
        const item = new vscode.TreeItem(node.ensemble, single ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        const ready = this.timelines.get(node.ensemble)?.ready;
        // Which way changes are followed: servers before 3.6 cannot give one persistent watch per root.
        if (ready) {
          item.description = `${ready.mode}, ${ready.watches} watch${ready.watches === 1 ? '' : 'es'}`;
        }
        item.contextValue = 'activityEnsemble';
        item.id = node.id;
        return item;
      }
      case 'blocked':
        return blockedItem(node);
      case 'event':
        return eventItem(node);
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        if (node.detail !== undefined) {
          item.tooltip = node.detail;
        }
        item.id = node.id;
        item.contextValue = 'activityMessage';
        return item;
      }
    }
  }

  async getChildren(node?: ActivityNode): Promise<ActivityNode[]> {
    if (!node) {
      return this.settings().ensembles.map((e) => ({ kind: 'ensemble', id: `activity:${e.name}`, ensemble: e.name }));
    }
    if (node.kind !== 'ensemble') {
      return [];
    }
    const timeline = await this.timelines.start(node.ensemble);
    const base = `activity:${node.ensemble}`;
    if (!timeline || 'error' in timeline) {
      const error = timeline?.error;
      return [{ kind: 'message', id: `${base}:error`, ensemble: node.ensemble, text: error ? `Not watching: ${error.message}` : 'Not watching.', ...(error ? { detail: error.code } : {}) }];
    }
    const blocked: ActivityNode[] = timeline.watch.activity.blocked().map((query) => ({ kind: 'blocked', id: `${base}:blocked:${query.queryId}:${query.objectPath}:${query.mode}`, ensemble: node.ensemble, query }));
    const events = timeline.watch.events();
    const registrations = new Map<string, number>();
    for (const event of events) {
      if (event.type === 'instance' && event.event === 'registered') {
        const key = instanceKey(event);
        registrations.set(key, (registrations.get(key) ?? 0) + 1);
      }
    }
    const listed: ActivityNode[] = events.map((event) => ({
      kind: 'event',
      id: `${base}:event:${timeline.ids.get(event) ?? 0}`,
      ensemble: node.ensemble,
      event,
      flapping: event.type === 'instance' && (registrations.get(instanceKey(event)) ?? 0) >= FLAPPING_REGISTRATIONS,
    }));
    if (blocked.length === 0 && listed.length === 0) {
      return [{ kind: 'message', id: `${base}:quiet`, ensemble: node.ensemble, text: 'No lock or registration activity yet.' }];
    }
    return [...blocked, ...listed];
  }

  /** Events come in bursts (a lock manager retrying): the view is redrawn at most a few times a second. */
  private scheduleRefresh(): void {
    if (this.refreshTimer) {
      return;
    }
    this.refreshTimer = this.timeout(250, () => {
      this.refreshTimer = undefined;
      this.changeEmitter.fire(undefined);
    });
  }
}

function instanceKey(event: ActivityEvent & { type: 'instance' }): string {
  return `${event.namespace}\u0000${event.host ?? event.znode}:${event.port ?? ''}`;
}

/** "3 s", "4 min", "2 h". */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

function blockedItem(node: ActivityNode & { kind: 'blocked' }): vscode.TreeItem {
  const { query } = node;
  const now = Date.now();
  const item = new vscode.TreeItem(`${query.queryId} blocked on ${query.object}`);
  const behind = `${query.blockedBy.mode} lock${query.blockedBy.queryId !== undefined ? ` of ${query.blockedBy.queryId}` : ''}`;
  item.description = `${query.mode}, ${query.attempts} attempts, behind ${behind}, blocked ${formatSpan(now - query.firstAttemptAt)}, last attempt ${formatSpan(now - query.lastAttemptAt)} ago`;
  item.tooltip = new vscode.MarkdownString().appendText(
    [`Query ${query.queryId} wants a ${query.mode} lock on ${query.object}.`, `It has tried ${query.attempts} times: each time an older ${behind} stood (${query.blockedBy.path}${query.blockedBy.client !== undefined ? `, client ${query.blockedBy.client}` : ''}), so Hive deleted its lock and will retry.`].join('\n\n'),
  );
  item.iconPath = new vscode.ThemeIcon('watch');
  item.contextValue = 'activityBlocked';
  item.id = node.id;
  return item;
}

function eventItem(node: ActivityNode & { kind: 'event' }): vscode.TreeItem {
  const { event } = node;
  const time = event.time.slice(11, 19);
  let item: vscode.TreeItem;
  switch (event.type) {
    case 'lock':
      item = new vscode.TreeItem(`${event.event === 'created' ? 'acquired' : 'released'} ${event.mode} ${event.object}`);
      item.description = [time, event.queryId, event.heldMs !== undefined ? `held ${formatSpan(event.heldMs)}` : undefined].filter((p) => p !== undefined).join(' · ');
      item.tooltip = event.path;
      item.iconPath = new vscode.ThemeIcon(event.event === 'created' ? 'lock' : 'unlock');
      break;
    case 'blocked':
      item = new vscode.TreeItem(`${event.queryId} blocked on ${event.object}`);
      item.description = `${time} · attempt ${event.attempts}, behind ${event.blockedBy.mode}${event.blockedBy.queryId !== undefined ? ` of ${event.blockedBy.queryId}` : ''}`;
      item.iconPath = new vscode.ThemeIcon('watch');
      break;
    case 'instance':
      item = new vscode.TreeItem(`${event.event} ${event.host !== undefined ? `${event.host}:${event.port ?? '?'}` : event.znode}`);
      item.description = [time, event.namespace, node.flapping ? 'flapping: re-registers repeatedly' : undefined].filter((p) => p !== undefined).join(' · ');
      item.iconPath = new vscode.ThemeIcon(node.flapping ? 'warning' : 'server');
      break;
    case 'resync':
      item = new vscode.TreeItem(`watch back (${event.reason}): ${event.created} appeared, ${event.deleted} went meanwhile`);
      item.description = time;
      item.iconPath = new vscode.ThemeIcon('sync');
      break;
    case 'dropped':
      item = new vscode.TreeItem(`${event.count} events dropped (too many changes at once)`);
      item.description = time;
      item.iconPath = new vscode.ThemeIcon('warning');
      break;
    case 'error':
      item = new vscode.TreeItem(event.message);
      item.description = `${time} · ${event.code}`;
      item.iconPath = new vscode.ThemeIcon('error');
      break;
  }
  item.id = node.id;
  item.contextValue = `activityEvent:${event.type}`;
  return item;
}

/**
 * Creates the Lock Activity view and its Reveal Blocker command, which shows the lock a blocked query
 * waits behind in the main tree (its own lock may be gone between attempts; the blocker stands).
 */
export function registerLockActivity(deps: {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  timelines: ActivityTimelines;
  settings: () => Settings;
  tree: HiveZkTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
}): LockActivityProvider {
  const provider = new LockActivityProvider(deps.timelines, deps.settings);
  const view = vscode.window.createTreeView(LOCK_ACTIVITY_VIEW_ID, { treeDataProvider: provider });
  deps.context.subscriptions.push(provider, view);
  registerCommand(deps.context, deps.log, Commands.revealActivityBlocker, async (node: unknown) => {
    const blocked = node as Partial<ActivityNode> | undefined;
    if (blocked?.kind !== 'blocked' || !blocked.query || typeof blocked.ensemble !== 'string') {
      throw new HiveZkError('BAD_ARGUMENT', 'Choose a blocked query in the Lock Activity view.');
    }
    const blocker = await deps.tree.lockNode(blocked.ensemble, blocked.query.blockedBy.path);
    if (!blocker) {
      throw new HiveZkError('ZK_NO_NODE', `The lock ${blocked.query.blockedBy.path} is gone or hidden by the filter.`);
    }
    await deps.treeView.reveal(blocker, { select: true, focus: true, expand: false });
    return blocker.id;
  });
  return provider;
}
