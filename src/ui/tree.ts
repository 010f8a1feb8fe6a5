// The Hive ZooKeeper tree: ensembles → HiveServer2 namespaces → instances, the lock tree, and a
// raw znode browser. Nodes are plain data with stable ids (znode paths) so expansion survives a
// refresh; getChildren never throws — a failure becomes an error node with a retry.
import * as vscode from 'vscode';
import { toHiveZkError } from '../core/errors';
import {
  discoverNamespaces,
  listHaInstances,
  listInstances,
  listMetastoreInstances,
  type DiscoveredNamespace,
  type Hs2Instance,
  type MetastoreInstance,
} from '../core/hs2Registry';
import { decodeLockObject, formatLockObject, walkLocks, type HiveLock, type LockObject, type LockWalkResult } from '../core/locks';
import type { ZkSession } from '../core/zkSession';
import type { Connections } from './connections';
import type { EnsembleConfig, Settings } from './settings';

interface Base {
  id: string;
  ensemble: string;
}
export interface EnsembleNode extends Base {
  kind: 'ensemble';
  config: EnsembleConfig;
}
export interface SectionNode extends Base {
  kind: 'section';
  section: 'hs2' | 'locks' | 'browse';
}
export interface NamespaceNode extends Base {
  kind: 'namespace';
  namespace: string;
  /** The namespace's znode (for HA, the registry chroot such as /hs2ActivePassiveHA-unsecure). */
  path: string;
  nsKind: 'hs2' | 'hs2-ha' | 'metastore';
  childCount?: number;
  missing?: boolean;
}
export interface InstanceNode extends Base {
  kind: 'instance';
  namespace: string;
  ha: boolean;
  instance: Hs2Instance;
}
export interface MetastoreNode extends Base {
  kind: 'metastore';
  instance: MetastoreInstance;
  path: string;
}
export interface LockGroupNode extends Base {
  kind: 'lockGroup';
  level: 'db' | 'table' | 'partition';
  objectPath: string;
  /** The locked object, decoded once here so commands need not cut paths again. */
  object: LockObject;
  label: string;
  lockCount: number;
  waiting: number;
}
export interface LockNode extends Base {
  kind: 'lock';
  lock: HiveLock;
}
export interface ZnodeNode extends Base {
  kind: 'znode';
  path: string;
  numChildren: number;
}
export interface MessageNode extends Base {
  kind: 'message';
  severity: 'error' | 'warning' | 'info';
  text: string;
  detail?: string;
  /** The node to refresh when the message is clicked. */
  retryId?: string;
}
export interface LoadMoreNode extends Base {
  kind: 'loadMore';
  parentId: string;
  shown: number;
  total: number;
}

export type TreeNode = EnsembleNode | SectionNode | NamespaceNode | InstanceNode | MetastoreNode | LockGroupNode | LockNode | ZnodeNode | MessageNode | LoadMoreNode;

/** Locks of one walk, indexed by object path for the db → table → partition levels. */
interface LockIndex {
  root: string;
  walk: LockWalkResult;
  childGroups: Map<string, string[]>;
  locksAt: Map<string, HiveLock[]>;
  totals: Map<string, { locks: number; waiting: number }>;
}

