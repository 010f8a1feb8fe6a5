// A loopback proxy in front of a real ZooKeeper that holds the reply to one opcode (say addWatch) back
// until the server's next frame, then writes both in one socket write: the client reads them in one
// chunk, as it can on a busy connection. Everything else passes through as it comes; requests are
// counted by opcode.

import { FrameSplitter } from '../../src/core/zk/wire';
import { listenLoopbackProxy } from './loopbackProxy';

export interface CoalescingProxy {
  port: number;
  /** Resolves when a reply is being held (the server has done the request; its next frame joins it). */
  held: Promise<void>;
  /** Replies written together with the frame after them. */
  coalesced: number;
  /** Requests seen, by opcode (every connection, the connect request not counted). */
  opcodes: Map<number, number>;
  close(): Promise<void>;
}

/** `opcode`: the request whose reply is held. A held reply goes out alone after `maxHoldMs` if nothing follows. */
export async function startCoalescingProxy(targetPort: number, opcode: number, maxHoldMs = 5000): Promise<CoalescingProxy> {
  let heldNow: () => void = () => undefined;
  const proxy: CoalescingProxy = { port: 0, held: new Promise<void>((resolve) => (heldNow = resolve)), coalesced: 0, opcodes: new Map(), close: () => Promise.resolve() };
  const listening = await listenLoopbackProxy(targetPort, ({ client, upstream }) => {
    const xids = new Set<number>();
    const fromClient = new FrameSplitter();
    const fromServer = new FrameSplitter();
    let connectSeen = false;
    let connectReplySeen = false;
    let held: { frame: Buffer; timer: NodeJS.Timeout } | undefined;
    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk, (frame) => {
        if (connectSeen && frame.length >= 12) {
          const seen = frame.readInt32BE(8);
          proxy.opcodes.set(seen, (proxy.opcodes.get(seen) ?? 0) + 1);
          if (seen === opcode) {
            xids.add(frame.readInt32BE(4));
          }
        }
        connectSeen = true;
        upstream.write(frame);
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer.push(chunk, (frame) => {
        if (held) {
          clearTimeout(held.timer);
          client.write(Buffer.concat([held.frame, frame]));
          held = undefined;
          proxy.coalesced += 1;
          return;
        }
        if (connectReplySeen && frame.length >= 8 && xids.delete(frame.readInt32BE(4))) {
          const frameNow = frame;
          held = {
            frame: frameNow,
            timer: setTimeout(() => {
              held = undefined;
              client.write(frameNow);
            }, maxHoldMs),
          };
          heldNow();
          return;
        }
        connectReplySeen = true;
        client.write(frame);
      });
    });
    client.on('close', () => held && clearTimeout(held.timer));
  });
  proxy.port = listening.port;
  proxy.close = listening.close;
  return proxy;
}
