// The same extension suite under @vscode/test-electron, for machines with internet access that can
// download desktop VS Code. Starts the seeded sandbox ZooKeeper first, as the code-server runner does.
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ZkSession } from '../../src/core/zk/session';
import { seedSandbox } from '../support/sandbox';
import { startZooKeeper } from '../support/zkServer';

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..', '..');
  const cluster = await startZooKeeper();
  const seeder = new ZkSession({ connectString: cluster.connectString });
  try {
    await seedSandbox(seeder);
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'out', 'test', 'extension', 'suite', 'index'),
      extensionTestsEnv: { HIVEZK_TEST_ZK: cluster.connectString, HIVEZK_TEST_RESULTS: join(root, 'test-results', 'extension-tests-electron.txt') },
      launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    seeder.close();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
