// Parses and formats jdbc:hive2:// URLs the way Hive's JDBC driver (Utils.parseURL) reads them:
// jdbc:hive2://<authority>[/<db>][;<session k=v>…][?<hive conf k=v>…][#<hive var k=v>…]

import { DEFAULT_ZK_PORT, MAX_SERVERS, isIpv6Literal, isValidHost, parsePort, type HostPort } from '../zk/connectString';
import { HiveZkError, preview } from '../errors';
import { setOwn, splitPairs } from '../pairs';
import { isSecretKey, redactUrlText } from './secretParams';

export const JDBC_PREFIX = 'jdbc:hive2://';
export const DEFAULT_HS2_BINARY_PORT = 10000;
export const DEFAULT_HS2_HTTP_PORT = 10001;
/** Real URLs are a few hundred characters; longer input is refused before any parsing work. */
export const MAX_URL_CHARS = 16_384;

export type DiscoveryMode = 'zooKeeper' | 'zooKeeperHA';

export interface UrlHost {
  host: string;
  /** undefined when the URL gives none (the driver then stores -1). */
  port?: number;
}

export interface JdbcUrl {
  /** The text between "jdbc:hive2://" and the path, verbatim. */
  authority: string;
  hosts: UrlHost[];
  database: string;
  sessionVars: Record<string, string>;
  hiveConfs: Record<string, string>;
  hiveVars: Record<string, string>;
  /** Set when serviceDiscoveryMode is zooKeeper or zooKeeperHA (case-insensitive, as the driver does). */
  discovery?: DiscoveryMode;
  /** An empty authority means an embedded (in-process) HiveServer2. */
  embedded: boolean;
}

export function parseJdbcUrl(input: string): JdbcUrl {
  if (typeof input !== 'string' || !input.startsWith(JDBC_PREFIX)) {
    throw new HiveZkError('URL_NOT_HIVE2', `Not a HiveServer2 JDBC URL: it must start with "${JDBC_PREFIX}".`, { url: preview(redactUrlText(input)) });
  }
  if (input.length > MAX_URL_CHARS) {
    throw new HiveZkError('URL_MALFORMED', `The URL is ${input.length} characters long; at most ${MAX_URL_CHARS} are accepted.`, { url: preview(redactUrlText(input)) });
  }
  const bad = /[\s\u0000-\u001f\u007f]/.exec(input);
  if (bad) {
    throw new HiveZkError('URL_MALFORMED', `Bad URL format: whitespace or control character at position ${bad.index} (percent-encode it, e.g. %20).`, { url: preview(redactUrlText(input)) });
  }
  const rest = input.slice(JDBC_PREFIX.length);
  // The driver ends the authority at the first "/", else the first "?", else the first "#" — in that order.
  let end = rest.indexOf('/');
  if (end === -1) {
    end = rest.indexOf('?');
  }
  if (end === -1) {
    end = rest.indexOf('#');
  }
  if (end === -1) {
    end = rest.length;
  }
  const authority = rest.slice(0, end);
  const { path, query, fragment } = splitUriTail(rest.slice(end), input);

  const sessionVars: Record<string, string> = {};
  let database = path.replace(/^\//, '');
  const semicolon = database.indexOf(';');
  if (semicolon !== -1) {
    for (const [key, value] of kvPairs(database.slice(semicolon + 1))) {
      if (Object.prototype.hasOwnProperty.call(sessionVars, key)) {
        throw new HiveZkError('URL_DUPLICATE_KEY', `Bad URL format: Multiple values for property ${preview(key, 40)}.`, { key: preview(key, 40) });
      }
      setOwn(sessionVars, key, value);
    }
    database = database.slice(0, semicolon);
  }
  if (database === '') {
    database = 'default';
  }
  const hiveConfs = Object.fromEntries(kvPairs(query));
  const hiveVars = Object.fromEntries(kvPairs(fragment));
  applyDeprecations(sessionVars, hiveConfs);

  const discovery = discoveryModeOf(sessionVars.serviceDiscoveryMode);
  const embedded = authority === '';
  const hosts = embedded ? [] : discovery ? parseEnsemble(authority) : [parseSingleHost(authority)];
  const url: JdbcUrl = { authority, hosts, database, sessionVars, hiveConfs, hiveVars, embedded };
  if (discovery) {
    url.discovery = discovery;
  }
  return url;
}

function discoveryModeOf(value: string | undefined): DiscoveryMode | undefined {
  const lower = value?.toLowerCase();
  return lower === 'zookeeper' ? 'zooKeeper' : lower === 'zookeeperha' ? 'zooKeeperHA' : undefined;
}

/** Splits "/path?query#fragment" as java.net.URI does, decoding percent-escapes in each part. */
function splitUriTail(tail: string, input: string): { path: string; query: string; fragment: string } {
  const hash = tail.indexOf('#');
  const beforeFragment = hash === -1 ? tail : tail.slice(0, hash);
  const fragment = hash === -1 ? '' : tail.slice(hash + 1);
  const question = beforeFragment.indexOf('?');
  const path = question === -1 ? beforeFragment : beforeFragment.slice(0, question);
  const query = question === -1 ? '' : beforeFragment.slice(question + 1);
  return { path: decodePart(path, input), query: decodePart(query, input), fragment: decodePart(fragment, input) };
}

function decodePart(part: string, input: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HiveZkError('URL_MALFORMED', 'Bad URL format: invalid percent-escape (a "%" must be followed by two hex digits).', { url: preview(redactUrlText(input)) });
  }
}

