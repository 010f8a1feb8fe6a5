// The doctor's hygiene findings from facts (what a real ensemble cannot be made to show on demand:
// week-old tokens, a session that is gone, an address at its connection limit) and its reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doctorExitCode, type DoctorReport } from '../../src/core/doctor/doctor';
import { planInstance, type DoctorEndpoint } from '../../src/core/doctor/endpoints';
import {
  connectionFindings,
  endpointFindings,
  explicitLockFindings,
  haLeaderFindings,
  kyuubiEngineFindings,
  llapTokenFindings,
  lockOwnerFindings,
  LLAP_TOKEN_WARN_COUNT,
  type SessionView,
} from '../../src/core/doctor/hygiene';
import { formatDoctorMarkdown, formatDoctorText, markdownText } from '../../src/core/doctor/report';
import { describeInstance, decodeInstanceData, type Hs2Instance } from '../../src/core/registry/hs2Instance';
import type { KyuubiEngine } from '../../src/core/registry/kyuubiRegistry';
import { NO_PROBLEMS, type HiveLock } from '../../src/core/locks/locks';
import type { ClientGroup } from '../../src/core/health/serverHealth';

const NOW = Date.UTC(2026, 11, 7, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function instance(path: string, extra: Partial<Hs2Instance> = {}): Hs2Instance {
  return { znode: path.slice(path.lastIndexOf('/') + 1), path, settings: {}, dataFormat: 'config', problems: [], ...extra };
}

function lock(path: string, extra: Partial<HiveLock> & { lockTime?: number; clientIp?: string } = {}): HiveLock {
  const { lockTime, clientIp, ...rest } = extra;
  return {
    mode: 'EXCLUSIVE',
    sequence: 1,
    znode: path.slice(path.lastIndexOf('/') + 1),
    path,
    objectPath: path.slice(0, path.lastIndexOf('/')),
    object: { database: 'sales', table: 'orders', partition: [{ key: 'ds', value: "2026'12" }] },
    data: { queryId: 'q', ...(lockTime !== undefined ? { lockTime } : {}), lockMode: 'EXPLICIT', queryString: 'LOCK TABLE', ...(clientIp !== undefined ? { clientIp } : {}), problems: NO_PROBLEMS },
    status: 'granted',
    ...rest,
  };
}

test('HA: no leader and two leaders are errors; exactly one is fine', () => {
  const a = instance('/ha-unsecure/instances/instance-1', { isLeader: false });
  const b = instance('/ha-unsecure/instances/instance-2', { isLeader: true, host: 'h2' });
  const c = instance('/ha-unsecure/instances/instance-3', { isLeader: true, host: 'h3' });
  assert.deepEqual(haLeaderFindings('/ha-unsecure/instances', [a, b]), []);
  assert.deepEqual(haLeaderFindings('/ha-unsecure/instances', [a]).map((f) => [f.code, f.severity, f.znode]), [['HA_NO_LEADER', 'error', '/ha-unsecure/instances']]);
  assert.deepEqual(haLeaderFindings('/ha-unsecure/instances', [a, b, c]).map((f) => [f.code, f.znode]), [
    ['HA_MANY_LEADERS', b.path],
    ['HA_MANY_LEADERS', c.path],
  ]);
});

test('LLAP tokens: a count is a note; a pile or tokens past their lifetime is a warning', () => {
  const path = '/zkdtsm_llap0/ZKDTSMRoot/ZKDTSMTokensRoot';
  assert.deepEqual(llapTokenFindings({ path, count: 0, ctimes: [] }, NOW), []);
  assert.deepEqual(llapTokenFindings({ path, count: 2, ctimes: [NOW - HOUR, NOW - 2 * HOUR] }, NOW), [{ severity: 'info', code: 'LLAP_TOKENS', message: '2 LLAP delegation token znodes, the oldest 2 h.', znode: path }]);
  const stale = llapTokenFindings({ path, count: 3, ctimes: [NOW - 20 * DAY, NOW - 15 * DAY, NOW - DAY] }, NOW)[0];
  assert.equal(stale?.code, 'LLAP_TOKENS_PILED_UP');
  assert.match(stale?.message ?? '', /^3 LLAP delegation token znodes, the oldest 20 d: 2 older than the 14 d token lifetime/);
  assert.equal(llapTokenFindings({ path, count: LLAP_TOKEN_WARN_COUNT, ctimes: [NOW - HOUR] }, NOW)[0]?.severity, 'warning');
});

test('Kyuubi: an engine whose session is connected nowhere, a persistent engine node, a user in two subdomains', () => {
  const engine = (user: string, subdomain: string, owner: string | undefined, shareLevel = 'USER'): KyuubiEngine => ({
    serverSpace: 'kyuubi',
    kyuubiVersion: '1.9.2',
    shareLevel,
    engineType: 'SPARK_SQL',
    user,
    subdomain,
    instance: instance(`/kyuubi_1.9.2_${shareLevel}_SPARK_SQL/${user}/${subdomain}/serviceUri=h:1;sequence=1`, owner === undefined ? { ephemeral: false } : { ephemeral: true, ephemeralOwner: owner }),
  });
  const view: SessionView = { sessions: new Map([['10a', { sessionId: '10a', address: '10.0.0.1', port: 1, server: 'zk:2181' }]]), complete: true };
  const engines = [engine('alice', 'default', '10a'), engine('alice', 'etl', 'dead'), engine('bob', 'default', undefined)];
  const findings = kyuubiEngineFindings('/kyuubi_1.9.2_USER_SPARK_SQL', engines, view);
  assert.deepEqual(findings.map((f) => [f.code, f.znode]), [
    ['KYUUBI_ENGINE_ORPHANED', engines[1]?.instance.path],
    ['KYUUBI_ENGINE_PERSISTENT', engines[2]?.instance.path],
    ['KYUUBI_MIXED_SUBDOMAINS', '/kyuubi_1.9.2_USER_SPARK_SQL/alice'],
  ]);
  assert.match(findings[0]?.message ?? '', /session 0xdead is connected to no server/);
  // Without a complete list of sessions, a missing one proves nothing; per-connection engines have a subdomain each.
  assert.deepEqual(kyuubiEngineFindings('/s', [engine('alice', 'a', 'dead')], { ...view, complete: false }), []);
  assert.deepEqual(kyuubiEngineFindings('/s', [engine('alice', 'a', '10a', 'CONNECTION'), engine('alice', 'b', '10a', 'CONNECTION')], view), []);
});

test('explicit locks: old persistent ones with their UNLOCK (quoted), never ephemeral or young ones', () => {
  const old = lock('/hive_zookeeper_namespace/sales/orders/ds=x/LOCK-EXCLUSIVE-0000000001', { ephemeral: false, lockTime: NOW - 3 * HOUR, clientIp: '10.0.0.9' });
  const young = lock('/hive_zookeeper_namespace/sales/orders/LOCK-EXCLUSIVE-0000000002', { ephemeral: false, lockTime: NOW - 10 * 60_000 });
  const implicit = lock('/hive_zookeeper_namespace/sales/orders/LOCK-SHARED-0000000003', { ephemeral: true, ephemeralOwner: '1', lockTime: NOW - 5 * HOUR });
  const findings = explicitLockFindings([old, young, implicit], NOW);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.znode, old.path);
  assert.equal(findings[0]?.message, "Explicit EXCLUSIVE lock on sales.orders (ds=2026'12) from 10.0.0.9, taken 3 h ago: it stays until unlocked; release it with: UNLOCK TABLE `sales`.`orders` PARTITION (`ds`='2026\\'12');");
  const hostile = lock('/l/x/LOCK-EXCLUSIVE-1', { ephemeral: false, lockTime: NOW - 3 * HOUR, object: { database: 'a`b\u0000' } });
  assert.match(explicitLockFindings([hostile], NOW)[0]?.message ?? '', /no UNLOCK statement can be built safely/);
});

