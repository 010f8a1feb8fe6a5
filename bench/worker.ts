// One benchmark workload on the extension's core, in its own process so that its peak RSS is its own.
//   node out/bench/worker.js <connectString> expand|walk|resolve <namespace> <runs>
// Env: HIVEZK_BENCH_DEPTH (requests in flight), HIVEZK_BENCH_MULTIREAD=0 (single reads only),
// HIVEZK_BENCH_DIGEST=1 (a digest of the last result, taken outside the timing; costs memory),
// HIVEZK_BENCH_TLS (JSON TlsConfig: connect with TLS, files only — the rig's PEM files have no password),
// HIVEZK_BENCH_PAIRED=<connectString> (a second session, never TLS, runs the same workload in turn with
// the first, order alternating run by run; HIVEZK_BENCH_PAIRED_MULTIREAD=0:
// that session reads with single reads only),
// HIVEZK_BENCH_SERVER_PID (Linux: the server's process, whose CPU time per run is read from /proc).
// Prints {"runs":[ms…],"requests":n,"maxRssMb":n,"roundTrips":n,"checksum":n,"digest":"…"}; paired, also
// "pairedRuns" and "pairedDigest", and per run the CPU time of this process ("cpuMs", "pairedCpuMs") and
// of the server ("serverCpuMs", "pairedServerCpuMs"; 10 ms ticks, so meaningful only summed over many runs).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { listInstances } from '../src/core/registry/hs2Registry';
import { walkLocks } from '../src/core/locks/lockWalk';
import { resolveJdbcUrl } from '../src/core/jdbc/resolver';
import { secureTransport } from '../src/core/zk/auth/secureTransport';
import type { TlsConfig } from '../src/core/zk/auth/tls';
import { ZkSession } from '../src/core/zk/session';

interface Timed {
  ms: number;
  cpuMs: number;
  serverCpuMs: number;
  result: unknown;
}

/** CPU time (user + system) a process has used so far, from /proc (fields 14 and 15, in 10 ms ticks). */
function processCpuMs(pid: string | undefined): number {
  if (!pid) {
    return 0;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const [connectString = '', workload = '', namespace = '', runsText = '5'] = process.argv.slice(2);
  const depth = Number(process.env.HIVEZK_BENCH_DEPTH ?? 128);
  const multiRead = process.env.HIVEZK_BENCH_MULTIREAD !== '0';
  const tls = process.env.HIVEZK_BENCH_TLS ? (JSON.parse(process.env.HIVEZK_BENCH_TLS) as TlsConfig) : undefined;
  const pairedWith = process.env.HIVEZK_BENCH_PAIRED || undefined;
  const serverPid = process.env.HIVEZK_BENCH_SERVER_PID || undefined;
  const sessionTo = (zk: string, secured: boolean, batched: boolean): ZkSession =>
    new ZkSession({ connectString: zk, requestTimeoutMs: 60_000, maxInFlight: depth, multiRead: { enabled: batched }, ...(secured && tls ? { transport: secureTransport({ tls }) } : {}) });
  const session = sessionTo(connectString, true, multiRead);
  const paired = pairedWith ? sessionTo(pairedWith, false, process.env.HIVEZK_BENCH_PAIRED_MULTIREAD !== '0') : undefined;
  await session.open();
  await paired?.open();
  let roundTrips = 0;
  let checksum = 0;

  const runOnce = async (on: ZkSession): Promise<Timed> => {
    const cpuBefore = process.cpuUsage();
    const serverBefore = processCpuMs(serverPid);
    const started = process.hrtime.bigint();
    let result: unknown;
    if (workload === 'expand') {
      result = await listInstances(on, namespace);
      checksum += (result as { instances: unknown[] }).instances.length;
    } else if (workload === 'walk') {
      result = await walkLocks(on, namespace);
      checksum += (result as { locks: unknown[] }).locks.length;
    } else if (workload === 'resolve' || workload === 'resolve-all') {
      const url = `jdbc:hive2://${connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${namespace}`;
      const resolution = await resolveJdbcUrl(url, () => on, { pickOnly: workload === 'resolve' });
      roundTrips = resolution.roundTrips;
      checksum += resolution.candidates.length;
    } else {
      throw new Error(`unknown workload ${workload}`);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(cpuBefore);
    return { ms: Number(ms.toFixed(2)), cpuMs: Number(((cpu.user + cpu.system) / 1000).toFixed(2)), serverCpuMs: processCpuMs(serverPid) - serverBefore, result };
  };

  const runs: number[] = [];
  const cpuMs: number[] = [];
  const pairedRuns: number[] = [];
  const pairedCpuMs: number[] = [];
  const serverCpuMs: number[] = [];
  const pairedServerCpuMs: number[] = [];
  let requests = 0;
  let digest: string | undefined;
  let pairedDigest: string | undefined;
  const digestOf = (result: unknown): string | undefined =>
    process.env.HIVEZK_BENCH_DIGEST === '1' && result !== undefined ? createHash('sha256').update(JSON.stringify(result)).digest('hex').slice(0, 16) : undefined;
  const warmups = Number(process.env.HIVEZK_BENCH_WARMUP ?? 1);
  let timed: Timed | undefined;
  let pairedTimed: Timed | undefined;
  for (let run = -warmups; run < Number(runsText); run += 1) {
    // The previous run's results are let go before this run, as Java's are: a suspended async
    // function could otherwise hold them through it, two walks' locks at once.
    timed = undefined;
    pairedTimed = undefined;
    const before = session.requestCount;
    if (paired) {
      // Alternate which side goes first, so neither always runs just after the other's garbage.
      if (run % 2 === 0) {
        pairedTimed = await runOnce(paired);
      }
      timed = await runOnce(session);
      pairedTimed ??= await runOnce(paired);
      if (run >= 0) {
        pairedRuns.push(pairedTimed.ms);
        pairedCpuMs.push(pairedTimed.cpuMs);
        pairedServerCpuMs.push(pairedTimed.serverCpuMs);
      }
      pairedDigest = digestOf(pairedTimed.result);
    } else {
      timed = await runOnce(session);
    }
    if (run >= 0) {
      runs.push(timed.ms);
      cpuMs.push(timed.cpuMs);
      serverCpuMs.push(timed.serverCpuMs);
      requests = session.requestCount - before;
    }
    digest = digestOf(timed.result);
  }
  session.close();
  paired?.close();
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ runs, requests, roundTrips, maxRssMb, checksum, digest, ...(paired ? { cpuMs, pairedRuns, pairedDigest, pairedCpuMs, serverCpuMs, pairedServerCpuMs } : {}) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
