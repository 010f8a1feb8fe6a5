// Probes one registered endpoint the way a client first meets it: TCP connect, TLS handshake when SSL
// is registered, one GET on the HTTP path for HTTP transport — never a Thrift session, never a redirect
// followed. A loopback-only guard stops any probe (and any DNS lookup) aimed beyond this machine.

import { lookup as dnsLookup } from 'node:dns';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, rootCertificates, type SecureContext, type TLSSocket } from 'node:tls';
import { isValidHost } from '../zk/connectString';
import { preview } from '../errors';
import { describeTlsFailure, tlsConnectOptions } from '../zk/auth/tls';

export type ProbeStatus = 'answering' | 'refused' | 'timeout' | 'unresolved' | 'tls-expected' | 'tls-untrusted' | 'tls-hostname' | 'tls-expired' | 'http-error' | 'skipped';

export interface ProbeResult {
  status: ProbeStatus;
  /** Time the probe took, whole milliseconds (0 for a probe skipped before any packet). */
  ms: number;
  detail: string;
}

/** What a registration names: the only host and port a probe may reach. */
export interface ProbeTarget {
  host: string;
  port: number;
  transport: 'binary' | 'http';
  ssl: boolean;
  /** HTTP transport: the registered hive.server2.thrift.http.path (the driver adds the leading "/"). */
  httpPath?: string;
}

/** The two calls through which a probe reaches the network: tests wrap them to see every one. */
export interface ProbeSeams {
  /** One address for a host name (never called for IP literals, nor with the guard on). */
  lookup: (host: string) => Promise<string>;
  connect: (options: { host: string; port: number }) => Socket;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Only loopback addresses are probed; anything else is `skipped` before any lookup or packet. */
  loopbackOnly: boolean;
  /** Extra trusted CAs (PEM), added to the system's. */
  ca?: readonly string[];
  seams?: ProbeSeams;
  /** Aborting stops the probes not yet started (those under way end within their timeout, unheard). */
  signal?: AbortSignal;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;
export const LOOPBACK_ENV = 'HIVEZK_PROBE_LOOPBACK_ONLY';
/** At most this much of an HTTP answer is read: the status line and a few headers are all we need. */
const MAX_HTTP_BYTES = 8192;
/** Path characters that pass through a request line unchanged (RFC 3986 pchar and "/"): nothing else is sent. */
const SAFE_HTTP_PATH = /^[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,512}$/;
const STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})/;

/** The guard as the environment sets it: HIVEZK_PROBE_LOOPBACK_ONLY=1 (or true). */
export function loopbackOnlyFromEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env[LOOPBACK_ENV]?.trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x: literal addresses only (a name is never taken on trust). */
export function isLoopbackAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) {
    return address.startsWith('127.');
  }
  if (version === 6) {
    const lower = address.toLowerCase();
    return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || (lower.startsWith('::ffff:') && isLoopbackAddress(lower.slice(7)));
  }
  return false;
}

export const nodeSeams: ProbeSeams = {
  lookup: (host) =>
    new Promise((resolve, reject) => {
      dnsLookup(host, { all: false }, (error, address) => (error ? reject(error) : resolve(address)));
    }),
  connect: (options) => netConnect(options),
};

/** Probes one target within `timeoutMs`, whatever the peer does; never throws. */
export async function probeEndpoint(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const refusal = checkTarget(target);
  if (refusal !== undefined) {
    return { status: 'skipped', ms: 0, detail: refusal };
  }
  const seams = options.seams ?? nodeSeams;
  let address: string;
  if (isIP(target.host) !== 0) {
    address = target.host;
  } else if (options.loopbackOnly) {
    // With the guard on no name is looked up: "localhost" is 127.0.0.1 by definition (RFC 6761), anything else is skipped.
    if (target.host.toLowerCase() !== 'localhost') {
      return { status: 'skipped', ms: 0, detail: `loopback-only: ${preview(target.host, 80)} is not a loopback address` };
    }
    address = '127.0.0.1';
  } else {
    const resolved = await withDeadline(seams.lookup(target.host), options.timeoutMs);
    if (resolved === 'timeout') {
      return { status: 'unresolved', ms: elapsed(), detail: `looking up ${preview(target.host, 80)} took longer than ${options.timeoutMs} ms` };
    }
    if (resolved instanceof Error) {
      const code = (resolved as NodeJS.ErrnoException).code;
      return { status: 'unresolved', ms: elapsed(), detail: `${preview(target.host, 80)} does not resolve${code ? ` (${code})` : ''}` };
    }
    address = resolved;
  }
  if (options.loopbackOnly && !isLoopbackAddress(address)) {
    return { status: 'skipped', ms: 0, detail: `loopback-only: ${preview(address, 80)} is not a loopback address` };
  }
  const remaining = Math.max(1, options.timeoutMs - elapsed());
  const outcome = await talk(target, address, remaining, options, seams);
  return { ...outcome, ms: elapsed() };
}

