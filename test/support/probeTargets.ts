// Real listeners on 127.0.0.1 for the registry doctor's probes: plain TCP, TLS with certificates made
// now by openssl (trusted, wrong host, expired, untrusted), HTTP answering 401 / 404 / a redirect,
// listeners that accept and never answer, drip bytes, or flood, and a port whose accept queue is full.
// Every listener binds 127.0.0.1 only; every process is stopped by its own PID.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { LOOPBACK_ENV } from '../../src/core/doctor/probe';

// Whatever runs a probe in this process probes loopback only.
process.env[LOOPBACK_ENV] = '1';

export interface ProbeCertificates {
  dir: string;
  caPem: string;
  /** PEM text of the CA, for ProbeOptions.ca. */
  ca: string;
  /** CA-signed, SAN localhost + 127.0.0.1. */
  good: { key: string; cert: string };
  /** CA-signed, SAN hs2.wrong.test only. */
  wrongHost: { key: string; cert: string };
  /** CA-signed, SAN localhost, notAfter in the past. */
  expired: { key: string; cert: string };
  /** Self-signed, SAN localhost: no CA we trust signed it. */
  untrusted: { key: string; cert: string };
  remove(): void;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${Buffer.concat(err).toString()}`))));
  });
}

export async function makeProbeCertificates(): Promise<ProbeCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-probe-certs-'));
  const p = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=Probe Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign']);
    const leaf = async (name: string, san: string, days: string, selfSigned = false): Promise<void> => {
      writeFileSync(p(`${name}.ext`), `subjectAltName=${san}\n`);
      if (selfSigned) {
        await run('openssl', ['req', '-x509', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.pem`), '-days', days, '-subj', '/CN=localhost', '-addext', `subjectAltName=${san}`]);
        return;
      }
      await run('openssl', ['req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', '/CN=localhost']);
      // -days -1: notAfter a day before notBefore, so the certificate is already expired.
      await run('openssl', ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', days, '-extfile', p(`${name}.ext`), '-out', p(`${name}.pem`)]);
    };
    await Promise.all([leaf('good', 'DNS:localhost,IP:127.0.0.1', '2'), leaf('wrong', 'DNS:hs2.wrong.test', '2'), leaf('expired', 'DNS:localhost,IP:127.0.0.1', '-1'), leaf('untrusted', 'DNS:localhost,IP:127.0.0.1', '2', true)]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pair = (name: string): { key: string; cert: string } => ({ key: readFileSync(p(`${name}.key`), 'utf8'), cert: readFileSync(p(`${name}.pem`), 'utf8') });
  return {
    dir,
    caPem: p('ca.pem'),
    ca: readFileSync(p('ca.pem'), 'utf8'),
    good: pair('good'),
    wrongHost: pair('wrong'),
    expired: pair('expired'),
    untrusted: pair('untrusted'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Listener {
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:0; closing also destroys every socket the listener accepted. */
async function listen(server: Server, sockets: Set<Socket>): Promise<Listener> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/** Accepts and keeps the connection open, saying nothing (a Thrift server waits for the client). */
export function silentListener(): Promise<Listener> {
  return listen(createServer(() => undefined), new Set());
}

/** Answers each connection with `text` and closes (not TLS, not HTTP). */
export function chattyListener(text: string): Promise<Listener> {
  return listen(createServer((socket) => socket.end(text)), new Set());
}

/** Sends one byte every `everyMs`, forever: an answer that never completes. */
export function drippingListener(everyMs = 50): Promise<Listener> {
  const sockets = new Set<Socket>();
  return listen(
    createServer((socket) => {
      const timer = setInterval(() => socket.write('H'), everyMs);
      socket.once('close', () => clearInterval(timer));
    }),
    sockets,
  );
}

/** Writes as fast as the peer reads (gigabytes if it kept reading), starting with `head`. */
export function floodingListener(head = ''): Promise<Listener> {
  const block = Buffer.alloc(64 * 1024, 'x');
  return listen(
    createServer((socket) => {
      socket.write(head);
      const pump = (): void => {
        while (!socket.destroyed && socket.write(block)) {
          // keep writing until the kernel buffer is full
        }
      };
      socket.on('drain', pump);
      pump();
    }),
    new Set(),
  );
}

/** An HTTP server answering every request with `status` (and a Location for redirects), counting requests. */
export async function httpListener(status: number, options: { location?: string } = {}): Promise<Listener & { requests: { method: string; url: string }[] }> {
  const requests: { method: string; url: string }[] = [];
  const server = createHttpServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    res.writeHead(status, options.location ? { Location: options.location } : {});
    res.end(status === 401 ? 'Unauthorized' : 'body');
  });
  const listener = await listen(server, new Set());
  return { ...listener, requests };
}

/** A TLS server with this key and certificate; with `http`, it answers HTTP with that status. */
export function tlsListener(pair: { key: string; cert: string }, http?: number): Promise<Listener> {
  const server = createTlsServer({ key: pair.key, cert: pair.cert }, (socket) => {
    socket.on('error', () => undefined);
    if (http !== undefined) {
      socket.once('data', () => socket.end(`HTTP/1.1 ${http} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`));
    }
  });
  server.on('tlsClientError', () => undefined);
  return listen(server, new Set());
}

/**
 * A port whose accept queue is full: a listener (python3, backlog 0) that never accepts, with the
 * queue filled by our own connections, so the kernel drops further SYNs and a connect times out.
 */
export async function fullBacklogListener(): Promise<Listener> {
  const child: ChildProcess = spawn('python3', ['-c', 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  const fillers: Socket[] = [];
  // Backlog 0 holds one or two completed connections; a few more fill it whatever the kernel rounds to.
  for (let i = 0; i < 4; i += 1) {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    fillers.push(socket);
  }
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    close: async () => {
      fillers.forEach((s) => s.destroy());
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    },
  };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const listener = await silentListener();
  await listener.close();
  return listener.port;
}
