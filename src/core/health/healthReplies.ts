// ZooKeeper's health replies, parsed: the four-letter words' text (srvr, mntr, cons, conf) and the
// AdminServer's JSON. Replies are untrusted text: every parser is pure, bounded and never throws.

export type HealthWord = 'srvr' | 'mntr' | 'cons' | 'conf';
export const HEALTH_WORDS: readonly HealthWord[] = ['srvr', 'mntr', 'cons', 'conf'];

export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only' | 'not serving';

export interface ServerStats {
  /** Full version text as the server reports it, e.g. "3.8.0-…, built on …". */
  versionText?: string;
  mode?: ServerMode;
  latency?: { min: number; avg: number; max: number };
  outstanding?: number;
  znodeCount?: number;
  watchCount?: number;
  ephemeralsCount?: number;
  /** Client connections the server counts (this tool's own probe left out). */
  connectionCount?: number;
}

export interface ClientConnection {
  /** The client's IP address (or host name) as the server sees it. */
  address: string;
  port: number;
  /** Session id as lower-case hex without leading zeros, like `ZnodeStat.ephemeralOwner`; absent before the handshake. */
  sessionId?: string;
  outstanding?: number;
  /** Epoch milliseconds when the connection was established. */
  established?: number;
  lastOperation?: string;
}

export interface ServerConfig {
  /** Connections allowed per client address on this server; 0 means unlimited. */
  maxClientCnxns?: number;
  serverId?: number;
}

export interface VersionInfo {
  text: string;
  major: number;
  minor: number;
  patch: number;
  /** multiRead (batched reads, opcode 22) arrived in ZooKeeper 3.6 (ZOOKEEPER-3402). */
  batchedReads: boolean;
}

/** A reply the server gave instead of an answer, recognised by its text. */
export type ReplyRefusal = 'notWhitelisted' | 'notServing';

const NOT_WHITELISTED = /is not executed because it is not in the whitelist/;
const NOT_SERVING = /not currently serving requests/;

export function classifyRefusal(text: string): ReplyRefusal | undefined {
  if (NOT_WHITELISTED.test(text)) {
    return 'notWhitelisted';
  }
  return NOT_SERVING.test(text) ? 'notServing' : undefined;
}

// ---- Parsers (pure; never throw on any input)

function toNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d{1,18}(\.\d{1,12})?$/.test(text.trim())) {
    return undefined;
  }
  return Number(text.trim());
}

function toCount(text: string | undefined): number | undefined {
  const n = toNumber(text);
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

function toMode(text: string | undefined): ServerMode | undefined {
  const value = text?.trim().toLowerCase();
  const modes: readonly ServerMode[] = ['leader', 'follower', 'observer', 'standalone', 'read-only'];
  return modes.find((m) => m === value);
}

/** Splits "key<sep>value" lines into a map; lines without the separator are skipped. */
function lineMap(text: string, separator: RegExp): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = separator.exec(line);
    if (match && match.index > 0) {
      map.set(line.slice(0, match.index).trim(), line.slice(match.index + match[0].length).trim());
    }
  }
  return map;
}

/** Sets an optional field only when there is a value (exactOptionalPropertyTypes forbids `undefined`). */
export function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) {
    target[key] = value;
  }
}

/** `srvr`: "Zookeeper version: …", "Latency min/avg/max: 0/0.0/0", "Outstanding: 0", "Mode: …", "Node count: …". */
export function parseSrvr(text: string): ServerStats {
  const stats: ServerStats = {};
  if (NOT_SERVING.test(text)) {
    stats.mode = 'not serving';
    return stats;
  }
  const fields = lineMap(text, /:\s?/);
  setIfDefined(stats, 'versionText', fields.get('Zookeeper version'));
  setIfDefined(stats, 'mode', toMode(fields.get('Mode')));
  setIfDefined(stats, 'outstanding', toCount(fields.get('Outstanding')));
  setIfDefined(stats, 'znodeCount', toCount(fields.get('Node count')));
  setIfDefined(stats, 'connectionCount', toCount(fields.get('Connections')));
  const latency = (fields.get('Latency min/avg/max') ?? '').split('/').map(toNumber);
  const [min, avg, max] = latency;
  if (latency.length === 3 && min !== undefined && avg !== undefined && max !== undefined) {
    stats.latency = { min, avg, max };
  }
  return stats;
}

