// Which Hive JDBC driver release reads a URL how: one table of the driver changes that alter URL
// parsing or znode decoding (each row cites its Hive issue), and the per-version reading built on it.
// "4.1+" = Apache Hive 4.1.0 and later (cut from master after these changes were merged).

import { HiveZkError, preview } from '../errors';
import { DEFAULT_HS2_BINARY_PORT, DEFAULT_HS2_HTTP_PORT, JDBC_PREFIX, parseJdbcUrl, type JdbcUrl, type UrlHost } from './jdbcUrl';
import { isValidHost, parsePort } from '../zk/connectString';
import { parseJavaInt } from '../javaInt';

export type HiveDriverVersion = '2' | '3' | '4.0' | '4.1+';
export const HIVE_DRIVER_VERSIONS: readonly HiveDriverVersion[] = ['2', '3', '4.0', '4.1+'];
/** The current Apache release line; users of older drivers say so with --hive-version / hiveZk.driver.hiveVersion. */
export const DEFAULT_DRIVER_VERSION: HiveDriverVersion = '4.1+';

const ORDER: Record<HiveDriverVersion, number> = { '2': 0, '3': 1, '4.0': 2, '4.1+': 3 };

export function atLeast(version: HiveDriverVersion, first: HiveDriverVersion): boolean {
  return ORDER[version] >= ORDER[first];
}

/** Accepts "2", "2.3.9", "3.1", "4.0.1", "4.1", "4.1+", "4.2.0"…; 1.x drivers are not modelled. */
export function parseDriverVersion(text: string): HiveDriverVersion {
  const match = /^(\d+)(?:\.(\d+))?(?:\.\d+)?(\+)?$/.exec(text.trim());
  const major = match ? Number(match[1]) : NaN;
  const minor = match?.[2] === undefined ? undefined : Number(match[2]);
  if (major === 2 || major === 3) {
    return major === 2 ? '2' : '3';
  }
  if (major === 4 && minor === 0) {
    return '4.0';
  }
  if ((major === 4 && minor !== undefined && minor >= 1) || major >= 5) {
    return '4.1+';
  }
  throw new HiveZkError('BAD_ARGUMENT', `Unknown Hive driver version "${preview(text, 20)}": use 2, 3, 4.0 or 4.1+ (a full version such as 3.1.3 also works).`);
}

export type DifferenceId = 'zooKeeperHA' | 'retryInterval' | 'emptyNamespaceMessage' | 'defaultPort' | 'httpDefaultPort' | 'passwordReparse' | 'legacyHostPortIpv6';

export interface DriverDifference {
  id: DifferenceId;
  /** The first driver version with the new behaviour. */
  since: HiveDriverVersion;
  hiveIssue: string;
  /** The Apache release that first shipped it, and whether that was confirmed from release history. */
  firstRelease: string;
  releaseConfirmed: boolean;
  source: string;
  before: string;
  after: string;
}

