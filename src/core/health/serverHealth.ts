// Ensemble health from the servers' own reports: asks every server for srvr, mntr, cons and conf
// (four-letter words first, the AdminServer where a word is not whitelisted), then merges each
// server's answers and groups the client connections by address across the ensemble.

import { sendAdminCommand, ADMIN_COMMANDS } from './adminServer';
import { parseConnectString, type ConnectString, type HostPort } from '../zk/connectString';
import { preview } from '../errors';
import { throwIfAborted, untilAborted } from '../lifecycle';
import { isFailure, PROBE_DEFAULTS, type ProbeOptions } from './boundedProbe';
import { sendFourLetterWord } from './fourLetterWords';
import {
  classifyRefusal,
  field,
  HEALTH_WORDS,
  parseAdminConf,
  parseAdminCons,
  parseAdminJson,
  parseAdminMntr,
  parseAdminSrvr,
  parseConf,
  parseCons,
  parseMntr,
  parseSrvr,
  parseVersion,
  setIfDefined,
  type ClientConnection,
  type HealthWord,
  type ServerStats,
  type VersionInfo,
} from './healthReplies';

// ---- Per server and per ensemble

export type HealthSource = 'fourLetterWord' | 'adminServer';

/** One server's facts: the parsed replies' stats, plus what only the aggregation knows. */
export interface ServerHealth extends ServerStats {
  /** "host:port" as in the connect string. */
  server: string;
  host: string;
  port: number;
  /** False when the client port refused or did not answer. */
  reachable: boolean;
  version?: VersionInfo;
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
  /** Aborting rejects with CANCELLED at once; no server is asked another word. */
  signal?: AbortSignal;
}

export const DEFAULT_ADMIN_PORT = 8080;
const WARN_RATIO = 0.8;
const WARN_UNLIMITED = 50;

/**
 * Asks one server for the given words: four-letter words first, the AdminServer for the rest. The
 * whole probe of a server has one deadline (options.timeoutMs), shared by its requests, and the
 * first request that times out ends it: a silent or dripping server costs one timeout, not one per word.
 */
export async function probeServer(server: HostPort, options: HealthOptions = {}): Promise<ServerHealth> {
  const health: ServerHealth = { server: `${server.host}:${server.port}`, host: server.host, port: server.port, reachable: true, sources: {}, missing: [], truncated: false, problems: [] };
  const words = options.words ?? HEALTH_WORDS;
  const fallback: HealthWord[] = [];
  const ownProbes = new Set<string>();
  const viaWords = new Map<HealthWord, string>();
  const budget = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const deadline = Date.now() + budget;
  /** The request's share of the probe's time; undefined (and the rest given up, said once) when none is left. */
  const remaining = (pending: readonly HealthWord[]): ProbeOptions | undefined => {
    const left = deadline - Date.now();
    if (left > 0) {
      return { ...options, timeoutMs: left };
    }
    health.problems.push(`${health.server}: no answer for ${pending.join(', ')} within the probe's ${budget} ms`);
    health.missing.push(...pending);
    return undefined;
  };
  // One word at a time: each is its own connection, and an address near its limit should not need four.
  for (const [index, word] of words.entries()) {
    throwIfAborted(options.signal, 'Checking the servers');
    const within = remaining(words.slice(index));
    if (!within) {
      return finishServer(health, viaWords, new Map(), ownProbes);
    }
    const reply = await sendFourLetterWord(server, word, within);
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
  for (const [index, word] of fallback.entries()) {
    const within = remaining(fallback.slice(index));
    if (!within) {
      break;
    }
    const reply = await sendAdminCommand({ host: server.host, port: adminPort }, word, within);
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
        if (reply.failure === 'refused' || reply.failure === 'timeout') {
          // No AdminServer there, or one that does not answer: every other command would fail alike.
          health.missing.push(...fallback.slice(index + 1));
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
  const servers = await untilAborted(Promise.all(parsed.servers.map((server) => probeServer(server, options))), options.signal, 'Checking the servers');
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