export class HiveZkTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly parents = new Map<string, string | undefined>();
  private readonly pages = new Map<string, number>();
  private readonly namespaceScans = new Map<string, Promise<DiscoveredNamespace[]>>();
  private readonly lockIndexes = new Map<string, Promise<LockIndex>>();
  /** Namespace node id → the session and client generation its watch is armed on. */
  private readonly armedWatches = new Map<string, { session: ZkSession; generation: number }>();
  /** Parent id → its children's ids as last listed, so nodes that went away are forgotten. */
  private readonly childIds = new Map<string, string[]>();
  private readonly debounceTimers = new Map<string, NodeJS.Timeout>();
  private readonly retryTimers = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();
  private filterText: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      connections.onDidChangeState(({ ensemble, change }) => {
        // An expired session took its watches with it: refreshing the ensemble makes the next
        // session and re-arms the watches of what is expanded (or shows why it cannot). Watches
        // are keyed by session and client generation, so a new client or session re-arms them.
        if (change.state === 'expired') {
          this.refreshEnsemble(ensemble);
        } else if (change.state === 'connected' && change.generation > 1) {
          this.refreshEnsemble(ensemble);
        }
      }),
    );
  }

  get filter(): string | undefined {
    return this.filterText;
  }

  setFilter(text: string | undefined): void {
    this.filterText = text && text.trim() !== '' ? text.trim().toLowerCase() : undefined;
    this.changeEmitter.fire(undefined);
  }

  /** Refreshes one node (dropping what was cached under it) or the whole tree. */
  refresh(node?: TreeNode): void {
    if (!node) {
      this.namespaceScans.clear();
      this.lockIndexes.clear();
      this.pages.clear();
      this.changeEmitter.fire(undefined);
      return;
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'hs2')) {
      this.namespaceScans.delete(node.ensemble);
    }
    if (node.kind === 'ensemble' || (node.kind === 'section' && node.section === 'locks') || node.kind === 'lockGroup') {
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
    const parentId = this.parents.get(node.id);
    return parentId === undefined ? undefined : this.nodes.get(parentId);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return toTreeItem(node, this.settings().ensembles.find((e) => e.name === node.ensemble));
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    let children: TreeNode[];
    try {
      children = await this.childrenOf(node);
      if (node?.kind === 'ensemble') {
        this.clearRetry(node.ensemble);
      }
    } catch (error) {
      const failure = toHiveZkError(error);
      this.log.warn(`[${node?.ensemble ?? '-'}] listing ${node?.id ?? 'root'} failed: ${failure.code}: ${failure.message}`);
      children = [message(node, 'error', failure.message, failure.code, node?.id)];
      if (node?.kind === 'ensemble') {
        this.scheduleRetry(node.ensemble);
      }
    }
    this.forgetChildren(node?.id ?? '', new Set(children.map((c) => c.id)));
    for (const child of children) {
      this.nodes.set(child.id, child);
      this.parents.set(child.id, node?.id);
    }
    this.childIds.set(node?.id ?? '', children.map((c) => c.id));
    return children;
  }

  /** Drops what is remembered of a parent's children that are gone, and of everything below them. */
  private forgetChildren(parentId: string, keep: ReadonlySet<string>): void {
    for (const id of this.childIds.get(parentId) ?? []) {
      if (!keep.has(id)) {
        this.forgetChildren(id, new Set());
        this.childIds.delete(id);
        this.nodes.delete(id);
        this.parents.delete(id);
        this.armedWatches.delete(id);
      }
    }
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
      case 'znode':
        return this.znodeChildren(node.ensemble, node.path, node.id);
      default:
        return [];
    }
  }

  private rootNodes(): TreeNode[] {
    const settings = this.settings();
    const nodes: TreeNode[] = settings.ensembles.map((config) => ({ kind: 'ensemble', id: ensembleId(config.name), ensemble: config.name, config }));
    for (const [index, invalid] of settings.invalidEnsembles.entries()) {
      // Names of invalid entries may repeat or be missing: the position keeps the id unique.
      nodes.push({ kind: 'message', id: `invalid|${index}|${invalid.name}`, ensemble: invalid.name, severity: 'error', text: `${invalid.name}: ${invalid.reason}`, detail: 'Fix it in the hiveZk.ensembles setting.' });
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
      scan = this.session(name).then((session) => discoverNamespaces(session, { hs2Namespaces: config.hs2Namespaces, lockNamespace: config.lockNamespace }));
      scan.catch(() => this.namespaceScans.delete(name));
      this.namespaceScans.set(name, scan);
    }
    return scan;
  }

  private async ensembleChildren(node: EnsembleNode): Promise<TreeNode[]> {
    // Listing the namespaces first proves the ensemble is reachable; a failure shows here.
    await this.scanNamespaces(node.ensemble);
    return (['hs2', 'locks', 'browse'] as const).map((section) => ({ kind: 'section', id: sectionId(node.ensemble, section), ensemble: node.ensemble, section }));
  }

  private async sectionChildren(node: SectionNode): Promise<TreeNode[]> {
    if (node.section === 'browse') {
      return this.znodeChildren(node.ensemble, '/', node.id);
    }
    if (node.section === 'locks') {
      const index = await this.lockIndex(node.ensemble);
      const dbs = index.childGroups.get(index.root) ?? [];
      const nodes: TreeNode[] = dbs.map((path) => this.lockGroupNode(node.ensemble, index, path, 'db'));
      const rootLocks = index.locksAt.get(index.root) ?? [];
      nodes.push(...this.lockNodes(node.ensemble, rootLocks));
      for (const path of index.walk.unreadable) {
        nodes.push({ kind: 'message', id: `${node.id}|noauth|${path}`, ensemble: node.ensemble, severity: 'warning', text: `Not authorized: ${path}`, detail: 'Add a digest credential for this ensemble to read it.' });
      }
      if (nodes.length === 0) {
        return [message(node, 'info', `No locks under ${index.root}`)];
      }
      return this.page(node, nodes);
    }
    const config = this.ensemble(node.ensemble);
    const found = await this.scanNamespaces(node.ensemble);
    const nodes: NamespaceNode[] = [];
    for (const ns of found) {
      if (ns.kind === 'hs2' || ns.kind === 'hs2-ha' || ns.kind === 'metastore') {
        const namespace = ns.kind === 'hs2-ha' ? ns.name.replace(/-(sasl|unsecure)$/, '') : ns.name;
        nodes.push({ kind: 'namespace', id: `${node.ensemble}|/${ns.name}`, ensemble: node.ensemble, namespace, path: `/${ns.name}`, nsKind: ns.kind, childCount: ns.childCount });
      }
    }
    for (const configured of config.hs2Namespaces) {
      if (!found.some((ns) => ns.name === configured.replace(/^\/+/, ''))) {
        const path = `/${configured.replace(/^\/+/, '')}`;
        nodes.push({ kind: 'namespace', id: `${node.ensemble}|${path}`, ensemble: node.ensemble, namespace: configured, path, nsKind: 'hs2', missing: true });
      }
    }
    return nodes.length > 0 ? nodes : [message(node, 'info', 'No HiveServer2 namespace found')];
  }

  private async namespaceChildren(node: NamespaceNode): Promise<TreeNode[]> {
    const session = await this.session(node.ensemble);
    if (node.nsKind === 'metastore') {
      const path = `/${node.namespace}`;
      const instances = await listMetastoreInstances(session, node.namespace);
      return this.page(node, instances.map((instance) => ({ kind: 'metastore', id: `${node.ensemble}|${path}/${instance.znode}`, ensemble: node.ensemble, instance, path: `${path}/${instance.znode}` })));
    }
    const watch = this.watchFor(node, session);
    const listing = node.nsKind === 'hs2-ha' ? await listHaInstances(session, node.namespace, watch) : await listInstances(session, node.namespace, watch);
    const instances = listing.instances.filter((i) => this.matches(i.znode, i.host, i.version, i.transportMode, i.principal));
    const nodes: TreeNode[] = instances.map((instance) => ({
      kind: 'instance',
      id: `${node.ensemble}|${instance.path}`,
      ensemble: node.ensemble,
      namespace: node.namespace,
      ha: node.nsKind === 'hs2-ha',
      instance,
    }));
    if (nodes.length === 0) {
      return [message(node, 'info', listing.instances.length > 0 ? 'No instance matches the filter' : 'No live instance registered')];
    }
    return this.page(node, nodes);
  }

  private watchFor(node: NamespaceNode, session: ZkSession): ((event: unknown) => void) | undefined {
    const armed = this.armedWatches.get(node.id);
    if (!this.settings().liveUpdates || (armed?.session === session && armed.generation === session.generation)) {
      return undefined;
    }
    this.armedWatches.set(node.id, { session, generation: session.generation });
    return () => {
      this.armedWatches.delete(node.id);
      this.debouncedRefresh(node.id);
    };
  }

  private debouncedRefresh(id: string): void {
    clearTimeout(this.debounceTimers.get(id));
    this.debounceTimers.set(
      id,
      setTimeout(() => {
        this.debounceTimers.delete(id);
        const node = this.nodes.get(id);
        if (node) {
          this.log.debug(`live update: ${id}`);
          this.changeEmitter.fire(node);
        }
      }, 250),
    );
  }

  private scheduleRetry(ensemble: string): void {
    const previous = this.retryTimers.get(ensemble);
    clearTimeout(previous?.timer);
    const attempt = (previous?.attempt ?? 0) + 1;
    const delay = Math.min(60_000, 5000 * 2 ** (attempt - 1));
    this.retryTimers.set(ensemble, {
      attempt,
      timer: setTimeout(() => {
        if (this.settings().ensembles.some((e) => e.name === ensemble)) {
          this.refreshEnsemble(ensemble);
        }
      }, delay),
    });
  }

  private clearRetry(ensemble: string): void {
    const entry = this.retryTimers.get(ensemble);
    if (entry) {
      clearTimeout(entry.timer);
      this.retryTimers.delete(ensemble);
    }
  }

  private lockIndex(name: string): Promise<LockIndex> {
    let index = this.lockIndexes.get(name);
    if (!index) {
      const config = this.ensemble(name);
      const walking = Promise.resolve(
        vscode.window.withProgress({ location: { viewId: 'hiveZk.explorer' }, title: 'Reading Hive locks…' }, async () => {
          const walk = await walkLocks(await this.session(name), config.lockNamespace);
          return indexLocks(walk);
        }),
      );
      walking.catch(() => this.lockIndexes.delete(name));
      this.lockIndexes.set(name, walking);
      index = walking;
    }
    return index;
  }

  private async lockGroupChildren(node: LockGroupNode): Promise<TreeNode[]> {
    const index = await this.lockIndex(node.ensemble);
    const level = node.level === 'db' ? 'table' : 'partition';
    const groups = (index.childGroups.get(node.objectPath) ?? []).map((path) => this.lockGroupNode(node.ensemble, index, path, level));
    const locks = this.lockNodes(node.ensemble, index.locksAt.get(node.objectPath) ?? []);
    return this.page(node, [...locks, ...groups]);
  }

  private lockGroupNode(ensemble: string, index: LockIndex, objectPath: string, level: LockGroupNode['level']): LockGroupNode {
    const totals = index.totals.get(objectPath) ?? { locks: 0, waiting: 0 };
    const object = decodeLockObject(objectPath.slice(index.root.length + 1).split('/'));
    const partition = object.partition?.at(-1);
    const label = level === 'db' ? object.database : level === 'table' ? (object.table ?? '') : partition ? `${partition.key}=${partition.value}` : '';
    return { kind: 'lockGroup', id: `${ensemble}|${objectPath}`, ensemble, level, objectPath, object, label, lockCount: totals.locks, waiting: totals.waiting };
  }

  private lockNodes(ensemble: string, locks: HiveLock[]): LockNode[] {
    return locks
      .filter((l) => this.matches(l.znode, l.data.queryId, l.data.queryString, l.data.clientIp, formatLockObject(l.object)))
      .map((lock) => ({ kind: 'lock', id: `${ensemble}|${lock.path}`, ensemble, lock }));
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
        id: `${ensemble}|${childPath(path, child)}|raw`,
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

  private matches(...fields: (string | undefined)[]): boolean {
    const filter = this.filterText;
    return filter === undefined || fields.some((f) => f?.toLowerCase().includes(filter));
  }

  dispose(): void {
    this.debounceTimers.forEach((t) => clearTimeout(t));
    this.retryTimers.forEach((r) => clearTimeout(r.timer));
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
    this.changeEmitter.dispose();
  }
}

