// A TCP relay on 127.0.0.1 whose outgoing connections leave from another loopback address
// (127.0.0.2, 127.0.0.3 …), so a real ZooKeeper session appears to the server as a different client host.

import { connect, type Socket } from 'node:net';
import { listenLoopbackProxy } from './loopbackProxy';

export interface SourceProxy {
  /** Port on 127.0.0.1 to connect to instead of the target. */
  port: number;
  /** Connections relayed so far. */
  readonly relayed: number;
  close(): Promise<void>;
}

export async function startSourceProxy(target: { host: string; port: number }, sourceAddress: string): Promise<SourceProxy> {
  let relayed = 0;
  const listening = await listenLoopbackProxy({ ...target, localAddress: sourceAddress }, ({ client, upstream }) => {
    relayed += 1;
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return {
    port: listening.port,
    get relayed() {
      return relayed;
    },
    close: listening.close,
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
