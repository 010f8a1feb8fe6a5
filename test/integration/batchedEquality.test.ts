// Every bulk path gives the same answer whether it reads through multiRead, through pipelined single
// reads, or through a server before 3.6 (emulated): namespaces, instances (HS2, HA, metastore), the
// lock walk and every-candidate resolve, with NO_AUTH znodes, a 1 MB znode, a chroot, and znodes
// deleted between the listing and the read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { listHaInstances } from '../../src/core/registry/haRegistry';
import { listInstances } from '../../src/core/registry/hs2Registry';
import { listMetastoreInstances } from '../../src/core/registry/metastoreRegistry';
import { discoverNamespaces } from '../../src/core/registry/namespaceDiscovery';
import { walkLocks } from '../../src/core/locks/lockWalk';
import type { InFrameListingSink } from '../../src/core/zk/multiRead';
import { resolveJdbcUrl } from '../../src/core/jdbc/resolver';
import { ZkSession, type ReadOutcome, type ZkSessionOptions } from '../../src/core/zk/session';
import { mkdirp, registerHs2, registerRaw, takeLock } from '../support/hiveSeed';
import { plainWalk } from '../support/plainWalk';
import { startPre36Proxy, type Pre36Proxy } from '../support/pre36Proxy';
import { SANDBOX, seedSandbox } from '../support/sandbox';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let proxy: Pre36Proxy;
const seeders: ZkSession[] = [];
const sessions: ZkSession[] = [];
const CHROOT = '/tenant-a';

function open(options: Partial<ZkSessionOptions> & { chroot?: boolean; viaOldServer?: boolean } = {}): ZkSession {
  const { chroot, viaOldServer, ...rest } = options;
  const hosts = viaOldServer ? `127.0.0.1:${proxy.port}` : zk.connectString;
  const session = new ZkSession({ connectString: `${hosts}${chroot ? CHROOT : ''}`, digest: 'reader:pw', ...rest });
  sessions.push(session);
  return session;
}

/** The sandbox plus a wide namespace and lock tree (several batches each) with protected and huge znodes. */
async function seedWide(session: ZkSession, owner: ZkSession): Promise<void> {
  await seedSandbox(session);
  await Promise.all(Array.from({ length: 1300 }, (_, i) => registerHs2(session, 'wide', { host: `hs2-${i}.example.com`, port: 10000 + (i % 7), variant: i % 2 ? 'v3-http' : 'v3-kerberos' })));
  await owner.create('/wide/serverUri=secret.example.com:10000;version=3.1.3;sequence=0000099999', Buffer.from('hive.server2.thrift.port=1'), 'ephemeral', 'creatorOnly');
  await registerRaw(session, 'wide', 'serverUri=huge.example.com:10000;version=3.1.3;sequence=0000099998', Buffer.alloc(1_000_000, 'k=v;'));
  const locks: Promise<string>[] = [];
  for (let d = 0; d < 3; d += 1) {
    for (let t = 0; t < 4; t += 1) {
      for (let p = 0; p < 25; p += 1) {
        for (let l = 0; l < 5; l += 1) {
          locks.push(takeLock(session, 'wide_locks', { db: `db${d}`, table: `t${t}`, partition: [`ds=${p}`], mode: l === 2 ? 'EXCLUSIVE' : 'SHARED', queryId: `q${d}${t}${p}${l}`, query: `select ${l}` }));
        }
      }
    }
  }
  await Promise.all(locks.slice(0, 20));
  await Promise.all(locks.slice(20));
  await mkdirp(owner, '/wide_locks');
  await owner.create('/wide_locks/secretdb', Buffer.alloc(0), 'persistent', 'creatorOnly');
  await owner.create('/wide_locks/secretdb/t', Buffer.alloc(0));
  await owner.create('/wide_locks/db0/t0/LOCK-EXCLUSIVE-0000099999', Buffer.from('q:1:IMPLICIT:secret'), 'ephemeral', 'creatorOnly');
}