/** The driver's ";k=v" lists: its key is greedy, so "a=b=c" is key "a=b", value "c". */
function kvPairs(text: string): [string, string][] {
  return splitPairs(text, 'lastEquals');
}

function applyDeprecations(sessionVars: Record<string, string>, hiveConfs: Record<string, string>): void {
  moveKey(sessionVars, 'sasl.qop', sessionVars, 'saslQop');
  moveKey(hiveConfs, 'hive.server2.transport.mode', sessionVars, 'transportMode');
  moveKey(hiveConfs, 'hive.server2.thrift.http.path', sessionVars, 'httpPath');
}

function moveKey(from: Record<string, string>, fromKey: string, to: Record<string, string>, toKey: string): void {
  const value = from[fromKey];
  if (value !== undefined) {
    delete from[fromKey];
    to[toKey] = value;
  }
}

function parseEnsemble(authority: string): UrlHost[] {
  const entries = authority.split(',');
  if (entries.length > MAX_SERVERS) {
    throw new HiveZkError('URL_NO_HOST', `Bad URL format: the ZooKeeper ensemble lists ${entries.length} servers; at most ${MAX_SERVERS} are accepted.`, { authority: preview(redactUrlText(authority)) });
  }
  return entries.map((entry) => {
    const [host = '', portText, ...extra] = entry.split(':');
    const port = portText === undefined ? DEFAULT_ZK_PORT : parsePort(portText);
    if (!isValidHost(host) || port === undefined || extra.length > 0) {
      throw new HiveZkError('URL_NO_HOST', `Bad URL format: "${preview(redactUrlText(entry))}" in the ZooKeeper ensemble "${preview(redactUrlText(authority))}" is not host[:port].`, { authority: preview(redactUrlText(authority)) });
    }
    return { host, port };
  });
}

