// Which top-level znodes are what: HiveServer2 (plain or HA), metastore, locks, LLAP or Kyuubi,
// classified from their names and one batched read of their children.

import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, DEFAULT_METASTORE_NAMESPACE, NON_INSTANCE_CHILDREN } from './hs2Registry';
import { unlessMissingOutcome } from './missingZnode';
import type { ZkSession } from './zkSession';

export type NamespaceKind = 'hs2' | 'hs2-ha' | 'metastore' | 'locks' | 'llap' | 'kyuubi' | 'kyuubi-engine' | 'other';

export interface DiscoveredNamespace {
  name: string;
  kind: NamespaceKind;
  childCount: number;
  /** Its ACL does not let this session list it: what it holds is unknown (childCount is 0). */
  unreadable?: boolean;
}

export interface NamespaceHints {
  hs2Namespaces?: readonly string[];
  lockNamespace?: string;
}

/** Kyuubi engine spaces: <serverSpace>_<version>_<SHARE_LEVEL>_<ENGINE_TYPE> (EngineRef.scala). */
export const KYUUBI_ENGINE_SPACE = /^(.+)_(\d[\w.-]*)_(CONNECTION|USER|GROUP|SERVER_LOCAL|SERVER)_(SPARK_SQL|FLINK_SQL|TRINO|HIVE_SQL|JDBC|CHAT)$/;

const METASTORE_CHILD = /^[A-Za-z0-9_.-]+:\d{1,5}\d{10}$/;

/** Classifies every top-level znode by what it holds, with one batched read of their listings. */
export async function discoverNamespaces(session: ZkSession, hints: NamespaceHints = {}): Promise<DiscoveredNamespace[]> {
  const { children } = await session.getChildren('/');
  const names = children.filter((c) => c !== 'zookeeper').sort();
  // undefined: not readable (a namespace whose ACL keeps us out is not an empty one).
  const listings = (await session.getChildrenMany(names.map((name) => `/${name}`))).map((outcome) => unlessMissingOutcome<string[], string[] | undefined>(outcome, (reason) => (reason === 'gone' ? [] : undefined)));
  const hs2Hints = new Set(hints.hs2Namespaces ?? [DEFAULT_HS2_NAMESPACE]);
  const lockNamespace = hints.lockNamespace ?? DEFAULT_LOCK_NAMESPACE;
  return names.map((name, i) => {
    const listing = listings[i];
    const kids = listing ?? [];
    const kind = classify(name, kids, hs2Hints, lockNamespace);
    // For HS2 namespaces the count is of registrations, leaving out Curator's leader latch.
    const childCount = kind === 'hs2' || kind === 'kyuubi' ? kids.filter((k) => !NON_INSTANCE_CHILDREN.has(k)).length : kids.length;
    return listing ? { name, kind, childCount } : { name, kind, childCount, unreadable: true };
  });
}

function classify(name: string, kids: string[], hs2Hints: Set<string>, lockNamespace: string): NamespaceKind {
  if (name === lockNamespace) {
    return 'locks';
  }
  if (kids.some((k) => k.startsWith('serverUri=')) || hs2Hints.has(name)) {
    return 'hs2';
  }
  if (/^llap-(sasl|unsecure)$/.test(name) || (kids.length > 0 && kids.every((k) => k.startsWith('user-')))) {
    return 'llap';
  }
  if (name === 'kyuubi' || kids.some((k) => k.startsWith('serviceUri='))) {
    return 'kyuubi';
  }
  if (KYUUBI_ENGINE_SPACE.test(name)) {
    return 'kyuubi-engine';
  }
  if (/-(sasl|unsecure)$/.test(name) && kids.includes('instances') && (name.startsWith(DEFAULT_HA_NAMESPACE) || !name.startsWith('llap'))) {
    return 'hs2-ha';
  }
  if (name === DEFAULT_METASTORE_NAMESPACE || (kids.length > 0 && kids.every((k) => METASTORE_CHILD.test(k)))) {
    return 'metastore';
  }
  return 'other';
}