/** Why a target cannot be probed as registered; undefined when it can. */
function checkTarget(target: ProbeTarget): string | undefined {
  if (!(isIP(target.host) !== 0 || isValidHost(target.host))) {
    return `the registered host "${preview(target.host, 60)}" is not a host name or address`;
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    return `the registered port ${preview(String(target.port), 20)} is outside 1-65535`;
  }
  if (target.transport === 'http' && !SAFE_HTTP_PATH.test(target.httpPath ?? '')) {
    return `the registered HTTP path "${preview(target.httpPath, 60)}" holds characters that cannot be sent as they are`;
  }
  return undefined;
}

/** The request path as Hive's driver builds it: "/" + httpPath, "/" when none is published. */
export function requestPath(httpPath: string | undefined): string {
  return httpPath === undefined || httpPath === '' ? '/' : httpPath.startsWith('/') ? httpPath : `/${httpPath}`;
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | Error | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([work.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

type Outcome = Omit<ProbeResult, 'ms'>;

/** Connect, handshake, ask: one socket, one timer for the whole exchange, every path ends in `finish`. */
function talk(target: ProbeTarget, address: string, timeoutMs: number, options: ProbeOptions, seams: ProbeSeams): Promise<Outcome> {
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    let phase: 'TCP connect' | 'TLS handshake' | 'HTTP answer' = 'TCP connect';
    let secure: TLSSocket | undefined;
    let socket: Socket | undefined;
    let settled = false;
    const finish = (status: ProbeStatus, detail: string): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      secure?.destroy();
      socket?.destroy();
      resolve({ status, detail });
    };
    const waitedFor = { 'TCP connect': 'TCP connection', 'TLS handshake': 'TLS handshake answer', 'HTTP answer': 'HTTP answer' } as const;
    // A silent HTTP server is an HTTP error; a silent TCP or TLS peer is a timeout.
    const timer = setTimeout(() => finish(phase === 'HTTP answer' ? 'http-error' : 'timeout', `no ${waitedFor[phase]} from ${where} within ${timeoutMs} ms`), timeoutMs);
    try {
      socket = seams.connect({ host: address, port: target.port });
    } catch (error) {
      finish('refused', `cannot connect to ${where}: ${preview(error instanceof Error ? error.message : String(error), 120)}`);
      return;
    }
    const raw = socket;
    raw.once('error', (error: NodeJS.ErrnoException) => {
      if (phase === 'TCP connect') {
        finish(error.code === 'ECONNREFUSED' ? 'refused' : 'timeout', error.code === 'ECONNREFUSED' ? `connection refused by ${where}` : `no connection to ${where} (${error.code ?? preview(error.message, 80)})`);
      }
    });
    const ask = (channel: Socket, prefix: string): void => {
      phase = 'HTTP answer';
      readHttpStatus(channel, target, finish, prefix);
    };
    raw.once('connect', () => {
      if (!target.ssl) {
        if (target.transport === 'http') {
          ask(raw, '');
        } else {
          finish('answering', `TCP connection to ${where} accepted`);
        }
        return;
      }
      phase = 'TLS handshake';
      const secureContext = options.ca && options.ca.length > 0 ? contextWith(options.ca) : undefined;
      secure = tlsConnect({ ...tlsConnectOptions({ verifyHostname: true }, target.host, target.port), ...(secureContext ? { secureContext } : {}), socket: raw });
      secure.once('secureConnect', () => {
        const protocol = secure?.getProtocol() ?? 'TLS';
        if (target.transport === 'http' && secure) {
          ask(secure, `${protocol}, `);
        } else {
          finish('answering', `TLS handshake with ${where} completed (${protocol})`);
        }
      });
      secure.once('error', (error: NodeJS.ErrnoException) => {
        if (phase === 'TLS handshake') {
          const status = tlsStatus(error);
          // describeTlsFailure's words for a plain port speak of ZooKeeper's ports; here it is the registered one.
          finish(status, status === 'tls-expected' ? `${where} does not speak TLS, though SSL is registered (${preview(error.code ?? error.message, 80)})` : describeTlsFailure(error, where));
        } else {
          finish('http-error', `${where} closed the connection without an HTTP answer (${preview(error.code ?? error.message, 60)})`);
        }
      });
    });
    raw.once('close', () => {
      if (phase === 'TCP connect') {
        finish('refused', `${where} closed the connection`);
      } else if (phase === 'TLS handshake') {
        finish('tls-expected', `${where} closed the connection during the TLS handshake: it does not speak TLS`);
      }
    });
  });
}

