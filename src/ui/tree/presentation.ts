// How each tree node looks: label, description, icon, tooltip, context value and click command.
// Znode data is untrusted, so it reaches markdown only as escaped text, invisible characters shown.
import * as vscode from 'vscode';
import { formatSessionId } from '../../core/health/healthReplies';
import { escapeInvisible } from '../../core/untrusted';
import { instanceFields } from '../../core/registry/znodeDetails';
import { Commands } from '../ids';
import type { HiveZkError } from '../../core/errors';
import { diagnoseUnreachable } from '../../core/health/reachability';
import { parseConnectString } from '../../core/zk/connectString';
import { authenticationAttempted, describeIdentities, identitySource, type SessionIdentities } from '../../core/zk/identities';
import type { SessionState } from '../../core/zk/session';
import { SECURITY_FAILURE_LABELS } from '../ensembleSecurity';
import type { EnsembleConfig } from '../settings';
import { healthTreeItem } from './healthPresentation';
import { lockTreeItem } from './lockPresentation';
import { age, counted, settingsTable } from './rowParts';
import type { EnsembleNode, NamespaceNode, TreeNode } from './nodes';

/** A session state in the words rows, tooltips and the status bar use. */
export const STATE_LABELS: Record<SessionState, string> = {
  idle: 'not connected',
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  expired: 'session expired',
  authFailed: 'authentication failed',
  error: 'unreachable',
  closed: 'closed',
};

/** The ensemble's icon says its session state at a glance. */
function stateIcon(state: SessionState): vscode.ThemeIcon {
  switch (state) {
    case 'connected':
      return new vscode.ThemeIcon('server-environment', new vscode.ThemeColor('testing.iconPassed'));
    case 'connecting':
    case 'reconnecting':
      return new vscode.ThemeIcon('sync~spin');
    case 'error':
    case 'authFailed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    case 'expired':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    default:
      return new vscode.ThemeIcon('server-environment');
  }
}

const NAMESPACE_KIND_LABELS: Record<NamespaceNode['nsKind'], string | undefined> = {
  hs2: undefined,
  'hs2-ha': 'active/passive HA',
  metastore: 'metastore',
  llap: 'LLAP',
  kyuubi: 'Kyuubi',
  'kyuubi-engine': 'Kyuubi engines',
};
const NAMESPACE_ICONS: Record<NamespaceNode['nsKind'], string> = {
  hs2: 'folder-library',
  'hs2-ha': 'folder-library',
  metastore: 'database',
  llap: 'server',
  kyuubi: 'folder-library',
  'kyuubi-engine': 'rocket',
};

/**
 * The word for a session state; a session given up before any credential was judged (no Kerberos
 * module or ticket, a KDC out of reach, TLS refused) says what stopped it, not "authentication failed".
 */
function stateLabel(state: SessionState, failure: HiveZkError | undefined): string {
  if (state === 'authFailed' && failure && !authenticationAttempted(failure)) {
    return SECURITY_FAILURE_LABELS[failure.code] ?? 'could not authenticate';
  }
  return STATE_LABELS[state];
}

/** The ensemble row's tooltip: servers, lock namespace, session state, and who the session is once known. */
export function ensembleTooltip(node: EnsembleNode, state: SessionState, failure?: HiveZkError, who?: SessionIdentities): string {
  const lines = [node.config.connectString, `locks: /${node.config.lockNamespace}`, `session: ${stateLabel(state, failure)}`];
  if (who) {
    lines.push(`authenticated as: ${describeIdentities(who)}, ${identitySource(who)}`);
  }
  return lines.join('\n');
}

