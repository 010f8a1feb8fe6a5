// The registry doctor: every registration of an ensemble (or of one namespace, or of one discovery
// URL) probed, plus the registry's hygiene, as one report { endpoints, findings, steps }.
// Reads ZooKeeper and probes registered endpoints; writes nothing anywhere.

import { parseJdbcUrlAs, DEFAULT_DRIVER_VERSION, type HiveDriverVersion } from '../jdbc/driverVersions';
import { HiveZkError, isHiveZkError, preview, toHiveZkError } from '../errors';
import { haRegistryNames } from '../registry/haRegistry';
import type { Hs2Instance } from '../registry/hs2Instance';
import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, type NamespaceListing } from '../registry/hs2Registry';
import type { KyuubiEngine } from '../registry/kyuubiRegistry';
import type { HiveLock } from '../locks/locks';
import { walkLocks } from '../locks/lockWalk';
import { unlessMissing, unlessMissingOutcome } from '../zk/missingZnode';
import { discoverNamespaces, type DiscoveredNamespace } from '../registry/namespaceDiscovery';
import { hiveServer2Instances, isRegistryKind, listRegistry } from '../registry/registry';
import { resolveJdbcUrl, type Resolution, type SessionProvider } from '../jdbc/resolver';
import type { EnsembleHealth } from '../health/serverHealth';
import { namespacePath } from '../zk/znodePath';
import { loadTlsMaterial, parseStoreType } from '../zk/auth/tls';
import type { ZkSession } from '../zk/session';
import { planInstance, planKyuubiEngine, planLlapDaemon, planMetastore, probeAll, type DoctorEndpoint, type PlannedEndpoint } from './endpoints';
import {
  connectionFindings,
  endpointFindings,
  explicitLockFindings,
  haLeaderFindings,
  kyuubiEngineFindings,
  llapTokenFindings,
  lockOwnerFindings,
  sortFindings,
  type Finding,
  type SessionView,
} from './hygiene';
import type { ProbeOptions } from './probe';

export interface DoctorStep {
  step: 'parse' | 'connect' | 'namespace' | 'candidates' | 'probe' | 'driver';
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  endpoints: DoctorEndpoint[];
  findings: Finding[];
  /** The URL form only: each step of what the driver does, and how it went. */
  steps?: DoctorStep[];
}

export interface DoctorOptions {
  probe: ProbeOptions;
  /** Who holds which session and connections per client (`cons`, `conf`); undefined skips those checks. */
  health?: () => Promise<EnsembleHealth>;
  lockNamespace?: string;
  now?: () => number;
  /** Only the registrations' endpoints (Check Endpoints): no lock walk, token count or session lookups. */
  endpointsOnly?: boolean;
  /** Aborting stops the scan, the listings, the lock walk and the probes not yet started: CANCELLED. */
  signal?: AbortSignal;
}