/** Every driver change this tool models. Keep in step with the unit tests, one test per row. */
export const DRIVER_DIFFERENCES: readonly DriverDifference[] = [
  {
    id: 'zooKeeperHA',
    since: '3',
    hiveIssue: 'HIVE-18633',
    firstRelease: '3.0.0',
    releaseConfirmed: true,
    source: 'jdbc/.../ZooKeeperHiveClientHelper.java isZkDynamicDiscoveryMode / isZkHADynamicDiscoveryMode',
    before: 'serviceDiscoveryMode=zooKeeperHA is not a discovery mode: the URL is read as a direct URL to its first host',
    after: 'zooKeeperHA finds the active HiveServer2 in the <namespace>-sasl|unsecure ServiceRecord registry',
  },
  {
    id: 'retryInterval',
    since: '4.0',
    hiveIssue: 'HIVE-21925',
    firstRelease: '4.0.0',
    releaseConfirmed: true,
    source: 'jdbc/.../HiveConnection.java constructor retry loop',
    before: 'retryInterval is ignored; retries follow each other at once',
    after: 'the driver sleeps retryInterval ms (default 1000) between connection attempts',
  },
  {
    id: 'emptyNamespaceMessage',
    since: '4.0',
    hiveIssue: 'HIVE-22914',
    firstRelease: '4.0.0',
    releaseConfirmed: true,
    source: 'jdbc/.../ZooKeeperHiveClientHelper.java configureConnParams',
    before: '"Unable to read HiveServer2 configs from ZooKeeper" caused by "Tried all existing HiveServer2 uris from ZooKeeper."',
    after: '"No more HiveServer2 URIs from ZooKeeper to attempt"',
  },
  {
    id: 'defaultPort',
    since: '4.1+',
    hiveIssue: 'HIVE-28217',
    firstRelease: '4.1.0',
    releaseConfirmed: false, // merged to master 2024-04-27 (PR #5214), after branch-4.0; no branch-4.0 backport found
    source: 'jdbc/.../Utils.java extractURLComponents',
    before: 'a direct URL without a port gets port -1 (the URL string becomes host:-1) and the connection fails',
    after: 'a direct URL without a port uses 10000',
  },
  {
    id: 'httpDefaultPort',
    since: '4.1+',
    hiveIssue: 'HIVE-28217 follow-up (Utils.getDefaultPort)',
    firstRelease: '4.1.0',
    releaseConfirmed: false, // seen in a master snapshot only; its own issue id was not found
    source: 'jdbc/.../Utils.java getDefaultPort',
    before: 'no default port (see defaultPort)',
    after: 'a direct URL without a port and with transportMode=http uses 10001',
  },
  {
    id: 'passwordReparse',
    since: '4.1+',
    hiveIssue: 'HIVE-28805',
    firstRelease: '4.1.0',
    releaseConfirmed: false, // PR #5682 merged to master 2025-03
    source: 'jdbc/.../Utils.java extractURLComponents (fullPasswordPattern)',
    before: 'password is an ordinary session variable: "password=a=b" becomes key "password=a", "#" ends it, "PASSWORD=" is another key',
    after: 'the first (?i)(?<=;|^)password=([^;]+) match in the whole URL is the password: "=", "#", "?" and any case of the key are kept',
  },
  {
    id: 'legacyHostPortIpv6',
    since: '4.1+',
    hiveIssue: 'HIVE-28782',
    firstRelease: '4.1.0',
    releaseConfirmed: false, // PR #5729 merged to master 2025-04
    source: 'jdbc/.../ZooKeeperHiveClientHelper.java via IPStackUtils.getHostAndPort',
    before: 'old "host:port" znode data is split on ":" and must give exactly two parts (no IPv6); the port is any Java int',
    after: 'the last ":" splits host and port; "[v6]:port" and bare "v6:port" work; the port must be 0-65535',
  },
];

export function differenceById(id: DifferenceId): DriverDifference {
  const row = DRIVER_DIFFERENCES.find((d) => d.id === id);
  if (!row) {
    throw new Error(`no driver difference ${id}`);
  }
  return row;
}

/** True when the driver version has the row's new behaviour. */
export function has(version: HiveDriverVersion, id: DifferenceId): boolean {
  return atLeast(version, differenceById(id).since);
}

/** The dummy authority Utils.parseURL puts in place of every occurrence of the URL's host text. */
export const DUMMY_AUTHORITY = 'dummyhost:00000';

/** A URL as one driver version reads it. */
export interface DriverUrl extends JdbcUrl {
  driver: HiveDriverVersion;
  /** Direct URLs: the port the driver stores (-1 = none, the connection fails). */
  driverPort?: number;
}

