// The health probes' transport: one four-letter word per short TCP connection (not a ZooKeeper
// session), read until the server closes it, bounded in time and size.

import { connect as netConnect } from 'node:net';
import type { HostPort } from '../zk/connectString';
import type { HealthWord } from './healthReplies';

export interface ProbeOptions {
  /** Per request, connect and reply included. */
  timeoutMs?: number;
  /** Replies are cut (and marked truncated) beyond this many bytes. */
  maxReplyBytes?: number;
  /** Local address to connect from (tests use other loopback addresses). */
  localAddress?: string;
}

export const PROBE_DEFAULTS = { timeoutMs: 5000, maxReplyBytes: 4 * 1024 * 1024 };

export interface ProbeReply {
  text: string;
  truncated: boolean;
  /** Our own end of the connection, so the `cons` line of this very request can be left out. */
  local?: { address: string; port: number };
}

export type ProbeFailure = { failure: 'refused' | 'timeout' | 'closed' | 'error'; message: string };

/** Sends one four-letter word on a fresh connection and reads until the server closes it. */
export function sendFourLetterWord(server: HostPort, word: HealthWord, options: ProbeOptions = {}): Promise<ProbeReply | ProbeFailure> {
  const timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxReplyBytes ?? PROBE_DEFAULTS.maxReplyBytes;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let local: ProbeReply['local'];
    let settled = false;
    const socket = netConnect({ host: server.host, port: server.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const finish = (result: ProbeReply | ProbeFailure): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      }
    };
    const reply = (): ProbeReply => ({ text: Buffer.concat(chunks).toString('utf8'), truncated, ...(local ? { local } : {}) });
    const timer = setTimeout(() => finish({ failure: 'timeout', message: `${server.host}:${server.port} did not answer "${word}" within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => {
      if (socket.localAddress !== undefined && socket.localPort !== undefined) {
        local = { address: socket.localAddress, port: socket.localPort };
      }
      socket.end(word);
    });
    socket.on('data', (chunk: Buffer) => {
      const room = maxBytes - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        finish(reply());
      }
    });
    socket.once('close', () => {
      finish(size === 0 ? { failure: 'closed', message: `${server.host}:${server.port} closed the connection without answering "${word}"` } : reply());
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (size > 0) {
        finish(reply());
      } else {
        finish({ failure: error.code === 'ECONNREFUSED' ? 'refused' : 'error', message: `${server.host}:${server.port}: ${error.code ?? error.message}` });
      }
    });
  });
}

export function isFailure(reply: ProbeReply | ProbeFailure): reply is ProbeFailure {
  return 'failure' in reply;
}
