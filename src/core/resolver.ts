// Resolves a discovery JDBC URL to concrete HiveServer2 URLs exactly as Hive's JDBC driver does
// (ZooKeeperHiveClientHelper.configureConnParams / applyConfs), and explains every step:
// all candidates, the driver's random pick, which settings came from the znode, and why it fails.

import { ZK_TLS_URL_KEYS } from './secureTransport';
import { HiveZkError, isHiveZkError } from './errors';
import {
  DEFAULT_HA_NAMESPACE,
  DEFAULT_HS2_NAMESPACE,
  HS2_KEYS,
  NON_INSTANCE_CHILDREN,
  discoverNamespaces,
  listHaInstances,
  listInstances,
  namespacePath,
  readInstance,
  type Hs2Instance,
} from './hs2Registry';
import { effectivePort, formatJdbcUrl, parseJdbcUrl, type JdbcUrl } from './jdbcUrl';
import type { ZkSession } from './zkSession';

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
}

export interface Resolution {
  mode: 'zooKeeper' | 'zooKeeperHA' | 'direct';
  namespace?: string;
  ensemble?: string;
  candidates: Candidate[];
  chosen?: Candidate;
  /** Sequential request rounds sent to ZooKeeper. */
  roundTrips: number;
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
}

export async function resolveJdbcUrl(input: string, sessionFor: SessionProvider, options: ResolveOptions = {}): Promise<Resolution> {
  const url = parseJdbcUrl(input);
  if (url.embedded) {
    throw new HiveZkError('URL_NOT_DISCOVERY', 'This URL names an embedded HiveServer2 (no host); there is nothing to resolve.');
  }
  if (!url.discovery) {
    const host = url.hosts[0];
    const port = host ? effectivePort(url, host) : undefined;
    const candidate: Candidate = { znode: '', fromZnode: {}, overriddenByUrl: {}, usable: true, url: maskZooKeeperPasswords(input), driverUrl: maskZooKeeperPasswords(input) };
    if (host) {
      candidate.host = host.host;
    }
    if (port !== undefined) {
      candidate.port = port;
    }
    return { mode: 'direct', candidates: [candidate], chosen: candidate, roundTrips: 0 };
  }
  const session = sessionFor(url.authority);
  const ha = url.discovery === 'zooKeeperHA';
  const namespace = nonEmpty(url.sessionVars.zooKeeperNamespace) ?? (ha ? DEFAULT_HA_NAMESPACE : DEFAULT_HS2_NAMESPACE);
  const random = options.random ?? Math.random;
  let instances: Hs2Instance[];
  try {
    if (options.pickOnly && !ha) {
      return await resolvePickOnly(session, url, input, namespace, random);
    }
    instances = (ha ? await listHaInstances(session, namespace) : await listInstances(session, namespace)).instances;
  } catch (error) {
    if (isHiveZkError(error, 'NAMESPACE_MISSING')) {
      throw await explainMissingNamespace(session, namespace, url.authority, error);
    }
    if (isHiveZkError(error, 'ZK_NO_AUTH')) {
      throw new HiveZkError('ZK_NO_AUTH', `Not authorized to list /${namespace} on ${url.authority}: its ACL does not let this client read it.`, { namespace });
    }
    throw error;
  }
  // One listing, then every data read issued at once.
  const roundTrips = instances.length > 0 ? 2 : 1;
  const candidates = instances.map((instance) => toCandidate(instance, url, input));
  const resolution: Resolution = { mode: url.discovery, namespace, ensemble: url.authority, candidates, roundTrips };
  if (candidates.length === 0) {
    throw new HiveZkError(
      'NAMESPACE_EMPTY',
      `No live HiveServer2 instance is registered under /${namespace} on ${url.authority} (Hive's driver fails with "Unable to read HiveServer2 configs from ZooKeeper").`,
      { namespace },
    );
  }
  const usable = candidates.filter((c) => c.usable);
  if (ha) {
    const leader = usable.find((c) => c.isLeader);
    if (!leader) {
      throw new HiveZkError('NO_LEADER', `No active HiveServer2 among ${candidates.length} registered in ${namespace} (Hive's driver: "No leader found!").`, {
        namespace,
        candidates,
      });
    }
    resolution.chosen = leader;
    return resolution;
  }
  if (usable.length === 0) {
    throw new HiveZkError('BAD_ZNODE_DATA', `None of the ${candidates.length} znodes under /${namespace} holds a usable HiveServer2 address: ${candidates[0]?.problem ?? ''}`, {
      namespace,
      candidates,
    });
  }
  resolution.chosen = usable[Math.min(usable.length - 1, Math.floor(random() * usable.length))];
  return resolution;
}

