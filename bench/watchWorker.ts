// The live timeline (ActivityWatch) on a lock namespace, in its own process so that its CPU time and
// RSS are its own.
//   node out/bench/watchWorker.js <connectString> <lockNamespace> persistent-recursive|per-node
// Prints {"ready":…,"mode","watches","rssMb"} once what stands is read; then reads one line on stdin,
// the lock events to expect, and prints {"lockEvents","dropped","skipped","cpuMs","wallMs","peakRssMb",
// "readyRssMb"} once that many have come (or 20 s after the line, whichever is first), and exits.
import { createInterface } from 'node:readline';
import { ActivityWatch, type WatchMode } from '../src/core/timeline/activityWatch';
import { ZkSession } from '../src/core/zk/session';

async function main(): Promise<void> {
  const [connectString = '', lockNamespace = '', mode = 'persistent-recursive'] = process.argv.slice(2);
  const session = new ZkSession({ connectString, requestTimeoutMs: 120_000 });
  const watch = new ActivityWatch(session, { namespaces: [], lockNamespace, mode: mode as WatchMode, maxWatchedNodes: 50_000 });
  let lockEvents = 0;
  let dropped = 0;
  watch.onEvent((event) => {
    if (event.type === 'lock') {
      lockEvents += 1;
    } else if (event.type === 'dropped') {
      dropped += event.count;
    }
  });
  const ready = await watch.start();
  global.gc?.();
  const readyRss = process.memoryUsage().rss;
  let peakRss = readyRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  console.log(JSON.stringify({ ready: true, ...ready, rssMb: readyRss / 2 ** 20 }));
  const lines = createInterface({ input: process.stdin });
  const expected = await new Promise<number>((resolve) => lines.once('line', (line) => resolve(Number(line))));
  const deadline = Date.now() + 20_000;
  while (lockEvents + dropped < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(JSON.stringify({ lockEvents, dropped, skipped: watch.skipped, cpuMs: (cpu.user + cpu.system) / 1000, wallMs, peakRssMb: peakRss / 2 ** 20, readyRssMb: readyRss / 2 ** 20 }));
  lines.close();
  watch.dispose();
  session.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
