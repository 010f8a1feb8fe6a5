// Registry hygiene as findings: HA namespaces without exactly one leader, piled-up LLAP token znodes,
// orphaned or mixed Kyuubi engine nodes, old explicit locks (with their UNLOCK), locks held from hosts
// that run no HiveServer2, and client addresses near maxClientCnxns. Pure: facts in, findings out.

import { isHiveZkError, preview } from '../errors';
import { formatSessionId } from '../health/healthReplies';
import type { Hs2Instance } from '../registry/hs2Instance';
import type { KyuubiEngine } from '../registry/kyuubiRegistry';
import { formatLockObject, unlockStatement, type HiveLock } from '../locks/locks';
import { formatAge, groupLocksByOwner } from '../health/owners';
import type { ClientGroup, SessionHolder } from '../health/serverHealth';
import type { DoctorEndpoint } from './endpoints';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  code: string;
  message: string;
  /** The znode concerned; null for findings about the ensemble as a whole. */
  znode: string | null;
}

/** Explicit (persistent) locks older than this are reported; an explicit lock lives until its UNLOCK. */
export const EXPLICIT_LOCK_AGE_MS = 60 * 60_000;
/** LLAP's default delegation token lifetime (hive.llap.daemon.delegation.token.lifetime, 14 d): older tokens should be gone. */
export const LLAP_TOKEN_LIFETIME_MS = 14 * 86_400_000;
/** More token znodes than this under one secret manager is a pile-up (HIVE-23753). */
export const LLAP_TOKEN_WARN_COUNT = 1000;

/** Every endpoint that does not answer is an error naming its znode. */
export function endpointFindings(endpoints: readonly DoctorEndpoint[]): Finding[] {
  return endpoints
    .filter((e) => e.probe.status !== 'answering')
    .map((e) => ({
      severity: 'error' as const,
      code: `ENDPOINT_${e.probe.status.toUpperCase().replace(/-/g, '_')}`,
      message: `${e.host ?? '?'}:${e.port ?? '?'} (${e.kind}, ${e.transport}${e.ssl ? ', SSL' : ''}) is ${e.probe.status}: ${e.probe.detail}`,
      znode: e.znode,
    }));
}

/** An active/passive namespace needs exactly one leader: none means "No leader found!", two means a split brain. */
export function haLeaderFindings(namespacePath: string, instances: readonly Hs2Instance[]): Finding[] {
  const leaders = instances.filter((i) => i.isLeader === true);
  if (leaders.length === 1) {
    return [];
  }
  if (leaders.length === 0) {
    return [{ severity: 'error', code: 'HA_NO_LEADER', message: `${instances.length} HiveServer2 instance${instances.length === 1 ? '' : 's'} registered and none is active: the driver fails with "No leader found!".`, znode: namespacePath }];
  }
  return leaders.map((l) => ({ severity: 'error' as const, code: 'HA_MANY_LEADERS', message: `${leaders.length} instances claim to be active (${preview(l.host ?? l.znode, 60)} is one): clients may reach either.`, znode: l.path }));
}

export interface TokenStore {
  /** The ZKDTSM tokens znode, e.g. /zkdtsm_llap0/ZKDTSMRoot/ZKDTSMTokensRoot. */
  path: string;
  count: number;
  /** Creation times of the tokens read (the oldest ones, by sequence). */
  ctimes: readonly number[];
}

/** LLAP's delegation tokens (zkdtsm_<cluster>): their number and age; expired tokens left behind pile up. */
export function llapTokenFindings(store: TokenStore, now: number): Finding[] {
  if (store.count === 0) {
    return [];
  }
  const oldest = store.ctimes.reduce<number | undefined>((min, t) => (min === undefined || t < min ? t : min), undefined);
  const stale = store.ctimes.filter((t) => now - t > LLAP_TOKEN_LIFETIME_MS).length;
  const age = oldest !== undefined ? `, the oldest ${formatAge(now - oldest)}` : '';
  const text = `${store.count} LLAP delegation token znode${store.count === 1 ? '' : 's'}${age}`;
  if (store.count >= LLAP_TOKEN_WARN_COUNT || stale > 0) {
    const why = stale > 0 ? `${stale} older than the ${formatAge(LLAP_TOKEN_LIFETIME_MS)} token lifetime, which the secret manager should have removed` : `at least ${LLAP_TOKEN_WARN_COUNT} is a pile-up`;
    return [{ severity: 'warning', code: 'LLAP_TOKENS_PILED_UP', message: `${text}: ${why} (HIVE-23753).`, znode: store.path }];
  }
  return [{ severity: 'info', code: 'LLAP_TOKENS', message: `${text}.`, znode: store.path }];
}

export interface SessionView {
  sessions: ReadonlyMap<string, SessionHolder>;
  /** Every reachable server listed its connections: a session not listed is connected nowhere. */
  complete: boolean;
}