/** The driver's own procedure: list, pick uniformly at random, read that one; reject and repeat if unusable. */
async function resolvePickOnly(session: ZkSession, url: JdbcUrl, input: string, namespace: string, random: () => number): Promise<Resolution> {
  const path = namespacePath(namespace);
  let children: string[];
  try {
    ({ children } = await session.getChildren(path));
  } catch (error) {
    throw isHiveZkError(error, 'ZK_NO_NODE') ? new HiveZkError('NAMESPACE_MISSING', `The namespace ${path} does not exist.`, { namespace }) : error;
  }
  const remaining = children.filter((c) => !NON_INSTANCE_CHILDREN.has(c));
  if (remaining.length === 0) {
    throw new HiveZkError('NAMESPACE_EMPTY', `No live HiveServer2 instance is registered under ${path} on ${url.authority}.`, { namespace });
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
    const candidate = toCandidate(instance, url, input);
    if (candidate.usable) {
      return { mode: 'zooKeeper', namespace, ensemble: url.authority, candidates: [...rejected, candidate], chosen: candidate, roundTrips: 1 + reads };
    }
    rejected.push(candidate);
  }
  throw new HiveZkError('BAD_ZNODE_DATA', `None of the znodes under ${path} holds a usable HiveServer2 address: ${rejected[0]?.problem ?? ''}`, { namespace, candidates: rejected });
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
  let host: string | undefined;
  let port = -1;
  const unlessSet = (sessionKey: string, value: string): void => {
    if (Object.prototype.hasOwnProperty.call(sessionVars, sessionKey)) {
      overriddenByUrl[sessionKey] = value;
    } else {
      fromZnode[sessionKey] = value;
    }
  };
  for (const [key, value] of Object.entries(settings)) {
    switch (key) {
      case HS2_KEYS.bindHost:
        host = value;
        break;
      case HS2_KEYS.binaryPort:
        port = Number.parseInt(value, 10);
        break;
      case HS2_KEYS.httpPort:
        if (!(port > 0)) {
          port = Number.parseInt(value, 10);
        }
        break;
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
        if (Object.prototype.hasOwnProperty.call(sessionVars, 'principal') || sessionVars.auth === 'delegationToken') {
          overriddenByUrl.principal = value;
        } else {
          fromZnode.principal = value;
        }
        break;
      default:
        break; // the driver ignores every other key
    }
  }
  const result: { host?: string; port?: number; fromZnode: Record<string, string>; overriddenByUrl: Record<string, string> } = { fromZnode, overriddenByUrl };
  if (host !== undefined) {
    result.host = host;
  }
  if (port > 0) {
    result.port = port;
  }
  return result;
}

// ZooKeeper-only parameters (discovery, and TLS to ZooKeeper with its store passwords) stay out of resolved URLs.
const DISCOVERY_KEYS = new Set<string>(['serviceDiscoveryMode', 'zooKeeperNamespace', 'password', ...Object.values(ZK_TLS_URL_KEYS)]);

/** The ZooKeeper store passwords a URL may carry, masked wherever the input URL is echoed. */
function maskZooKeeperPasswords(text: string): string {
  return text.replace(new RegExp(`(;(?:${ZK_TLS_URL_KEYS.truststorePassword}|${ZK_TLS_URL_KEYS.keystorePassword})=)[^;?#]*`, 'g'), '$1***');
}

function toCandidate(instance: Hs2Instance, url: JdbcUrl, input: string): Candidate {
  const candidate: Candidate = { znode: instance.znode, fromZnode: {}, overriddenByUrl: {}, usable: false };
  if (instance.version !== undefined) {
    candidate.version = instance.version;
  }
  if (instance.isLeader !== undefined) {
    candidate.isLeader = instance.isLeader;
  }
  let host = instance.host;
  let port = instance.port;
  if (instance.dataFormat === 'config' || instance.dataFormat === 'serviceRecord') {
    const applied = applyPublishedSettings(instance.settings, url.sessionVars);
    candidate.fromZnode = applied.fromZnode;
    candidate.overriddenByUrl = applied.overriddenByUrl;
    host = applied.host ?? host;
    port = applied.port ?? port;
  } else if (instance.dataFormat !== 'legacy') {
    candidate.problem = instance.problems.join('; ') || 'unreadable registration';
    return candidate;
  }
  if (host === undefined || port === undefined) {
    candidate.problem = 'the znode gives no host and port';
    return candidate;
  }
  candidate.host = host;
  candidate.port = port;
  const sessionVars: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...url.sessionVars, ...candidate.fromZnode })) {
    if (!DISCOVERY_KEYS.has(key)) {
      sessionVars[key] = value;
    }
  }
  try {
    candidate.url = formatJdbcUrl({ hosts: [{ host, port }], database: url.database, sessionVars, hiveConfs: url.hiveConfs, hiveVars: url.hiveVars });
    candidate.driverUrl = maskZooKeeperPasswords(input.replace(url.authority, `${host}:${port}`));
    candidate.usable = true;
  } catch (error) {
    candidate.problem = isHiveZkError(error) ? error.message : String(error);
  }
  return candidate;
}

async function explainMissingNamespace(session: ZkSession, namespace: string, ensemble: string, original: HiveZkError): Promise<HiveZkError> {
  let existing: string[] = [];
  try {
    existing = (await discoverNamespaces(session)).filter((n) => n.kind === 'hs2' || n.kind === 'hs2-ha').map((n) => n.name);
  } catch {
    return original;
  }
  const hint = existing.length > 0 ? ` HiveServer2 namespaces on this ensemble: ${existing.join(', ')}.` : ' No HiveServer2 namespace exists on this ensemble.';
  return new HiveZkError('NAMESPACE_MISSING', `The namespace /${namespace} does not exist on ${ensemble}.${hint}`, { namespace, existing });
}
