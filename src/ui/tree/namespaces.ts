// The HiveServer2 section of an ensemble: the namespace scan (cached per ensemble, shared with the
// Health section), the namespaces found or configured (HiveServer2, HA, metastore, LLAP, Kyuubi), and
// each namespace's instances with live counts.
import { discoverNamespaces, type DiscoveredNamespace } from '../../core/registry/namespaceDiscovery';
import { isRegistryKind, listRegistry, registryNamespace } from '../../core/registry/registry';
import { untilAborted, type DisposableLike } from '../../core/lifecycle';
import type { ZkSession } from '../../core/zk/session';
import { treeWork } from '../progress';
import type { EnsembleConfig } from '../settings';
import type { TreeFilter } from './filter';
import { message, znodeId, type MessageNode, type NamespaceNode, type SectionNode, type TreeNode } from './nodes';

/** Kinds whose top-level children are not their instances (HA chroot, LLAP users, engine users): counted once listed. */
const COUNTED_WHEN_LISTED: ReadonlySet<string> = new Set<NamespaceNode['nsKind']>(['hs2-ha', 'kyuubi-engine', 'llap']);

/** How long a failed namespace scan is kept (a redraw within it does not connect again). */
const FAILURE_KEPT_MS = 2000;

/** What the HiveServer2 section borrows from the tree. */
export interface NamespaceSources {
  config(ensemble: string): EnsembleConfig;
  session(ensemble: string): Promise<ZkSession>;
  filter(): TreeFilter;
  /** A watch that refreshes this node, or undefined when live updates are off. */
  watcherFor(id: string, session: ZkSession): (() => void) | undefined;
  page(parent: TreeNode, nodes: TreeNode[]): Promise<TreeNode[]>;
  /** How many of a parent's children are shown (a page, or more after "Load more…"). */
  shown(parent: TreeNode): number;
  /** The shown part of `total` children, already made, plus "Load more…" when more remain. */
  partOf(parent: TreeNode, part: TreeNode[], total: number): TreeNode[];
  /** A node's row changed (its count). */
  changed(node: TreeNode): void;
  /** What the tree knows of an ensemble's health changed. */
  summaryChanged(ensemble: string): void;
  /** A timer released with the tree. */
  timeout(ms: number, run: () => void): DisposableLike;
}

export class NamespaceSection {
  /** Per ensemble: the latest namespace scan, for health at a glance. */
  private readonly lastScans = new Map<string, DiscoveredNamespace[]>();
  private readonly namespaceScans = new Map<string, Promise<DiscoveredNamespace[]>>();
  /** Instance counts seen by the latest listing of each namespace (ensemble → node id → count). */
  private readonly liveCounts = new Map<string, Map<string, number>>();
  /** Per ensemble: instances registered in each HA namespace when it was scanned (node id → count). */
  private readonly haCounts = new Map<string, Map<string, number>>();

  constructor(private readonly sources: NamespaceSources) {}

  forget(ensemble: string): void {
    this.namespaceScans.delete(ensemble);
    this.liveCounts.delete(ensemble);
  }

  forgetAll(): void {
    this.namespaceScans.clear();
    this.liveCounts.clear();
  }

  /**
   * Live HiveServer2 instances (plain and HA) of an ensemble, whatever is expanded: every namespace
   * counted by the scan, or by its latest listing when fresher; undefined until scanned.
   */
  hs2Count(ensemble: string): number | undefined {
    const scan = this.lastScans.get(ensemble);
    const counts = this.liveCounts.get(ensemble);
    const ha = this.haCounts.get(ensemble);
    if (!scan) {
      return undefined;
    }
    return scan
      .filter((ns) => ns.kind === 'hs2' || ns.kind === 'hs2-ha')
      .reduce((sum, ns) => {
        const id = znodeId(ensemble, `/${ns.name}`);
        return sum + (counts?.get(id) ?? (ns.kind === 'hs2' ? ns.childCount : (ha?.get(id) ?? 0)));
      }, 0);
  }

  /** The plain HiveServer2 namespaces the latest scan of an ensemble found (their URL is zooKeeper mode); none before a scan. */
  discoveredHs2(ensemble: string): string[] {
    return (this.lastScans.get(ensemble) ?? []).filter((ns) => ns.kind === 'hs2').map((ns) => ns.name);
  }