/** `mntr`: tab-separated "zk_<name>\t<value>" lines. */
export function parseMntr(text: string): ServerStats {
  const fields = lineMap(text, /\t/);
  return statsFromMonitor((key) => fields.get(`zk_${key}`));
}

function statsFromMonitor(get: (key: string) => string | undefined): ServerStats {
  const stats: ServerStats = {};
  setIfDefined(stats, 'versionText', get('version'));
  setIfDefined(stats, 'mode', toMode(get('server_state')));
  setIfDefined(stats, 'outstanding', toCount(get('outstanding_requests')));
  setIfDefined(stats, 'znodeCount', toCount(get('znode_count')));
  setIfDefined(stats, 'watchCount', toCount(get('watch_count')));
  setIfDefined(stats, 'ephemeralsCount', toCount(get('ephemerals_count')));
  setIfDefined(stats, 'connectionCount', toCount(get('num_alive_connections')));
  const [min, avg, max] = ['min_latency', 'avg_latency', 'max_latency'].map((k) => toNumber(get(k)));
  if (min !== undefined && avg !== undefined && max !== undefined) {
    stats.latency = { min, avg, max };
  }
  return stats;
}

/** `conf`: "key=value" lines (3.5+ adds "membership:" and server.N lines, which are ignored here). */
export function parseConf(text: string): ServerConfig {
  const fields = lineMap(text, /=/);
  const config: ServerConfig = {};
  setIfDefined(config, 'maxClientCnxns', toCount(fields.get('maxClientCnxns')));
  setIfDefined(config, 'serverId', toCount(fields.get('serverId')));
  return config;
}

// " /10.0.0.5:51234[1](queued=0,recved=3,sent=3,sid=0x100…,lop=EXIS,est=1795…,to=30000,…)"
const CONS_LINE = /^\s*(\S*?)\/([^\s/]+):(\d{1,5})\[[0-9a-fA-F]{0,8}\]\(([^()]*)\)\s*$/;

/** `cons`: one line per connection; the 4lw connection asking is listed too (without a session). */
export function parseCons(text: string): ClientConnection[] {
  const connections: ClientConnection[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = CONS_LINE.exec(line);
    if (!match) {
      continue;
    }
    const address = cleanAddress(match[2] ?? '');
    const port = Number(match[3]);
    if (address === undefined || port > 65535) {
      continue;
    }
    const connection: ClientConnection = { address, port };
    const fields = new Map<string, string>();
    for (const pair of (match[4] ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) {
        fields.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    }
    setIfDefined(connection, 'sessionId', normalizeSessionId(fields.get('sid')));
    setIfDefined(connection, 'outstanding', toCount(fields.get('queued')));
    setIfDefined(connection, 'established', toCount(fields.get('est')));
    const lop = fields.get('lop');
    if (lop !== undefined && /^[A-Za-z]{1,12}$/.test(lop)) {
      connection.lastOperation = lop;
    }
    connections.push(connection);
  }
  return connections;
}

/** IPv4, IPv6 (with or without brackets) or a host name; anything else is rejected. */
function cleanAddress(text: string): string | undefined {
  const address = text.replace(/^\[|\]$/g, '');
  return /^[0-9A-Za-z.:%_-]{1,255}$/.test(address) ? address : undefined;
}

/**
 * A session id as lower-case hex without leading zeros ("0" never: no session), from "0x1a2b",
 * plain hex, or the AdminServer's signed 64-bit decimal (which JSON numbers cannot hold exactly).
 */
export function normalizeSessionId(text: string | undefined, radix: 16 | 10 = 16): string | undefined {
  if (text === undefined) {
    return undefined;
  }
  const value = text.trim().toLowerCase();
  let id: bigint;
  if (radix === 10) {
    if (!/^-?\d{1,20}$/.test(value)) {
      return undefined;
    }
    id = BigInt.asUintN(64, BigInt(value));
  } else {
    const hex = value.replace(/^0x/, '');
    if (!/^[0-9a-f]{1,16}$/.test(hex)) {
      return undefined;
    }
    id = BigInt(`0x${hex}`);
  }
  return id === 0n ? undefined : id.toString(16);
}

/** "0x…" for display. */
export function formatSessionId(sessionId: string): string {
  return `0x${sessionId}`;
}

export function parseVersion(versionText: string | undefined): VersionInfo | undefined {
  const match = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,4})/.exec(versionText ?? '');
  if (!match) {
    return undefined;
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  return { text: `${major}.${minor}.${patch}`, major, minor, patch, batchedReads: major > 3 || (major === 3 && minor >= 6) };
}