/** Exit status of a report: 1 as soon as one finding is an error. */
export function doctorExitCode(report: DoctorReport): 0 | 1 {
  return report.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

const TOKEN_ROOT = 'ZKDTSMRoot/ZKDTSMTokensRoot';
/** Token znodes whose creation time is read, oldest first: bounds the reads on a namespace with a huge pile. */
const MAX_TOKEN_STATS = 5000;

/** Every registration of every discovered namespace (or of `only`), probed, with the registry's hygiene. */
export async function doctorRegistry(session: ZkSession, only: string | undefined, options: DoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? Date.now;
  const lockNamespace = options.lockNamespace ?? DEFAULT_LOCK_NAMESPACE;
  const { signal } = options;
  const discovered = await discoverNamespaces(session, { lockNamespace, ...(signal ? { signal } : {}) });
  const matching = only === undefined ? discovered : discovered.filter((n) => matchesNamespace(n.name, only));
  const wanted = options.endpointsOnly ? matching.filter((n) => n.kind !== 'locks' && n.kind !== 'other') : matching;
  if (only !== undefined && matching.length === 0) {
    throw new HiveZkError('NAMESPACE_MISSING', `The namespace /${preview(only.replace(/^\/+/, ''))} does not exist on ${preview(session.connectString)} (found: ${discovered.map((n) => n.name).slice(0, 20).join(', ') || 'nothing'}).`, { namespace: only });
  }
  const planned: PlannedEndpoint[] = [];
  const findings: Finding[] = [];
  const hs2Instances: Hs2Instance[] = [];
  const engineSpaces: { path: string; engines: KyuubiEngine[] }[] = [];
  let locks: HiveLock[] = [];
  const failed = (namespace: DiscoveredNamespace, error: unknown): void => {
    const failure = toHiveZkError(error);
    findings.push({ severity: 'error', code: 'READ_FAILED', message: `Could not read /${preview(namespace.name)} (${namespace.kind}): ${failure.message}`, znode: `/${namespace.name}` });
  };
  await Promise.all(
    wanted.map(async (namespace) => {
      try {
        if (isRegistryKind(namespace.kind)) {
          const found = await listRegistry(session, namespace.name, { kind: namespace.kind, ...(signal ? { signal } : {}) });
          switch (found.kind) {
            case 'hs2':
            case 'kyuubi':
            case 'hs2-ha':
              hs2Instances.push(...hiveServer2Instances(found));
              planned.push(...found.listing.instances.map((i) => planInstance(namespace.name, found.kind, i)));
              if (found.kind === 'hs2-ha') {
                findings.push(...haLeaderFindings(found.listing.path, found.listing.instances));
              }
              break;
            case 'kyuubi-engine':
              planned.push(...found.engines.map((e) => planKyuubiEngine(namespace.name, e)));
              engineSpaces.push({ path: namespacePath(namespace.name), engines: found.engines });
              break;
            case 'metastore': {
              const path = namespacePath(namespace.name);
              planned.push(...found.metastores.map((m) => planMetastore(namespace.name, path, m)));
              break;
            }
            case 'llap':
              planned.push(...found.listing.daemons.map((d) => planLlapDaemon(namespace.name, d)));
              break;
          }
          return;
        }
        switch (namespace.kind) {
          case 'locks':
            locks = (await walkLocks(session, namespace.name, signal ? { signal } : {})).locks;
            break;
          case 'other':
            if (namespace.name.startsWith('zkdtsm_')) {
              findings.push(...(await tokenFindings(session, namespace.name, now())));
            }
            break;
        }
      } catch (error) {
        if (isHiveZkError(error, 'CANCELLED')) {
          throw error;
        }
        failed(namespace, error);
      }
    }),
  );
  // Plan order: by znode, so reports compare run to run.
  planned.sort((a, b) => (a.znode < b.znode ? -1 : a.znode > b.znode ? 1 : 0));
  const [endpoints, view] = await Promise.all([probeAll(planned, signal ? { ...options.probe, signal } : options.probe), options.endpointsOnly ? undefined : sessionView(options, findings)]);
  findings.push(...endpointFindings(endpoints));
  if (view) {
    for (const space of engineSpaces) {
      findings.push(...kyuubiEngineFindings(space.path, space.engines, view));
    }
    findings.push(...lockOwnerFindings(locks, hs2Instances, view, now()));
    findings.push(...connectionFindings(view.clients));
  }
  findings.push(...explicitLockFindings(locks, now()));
  return { endpoints, findings: sortFindings(findings) };
}

/** "hs2ActivePassiveHA" names its "-unsecure" and "-sasl" registries too. */
function matchesNamespace(name: string, wanted: string): boolean {
  const plain = wanted.replace(/^\/+|\/+$/g, '');
  return name === plain || haRegistryNames(plain).includes(name);
}

async function sessionView(options: DoctorOptions, findings: Finding[]): Promise<(SessionView & { clients: EnsembleHealth['clients'] }) | undefined> {
  if (!options.health) {
    return undefined;
  }
  try {
    const health = await options.health();
    for (const hint of health.hints) {
      findings.push({ severity: 'info', code: 'HEALTH_PARTIAL', message: `Lock owners, Kyuubi sessions and connection counts need the servers' connection lists: ${hint}`, znode: null });
    }
    return { sessions: health.sessions, complete: health.sessionsComplete, clients: health.clients };
  } catch (error) {
    findings.push({ severity: 'info', code: 'HEALTH_PARTIAL', message: `The servers' connection lists could not be read: ${toHiveZkError(error).message}`, znode: null });
    return undefined;
  }
}

async function tokenFindings(session: ZkSession, name: string, now: number): Promise<Finding[]> {
  const path = `/${name}/${TOKEN_ROOT}`;
  const children = await unlessMissing(session.getChildren(path).then((r) => r.children), () => [] as string[]);
  // DT_<sequence>: the lowest sequences are the oldest tokens.
  const tokens = children.filter((c) => c.startsWith('DT_')).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)) || (a < b ? -1 : 1));
  const ctimes: number[] = [];
  await session.forEachData(
    tokens.slice(0, MAX_TOKEN_STATS).map((t) => `${path}/${t}`),
    (outcome) => {
      const read = unlessMissingOutcome(outcome, () => undefined);
      if (read && typeof read === 'object') {
        ctimes.push(read.stat.ctime);
      }
    },
  );
  return llapTokenFindings({ path, count: tokens.length, ctimes }, now);
}

