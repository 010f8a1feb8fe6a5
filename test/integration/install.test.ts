// The edge-node install: `npm pack` gives a tarball holding the bundled CLI only, and
// `npm install -g` of it (into a temporary prefix, offline: nothing to download) puts `hive-zk` on
// PATH, which answers --help and a real command against a test ZooKeeper.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZkSession } from '../../src/core/zk/session';
import { registerHs2 } from '../support/hiveSeed';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
let zk: ZkCluster;
let dir: string;
/** Holds the registration: it is ephemeral, as HiveServer2's are. */
let session: ZkSession;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hivezk-install-'));
  zk = await startZooKeeper();
  session = new ZkSession({ connectString: zk.connectString });
  await registerHs2(session, 'hiveserver2', { host: 'hs2-a.example.com', port: 10000, variant: 'v3-binary' });
});
after(async () => {
  session?.close();
  await zk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('npm pack, npm install -g of the tarball, hive-zk on PATH: --help and instances', async () => {
  // The bundle as built (npm run build); --ignore-scripts keeps prepack from rebuilding it mid-suite.
  const npmEnv = { ...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false' };
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env: npmEnv });
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(info);
  assert.match(info.filename, /^hive-zookeeper-explorer-.*\.tgz$/);
  assert.deepEqual(info.files.map((f) => f.path).sort(), ['LICENSE', 'README.md', 'dist/cli-stores.js', 'dist/cli-xml.js', 'dist/cli.js', 'package.json']);

  const prefix = join(dir, 'prefix');
  // Offline, and without the optional native kerberos package (it needs a compiler and Node's headers).
  await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--omit=optional', '--no-audit', '--no-fund', join(dir, info.filename)], { env: npmEnv });
  const installed = join(prefix, 'lib', 'node_modules', 'hive-zookeeper-explorer');
  assert.ok(!existsSync(join(installed, 'node_modules')) || readdirSync(join(installed, 'node_modules')).length === 0, 'no dependencies installed: the CLI bundles its libraries');
  const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
  const help = await run('hive-zk', ['--help'], { env });
  assert.match(help.stdout, /^hive-zk — HiveServer2 discovery/);
  const listing = await run('hive-zk', ['instances', '--zk', zk.connectString], { env });
  const json = JSON.parse(listing.stdout) as { instances: { host: string }[] };
  assert.deepEqual(json.instances.map((i) => i.host), ['hs2-a.example.com']);
  // The XML parser is a file of its own next to cli.js, read only by the commands that need it.
  const hiveSite = join(dir, 'hive-site.xml');
  writeFileSync(hiveSite, `<configuration><property><name>hive.zookeeper.quorum</name><value>${zk.connectString}</value></property></configuration>`);
  const ensembles = JSON.parse((await run('hive-zk', ['ensembles-from', hiveSite], { env })).stdout) as { ensembles: { connectString: string }[] };
  assert.deepEqual(ensembles.ensembles.map((e) => e.connectString), [zk.connectString]);
});
