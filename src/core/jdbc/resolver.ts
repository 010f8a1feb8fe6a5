// Resolves a discovery JDBC URL to concrete HiveServer2 URLs exactly as Hive's JDBC driver does
// (ZooKeeperHiveClientHelper.configureConnParams / applyConfs), and explains every step:
// all candidates, the driver's random pick, which settings came from the znode, and why it fails.

import { explainUrl, compareDriverVersions, type DriverNote, type VersionDisagreement } from './driverQuirks';
import { DEFAULT_DRIVER_VERSION, differenceById, emptyNamespaceMessage, has, parseJdbcUrlAs, parseLegacyHostPort, type HiveDriverVersion } from './driverVersions';
import { isIpv6Literal } from '../zk/connectString';
import { HiveZkError, isHiveZkError, preview } from '../errors';
import { isSecretKey, withoutSecrets } from './secretParams';
import { ZK_TLS_URL_KEYS } from '../zk/auth/secureTransport';
import { listHaInstances } from '../registry/haRegistry';
import { HS2_KEYS, connectTarget, publishedEndpoint, type Hs2Instance } from '../registry/hs2Instance';
import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, NON_INSTANCE_CHILDREN, listInstances, readInstance } from '../registry/hs2Registry';
import { discoverNamespaces } from '../registry/namespaceDiscovery';
import { formatJdbcUrl, type JdbcUrl } from './jdbcUrl';
import { namespacePath } from '../zk/znodePath';
import type { ZkSession } from '../zk/session';

export interface Candidate {
  znode: string;
  host?: string;
  port?: number;
  /** A direct URL to this server with the znode's settings applied (password left out). */
  url?: string;
  /** The URL string Hive's driver itself would use for this server (ensemble replaced by host:port). */
  driverUrl?: string;
  /** Session variables whose value came from the znode, as the driver applies them. */
  fromZnode: Record<string, string>;
  /** Published values the driver ignores because the URL sets them. */
  overriddenByUrl: Record<string, string>;
  usable: boolean;
  problem?: string;
  isLeader?: boolean;
  version?: string;
  /** What the driver does with this server that its registration does not say (see driverQuirks.ts). */
  notes?: DriverNote[];
}

export interface Resolution {
  mode: 'zooKeeper' | 'zooKeeperHA' | 'direct';
  namespace?: string;
  ensemble?: string;
  candidates: Candidate[];
  chosen?: Candidate;
  /** Sequential request rounds sent to ZooKeeper. */
  roundTrips: number;
  /** The driver version this answer is for, and what that driver will really do with the URL. */
  driver: HiveDriverVersion;
  notes: DriverNote[];
  /** With compareVersions: how each driver version reads the URL, and where they differ. */
  versions?: VersionDisagreement;
}

export type SessionProvider = (connectString: string) => ZkSession;

export interface ResolveOptions {
  /** Uniform random in [0, 1); injectable for tests. */
  random?: () => number;
  /**
   * Read only the znode the driver picks (retrying another one when it is unusable, like the
   * driver's rejected list) instead of every candidate: two round trips whatever the namespace size.
   */
  pickOnly?: boolean;
  /** Resolve as this Hive JDBC driver does (default DEFAULT_DRIVER_VERSION). */
  driver?: HiveDriverVersion;
  /** Also read the URL with every driver version and report where they disagree. */
  compareVersions?: boolean;
}

export async function resolveJdbcUrl(input: string, sessionFor: SessionProvider, options: ResolveOptions = {}): Promise<Resolution> {
  const driver = options.driver ?? DEFAULT_DRIVER_VERSION;
  const resolution = await resolveAs(input, driver, sessionFor, options);
  resolution.notes = [...explainUrl(input, driver), ...resolution.notes];
  if (options.compareVersions) {
    resolution.versions = compareDriverVersions(input);
  }
  return resolution;
}