test('lock owners: held from an address with no HiveServer2, or from a session connected nowhere', () => {
  const sessions = new Map([['5', { sessionId: '5', address: '10.0.0.50', port: 1, server: 'zk:2181' }]]);
  const locks = [lock('/l/a/LOCK-SHARED-1', { ephemeral: true, ephemeralOwner: '5', lockTime: NOW - HOUR }), lock('/l/a/LOCK-SHARED-2', { ephemeral: true, ephemeralOwner: '6', lockTime: NOW - HOUR })];
  const hs2 = [instance('/hiveserver2/x', { host: '10.0.0.12' })];
  const findings = lockOwnerFindings(locks, hs2, { sessions, complete: true }, NOW);
  assert.deepEqual(findings.map((f) => [f.code, f.znode]), [
    ['LOCK_OWNER_NOT_HS2', '/l/a/LOCK-SHARED-1'],
    ['LOCK_OWNER_GONE', '/l/a/LOCK-SHARED-2'],
  ]);
  assert.match(findings[0]?.message ?? '', /session 0x5 on 10\.0\.0\.50 holds 1 lock, the oldest 1 h: held from 10\.0\.0\.50, where no live HiveServer2 is registered\./);
  assert.deepEqual(lockOwnerFindings(locks.slice(0, 1), [instance('/hiveserver2/y', { host: '10.0.0.50' })], { sessions, complete: true }, NOW), []);
});

