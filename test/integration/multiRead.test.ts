// Batched reads on a real ZooKeeper 3.8: multiRead results equal single reads znode by znode
// (data, stat, children, NO_NODE, NO_AUTH, chroot, 1 MB znodes), and servers before 3.6
// (emulated by a loopback proxy) fall back to single reads without losing the session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { ZkSession, type ReadOutcome } from '../../src/core/zk/session';
import { mkdirp } from '../support/hiveSeed';
import { startPre36Proxy, type Pre36Proxy } from '../support/pre36Proxy';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let proxy: Pre36Proxy;
const sessions: ZkSession[] = [];
function session(options: Partial<ConstructorParameters<typeof ZkSession>[0]> = {}): ZkSession {
  const made = new ZkSession({ connectString: zk.connectString, ...options });
  sessions.push(made);
  return made;
}

const paths: string[] = [];
before(async () => {
  zk = await startZooKeeper();
  proxy = await startPre36Proxy(zk.port);
  const seeder = new ZkSession({ connectString: zk.connectString, digest: 'owner:pw' });
  await mkdirp(seeder, '/batch/many');
  await Promise.all(Array.from({ length: 1200 }, (_, i) => seeder.create(`/batch/many/n${i}`, Buffer.from(`value ${i} `.repeat(i % 40)))));
  await mkdirp(seeder, '/batch/many/n7/child');
  await seeder.create('/batch/secret', Buffer.from('classified'), 'persistent', 'creatorOnly');
  await seeder.create('/batch/secret-dir', Buffer.alloc(0), 'persistent', 'creatorOnly');
  await seeder.create('/batch/empty', Buffer.alloc(0));
  await mkdirp(seeder, '/batch/big');
  // Close to ZooKeeper's 1 MB jute.maxbuffer: several per batch would make a response of many MB.
  await Promise.all(Array.from({ length: 6 }, (_, i) => seeder.create(`/batch/big/b${i}`, Buffer.alloc(1_000_000, 65 + i))));
  seeder.close();
  paths.push(...Array.from({ length: 1200 }, (_, i) => `/batch/many/n${i}`), '/batch/missing', '/batch/secret', '/batch/empty', '/', '/batch/many/n7/child');
});
after(async () => {
  sessions.forEach((s) => s.close());
  await proxy.close();
  await zk.stop();
});

/** Comparable form of an outcome: value, or the error's code and message as a single read reports it. */
function comparable(outcome: ReadOutcome<unknown>): unknown {
  if (outcome instanceof HiveZkError) {
    return { code: outcome.code, message: outcome.message };
  }
  if (outcome && typeof outcome === 'object' && 'data' in outcome) {
    const { data, stat } = outcome as { data: Buffer; stat: unknown };
    return { data: data.toString('base64'), stat };
  }
  return outcome;
}

async function singleReads(reader: ZkSession, kind: 'data' | 'children', list: string[]): Promise<unknown[]> {
  return Promise.all(
    list.map((p) =>
      (kind === 'data' ? reader.getData(p) : reader.getChildren(p).then((r) => r.children)).then(comparable, (e: unknown) => comparable(e as HiveZkError)),
    ),
  );
}

test('getDataMany equals single getData znode by znode, in far fewer requests', async () => {
  const batched = session();
  const outcomes = await batched.getDataMany(paths);
  assert.equal(batched.multiReadState, 'supported');
  assert.ok(batched.requestCount <= 10, `${batched.requestCount} requests for ${paths.length} reads`);
  const expected = await singleReads(session({ multiRead: { enabled: false } }), 'data', paths);
  assert.deepEqual(outcomes.map(comparable), expected);
  assert.equal((outcomes[1200] as HiveZkError).code, 'ZK_NO_NODE');
  assert.equal((outcomes[1201] as HiveZkError).code, 'ZK_NO_AUTH');
  assert.match((outcomes[1201] as HiveZkError).message, /Not authorized to read \/batch\/secret/);
});

