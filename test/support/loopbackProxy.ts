// The plumbing of the tests' loopback proxies in front of a real ZooKeeper: each client connection
// gets its own upstream connection, both closed together, all closed with the proxy. What passes
// between them is the caller's.

import { createServer, connect, type Socket } from 'node:net';

export interface ProxiedConnection {
  client: Socket;
  upstream: Socket;
  /** Set by the caller when it closes the upstream itself and answers the client alone (then only the client's close ends both). */
  ownsUpstreamClose: boolean;
  /** Closes both sockets. */
  close: () => void;
}

export interface LoopbackProxy {
  port: number;
  close: () => Promise<void>;
}

export interface ProxyTarget {
  port: number;
  /** A loopback address; 127.0.0.1 when not given. */
  host?: string;
  /** The loopback address upstream connections leave from (the server sees another client host). */
  localAddress?: string;
}

/** Listens on 127.0.0.1 (an ephemeral port); `connected` wires each client connection to its upstream at `target`. */
export async function listenLoopbackProxy(target: number | ProxyTarget, connected: (connection: ProxiedConnection) => void): Promise<LoopbackProxy> {
  const { port, host = '127.0.0.1', localAddress } = typeof target === 'number' ? { port: target } : target;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host, port, ...(localAddress !== undefined ? { localAddress } : {}) });
    sockets.add(client).add(upstream);
    const connection: ProxiedConnection = {
      client,
      upstream,
      ownsUpstreamClose: false,
      close: () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      },
    };
    client.on('close', connection.close);
    client.on('error', connection.close);
    upstream.on('error', connection.close);
    upstream.on('close', () => connection.ownsUpstreamClose || connection.close());
    connected(connection);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
