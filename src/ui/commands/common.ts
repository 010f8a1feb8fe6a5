// What the command modules share: their dependencies, typed registration through the error funnel
// (tree-node arguments checked by kind, never cast), the ensemble picker, input boxes and copying.
import * as vscode from 'vscode';
import { parseConnectString } from '../../core/zk/connectString';
import { HiveZkError, toHiveZkError } from '../../core/errors';
import { parseJdbcUrl } from '../../core/jdbc/jdbcUrl';
import type { ShellKind } from '../../core/jdbc/beeline';
import { Cancelled, registerCommand } from '../commandFunnel';
import type { Connections } from '../connections';
import type { DoctorView } from '../doctor';
import type { CommandId } from '../ids';
import type { EnsembleConfig, Settings } from '../settings';
import { isNodeOfKind, isTreeNode, type NodeKind, type NodeOfKind, type TreeNode } from '../tree/nodes';
import type { HiveZkTreeProvider } from '../tree/provider';
import type { SnapshotDocuments } from '../snapshotDocuments';
import type { WizardInputs } from '../wizard';
import type { ZnodeDocumentProvider } from '../znodeDocument';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  connections: Connections;
  tree: HiveZkTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  znodeDocuments: ZnodeDocumentProvider;
  /** Read-only snapshots (a resolution's JSON). */
  snapshots: SnapshotDocuments;
  settings: () => Settings;
  /** The prompts of the Add / Edit / Security wizards (replaceable by the extension's tests). */
  wizardInputs: WizardInputs;
  /** Endpoint checks and doctor reports. */
  doctor: DoctorView;
}

/** Registers a command whose arguments are not tree nodes (text from a test, a config object…). */
export function register(deps: CommandDeps, id: CommandId, handler: (...args: unknown[]) => unknown): void {
  registerCommand(deps.context, deps.log, id, handler);
}

/**
 * Registers a command that runs on a tree node of the given kinds, or on none (from the palette:
 * the handler then asks). Any other argument is refused with a clear error instead of being cast.
 */
export function registerForNodes<K extends NodeKind>(
  deps: CommandDeps,
  id: CommandId,
  kinds: readonly K[] | 'any',
  handler: (node: NodeOfKind<K> | undefined, ...rest: unknown[]) => unknown,
): void {
  register(deps, id, (arg, ...rest) => handler(nodeArgument(id, arg, kinds), ...rest));
}

export function nodeArgument<K extends NodeKind>(id: CommandId, arg: unknown, kinds: readonly K[] | 'any'): NodeOfKind<K> | undefined {
  if (arg === undefined) {
    return undefined;
  }
  if (kinds === 'any' ? isTreeNode(arg) : isNodeOfKind(arg, kinds)) {
    return arg as NodeOfKind<K>;
  }
  const kind = isTreeNode(arg) ? `the ${arg.kind} item` : 'this argument';
  throw new HiveZkError('BAD_ARGUMENT', `${id} does not apply to ${kind}${kinds === 'any' ? '' : `; choose a ${kinds.join(' or ')} item in the Hive ZooKeeper tree`}.`);
}

/** The node's ensemble, or the only one, or the one the user picks. */
export async function pickEnsemble(settings: () => Settings, node: TreeNode | undefined): Promise<EnsembleConfig> {
  const fromNode = settings().ensembles.find((e) => e.name === node?.ensemble);
  if (fromNode) {
    return fromNode;
  }
  const ensembles = settings().ensembles;
  if (ensembles.length === 0) {
    throw new HiveZkError('BAD_ARGUMENT', 'No ZooKeeper ensemble is configured. Run "Hive ZooKeeper: Add ZooKeeper Ensemble…" first.');
  }
  if (ensembles.length === 1 && ensembles[0]) {
    return ensembles[0];
  }
  const picked = await vscode.window.showQuickPick(
    ensembles.map((e) => ({ label: e.name, description: e.connectString, ensemble: e })),
    { placeHolder: 'Choose a ZooKeeper ensemble' },
  );
  if (!picked) {
    throw new Cancelled();
  }
  return picked.ensemble;
}

export async function copy(text: string, what: string): Promise<string> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`$(copy) Copied ${what}`, 3000);
  return text;
}

export async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) {
    throw new Cancelled();
  }
  return value;
}

export function currentShell(): ShellKind {
  const shell = (vscode.env.shell || '').toLowerCase();
  if (/pwsh|powershell/.test(shell)) {
    return 'pwsh';
  }
  if (/(^|[\\/])cmd(\.exe)?$/.test(shell)) {
    return 'cmd';
  }
  return 'posix';
}

export function validateConnectString(value: string): string | undefined {
  try {
    parseConnectString(value);
    return undefined;
  } catch (error) {
    return toHiveZkError(error).message;
  }
}

export function validateUrl(value: string): string | undefined {
  try {
    parseJdbcUrl(value.trim());
    return undefined;
  } catch (error) {
    return toHiveZkError(error).message;
  }
}

export function validateDiscoveryUrl(value: string): string | undefined {
  const problem = validateUrl(value);
  if (problem) {
    return problem;
  }
  return parseJdbcUrl(value.trim()).discovery ? undefined : 'The URL needs serviceDiscoveryMode=zooKeeper (or zooKeeperHA).';
}
