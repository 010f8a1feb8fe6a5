// Why a ZooKeeper ensemble could not be reached, told apart for users: the host name does not
// resolve, nothing listens on the port, nothing answers at all, or a server accepts the connection
// but never completes the ZooKeeper handshake (a TLS-only port, or the wrong service).
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import type { ConnectString } from '../zk/connectString';

export type UnreachableKind = 'dns' | 'refused' | 'timeout' | 'noHandshake';

export interface Reachability {
  kind: UnreachableKind;
  /** The server the verdict is about, "host:port". */
  server: string;
  /** One short line for a tree row. */
  label: string;
}

type Probe = { server: string; result: 'dns' | 'refused' | 'timeout' | 'open' };

/** Resolves the host and opens (then closes) a TCP connection; never waits longer than `timeoutMs`. */
async function probe(host: string, port: number, timeoutMs: number): Promise<Probe> {
  const server = `${host}:${port}`;
  try {
    await lookup(host);
  } catch {
    return { server, result: 'dns' };
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: Probe['result']): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ server, result });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? 'dns' : 'timeout'));
  });
}

/**
 * Probes every server of an ensemble that failed to connect and gives the most telling verdict: a
 * server that accepts TCP but did not talk ZooKeeper beats refusals, refusals beat timeouts, and DNS
 * is the verdict only when no name resolves.
 */
export async function diagnoseUnreachable(connect: ConnectString, timeoutMs = 3000): Promise<Reachability> {
  const probes = await Promise.all(connect.servers.map((s) => probe(s.host, s.port, timeoutMs)));
  const first = (result: Probe['result']): Probe | undefined => probes.find((p) => p.result === result);
  const open = first('open');
  if (open) {
    return { kind: 'noHandshake', server: open.server, label: `No ZooKeeper handshake from ${open.server} (a TLS-only port?)` };
  }
  const refused = first('refused');
  if (refused) {
    return { kind: 'refused', server: refused.server, label: `Connection refused by ${refused.server}` };
  }
  const timedOut = first('timeout');
  if (timedOut) {
    return { kind: 'timeout', server: timedOut.server, label: `No answer from ${timedOut.server} (timed out)` };
  }
  const dns = probes[0] ?? { server: '?' };
  return { kind: 'dns', server: dns.server, label: `Unknown host: ${dns.server.slice(0, dns.server.lastIndexOf(':'))}` };
}
