// A HiveServer2 discovery namespace as Hive writes it: the default namespaces, and the listing of
// one namespace's registrations (one watched getChildren, then one batched read of their data).

import { HiveZkError, isHiveZkError, preview } from '../errors';
import { decodeInstanceData, describeInstance, parseInstanceName, type Hs2Instance } from './hs2Instance';
import { unlessMissingOutcome } from '../zk/missingZnode';
import { namespacePath } from '../zk/znodePath';
import type { ReadOutcome, WatchListener, ZkSession, ZnodeStat } from '../zk/session';

export { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, DEFAULT_METASTORE_NAMESPACE } from '../config/ensemble';

export interface NamespaceListing {
  namespace: string;
  path: string;
  instances: Hs2Instance[];
  /** Children that are not instances (Curator's "leader" latch of HS2 3.0+). */
  otherChildren: string[];
  /** Registrations listed but not read (past `first`): counted, not described. */
  unread?: number;
}

/** Children of an HS2 namespace that are not registrations (HIVE-25411: the driver does not skip them). */
export const NON_INSTANCE_CHILDREN = new Set(['leader']);

/**
 * Lists a namespace's instances in listing order (by sequence): one getChildren (watched, if asked),
 * then one batched read of their data. With `first`, only the first that many are read (the order
 * comes from the names alone): a tree showing a page of 10k need not read them all.
 */
export async function listInstances(session: ZkSession, namespace: string, watch?: WatchListener, first?: number): Promise<NamespaceListing> {
  const path = namespacePath(namespace);
  let children: string[];
  try {
    ({ children } = await session.getChildren(path, watch));
  } catch (error) {
    if (isHiveZkError(error, 'ZK_NO_NODE')) {
      throw new HiveZkError('NAMESPACE_MISSING', `The namespace ${preview(path)} does not exist on ${preview(session.connectString)}.`, { namespace });
    }
    throw error;
  }
  const otherChildren = children.filter((c) => NON_INSTANCE_CHILDREN.has(c));
  let candidates = children.filter((c) => !NON_INSTANCE_CHILDREN.has(c));
  let unread = 0;
  if (first !== undefined && first < candidates.length) {
    // Sorted by name as the instances would be (their sequence is their name's), and only the first read.
    const named = sortInstances(candidates.map((znode) => ({ znode, ...sequenceOf(znode) })));
    unread = candidates.length - first;
    candidates = named.slice(0, first).map((n) => n.znode);
  }
  // Decoded as each batch arrives, while the next is still on the wire.
  const described = new Array<Hs2Instance | undefined>(candidates.length);
  await session.forEachData(
    // As parent and names: the path is checked once and written into the request from its parts.
    { parents: candidates.map(() => path), names: candidates },
    (read, i) => (described[i] = instanceFromRead(path, candidates[i], read)),
  );
  const instances = sortInstances(described.filter((i): i is Hs2Instance => i !== undefined));
  return { namespace, path, instances, otherChildren, ...(unread > 0 ? { unread } : {}) };
}

/** A registration's sequence as describeInstance takes it from the name. */
function sequenceOf(znode: string): { sequence?: string } {
  const sequence = parseInstanceName(znode)?.sequence;
  return sequence !== undefined ? { sequence } : {};
}

/** Reads and describes one registration; undefined if it has gone, "unreadable" if its ACL denies us. */
export async function readInstance(session: ZkSession, parent: string, child: string): Promise<Hs2Instance | undefined> {
  let read: ReadOutcome<{ data: Buffer; stat: ZnodeStat }>;
  try {
    read = await session.getData(`${parent}/${child}`);
  } catch (error) {
    if (!(error instanceof HiveZkError)) {
      throw error;
    }
    read = error;
  }
  return instanceFromRead(parent, child, read);
}

function instanceFromRead(parent: string, child: string, read: ReadOutcome<{ data: Buffer; stat: ZnodeStat }>): Hs2Instance | undefined {
  const outcome = unlessMissingOutcome(read, (reason) => reason);
  if (outcome === 'gone') {
    return undefined; // deregistered between the listing and the read
  }
  if (outcome === 'unreadable') {
    const instance = describeInstance(parent, child, { format: 'invalid', reason: 'not authorized to read this znode (ACL)' });
    instance.dataFormat = 'unreadable';
    return instance;
  }
  return describeInstance(parent, child, decodeInstanceData(outcome.data), outcome.stat);
}

/** What instances are ordered by: the sequence in their name, else the name. */
type Sortable = Pick<Hs2Instance, 'znode' | 'sequence'>;

/** By sequence (fixed-width digits), so plain code-unit order is right and much cheaper than localeCompare. */
export function compareInstances(a: Sortable, b: Sortable): number {
  const x = a.sequence ?? a.znode;
  const y = b.sequence ?? b.znode;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Instances in compareInstances order, stably. When every sequence is digits of one width (as
 * ZooKeeper writes them), their numbers sort the same way: each is packed with its place into one
 * number and a typed array is sorted natively, with no comparator call per comparison (an expand
 * sorts 10k). Anything else is sorted with compareInstances.
 */
export function sortInstances<T extends Sortable>(instances: T[]): T[] {
  const width = instances[0]?.sequence?.length ?? 0;
  const numbers = width > 0 && width <= 10 && instances.length < 2 ** 20 ? instances.map((i) => (i.sequence?.length === width && /^\d+$/.test(i.sequence) ? Number(i.sequence) : NaN)) : [];
  // Sequence and place in one double: a sequence below 2^33 and a place below 2^20 stay exact.
  if (numbers.length === 0 || !numbers.every((n) => n < 2 ** 33)) {
    return instances.sort(compareInstances);
  }
  const keys = new Float64Array(instances.length);
  for (let i = 0; i < instances.length; i += 1) {
    keys[i] = (numbers[i] ?? 0) * 2 ** 20 + i;
  }
  keys.sort();
  return Array.from(keys, (key) => instances[key % 2 ** 20]);
}
