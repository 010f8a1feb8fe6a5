// Who a session is to a real ZooKeeper 3.8: whoAmI's answer (anonymous, digest), ZK_NO_AUTH naming it
// with advice that fits, and a server before 3.7 (a proxy refusing opcode 107 as they do) falling
// back to what the client sent, at the cost of one connection and nothing else.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { discoverNamespaces } from '../../src/core/registry/namespaceDiscovery';
import { ZkSession } from '../../src/core/zk/session';
import { WHO_AM_I_OPCODE } from '../../src/core/zk/whoAmI';
import { OPCODES } from '../../src/core/zk/wire';
import { mkdirp } from '../support/hiveSeed';
import { startPre36Proxy } from '../support/pre36Proxy';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

const PASSWORD = 'whoami-secret-7';
let zk: ZkCluster;
before(async () => {
  zk = await startZooKeeper();
  const owner = new ZkSession({ connectString: zk.connectString, digest: `owner:${PASSWORD}` });
  try {
    await mkdirp(owner, '/idtest');
    await owner.create('/idtest/closed', Buffer.from('x'), 'persistent', 'creatorOnly');
    await owner.create('/idclosed', Buffer.alloc(0), 'persistent', 'creatorOnly');
    await owner.create('/idclosed/serverUri=h:1;version=3.1.3;sequence=0000000001', Buffer.alloc(0));
  } finally {
    owner.close();
  }
});
after(async () => {
  await zk?.stop();
});

const noAuth = async (session: ZkSession, path: string): Promise<HiveZkError> =>
  session.getData(path).then(
    () => assert.fail(`${path} should not be readable`),
    (e: unknown) => {
      assert.ok(e instanceof HiveZkError && e.code === 'ZK_NO_AUTH', String(e));
      return e;
    },
  );

test('whoAmI: an anonymous session is ip:127.0.0.1 to the server', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  try {
    const who = await session.whoAmI();
    assert.equal(who.source, 'server');
    assert.deepEqual(who.identities, [{ scheme: 'ip', id: '127.0.0.1' }]);
  } finally {
    session.close();
  }
});

test('whoAmI: a digest session is digest:<user> (no password hash) and ip', async () => {
  const session = new ZkSession({ connectString: zk.connectString, digest: `reader:${PASSWORD}` });
  try {
    const who = await session.whoAmI();
    assert.equal(who.source, 'server');
    assert.deepEqual(
      who.identities.map((i) => `${i.scheme}:${i.id}`).sort(),
      ['digest:reader', 'ip:127.0.0.1'],
    );
    assert.ok(!JSON.stringify(who).includes(PASSWORD));
  } finally {
    session.close();
  }
});

test('ZK_NO_AUTH of a digest session names digest:<user> and advises a digest credential', async () => {
  const session = new ZkSession({ connectString: zk.connectString, digest: `reader:${PASSWORD}` });
  try {
    const error = await noAuth(session, '/idtest/closed');
    assert.match(error.message, /^Not authorized to read \/idtest\/closed: /);
    assert.match(error.message, /digest:reader/);
    assert.match(error.message, /ip:127\.0\.0\.1/);
    assert.match(error.message, /digest credential the ACL allows/);
    assert.deepEqual(error.details.identitySource, 'server');
    assert.ok(!JSON.stringify(error).includes(PASSWORD));
    // Batched reads name the identity too (the server's answer is known by now).
    const [batched] = await session.getDataMany(['/idtest/closed']);
    assert.ok(batched instanceof HiveZkError, 'the read fails');
    assert.match(batched.message, /digest:reader/);
  } finally {
    session.close();
  }
});

test('ZK_NO_AUTH of an anonymous session says so and never tells it which credential it lacks by guesswork', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  try {
    const error = await noAuth(session, '/idtest/closed');
    assert.match(error.message, /no credential \(ZooKeeper knows it only as ip:127\.0\.0\.1\)/);
    assert.match(error.message, /a digest credential, SASL or Kerberos/);
  } finally {
    session.close();
  }
});

test('a namespace its ACL keeps this session out of is discovered as unreadable, never as an empty one', async () => {
  const session = new ZkSession({ connectString: zk.connectString });
  try {
    const found = await discoverNamespaces(session, { hs2Namespaces: ['idclosed'] });
    assert.deepEqual(
      found.filter((n) => n.name.startsWith('id')),
      [
        { name: 'idclosed', kind: 'hs2', childCount: 0, unreadable: true },
        { name: 'idtest', kind: 'other', childCount: 1 },
      ],
    );
  } finally {
    session.close();
  }
});

test('before 3.7: whoAmI answered -6 falls back to the client side, once, and the session carries on', async () => {
  const proxy = await startPre36Proxy(zk.port, [WHO_AM_I_OPCODE]);
  const session = new ZkSession({ connectString: `127.0.0.1:${proxy.port}`, digest: `reader:${PASSWORD}`, connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
  try {
    await session.getChildren('/');
    const who = await session.whoAmI();
    assert.equal(who.source, 'client');
    assert.deepEqual(who.identities, [{ scheme: 'digest', id: 'reader' }]);
    assert.equal(proxy.refused, 1);
    // The refusal cost one connection; the session reconnects and is not asked again.
    assert.deepEqual((await session.getChildren('/idtest')).children, ['closed']);
    const error = await noAuth(session, '/idtest/closed');
    assert.match(error.message, /digest:reader/);
    assert.equal(error.details.identitySource, 'client');
    assert.equal((await session.whoAmI()).source, 'client');
    assert.equal(proxy.refused, 1);
    assert.equal(proxy.connections, 2);
  } finally {
    session.close();
    await proxy.close();
  }
});

test('before 3.6 (no multiRead): whoAmI is not even asked', async () => {
  const proxy = await startPre36Proxy(zk.port, [OPCODES.multiRead, WHO_AM_I_OPCODE]);
  const session = new ZkSession({ connectString: `127.0.0.1:${proxy.port}`, connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
  try {
    await session.getDataMany(['/idtest', '/idtest/closed']);
    assert.equal(session.multiReadState, 'unsupported');
    const refusedBefore = proxy.refused;
    const who = await session.whoAmI();
    assert.deepEqual(who, { source: 'client', identities: [], client: {} });
    assert.equal(proxy.refused, refusedBefore);
  } finally {
    session.close();
    await proxy.close();
  }
});
