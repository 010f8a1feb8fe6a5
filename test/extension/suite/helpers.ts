// Shared by the extension test files: the activated extension, tree walking by label, waiting,
// settings and the clipboard. Each file restores the settings it changes, so files do not depend
// on one another's leftovers.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HiveZkApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/ui/tree/nodes';

export const EXTENSION_ID = 'hive-zk-explorer.hive-zookeeper-explorer';
export const SANDBOX_ZK = process.env.HIVEZK_TEST_ZK ?? '';
export const SANDBOX_PORT = Number(SANDBOX_ZK.split(':')[1]);

let activeApi: HiveZkApi | undefined;

export function extension(): vscode.Extension<HiveZkApi> {
  const found = vscode.extensions.getExtension<HiveZkApi>(EXTENSION_ID);
  assert.ok(found, 'extension is installed in development mode');
  return found;
}

/** Activates the extension (once) and keeps its API for the helpers below. */
export async function activate(): Promise<HiveZkApi> {
  activeApi ??= await extension().activate();
  return activeApi;
}

/** The activated extension's API (a file's first step is an `await kids()` or `activate()`). */
export function api(): HiveZkApi {
  assert.ok(activeApi, 'the extension was activated');
  return activeApi;
}

export async function kids(node?: TreeNode): Promise<TreeNode[]> {
  return (await activate()).tree.getChildren(node);
}

export function label(node: TreeNode): string {
  const item = api().tree.getTreeItem(node);
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

export function description(node: TreeNode): string {
  const item = api().tree.getTreeItem(node);
  return typeof item.description === 'string' ? item.description : '';
}

/** A tooltip's text as shown: code-span fences dropped, markdown's escapes of appended text undone. */
export function tooltipText(node: TreeNode): string {
  const tooltip = api().tree.getTreeItem(node).tooltip;
  const markdown = typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
  return markdown.replace(/(`+)(.*?)\1/g, '$2').replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1');
}

export async function find(parent: TreeNode | undefined, text: string): Promise<TreeNode> {
  const children = await kids(parent);
  const found = children.find((c) => label(c) === text);
  assert.ok(found, `"${text}" under ${parent ? label(parent) : 'root'}; saw ${children.map(label).join(', ')}`);
  return found;
}

export async function path(...labels: string[]): Promise<TreeNode> {
  let node: TreeNode | undefined;
  for (const text of labels) {
    node = await find(node, text);
  }
  return node as TreeNode;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('hiveZk').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Back to the one sandbox ensemble every file starts from. */
export async function onlySandbox(): Promise<void> {
  await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK }]);
}

/**
 * What a test starts from, whatever ran before it (or nothing did, under HIVEZK_TEST_GREP): the
 * extension active, only the sandbox configured, default paging, no filter, nothing cached.
 */
export async function fresh(): Promise<HiveZkApi> {
  const hive = await activate();
  await onlySandbox();
  for (const key of ['tree.pageSize', 'connection.connectTimeoutMs', 'connection.requestTimeoutMs', 'activity.maxEvents', 'beeline.path', 'beeline.user']) {
    await setSetting(key, undefined);
  }
  if (hive.tree.filter !== undefined) {
    await vscode.commands.executeCommand('hiveZk.clearFilter');
  }
  hive.tree.refresh();
  return hive;
}

export async function clipboardAfter(command: string, ...args: unknown[]): Promise<string> {
  await vscode.env.clipboard.writeText('');
  await vscode.commands.executeCommand(command, ...args);
  return vscode.env.clipboard.readText();
}
