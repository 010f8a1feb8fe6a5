// The AdminServer transport (ZooKeeper 3.5+): one HTTP GET per command, for the words a server has
// not whitelisted, with the same time and size bounds as the four-letter words (boundedProbe.ts).

import { request as httpRequest } from 'node:http';
import { boundedProbe, type ProbeFailure, type ProbeOptions, type ProbeReply } from './boundedProbe';
import type { HealthWord } from './healthReplies';

/** The AdminServer's name for each word (the words also work as aliases, but not on every version). */
export const ADMIN_COMMANDS: Record<HealthWord, string> = { srvr: 'server_stats', mntr: 'monitor', cons: 'connections', conf: 'configuration' };

/** GETs one AdminServer command (http://host:adminPort/commands/<name>) with the same bounds. */
export function sendAdminCommand(server: { host: string; port: number }, word: HealthWord, options: ProbeOptions = {}): Promise<ProbeReply | ProbeFailure> {
  const path = `/commands/${ADMIN_COMMANDS[word]}`;
  const where = `http://${server.host}:${server.port}${path}`;
  return boundedProbe(
    options,
    (timeoutMs) => `${where} did not answer within ${timeoutMs} ms`,
    (probe) => {
      const req = httpRequest({ host: server.host, port: server.port, path, method: 'GET', agent: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          probe.fail('error', `${where} answered HTTP ${response.statusCode ?? '?'}`);
          return;
        }
        response.on('data', (chunk: Buffer) => probe.take(chunk));
        response.once('end', () => probe.reply());
        response.once('error', (error) => probe.fail('error', `${where}: ${error.message}`));
      });
      req.once('error', (error: NodeJS.ErrnoException) => probe.fail(error.code === 'ECONNREFUSED' ? 'refused' : 'error', `${where}: ${error.code ?? error.message}`));
      req.end();
      return req;
    },
  );
}
