// A seeded ZooKeeper kept up for profiling the CLI by hand (node --cpu-prof dist/cli.js …):
//   node out/bench/serveSeeded.js     prints the connect string; Ctrl-C stops it.
import { ZkSession } from '../src/core/zk/session';
import { startZooKeeper } from '../test/support/zkServer';
import { seedInstances, seedLocks } from './seed';

async function main(): Promise<void> {
  const cluster = await startZooKeeper();
  const seeder = new ZkSession({ connectString: cluster.connectString, requestTimeoutMs: 120_000 });
  await seedInstances(seeder, 'bench10k', 10_000);
  await seedInstances(seeder, 'bench1', 1);
  await seedLocks(seeder, 'locks20k', 10, 10, 40, 5);
  await seedLocks(seeder, 'locks1', 1, 1, 1, 1);
  seeder.close();
  console.log(cluster.connectString);
  process.once('SIGINT', () => void cluster.stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void cluster.stop().then(() => process.exit(0)));
}

void main();
