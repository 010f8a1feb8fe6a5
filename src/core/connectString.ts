// Parses and formats ZooKeeper connect strings: "h1:2181,h2:2181/optional/chroot".

import { HiveZkError } from './errors';

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

// Host names and IPv4 addresses as DNS allows them; nothing a shell or a URL would treat specially.
const HOST_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?$/;

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
  if (text === '') {
    throw new HiveZkError('BAD_CONNECT_STRING', 'The ZooKeeper connect string is empty. Expected host:port[,host:port…][/chroot].');
  }
  const slash = text.indexOf('/');
  const hostList = slash === -1 ? text : text.slice(0, slash);
  const chrootText = slash === -1 ? '' : text.slice(slash);
  const servers = hostList.split(',').map((entry) => parseServer(entry.trim(), input));
  const chroot = chrootText === '' || chrootText === '/' ? undefined : chrootText.replace(/\/+$/, '');
  if (chroot !== undefined && !/^(\/[^/\s\u0000-\u001f\u007f]+)+$/.test(chroot)) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid chroot "${chroot}" in ZooKeeper connect string "${input}".`);
  }
  return chroot === undefined ? { servers } : { servers, chroot };
}

function parseServer(entry: string, input: string): HostPort {
  if (entry === '') {
    throw new HiveZkError('BAD_CONNECT_STRING', `Empty host in ZooKeeper connect string "${input}".`);
  }
  if (entry.startsWith('[')) {
    throw new HiveZkError('BAD_CONNECT_STRING', `IPv6 addresses are not supported by the ZooKeeper client library ("${entry}"); use a host name.`);
  }
  const parts = entry.split(':');
  if (parts.length > 2) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid host:port "${entry}" in ZooKeeper connect string "${input}".`);
  }
  const [host = '', portText] = parts;
  if (!isValidHost(host)) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid host "${host}" in ZooKeeper connect string "${input}".`);
  }
  if (portText === undefined) {
    return { host, port: DEFAULT_ZK_PORT };
  }
  const port = parsePort(portText);
  if (port === undefined) {
    throw new HiveZkError('BAD_CONNECT_STRING', `Invalid port "${portText}" in ZooKeeper connect string "${input}" (expected 1-65535).`);
  }
  return { host, port };
}

export function formatConnectString(connect: ConnectString): string {
  return connect.servers.map((s) => `${s.host}:${s.port}`).join(',') + (connect.chroot ?? '');
}