async function resolveAs(input: string, driver: HiveDriverVersion, sessionFor: SessionProvider, options: ResolveOptions): Promise<Resolution> {
  const url = parseJdbcUrlAs(input, driver);
  if (url.embedded) {
    throw new HiveZkError('URL_NOT_DISCOVERY', 'This URL names an embedded HiveServer2 (no host); there is nothing to resolve.');
  }
  if (options.pickOnly && url.discovery !== 'zooKeeper') {
    throw new HiveZkError('BAD_ARGUMENT', url.discovery ? 'Pick-only resolution follows the driver\'s random pick, which zooKeeperHA does not make (it takes the leader).' : 'Pick-only resolution needs serviceDiscoveryMode=zooKeeper: a direct URL has nothing to pick.');
  }
  if (!url.discovery) {
    const host = url.hosts[0];
    const port = url.driverPort !== undefined && url.driverPort > 0 ? url.driverPort : undefined;
    const candidate: Candidate = { znode: '', fromZnode: {}, overriddenByUrl: {}, usable: url.driverPort !== -1 };
    if (url.driverPort === -1) {
      candidate.problem = `the Hive ${driver} driver applies no default port (it connects to port -1); ${differenceById('defaultPort').hiveIssue} added one in ${differenceById('defaultPort').firstRelease}`;
    }
    try {
      candidate.url = candidate.driverUrl = driverUrlFor(url, host ?? { host: '' });
    } catch (error) {
      candidate.problem = `the URL cannot be printed back safely: ${isHiveZkError(error) ? error.message : String(error)}`;
      candidate.usable = false;
    }
    if (host) {
      candidate.host = host.host;
    }
    if (port !== undefined) {
      candidate.port = port;
    }
    return { mode: 'direct', candidates: [candidate], chosen: candidate, roundTrips: 0, driver, notes: [] };
  }
  const session = sessionFor(url.authority);
  const ha = url.discovery === 'zooKeeperHA';
  const namespace = nonEmpty(url.sessionVars.zooKeeperNamespace) ?? (ha ? DEFAULT_HA_NAMESPACE : DEFAULT_HS2_NAMESPACE);
  const random = options.random ?? Math.random;
  let instances: Hs2Instance[];
  try {
    if (options.pickOnly) {
      return await resolvePickOnly(session, url, namespace, random, driver);
    }
    instances = (ha ? await listHaInstances(session, namespace) : await listInstances(session, namespace)).instances;
  } catch (error) {
    if (isHiveZkError(error, 'NAMESPACE_MISSING')) {
      throw await explainMissingNamespace(session, namespace, url.authority, error);
    }
    if (isHiveZkError(error, 'ZK_NO_AUTH')) {
      throw new HiveZkError('ZK_NO_AUTH', `Not authorized to list /${preview(namespace)} on ${preview(url.authority)}: its ACL does not let this client read it.`, { namespace });
    }
    throw error;
  }
  // One listing, then every data read issued at once.
  const roundTrips = instances.length > 0 ? 2 : 1;
  const candidates = instances.map((instance) => toCandidate(instance, url, driver));
  const resolution: Resolution = { mode: url.discovery, namespace, ensemble: url.authority, candidates, roundTrips, driver, notes: [] };
  if (candidates.length === 0) {
    throw new HiveZkError(
      'NAMESPACE_EMPTY',
      `No live HiveServer2 instance is registered under /${preview(namespace)} on ${preview(url.authority)} (the Hive ${driver} driver fails with "${emptyNamespaceMessage(driver)}").`,
      { namespace },
    );
  }
  const usable = candidates.filter((c) => c.usable);
  if (ha) {
    const leader = usable.find((c) => c.isLeader);
    if (!leader) {
      throw new HiveZkError('NO_LEADER', `No active HiveServer2 among ${candidates.length} registered in ${preview(namespace)} (Hive's driver: "No leader found!").`, {
        namespace,
        candidates,
      });
    }
    resolution.chosen = leader;
    return resolution;
  }
  if (usable.length === 0) {
    throw new HiveZkError('BAD_ZNODE_DATA', `None of the ${candidates.length} znodes under /${preview(namespace)} holds a usable HiveServer2 address: ${preview(candidates[0]?.problem ?? '', 200)}`, {
      namespace,
      candidates,
    });
  }
  resolution.chosen = usable[Math.min(usable.length - 1, Math.floor(random() * usable.length))];
  return resolution;
}