test('connections near maxClientCnxns are warnings naming the address and server', () => {
  const clients: ClientGroup[] = [
    { address: '10.0.0.15', total: 51, warn: true, sessions: [], perServer: [{ server: 'zk2:2181', count: 51, limit: 60, warn: true }, { server: 'zk1:2181', count: 1, limit: 60, warn: false }] },
    { address: '10.0.0.16', total: 2, warn: false, sessions: [], perServer: [{ server: 'zk1:2181', count: 2, limit: 60, warn: false }] },
  ];
  assert.deepEqual(connectionFindings(clients), [{ severity: 'warning', code: 'ZK_CONNECTIONS_NEAR_LIMIT', message: '10.0.0.15 holds 51 on zk2:2181 (limit 60): near maxClientCnxns, after which the server refuses its new connections.', znode: null }]);
});

test('planInstance: the driver\'s transport (only "http" is HTTP), the URL\'s overrides, nothing to probe for bad data', () => {
  const http = describeInstance('/hs2', 'serverUri=h:10001;sequence=1', decodeInstanceData(Buffer.from('hive.server2.thrift.bind.host=h;hive.server2.thrift.http.port=10001;hive.server2.transport.mode=HTTP;hive.server2.thrift.http.path=cliservice;hive.server2.use.SSL=true')));
  assert.deepEqual(planInstance('hs2', 'hs2', http).target, { host: 'h', port: 10001, transport: 'http', ssl: true, httpPath: 'cliservice' });
  assert.deepEqual(planInstance('hs2', 'hs2', http, { transportMode: 'binary', ssl: 'false' }).target, { host: 'h', port: 10001, transport: 'binary', ssl: false, httpPath: 'cliservice' });
  const all = describeInstance('/hs2', 'serverUri=h:10000;sequence=2', decodeInstanceData(Buffer.from('hive.server2.thrift.bind.host=h;hive.server2.thrift.port=10000;hive.server2.thrift.http.port=10001;hive.server2.transport.mode=all')));
  assert.equal(planInstance('hs2', 'hs2', all).target?.transport, 'binary');
  assert.equal(planInstance('hs2', 'hs2', all).target?.port, 10000);
  const odd = describeInstance('/hs2', 'serverUri=h:1;sequence=3', decodeInstanceData(Buffer.from('hive.server2.thrift.bind.host=h o$t;hive.server2.thrift.port=99999')));
  const planned = planInstance('hs2', 'hs2', odd);
  assert.equal(planned.target, undefined);
  assert.match(planned.problem ?? '', /^nothing to probe: invalid host .*port 99999 is outside 1-65535/);
});

test('reports: exit status, the terminal text, and Markdown that escapes what znodes hold', () => {
  const endpoint = (status: DoctorEndpoint['probe']['status'], host: string): DoctorEndpoint => ({ namespace: 'hiveserver2', znode: `/hiveserver2/serverUri=${host}:1`, kind: 'hs2', host, port: 1, transport: 'binary', ssl: false, probe: { status, ms: 3, detail: 'why' } });
  const good: DoctorReport = { endpoints: [endpoint('answering', 'h1')], findings: [{ severity: 'warning', code: 'W', message: 'm', znode: null }] };
  assert.equal(doctorExitCode(good), 0);
  const bad: DoctorReport = { endpoints: [endpoint('answering', 'h1'), endpoint('refused', 'h2')], findings: [] };
  bad.findings = endpointFindings(bad.endpoints);
  assert.equal(doctorExitCode(bad), 1);
  assert.deepEqual(bad.findings, [{ severity: 'error', code: 'ENDPOINT_REFUSED', message: 'h2:1 (hs2, binary) is refused: why', znode: '/hiveserver2/serverUri=h2:1' }]);
  const text = formatDoctorText({ ...bad, steps: [{ step: 'parse', ok: true, detail: 'fine' }] });
  assert.match(text, /^Steps\n {2}ok {3}parse {6}fine\n/);
  assert.match(text, /\n {4}refused {7}h2:1 {2}hs2\/binary +3 ms {2}why\n/);
  assert.match(text, /\n {2}ERROR {3}ENDPOINT_REFUSED: h2:1 \(hs2, binary\) is refused: why\n {10}\/hiveserver2\/serverUri=h2:1\n/);
  assert.match(text, /1 of 2 endpoints answer; 1 errors, 0 warnings, 0 notes\n$/);
  const escaped = markdownText('a|b <img src=x> [l](command:x) *\u202e\nz');
  assert.doesNotMatch(escaped, /(^|[^\\])[|<>[\]()*]/, escaped);
  assert.doesNotMatch(escaped, /[\u202e\n]/);
  const md = formatDoctorMarkdown({ endpoints: [endpoint('refused', 'h|x')], findings: [] }, 'sandbox', new Date(NOW));
  assert.match(md, /^# Registry doctor: sandbox\n/);
  assert.match(md, /\| ❌ refused \| h\\\|x:1 \| hs2 \| binary \| 3 \| why \| \/hiveserver2\/serverUri=h\\\|x:1 \|/);
});
