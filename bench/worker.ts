// One benchmark workload on the extension's core, in its own process so that its peak RSS is its own.
//   node out/bench/worker.js <connectString> expand|walk|resolve <namespace> <runs>
// Env: HIVEZK_BENCH_DEPTH (requests in flight), HIVEZK_BENCH_MULTIREAD=0 (single reads only),
// HIVEZK_BENCH_DIGEST=1 (a digest of the last result, taken outside the timing; costs memory),
// HIVEZK_BENCH_TLS (JSON TlsConfig: connect with TLS, files only — the rig's PEM files have no password).
// Prints {"runs":[ms…],"requests":n,"maxRssMb":n,"roundTrips":n,"checksum":n,"digest":"…"}.
import { createHash } from 'node:crypto';
import { listInstances } from '../src/core/hs2Registry';
import { walkLocks } from '../src/core/lockWalk';
import { resolveJdbcUrl } from '../src/core/resolver';
import { secureTransport } from '../src/core/secureTransport';
import type { TlsConfig } from '../src/core/tls';
import { ZkSession } from '../src/core/zkSession';

async function main(): Promise<void> {
  const [connectString = '', workload = '', namespace = '', runsText = '5'] = process.argv.slice(2);
  const depth = Number(process.env.HIVEZK_BENCH_DEPTH ?? 128);
  const multiRead = process.env.HIVEZK_BENCH_MULTIREAD !== '0';
  const tls = process.env.HIVEZK_BENCH_TLS ? (JSON.parse(process.env.HIVEZK_BENCH_TLS) as TlsConfig) : undefined;
  const session = new ZkSession({ connectString, requestTimeoutMs: 60_000, maxInFlight: depth, multiRead: { enabled: multiRead }, ...(tls ? { transport: secureTransport({ tls }) } : {}) });
  await session.open();
  const runs: number[] = [];
  let requests = 0;
  let roundTrips = 0;
  let checksum = 0;
  let digest: string | undefined;
  for (let run = -1; run < Number(runsText); run += 1) {
    const before = session.requestCount;
    const started = process.hrtime.bigint();
    let result: unknown;
    if (workload === 'expand') {
      result = await listInstances(session, namespace);
      checksum += (result as { instances: unknown[] }).instances.length;
    } else if (workload === 'walk') {
      result = await walkLocks(session, namespace);
      checksum += (result as { locks: unknown[] }).locks.length;
    } else if (workload === 'resolve' || workload === 'resolve-all') {
      const url = `jdbc:hive2://${connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${namespace}`;
      const resolution = await resolveJdbcUrl(url, () => session, { pickOnly: workload === 'resolve' });
      roundTrips = resolution.roundTrips;
      checksum += resolution.candidates.length;
    } else {
      throw new Error(`unknown workload ${workload}`);
    }
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (run >= 0) {
      runs.push(Number(elapsed.toFixed(2)));
      requests = session.requestCount - before;
    }
    if (process.env.HIVEZK_BENCH_DIGEST === '1' && result !== undefined) {
      digest = createHash('sha256').update(JSON.stringify(result)).digest('hex').slice(0, 16);
    }
  }
  session.close();
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ runs, requests, roundTrips, maxRssMb, checksum, digest })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