function ensembleId(name: string): string {
  return `ensemble|${name}`;
}

function sectionId(ensemble: string, section: SectionNode['section']): string {
  return `${ensemble}|#${section}`;
}

function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

function message(parent: TreeNode | undefined, severity: MessageNode['severity'], text: string, detail?: string, retryId?: string): MessageNode {
  const node: MessageNode = { kind: 'message', id: `${parent?.id ?? 'root'}|message`, ensemble: parent?.ensemble ?? '', severity, text };
  if (detail !== undefined) {
    node.detail = detail;
  }
  if (retryId !== undefined) {
    node.retryId = retryId;
  }
  return node;
}

function indexLocks(walk: LockWalkResult): LockIndex {
  const index: LockIndex = { root: walk.root, walk, childGroups: new Map(), locksAt: new Map(), totals: new Map() };
  const addGroup = (parent: string, child: string): void => {
    const list = index.childGroups.get(parent);
    if (!list) {
      index.childGroups.set(parent, [child]);
    } else if (!list.includes(child)) {
      list.push(child);
    }
  };
  for (const lock of walk.locks) {
    const at = index.locksAt.get(lock.objectPath);
    if (at) {
      at.push(lock);
    } else {
      index.locksAt.set(lock.objectPath, [lock]);
    }
    // Every ancestor from the root down to the object gets this lock in its totals.
    let path = index.root;
    const segments = lock.objectPath.slice(index.root.length + 1).split('/').filter(Boolean);
    for (const segment of segments) {
      const next = `${path}/${segment}`;
      addGroup(path, next);
      const totals = index.totals.get(next) ?? { locks: 0, waiting: 0 };
      totals.locks += 1;
      totals.waiting += lock.status === 'waiting' ? 1 : 0;
      index.totals.set(next, totals);
      path = next;
    }
  }
  for (const list of index.childGroups.values()) {
    list.sort();
  }
  return index;
}

