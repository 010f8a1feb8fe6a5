// The Hive ZooKeeper tree: ensembles → HiveServer2 namespaces → instances, the lock tree, and a
// raw znode browser. getChildren never throws — a failure becomes an error node with a retry.
// Each section is built in its own module (namespaces, lockSection, browse, health); rows in presentation.ts.
import * as vscode from 'vscode';
import { toHiveZkError } from '../../core/errors';
import { Disposable } from '../../core/lifecycle';
import { escapeInvisible } from '../../core/untrusted';
import type { SessionState, ZkSession } from '../../core/zk/session';
import type { ActivityTimelines } from '../activityTimelines';
import type { Connections } from '../connections';
import type { EnsembleConfig, Settings } from '../settings';
import { znodeChildren } from './browse';
import { EnsembleHealthView } from './health';
import { KnownNodes } from './knownNodes';
import { TreeFilter } from './filter';
import { LiveUpdates } from './liveUpdates';
import { LockSection } from './lockSection';
import { NamespaceSection } from './namespaces';
import { ensembleId, invalidEnsembleId, message, sectionId, type EnsembleNode, type LoadMoreNode, type LockNode, type SectionNode, type TreeNode } from './nodes';
import { Paging } from './paging';
import { ensembleFailureRow, ensembleTooltip, toTreeItem } from './presentation';
import { TreeViewSync } from './viewSync';

