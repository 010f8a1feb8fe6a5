// A server frozen (SIGSTOP) as a lock walk starts: the walk ends with the request timeout's typed
// error, without a second wait for a reconnect (which paid the timeout twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHiveZkError } from '../../src/core/errors';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { ZkSession } from '../../src/core/zk/session';
import { takeLock } from '../support/hiveSeed';
import { delay, startZooKeeper } from '../support/zkServer';

test('locks on a server frozen mid-walk: one timeout, then the typed error', async () => {
  const zk = await startZooKeeper();
  const seeder = new ZkSession({ connectString: zk.connectString });
  const timeoutMs = 3000;
  const session = new ZkSession({ connectString: zk.connectString, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs });
  try {
    for (let t = 0; t < 40; t += 1) {
      await takeLock(seeder, 'hive_zookeeper_namespace', { db: 'sales', table: `t${t}`, mode: 'SHARED', queryId: `q${t}`, query: 'select 1' });
    }
    await session.open();
    const states: string[] = [];
    session.onDidChangeState((change) => states.push(change.state));
    zk.servers[0]?.freeze();
    const started = Date.now();
    const outcome = await Promise.race([
      walkLocks(session, 'hive_zookeeper_namespace').then(
        () => 'answered',
        (error: unknown) => (isHiveZkError(error) ? error.code : `untyped: ${String(error)}`),
      ),
      // A safety net only: the assertions below are about what happened, not how long it took.
      delay(timeoutMs * 4).then(() => `still running after ${Date.now() - started} ms`),
    ]);
    assert.equal(outcome, 'ZK_TIMEOUT');
    assert.ok(!states.includes('connecting'), `no reconnect was waited for: ${states.join(' → ')}`);
  } finally {
    zk.servers[0]?.thaw();
    session.close();
    seeder.close();
    await zk.stop();
  }
});
