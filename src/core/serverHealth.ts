// Ensemble health from the servers' own reports: the four-letter words srvr, mntr, cons and conf,
// each one short separate TCP request per server (not a ZooKeeper session), or the AdminServer's
// HTTP commands where a word is not whitelisted. Replies are untrusted text: bounded and parsed defensively.

import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { parseConnectString, type ConnectString, type HostPort } from './connectString';
import { preview } from './errors';

export type HealthWord = 'srvr' | 'mntr' | 'cons' | 'conf';
export const HEALTH_WORDS: readonly HealthWord[] = ['srvr', 'mntr', 'cons', 'conf'];

/** The AdminServer's name for each word (the words also work as aliases, but not on every version). */
const ADMIN_COMMANDS: Record<HealthWord, string> = { srvr: 'server_stats', mntr: 'monitor', cons: 'connections', conf: 'configuration' };

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

function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
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

function field(record: unknown, key: string): string | undefined {
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

// ---- Transport: one short TCP request per word, one HTTP GET per AdminServer command

export interface ProbeOptions {
  /** Per request, connect and reply included. */
  timeoutMs?: number;
  /** Replies are cut (and marked truncated) beyond this many bytes. */
  maxReplyBytes?: number;
  /** Local address to connect from (tests use other loopback addresses). */
  localAddress?: string;
}

export const PROBE_DEFAULTS = { timeoutMs: 5000, maxReplyBytes: 4 * 1024 * 1024 };

export interface ProbeReply {
  text: string;
  truncated: boolean;
  /** Our own end of the connection, so the `cons` line of this very request can be left out. */
  local?: { address: string; port: number };
}

export type ProbeFailure = { failure: 'refused' | 'timeout' | 'closed' | 'error'; message: string };

/** Sends one four-letter word on a fresh connection and reads until the server closes it. */
export function sendFourLetterWord(server: HostPort, word: HealthWord, options: ProbeOptions = {}): Promise<ProbeReply | ProbeFailure> {
  const timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxReplyBytes ?? PROBE_DEFAULTS.maxReplyBytes;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let local: ProbeReply['local'];
    let settled = false;
    const socket = netConnect({ host: server.host, port: server.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const finish = (result: ProbeReply | ProbeFailure): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      }
    };
    const reply = (): ProbeReply => ({ text: Buffer.concat(chunks).toString('utf8'), truncated, ...(local ? { local } : {}) });
    const timer = setTimeout(() => finish({ failure: 'timeout', message: `${server.host}:${server.port} did not answer "${word}" within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => {
      if (socket.localAddress !== undefined && socket.localPort !== undefined) {
        local = { address: socket.localAddress, port: socket.localPort };
      }
      socket.end(word);
    });
    socket.on('data', (chunk: Buffer) => {
      const room = maxBytes - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        finish(reply());
      }
    });
    socket.once('close', () => {
      finish(size === 0 ? { failure: 'closed', message: `${server.host}:${server.port} closed the connection without answering "${word}"` } : reply());
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (size > 0) {
        finish(reply());
      } else {
        finish({ failure: error.code === 'ECONNREFUSED' ? 'refused' : 'error', message: `${server.host}:${server.port}: ${error.code ?? error.message}` });
      }
    });
  });
}

/** GETs one AdminServer command (http://host:adminPort/commands/<name>) with the same bounds. */
export function sendAdminCommand(server: { host: string; port: number }, word: HealthWord, options: ProbeOptions = {}): Promise<ProbeReply | ProbeFailure> {
  const timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxReplyBytes ?? PROBE_DEFAULTS.maxReplyBytes;
  const where = `http://${server.host}:${server.port}/commands/${ADMIN_COMMANDS[word]}`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeReply | ProbeFailure): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(result);
      }
    };
    const req = httpRequest({ host: server.host, port: server.port, path: `/commands/${ADMIN_COMMANDS[word]}`, method: 'GET', agent: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        finish({ failure: 'error', message: `${where} answered HTTP ${response.statusCode ?? '?'}` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        const room = maxBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (chunk.length > room) {
          finish({ text: Buffer.concat(chunks).toString('utf8'), truncated: true });
        }
      });
      response.once('end', () => finish({ text: Buffer.concat(chunks).toString('utf8'), truncated: false }));
      response.once('error', (error) => finish({ failure: 'error', message: `${where}: ${error.message}` }));
    });
    const timer = setTimeout(() => finish({ failure: 'timeout', message: `${where} did not answer within ${timeoutMs} ms` }), timeoutMs);
    req.once('error', (error: NodeJS.ErrnoException) => finish({ failure: error.code === 'ECONNREFUSED' ? 'refused' : 'error', message: `${where}: ${error.code ?? error.message}` }));
    req.end();
  });
}