  /** An HA namespace's instances sit one level down (<chroot>/instances): one batched listing counts them. */
  private async countHaInstances(name: string, session: ZkSession, found: DiscoveredNamespace[]): Promise<Map<string, number>> {
    const ha = found.filter((ns) => ns.kind === 'hs2-ha');
    const listings = ha.length > 0 ? await session.getChildrenMany(ha.map((ns) => `/${ns.name}/instances`)) : [];
    const counts = new Map<string, number>();
    ha.forEach((ns, i) => {
      const outcome = listings[i];
      counts.set(znodeId(name, `/${ns.name}`), Array.isArray(outcome) ? outcome.length : 0);
    });
    return counts;
  }

  scan(name: string): Promise<DiscoveredNamespace[]> {
    let scan = this.namespaceScans.get(name);
    if (!scan) {
      const config = this.sources.config(name);
      const scanning: Promise<DiscoveredNamespace[]> = treeWork(
        { view: 'Scanning ZooKeeper namespaces…', notification: `Scanning the namespaces of ${name}` },
        (ms, run) => this.sources.timeout(ms, run),
        async (signal) => {
          const session = await this.sources.session(name);
          const found = await discoverNamespaces(session, { hs2Namespaces: config.hs2Namespaces, lockNamespace: config.lockNamespace, signal });
          const haCounts = await untilAborted(this.countHaInstances(name, session, found), signal, 'Scanning the namespaces');
          // A scan forgotten meanwhile (a refresh) is not the latest: its counts and result change nothing.
          if (this.namespaceScans.get(name) === scanning) {
            this.haCounts.set(name, haCounts);
            this.lastScans.set(name, found);
            this.sources.summaryChanged(name);
          }
          return found;
        },
      );
      scan = scanning;
      // A failure stays a moment, so the row's state icon can be redrawn without connecting again.
      scan.catch(() => this.sources.timeout(FAILURE_KEPT_MS, () => this.namespaceScans.get(name) === scan && this.namespaceScans.delete(name)));
      this.namespaceScans.set(name, scan);
    }
    return scan;
  }