// ---- Presentation

function age(epochMs: number | undefined): string {
  if (epochMs === undefined || !Number.isFinite(epochMs)) {
    return '';
  }
  const seconds = Math.max(0, Math.round((Date.now() - epochMs) / 1000));
  if (seconds < 60) {
    return `${seconds}s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m`;
  }
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.round(hours / 24)}d`;
}

function settingsTable(md: vscode.MarkdownString, rows: [string, string | undefined][]): void {
  for (const [key, value] of rows) {
    if (value !== undefined && value !== '') {
      md.appendMarkdown(`**${key}:** `);
      md.appendText(value);
      md.appendMarkdown('  \n');
    }
  }
}

function toTreeItem(node: TreeNode, config: EnsembleConfig | undefined): vscode.TreeItem {
  const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
  const none = vscode.TreeItemCollapsibleState.None;
  let item: vscode.TreeItem;
  switch (node.kind) {
    case 'ensemble': {
      item = new vscode.TreeItem(node.ensemble, collapsed);
      item.description = node.config.connectString;
      item.iconPath = new vscode.ThemeIcon('server-environment');
      item.contextValue = 'ensemble';
      item.tooltip = `${node.config.connectString}\nlocks: /${node.config.lockNamespace}`;
      break;
    }
    case 'section': {
      const labels = { hs2: 'HiveServer2', locks: 'Locks', browse: 'Browse znodes' };
      const icons = { hs2: 'server-process', locks: 'lock', browse: 'list-tree' };
      item = new vscode.TreeItem(labels[node.section], collapsed);
      item.iconPath = new vscode.ThemeIcon(icons[node.section]);
      item.contextValue = `section:${node.section}`;
      if (node.section === 'locks' && config) {
        item.description = `/${config.lockNamespace}`;
      }
      break;
    }
    case 'namespace': {
      item = new vscode.TreeItem(node.namespace, node.missing ? none : collapsed);
      const kindLabel = node.nsKind === 'hs2-ha' ? 'active/passive HA' : node.nsKind === 'metastore' ? 'metastore' : undefined;
      const count = node.missing ? 'not found' : node.childCount !== undefined && node.nsKind !== 'hs2-ha' ? `${node.childCount} ${node.childCount === 1 ? 'instance' : 'instances'}` : '';
      item.description = [kindLabel, count].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(node.missing ? 'warning' : node.nsKind === 'metastore' ? 'database' : 'folder-library');
      item.contextValue = `namespace:${node.nsKind}`;
      break;
    }
    case 'instance': {
      const i = node.instance;
      item = new vscode.TreeItem(i.host !== undefined && i.port !== undefined ? `${i.host}:${i.port}` : i.znode, none);
      const transport = i.transportMode ?? (i.dataFormat === 'legacy' ? 'legacy' : undefined);
      item.description = [i.isLeader ? 'active' : i.isLeader === false ? 'passive' : undefined, i.version ? `v${i.version}` : undefined, transport, i.ssl ? 'SSL' : undefined, age(i.ctime)].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(i.problems.length > 0 ? 'warning' : i.isLeader ? 'star-full' : 'vm-running');
      item.contextValue = node.ha ? 'instance:ha' : 'instance';
      const md = new vscode.MarkdownString();
      md.appendMarkdown('**HiveServer2 instance**  \n');
      settingsTable(md, [
        ['Host', i.host],
        ['Port', i.port?.toString()],
        ['Version', i.version],
        ['Transport', i.transportMode],
        ['HTTP path', i.httpPath],
        ['SSL', i.ssl === undefined ? undefined : String(i.ssl)],
        ['Authentication', i.authentication],
        ['Principal', i.principal],
        ['SASL QOP', i.saslQop],
        ['Sequence', i.sequence],
        ['Registered', i.ctime ? new Date(i.ctime).toISOString() : undefined],
        ['Data format', i.dataFormat],
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
    case 'metastore': {
      item = new vscode.TreeItem(`${node.instance.host}:${node.instance.port}`, none);
      item.description = node.instance.uri;
      item.iconPath = new vscode.ThemeIcon('database');
      item.contextValue = 'metastore';
      break;
    }
    case 'lockGroup': {
      item = new vscode.TreeItem(node.label, collapsed);
      item.description = `${node.lockCount} lock${node.lockCount === 1 ? '' : 's'}${node.waiting > 0 ? ` · ${node.waiting} waiting` : ''}`;
      item.iconPath = new vscode.ThemeIcon(node.level === 'db' ? 'database' : node.level === 'table' ? 'table' : 'symbol-folder', node.waiting > 0 ? new vscode.ThemeColor('list.warningForeground') : undefined);
      item.contextValue = `lockGroup:${node.level}`;
      item.tooltip = node.objectPath;
      break;
    }
    case 'lock': {
      const lock = node.lock;
      item = new vscode.TreeItem(lock.data.queryId ?? lock.znode, none);
      item.description = [lock.mode === 'SEMI_SHARED' ? 'semi-shared' : lock.mode.toLowerCase(), lock.status === 'granted' ? undefined : lock.status, age(lock.data.lockTime ?? lock.ctime), lock.data.clientIp, lock.ephemeral === false ? 'explicit' : undefined]
        .filter(Boolean)
        .join(' · ');
      const icon = lock.mode === 'EXCLUSIVE' ? 'lock' : lock.mode === 'SHARED' ? 'unlock' : 'shield';
      item.iconPath = lock.status === 'waiting' ? new vscode.ThemeIcon('watch', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon(icon);
      item.contextValue = 'lock';
      const md = new vscode.MarkdownString();
      md.appendMarkdown(`**${lock.mode} lock** on `);
      md.appendText(formatLockObject(lock.object));
      md.appendMarkdown('  \n');
      settingsTable(md, [
        ['Status', lock.status + (lock.blockedBy ? ` (behind ${lock.blockedBy})` : '')],
        ['Query id', lock.data.queryId],
        ['Locked at', lock.data.lockTime ? new Date(lock.data.lockTime).toISOString() : undefined],
        ['Lock mode', lock.data.lockMode],
        ['Client', lock.data.clientIp],
        ['Znode', lock.path],
      ]);
      if (lock.data.queryString) {
        md.appendCodeblock(lock.data.queryString, 'sql');
      }
      if (lock.data.problems.length > 0) {
        md.appendText(lock.data.problems.join('\n'));
      }
      item.tooltip = md;
      break;
    }
    case 'znode': {
      const name = node.path.slice(node.path.lastIndexOf('/') + 1);
      item = new vscode.TreeItem(name, node.numChildren > 0 ? collapsed : none);
      item.description = node.numChildren > 0 ? `${node.numChildren}` : undefined;
      item.iconPath = new vscode.ThemeIcon(node.numChildren > 0 ? 'folder' : 'file');
      item.contextValue = 'znode';
      item.tooltip = node.path;
      item.command = { command: 'hiveZk.openZnode', title: 'Open Znode Data', arguments: [node] };
      break;
    }
    case 'message': {
      item = new vscode.TreeItem(node.text, none);
      item.iconPath = new vscode.ThemeIcon(node.severity === 'error' ? 'error' : node.severity === 'warning' ? 'warning' : 'info');
      item.contextValue = `message:${node.severity}`;
      if (node.retryId !== undefined) {
        item.description = 'click to retry';
        item.command = { command: 'hiveZk.refreshNode', title: 'Retry', arguments: [node] };
      }
      item.tooltip = node.detail ? `${node.text}\n${node.detail}` : node.text;
      break;
    }
    case 'loadMore': {
      item = new vscode.TreeItem(`Load more… (${node.shown} of ${node.total})`, none);
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.contextValue = 'loadMore';
      item.command = { command: 'hiveZk.loadMore', title: 'Load More', arguments: [node] };
      break;
    }
  }
  item.id = node.id;
  return item;
}
