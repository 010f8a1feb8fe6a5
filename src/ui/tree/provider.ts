// The Hive ZooKeeper tree: ensembles → HiveServer2 namespaces → instances, the lock tree, and a
// raw znode browser. getChildren never throws — a failure becomes an error node with a retry.
// What nodes look like is in presentation.ts; watches and retries in liveUpdates.ts.
import * as vscode from 'vscode';
import { parseConnectString } from '../../core/connectString';
import { toHiveZkError, type HiveZkError } from '../../core/errors';
import { diagnoseUnreachable } from '../../core/reachability';
import { discoverNamespaces, listHaInstances, listInstances, listMetastoreInstances, type DiscoveredNamespace } from '../../core/hs2Registry';
import { blockerOf, childLevel, indexLocks, lockGroupAt, waitingLocks, type LockIndex } from '../../core/lockIndex';
import type { HiveLock } from '../../core/locks';
import { walkLocks } from '../../core/lockWalk';
import { childPath } from '../../core/znodePath';
import type { ZkSession } from '../../core/zkSession';
import type { Connections } from '../connections';
import { VIEW_ID } from '../ids';
import type { EnsembleConfig, Settings } from '../settings';
import { EnsembleHealthView } from './health';
import { KnownNodes } from './knownNodes';
import { TreeFilter } from './filter';
import { LiveUpdates } from './liveUpdates';
import {
  ensembleId,
  invalidEnsembleId,
  message,
  rawZnodeId,
  sectionId,
  znodeId,
  type EnsembleNode,
  type LoadMoreNode,
  type LockGroupNode,
  type LockNode,
  type NamespaceNode,
  type SectionNode,
  type TreeNode,
} from './nodes';
import { toTreeItem } from './presentation';

/** How long a failed namespace scan is kept (a redraw within it does not connect again). */
const FAILURE_KEPT_MS = 2000;
/** A state redraw waits this long after a listing, so VS Code has taken in the children first. */
const REDRAW_DELAY_MS = 300;

