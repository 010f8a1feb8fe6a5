// One way to list a registry namespace, whatever it holds: the lister is chosen here (from the kind
// the namespace scan found, or from the name), and the listing comes back tagged with its kind.

import { isHiveZkError } from '../errors';
import { untilAborted } from '../lifecycle';
import type { WatchListener, ZkSession } from '../zk/session';
import { haBaseName, listHaInstances, splitHaName } from './haRegistry';
import type { Hs2Instance } from './hs2Instance';
import { DEFAULT_METASTORE_NAMESPACE, listInstances, type NamespaceListing } from './hs2Registry';
import { listKyuubiEngines, type KyuubiEngine } from './kyuubiRegistry';
import { listLlapDaemons, type LlapListing } from './llapRegistry';
import { listMetastoreInstances, type MetastoreInstance } from './metastoreRegistry';
import { parseEngineSpace, type DiscoveredNamespace, type NamespaceKind } from './namespaceDiscovery';

/** The namespace kinds that hold registrations. */
export type RegistryKind = Extract<NamespaceKind, 'hs2' | 'hs2-ha' | 'kyuubi' | 'kyuubi-engine' | 'metastore' | 'llap'>;

export type RegistryListing =
  | { kind: 'hs2'; listing: NamespaceListing }
  | { kind: 'hs2-ha'; listing: NamespaceListing }
  | { kind: 'kyuubi'; listing: NamespaceListing }
  | { kind: 'kyuubi-engine'; namespace: string; engines: KyuubiEngine[] }
  | { kind: 'metastore'; namespace: string; metastores: MetastoreInstance[] }
  | { kind: 'llap'; listing: LlapListing };

export interface RegistryOptions {
  /**
   * What the namespace holds (as discoverNamespaces found it). Without it the kind is read from the
   * name (LLAP, Kyuubi engine space, metastore), else as 'hs2-or-ha': a plain HiveServer2 namespace,
   * tried as an HA one when it is missing.
   */
  kind?: RegistryKind | 'hs2-or-ha';
  /** Watches the listing (HiveServer2, HA and Kyuubi server namespaces: one listing deep). */
  watch?: WatchListener;
  /** Aborting rejects with CANCELLED at once. */
  signal?: AbortSignal;
  /** HiveServer2 and Kyuubi server namespaces: read only the first this many registrations in listing order (the rest are counted as `unread`). */
  first?: number;
}

const REGISTRY_KINDS: ReadonlySet<NamespaceKind> = new Set<RegistryKind>(['hs2', 'hs2-ha', 'kyuubi', 'kyuubi-engine', 'metastore', 'llap']);

export function isRegistryKind(kind: NamespaceKind): kind is RegistryKind {
  return REGISTRY_KINDS.has(kind);
}

/** The kinds a namespace's name alone tells (LLAP's default names, a Kyuubi engine space, Hive's metastore namespace). */
export function registryKindOfName(namespace: string): RegistryKind | undefined {
  const name = namespace.replace(/^\/+/, '');
  if (splitHaName(name)?.base === 'llap') {
    return 'llap';
  }
  if (parseEngineSpace(name) !== undefined) {
    return 'kyuubi-engine';
  }
  return name === DEFAULT_METASTORE_NAMESPACE ? 'metastore' : undefined;
}

/** The namespace a discovered one is listed (and shown) as: an HA registry by its namespace, without "-unsecure"/"-sasl". */
export function registryNamespace(found: DiscoveredNamespace): string {
  return found.kind === 'hs2-ha' ? haBaseName(found.name) : found.name;
}

/** The HiveServer2 registrations of a listing (plain or HA); none for the other kinds. */
export function hiveServer2Instances(listing: RegistryListing): Hs2Instance[] {
  return listing.kind === 'hs2' || listing.kind === 'hs2-ha' ? listing.listing.instances : [];
}

/** Lists one registry namespace with the lister for its kind (a kind given is the kind returned). */
export function listRegistry<K extends RegistryKind>(session: ZkSession, namespace: string, options: RegistryOptions & { kind: K }): Promise<Extract<RegistryListing, { kind: K }>>;
export function listRegistry(session: ZkSession, namespace: string, options?: RegistryOptions): Promise<RegistryListing>;
export function listRegistry(session: ZkSession, namespace: string, options: RegistryOptions = {}): Promise<RegistryListing> {
  return untilAborted(listKind(session, namespace, options), options.signal, `Listing ${namespace}`);
}

async function listKind(session: ZkSession, namespace: string, options: RegistryOptions): Promise<RegistryListing> {
  const kind = options.kind ?? registryKindOfName(namespace);
  switch (kind) {
    case 'llap':
      return { kind, listing: await listLlapDaemons(session, namespace) };
    case 'kyuubi-engine':
      return { kind, namespace, engines: await listKyuubiEngines(session, namespace) };
    case 'metastore':
      return { kind, namespace, metastores: await listMetastoreInstances(session, namespace) };
    case 'hs2-ha':
      return { kind, listing: await listHaInstances(session, namespace, options.watch) };
    case 'hs2':
    case 'kyuubi':
      return { kind, listing: await listInstances(session, namespace, options.watch, options.first) };
    case 'hs2-or-ha':
    case undefined:
      return listPlainOrHa(session, namespace, options);
  }
}

/** A namespace named by a user: plain HiveServer2, or (when that is missing) HA; the plain one's error if neither exists. */
async function listPlainOrHa(session: ZkSession, namespace: string, options: RegistryOptions): Promise<RegistryListing> {
  try {
    return { kind: 'hs2', listing: await listInstances(session, namespace, options.watch) };
  } catch (error) {
    if (!isHiveZkError(error, 'NAMESPACE_MISSING')) {
      throw error;
    }
    const listing = await listHaInstances(session, namespace, options.watch).catch(() => Promise.reject(error));
    return { kind: 'hs2-ha', listing };
  }
}

/** Every HiveServer2 registration (plain and HA) in the namespaces a scan found. */
export async function listHiveServer2(session: ZkSession, found: readonly DiscoveredNamespace[], signal?: AbortSignal): Promise<Hs2Instance[]> {
  const registries = found.filter((n) => n.kind === 'hs2' || n.kind === 'hs2-ha');
  // Each by the name found: an HA registry's names itself (-unsecure or -sasl); its namespace would list the first of the two twice.
  const listings = await Promise.all(registries.map((n) => listRegistry(session, n.name, { kind: n.kind as RegistryKind, ...(signal ? { signal } : {}) })));
  return listings.flatMap(hiveServer2Instances);
}
