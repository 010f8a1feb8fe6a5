// How the Health section's nodes look: servers, clients and lock owners, with the detail in tooltips.
// Server replies are untrusted: they reach markdown only as escaped text.
import * as vscode from 'vscode';
import { summarize } from '../../core/health/owners';
import { formatSessionId, HEALTH_WORDS } from '../../core/health/healthReplies';
import type { ServerHealth } from '../../core/health/serverHealth';
import { age } from './rowParts';
import type { HealthGroupNode, LockOwnerNode, ZkClientNode, ZkServerNode } from './nodes';

/** A latency as people read it: "4.2", not the "4.2298" a server's average carries. */
function milliseconds(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

const warningColor = new vscode.ThemeColor('list.warningForeground');

function rows(md: vscode.MarkdownString, entries: [string, string | undefined][]): void {
  for (const [key, value] of entries) {
    if (value !== undefined && value !== '') {
      md.appendMarkdown(`**${key}:** `);
      md.appendText(value);
      md.appendMarkdown('  \n');
    }
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "12 of 60" against the per-host limit, "12 (no limit)" when maxClientCnxns is 0. */
function ofLimit(count: number | undefined, limit: number | undefined): string | undefined {
  if (count === undefined) {
    return undefined;
  }
  return limit === undefined ? `${count}` : limit === 0 ? `${count} (no per-host limit)` : `${count} (limit ${limit} per client address)`;
}

export function healthTreeItem(node: HealthGroupNode | ZkServerNode | ZkClientNode | LockOwnerNode): vscode.TreeItem {
  switch (node.kind) {
    case 'healthGroup':
      return groupItem(node);
    case 'zkServer':
      return serverItem(node.server);
    case 'zkClient':
      return clientItem(node);
    case 'lockOwner':
      return ownerItem(node);
  }
}

function groupItem(node: HealthGroupNode): vscode.TreeItem {
  const labels = { servers: 'Servers', clients: 'Connections by client', owners: 'Lock owners' };
  const icons = { servers: 'server', clients: 'plug', owners: 'key' };
  const item = new vscode.TreeItem(labels[node.group], vscode.TreeItemCollapsibleState.Collapsed);
  const counted = { servers: plural(node.count, 'server'), clients: plural(node.count, 'address'), owners: plural(node.count, 'session') }[node.group];
  item.description = node.warnings > 0 ? `${counted} · ${plural(node.warnings, 'warning')}` : counted;
  item.iconPath = new vscode.ThemeIcon(node.warnings > 0 ? 'warning' : icons[node.group], node.warnings > 0 ? warningColor : undefined);
  item.contextValue = `health:${node.group}`;
  if (node.note !== undefined) {
    item.tooltip = node.note;
  }
  return item;
}

function serverItem(server: ServerHealth): vscode.TreeItem {
  const item = new vscode.TreeItem(server.server, vscode.TreeItemCollapsibleState.None);
  const connections = server.connectionCount !== undefined ? `${server.connectionCount}${server.maxClientCnxns ? `/${server.maxClientCnxns}` : ''} conn` : undefined;
  item.description = server.reachable
    ? [server.mode, server.version?.text, connections, server.latency ? `avg ${milliseconds(server.latency.avg)} ms` : undefined].filter(Boolean).join(' · ')
    : 'unreachable';
  const troubled = !server.reachable || server.mode === 'not serving' || server.missing.length > 0;
  item.iconPath = new vscode.ThemeIcon(!server.reachable ? 'error' : troubled ? 'warning' : server.mode === 'leader' ? 'star-full' : 'vm-running', troubled ? warningColor : undefined);
  item.contextValue = 'health:server';
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**ZooKeeper server** ');
  md.appendText(server.server);
  md.appendMarkdown('  \n');
  rows(md, [
    ['Mode', server.mode],
    ['Version', server.version ? `${server.version.text} (batched reads ${server.version.batchedReads ? 'available' : 'not available: before 3.6'})` : server.versionText],
    ['Latency min/avg/max', server.latency ? `${server.latency.min}/${milliseconds(server.latency.avg)}/${server.latency.max} ms` : undefined],
    ['Outstanding requests', server.outstanding?.toString()],
    ['Znodes', server.znodeCount?.toString()],
    ['Watches', server.watchCount?.toString()],
    ['Ephemeral znodes', server.ephemeralsCount?.toString()],
    ['Client connections', ofLimit(server.connectionCount, server.maxClientCnxns)],
  ]);
  const sources = HEALTH_WORDS.filter((w) => server.sources[w] !== undefined).map((w) => `${w} (${server.sources[w] === 'adminServer' ? 'AdminServer' : 'four-letter word'})`);
  rows(md, [
    ['Answered', sources.join(', ')],
    ['Not available', server.missing.join(', ')],
  ]);
  if (server.problems.length > 0) {
    md.appendMarkdown('\n**Problems**  \n');
    md.appendText(server.problems.join('\n'));
  }
  item.tooltip = md;
  return item;
}

function clientItem(node: ZkClientNode): vscode.TreeItem {
  const client = node.client;
  const item = new vscode.TreeItem(client.address, vscode.TreeItemCollapsibleState.None);
  item.description = [plural(client.total, 'connection'), plural(client.sessions.length, 'session'), client.warn ? 'near the per-host limit' : undefined].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(client.warn ? 'warning' : 'device-desktop', client.warn ? warningColor : undefined);
  item.contextValue = 'health:client';
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**Client** ');
  md.appendText(client.address);
  md.appendMarkdown('  \n');
  rows(
    md,
    client.perServer.map((p) => [p.server, `${p.count}${p.limit ? ` of ${p.limit}` : ''}${p.warn ? ' ⚠' : ''}`]),
  );
  if (client.sessions.length > 0) {
    md.appendMarkdown('\n**Sessions**  \n');
    const shown = client.sessions.slice(0, 20).map(formatSessionId);
    md.appendText(shown.join(', ') + (client.sessions.length > shown.length ? ` … and ${client.sessions.length - shown.length} more` : ''));
  }
  item.tooltip = md;
  return item;
}

function ownerItem(node: LockOwnerNode): vscode.TreeItem {
  const group = node.owner;
  const item = new vscode.TreeItem(group.owner.clientAddress ?? 'client not listed', vscode.TreeItemCollapsibleState.Collapsed);
  // The row and its tooltip age the locks as of one moment, with the formatter every lock row uses.
  const now = Date.now();
  item.description = [formatSessionId(group.owner.sessionId), plural(group.count, 'lock'), group.oldest !== undefined ? `oldest ${age(group.oldest, now)}` : undefined].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(group.problem !== undefined ? 'warning' : 'key', group.problem !== undefined ? warningColor : undefined);
  item.contextValue = 'health:owner';
  const md = new vscode.MarkdownString();
  md.appendText(summarize(group, now));
  md.appendMarkdown('  \n');
  rows(md, [
    ['Connected to', group.owner.server],
    ['On a HiveServer2 host', group.onHiveServer2Host === undefined ? 'unknown' : group.onHiveServer2Host ? 'yes' : 'no'],
  ]);
  if (group.problem !== undefined) {
    md.appendMarkdown('\n**Problem:** ');
    md.appendText(group.problem);
  }
  item.tooltip = md;
  return item;
}
