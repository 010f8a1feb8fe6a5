// Which top-level znodes are what: HiveServer2 (plain or HA), metastore, locks, LLAP or Kyuubi,
// classified from their names and one batched read of their children.

import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, DEFAULT_METASTORE_NAMESPACE, NON_INSTANCE_CHILDREN } from './hs2Registry';
import { splitHaName } from './haRegistry';
import { untilAborted } from '../lifecycle';
import { unlessMissingOutcome } from '../zk/missingZnode';
import type { ZkSession } from '../zk/session';

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
  /** Aborting rejects the scan with CANCELLED at once. */
  signal?: AbortSignal;
}

export interface EngineSpace {
  serverSpace: string;
  kyuubiVersion: string;
  shareLevel: string;
  engineType: string;
}

const SHARE_LEVELS = ['CONNECTION', 'USER', 'GROUP', 'SERVER_LOCAL', 'SERVER'];
const ENGINE_TYPES = ['SPARK_SQL', 'FLINK_SQL', 'TRINO', 'HIVE_SQL', 'JDBC', 'CHAT'];
const isVersionChar = (char: string): boolean => /^[\w.-]$/.test(char);
const isLineTerminator = (char: string): boolean => char === '\n' || char === '\r' || char === '\u2028' || char === '\u2029';

/**
 * Kyuubi engine spaces, <serverSpace>_<version>_<SHARE_LEVEL>_<ENGINE_TYPE> (EngineRef.scala): what
 * /^(.+)_(\d[\w.-]*)_(SHARE_LEVEL)_(ENGINE_TYPE)$/ matches, read from the end in one pass (that
 * pattern backtracks quadratically on a znode name such as "1_" repeated).
 */
export function parseEngineSpace(name: string): EngineSpace | undefined {
  const engineType = ENGINE_TYPES.find((type) => name.endsWith(`_${type}`));
  const rest = engineType === undefined ? '' : name.slice(0, name.length - engineType.length - 1);
  const shareLevel = SHARE_LEVELS.find((level) => rest.endsWith(`_${level}`));
  if (engineType === undefined || shareLevel === undefined) {
    return undefined;
  }
  const head = rest.slice(0, rest.length - shareLevel.length - 1);
  // The server space is greedy: the version starts after the last "_<digit>" followed only by [\w.-].
  for (let i = head.length - 2; i >= 1; i -= 1) {
    if (!isVersionChar(head[i + 1] ?? '')) {
      return undefined;
    }
    if (head[i] === '_' && /^\d$/.test(head[i + 1] ?? '')) {
      const serverSpace = head.slice(0, i);
      return [...serverSpace].some(isLineTerminator) ? undefined : { serverSpace, kyuubiVersion: head.slice(i + 1), shareLevel, engineType };
    }
  }
  return undefined;
}

const METASTORE_CHILD = /^[A-Za-z0-9_.-]+:\d{1,5}\d{10}$/;

const SCANNING = 'Scanning the namespaces';

/** Classifies every top-level znode by what it holds, with one batched read of their listings. */
export async function discoverNamespaces(session: ZkSession, hints: NamespaceHints = {}): Promise<DiscoveredNamespace[]> {
  const { children } = await untilAborted(session.getChildren('/'), hints.signal, SCANNING);
  const names = children.filter((c) => c !== 'zookeeper').sort();
  // undefined: not readable (a namespace whose ACL keeps us out is not an empty one).
  const listings = (await untilAborted(session.getChildrenMany(names.map((name) => `/${name}`)), hints.signal, SCANNING)).map((outcome) => unlessMissingOutcome<string[], string[] | undefined>(outcome, (reason) => (reason === 'gone' ? [] : undefined)));
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
  if (splitHaName(name)?.base === 'llap' || (kids.length > 0 && kids.every((k) => k.startsWith('user-')))) {
    return 'llap';
  }
  if (name === 'kyuubi' || kids.some((k) => k.startsWith('serviceUri='))) {
    return 'kyuubi';
  }
  if (parseEngineSpace(name) !== undefined) {
    return 'kyuubi-engine';
  }
  if (splitHaName(name) !== undefined && kids.includes('instances') && (name.startsWith(DEFAULT_HA_NAMESPACE) || !name.startsWith('llap'))) {
    return 'hs2-ha';
  }
  if (name === DEFAULT_METASTORE_NAMESPACE || (kids.length > 0 && kids.every((k) => METASTORE_CHILD.test(k)))) {
    return 'metastore';
  }
  return 'other';
}