function isFailure(reply: ProbeReply | ProbeFailure): reply is ProbeFailure {
  return 'failure' in reply;
}

// ---- Per server and per ensemble

export type HealthSource = 'fourLetterWord' | 'adminServer';

export interface ServerHealth {
  /** "host:port" as in the connect string. */
  server: string;
  host: string;
  port: number;
  /** False when the client port refused or did not answer. */
  reachable: boolean;
  mode?: ServerMode;
  version?: VersionInfo;
  versionText?: string;
  latency?: { min: number; avg: number; max: number };
  outstanding?: number;
  znodeCount?: number;
  watchCount?: number;
  ephemeralsCount?: number;
  connectionCount?: number;
  /** 0 means unlimited. */
  maxClientCnxns?: number;
  /** Client connections (this tool's probes left out); undefined when neither `cons` nor the AdminServer answered. */
  connections?: ClientConnection[];
  /** Where each word's answer came from. */
  sources: Partial<Record<HealthWord, HealthSource>>;
  /** Words that neither the four-letter words nor the AdminServer answered. */
  missing: HealthWord[];
  truncated: boolean;
  /** Short notes on what went wrong, for display. */
  problems: string[];
}

export interface ClientServerCount {
  server: string;
  count: number;
  /** The server's maxClientCnxns (0 = unlimited), when known. */
  limit?: number;
  /** The count reached the warning threshold on this server. */
  warn: boolean;
}

export interface ClientGroup {
  address: string;
  total: number;
  perServer: ClientServerCount[];
  /** Sessions this address holds, hex. */
  sessions: string[];
  warn: boolean;
}

export interface SessionHolder {
  sessionId: string;
  address: string;
  port: number;
  server: string;
}

export interface EnsembleHealth {
  connectString: string;
  servers: ServerHealth[];
  /** Connections grouped by client address, busiest first. */
  clients: ClientGroup[];
  /** Which client address holds each session (from `cons`), keyed by hex session id. */
  sessions: Map<string, SessionHolder>;
  /** True when every reachable server listed its connections: an unknown session is then really not connected. */
  sessionsComplete: boolean;
  /** What to enable on the servers to see everything, exactly. */
  hints: string[];
  checkedAt: number;
}

export interface HealthOptions extends ProbeOptions {
  /** The AdminServer's port (admin.serverPort), on each server's host; default 8080. */
  adminPort?: number;
  /** Warn when one address holds this many connections on a server; default 80 % of maxClientCnxns, or 50 when unlimited. */
  warnConnections?: number;
  /** Which words to ask for (the owner mapping only needs `cons`). */
  words?: readonly HealthWord[];
}

export const DEFAULT_ADMIN_PORT = 8080;
const WARN_RATIO = 0.8;
const WARN_UNLIMITED = 50;