/** The driver's own procedure: list, pick uniformly at random, read that one; reject and repeat if unusable. */
async function resolvePickOnly(session: ZkSession, url: JdbcUrl, namespace: string, random: () => number, driver: HiveDriverVersion): Promise<Resolution> {
  const path = namespacePath(namespace);
  let children: string[];
  try {
    ({ children } = await session.getChildren(path));
  } catch (error) {
    throw isHiveZkError(error, 'ZK_NO_NODE') ? new HiveZkError('NAMESPACE_MISSING', `The namespace ${preview(path)} does not exist.`, { namespace }) : error;
  }
  const remaining = children.filter((c) => !NON_INSTANCE_CHILDREN.has(c));
  if (remaining.length === 0) {
    throw new HiveZkError('NAMESPACE_EMPTY', `No live HiveServer2 instance is registered under ${preview(path)} on ${preview(url.authority)}.`, { namespace });
  }
  const rejected: Candidate[] = [];
  let reads = 0;
  while (remaining.length > 0) {
    const [child] = remaining.splice(Math.min(remaining.length - 1, Math.floor(random() * remaining.length)), 1);
    reads += 1;
    const instance = child === undefined ? undefined : await readInstance(session, path, child);
    if (!instance) {
      continue;
    }
    const candidate = toCandidate(instance, url, driver);
    if (candidate.usable) {
      return { mode: 'zooKeeper', namespace, ensemble: url.authority, candidates: [...rejected, candidate], chosen: candidate, roundTrips: 1 + reads, driver, notes: [] };
    }
    rejected.push(candidate);
  }
  throw new HiveZkError('BAD_ZNODE_DATA', `None of the znodes under ${preview(path)} holds a usable HiveServer2 address: ${preview(rejected[0]?.problem ?? '', 200)}`, { namespace, candidates: rejected });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Applies a znode's published settings over the URL's session variables, as the driver's applyConfs. */
export function applyPublishedSettings(
  settings: Readonly<Record<string, string>>,
  sessionVars: Readonly<Record<string, string>>,
): { host?: string; port?: number; fromZnode: Record<string, string>; overriddenByUrl: Record<string, string> } {
  const fromZnode: Record<string, string> = {};
  const overriddenByUrl: Record<string, string> = {};
  const unlessSet = (sessionKey: string, value: string): void => {
    if (Object.prototype.hasOwnProperty.call(sessionVars, sessionKey)) {
      overriddenByUrl[sessionKey] = value;
    } else {
      fromZnode[sessionKey] = value;
    }
  };
  for (const [key, value] of Object.entries(settings)) {
    switch (key) {
      case HS2_KEYS.transportMode:
        unlessSet('transportMode', value);
        break;
      case HS2_KEYS.saslQop:
        unlessSet('saslQop', value);
        break;
      case HS2_KEYS.httpPath:
        unlessSet('httpPath', value);
        break;
      case HS2_KEYS.useSsl:
        unlessSet('ssl', value);
        break;
      case HS2_KEYS.authentication:
        // A NOSASL server forces auth=noSasl even over the URL's own auth.
        if (value.toUpperCase() === 'NOSASL') {
          fromZnode.auth = 'noSasl';
        }
        break;
      case HS2_KEYS.principal:
        // HIVE-11875: the driver compares auth with equalsIgnoreCase.
        if (Object.prototype.hasOwnProperty.call(sessionVars, 'principal') || sessionVars.auth?.toLowerCase() === 'delegationtoken') {
          overriddenByUrl.principal = value;
        } else {
          fromZnode.principal = value;
        }
        break;
      default:
        break; // the driver ignores every other key
    }
  }
  const { host, port } = publishedEndpoint(settings);
  return { ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}), fromZnode, overriddenByUrl };
}

/** ZooKeeper-only parameters (discovery, and TLS to ZooKeeper) stay out of the direct URLs built for a server. */
const ZOOKEEPER_KEYS: ReadonlySet<string> = new Set(['serviceDiscoveryMode', 'zooKeeperNamespace', ...Object.values(ZK_TLS_URL_KEYS)]);

function toCandidate(instance: Hs2Instance, url: JdbcUrl, driver: HiveDriverVersion): Candidate {
  const candidate: Candidate = { znode: instance.znode, fromZnode: {}, overriddenByUrl: {}, usable: false };
  if (instance.version !== undefined) {
    candidate.version = instance.version;
  }
  if (instance.isLeader !== undefined) {
    candidate.isLeader = instance.isLeader;
  }
  let target = connectTarget(instance);
  if ('problem' in target) {
    candidate.problem = target.problem;
    const legacy = instance.unreadableText === undefined ? undefined : parseLegacyHostPort(instance.unreadableText, driver);
    if (!legacy || !has(driver, 'legacyHostPortIpv6')) {
      return candidate;
    }
    candidate.host = legacy.host;
    candidate.port = legacy.port;
    // HIVE-28782: the driver connects to an IPv6 host of old "host:port" data; its URL brackets the host.
    if (!isIpv6Literal(legacy.host) || legacy.port === 0) {
      const why = legacy.port === 0 ? 'port 0 cannot be connected to' : 'this tool cannot build a URL for that host';
      candidate.problem = `the Hive ${driver} driver reads host "${preview(legacy.host, 60)}" and port ${legacy.port} from this data (${differenceById('legacyHostPortIpv6').hiveIssue}), but ${why}`;
      return candidate;
    }
    delete candidate.problem;
    target = { host: legacy.host, port: legacy.port };
  }
  const { host, port } = target;
  candidate.host = host;
  candidate.port = port;
  if (instance.dataFormat !== 'legacy') {
    const applied = applyPublishedSettings(instance.settings, url.sessionVars);
    candidate.fromZnode = applied.fromZnode;
    candidate.overriddenByUrl = applied.overriddenByUrl;
    const notes = publishedSettingNotes(instance.settings, url);
    if (notes.length > 0) {
      candidate.notes = notes;
    }
  }
  const sessionVars = withoutKeys({ ...url.sessionVars, ...candidate.fromZnode }, ZOOKEEPER_KEYS);
  try {
    candidate.url = formatJdbcUrl({ hosts: [{ host, port }], database: url.database, sessionVars, hiveConfs: url.hiveConfs, hiveVars: url.hiveVars });
    candidate.driverUrl = driverUrlFor(url, { host, port });
    candidate.usable = true;
  } catch (error) {
    candidate.problem = isHiveZkError(error) ? error.message : String(error);
    // Unusable: what it would have applied is not echoed (it may be what made the URL unbuildable).
    candidate.fromZnode = {};
    candidate.overriddenByUrl = {};
  }
  return candidate;
}