function parseSingleHost(authority: string): UrlHost {
  // "[v6]:port" as java.net.URI reads it (the driver hands the host to its socket, which takes the literal).
  const match = authority.startsWith('[') ? /^\[([0-9A-Fa-f:.]{2,45})\](?::(\d*))?$/.exec(authority) : /^([^:]+)(?::(\d*))?$/.exec(authority);
  const host = match?.[1] ?? '';
  const portText = match?.[2];
  if (!match || !(authority.startsWith('[') ? isIpv6Literal(host) : isValidHost(host)) || (portText !== undefined && portText !== '' && parsePort(portText) === undefined)) {
    const hint = authority.includes(',')
      ? ' Several hosts need serviceDiscoveryMode=zooKeeper.'
      : authority.includes(';')
        ? " Are you missing a '/' after the hostname?"
        : '';
    throw new HiveZkError('URL_NO_HOST', `Bad URL format. Hostname not found in authority part of the url: ${preview(redactUrlText(authority))}.${hint}`, { authority: preview(redactUrlText(authority)) });
  }
  return portText ? { host, port: Number(portText) } : { host };
}

export interface JdbcUrlParts {
  hosts: readonly (HostPort | UrlHost)[];
  database?: string;
  sessionVars?: Readonly<Record<string, string>>;
  hiveConfs?: Readonly<Record<string, string>>;
  hiveVars?: Readonly<Record<string, string>>;
}

/**
 * Formats a URL that parses back to exactly the given parts. Values come from znodes and users, so
 * anything that would change the URL's structure (";", "?", "#", "=" in keys or values) is refused,
 * not escaped: the driver decodes percent-escapes before it splits on ";".
 */
export function formatJdbcUrl(parts: JdbcUrlParts): string {
  const authority = parts.hosts
    .map((h) => {
      const ipv6 = isIpv6Literal(h.host);
      if (!ipv6 && !isValidHost(h.host)) {
        throw unsafe('host', h.host);
      }
      if (h.port !== undefined && (!Number.isInteger(h.port) || h.port < 1 || h.port > 65535)) {
        throw unsafe('port', String(h.port));
      }
      // IPStackUtils.concatHostPort: an IPv6 host is bracketed, so its colons cannot be read as the port's.
      const host = ipv6 ? `[${h.host}]` : h.host;
      return h.port === undefined ? host : `${host}:${h.port}`;
    })
    .join(',');
  const database = parts.database ?? 'default';
  let url = `${JDBC_PREFIX}${authority}/${encodeValue('database', database, /[;?#/]/)}`;
  const session = formatPairs(parts.sessionVars);
  if (session !== '') {
    url += `;${session}`;
  }
  const confs = formatPairs(parts.hiveConfs);
  if (confs !== '') {
    url += `?${confs}`;
  }
  const vars = formatPairs(parts.hiveVars);
  if (vars !== '') {
    url += `#${vars}`;
  }
  if (url.length > MAX_URL_CHARS) {
    // A URL this tool could not parse back is never produced.
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to build a JDBC URL of ${url.length} characters (at most ${MAX_URL_CHARS}).`);
  }
  return url;
}

function formatPairs(pairs: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(pairs ?? {})
    .map(([key, value]) => `${encodeValue('key', key, /[;?#=]/)}=${encodeValue(key, value, /[;?#=]/)}`)
    .join(';');
}

/**
 * Percent-encodes everything but letters, digits and - . _ ~ : @ / , + (java.net.URI decodes the
 * escapes back), so a URL never carries quotes, "$", "!", "&" or parentheses that a shell or
 * beeline's !connect line would read; refuses structural characters.
 */
function encodeValue(field: string, value: string, structural: RegExp): string {
  if (structural.test(value) || /[\u0000-\u001f\u007f]/.test(value)) {
    throw unsafe(field, value);
  }
  try {
    // encodeURIComponent leaves ! ' ( ) * as they are: those are encoded by hand.
    return value.replace(/[^A-Za-z0-9\-._~+,:@/]/gu, (ch) => encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  } catch {
    throw unsafe(field, value); // a lone surrogate has no UTF-8 form
  }
}

function unsafe(field: string, value: string): HiveZkError {
  const shown = isSecretKey(field) ? '(hidden)' : preview(value);
  return new HiveZkError('UNSAFE_VALUE', `Refusing to put ${preview(field, 40)} "${shown}" into a JDBC URL: it contains characters that would change the URL's meaning.`, { field: preview(field, 40) });
}