/** Asks one server for the given words: four-letter words first, the AdminServer for the rest. */
export async function probeServer(server: HostPort, options: HealthOptions = {}): Promise<ServerHealth> {
  const health: ServerHealth = { server: `${server.host}:${server.port}`, host: server.host, port: server.port, reachable: true, sources: {}, missing: [], truncated: false, problems: [] };
  const words = options.words ?? HEALTH_WORDS;
  const fallback: HealthWord[] = [];
  const ownProbes = new Set<string>();
  const viaWords = new Map<HealthWord, string>();
  // One word at a time: each is its own connection, and an address near its limit should not need four.
  for (const word of words) {
    const reply = await sendFourLetterWord(server, word, options);
    if (isFailure(reply)) {
      if (reply.failure === 'refused' || reply.failure === 'timeout') {
        health.reachable = false;
        health.problems.push(reply.message);
        health.missing.push(...words.filter((w) => !viaWords.has(w)));
        return finishServer(health, viaWords, new Map(), ownProbes);
      }
      // Accepted, then closed unanswered: at this address's connection limit, or words turned off entirely.
      health.problems.push(`${reply.message} (at the maxClientCnxns limit for this address, or four-letter words disabled)`);
      fallback.push(word);
      continue;
    }
    if (reply.local) {
      ownProbes.add(`${reply.local.address}:${reply.local.port}`);
    }
    health.truncated ||= reply.truncated;
    const refusal = classifyRefusal(reply.text);
    if (refusal === 'notWhitelisted') {
      fallback.push(word);
    } else {
      viaWords.set(word, reply.text);
      health.sources[word] = 'fourLetterWord';
    }
  }
  const viaAdmin = new Map<HealthWord, Record<string, unknown>>();
  const adminPort = options.adminPort ?? DEFAULT_ADMIN_PORT;
  for (const word of fallback) {
    const reply = await sendAdminCommand({ host: server.host, port: adminPort }, word, options);
    const json = isFailure(reply) ? undefined : parseAdminJson(reply.text);
    const error = json ? field(json, 'error') : undefined;
    if (json && error === undefined) {
      viaAdmin.set(word, json);
      health.sources[word] = 'adminServer';
      health.truncated ||= !isFailure(reply) && reply.truncated;
    } else {
      health.missing.push(word);
      if (isFailure(reply)) {
        health.problems.push(reply.message);
        if (reply.failure === 'refused') {
          // No AdminServer there: every other command would fail alike.
          health.missing.push(...fallback.slice(fallback.indexOf(word) + 1));
          break;
        }
      } else {
        health.problems.push(`AdminServer ${ADMIN_COMMANDS[word]}: ${error !== undefined ? preview(error) : `not JSON: "${preview(reply.text)}"`}`);
      }
    }
  }
  return finishServer(health, viaWords, viaAdmin, ownProbes);
}

function finishServer(health: ServerHealth, viaWords: Map<HealthWord, string>, viaAdmin: Map<HealthWord, Record<string, unknown>>, ownProbes: Set<string>): ServerHealth {
  const stats: ServerStats[] = [];
  const srvr = viaWords.get('srvr');
  if (srvr !== undefined) {
    const parsed = parseSrvr(srvr);
    // The count includes the connection that asked.
    if (parsed.connectionCount !== undefined) {
      parsed.connectionCount = Math.max(0, parsed.connectionCount - 1);
    }
    stats.push(parsed);
  }
  const adminSrvr = viaAdmin.get('srvr');
  if (adminSrvr) {
    stats.push(parseAdminSrvr(adminSrvr));
  }
  const mntr = viaWords.get('mntr');
  if (mntr !== undefined) {
    const parsed = parseMntr(mntr);
    if (parsed.connectionCount !== undefined) {
      parsed.connectionCount = Math.max(0, parsed.connectionCount - 1);
    }
    stats.push(parsed);
  }
  const adminMntr = viaAdmin.get('mntr');
  if (adminMntr) {
    stats.push(parseAdminMntr(adminMntr));
  }
  for (const part of stats) {
    Object.assign(health, part);
  }
  if (health.versionText !== undefined) {
    setIfDefined(health, 'version', parseVersion(health.versionText));
  }
  const conf = viaWords.get('conf');
  const config = conf !== undefined ? parseConf(conf) : viaAdmin.has('conf') ? parseAdminConf(viaAdmin.get('conf') ?? {}) : undefined;
  setIfDefined(health, 'maxClientCnxns', config?.maxClientCnxns);
  const cons = viaWords.get('cons');
  const adminCons = viaAdmin.get('cons');
  if (cons !== undefined || adminCons) {
    const listed = cons !== undefined ? parseCons(cons) : parseAdminCons(adminCons ?? {});
    // Our own four-letter-word connections are not clients of this ensemble.
    health.connections = listed.filter((c) => !(c.sessionId === undefined && ownProbes.has(`${c.address}:${c.port}`)));
  }
  health.missing = [...new Set(health.missing)];
  return health;
}