export class HiveZkTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly summaryEmitter = new vscode.EventEmitter<string>();
  /** Fires with an ensemble's name when what the tree knows of its health changes. */
  readonly onDidChangeSummary = this.summaryEmitter.event;
  /** Per ensemble: the latest namespace scan and lock index, for health at a glance. */
  private readonly lastScans = new Map<string, DiscoveredNamespace[]>();
  private readonly lastWaiting = new Map<string, number>();
  private readonly nodes: KnownNodes;
  private readonly pages = new Map<string, number>();
  private readonly namespaceScans = new Map<string, Promise<DiscoveredNamespace[]>>();
  private readonly lockIndexes = new Map<string, Promise<LockIndex>>();
  private readonly live: LiveUpdates;
  private readonly health = new EnsembleHealthView({
    config: (name) => this.ensemble(name),
    session: (name) => this.session(name),
    namespaces: (name) => this.scanNamespaces(name),
    lockWalk: async (name) => (await this.lockIndex(name)).walk,
  });
  /** Ensemble rows whose children are being listed, and those to redraw once that is done. */
  private readonly listingEnsembles = new Set<string>();
  private readonly redrawAfterListing = new Set<string>();
  private treeFilter = new TreeFilter(undefined);
  /** Instance counts seen by the latest listing of each namespace (ensemble → node id → count). */
  private readonly liveCounts = new Map<string, Map<string, number>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.live = new LiveUpdates(
      (id) => {
        const node = this.nodes.get(id);
        if (node) {
          this.log.debug(`live update: ${id}`);
          this.changeEmitter.fire(node);
        }
      },
      (ensemble) => {
        if (this.settings().ensembles.some((e) => e.name === ensemble)) {
          this.refreshEnsemble(ensemble);
        }
      },
    );
    this.nodes = new KnownNodes((id) => this.live.forget(id));
    this.disposables.push(
      this.live,
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

  get filter(): string | undefined {
    return this.treeFilter.text;
  }

  setFilter(text: string | undefined): void {
    this.treeFilter = new TreeFilter(text);
    this.changeEmitter.fire(undefined);
  }

  /** Refreshes one node (dropping what was cached under it) or the whole tree. */
  refresh(node?: TreeNode): void {
    if (!node) {
      this.namespaceScans.clear();
      this.liveCounts.clear();
      this.lockIndexes.clear();
      this.health.forgetAll();
      this.pages.clear();
      this.changeEmitter.fire(undefined);
      return;
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'hs2')) {
      this.namespaceScans.delete(node.ensemble);
      this.liveCounts.delete(node.ensemble);
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'locks') || node.kind === 'lockGroup') {
      this.lockIndexes.delete(node.ensemble);
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'health')) {
      // Owners come from the lock walk: a fresh look at who holds what walks the locks again.
      this.health.forget(node.ensemble);
      this.lockIndexes.delete(node.ensemble);
    }
    const target = node.kind === 'lockGroup' ? this.nodes.get(sectionId(node.ensemble, 'locks')) : node;
    this.changeEmitter.fire(target ?? undefined);
  }

  refreshEnsemble(name: string): void {
    const node = this.nodes.get(ensembleId(name));
    if (node) {
      this.refresh(node);
    } else {
      this.changeEmitter.fire(undefined);
    }
  }

  refreshById(id: string): void {
    const node = this.nodes.get(id);
    if (node) {
      this.refresh(node);
    }
  }

  loadMore(node: LoadMoreNode): void {
    this.pages.set(node.parentId, node.shown + this.settings().pageSize);
    const parent = this.nodes.get(node.parentId);
    this.changeEmitter.fire(parent);
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
    return toTreeItem(node, this.settings().ensembles.find((e) => e.name === node.ensemble), this.connections.stateOf(node.ensemble));
  }

  /**
   * Only the row's state icon changes: redraw it, keeping what was listed. Never while its children
   * are being listed (VS Code would drop that listing): then once the listing is done.
   */
  private redrawEnsembleRow(ensemble: string): void {
    const id = ensembleId(ensemble);
    if (this.listingEnsembles.has(id)) {
      this.redrawAfterListing.add(id);
      return;
    }
    const node = this.nodes.get(id);
    if (node) {
      this.changeEmitter.fire(node);
    }
  }

  /**
   * What the tree knows of an ensemble's health: live HiveServer2 instances (plain and HA) and
   * waiting locks, each undefined until listed.
   */
  summary(ensemble: string): { hs2?: number; waiting?: number } {
    const scan = this.lastScans.get(ensemble);
    const counts = this.liveCounts.get(ensemble);
    const summary: { hs2?: number; waiting?: number } = {};
    if (scan) {
      summary.hs2 = scan
        .filter((ns) => ns.kind === 'hs2' || ns.kind === 'hs2-ha')
        .reduce((sum, ns) => sum + (counts?.get(znodeId(ensemble, `/${ns.name}`)) ?? (ns.kind === 'hs2' ? ns.childCount : 0)), 0);
    }
    const waiting = this.lastWaiting.get(ensemble);
    if (waiting !== undefined) {
      summary.waiting = waiting;
    }
    return summary;
  }

  /** A short row for why an ensemble failed: DNS, refused, silent, no handshake (TLS?), or auth. */
  private async shortReason(node: EnsembleNode, failure: HiveZkError): Promise<string> {
    if (failure.code === 'ZK_AUTH_FAILED') {
      return 'Authentication failed: check the digest credential';
    }
    if (failure.code !== 'ZK_UNREACHABLE') {
      return failure.message;
    }
    const verdict = await diagnoseUnreachable(parseConnectString(node.config.connectString), Math.min(3000, this.settings().connectTimeoutMs));
    return verdict.label;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    let children: TreeNode[];
    if (node?.kind === 'ensemble') {
      this.listingEnsembles.add(node.id);
    }
    try {
      children = await this.childrenOf(node);
      if (node?.kind === 'ensemble') {
        this.live.clearRetry(node.ensemble);
      }
    } catch (error) {
      const failure = toHiveZkError(error);
      this.log.warn(`[${node?.ensemble ?? '-'}] listing ${node?.id ?? 'root'} failed: ${failure.code}: ${failure.message}`);
      const text = node?.kind === 'ensemble' ? await this.shortReason(node, failure) : failure.message;
      children = [message(node, 'error', text, text === failure.message ? failure.code : `${failure.message} (${failure.code})`, node?.id)];
      if (node?.kind === 'ensemble') {
        this.live.scheduleRetry(node.ensemble);
      }
    }
    this.nodes.listed(node, children);
    if (node?.kind === 'ensemble') {
      this.listingEnsembles.delete(node.id);
      if (this.redrawAfterListing.delete(node.id)) {
        setTimeout(() => this.redrawEnsembleRow(node.ensemble), REDRAW_DELAY_MS);
      }
    }
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
        return this.namespaceChildren(node);
      case 'lockGroup':
        return this.lockGroupChildren(node);
      case 'waitingLocks':
        return node.locks;
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

  private scanNamespaces(name: string): Promise<DiscoveredNamespace[]> {
    let scan = this.namespaceScans.get(name);
    if (!scan) {
      const config = this.ensemble(name);
      scan = this.session(name)
        .then((session) => discoverNamespaces(session, { hs2Namespaces: config.hs2Namespaces, lockNamespace: config.lockNamespace }))
        .then((found) => {
          this.lastScans.set(name, found);
          this.summaryEmitter.fire(name);
          return found;
        });
      // A failure stays a moment, so the row's state icon can be redrawn without connecting again.
      scan.catch(() => setTimeout(() => this.namespaceScans.get(name) === scan && this.namespaceScans.delete(name), FAILURE_KEPT_MS).unref());
      this.namespaceScans.set(name, scan);
    }
    return scan;
  }

  private async ensembleChildren(node: EnsembleNode): Promise<TreeNode[]> {
    // Listing the namespaces first proves the ensemble is reachable; a failure shows here.
    await this.scanNamespaces(node.ensemble);
    return (['hs2', 'locks', 'browse', 'health'] as const).map((section) => ({ kind: 'section', id: sectionId(node.ensemble, section), ensemble: node.ensemble, section }));
  }

  private async sectionChildren(node: SectionNode): Promise<TreeNode[]> {
    if (node.section === 'browse') {
      return this.znodeChildren(node.ensemble, '/', node.id);
    }
    if (node.section === 'locks') {
      return this.lockSectionChildren(node);
    }
    if (node.section === 'health') {
      return this.health.children(node);
    }
    const config = this.ensemble(node.ensemble);
    const found = await this.scanNamespaces(node.ensemble);
    const nodes: NamespaceNode[] = [];
    for (const ns of found) {
      if (ns.kind === 'hs2' || ns.kind === 'hs2-ha' || ns.kind === 'metastore') {
        const namespace = ns.kind === 'hs2-ha' ? ns.name.replace(/-(sasl|unsecure)$/, '') : ns.name;
        const id = znodeId(node.ensemble, `/${ns.name}`);
        // An HA chroot's children are not its instances: its count comes with its first listing.
        const childCount = this.liveCounts.get(node.ensemble)?.get(id) ?? (ns.kind === 'hs2-ha' ? undefined : ns.childCount);
        nodes.push({ kind: 'namespace', id, ensemble: node.ensemble, namespace, path: `/${ns.name}`, nsKind: ns.kind, ...(childCount !== undefined ? { childCount } : {}) });
      }
    }
    for (const configured of config.hs2Namespaces) {
      if (!found.some((ns) => ns.name === configured.replace(/^\/+/, ''))) {
        const path = `/${configured.replace(/^\/+/, '')}`;
        nodes.push({ kind: 'namespace', id: znodeId(node.ensemble, path), ensemble: node.ensemble, namespace: configured, path, nsKind: 'hs2', missing: true });
      }
    }
    if (nodes.length === 0) {
      return [message(node, 'info', 'No HiveServer2 namespace found')];
    }
    if (!this.treeFilter.active) {
      return nodes;
    }
    // Filtered: each namespace is listed to count its matches; those without any are hidden.
    const session = await this.session(node.ensemble);
    const counted = await Promise.all(
      nodes.filter((ns) => !ns.missing).map(async (ns) => {
        const { total, matching } = await this.listNamespace(session, ns);
        return { ...ns, childCount: total, matchCount: matching.length };
      }),
    );
    const visible = counted.filter((ns) => ns.matchCount > 0);
    return visible.length > 0 ? visible : [message(node, 'info', 'No HiveServer2 namespace has a match for the filter')];
  }

  /** A namespace's instances (or metastores) that pass the filter, and how many there are in all. */
  private async listNamespace(session: ZkSession, node: NamespaceNode, watch?: () => void): Promise<{ total: number; matching: TreeNode[] }> {
    if (node.nsKind === 'metastore') {
      const instances = await listMetastoreInstances(session, node.namespace);
      const matching = instances.filter((m) => this.treeFilter.metastore(m));
      return { total: instances.length, matching: matching.map((instance) => ({ kind: 'metastore', id: znodeId(node.ensemble, `${node.path}/${instance.znode}`), ensemble: node.ensemble, instance, path: `${node.path}/${instance.znode}` })) };
    }
    const listing = node.nsKind === 'hs2-ha' ? await listHaInstances(session, node.namespace, watch) : await listInstances(session, node.namespace, watch);
    const matching = listing.instances.filter((i) => this.treeFilter.instance(i));
    return {
      total: listing.instances.length,
      matching: matching.map((instance) => ({ kind: 'instance', id: znodeId(node.ensemble, instance.path), ensemble: node.ensemble, namespace: node.namespace, ha: node.nsKind === 'hs2-ha', instance })),
    };
  }

  /** Keeps a namespace's "n instances" / "n of m" current as listings (and watches) see changes. */
  private updateCounts(node: NamespaceNode, total: number, matchCount: number | undefined): void {
    let counts = this.liveCounts.get(node.ensemble);
    if (!counts) {
      counts = new Map();
      this.liveCounts.set(node.ensemble, counts);
    }
    if (counts.get(node.id) !== total) {
      counts.set(node.id, total);
      this.summaryEmitter.fire(node.ensemble);
    }
    if (node.childCount !== total || node.matchCount !== matchCount) {
      node.childCount = total;
      if (matchCount === undefined) {
        delete node.matchCount;
      } else {
        node.matchCount = matchCount;
      }
      this.changeEmitter.fire(node);
    }
  }

  private async namespaceChildren(node: NamespaceNode): Promise<TreeNode[]> {
    const session = await this.session(node.ensemble);
    const watch = this.settings().liveUpdates && node.nsKind !== 'metastore' ? this.live.watcherFor(node.id, session) : undefined;
    const { total, matching } = await this.listNamespace(session, node, watch);
    this.updateCounts(node, total, this.treeFilter.active ? matching.length : undefined);
    if (matching.length === 0) {
      return [message(node, 'info', total > 0 ? 'No instance matches the filter' : 'No live instance registered')];
    }
    return this.page(node, matching);
  }

  private lockIndex(name: string): Promise<LockIndex> {
    let index = this.lockIndexes.get(name);
    if (!index) {
      const config = this.ensemble(name);
      const walking = Promise.resolve(
        vscode.window.withProgress({ location: { viewId: VIEW_ID }, title: 'Reading Hive locks…' }, async () => {
          const walk = await walkLocks(await this.session(name), config.lockNamespace);
          const index = indexLocks(walk);
          this.lastWaiting.set(name, waitingLocks(index).length);
          this.summaryEmitter.fire(name);
          return index;
        }),
      );
      walking.catch(() => this.lockIndexes.delete(name));
      this.lockIndexes.set(name, walking);
      index = walking;
    }
    return index;
  }

  private async lockSectionChildren(node: SectionNode): Promise<TreeNode[]> {
    const index = await this.lockIndex(node.ensemble);
    const dbs = index.childGroups.get(index.root) ?? [];
    const nodes: TreeNode[] = [];
    // Who blocks whom first: the waiting locks, longest waiting first (ids apart from the same
    // locks further down the tree).
    const waiting = this.lockNodes(node.ensemble, index, waitingLocks(index), '|waiting');
    if (waiting.length > 0) {
      nodes.push({ kind: 'waitingLocks', id: `${node.id}|waiting`, ensemble: node.ensemble, locks: waiting });
    }
    nodes.push(...this.lockGroupNodes(node.ensemble, index, dbs, 'db'));
    const rootLocks = index.locksAt.get(index.root) ?? [];
    nodes.push(...this.lockNodes(node.ensemble, index, rootLocks));
    for (const path of index.walk.unreadable) {
      nodes.push({ kind: 'message', id: `${node.id}|noauth|${path}`, ensemble: node.ensemble, severity: 'warning', text: `Not authorized: ${path}`, detail: 'Add a digest credential for this ensemble to read it.' });
    }
    if (nodes.length === 0) {
      return [message(node, 'info', this.treeFilter.active && index.walk.locks.length > 0 ? 'No lock matches the filter' : `No locks under ${index.root}`)];
    }
    return this.page(node, nodes);
  }

  private async lockGroupChildren(node: LockGroupNode): Promise<TreeNode[]> {
    const index = await this.lockIndex(node.ensemble);
    const groups = this.lockGroupNodes(node.ensemble, index, index.childGroups.get(node.objectPath) ?? [], childLevel(node.level));
    const locks = this.lockNodes(node.ensemble, index, index.locksAt.get(node.objectPath) ?? []);
    return this.page(node, [...locks, ...groups]);
  }

  /** Groups at these object paths; with a filter, only those holding a match, counted "n of m". */
  private lockGroupNodes(ensemble: string, index: LockIndex, objectPaths: readonly string[], level: LockGroupNode['level']): LockGroupNode[] {
    const matching = this.treeFilter.active ? this.treeFilter.lockTotals(index) : undefined;
    const nodes: LockGroupNode[] = [];
    for (const objectPath of objectPaths) {
      const node: LockGroupNode = { kind: 'lockGroup', id: znodeId(ensemble, objectPath), ensemble, ...lockGroupAt(index, objectPath, level) };
      if (matching) {
        node.matchCount = matching.get(objectPath) ?? 0;
        if (node.matchCount === 0) {
          continue;
        }
      }
      nodes.push(node);
    }
    return nodes;
  }

  private lockNodes(ensemble: string, index: LockIndex, locks: HiveLock[], idSuffix = ''): LockNode[] {
    return locks
      .filter((l) => this.treeFilter.lock(l))
      .map((lock) => {
        const node: LockNode = { kind: 'lock', id: znodeId(ensemble, lock.path) + idSuffix, ensemble, lock };
        const blocker = blockerOf(index, lock);
        if (blocker) {
          node.blocker = blocker;
        }
        if (idSuffix !== '') {
          node.inSummary = true;
        }
        return node;
      });
  }

  /**
   * The tree node of a lock, listing the Locks section and the groups down to it so that it can be
   * revealed (its ancestors known); undefined if it is gone or filtered out.
   */
  async lockNode(ensemble: string, lockPath: string): Promise<LockNode | undefined> {
    const ensembleNode = (await this.getChildren()).find((n) => n.id === ensembleId(ensemble));
    let current = ensembleNode && (await this.getChildren(ensembleNode)).find((n) => n.id === sectionId(ensemble, 'locks'));
    while (current) {
      const children = await this.getChildren(current);
      const found = children.find((n): n is LockNode => n.kind === 'lock' && n.lock.path === lockPath);
      if (found) {
        return found;
      }
      current = children.find((n) => n.kind === 'lockGroup' && lockPath.startsWith(`${n.objectPath}/`));
    }
    return undefined;
  }

  private async znodeChildren(ensemble: string, path: string, parentId: string): Promise<TreeNode[]> {
    const session = await this.session(ensemble);
    const { children } = await session.getChildren(path);
    children.sort();
    return this.pageOf(parentId, ensemble, children, async (visible) => {
      // Only the visible page is stat'ed, all at once on the shared session.
      const stats = await Promise.all(visible.map((child) => session.exists(childPath(path, child)).catch(() => undefined)));
      return visible.map((child, i) => ({
        kind: 'znode',
        id: rawZnodeId(ensemble, childPath(path, child)),
        ensemble,
        path: childPath(path, child),
        numChildren: stats[i]?.numChildren ?? 0,
      }));
    });
  }

  private page(parent: TreeNode, nodes: TreeNode[]): Promise<TreeNode[]> {
    return this.pageOf(parent.id, parent.ensemble, nodes, (visible) => [...visible]);
  }

  /** The shown part of a parent's children plus "Load more…"; `build` makes nodes for that part only. */
  private async pageOf<T>(parentId: string, ensemble: string, items: readonly T[], build: (visible: readonly T[]) => TreeNode[] | Promise<TreeNode[]>): Promise<TreeNode[]> {
    const shown = this.pages.get(parentId) ?? this.settings().pageSize;
    const nodes = await build(items.slice(0, shown));
    if (items.length > shown) {
      nodes.push({ kind: 'loadMore', id: `${parentId}|more`, ensemble, parentId, shown, total: items.length });
    }
    return nodes;
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
    this.changeEmitter.dispose();
    this.summaryEmitter.dispose();
  }
}
