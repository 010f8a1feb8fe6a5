// Rogue health endpoints on 127.0.0.1: a four-letter-word port or an AdminServer that is silent,
// closes at once, drips, floods, sends garbage or answers "not whitelisted" — counting connections,
// so tests can tell how many requests a probe made.

import { createServer, type Server, type Socket } from 'node:net';

export type RogueBehaviour =
  | 'silent'
  | 'close'
  | 'drip'
  | 'flood'
  | 'garbage'
  | 'notWhitelisted'
  | 'srvrOnly'
  | 'httpSilent'
  | 'httpDrip'
  | 'httpFlood'
  | 'http500'
  | 'httpDeepJson'
  | 'httpHugeJson';

export const ROGUE_BEHAVIOURS: readonly RogueBehaviour[] = ['silent', 'close', 'drip', 'flood', 'garbage', 'notWhitelisted', 'srvrOnly', 'httpSilent', 'httpDrip', 'httpFlood', 'http500', 'httpDeepJson', 'httpHugeJson'];

export interface Rogue {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const SRVR = 'Zookeeper version: 3.8.0-abc, built on 2022-02-25\nLatency min/avg/max: 0/0.5/10\nReceived: 10\nSent: 10\nConnections: 1\nOutstanding: 0\nZxid: 0x10\nMode: standalone\nNode count: 5\n';
const HTTP_OK = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n';

function pump(socket: Socket, chunk: Buffer | string): void {
  const write = (): void => {
    while (!socket.destroyed && socket.write(chunk)) {
      // until the socket pushes back
    }
  };
  socket.on('drain', write);
  write();
}

function drip(socket: Socket, text: string, everyMs: number): void {
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(text)), everyMs);
  socket.once('close', () => clearInterval(timer));
}

/** Reads the request (a four-letter word, or HTTP headers) before answering, as a server would. */
function onRequest(socket: Socket, answer: (request: string) => void): void {
  let request = '';
  socket.on('data', (chunk: Buffer) => {
    const first = request === '';
    request += chunk.toString('latin1');
    if (first) {
      answer(request);
    }
  });
}

function behave(socket: Socket, behaviour: RogueBehaviour): void {
  socket.on('error', () => undefined);
  switch (behaviour) {
    case 'silent':
    case 'httpSilent':
      return;
    case 'close':
      socket.destroy();
      return;
    case 'drip':
      onRequest(socket, () => drip(socket, 'Z', 100));
      return;
    case 'flood':
      onRequest(socket, () => pump(socket, Buffer.alloc(64 * 1024, 'x')));
      return;
    case 'garbage':
      onRequest(socket, () => socket.end(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256))));
      return;
    case 'notWhitelisted':
      onRequest(socket, (word) => socket.end(`${word.slice(0, 4)} is not executed because it is not in the whitelist.\n`));
      return;
    case 'srvrOnly':
      onRequest(socket, (word) => socket.end(word.startsWith('srvr') ? SRVR : `${word.slice(0, 4)} is not executed because it is not in the whitelist.\n`));
      return;
    case 'httpDrip':
      onRequest(socket, () => {
        socket.write(HTTP_OK);
        drip(socket, ' ', 100);
      });
      return;
    case 'httpFlood':
      onRequest(socket, () => {
        socket.write(HTTP_OK);
        pump(socket, Buffer.alloc(64 * 1024, ' '));
      });
      return;
    case 'http500':
      onRequest(socket, () => socket.end('HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
      return;
    case 'httpDeepJson':
      onRequest(socket, () => socket.end(`${HTTP_OK}${'['.repeat(2_000_000)}`));
      return;
    case 'httpHugeJson':
      onRequest(socket, () => socket.end(`${HTTP_OK}{"connections":[${Array.from({ length: 40_000 }, (_, i) => `{"remote_socket_address":"10.0.${i % 250}.1:${1000 + (i % 60000)}","session_id":${i}}`).join(',')}]}`));
      return;
  }
}

export async function startRogue(behaviour: RogueBehaviour): Promise<Rogue> {
  let count = 0;
  const sockets = new Set<Socket>();
  // Half-open, as a real server: the client's end of its request does not end the answer.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    count += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    behave(socket, behaviour);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
