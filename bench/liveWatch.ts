// Row 9 of `npm run bench`: the live timeline under load. 1,000 lock changes a second for 60 s on a
// tree of 100k standing locks, followed by one persistent recursive watch in its own process (CPU and
// RSS its own); the server's watch counts (mntr zk_watch_count, wchs) against per-node child watches.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ZkSession } from '../src/core/zk/session';
import { fourLetterWord, startZooKeeper } from '../test/support/zkServer';
import { seedLocks } from './seed';

const RATE = 1000;
const DURATION_MS = Number(process.env.BENCH_WATCH_SECONDS ?? 60) * 1000;
const TICK_MS = 100;

interface WorkerReady {
  mode: string;
  watches: number;
  rssMb: number;
}
interface WorkerDone {
  lockEvents: number;
  dropped: number;
  cpuMs: number;
  wallMs: number;
  peakRssMb: number;
  readyRssMb: number;
}

function startWorker(root: string, zk: string, lockRoot: string, mode: string): { child: ChildProcessWithoutNullStreams; next: () => Promise<unknown> } {
  const child = spawn('node', ['--expose-gc', '--max-old-space-size=1024', join(root, 'out', 'bench', 'watchWorker.js'), zk, lockRoot, mode]);
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => (waiting.length > 0 ? waiting.shift()?.(line) : queue.push(line)));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the watch worker (${mode}) exited with ${code}`))));
  const next = (): Promise<unknown> => Promise.race([new Promise<string>((resolve) => (queue.length > 0 ? resolve(queue.shift() as string) : waiting.push(resolve))), exited]).then((line) => JSON.parse(line) as unknown);
  return { child, next };
}

/** zk_watch_count from mntr, and wchs's "watching N paths" and total. */
async function watchCounts(port: number): Promise<{ watchCount: number; wchsPaths: number; wchsTotal: number }> {
  const mntr = await fourLetterWord(port, 'mntr');
  const wchs = await fourLetterWord(port, 'wchs');
  return {
    watchCount: Number(/^zk_watch_count\s+(\d+)/m.exec(mntr)?.[1] ?? NaN),
    wchsPaths: Number(/watching (\d+) paths/.exec(wchs)?.[1] ?? NaN),
    wchsTotal: Number(/Total watches:(\d+)/.exec(wchs)?.[1] ?? NaN),
  };
}

/**
 * Drives RATE lock changes a second (creates, and deletes of the drive's own older locks, half each)
 * on random partitions of a seedLocks tree of `dbs`×`tables`×`partitions`; returns the changes made.
 */
async function drive(zk: string, lockRoot: string, dbs: number, tables: number, partitions: number): Promise<number> {
  const driver = new ZkSession({ connectString: zk, maxInFlight: 512, requestTimeoutMs: 60_000 });
  const standing: string[] = [];
  let changes = 0;
  let n = 0;
  const started = Date.now();
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>): void => {
    const settled = work.then(
      () => (changes += 1),
      () => undefined,
    );
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
  };
  for (let tick = 0; Date.now() - started < DURATION_MS; tick += 1) {
    const perTick = (RATE * TICK_MS) / 1000;
    for (let i = 0; i < perTick / 2; i += 1) {
      n += 1;
      const object = `/${lockRoot}/db${n % dbs}/table_${(n >> 3) % tables}/ds=2026-11-${String((n * 7) % partitions).padStart(3, '0')}`;
      track(driver.create(`${object}/LOCK-SHARED-`, Buffer.from(`hive_bench_live_q${n}:${Date.now()}:IMPLICIT:insert into t select ${n}:10.1.0.${n & 255}`), 'ephemeralSequential').then((path) => standing.push(path)));
      const old = standing.length > 200 ? standing.shift() : undefined;
      if (old) {
        track(driver.remove(old));
      }
    }
    // Keep to the rate: the next tick starts on its time, not when this one's requests are answered.
    const due = started + (tick + 1) * TICK_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  await Promise.all(inFlight);
  for (const path of standing.splice(0)) {
    track(driver.remove(path));
  }
  await Promise.all(inFlight);
  driver.close();
  return changes;
}

export async function liveWatchRow(root: string, zk: string, port: number, lockRoot: string, shape: [number, number, number], print: (cells: string[]) => void, results: Record<string, unknown>[]): Promise<void> {
  // Per-node watches (what servers before 3.6 need): one child watch per znode of the tree.
  const perNode = startWorker(root, zk, lockRoot, 'per-node');
  const perNodeReady = (await perNode.next()) as WorkerReady;
  const perNodeCounts = await watchCounts(port);
  perNode.child.stdin.write('0\n');
  await perNode.next();
  const ours = startWorker(root, zk, lockRoot, 'persistent-recursive');
  const ready = (await ours.next()) as WorkerReady;
  const started = Date.now();
  const counting = (async () => {
    await new Promise((r) => setTimeout(r, DURATION_MS / 2));
    return watchCounts(port);
  })();
  const changes = await drive(zk, lockRoot, ...shape);
  const driveSeconds = (Date.now() - started) / 1000;
  const counts = await counting;
  ours.child.stdin.write(`${changes}\n`);
  const done = (await ours.next()) as WorkerDone;
  const eventsPerSecond = done.lockEvents / driveSeconds;
  const cpuPer1k = done.cpuMs / (done.lockEvents / 1000);
  const coreShare = done.cpuMs / done.wallMs;
  const rssGrowth = done.peakRssMb - done.readyRssMb;
  const goals = [
    ['every event', done.lockEvents === changes && done.dropped === 0],
    ['CPU ≤ 0.2 core', coreShare <= 0.2],
    ['RSS +≤ 20 MB', rssGrowth <= 20],
    ['watches ≤ 2×roots', counts.watchCount <= 2 * ready.watches],
  ] as const;
  const missed = goals.filter(([, met]) => !met).map(([name]) => name);
  print([
    `9. live watch: ${RATE}/s lock changes × ${DURATION_MS / 1000} s on 100k locks`,
    `${eventsPerSecond.toFixed(0)} ev/s`,
    '—',
    '—',
    '—',
    '—',
    missed.length === 0 ? 'all 4 goals met' : `MISSED: ${missed.join(', ')}`,
    `${done.lockEvents}/${changes} events (${done.dropped} dropped); CPU ${cpuPer1k.toFixed(1)} ms per 1k events = ${coreShare.toFixed(3)} core; RSS ${done.readyRssMb.toFixed(0)} → peak ${done.peakRssMb.toFixed(0)} MB (+${rssGrowth.toFixed(1)}); ` +
      `server: zk_watch_count ${counts.watchCount}, wchs ${counts.wchsPaths} path(s) (${ready.mode}, ${ready.watches} watch); per-node: zk_watch_count ${perNodeCounts.watchCount}, wchs ${perNodeCounts.wchsPaths} paths (${perNodeReady.watches} child watches)`,
  ]);
  results.push({ name: 'live watch', rate: RATE, seconds: driveSeconds, changes, ...done, eventsPerSecond, cpuPer1k, coreShare, rssGrowth, counts, perNodeCounts, perNodeWatches: perNodeReady.watches, mode: ready.mode });
}

/** BENCH_ONLY=watch: this row alone, on a server of its own seeded with the 100k-lock tree. */
export async function liveWatchOnly(root: string, print: (cells: string[]) => void): Promise<void> {
  const cluster = await startZooKeeper();
  try {
    const seeder = new ZkSession({ connectString: cluster.connectString, requestTimeoutMs: 120_000 });
    await seedLocks(seeder, 'locks100k', 10, 10, 100, 10);
    seeder.close();
    print(['workload', 'ours', '', '', '', '', 'goal', 'notes']);
    await liveWatchRow(root, cluster.connectString, cluster.port, 'locks100k', [10, 10, 100], print, []);
  } finally {
    await cluster.stop();
  }
}