  async sectionChildren(node: SectionNode): Promise<TreeNode[]> {
    const config = this.sources.config(node.ensemble);
    const found = await this.scan(node.ensemble);
    const nodes: NamespaceNode[] = [];
    for (const ns of found) {
      // The registries are listed here; the rest are under Locks or Browse znodes.
      if (isRegistryKind(ns.kind)) {
        const nsKind = ns.kind;
        const namespace = registryNamespace(ns);
        const id = znodeId(node.ensemble, `/${ns.name}`);
        const childCount = ns.unreadable ? undefined : (this.liveCounts.get(node.ensemble)?.get(id) ?? (COUNTED_WHEN_LISTED.has(nsKind) ? undefined : ns.childCount));
        nodes.push({ kind: 'namespace', id, ensemble: node.ensemble, namespace, path: `/${ns.name}`, nsKind, ...(childCount !== undefined ? { childCount } : {}), ...(ns.unreadable ? { unreadable: true } : {}) });
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
    if (!this.sources.filter().active) {
      return nodes;
    }
    // Filtered: each namespace is listed to count its matches; those without any are hidden.
    const session = await this.sources.session(node.ensemble);
    const counted = await Promise.all(
      nodes.filter((ns) => !ns.missing && !ns.unreadable).map(async (ns) => {
        const { total, matching } = await this.listNamespace(session, ns);
        return { ...ns, childCount: total, matchCount: matching.length };
      }),
    );
    const visible = counted.filter((ns) => ns.matchCount > 0);
    return visible.length > 0 ? visible : [message(node, 'info', 'No HiveServer2 namespace has a match for the filter')];
  }

  /** A namespace's instances (metastores, daemons, engines) that pass the filter, how many there are in all, and a note on what is amiss. */
  private async listNamespace(session: ZkSession, node: NamespaceNode, watch?: () => void, first?: number): Promise<{ total: number; matching: TreeNode[]; note?: MessageNode }> {
    const filter = this.sources.filter(); // as it was when asked (the caller decided `first` by it)
    // An HA row lists its own registry (its path names -unsecure or -sasl); its namespace is their shared name.
    const listed = node.nsKind === 'hs2-ha' ? node.path : node.namespace;
    const found = await listRegistry(session, listed, { kind: node.nsKind, ...(watch ? { watch } : {}), ...(first !== undefined ? { first } : {}) });
    switch (found.kind) {
      case 'llap': {
        const { listing } = found;
        const matching = listing.daemons.filter((d) => filter.llapDaemon(d));
        const orphans = listing.orphanSlots.map((n) => `slot-${n}`);
        return {
          total: listing.daemons.length,
          matching: matching.map((daemon) => ({ kind: 'llapDaemon', id: znodeId(node.ensemble, daemon.path), ensemble: node.ensemble, daemon, path: daemon.path })),
          // A slot whose daemon is gone holds its place in LLAP's scheduling order until its session ends.
          ...(orphans.length > 0 ? { note: message(node, 'warning', `${orphans.length} slot${orphans.length === 1 ? '' : 's'} without a daemon: ${orphans.join(', ')}`) } : {}),
        };
      }
      case 'kyuubi-engine': {
        const matching = found.engines.filter((e) => filter.instance(e.instance));
        return {
          total: found.engines.length,
          matching: matching.map((engine) => ({ kind: 'instance', id: znodeId(node.ensemble, engine.instance.path), ensemble: node.ensemble, namespace: node.namespace, ha: false, instance: engine.instance, kyuubi: 'engine', engine })),
        };
      }
      case 'metastore': {
        const matching = found.metastores.filter((m) => filter.metastore(m));
        return { total: found.metastores.length, matching: matching.map((instance) => ({ kind: 'metastore', id: znodeId(node.ensemble, `${node.path}/${instance.znode}`), ensemble: node.ensemble, instance, path: `${node.path}/${instance.znode}` })) };
      }
      default: {
        const { listing } = found;
        const matching = listing.instances.filter((i) => filter.instance(i));
        return {
          total: listing.instances.length + (listing.unread ?? 0),
          matching: matching.map((instance) => ({ kind: 'instance', id: znodeId(node.ensemble, instance.path), ensemble: node.ensemble, namespace: node.namespace, ha: found.kind === 'hs2-ha', instance, ...(found.kind === 'kyuubi' ? { kyuubi: 'server' as const } : {}) })),
        };
      }
    }
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
      this.sources.summaryChanged(node.ensemble);
    }
    if (node.childCount !== total || node.matchCount !== matchCount) {
      node.childCount = total;
      if (matchCount === undefined) {
        delete node.matchCount;
      } else {
        node.matchCount = matchCount;
      }
      this.sources.changed(node);
    }
  }

  async namespaceChildren(node: NamespaceNode): Promise<TreeNode[]> {
    const session = await this.sources.session(node.ensemble);
    // Plain, HA and Kyuubi server namespaces are one listing deep, so one watch sees their changes.
    const watch = node.nsKind === 'hs2' || node.nsKind === 'hs2-ha' || node.nsKind === 'kyuubi' ? this.sources.watcherFor(node.id, session) : undefined;
    // Unfiltered, a plain or Kyuubi server namespace reads only the registrations shown: 10k are listed, a page is read.
    const filtered = this.sources.filter().active;
    const first = !filtered && (node.nsKind === 'hs2' || node.nsKind === 'kyuubi') ? this.sources.shown(node) : undefined;
    const { total, matching, note } = await this.listNamespace(session, node, watch, first);
    this.updateCounts(node, total, filtered ? matching.length : undefined);
    // (Unfiltered, a page read may come back empty when its registrations left meanwhile; more may follow.)
    if (matching.length === 0 && !(first !== undefined && total > first)) {
      return [note ?? message(node, 'info', filtered && total > 0 ? 'No instance matches the filter' : 'No live instance registered')];
    }
    const paged = first !== undefined ? this.sources.partOf(node, matching, total) : await this.sources.page(node, matching);
    return note ? [note, ...paged] : paged;
  }
}
