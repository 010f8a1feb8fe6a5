// A loopback proxy in front of a real ZooKeeper that answers the 3.6+ opcodes (multiRead 22, addWatch
// 106, setWatches2 105) as servers before 3.6 do (ZooKeeperServer.submitRequest → UnimplementedRequestProcessor): a -6 reply with
// zxid -1, then the connection is closed; the session itself lives on. Everything else passes through.

import { FrameSplitter, OPCODES } from '../../src/core/zk/wire';
import { listenLoopbackProxy } from './loopbackProxy';

export interface Pre36Proxy {
  port: number;
  /** Requests refused so far (3.6+ requests such as multiRead, addWatch, setWatches2; whoAmI when asked). */
  refused: number;
  /** Client connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** `refused`: the opcodes answered -6 (what a server before 3.6 does not know; add whoAmI, 107, for one before 3.7). */
export async function startPre36Proxy(targetPort: number, refused: readonly number[] = [OPCODES.multiRead, OPCODES.addWatch, OPCODES.setWatches2]): Promise<Pre36Proxy> {
  const proxy: Pre36Proxy = { port: 0, refused: 0, connections: 0, close: () => Promise.resolve() };
  const listening = await listenLoopbackProxy(targetPort, (connection) => {
    const { client, upstream } = connection;
    proxy.connections += 1;
    const splitter = new FrameSplitter();
    let connectRequestSeen = false;
    let refusing = false;
    client.on('data', (chunk: Buffer) => {
      splitter.push(chunk, (frame) => {
        if (refusing) {
          return;
        }
        if (connectRequestSeen && frame.length >= 12 && refused.includes(frame.readInt32BE(8))) {
          refusing = true;
          connection.ownsUpstreamClose = true;
          proxy.refused += 1;
          const reply = Buffer.alloc(20);
          reply.writeInt32BE(16, 0);
          reply.writeInt32BE(frame.readInt32BE(4), 4); // the request's xid
          reply.fill(0xff, 8, 16); // zxid -1: the request never reached the pipeline
          reply.writeInt32BE(-6, 16);
          client.end(reply);
          upstream.destroy();
          return;
        }
        connectRequestSeen = true;
        upstream.write(frame);
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!refusing) {
        client.write(chunk);
      }
    });
  });
  proxy.port = listening.port;
  proxy.close = listening.close;
  return proxy;
}
