// A TCP relay on 127.0.0.1 whose outgoing connections leave from another loopback address
// (127.0.0.2, 127.0.0.3 …), so a real ZooKeeper session appears to the server as a different client host.

import { connect, createServer, type Socket } from 'node:net';

export interface SourceProxy {
  /** Port on 127.0.0.1 to connect to instead of the target. */
  port: number;
  /** Connections relayed so far. */
  readonly relayed: number;
  close(): Promise<void>;
}

export async function startSourceProxy(target: { host: string; port: number }, sourceAddress: string): Promise<SourceProxy> {
  const sockets = new Set<Socket>();
  let relayed = 0;
  const server = createServer((inbound) => {
    relayed += 1;
    const outbound = connect({ host: target.host, port: target.port, localAddress: sourceAddress });
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // either side closing ends both below
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.once('close', () => outbound.destroy());
    outbound.once('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get relayed() {
      return relayed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/** Plain connections from a given loopback address that just stay open (no session), like a leaking client's. */
export async function openRawConnections(target: { host: string; port: number }, sourceAddress: string, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host: target.host, port: target.port, localAddress: sourceAddress });
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
}