// ---- AdminServer JSON (3.5+): the same facts under snake_case names

/** Parses an AdminServer reply; undefined for anything but a JSON object. Session ids are kept exact. */
export function parseAdminJson(text: string): Record<string, unknown> | undefined {
  // A 64-bit session id is beyond JSON's exact integers: keep its digits as a string.
  const exact = text.replace(/"session_id"\s*:\s*(-?\d+)/g, '"session_id":"$1"');
  try {
    const parsed: unknown = JSON.parse(exact);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function field(record: unknown, key: string): string | undefined {
  if (typeof record !== 'object' || record === null) {
    return undefined;
  }
  const value = (record as Record<string, unknown>)[key];
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ? String(value) : undefined;
}

export function parseAdminSrvr(json: Record<string, unknown>): ServerStats {
  const serverStats = json.server_stats;
  const stats = statsFromMonitor((key) => field(serverStats, key));
  setIfDefined(stats, 'versionText', field(json, 'version'));
  setIfDefined(stats, 'znodeCount', toCount(field(json, 'node_count')));
  setIfDefined(stats, 'connectionCount', toCount(field(serverStats, 'num_alive_client_connections')));
  if (field(json, 'read_only') === 'true') {
    stats.mode = 'read-only';
  }
  return stats;
}

export function parseAdminMntr(json: Record<string, unknown>): ServerStats {
  return statsFromMonitor((key) => field(json, key));
}

export function parseAdminConf(json: Record<string, unknown>): ServerConfig {
  const config: ServerConfig = {};
  setIfDefined(config, 'maxClientCnxns', toCount(field(json, 'max_client_cnxns')));
  setIfDefined(config, 'serverId', toCount(field(json, 'server_id')));
  return config;
}

export function parseAdminCons(json: Record<string, unknown>): ClientConnection[] {
  const lists = [json.connections, json.secure_connections].filter(Array.isArray) as unknown[][];
  const connections: ClientConnection[] = [];
  for (const entry of lists.flat()) {
    const remote = field(entry, 'remote_socket_address') ?? '';
    // "10.0.0.5:51234", "/10.0.0.5:51234", "[::1]:51234" or "host/10.0.0.5:51234"
    const match = /^(?:[^/]*\/)?(.+):(\d{1,5})$/.exec(remote);
    const address = match ? cleanAddress(match[1] ?? '') : undefined;
    if (!match || address === undefined || Number(match[2]) > 65535) {
      continue;
    }
    const connection: ClientConnection = { address, port: Number(match[2]) };
    setIfDefined(connection, 'sessionId', normalizeSessionId(field(entry, 'session_id'), 10));
    setIfDefined(connection, 'outstanding', toCount(field(entry, 'outstanding_requests')));
    const established = field(entry, 'established');
    setIfDefined(connection, 'established', toCount(established) ?? (established !== undefined && !Number.isNaN(Date.parse(established)) ? Date.parse(established) : undefined));
    const lop = field(entry, 'last_operation');
    if (lop !== undefined && /^[A-Za-z]{1,12}$/.test(lop)) {
      connection.lastOperation = lop;
    }
    connections.push(connection);
  }
  return connections;
}