/** Groups every server's connections by client address, with counts per server against the limit. */
export function groupConnectionsByClient(servers: readonly ServerHealth[], warnConnections?: number): ClientGroup[] {
  const groups = new Map<string, ClientGroup>();
  for (const server of servers) {
    const counts = new Map<string, number>();
    for (const connection of server.connections ?? []) {
      counts.set(connection.address, (counts.get(connection.address) ?? 0) + 1);
      let group = groups.get(connection.address);
      if (!group) {
        group = { address: connection.address, total: 0, perServer: [], sessions: [], warn: false };
        groups.set(connection.address, group);
      }
      group.total += 1;
      if (connection.sessionId !== undefined) {
        group.sessions.push(connection.sessionId);
      }
    }
    for (const [address, count] of counts) {
      const limit = server.maxClientCnxns;
      const threshold = warnConnections ?? (limit !== undefined && limit > 0 ? Math.max(1, Math.floor(limit * WARN_RATIO)) : WARN_UNLIMITED);
      const entry: ClientServerCount = { server: server.server, count, warn: count >= threshold };
      setIfDefined(entry, 'limit', limit);
      const group = groups.get(address) as ClientGroup;
      group.perServer.push(entry);
      group.warn ||= entry.warn;
    }
  }
  return [...groups.values()].sort((a, b) => b.total - a.total || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** Which client address holds each session. */
export function indexSessions(servers: readonly ServerHealth[]): Map<string, SessionHolder> {
  const sessions = new Map<string, SessionHolder>();
  for (const server of servers) {
    for (const connection of server.connections ?? []) {
      if (connection.sessionId !== undefined) {
        sessions.set(connection.sessionId, { sessionId: connection.sessionId, address: connection.address, port: connection.port, server: server.server });
      }
    }
  }
  return sessions;
}

/** Exactly which setting to turn on, per missing piece; empty when everything answered. */
export function healthHints(servers: readonly ServerHealth[], adminPort = DEFAULT_ADMIN_PORT): string[] {
  const missing = new Set(servers.filter((s) => s.reachable).flatMap((s) => s.missing));
  if (missing.size === 0) {
    return [];
  }
  const words = HEALTH_WORDS.filter((w) => missing.has(w));
  const where = servers.filter((s) => s.reachable && s.missing.length > 0).map((s) => s.server).join(', ');
  return [
    `${words.join(', ')} unavailable on ${where}. Enable the four-letter words in zoo.cfg: 4lw.commands.whitelist=srvr,mntr,cons,conf ` +
      `(or -Dzookeeper.4lw.commands.whitelist=…), or the AdminServer: admin.enableServer=true with admin.serverPort=${adminPort} reachable from here.`,
  ];
}

/** Probes every server of the connect string at once (one short request at a time per server). */
export async function collectEnsembleHealth(connect: ConnectString | string, options: HealthOptions = {}): Promise<EnsembleHealth> {
  const parsed = typeof connect === 'string' ? parseConnectString(connect) : connect;
  const servers = await Promise.all(parsed.servers.map((server) => probeServer(server, options)));
  const reachable = servers.filter((s) => s.reachable);
  return {
    connectString: parsed.servers.map((s) => `${s.host}:${s.port}`).join(','),
    servers,
    clients: groupConnectionsByClient(servers, options.warnConnections),
    sessions: indexSessions(servers),
    sessionsComplete: reachable.length > 0 && reachable.every((s) => s.connections !== undefined && !s.truncated),
    hints: healthHints(servers, options.adminPort),
    checkedAt: Date.now(),
  };
}