/** One GET on the registered path; the answer's status line decides, and at most MAX_HTTP_BYTES are read. */
function readHttpStatus(channel: Socket, target: ProbeTarget, finish: (status: ProbeStatus, detail: string) => void, prefix: string): void {
  const path = requestPath(target.httpPath);
  const where = `${target.host}:${target.port}`;
  const chunks: Buffer[] = [];
  let size = 0;
  const decide = (ended: boolean): void => {
    const head = Buffer.concat(chunks, Math.min(size, MAX_HTTP_BYTES)).toString('latin1');
    const lineEnd = head.indexOf('\n');
    const headersDone = head.includes('\r\n\r\n') || head.includes('\n\n');
    if (!ended && !headersDone && size < MAX_HTTP_BYTES) {
      return; // wait for more (the timer bounds the wait)
    }
    const match = lineEnd === -1 ? null : STATUS_LINE.exec(head.slice(0, lineEnd));
    if (!match) {
      finish('http-error', `${where} gave no HTTP answer on ${path}${size === 0 ? ' (closed at once)' : `: "${preview(head.slice(0, lineEnd === -1 ? 60 : Math.min(lineEnd, 60)).trim(), 60)}"`}`);
      return;
    }
    const code = Number(match[1]);
    const note = `${prefix}HTTP ${code} on ${path}`;
    if (code === 404 || code >= 500) {
      finish('http-error', `${note}: ${code === 404 ? 'nothing is served on the registered httpPath' : 'the server failed'}`);
    } else if (code === 401 || code === 403) {
      finish('answering', `${note} (authentication required: the Thrift endpoint answers)`);
    } else if (code >= 300 && code < 400) {
      const location = /\nlocation:[ \t]*([^\r\n]{0,200})/i.exec(head)?.[1];
      finish('answering', `${note}: a redirect${location ? ` to ${preview(location.trim(), 100)}` : ''}, not followed (the driver's POST would not follow it either)`);
    } else {
      finish('answering', note);
    }
  };
  channel.on('data', (chunk: Buffer) => {
    if (size < MAX_HTTP_BYTES) {
      chunks.push(chunk);
    }
    size += chunk.length;
    decide(false);
  });
  channel.once('end', () => decide(true));
  channel.once('close', () => decide(true));
  channel.write(`GET ${path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUser-Agent: hive-zk-doctor\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
}

/**
 * The system's CAs plus the given ones, parsed once per list: a context per probe would parse some
 * 150 certificates for every connection, which under load costs more than the probe timeout.
 */
const contexts = new WeakMap<readonly string[], SecureContext>();
function contextWith(ca: readonly string[]): SecureContext {
  let context = contexts.get(ca);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, ...ca] });
    contexts.set(ca, context);
  }
  return context;
}

function tlsStatus(error: NodeJS.ErrnoException): ProbeStatus {
  const code = String(error.code ?? '');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return 'tls-hostname';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return 'tls-expired';
  }
  if (/CERT|SELF_SIGNED|ISSUER|VERIFY/.test(code)) {
    return 'tls-untrusted';
  }
  return 'tls-expected';
}