export class HiveZkTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly summaryEmitter = this.register(new vscode.EventEmitter<string>());
  /** Fires with an ensemble's name when what the tree knows of its health changes. */
  readonly onDidChangeSummary = this.summaryEmitter.event;
  private readonly nodes: KnownNodes;
  private readonly paging = new Paging(() => this.settings().pageSize);
  private readonly live: LiveUpdates;
  private readonly namespaces = new NamespaceSection({
    config: (name) => this.ensemble(name),
    session: (name) => this.session(name),
    filter: () => this.treeFilter,
    watcherFor: (id, session) => (this.settings().liveUpdates ? this.live.watcherFor(id, session) : undefined),
    page: (parent, nodes) => this.paging.page(parent, nodes),
    shown: (parent) => this.paging.shown(parent.id),
    partOf: (parent, part, total) => this.paging.partOf(parent.id, parent.ensemble, part, total),
    changed: (node) => this.fireChange(node),
    summaryChanged: (name) => this.summaryEmitter.fire(name),
    timeout: (ms, run) => this.timeout(ms, run),
  });
  private readonly locks: LockSection = new LockSection({
    ensemble: (name) => this.ensemble(name),
    session: (name) => this.session(name),
    filter: () => this.treeFilter,
    page: (parent, nodes) => this.paging.page(parent, nodes),
    pageOf: (parent, items, build) => this.paging.pageOf(parent.id, parent.ensemble, items, build),
    getChildren: (node) => this.getChildren(node),
    onWaitingCounted: (name) => this.summaryEmitter.fire(name),
    timeout: (ms, run) => this.timeout(ms, run),
    log: (message) => this.log.info(message),
    // Only a section already drawn is redrawn (undefined would redraw the whole tree).
    changed: (name) => this.nodes.get(sectionId(name, 'locks')) && this.fireChange(this.nodes.get(sectionId(name, 'locks'))),
  });
  /** The session state each ensemble row was drawn with. */
  private readonly shownStates = new Map<string, SessionState>();
  private readonly health = new EnsembleHealthView({
    config: (name) => this.ensemble(name),
    session: (name) => this.session(name),
    namespaces: (name) => this.namespaces.scan(name),
    lockWalk: async (name) => (await this.locks.index(name)).walk,
    timeout: (ms, run) => this.timeout(ms, run),
  });
  private treeFilter = new TreeFilter(undefined);
  /** Marks drawn over rows (the doctor's endpoint checks), keyed by row id. */
  private marks: { decorate(node: TreeNode, item: vscode.TreeItem): void } | undefined;
  /** What VS Code's tree view is given (createTreeView takes this, not the provider). */
  readonly view: TreeViewSync;

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.live = new LiveUpdates(
      (id) => {
        const node = this.nodes.get(id);
        if (node) {
          this.log.debug(`live update: ${id}`);
          this.fireChange(node);
        }
      },
      (ensemble) => {
        if (this.settings().ensembles.some((e) => e.name === ensemble)) {
          this.refreshEnsemble(ensemble);
        }
      },
    );
    this.nodes = new KnownNodes((id) => {
      this.live.forget(id);
      this.view.forget(id);
    });
    this.view = new TreeViewSync({
      getChildren: (node) => this.getChildren(node),
      getTreeItem: (node) => this.getTreeItem(node),
      getParent: (node) => this.getParent(node),
      latest: (id) => this.nodes.get(id),
      parentIdOf: (id) => this.nodes.parentIdOf(id),
    });
    this.register(this.view);
    this.register(this.live);
    this.register(this.locks);
    this.register(
      connections.onDidChangeState(({ ensemble, change }) => {
        // An expired session took its watches with it: refreshing the ensemble makes the next
        // session and re-arms the watches of what is expanded (or shows why it cannot).
        if (change.state === 'expired' || (change.state === 'connected' && change.generation > 1)) {
          this.refreshEnsemble(ensemble);
        } else {
          this.redrawEnsembleRow(ensemble);
        }
      }),
    );
  }

  /**
   * A node's row changed (undefined: the whole tree). Observers hear it at once; VS Code's view
   * when it is safe (see TreeViewSync).
   */
  private fireChange(node: TreeNode | undefined): void {
    this.changeEmitter.fire(node);
    this.view.changed(node?.id);
  }

  /** Locks sections follow these timelines from their next walk on. */
  followTimelines(timelines: ActivityTimelines): void {
    this.register(this.locks.follow(timelines, () => this.settings().liveUpdates));
  }

  /** Lock walks the tree made itself so far (a lock coming or going never starts one while it is followed live). */
  get lockWalks(): number {
    return this.locks.walks;
  }

  get filter(): string | undefined {
    return this.treeFilter.text;
  }

  setFilter(text: string | undefined): void {
    this.treeFilter = new TreeFilter(text);
    this.fireChange(undefined);
  }

  /** Refreshes one node (dropping what was cached under it) or the whole tree. */
  refresh(node?: TreeNode): void {
    if (!node) {
      this.namespaces.forgetAll();
      this.locks.forget();
      this.health.forgetAll();
      this.paging.clear();
      this.fireChange(undefined);
      return;
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'hs2')) {
      this.namespaces.forget(node.ensemble);
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'locks') || node.kind === 'lockGroup') {
      this.locks.forget(node.ensemble);
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'health')) {
      // Owners come from the lock walk: a fresh look at who holds what walks the locks again.
      this.health.forget(node.ensemble);
      this.locks.forget(node.ensemble);
    }
    const target = node.kind === 'lockGroup' ? this.nodes.get(sectionId(node.ensemble, 'locks')) : node;
    this.fireChange(target ?? undefined);
  }

  refreshEnsemble(name: string): void {
    const node = this.nodes.get(ensembleId(name));
    if (node) {
      this.refresh(node);
    } else {
      this.fireChange(undefined);
    }
  }

  refreshById(id: string): void {
    const node = this.nodes.get(id);
    if (node) {
      this.refresh(node);
    }
  }

  loadMore(node: LoadMoreNode): void {
    this.paging.more(node);
    const parent = this.nodes.get(node.parentId);
    this.fireChange(parent);
  }

  nodeById(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.nodes.parentOf(node);
  }

  /** How many nodes the tree remembers (they are forgotten when their parent no longer lists them). */
  get knownNodeCount(): number {
    return this.nodes.size;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'ensemble') {
      this.shownStates.set(node.id, this.connections.stateOf(node.ensemble));
    }
    const state = this.connections.stateOf(node.ensemble);
    const item = toTreeItem(node, this.settings().ensembles.find((e) => e.name === node.ensemble), state, this.connections.failureOf(node.ensemble));
    if (node.kind === 'ensemble' && state === 'connected') {
      // Left for resolveTreeItem (VS Code resolves only what is undefined), which names who the session is.
      item.tooltip = undefined;
    }
    this.marks?.decorate(node, item);
    return item;
  }

  /** Draws these marks over the rows they name, redrawing a row when its mark changes. */
  showMarks(marks: { decorate(node: TreeNode, item: vscode.TreeItem): void; onDidChange: vscode.Event<string[]> }): vscode.Disposable {
    this.marks = marks;
    return marks.onDidChange((ids) => {
      // Past a few hundred rows one redraw of the tree is cheaper than an event per row.
      if (ids.length > 200) {
        this.changeEmitter.fire(undefined);
        return;
      }
      for (const id of new Set(ids)) {
        const node = this.nodes.get(id);
        if (node) {
          this.changeEmitter.fire(node);
        }
      }
    });
  }

  /** On hover, a connected ensemble's tooltip names who the session is (asked of the server once per session). */
  async resolveTreeItem(item: vscode.TreeItem, node: TreeNode): Promise<vscode.TreeItem> {
    const state = this.connections.stateOf(node.ensemble);
    if (node.kind !== 'ensemble' || state !== 'connected') {
      return item;
    }
    const who = await this.session(node.ensemble)
      .then((session) => session.whoAmI())
      .catch((error: unknown) => {
        this.log.debug(`[${node.ensemble}] whoAmI failed: ${toHiveZkError(error).message}`);
        return undefined;
      });
    item.tooltip = escapeInvisible(ensembleTooltip(node, state, undefined, who), true);
    return item;
  }

  /** The ensemble row shows its session state (icon, tooltip, menu): redrawn when that changes. */
  private redrawEnsembleRow(ensemble: string): void {
    const id = ensembleId(ensemble);
    const node = this.nodes.get(id);
    if (node && this.shownStates.get(id) !== this.connections.stateOf(ensemble)) {
      this.fireChange(node);
    }
  }

  /**
   * What the tree knows of an ensemble's health: live HiveServer2 instances (plain and HA) and
   * waiting locks, each undefined until listed.
   */
  summary(ensemble: string): { hs2?: number; waiting?: number } {
    const summary: { hs2?: number; waiting?: number } = {};
    const hs2 = this.namespaces.hs2Count(ensemble);
    if (hs2 !== undefined) {
      summary.hs2 = hs2;
    }
    const waiting = this.locks.waiting(ensemble);
    if (waiting !== undefined) {
      summary.waiting = waiting;
    }
    return summary;
  }

  /** HiveServer2 namespaces found on the ensemble so far (for pickers: no connection is made). */
  discoveredHs2Namespaces(ensemble: string): string[] {
    return this.namespaces.discoveredHs2(ensemble);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    let children: TreeNode[];
    try {
      children = await this.childrenOf(node);
      if (node?.kind === 'ensemble') {
        this.live.clearRetry(node.ensemble);
      }
    } catch (error) {
      const failure = toHiveZkError(error);
      this.log.warn(`[${node?.ensemble ?? '-'}] listing ${node?.id ?? 'root'} failed: ${failure.code}: ${failure.message}`);
      const text = node?.kind === 'ensemble' ? await ensembleFailureRow(node.config.connectString, failure, Math.min(3000, this.settings().connectTimeoutMs)) : failure.message;
      children = [message(node, 'error', text, text === failure.message ? failure.code : `${failure.message} (${failure.code})`, node?.id)];
      // A cancelled scan stays cancelled until asked again (Retry or Refresh), not retried by itself.
      if (node?.kind === 'ensemble' && failure.code !== 'CANCELLED') {
        this.live.scheduleRetry(node.ensemble);
      }
    }
    this.nodes.listed(node, children);
    return children;
  }

  private async childrenOf(node: TreeNode | undefined): Promise<TreeNode[]> {
    if (!node) {
      return this.rootNodes();
    }
    switch (node.kind) {
      case 'ensemble':
        return this.ensembleChildren(node);
      case 'section':
        return this.sectionChildren(node);
      case 'namespace':
        return this.namespaces.namespaceChildren(node);
      case 'lockGroup':
        return this.locks.groupChildren(node);
      case 'waitingLocks':
        // Paged like every list, its rows made a page at a time: 90,000 waiting locks handed over at once held the view for a minute.
        return this.locks.waitingChildren(node);
      case 'znode':
        return this.znodeChildren(node.ensemble, node.path, node.id);
      case 'healthGroup':
      case 'lockOwner':
        return this.health.children(node);
      default:
        return [];
    }
  }

  private rootNodes(): TreeNode[] {
    const settings = this.settings();
    const nodes: TreeNode[] = settings.ensembles.map((config) => ({ kind: 'ensemble', id: ensembleId(config.name), ensemble: config.name, config }));
    for (const [index, invalid] of settings.invalidEnsembles.entries()) {
      nodes.push({ kind: 'message', id: invalidEnsembleId(index, invalid.name), ensemble: invalid.name, severity: 'error', text: `${invalid.name}: ${invalid.reason}`, detail: 'Fix it in the hiveZk.ensembles setting.' });
    }
    return nodes;
  }

  private ensemble(name: string): EnsembleConfig {
    const config = this.settings().ensembles.find((e) => e.name === name);
    if (!config) {
      throw new Error(`The ensemble "${name}" is no longer configured.`);
    }
    return config;
  }

  private async session(name: string): Promise<ZkSession> {
    return this.connections.sessionFor(this.ensemble(name));
  }

  private async ensembleChildren(node: EnsembleNode): Promise<TreeNode[]> {
    // Listing the namespaces first proves the ensemble is reachable; a failure shows here.
    await this.namespaces.scan(node.ensemble);
    return (['hs2', 'locks', 'browse', 'health'] as const).map((section) => ({ kind: 'section', id: sectionId(node.ensemble, section), ensemble: node.ensemble, section }));
  }

  private async sectionChildren(node: SectionNode): Promise<TreeNode[]> {
    if (node.section === 'browse') {
      return this.znodeChildren(node.ensemble, '/', node.id);
    }
    if (node.section === 'locks') {
      return this.locks.sectionChildren(node);
    }
    if (node.section === 'health') {
      return this.health.children(node);
    }
    return this.namespaces.sectionChildren(node);
  }

  /** The tree node of a lock, with its ancestors listed so that it can be revealed. */
  lockNode(ensemble: string, lockPath: string): Promise<LockNode | undefined> {
    return this.locks.lockNode(ensemble, lockPath);
  }

  private async znodeChildren(ensemble: string, path: string, parentId: string): Promise<TreeNode[]> {
    return znodeChildren(await this.session(ensemble), this.paging, ensemble, path, parentId);
  }
}