/** Parses a URL as the given driver version does (structure from parseJdbcUrl, then this version's rules). */
export function parseJdbcUrlAs(input: string, version: HiveDriverVersion): DriverUrl {
  if (!has(version, 'zooKeeperHA') && /;serviceDiscoveryMode=zooKeeperHA(;|$|\?|#)/i.test(input)) {
    return parseAsDirectFirstHost(input, version);
  }
  const url: DriverUrl = { ...parseJdbcUrl(input), driver: version };
  applyPasswordRule(url, input, version);
  const host = url.hosts[0];
  if (!url.discovery && !url.embedded && host) {
    url.driverPort = driverPort(url, host, version);
  }
  return url;
}

/** 2.x: a zooKeeperHA URL is a direct URL; the authority is split on "," and the first host used. */
function parseAsDirectFirstHost(input: string, version: HiveDriverVersion): DriverUrl {
  const parsed = parseJdbcUrl(input);
  const first = parsed.authority.split(',')[0] ?? '';
  const [host = '', portText] = first.split(':');
  const port = portText === undefined ? undefined : parsePort(portText);
  if (!isValidHost(host) || (portText !== undefined && port === undefined)) {
    throw new HiveZkError('URL_NO_HOST', `Bad URL format. Hostname not found in authority part of the url: ${preview(parsed.authority)}.`, { authority: parsed.authority });
  }
  const urlHost: UrlHost = port === undefined ? { host } : { host, port };
  const url: DriverUrl = { ...parsed, hosts: [urlHost], driver: version };
  delete url.discovery;
  applyPasswordRule(url, input, version);
  url.driverPort = driverPort(url, urlHost, version);
  return url;
}

/** The port this driver version stores for a direct URL's host: the URL's, a default, or -1. */
export function driverPort(url: JdbcUrl, host: UrlHost, version: HiveDriverVersion): number {
  if (host.port !== undefined) {
    return host.port;
  }
  if (!has(version, 'defaultPort')) {
    return -1;
  }
  return has(version, 'httpDefaultPort') && url.sessionVars.transportMode?.toLowerCase() === 'http' ? DEFAULT_HS2_HTTP_PORT : DEFAULT_HS2_BINARY_PORT;
}

/** HIVE-28805: the first "password=" (any case) after ";" or at the start of the dummy-authority URL wins. */
export function reparsedPassword(input: string, authority: string): string | undefined {
  const text = authority === '' ? input : input.split(authority).join(DUMMY_AUTHORITY);
  // Linear scan instead of the driver's lookbehind regex: same first match, no backtracking.
  const lower = text.toLowerCase();
  let from = 0;
  for (;;) {
    const at = lower.indexOf('password=', from);
    if (at === -1) {
      return undefined;
    }
    if (at === 0 || text[at - 1] === ';') {
      const start = at + 'password='.length;
      const end = text.indexOf(';', start);
      const value = text.slice(start, end === -1 ? text.length : end);
      if (value !== '') {
        return value;
      }
    }
    from = at + 1;
  }
}

function applyPasswordRule(url: DriverUrl, input: string, version: HiveDriverVersion): void {
  if (!has(version, 'passwordReparse') || !input.startsWith(JDBC_PREFIX)) {
    return;
  }
  const password = reparsedPassword(input, url.authority);
  if (password !== undefined) {
    url.sessionVars = { ...url.sessionVars, password };
  }
}

/** Old "host:port" znode data as this driver version splits it; undefined where the driver throws. */
export function parseLegacyHostPort(text: string, version: HiveDriverVersion): { host: string; port: number } | undefined {
  if (!has(version, 'legacyHostPortIpv6')) {
    const parts = text.split(':');
    if (parts.length !== 2) {
      return undefined;
    }
    const port = parseJavaInt(parts[1] ?? '');
    return port === undefined ? undefined : { host: parts[0] ?? '', port };
  }
  // IPStackUtils.getHostAndPort: the last ":" splits; the port must match 0|[1-9]\d{0,4} and be <= 65535;
  // a non-empty host loses its brackets when it has both.
  const cut = text.lastIndexOf(':');
  const portText = text.slice(cut + 1);
  let host = text.slice(0, cut);
  if (cut === -1 || host === '' || !/^(0|[1-9]\d{0,4})$/.test(portText) || Number(portText) > 65535) {
    return undefined;
  }
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
  }
  return { host, port: Number(portText) };
}

/** The text a driver version reports when a namespace has no usable instance. */
export function emptyNamespaceMessage(version: HiveDriverVersion): string {
  return has(version, 'emptyNamespaceMessage') ? 'No more HiveServer2 URIs from ZooKeeper to attempt' : 'Unable to read HiveServer2 configs from ZooKeeper';
}
