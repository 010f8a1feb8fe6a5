// The tree's nodes: plain data discriminated by `kind`, with stable ids (znode paths) so expansion
// survives a refresh, and the guards commands use to accept only the nodes they apply to.
import type { Hs2Instance } from '../../core/registry/hs2Instance';
import type { KyuubiEngine } from '../../core/registry/kyuubiRegistry';
import type { LlapDaemon } from '../../core/registry/llapRegistry';
import type { MetastoreInstance } from '../../core/registry/metastoreRegistry';
import type { HiveLock, LockObject } from '../../core/locks/locks';
import type { LockIndex } from '../../core/locks/lockIndex';
import type { LockOwnerGroup } from '../../core/health/owners';
import type { ClientGroup, ServerHealth } from '../../core/health/serverHealth';
import type { EnsembleConfig } from '../settings';

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
  section: 'hs2' | 'locks' | 'browse' | 'health';
}
export interface NamespaceNode extends Base {
  kind: 'namespace';
  namespace: string;
  /** The namespace's znode (for HA, the registry chroot such as /hs2ActivePassiveHA-unsecure). */
  path: string;
  /** Kyuubi servers use the HiveServer2 layout; LLAP and Kyuubi engine spaces nest theirs deeper. */
  nsKind: 'hs2' | 'hs2-ha' | 'metastore' | 'llap' | 'kyuubi' | 'kyuubi-engine';
  /** Instances registered (for HA, LLAP and engine spaces, known once listed). */
  childCount?: number;
  /** With a filter set: how many of them match. */
  matchCount?: number;
  missing?: boolean;
  /** Its ACL does not let this session list it (never shown as "0 instances"). */
  unreadable?: boolean;
}
export interface InstanceNode extends Base {
  kind: 'instance';
  namespace: string;
  ha: boolean;
  instance: Hs2Instance;
  /** Set for a Kyuubi server (a HiveServer2-protocol endpoint) or a Kyuubi engine. */
  kyuubi?: 'server' | 'engine';
  /** For a Kyuubi engine: its user, subdomain, share level and engine type. */
  engine?: KyuubiEngine;
}
/** One LLAP daemon (a workers/worker-<seq> ServiceRecord) with the slot that names it. */
export interface LlapDaemonNode extends Base {
  kind: 'llapDaemon';
  daemon: LlapDaemon;
  path: string;
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
  /** With a filter set: how many of its locks (on it and below) match. */
  matchCount?: number;
}
export interface LockNode extends Base {
  kind: 'lock';
  lock: HiveLock;
  /** For a waiting lock: the lock it waits behind. */
  blocker?: HiveLock;
  /** Listed in the Waiting summary, away from its object: the object is named on the row. */
  inSummary?: boolean;
  /** A query the live timeline saw retrying behind `blocker` (Hive deletes its lock between attempts). */
  retrying?: { attempts: number; lastAttemptAt: number; standing: boolean };
}
/** The "Waiting" summary at the top of the Locks section: queries seen retrying, then every waiting lock, longest first. */
export interface WaitingLocksNode extends Base {
  kind: 'waitingLocks';
  /** Its rows in all (those the filter shows). */
  count: number;
  /** The rows, made into nodes a page at a time (90,000 waiting locks at 100k). */
  rows: { retrying: LockNode[]; waiting: readonly HiveLock[]; index: LockIndex };
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

/** Under an ensemble's Health section: its servers, its connections by client, its lock owners. */
export interface HealthGroupNode extends Base {
  kind: 'healthGroup';
  group: 'servers' | 'clients' | 'owners';
  count: number;
  warnings: number;
  /** What the group's figures rest on, for its tooltip. */
  note?: string;
}
export interface ZkServerNode extends Base {
  kind: 'zkServer';
  server: ServerHealth;
}
export interface ZkClientNode extends Base {
  kind: 'zkClient';
  client: ClientGroup;
}
export interface LockOwnerNode extends Base {
  kind: 'lockOwner';
  owner: LockOwnerGroup;
}

export type TreeNode =
  | EnsembleNode
  | SectionNode
  | NamespaceNode
  | InstanceNode
  | MetastoreNode
  | LlapDaemonNode
  | LockGroupNode
  | LockNode
  | WaitingLocksNode
  | ZnodeNode
  | MessageNode
  | LoadMoreNode
  | HealthGroupNode
  | ZkServerNode
  | ZkClientNode
  | LockOwnerNode;
export type NodeKind = TreeNode['kind'];
export type NodeOfKind<K extends NodeKind> = Extract<TreeNode, { kind: K }>;

const KINDS: ReadonlySet<string> = new Set<NodeKind>(['ensemble', 'section', 'namespace', 'instance', 'metastore', 'llapDaemon', 'lockGroup', 'lock', 'waitingLocks', 'znode', 'message', 'loadMore', 'healthGroup', 'zkServer', 'zkClient', 'lockOwner']);

export function isTreeNode(value: unknown): value is TreeNode {
  const candidate = value as Partial<TreeNode> | null | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.kind === 'string' && KINDS.has(candidate.kind) && typeof candidate.id === 'string' && typeof candidate.ensemble === 'string';
}

export function isNodeOfKind<K extends NodeKind>(value: unknown, kinds: readonly K[]): value is NodeOfKind<K> {
  return isTreeNode(value) && (kinds as readonly NodeKind[]).includes(value.kind);
}

// ---- Ids: "<ensemble>|<znode path>" for what lives at a znode, plus markers for the rest.

export function ensembleId(name: string): string {
  return `ensemble|${name}`;
}

export function sectionId(ensemble: string, section: SectionNode['section']): string {
  return `${ensemble}|#${section}`;
}

/** Names of invalid entries may repeat or be missing: the position keeps the id unique. */
export function invalidEnsembleId(index: number, name: string): string {
  return `invalid|${index}|${name}`;
}

export function znodeId(ensemble: string, path: string): string {
  return `${ensemble}|${path}`;
}

/** A Browse-znodes row: the same znode may also show as an instance or a lock elsewhere. */
export function rawZnodeId(ensemble: string, path: string): string {
  return `${ensemble}|${path}|raw`;
}

export function message(parent: TreeNode | undefined, severity: MessageNode['severity'], text: string, detail?: string, retryId?: string): MessageNode {
  const node: MessageNode = { kind: 'message', id: `${parent?.id ?? 'root'}|message`, ensemble: parent?.ensemble ?? '', severity, text };
  if (detail !== undefined) {
    node.detail = detail;
  }
  if (retryId !== undefined) {
    node.retryId = retryId;
  }
  return node;
}
