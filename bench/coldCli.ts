// Rows 8: the CLI as an operator runs it — a fresh `node dist/cli.js` per run (start, connect,
// read, decode, print JSON into a pipe) — against the warm Java client on the same server in the
// same run. A 1-instance (1-lock) run's median is subtracted, leaving what the 10k/20k listing costs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface JavaRun {
  runs: number[];
}

/** One whole CLI process, wall time in ms from spawn to exit, its JSON read through a pipe. */
function cliOnce(cli: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync('node', [cli, ...args], { maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`hive-zk ${args.join(' ')} exited ${result.status}: ${result.stderr.toString().slice(0, 300)}`);
  }
  return ms;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] ?? NaN) + (sorted[Math.ceil(mid)] ?? NaN)) / 2;
};

/**
 * For each workload: the listing and its 1-item baseline run alternately (runs × 2 processes, one
 * untimed pair first), then Java's per-request and multiRead runs of the same read.
 */
export function coldCliRows(
  root: string,
  zk: string,
  runs: number,
  java: (workload: string, path: string) => { perRequest: JavaRun; multi: JavaRun },
  print: (cells: string[]) => void,
  results: Record<string, unknown>[],
): void {
  const cli = join(root, 'dist', 'cli.js');
  const rows = [
    { name: '8. hive-zk instances, 10k (whole process)', command: 'instances', big: 'bench10k', small: 'bench1', workload: 'expand', javaPath: '/bench10k' },
    { name: '8. hive-zk locks, 20k walk (whole process)', command: 'locks', big: 'locks20k', small: 'locks1', workload: 'walk', javaPath: '/locks20k' },
  ];
  for (const row of rows) {
    const args = (namespace: string): string[] => [row.command, '--zk', zk, '--namespace', namespace];
    cliOnce(cli, args(row.small));
    cliOnce(cli, args(row.big));
    const big: number[] = [];
    const small: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      small.push(cliOnce(cli, args(row.small)));
      big.push(cliOnce(cli, args(row.big)));
    }
    const { perRequest, multi } = java(row.workload, row.javaPath);
    const marginal = median(big) - median(small);
    const ratio = marginal / median(perRequest.runs);
    const vsMulti = marginal / median(multi.runs);
    const met = ratio <= 0.4 && vsMulti <= 5;
    print([
      row.name,
      marginal.toFixed(1),
      median(perRequest.runs).toFixed(1),
      median(multi.runs).toFixed(1),
      `${ratio.toFixed(2)}×`,
      `${vsMulti.toFixed(2)}×`,
      `≤ 0.40× / ≤ 5× ${met ? 'met' : 'MISSED'}`,
      `ours: ${median(big).toFixed(0)} ms a process minus ${median(small).toFixed(0)} ms for 1 item; ${runs} runs each, alternating; Java warm`,
    ]);
    results.push({ name: row.name, big, small, marginal, javaPerRequest: perRequest.runs, javaMulti: multi.runs, ratio, vsMulti });
  }
}