export function toTreeItem(node: TreeNode, config: EnsembleConfig | undefined, state: SessionState = 'idle', failure?: HiveZkError): vscode.TreeItem {
  const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
  const none = vscode.TreeItemCollapsibleState.None;
  let item: vscode.TreeItem;
  switch (node.kind) {
    case 'ensemble': {
      item = new vscode.TreeItem(node.ensemble, collapsed);
      const problem = state === 'error' || state === 'authFailed' || state === 'expired';
      item.description = problem || state === 'connecting' || state === 'reconnecting' ? `${node.config.connectString} · ${stateLabel(state, failure)}` : node.config.connectString;
      item.iconPath = stateIcon(state);
      item.contextValue = state === 'connected' || state === 'reconnecting' ? 'ensemble:connected' : 'ensemble:disconnected';
      item.tooltip = ensembleTooltip(node, state, failure);
      break;
    }
    case 'section': {
      const labels = { hs2: 'HiveServer2', locks: 'Locks', browse: 'Browse znodes', health: 'Health' };
      const icons = { hs2: 'server-process', locks: 'lock', browse: 'list-tree', health: 'pulse' };
      item = new vscode.TreeItem(labels[node.section], collapsed);
      item.iconPath = new vscode.ThemeIcon(icons[node.section]);
      item.contextValue = `section:${node.section}`;
      if (node.section === 'locks' && config) {
        item.description = `/${config.lockNamespace}`;
      }
      if (node.section === 'health') {
        item.tooltip = 'Servers, connections by client and lock owners, from the four-letter words srvr, mntr, cons, conf (or the AdminServer): short separate requests to each server, not sessions.';
      }
      break;
    }
    case 'namespace': {
      item = new vscode.TreeItem(node.namespace, node.missing ? none : collapsed);
      const kindLabel = NAMESPACE_KIND_LABELS[node.nsKind];
      const noun = node.nsKind === 'llap' ? 'daemon' : node.nsKind === 'kyuubi-engine' ? 'engine' : node.nsKind === 'kyuubi' ? 'server' : 'instance';
      const count = node.missing ? 'not found' : node.unreadable ? 'not readable' : node.childCount === undefined ? '' : counted(node.childCount, node.matchCount, noun);
      item.description = [kindLabel, count].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(node.missing ? 'warning' : node.unreadable ? 'lock' : NAMESPACE_ICONS[node.nsKind]);
      if (node.unreadable) {
        item.tooltip = `${node.path}: its ACL does not let this session list it. Expand it to see who this session is to ZooKeeper.`;
      }
      item.contextValue = `namespace:${node.nsKind}`;
      break;
    }
    case 'instance': {
      const i = node.instance;
      const engine = node.engine;
      item = new vscode.TreeItem(i.host !== undefined && i.port !== undefined ? `${i.host}:${i.port}` : i.znode, none);
      const transport = i.transportMode ?? (i.dataFormat === 'legacy' ? 'legacy' : undefined);
      item.description = [
        engine ? `${engine.user}/${engine.subdomain}` : undefined,
        i.isLeader ? 'active' : i.isLeader === false ? 'passive' : undefined,
        i.version ? `v${i.version}` : undefined,
        transport,
        i.ssl ? 'SSL' : undefined,
        age(i.ctime),
      ]
        .filter(Boolean)
        .join(' · ');
      item.iconPath = new vscode.ThemeIcon(i.problems.length > 0 ? 'warning' : i.isLeader ? 'star-full' : engine ? 'rocket' : 'vm-running');
      // An engine is reached through its Kyuubi server, so it is offered no URL of its own.
      item.contextValue = engine ? 'kyuubiEngine' : node.ha ? 'instance:ha' : 'instance';
      const md = new vscode.MarkdownString();
      md.appendMarkdown(engine ? '**Kyuubi engine**  \n' : node.kyuubi === 'server' ? '**Kyuubi server**  \n' : '**HiveServer2 instance**  \n');
      settingsTable(md, [
        ...(engine
          ? ([
              ['User', engine.user],
              ['Subdomain', engine.subdomain],
              ['Engine type', engine.engineType],
              ['Share level', engine.shareLevel],
              ['Server space', engine.serverSpace],
              ['Kyuubi version', engine.kyuubiVersion],
              ['Engine ref id', engine.refId],
            ] satisfies [string, string | undefined][])
          : []),
        ...instanceFields(i),
        ['Registered', i.ctime ? new Date(i.ctime).toISOString() : undefined],
        ['Owner session', i.ephemeralOwner !== undefined ? formatSessionId(i.ephemeralOwner) : undefined],
        ['Znode', i.path],
      ]);
      const other = Object.entries(i.settings).filter(([k]) => !k.startsWith('hive.server2.'));
      if (other.length > 0) {
        md.appendMarkdown('\n**Other keys**  \n');
        settingsTable(md, other);
      }
      if (i.problems.length > 0) {
        md.appendMarkdown('\n**Problems**  \n');
        md.appendText(i.problems.join('\n'));
      }
      item.tooltip = md;
      break;
    }
    case 'llapDaemon': {
      const d = node.daemon;
      item = new vscode.TreeItem(d.host !== undefined && d.rpcPort !== undefined ? `${d.host}:${d.rpcPort}` : d.znode, none);
      item.description = [
        d.slot !== undefined ? `slot ${d.slot}` : 'no slot',
        d.executors !== undefined ? `${d.executors} executor${d.executors === 1 ? '' : 's'}` : undefined,
        d.memoryMb !== undefined ? `${d.memoryMb} MB` : undefined,
        `${d.user}/${d.cluster}`,
        age(d.ctime),
      ]
        .filter(Boolean)
        .join(' · ');
      item.iconPath = new vscode.ThemeIcon(d.problems.length > 0 ? 'warning' : 'vm-running');
      item.contextValue = 'llapDaemon';
      const md = new vscode.MarkdownString();
      md.appendMarkdown('**LLAP daemon**  \n');
      settingsTable(md, [
        ['Host', d.host],
        ['RPC port', d.rpcPort?.toString()],
        ['Management port', d.managementPort?.toString()],
        ['Shuffle port', d.shufflePort?.toString()],
        ['Output format port', d.outputFormatPort?.toString()],
        ['Slot', d.slot !== undefined ? `slot-${d.slot}` : undefined],
        ['State', d.slot !== undefined ? 'scheduled (holds a slot)' : 'no slot: not scheduled'],
        ['Executors', d.executors?.toString()],
        ['Memory (MB)', d.memoryMb?.toString()],
        ['User', d.user],
        ['Cluster', d.cluster],
        ['Unique id', d.uniqueId],
        ['Container', d.containerId],
        ['Registered', d.ctime ? new Date(d.ctime).toISOString() : undefined],
        ['Ephemeral', d.ephemeral === undefined ? undefined : String(d.ephemeral)],
        ['Znode', d.path],
      ]);
      if (d.problems.length > 0) {
        md.appendMarkdown('\n**Problems**  \n');
        md.appendText(d.problems.join('\n'));
      }
      item.tooltip = md;
      break;
    }
    case 'metastore': {
      item = new vscode.TreeItem(`${node.instance.host}:${node.instance.port}`, none);
      item.description = node.instance.uri;
      item.iconPath = new vscode.ThemeIcon('database');
      item.contextValue = 'metastore';
      break;
    }
    case 'lockGroup':
    case 'lock':
    case 'waitingLocks':
      item = lockTreeItem(node);
      break;
    case 'znode': {
      const name = node.path.slice(node.path.lastIndexOf('/') + 1);
      item = new vscode.TreeItem(name, node.numChildren > 0 ? collapsed : none);
      if (node.numChildren > 0) {
        item.description = `${node.numChildren}`;
      }
      item.iconPath = new vscode.ThemeIcon(node.numChildren > 0 ? 'folder' : 'file');
      item.contextValue = 'znode';
      item.tooltip = node.path;
      // A parent expands on click; only a leaf opens its data (Open Znode Data is in the menu).
      if (node.numChildren === 0) {
        item.command = { command: Commands.openZnode, title: 'Open Znode Data', arguments: [node] };
      }
      break;
    }
    case 'message': {
      item = new vscode.TreeItem(node.text, none);
      item.iconPath = new vscode.ThemeIcon(node.severity === 'error' ? 'error' : node.severity === 'warning' ? 'warning' : 'info');
      // ":retry" offers Retry inline; ":ensemble" (a connection failure) offers Edit too.
      item.contextValue = `message:${node.severity}${node.retryId !== undefined ? ':retry' : ''}${node.retryId?.startsWith('ensemble|') ? ':ensemble' : ''}`;
      if (node.retryId !== undefined) {
        item.description = 'click to retry';
        item.command = { command: Commands.refreshNode, title: 'Retry', arguments: [node] };
      }
      item.tooltip = node.detail ? `${node.text}\n${node.detail}` : node.text;
      break;
    }
    case 'healthGroup':
    case 'zkServer':
    case 'zkClient':
    case 'lockOwner':
      item = healthTreeItem(node);
      break;
    case 'loadMore': {
      item = new vscode.TreeItem(`Load more… (${node.shown} of ${node.total})`, none);
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.contextValue = 'loadMore';
      item.command = { command: Commands.loadMore, title: 'Load More', arguments: [node] };
      break;
    }
  }
  item.id = node.id;
  // A click on an instance, a lock or a metastore opens its details: decoded fields and raw data.
  if (node.kind === 'instance' || node.kind === 'lock' || node.kind === 'metastore' || node.kind === 'llapDaemon') {
    item.command = { command: Commands.openZnode, title: 'Show Details', arguments: [node] };
  }
  // Screen readers read a row's plain tooltip (a znode path, a connect string) or nothing of a rich
  // one: every row says its own name and details instead, an ensemble its session state too.
  const text = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const details = [node.kind === 'ensemble' ? STATE_LABELS[state] : undefined, typeof item.description === 'string' ? item.description : undefined].filter((d) => d !== undefined && d !== '');
  item.accessibilityInformation ??= { label: [text, ...new Set(details)].join(', ') };
  return showInvisible(item);
}

