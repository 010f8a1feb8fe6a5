// Version-aware resolution on a real ZooKeeper: per-server quirk notes and the IPv6 legacy data
// that only 4.1+ drivers read (HIVE-28782).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { resolveJdbcUrl } from '../../src/core/jdbc/resolver';
import { ZkSession } from '../../src/core/zk/session';
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
  await registerRaw(session, 'ipv6bare', 'serverUri=v6;version=1.2.2;sequence=0000000000', Buffer.from('2001:db8::1:5678'));
  await registerRaw(session, 'ipv6bad', 'serverUri=v6;version=1.2.2;sequence=0000000000', Buffer.from('fd00::1::2:10000'));
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

test('HIVE-28782: IPv6 "host:port" data is unusable before 4.1; 4.1+ connects to it, and its URL brackets the host', async () => {
  const resolve = (namespace: string, driver: '4.0' | '4.1+') => resolveJdbcUrl(url(`zooKeeperNamespace=${namespace}`), () => session, { driver });
  await assert.rejects(resolve('ipv6', '4.0'), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_ZNODE_DATA' && /neither/.test(e.message));
  const bracketed = await resolve('ipv6', '4.1+');
  assert.deepEqual([bracketed.chosen?.host, bracketed.chosen?.port, bracketed.chosen?.url], ['fd00::1', 10000, 'jdbc:hive2://[fd00::1]:10000/default']);
  const bare = await resolve('ipv6bare', '4.1+');
  assert.deepEqual([bare.chosen?.host, bare.chosen?.port, bare.chosen?.url], ['2001:db8::1', 5678, 'jdbc:hive2://[2001:db8::1]:5678/default']);
  // Read by the driver, but not an address: still refused, with the reason.
  await assert.rejects(resolve('ipv6bad', '4.1+'), (e: unknown) => {
    const candidates = (e as HiveZkError).details.candidates as { host?: string; problem?: string }[];
    return candidates[0]?.host === 'fd00::1::2' && /HIVE-28782.*cannot build a URL/.test(candidates[0].problem ?? '');
  });
});

test('HIVE-22914: the empty-namespace message quotes the chosen driver version', async () => {
  await registerRaw(session, 'emptyns', 'leader', Buffer.alloc(0), 'ephemeral'); // only a non-instance child
  const empty = (driver: '3' | '4.0') => resolveJdbcUrl(url('zooKeeperNamespace=emptyns'), () => session, { driver });
  await assert.rejects(empty('3'), /Unable to read HiveServer2 configs from ZooKeeper/);
  await assert.rejects(empty('4.0'), /No more HiveServer2 URIs from ZooKeeper to attempt/);
});
