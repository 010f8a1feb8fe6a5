// The demo's sandbox keeps its data: when its seeding session expires (a paused process, a stopped
// server), the sandbox is seeded again on a new session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { ZkSession } from '../../src/core/zk/session';
import { SANDBOX, startSandbox } from '../support/sandbox';

async function waitFor(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('an expired seeding session: the sandbox is seeded again, instances and locks back as before', async () => {
  const messages: string[] = [];
  const sandbox = await startSandbox({ tickTime: 500, sessionTimeoutMs: 2000, onError: (m) => messages.push(m) });
  const reader = new ZkSession({ connectString: sandbox.connectString, requestTimeoutMs: 3000, connectTimeoutMs: 3000 });
  try {
    const before = await listInstances(reader, SANDBOX.hs2Namespace);
    const locksBefore = (await walkLocks(reader, SANDBOX.lockNamespace)).locks.length;
    assert.equal(before.instances.length, 5);
    reader.close();
    const server = sandbox.cluster.servers[0];
    assert.ok(server);
    await server.stop();
    await new Promise((r) => setTimeout(r, 4000)); // past the session timeout while the server is down
    server.start();
    await server.waitServing();
    const after = new ZkSession({ connectString: sandbox.connectString });
    try {
      await waitFor('the sandbox seeded again', () => messages.includes('sandbox seeded again'), 30_000);
      assert.equal((await listInstances(after, SANDBOX.hs2Namespace)).instances.length, 5);
      assert.equal((await walkLocks(after, SANDBOX.lockNamespace)).locks.length, locksBefore, 'no lock lost, none doubled');
    } finally {
      after.close();
    }
  } finally {
    reader.close();
    await sandbox.stop();
  }
});
