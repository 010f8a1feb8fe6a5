// Version-aware resolution on a real ZooKeeper: per-server quirk notes and the IPv6 legacy data
// that only 4.1+ drivers read (HIVE-28782).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { resolveJdbcUrl } from '../../src/core/resolver';
import { ZkSession } from '../../src/core/zkSession';
import { registerHs2, registerRaw } from '../support/hiveSeed';
import { startZooKeeper, type ZkCluster } from '../support/zkServer';

let zk: ZkCluster;
let session: ZkSession;
before(async () => {
  zk = await startZooKeeper();
  session = new ZkSession({ connectString: zk.connectString });
  await registerHs2(session, 'httponly', { host: 'web-1.example.com', port: 10001, variant: 'v3-http' });
  await registerHs2(session, 'nosasl', { host: 'plain-1.example.com', port: 10000, variant: 'v3-nosasl' });
  await registerHs2(session, 'kerberos', { host: 'krb-1.example.com', port: 10000, variant: 'v3-kerberos' });
  await registerRaw(session, 'ipv6', 'serverUri=v6;version=1.2.2;sequence=0000000000', Buffer.from('[fd00::1]:10000'));
});
after(async () => {
  session.close();
  await zk.stop();
});

const url = (tail: string): string => `jdbc:hive2://${zk.connectString}/;serviceDiscoveryMode=zooKeeper;${tail}`;
const codes = (notes: { code: string }[] | undefined): string[] => (notes ?? []).map((n) => n.code);

test('applyConfs: an HTTP-only registration gets the HTTP-port-ignored-on-retry note', async () => {
  const resolution = await resolveJdbcUrl(url('zooKeeperNamespace=httponly'), () => session);
  assert.deepEqual([resolution.chosen?.port, codes(resolution.chosen?.notes)], [10001, ['HTTP_PORT_IGNORED_ON_RETRY']]);
});

test('applyConfs: a NOSASL server overrides the URL\'s auth and principal, and says so', async () => {
  const resolution = await resolveJdbcUrl(url('zooKeeperNamespace=nosasl;auth=kerberos;principal=hive/_HOST@R'), () => session);
  assert.equal(resolution.chosen?.fromZnode.auth, 'noSasl');
  assert.match(resolution.chosen?.notes?.find((n) => n.code === 'SERVER_FORCES_NOSASL')?.message ?? '', /ignores its principal/);
});

test('HIVE-11875: auth=DelegationToken in any case skips the published principal, with a note', async () => {
  const resolution = await resolveJdbcUrl(url('zooKeeperNamespace=kerberos;auth=DelegationToken'), () => session);
  assert.equal(resolution.chosen?.fromZnode.principal, undefined);
  assert.deepEqual(codes(resolution.chosen?.notes), ['ZNODE_PRINCIPAL_IGNORED_TOKEN']);
});

test('HIVE-28782: IPv6 "host:port" data is unusable before 4.1 and read (not printable) by 4.1+', async () => {
  const reject = (driver: '4.0' | '4.1+') => resolveJdbcUrl(url('zooKeeperNamespace=ipv6'), () => session, { driver });
  await assert.rejects(reject('4.0'), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ZNODE_DATA' && /neither/.test(e.message));
  await assert.rejects(reject('4.1+'), (e: unknown) => {
    const candidates = (e as HiveZkError).details.candidates as { host?: string; port?: number; problem?: string }[];
    return candidates[0]?.host === 'fd00::1' && candidates[0].port === 10000 && /HIVE-28782/.test(candidates[0].problem ?? '');
  });
});

test('HIVE-22914: the empty-namespace message quotes the chosen driver version', async () => {
  await registerRaw(session, 'emptyns', 'leader', Buffer.alloc(0), 'ephemeral'); // only a non-instance child
  const empty = (driver: '3' | '4.0') => resolveJdbcUrl(url('zooKeeperNamespace=emptyns'), () => session, { driver });
  await assert.rejects(empty('3'), /Unable to read HiveServer2 configs from ZooKeeper/);
  await assert.rejects(empty('4.0'), /No more HiveServer2 URIs from ZooKeeper to attempt/);
});
