// The health probes' transport: one four-letter word per short TCP connection (not a ZooKeeper
// session), read until the server closes it, bounded in time and size (boundedProbe.ts).

import { connect as netConnect } from 'node:net';
import type { HostPort } from '../zk/connectString';
import { boundedProbe, type ProbeFailure, type ProbeOptions, type ProbeReply } from './boundedProbe';
import type { HealthWord } from './healthReplies';

/** Sends one four-letter word on a fresh connection and reads until the server closes it. */
export function sendFourLetterWord(server: HostPort, word: HealthWord, options: ProbeOptions = {}): Promise<ProbeReply | ProbeFailure> {
  const where = `${server.host}:${server.port}`;
  return boundedProbe(
    options,
    (timeoutMs) => `${where} did not answer "${word}" within ${timeoutMs} ms`,
    (probe) => {
      const socket = netConnect({ host: server.host, port: server.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
      socket.once('connect', () => {
        if (socket.localAddress !== undefined && socket.localPort !== undefined) {
          probe.local = { address: socket.localAddress, port: socket.localPort };
        }
        socket.end(word);
      });
      socket.on('data', (chunk: Buffer) => probe.take(chunk));
      socket.once('close', () => {
        if (probe.size === 0) {
          probe.fail('closed', `${where} closed the connection without answering "${word}"`);
        } else {
          probe.reply();
        }
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        if (probe.size > 0) {
          probe.reply();
        } else {
          probe.fail(error.code === 'ECONNREFUSED' ? 'refused' : 'error', `${where}: ${error.code ?? error.message}`);
        }
      });
      return socket;
    },
  );
}
