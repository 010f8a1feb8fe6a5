// The AdminServer transport (ZooKeeper 3.5+): one HTTP GET per command, for the words a server has
// not whitelisted, with the same time and size bounds as the four-letter words.

import { request as httpRequest } from 'node:http';
import { PROBE_DEFAULTS, type ProbeFailure, type ProbeOptions, type ProbeReply } from './fourLetterWords';
import type { HealthWord } from './healthReplies';

/** The AdminServer's name for each word (the words also work as aliases, but not on every version). */
export const ADMIN_COMMANDS: Record<HealthWord, string> = { srvr: 'server_stats', mntr: 'monitor', cons: 'connections', conf: 'configuration' };


/** GETs one AdminServer command (http://host:adminPort/commands/<name>) with the same bounds. */
export function sendAdminCommand(server: { host: string; port: number }, word: HealthWord, options: ProbeOptions = {}): Promise<ProbeReply | ProbeFailure> {
  const timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxReplyBytes ?? PROBE_DEFAULTS.maxReplyBytes;
  const where = `http://${server.host}:${server.port}/commands/${ADMIN_COMMANDS[word]}`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeReply | ProbeFailure): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(result);
      }
    };
    const req = httpRequest({ host: server.host, port: server.port, path: `/commands/${ADMIN_COMMANDS[word]}`, method: 'GET', agent: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        finish({ failure: 'error', message: `${where} answered HTTP ${response.statusCode ?? '?'}` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        const room = maxBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (chunk.length > room) {
          finish({ text: Buffer.concat(chunks).toString('utf8'), truncated: true });
        }
      });
      response.once('end', () => finish({ text: Buffer.concat(chunks).toString('utf8'), truncated: false }));
      response.once('error', (error) => finish({ failure: 'error', message: `${where}: ${error.message}` }));
    });
    const timer = setTimeout(() => finish({ failure: 'timeout', message: `${where} did not answer within ${timeoutMs} ms` }), timeoutMs);
    req.once('error', (error: NodeJS.ErrnoException) => finish({ failure: error.code === 'ECONNREFUSED' ? 'refused' : 'error', message: `${where}: ${error.code ?? error.message}` }));
    req.end();
  });
}
