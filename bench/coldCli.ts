// Rows 8: the CLI as an operator runs it — a fresh `node dist/cli.js` per run (start, connect,
// read, decode, print JSON into a pipe) — against the warm Java client on the same server in the
// same run. A 1-instance (1-lock) run's median is subtracted, leaving what the 10k/20k listing costs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface JavaRun {
  runs: number[];
}

/** CPU time (user + system) of this process's finished children so far (Linux /proc, 10 ms ticks); NaN elsewhere. */
function childrenCpuMs(): number {
  if (!existsSync('/proc/self/stat')) {
    return Number.NaN;
  }
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** One whole CLI process, its JSON read through a pipe: wall time from spawn to exit, and the CPU time it used. */
function cliOnce(cli: string, args: string[]): { ms: number; cpuMs: number } {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync('node', [cli, ...args], { maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`hive-zk ${args.join(' ')} exited ${result.status}: ${result.stderr.toString().slice(0, 300)}`);
  }
  return { ms, cpuMs: childrenCpuMs() - cpuBefore };
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
    const bigCpu: number[] = [];
    const smallCpu: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const one = cliOnce(cli, args(row.small));
      const all = cliOnce(cli, args(row.big));
      small.push(one.ms);
      smallCpu.push(one.cpuMs);
      big.push(all.ms);
      bigCpu.push(all.cpuMs);
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
      `ours: ${median(big).toFixed(0)} ms a process minus ${median(small).toFixed(0)} ms for 1 item (CPU ${median(bigCpu).toFixed(0)} minus ${median(smallCpu).toFixed(0)} ms); ${runs} runs each, alternating; Java warm`,
    ]);
    results.push({ name: row.name, big, small, bigCpu, smallCpu, marginal, javaPerRequest: perRequest.runs, javaMulti: multi.runs, ratio, vsMulti });
  }
}