export interface UrlDoctorOptions extends DoctorOptions {
  driver?: HiveDriverVersion;
}

/**
 * One discovery URL end to end, as the driver goes: parse, connect, namespace, candidates; then every
 * registration of the URL's namespace probed with the URL's own settings over the znode's, and what
 * the driver would do with that.
 */
export async function doctorUrl(input: string, sessionFor: SessionProvider, options: UrlDoctorOptions): Promise<DoctorReport> {
  const driver = options.driver ?? DEFAULT_DRIVER_VERSION;
  const steps: DoctorStep[] = [];
  const findings: Finding[] = [];
  const stop = (step: DoctorStep['step'], error: unknown): DoctorReport => {
    const failure = toHiveZkError(error);
    steps.push({ step, ok: false, detail: failure.message });
    findings.push({ severity: 'error', code: failure.code, message: failure.message, znode: null });
    return { endpoints: [], findings: sortFindings(findings), steps };
  };
  let url;
  try {
    url = parseJdbcUrlAs(input, driver);
  } catch (error) {
    return stop('parse', error);
  }
  if (!url.discovery) {
    steps.push({ step: 'parse', ok: true, detail: `a direct URL (no serviceDiscoveryMode): the driver connects to ${url.hosts.map((h) => `${h.host}:${h.port ?? ''}`).join(', ') || 'no host'}` });
    return directUrl(input, url.sessionVars, sessionFor, options, driver, steps);
  }
  // The URL's sslTrustStore is trusted as the driver trusts it, on top of the system's and --ssl-ca's.
  const trustStore = url.sessionVars.sslTrustStore;
  let probe = options.probe;
  if (trustStore) {
    try {
      const storeType = parseStoreType(url.sessionVars.trustStoreType);
      const ca = loadTlsMaterial({ caFile: trustStore, caPasswordEnv: 'trustStorePassword in the URL', ...(url.sessionVars.trustStorePassword !== undefined ? { caPassword: url.sessionVars.trustStorePassword } : {}), ...(storeType ? { caType: storeType } : {}) }).ca ?? [];
      probe = { ...probe, ca: [...(probe.ca ?? []), ...ca] };
    } catch (error) {
      return stop('parse', error);
    }
  }
  options = { ...options, probe };
  const ha = url.discovery === 'zooKeeperHA';
  const namespace = url.sessionVars.zooKeeperNamespace || (ha ? DEFAULT_HA_NAMESPACE : DEFAULT_HS2_NAMESPACE);
  steps.push({ step: 'parse', ok: true, detail: `serviceDiscoveryMode=${url.discovery} on ${url.authority}, namespace ${namespace} (read as the Hive ${driver} driver does)` });
  const session = sessionFor(url.authority);
  try {
    await session.open();
  } catch (error) {
    return stop('connect', error);
  }
  steps.push({ step: 'connect', ok: true, detail: `connected to ${session.connectString}${session.sessionId ? ` (session 0x${session.sessionId})` : ''}` });
  let listing: NamespaceListing;
  try {
    listing = (await listRegistry(session, namespace, { kind: ha ? 'hs2-ha' : 'hs2' })).listing;
  } catch (error) {
    return stop('namespace', error);
  }
  steps.push({ step: 'namespace', ok: listing.instances.length > 0, detail: `${listing.path}: ${listing.instances.length} registration${listing.instances.length === 1 ? '' : 's'}` });
  let resolution: Resolution | undefined;
  try {
    resolution = await resolveJdbcUrl(input, () => session, { driver });
    const usable = resolution.candidates.filter((c) => c.usable).length;
    steps.push({ step: 'candidates', ok: usable > 0, detail: `${usable} of ${resolution.candidates.length} candidates usable by the driver` });
  } catch (error) {
    const failure = toHiveZkError(error);
    steps.push({ step: 'candidates', ok: false, detail: failure.message });
    findings.push({ severity: 'error', code: failure.code, message: failure.message, znode: listing.path });
  }
  // The URL's own transportMode, ssl and httpPath win over the znode's, as the driver applies them.
  const overrides = pick(url.sessionVars, ['transportMode', 'ssl', 'httpPath']);
  const planned = listing.instances.map((i) => planInstance(namespace, ha ? 'hs2-ha' : 'hs2', i, overrides));
  const endpoints = await probeAll(planned, options.probe);
  const answering = endpoints.filter((e) => e.probe.status === 'answering').length;
  steps.push({ step: 'probe', ok: answering === endpoints.length, detail: `${answering} of ${endpoints.length} registered endpoints answer` });
  findings.push(...endpointFindings(endpoints));
  if (ha) {
    findings.push(...haLeaderFindings(listing.path, listing.instances));
  }
  if (resolution?.chosen) {
    steps.push(driverStep(resolution, endpoints, listing.path));
  }
  return { endpoints, findings: sortFindings(findings), steps };
}