before(async () => {
  zk = await startZooKeeper();
  proxy = await startPre36Proxy(zk.port);
  const plain = new ZkSession({ connectString: zk.connectString, requestTimeoutMs: 60_000 });
  const owner = new ZkSession({ connectString: zk.connectString, digest: 'owner:pw', requestTimeoutMs: 60_000 });
  await mkdirp(plain, CHROOT);
  const chrootPlain = new ZkSession({ connectString: `${zk.connectString}${CHROOT}`, requestTimeoutMs: 60_000 });
  const chrootOwner = new ZkSession({ connectString: `${zk.connectString}${CHROOT}`, digest: 'owner:pw', requestTimeoutMs: 60_000 });
  seeders.push(plain, owner, chrootPlain, chrootOwner);
  await seedWide(plain, owner);
  await seedWide(chrootPlain, chrootOwner);
});
after(async () => {
  [...sessions, ...seeders].forEach((s) => s.close());
  await proxy.close();
  await zk.stop();
});

/** Everything the tree, the CLI and the resolver read in bulk, in one comparable value. */
async function snapshot(session: ZkSession): Promise<Record<string, unknown>> {
  return {
    namespaces: await discoverNamespaces(session),
    hs2: await listInstances(session, SANDBOX.hs2Namespace),
    wide: await listInstances(session, 'wide'),
    ha: await listHaInstances(session, SANDBOX.haNamespace),
    metastore: await listMetastoreInstances(session, SANDBOX.metastoreNamespace),
    locks: await plainWalk(walkLocks(session, SANDBOX.lockNamespace)),
    wideLocks: await plainWalk(walkLocks(session, 'wide_locks')),
    db1Locks: await plainWalk(walkLocks(session, 'wide_locks', { database: 'db1' })),
    limited: await walkLocks(session, 'wide_locks', { limit: 700 }).then((w) => ({ count: w.locks.length, truncated: w.truncated, visited: w.visited })),
    resolve: await resolveJdbcUrl(`jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=wide`, () => session, { random: () => 0.5 }),
  };
}

test('batched, single and pre-3.6 reads give identical results for every bulk path', async () => {
  const batched = open();
  const single = open({ multiRead: { enabled: false } });
  const old = open({ viaOldServer: true });
  const expected = await snapshot(single);
  assert.deepEqual(await snapshot(batched), expected);
  assert.deepEqual(await snapshot(old), expected);
  // The cases the comparison must cover are really there.
  const wide = expected.wide as Awaited<ReturnType<typeof listInstances>>;
  assert.equal(wide.instances.length, 1302);
  assert.equal(wide.instances.find((i) => i.host === 'secret.example.com')?.dataFormat, 'unreadable');
  assert.ok(wide.instances.find((i) => i.host === 'huge.example.com')?.problems.length);
  const wideLocks = expected.wideLocks as Awaited<ReturnType<typeof walkLocks>>;
  assert.equal(wideLocks.locks.length, 1501);
  assert.deepEqual(wideLocks.unreadable, ['/wide_locks/secretdb']);
  assert.equal(wideLocks.locks.filter((l) => l.status === 'unreadable').length, 1);
  assert.deepEqual(expected.limited, { count: 700, truncated: true, visited: wideLocks.visited });
  // …and the batched session really batched, the old one really fell back, once.
  assert.equal(batched.multiReadState, 'supported');
  assert.ok(batched.requestCount * 10 < single.requestCount, `${batched.requestCount} batched vs ${single.requestCount} single requests`);
  assert.equal(old.multiReadState, 'unsupported');
  assert.equal(proxy.refused, 1);
});

test('a page of a namespace read alone (the first N by name) is the full listing\'s first N; the rest are counted, not read', async () => {
  const session = open();
  const full = await listInstances(session, 'wide');
  for (const first of [1, 200, 1301]) {
    const before = session.requestCount;
    const part = await listInstances(session, 'wide', undefined, first);
    assert.deepEqual(part.instances, full.instances.slice(0, first), `first ${first}`);
    assert.equal(part.unread, full.instances.length - first);
    assert.deepEqual(part.otherChildren, full.otherChildren);
    // One listing and the batched reads of `first` znodes (500 a batch), not of all 1,302.
    assert.ok(session.requestCount - before <= 1 + Math.ceil(first / 500), `${session.requestCount - before} requests for ${first}`);
  }
  const all = await listInstances(session, 'wide', undefined, 5000);
  assert.deepEqual(all.instances, full.instances);
  assert.equal(all.unread, undefined);
});