/** Kyuubi engine nodes whose session is gone, persistent ones, and user spaces mixing subdomains. */
export function kyuubiEngineFindings(spacePath: string, engines: readonly KyuubiEngine[], view: SessionView): Finding[] {
  const findings: Finding[] = [];
  for (const engine of engines) {
    const owner = engine.instance.ephemeralOwner;
    if (engine.instance.ephemeral === false) {
      findings.push({ severity: 'warning', code: 'KYUUBI_ENGINE_PERSISTENT', message: `Engine node of ${preview(engine.user, 40)} (${preview(engine.subdomain, 40)}) is persistent: nothing removes it when the engine stops.`, znode: engine.instance.path });
    } else if (owner !== undefined && view.complete && !view.sessions.has(owner)) {
      findings.push({ severity: 'warning', code: 'KYUUBI_ENGINE_ORPHANED', message: `Engine node of ${preview(engine.user, 40)} (${preview(engine.subdomain, 40)}): its session ${formatSessionId(owner)} is connected to no server, so the engine is gone and the node stays until the session expires.`, znode: engine.instance.path });
    }
  }
  // Per user, one subdomain unless engines are per connection: several mean clients with different
  // kyuubi.engine.share.level.subdomain settings get different engines for the same user.
  const byUser = new Map<string, Set<string>>();
  for (const engine of engines) {
    if (engine.shareLevel !== 'CONNECTION') {
      const set = byUser.get(engine.user) ?? new Set<string>();
      set.add(engine.subdomain);
      byUser.set(engine.user, set);
    }
  }
  for (const [user, subdomains] of byUser) {
    if (subdomains.size > 1) {
      const names = [...subdomains].sort().map((s) => preview(s, 40));
      findings.push({ severity: 'warning', code: 'KYUUBI_MIXED_SUBDOMAINS', message: `Engines of ${preview(user, 40)} run in ${subdomains.size} subdomains (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}): clients with different kyuubi.engine.share.level.subdomain get different engines.`, znode: `${spacePath}/${user}` });
    }
  }
  return findings;
}

/** Explicit LOCK TABLE locks are persistent: older than the threshold, each is reported with the statement that releases it. */
export function explicitLockFindings(locks: readonly HiveLock[], now: number, thresholdMs = EXPLICIT_LOCK_AGE_MS): Finding[] {
  const findings: Finding[] = [];
  for (const lock of locks) {
    const taken = lock.data.lockTime ?? lock.ctime;
    if (lock.ephemeral !== false || taken === undefined || now - taken < thresholdMs) {
      continue;
    }
    let release: string;
    try {
      release = `release it with: ${unlockStatement(lock.object)}`;
    } catch (error) {
      release = `no UNLOCK statement can be built safely (${isHiveZkError(error) ? error.message : String(error)})`;
    }
    const who = lock.data.clientIp !== undefined ? ` from ${preview(lock.data.clientIp, 40)}` : '';
    findings.push({
      severity: 'warning',
      code: 'LOCK_EXPLICIT_STALE',
      message: `Explicit ${lock.mode} lock on ${preview(formatLockObject(lock.object), 120)}${who}, taken ${formatAge(now - taken)} ago: it stays until unlocked; ${release}`,
      znode: lock.path,
    });
  }
  return findings;
}

/** Ephemeral locks whose owner is on no HiveServer2 host, or connected nowhere (Health's own grouping). */
export function lockOwnerFindings(locks: readonly HiveLock[], instances: readonly Hs2Instance[], view: SessionView, now: number): Finding[] {
  const ownership = groupLocksByOwner(locks, instances, view.sessions, { sessionsComplete: view.complete, now });
  return ownership.groups
    .filter((g) => g.problem !== undefined)
    .map((g) => ({
      severity: 'warning' as const,
      code: g.owner.clientAddress !== undefined ? 'LOCK_OWNER_NOT_HS2' : 'LOCK_OWNER_GONE',
      message: `${g.summary}: ${g.problem ?? ''}.`,
      znode: g.lockPaths[0] ?? null,
    }));
}

/** Client addresses at the warning threshold of maxClientCnxns on a server (Health's grouping). */
export function connectionFindings(clients: readonly ClientGroup[]): Finding[] {
  return clients
    .filter((c) => c.warn)
    .map((c) => {
      const worst = c.perServer.filter((p) => p.warn).map((p) => `${p.count} on ${p.server}${p.limit !== undefined ? ` (limit ${p.limit === 0 ? 'off' : p.limit})` : ''}`);
      return { severity: 'warning' as const, code: 'ZK_CONNECTIONS_NEAR_LIMIT', message: `${preview(c.address, 60)} holds ${worst.join(', ')}: near maxClientCnxns, after which the server refuses its new connections.`, znode: null };
    });
}

/** Errors first, then warnings, then info; within each, by znode. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity] || ((a.znode ?? '') < (b.znode ?? '') ? -1 : (a.znode ?? '') > (b.znode ?? '') ? 1 : 0));
}
