// A lock walk stops when its AbortSignal is aborted: before it starts, or between its batches once
// it is under way; it rejects with CANCELLED and hands back no partial result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { walkLocks } from '../../src/core/locks/lockWalk';
import { ZkSession } from '../../src/core/zk/session';
import { takeLock } from '../support/hiveSeed';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

const ROOT = 'cancel_locks';
const TABLES = 40;
let zk: ZkCluster;
let session: ZkSession;

before(async () => {
  zk = await startZooKeeper();
  session = new ZkSession({ connectString: zk.connectString });
  for (let t = 0; t < TABLES; t += 1) {
    await takeLock(session, ROOT, { db: 'db', table: `t${t}`, mode: 'SHARED', queryId: `q${t}`, query: `SELECT * FROM db.t${t}` });
  }
});

after(async () => {
  session.close();
  await zk.stop();
});

const cancelled = (error: unknown): boolean => error instanceof HiveZkError && error.code === 'CANCELLED';

test('an uncancelled walk reads every lock (the control)', async () => {
  const walk = await walkLocks(session, ROOT, { chunkSize: 2, signal: new AbortController().signal });
  assert.equal(walk.locks.length, TABLES);
});

test('a walk whose signal is already aborted rejects with CANCELLED', async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(walkLocks(session, ROOT, { signal: abort.signal }), cancelled);
});

test('aborting a walk under way stops it between batches', async () => {
  const abort = new AbortController();
  // One znode per batch: the walk needs dozens of round trips, and the abort lands after the first is sent.
  const walking = walkLocks(session, ROOT, { chunkSize: 1, signal: abort.signal });
  setImmediate(() => abort.abort());
  await assert.rejects(walking, cancelled);
});
