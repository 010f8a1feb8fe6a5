// Cancellation against a real ZooKeeper: a namespace scan, a registry listing, Health and the
// endpoint checks stop with CANCELLED when their signal aborts mid-way, and no late result lands.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { doctorRegistry } from '../../src/core/doctor/doctor';
import { isHiveZkError } from '../../src/core/errors';
import { collectEnsembleHealth } from '../../src/core/health/serverHealth';
import { discoverNamespaces } from '../../src/core/registry/namespaceDiscovery';
import { listRegistry } from '../../src/core/registry/registry';
import { ZkSession } from '../../src/core/zk/session';
import { registerHs2 } from '../support/hiveSeed';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let session: ZkSession;
/** Accepts connections and never answers: a probe of it ends only by its timeout, or by a cancel. */
let silent: Server;
const sockets: Socket[] = [];
let silentPort = 0;
/** Fires once a probe reaches the silent server. */
let onProbe: () => void = () => undefined;

const cancelled = (error: unknown): boolean => isHiveZkError(error, 'CANCELLED');

before(async () => {
  zk = await startZooKeeper();
  session = new ZkSession({ connectString: zk.connectString });
  silent = createServer((socket) => {
    sockets.push(socket);
    onProbe();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
  for (let i = 0; i < 30; i += 1) {
    await registerHs2(session, `cancel_ns${i}`, { host: '127.0.0.1', port: 10000 + i, variant: 'v3-binary' });
  }
  await registerHs2(session, 'cancel_silent', { host: '127.0.0.1', port: silentPort, variant: 'v3-binary' });
});

after(async () => {
  session.close();
  for (const socket of sockets) {
    socket.destroy();
  }
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await zk.stop();
});

test('a namespace scan aborted once its root listing is back rejects with CANCELLED, though the batched read still answers', async () => {
  const abort = new AbortController();
  let batchAnswered = false;
  // The real session, with the abort landing as the scan sends its second request.
  const hooked = Object.create(session) as ZkSession;
  hooked.getChildrenMany = (paths) => {
    abort.abort();
    const reply = session.getChildrenMany(paths);
    void reply.then(() => (batchAnswered = true));
    return reply;
  };
  await assert.rejects(discoverNamespaces(hooked, { signal: abort.signal }), cancelled);
  const control = await discoverNamespaces(session, { signal: new AbortController().signal });
  assert.ok(batchAnswered, 'the batched read came back, unheard');
  assert.ok(control.filter((n) => n.name.startsWith('cancel_ns')).every((n) => n.kind === 'hs2'), 'the session serves the next scan');
});

test('a namespace scan whose request is in flight rejects with CANCELLED at once', async () => {
  const abort = new AbortController();
  const scanning = discoverNamespaces(session, { signal: abort.signal });
  abort.abort();
  await assert.rejects(scanning, cancelled);
});

test('a registry listing aborted under way rejects with CANCELLED; the same listing uncancelled reads the instance', async () => {
  const abort = new AbortController();
  const listing = listRegistry(session, 'cancel_ns1', { kind: 'hs2', signal: abort.signal });
  abort.abort();
  await assert.rejects(listing, cancelled);
  const found = await listRegistry(session, 'cancel_ns1', { kind: 'hs2', signal: new AbortController().signal });
  assert.equal(found.listing.instances.length, 1);
});

test('Check Endpoints (the doctor, endpoints only) stops with CANCELLED while a probe waits on a silent server', async () => {
  const abort = new AbortController();
  onProbe = () => abort.abort();
  try {
    // A minute's probe timeout: only the cancel can end this test in time.
    const checking = doctorRegistry(session, 'cancel_silent', { probe: { timeoutMs: 60_000, loopbackOnly: true }, endpointsOnly: true, signal: abort.signal });
    await assert.rejects(checking, cancelled);
  } finally {
    onProbe = () => undefined;
  }
});

test('Health stops with CANCELLED while a server stays silent', async () => {
  const abort = new AbortController();
  onProbe = () => abort.abort();
  try {
    await assert.rejects(collectEnsembleHealth(`127.0.0.1:${silentPort}`, { timeoutMs: 60_000, signal: abort.signal }), cancelled);
  } finally {
    onProbe = () => undefined;
  }
});
