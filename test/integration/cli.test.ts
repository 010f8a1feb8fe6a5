// hive-zk as a person and a script meet it, against a real ZooKeeper: JSON when piped (the same
// keys as before terminal views), tables in a real pseudo-terminal (script -qc), honest health
// exit codes, the namespaces that exist when one is missing, and a quiet end when stdout closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZkSession } from '../../src/core/zk/session';
import { hiveZk } from '../support/cli';
import { mkdirp, registerHs2, takeLock } from '../support/hiveSeed';
import { delay, freePort, startZooKeeper, type ZkCluster } from '../support/zkServer';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
let zk: ZkCluster;
let session: ZkSession;

before(async () => {
  zk = await startZooKeeper();
  session = new ZkSession({ connectString: zk.connectString });
  for (const host of ['hs2-a.example.com', 'hs2-b.example.com']) {
    await registerHs2(session, 'hiveserver2', { host, port: 10000, variant: 'v3-binary' });
  }
  await takeLock(session, 'hive_zookeeper_namespace', { db: 'sales', table: 'orders', mode: 'SHARED', queryId: 'hive_q1', query: 'select 1', client: '10.20.0.31' });
  await takeLock(session, 'hive_zookeeper_namespace', { db: 'sales', table: 'orders', mode: 'EXCLUSIVE', queryId: 'hive_q2', query: 'insert into sales.orders select 2', client: '10.20.0.32' });
  // Enough output to overflow a pipe's buffer, for the closed-stdout check.
  await mkdirp(session, '/big');
  await Promise.all(Array.from({ length: 400 }, (_, i) => session.create(`/big/serverUri=hs2-${i}.example.com:10000;version=3.1.3;sequence=`, Buffer.from(`hive.server2.thrift.bind.host=hs2-${i}.example.com;hive.server2.thrift.port=10000;hive.server2.transport.mode=binary`), 'persistentSequential')));
});
after(async () => {
  session?.close();
  await zk?.stop();
});