test('getChildrenMany equals single getChildren, NO_NODE and NO_AUTH per znode', async () => {
  const list = ['/batch', '/batch/many', '/batch/many/n7', '/batch/many/n8', '/batch/missing', '/batch/secret-dir', '/'];
  const outcomes = await session().getChildrenMany(list);
  assert.deepEqual(outcomes.map(comparable), await singleReads(session({ multiRead: { enabled: false } }), 'children', list));
  assert.equal((outcomes[1] as string[]).length, 1200);
  assert.deepEqual(outcomes[3], []);
  assert.equal((outcomes[4] as HiveZkError).code, 'ZK_NO_NODE');
  assert.equal((outcomes[5] as HiveZkError).code, 'ZK_NO_AUTH');
});

test('owner credentials read what anonymous batches may not; invalid paths fail alone', async () => {
  const outcomes = await session({ digest: 'owner:pw' }).getDataMany(['/batch/secret', 'no-slash', '/batch/empty']);
  assert.equal((outcomes[0] as { data: Buffer }).data.toString(), 'classified');
  assert.equal((outcomes[1] as HiveZkError).code, 'BAD_ARGUMENT');
  assert.equal((outcomes[2] as { data: Buffer }).data.length, 0);
});

test('a chroot applies to batched reads as to single ones', async () => {
  const chrooted = session({ connectString: `${zk.connectString}/batch` });
  const list = ['/many/n1', '/many/n2', '/missing', '/', '/secret'];
  assert.deepEqual((await chrooted.getDataMany(list)).map(comparable), await singleReads(session({ connectString: `${zk.connectString}/batch`, multiRead: { enabled: false } }), 'data', list));
  const [children] = await chrooted.getChildrenMany(['/']);
  assert.deepEqual((children as string[]).sort(), ['big', 'empty', 'many', 'secret', 'secret-dir']);
  assert.equal(chrooted.multiReadState, 'supported');
});

test('1 MB znodes: equal results, and batches shrink once sizes are known', async () => {
  const batched = session();
  const list = Array.from({ length: 6 }, (_, i) => `/batch/big/b${i}`);
  const outcomes = await batched.getDataMany([...list, ...list]);
  outcomes.forEach((o, i) => {
    const { data, stat } = o as { data: Buffer; stat: { dataLength: number } };
    assert.equal(data.length, 1_000_000);
    assert.equal(stat.dataLength, 1_000_000);
    assert.equal(data[999_999], 65 + (i % 6));
  });
  const withSizes = session();
  await withSizes.getDataMany(list, { expectedBytes: list.map(() => 1_000_000) });
  assert.equal(withSizes.requestCount, 1 + 6, 'a probe, then one batch per known 1 MB znode');
});

test('before 3.6 (emulated): -6 and a closed connection are survived, results are identical, the probe is never repeated', async () => {
  const old = session({ connectString: `127.0.0.1:${proxy.port}` });
  await old.open();
  const sessionId = old.sessionId;
  // Single reads in flight while the batch starts must not be lost to the probe's closed connection.
  const singles = Promise.all(Array.from({ length: 300 }, (_, i) => old.getData(`/batch/many/n${i}`)));
  const outcomes = await old.getDataMany(paths);
  assert.equal((await singles).length, 300);
  assert.equal(old.multiReadState, 'unsupported');
  // Who the session is differs: a server before 3.6 has no whoAmI, so its NO_AUTH names what the client sent.
  const sameRead = (outcome: unknown): unknown => {
    const shown = outcome as { code?: string; message?: string };
    return shown.code === 'ZK_NO_AUTH' ? { ...shown, message: shown.message?.replace(/: this session.*/, '') } : outcome;
  };
  assert.deepEqual(outcomes.map(comparable).map(sameRead), (await singleReads(session({ multiRead: { enabled: false } }), 'data', paths)).map(sameRead));
  const children = await old.getChildrenMany(['/batch/many', '/batch/missing']);
  assert.equal((children[0] as string[]).length, 1200);
  assert.equal((children[1] as HiveZkError).code, 'ZK_NO_NODE');
  assert.equal(proxy.refused, 1, 'one probe for the client, never again');
  assert.equal(old.sessionId, sessionId, 'the same ZooKeeper session throughout');
  assert.equal(old.state, 'connected');
});