test('under a chroot, batched and single reads agree (and see only the chroot)', async () => {
  const batched = open({ chroot: true });
  const expected = await snapshot(open({ chroot: true, multiRead: { enabled: false } }));
  assert.deepEqual(await snapshot(batched), expected);
  assert.equal(batched.multiReadState, 'supported');
  assert.equal((expected.wideLocks as Awaited<ReturnType<typeof walkLocks>>).root, '/wide_locks');
  assert.ok(!(expected.namespaces as { name: string }[]).some((n) => n.name === CHROOT.slice(1)));
});

/** The session, except that right after each listing one listed znode is deleted: the race of a deregistering server. */
function deletingAfterListing(session: ZkSession, pick: (parent: string, children: string[]) => string | undefined): ZkSession {
  const remove = async (parent: string, children: string[]): Promise<void> => {
    const victim = pick(parent, children);
    if (victim) {
      await seeders[0].remove(`${parent}/${victim}`);
    }
  };
  return new Proxy(session, {
    get(target, property) {
      if (property === 'getChildren') {
        return async (path: string, ...rest: []) => {
          const listing = await target.getChildren(path, ...rest);
          await remove(path, listing.children);
          return listing;
        };
      }
      if (property === 'forEachChildren') {
        return async (paths: string[], each: (outcome: ReadOutcome<string[]>, index: number) => void, options: { inFrame?: InFrameListingSink } = {}) => {
          const listed: [string, string[]][] = [];
          const { inFrame } = options;
          await target.forEachChildren(
            paths,
            (outcome, index) => {
              if (Array.isArray(outcome)) {
                listed.push([paths[index] ?? '', outcome]);
              }
              each(outcome, index);
            },
            // Listings read in place (a walk's) are seen as they are handed on, names read from the frame.
            inFrame
              ? {
                  inFrame: (listing, index) => {
                    const names: string[] = [];
                    listing.forEachChildName((bytes, start, end) => names.push(bytes.toString('utf8', start, end)));
                    listed.push([paths[index] ?? '', names]);
                    inFrame(listing, index);
                  },
                }
              : {},
          );
          for (const [parent, children] of listed) {
            await remove(parent, children);
          }
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

test('a znode deleted between the listing and the read is left out alike, batched or not', async () => {
  for (const [round, options] of [{}, { multiRead: { enabled: false } }].entries()) {
    const session = open(options);
    const namespace = `racing${round}`;
    const victimPath = await registerHs2(seeders[0], namespace, { host: 'gone.example.com', port: 10000, variant: 'v3-binary' });
    await registerHs2(seeders[0], namespace, { host: 'stays.example.com', port: 10000, variant: 'v3-binary' });
    const victim = victimPath.split('/').pop();
    const listing = await listInstances(deletingAfterListing(session, (_, children) => children.find((c) => c === victim)), namespace);
    assert.deepEqual(listing.instances.map((i) => i.host), ['stays.example.com'], JSON.stringify(options));

    const lockRoot = `racing_locks${round}`;
    const lockPath = await takeLock(seeders[0], lockRoot, { db: 'd', table: 't', mode: 'SHARED', queryId: 'gone', query: 'q' });
    await takeLock(seeders[0], lockRoot, { db: 'd', table: 't', mode: 'SHARED', queryId: 'stays', query: 'q' });
    const lockName = lockPath.split('/').pop();
    const walk = await walkLocks(deletingAfterListing(session, (_, children) => children.find((c) => c === lockName)), lockRoot);
    assert.deepEqual(walk.locks.map((l) => l.data.queryId), ['stays'], JSON.stringify(options));
  }
});
