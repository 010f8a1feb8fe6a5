// Composition root: settings → sessions → tree → commands → status bar. Nothing else lives here,
// and nothing connects at activation: the first expanded ensemble or command does.
import * as vscode from 'vscode';
import { configureKerberos } from './core/zk/auth/kerberosModule';
import { registerCommands } from './ui/commands';
import { ContextKeys, VIEW_ID } from './ui/ids';
import { ActivityTimelines } from './ui/activityTimelines';
import { registerLockActivity, type LockActivityProvider } from './ui/lockActivityView';
import { Connections } from './ui/connections';
import { revealViewForDemo } from './ui/demo';
import { DoctorView } from './ui/doctor';
import { readSettings, SECTION } from './ui/settings';
import { SessionStatusBar } from './ui/statusBar';
import type { TreeNode } from './ui/tree/nodes';
import { extensionKerberosLoading } from './ui/kerberosSources';
import { HiveZkTreeProvider } from './ui/tree/provider';
import { SNAPSHOT_SCHEME, SnapshotDocuments } from './ui/snapshotDocuments';
import { WizardInputs } from './ui/wizard';
import { ZNODE_SCHEME, ZnodeDocumentProvider } from './ui/znodeDocument';

/** What activate() returns: the live objects, for the extension's own tests and for other extensions. */
export interface HiveZkApi {
  tree: HiveZkTreeProvider;
  connections: Connections;
  statusBar: SessionStatusBar;
  view: vscode.TreeView<TreeNode>;
  /** Where the extension's log file lives (for checks that secrets never reach it). */
  logUri: vscode.Uri;
  /** Milliseconds spent evaluating the bundle and running activate() (VS Code's own work excluded). */
  activation: { moduleEvalMs: number; activateMs: number };
  /** The wizards' prompts; `use()` replaces them for a while (the extension's tests drive the wizards). */
  wizardInputs: WizardInputs;
  lockActivity: LockActivityProvider;
  /** Read-only snapshot documents (a resolution's JSON). */
  snapshots: SnapshotDocuments;
}

export function activate(context: vscode.ExtensionContext): HiveZkApi {
  const activateStart = performance.now();
  const evaluation = (globalThis as { __hiveZkEval?: { start: number; end?: number } }).__hiveZkEval;
  const log = vscode.window.createOutputChannel('Hive ZooKeeper', { log: true });
  configureKerberos(extensionKerberosLoading(vscode.env.appRoot, log));
  let settings = readSettings();
  const currentSettings = (): typeof settings => settings;
  const connections = new Connections(context.secrets, log, currentSettings);
  const tree = new HiveZkTreeProvider(connections, currentSettings, log);
  // One live timeline per ensemble, for the Lock Activity view and the tree's Locks section alike.
  const timelines = new ActivityTimelines(connections, currentSettings);
  tree.followTimelines(timelines);
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree.view, showCollapseAll: true });
  const znodeDocuments = new ZnodeDocumentProvider(connections, currentSettings);
  const snapshots = new SnapshotDocuments(SNAPSHOT_SCHEME);
  const statusBar = new SessionStatusBar(connections, currentSettings, tree);
  const doctor = new DoctorView(connections, currentSettings, log);
  const setHasEnsembles = (): Thenable<unknown> => vscode.commands.executeCommand('setContext', ContextKeys.hasEnsembles, settings.ensembles.length > 0 || settings.invalidEnsembles.length > 0);
  void setHasEnsembles();

  context.subscriptions.push(
    log,
    connections,
    timelines,
    tree,
    treeView,
    statusBar,
    znodeDocuments,
    snapshots,
    doctor,
    tree.showMarks(doctor.marks),
    vscode.workspace.registerTextDocumentContentProvider(ZNODE_SCHEME, znodeDocuments),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      const previous = settings;
      settings = readSettings();
      // New connect strings or timeouts take effect with fresh sessions; the others keep theirs.
      connections.applySettings(previous, settings);
      void setHasEnsembles();
      statusBar.update();
      timelines.reset();
      tree.refresh();
      log.info(`settings changed: ${settings.ensembles.length} ensemble(s)`);
    }),
  );
  const wizardInputs = new WizardInputs();
  registerCommands({ context, log, connections, tree, treeView, znodeDocuments, snapshots, settings: currentSettings, wizardInputs, doctor });
  const lockActivity = registerLockActivity({ context, log, timelines, settings: currentSettings, tree, treeView });
  revealViewForDemo(context);
  const activation = { moduleEvalMs: evaluation?.end !== undefined ? evaluation.end - evaluation.start : 0, activateMs: performance.now() - activateStart };
  log.info(`activated in ${activation.activateMs.toFixed(1)} ms (bundle evaluated in ${activation.moduleEvalMs.toFixed(1)} ms); no connection is made until a view or command needs one`);
  return { tree, connections, statusBar, view: treeView, logUri: context.logUri, activation, wizardInputs, lockActivity, snapshots };
}

export function deactivate(): void {
  // Everything is in context.subscriptions and disposed by VS Code.
}