async function directUrl(input: string, sessionVars: Readonly<Record<string, string>>, sessionFor: SessionProvider, options: UrlDoctorOptions, driver: HiveDriverVersion, steps: DoctorStep[]): Promise<DoctorReport> {
  const findings: Finding[] = [];
  let resolution: Resolution;
  try {
    resolution = await resolveJdbcUrl(input, sessionFor, { driver });
  } catch (error) {
    const failure = toHiveZkError(error);
    return { endpoints: [], findings: [{ severity: 'error', code: failure.code, message: failure.message, znode: null }], steps: [...steps, { step: 'driver', ok: false, detail: failure.message }] };
  }
  const chosen = resolution.chosen;
  if (!chosen || chosen.host === undefined || chosen.port === undefined) {
    const problem = chosen?.problem ?? 'the URL names no host and port to connect to';
    findings.push({ severity: 'error', code: 'URL_NO_TARGET', message: problem, znode: null });
    return { endpoints: [], findings, steps: [...steps, { step: 'driver', ok: false, detail: problem }] };
  }
  const instance: Hs2Instance = { znode: '', path: '', host: chosen.host, port: chosen.port, settings: {}, dataFormat: 'config', problems: [] };
  const [endpoint] = await probeAll([{ ...planInstance('', 'hs2', instance, pick(sessionVars, ['transportMode', 'ssl', 'httpPath'])), znode: '' }], options.probe);
  const endpoints = endpoint ? [endpoint] : [];
  findings.push(...endpointFindings(endpoints));
  steps.push({ step: 'driver', ok: endpoint?.probe.status === 'answering', detail: `the driver connects to ${chosen.host}:${chosen.port}: ${endpoint?.probe.status ?? 'not probed'}` });
  return { endpoints, findings: sortFindings(findings), steps };
}

/** What the driver does next: the leader for HA, a uniform random pick otherwise, and what that costs. */
function driverStep(resolution: Resolution, endpoints: readonly DoctorEndpoint[], parent: string): DoctorStep {
  const byZnode = new Map(endpoints.map((e) => [e.znode, e]));
  const status = (znode: string): string => byZnode.get(`${parent}/${znode}`)?.probe.status ?? 'not probed';
  const chosen = resolution.chosen;
  if (resolution.mode === 'zooKeeperHA' && chosen) {
    const leader = status(chosen.znode);
    return { step: 'driver', ok: leader === 'answering', detail: `the driver connects to the leader ${chosen.host ?? '?'}:${chosen.port ?? '?'} (${chosen.znode}), which is ${leader}` };
  }
  const usable = resolution.candidates.filter((c) => c.usable);
  const answering = usable.filter((c) => status(c.znode) === 'answering').length;
  const dead = usable.length - answering;
  const detail =
    dead === 0
      ? `the driver picks one of ${usable.length} at random; every one answers`
      : `the driver picks one of ${usable.length} at random; ${dead} do${dead === 1 ? 'es' : ''} not answer, so ${Math.round((dead / usable.length) * 100)} % of connection attempts land on one and cost a connect timeout before the driver tries another (URL retries=, HIVE-13400)`;
  return { step: 'driver', ok: dead === 0, detail };
}

/** CA certificates (PEM) from a PEM, PKCS12 or JKS file, its password from the named environment variable. */
export function loadProbeCa(file: string, password: string | undefined, passwordEnv: string): string[] {
  return loadTlsMaterial({ caFile: file, caPasswordEnv: passwordEnv, ...(password !== undefined ? { caPassword: password } : {}) }).ca ?? [];
}

function pick(record: Readonly<Record<string, string>>, keys: readonly ('transportMode' | 'ssl' | 'httpPath')[]): { transportMode?: string; ssl?: string; httpPath?: string } {
  const result: { transportMode?: string; ssl?: string; httpPath?: string } = {};
  for (const key of keys) {
    const value = record[key];
    if (value !== undefined) {
      result[key] = value;
    }
  }
  return result;
}
