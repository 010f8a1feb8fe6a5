// Runs test/support/hostileChild.ts in a child process under a hard time limit and returns its
// report (outcomes and peak memory); a child still running at the limit is killed and fails the test.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ChildReport } from './hostileChild';

/** Every hostile input must stay under this peak (the issue's bound). */
export const MAX_RSS_MB = 400;

const child = join(__dirname, 'hostileChild.js');

export function runHostile(args: readonly string[], limitMs: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', child, ...args], { timeout: limitMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`hostile case ${args[0] ?? ''} ${error.killed ? `still running after ${limitMs} ms (killed)` : `failed: ${stderr.slice(0, 2000)}`}`));
        return;
      }
      resolve(JSON.parse(stdout) as ChildReport);
    });
  });
}