const APPLY_CONFS = 'jdbc/.../ZooKeeperHiveClientHelper.java applyConfs';

/** Published settings the driver uses differently from how they read: retries, auth overrides. */
function publishedSettingNotes(settings: Readonly<Record<string, string>>, url: JdbcUrl): DriverNote[] {
  const notes: DriverNote[] = [];
  const httpPort = settings[HS2_KEYS.httpPort];
  if (url.discovery === 'zooKeeper' && httpPort !== undefined && settings[HS2_KEYS.binaryPort] === undefined) {
    notes.push({
      code: 'HTTP_PORT_IGNORED_ON_RETRY',
      message: `This server publishes only its HTTP port (${preview(httpPort, 10)}). The driver uses it when this is its first pick, but on a failover retry it keeps the previous server's port and ignores it: set retries=1 (the default) or register every server on the same HTTP port.`,
      source: `${APPLY_CONFS}: http.port only "if (!(connParams.getPort() > 0))"`,
    });
  }
  const auth = url.sessionVars.auth;
  if (settings[HS2_KEYS.authentication]?.toUpperCase() === 'NOSASL' && auth !== undefined && auth !== 'noSasl') {
    notes.push({ code: 'SERVER_FORCES_NOSASL', message: `The server runs with NOSASL: the driver replaces the URL's auth=${preview(auth, 30)} with noSasl${url.sessionVars.principal !== undefined ? ' and ignores its principal' : ''}.`, source: APPLY_CONFS });
  }
  if (settings[HS2_KEYS.principal] !== undefined && url.sessionVars.principal === undefined && auth?.toLowerCase() === 'delegationtoken') {
    notes.push({ code: 'ZNODE_PRINCIPAL_IGNORED_TOKEN', message: `The published principal is not used: auth=${preview(auth, 30)} (matched in any case) means a delegation token.`, source: `${APPLY_CONFS} (HIVE-11875)` });
  }
  return notes;
}

/**
 * The URL the driver itself goes on with: the input with the ensemble replaced by the chosen
 * server, discovery parameters kept. Built from the parsed parts (never by replacing text), and
 * without secrets.
 */
function driverUrlFor(url: JdbcUrl, server: { host: string; port?: number }): string {
  return formatJdbcUrl({ hosts: [server], database: url.database, sessionVars: withoutSecrets(url.sessionVars), hiveConfs: url.hiveConfs, hiveVars: url.hiveVars });
}

/** The record without the given keys and without any secret (secretParams.ts). */
function withoutKeys(record: Readonly<Record<string, string>>, keys: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.has(key) && !isSecretKey(key)));
}

async function explainMissingNamespace(session: ZkSession, namespace: string, ensemble: string, original: HiveZkError): Promise<HiveZkError> {
  let existing: string[] = [];
  try {
    existing = (await discoverNamespaces(session)).filter((n) => n.kind === 'hs2' || n.kind === 'hs2-ha').map((n) => n.name);
  } catch {
    return original;
  }
  const hint = existing.length > 0 ? ` HiveServer2 namespaces on this ensemble: ${existing.join(', ')}.` : ' No HiveServer2 namespace exists on this ensemble.';
  return new HiveZkError('NAMESPACE_MISSING', `The namespace /${preview(namespace)} does not exist on ${preview(ensemble)}.${preview(hint, 300)}`, { namespace, existing });
}
