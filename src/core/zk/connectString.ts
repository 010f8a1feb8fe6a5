// Parses and formats ZooKeeper connect strings: "h1:2181,h2:2181/optional/chroot".

import { isIP } from 'node:net';
import { HiveZkError, preview } from '../errors';
import { isSlash, trimEndWhere } from '../untrusted';

export interface HostPort {
  host: string;
  port: number;
}

export interface ConnectString {
  servers: HostPort[];
  /** Chroot path such as "/prod", or undefined for the root. */
  chroot?: string;
}

export const DEFAULT_ZK_PORT = 2181;
/** Far beyond any real ensemble (ZooKeeper ensembles have a handful of servers); bounds work and messages. */
export const MAX_CONNECT_STRING_CHARS = 2048;
export const MAX_SERVERS = 64;

// Host names and IPv4 addresses as DNS allows them; nothing a shell or a URL would treat specially.
const HOST_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?$/;

/**
 * An IPv6 address literal (without brackets or a zone id): Hive 4.1+ reads such hosts from old
 * "host:port" znode data (HIVE-28782), and a JDBC URL carries them bracketed ("[2001:db8::1]:10000").
 */
export function isIpv6Literal(host: string): boolean {
  return host.length <= 45 && /^[0-9A-Fa-f:.]+$/.test(host) && isIP(host) === 6;
}

export function isValidHost(host: string): boolean {
  return HOST_PATTERN.test(host);
}

export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) {
    return undefined;
  }
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

export function parseConnectString(input: string): ConnectString {
  const text = input.trim();
  if (text.length > MAX_CONNECT_STRING_CHARS) {
    throw new HiveZkError('BAD_CONNECT_STRING', `The ZooKeeper connect string is ${text.length} characters long; at most ${MAX_CONNECT_STRING_CHARS} are accepted ("${preview(text, 60)}").`);
  }
  if (text === '') {
    throw new HiveZkError('BAD_CONNECT_STRING', 'The ZooKeeper connect string is empty. Expected host:port[,host:port…][/chroot].');
  }
  const slash = text.indexOf('/');
  const hostList = slash === -1 ? text : text.slice(0, slash);
  const chrootText = slash === -1 ? '' : text.slice(slash);
  const entries = hostList.split(',');
  if (entries.length > MAX_SERVERS) {
    throw new HiveZkError('BAD_CONNECT_STRING', `The ZooKeeper connect string lists ${entries.length} servers; at most ${MAX_SERVERS} are accepted.`);
  }
  const servers = entries.map((entry) => parseServer(entry.trim(), input));
  const chroot = chrootText === '' || chrootText === '/' ? undefined : trimEndWhere(chrootText, isSlash);
  if (chroot !== undefined && !/^(\/[^/\s\u0000-\u001f\u007f]+)+$/.test(chroot)) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid chroot "${preview(chroot)}" in ZooKeeper connect string "${preview(input)}".`);
  }
  return chroot === undefined ? { servers } : { servers, chroot };
}

function parseServer(entry: string, input: string): HostPort {
  if (entry === '') {
    throw new HiveZkError('BAD_CONNECT_STRING', `Empty host in ZooKeeper connect string "${preview(input)}".`);
  }
  if (entry.startsWith('[')) {
    throw new HiveZkError('BAD_CONNECT_STRING', `IPv6 addresses are not supported by the ZooKeeper client library ("${preview(entry)}"); use a host name.`);
  }
  const parts = entry.split(':');
  if (parts.length > 2) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid host:port "${preview(entry)}" in ZooKeeper connect string "${preview(input)}".`);
  }
  const [host = '', portText] = parts;
  if (!isValidHost(host)) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid host "${preview(host)}" in ZooKeeper connect string "${preview(input)}".`);
  }
  if (portText === undefined) {
    return { host, port: DEFAULT_ZK_PORT };
  }
  const port = parsePort(portText);
  if (port === undefined) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid port "${preview(portText, 20)}" in ZooKeeper connect string "${preview(input)}" (expected 1-65535).`);
  }
  return { host, port };
}

export function formatConnectString(connect: ConnectString): string {
  return connect.servers.map((s) => `${s.host}:${s.port}`).join(',') + (connect.chroot ?? '');
}