/** The CLI in a real pseudo-terminal of the given width (util-linux script). */
function inTerminal(width: number, args: string[], env: Record<string, string> = {}): string {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return execFileSync('script', ['-qec', `stty cols ${width}; node ${CLI} ${quoted}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env } });
}

test('piped, every command prints the JSON scripts read: same keys and shapes', async () => {
  const instances = await hiveZk({}, 'instances', '--zk', zk.connectString);
  assert.equal(instances.code, 0);
  assert.deepEqual(Object.keys(instances.json), ['namespace', 'path', 'instances', 'otherChildren']);
  const instance = (instances.json.instances as Record<string, unknown>[])[0] ?? {};
  for (const key of ['znode', 'path', 'host', 'port', 'settings', 'dataFormat', 'problems', 'ctime', 'ephemeral', 'ephemeralOwner', 'owner']) {
    assert.ok(key in instance, key);
  }
  const locks = await hiveZk({}, 'locks', '--zk', zk.connectString);
  assert.deepEqual(Object.keys(locks.json), ['root', 'visited', 'unreadable', 'locks']);
  const row = (locks.json.locks as Record<string, unknown>[])[1] ?? {};
  assert.deepEqual(Object.keys(row), ['path', 'object', 'mode', 'sequence', 'status', 'blockedBy', 'queryId', 'lockTime', 'lockMode', 'query', 'client', 'ephemeral', 'owner', 'unlock']);
  assert.equal(typeof row.lockTime, 'number', 'epoch milliseconds, as before');
  assert.equal(row.blockedBy, 'LOCK-SHARED-0000000000');
  // A name no quoting makes safe: no statement, and the reason, last.
  await takeLock(session, 'odd_locks', { db: 'sales', table: 'bad`name', mode: 'SHARED', queryId: 'hive_q3', query: 'select 3' });
  const odd = ((await hiveZk({}, 'locks', '--zk', zk.connectString, '--namespace', 'odd_locks')).json.locks as Record<string, unknown>[])[0] ?? {};
  assert.deepEqual(Object.keys(odd).slice(-3), ['owner', 'unlock', 'unlockRefused']);
  assert.equal(odd.unlock, null);
  assert.match(String(odd.unlockRefused), /backquote/);
});

test('in a pseudo-terminal: tables with words and the blocker on its row; NO_COLOR has no escape codes; --json is JSON', () => {
  const out = inTerminal(120, ['locks', '--zk', zk.connectString], { NO_COLOR: '1' });
  assert.ok(!out.includes('\u001b'), JSON.stringify(out.slice(0, 200)));
  assert.match(out, /2 locks under \/hive_zookeeper_namespace, 1 waiting/);
  assert.match(out, /sales\.orders\s+0000000001\s+exclusive\s+waiting for shared #0000000000/);
  assert.ok(inTerminal(120, ['locks', '--zk', zk.connectString]).includes('\u001b['), 'colour on a terminal');
  const narrow = inTerminal(20, ['instances', '--zk', zk.connectString], { NO_COLOR: '1' });
  assert.ok(narrow.split(/\r?\n/).every((l) => l.length <= 23), narrow);
  assert.ok(narrow.includes('hs2-a.example.com'));
  const json = JSON.parse(inTerminal(200, ['namespaces', '--zk', zk.connectString, '--json'])) as { namespaces: unknown[] };
  assert.ok(json.namespaces.length > 0);
});

test('health: 0 when the ensemble serves, 4 when nothing answers', async () => {
  const good = await hiveZk({}, 'health', '--zk', zk.connectString);
  assert.equal(good.code, 0, good.output);
  const closed = await freePort();
  const down = await hiveZk({}, 'health', '--zk', `127.0.0.1:${closed}`, '--timeout', '1500');
  assert.equal(down.code, 4, down.output);
  // The keys scripts read, in their order; `authentication` (who the session is, or why that is unknown) came last.
  assert.deepEqual(Object.keys(down.json), ['connectString', 'checkedAt', 'servers', 'clients', 'hints', 'registry', 'authentication']);
});

test('instances --namespace nope names the namespaces that exist', async () => {
  const result = await hiveZk({}, 'instances', '--zk', zk.connectString, '--namespace', 'nope');
  assert.equal(result.code, 1);
  const error = result.json.error as { code: string; message: string };
  assert.equal(error.code, 'NAMESPACE_MISSING');
  assert.match(error.message, /Namespaces with registrations on this ensemble: .*hiveserver2 \(hs2\)/);
});

test('a closed stdout (| head -1) ends quietly, without an EPIPE trace', async () => {
  const { stdout, stderr } = await run('bash', ['-c', `node ${CLI} instances --zk ${zk.connectString} --namespace big | head -1`]);
  assert.equal(stdout, '{\n');
  assert.equal(stderr, '');
  // A reader gone before anything is written (`| true`): no "Unhandled 'error' event" either.
  for (const args of ['--help', `instances --zk ${zk.connectString} --namespace big`]) {
    const closed = await run('bash', ['-c', `for i in 1 2 3; do node ${CLI} ${args} | true; done`]);
    assert.equal(closed.stderr, '', args);
  }
});

test('watch: a reader gone while lines stream (| head -1) ends the run at once, quietly, exit 0', async () => {
  await mkdirp(session, '/streamed');
  // pipefail: the exit status is hive-zk's, not head's.
  const child = spawn('bash', ['-c', `set -o pipefail; node ${CLI} watch --zk ${zk.connectString} --namespace streamed --for 60 | head -1`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  // Registrations come and go until hive-zk has written into the closed pipe and ended (well before --for).
  const registrations = new ZkSession({ connectString: zk.connectString });
  try {
    for (let i = 0; code === undefined && i < 300; i += 1) {
      if (stdout !== '') {
        const path = await registerHs2(registrations, 'streamed', { host: `hs2-${i}.example.com`, port: 10000, variant: 'v3-binary' });
        await registrations.remove(path);
      }
      await delay(50);
    }
  } finally {
    registrations.close();
    child.kill();
  }
  assert.equal(await exited, 0, stderr);
  assert.equal(stderr, '');
  assert.equal((JSON.parse(stdout) as { type?: string }).type, 'ready');
});