/** Labels, descriptions and tooltips carry znode text: invisible characters (bidi overrides, zero-width…) are shown escaped. */
function showInvisible(item: vscode.TreeItem): vscode.TreeItem {
  if (typeof item.label === 'string') {
    item.label = escapeInvisible(item.label);
  }
  if (typeof item.description === 'string') {
    item.description = escapeInvisible(item.description);
  }
  if (item.accessibilityInformation) {
    item.accessibilityInformation = { ...item.accessibilityInformation, label: escapeInvisible(item.accessibilityInformation.label) };
  }
  if (typeof item.tooltip === 'string') {
    item.tooltip = escapeInvisible(item.tooltip, true);
  } else if (item.tooltip instanceof vscode.MarkdownString) {
    item.tooltip.value = escapeInvisible(item.tooltip.value, true);
  }
  return item;
}

/** A short row for why an ensemble failed: DNS, refused, silent, no handshake (TLS?), or auth. */
export async function ensembleFailureRow(connectString: string, failure: HiveZkError, probeTimeoutMs: number): Promise<string> {
  if (failure.code === 'ZK_AUTH_FAILED') {
    return 'Authentication failed: check the digest credential';
  }
  if (failure.code === 'ZK_SASL_FAILED' || failure.code === 'ZK_SASL_REQUIRED' || failure.code === 'ZK_TLS_FAILED' || failure.code === 'ZK_KERBEROS_UNAVAILABLE') {
    // The core's words say what failed; the row's inline buttons (Edit, Configure Security) fix it.
    const what = SECURITY_FAILURE_LABELS[failure.code] ?? failure.code;
    return `${what.charAt(0).toUpperCase()}${what.slice(1)}: ${failure.message}`;
  }
  if (failure.code !== 'ZK_UNREACHABLE') {
    return failure.message;
  }
  return (await diagnoseUnreachable(parseConnectString(connectString), probeTimeoutMs)).label;
}
