// Writes Hive-shaped znodes exactly as Hive's own code does (every variant in hive-zk-spec.md):
// HS2 registrations of each Hive version, HA ServiceRecords, metastore discovery, lock nodes.

import { randomUUID } from 'node:crypto';
import { isHiveZkError } from '../../src/core/errors';
import { forEachBlocker, lockNameMode, lockNameSequence, sortStably, type LockMode } from '../../src/core/locks/locks';
import type { ZkSession } from '../../src/core/zk/session';

export type Hs2Variant = 'legacy-1.x' | 'v2-binary' | 'v3-binary' | 'v3-http' | 'v3-kerberos' | 'v4-all' | 'v3-nosasl';

export interface Hs2Spec {
  host: string;
  port: number;
  httpPort?: number;
  version?: string;
  variant: Hs2Variant;
  principal?: string;
  ssl?: boolean;
  httpPath?: string;
}

/** The data an HS2 of that version writes (HiveServer2.addConfsToPublish; 1.x writes host:port). */
export function hs2Data(spec: Hs2Spec): string {
  const base: Record<string, string> = {
    'hive.server2.thrift.bind.host': spec.host,
    'hive.server2.use.SSL': String(spec.ssl ?? false),
  };
  const binary = { 'hive.server2.thrift.port': String(spec.port), 'hive.server2.thrift.sasl.qop': 'auth' };
  const http = { 'hive.server2.thrift.http.port': String(spec.httpPort ?? spec.port), 'hive.server2.thrift.http.path': spec.httpPath ?? 'cliservice' };
  const uri = { 'hive.server2.instance.uri': `${spec.host}:${spec.port}` };
  let confs: Record<string, string>;
  switch (spec.variant) {
    case 'legacy-1.x':
      return `${spec.host}:${spec.port}`;
    case 'v2-binary':
      confs = { ...binary, ...base, 'hive.server2.transport.mode': 'binary', 'hive.server2.authentication': 'NONE' };
      break;
    case 'v3-binary':
      confs = { ...binary, ...base, ...uri, 'hive.server2.transport.mode': 'binary', 'hive.server2.authentication': 'NONE' };
      break;
    case 'v3-nosasl':
      confs = { ...binary, ...base, ...uri, 'hive.server2.transport.mode': 'binary', 'hive.server2.authentication': 'NOSASL' };
      break;
    case 'v3-http':
      confs = { ...base, ...http, ...uri, 'hive.server2.transport.mode': 'http', 'hive.server2.authentication': 'NONE' };
      break;
    case 'v3-kerberos':
      confs = {
        ...base,
        ...binary,
        ...uri,
        'hive.server2.transport.mode': 'binary',
        'hive.server2.authentication': 'KERBEROS',
        'hive.server2.authentication.kerberos.principal': spec.principal ?? 'hive/_HOST@EXAMPLE.COM',
      };
      break;
    case 'v4-all':
      confs = { ...http, ...base, ...binary, ...uri, 'hive.server2.transport.mode': 'all', 'hive.server2.authentication': 'NONE' };
      break;
  }
  return Object.entries(confs)
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}

export async function mkdirp(session: ZkSession, path: string): Promise<void> {
  let current = '';
  for (const segment of path.split('/').filter(Boolean)) {
    current += `/${segment}`;
    await createIgnoringExisting(session, current);
  }
}

async function createIgnoringExisting(session: ZkSession, path: string): Promise<void> {
  try {
    await session.create(path, Buffer.alloc(0));
  } catch (error) {
    if (!(isHiveZkError(error) && error.details.zkCode === -110)) {
      throw error;
    }
  }
}

/** Registers an instance as HS2 does: EPHEMERAL_SEQUENTIAL "serverUri=…;version=…;sequence=". Returns the path. */
export async function registerHs2(session: ZkSession, namespace: string, spec: Hs2Spec): Promise<string> {
  await mkdirp(session, `/${namespace}`);
  const name = `serverUri=${spec.host}:${spec.port};version=${spec.version ?? '3.1.3'};sequence=`;
  return session.create(`/${namespace}/${name}`, Buffer.from(hs2Data(spec), 'utf8'), 'ephemeralSequential');
}

/** Raw registration with arbitrary name and data (for hostile or garbage input). */
export async function registerRaw(session: ZkSession, namespace: string, name: string, data: Buffer, mode: 'ephemeral' | 'ephemeralSequential' = 'ephemeral'): Promise<string> {
  await mkdirp(session, `/${namespace}`);
  return session.create(`/${namespace}/${name}`, data, mode);
}

/** HS2 3.0+ PrivilegeSynchronizer's Curator LeaderLatch under the namespace. */
export async function addLeaderLatch(session: ZkSession, namespace: string): Promise<void> {
  await mkdirp(session, `/${namespace}/leader`);
  await session.create(`/${namespace}/leader/_c_${randomUUID()}-latch-`, Buffer.from('127.0.0.1'), 'ephemeralSequential');
}

/** Active/passive HA: a Hadoop registry ServiceRecord under /<ns>-unsecure/instances (or -sasl, a Kerberized HS2's). */
export async function registerHaInstance(session: ZkSession, namespace: string, spec: Hs2Spec & { active: boolean; webUiPort?: number; registry?: 'unsecure' | 'sasl' }): Promise<string> {
  const registry = `/${namespace}-${spec.registry ?? 'unsecure'}`;
  const parent = `${registry}/instances`;
  await mkdirp(session, parent);
  await mkdirp(session, `${registry}/_LEADER`);
  const record = {
    type: 'JSONServiceRecord',
    description: 'HiveServer2',
    external: [],
    internal: [
      {
        api: spec.active ? 'activeEndpoint' : 'passiveEndpoint',
        addressType: 'host/port',
        protocolType: 'hadoop/IPC',
        addresses: [{ host: spec.host, port: String(spec.port) }],
      },
    ],
    'hive.server2.thrift.bind.host': spec.host,
    'hive.server2.webui.port': String(spec.webUiPort ?? 10002),
    'hive.server2.instance.uri': `${spec.host}:${spec.port}`,
    'registry.unique.id': randomUUID(),
    'hive.server2.transport.mode': 'binary',
    'hive.server2.thrift.port': String(spec.port),
    'hive.server2.thrift.sasl.qop': 'auth',
    'hive.server2.authentication': 'NONE',
    'hive.server2.use.SSL': 'false',
  };
  return session.create(`${parent}/instance-`, Buffer.from(JSON.stringify(record)), 'ephemeralSequential');
}

/** Hive 4 metastore discovery: "<host>:<port><seq>" with data "host:port". */
export async function registerMetastore(session: ZkSession, namespace: string, host: string, port: number): Promise<string> {
  await mkdirp(session, `/${namespace}`);
  return session.create(`/${namespace}/${host}:${port}`, Buffer.from(`${host}:${port}`), 'ephemeralSequential');
}

export interface LockSpec {
  db: string;
  /** Already-encoded table segment, as Hive 2.0+ writes it. */
  table?: string;
  /** Partition segments "k=v", already escaped. */
  partition?: string[];
  mode: 'SHARED' | 'EXCLUSIVE' | 'SEMI_SHARED';
  queryId: string;
  query: string;
  lockTime?: number;
  client?: string;
  explicit?: boolean;
  /** Override the data entirely (older or odd forms). */
  rawData?: string;
}

/** Takes a lock as ZooKeeperHiveLockManager does: persistent parents, sequential LOCK-<MODE>- node. */
export async function takeLock(session: ZkSession, root: string, spec: LockSpec): Promise<string> {
  const objectPath = ['', root, spec.db, spec.table, ...(spec.partition ?? [])].filter((s) => s !== undefined).join('/');
  await mkdirp(session, objectPath);
  const data =
    spec.rawData ??
    [spec.queryId, String(spec.lockTime ?? Date.now()), spec.explicit ? 'EXPLICIT' : 'IMPLICIT', spec.query.replace(/:/g, '').trim(), spec.client ?? '10.0.0.7'].join(':');
  return session.create(`${objectPath}/LOCK-${spec.mode}-`, Buffer.from(data), spec.explicit ? 'persistentSequential' : 'ephemeralSequential');
}

/**
 * One try of ZooKeeperHiveLockManager.lockPrimitive (seed 004): create the sequential lock, list its
 * siblings, and if an older one conflicts (the grant rule of forEachBlocker) delete it again. The
 * granted lock's path, or false; Hive then sleeps and tries again.
 */
export async function hiveLockAttempt(session: ZkSession, root: string, spec: LockSpec): Promise<string | false> {
  const path = await takeLock(session, root, spec);
  const parent = path.slice(0, path.lastIndexOf('/'));
  const { children } = await session.getChildren(parent);
  const locks = children.map((name) => ({ name, mode: lockNameMode(name), sequence: lockNameSequence(name) })).filter((l): l is { name: string; mode: LockMode; sequence: number } => l.mode !== undefined);
  sortStably(locks, (l) => l.sequence);
  const mine = path.slice(path.lastIndexOf('/') + 1);
  let blocked = false;
  forEachBlocker(locks, (l) => l.mode, (lock, blocker) => {
    if (lock.name === mine && blocker) {
      blocked = true;
    }
  });
  if (!blocked) {
    return path;
  }
  await session.remove(path);
  return false;
}

export interface LlapSpec {
  namespace?: string;
  user?: string;
  cluster?: string;
  host: string;
  rpcPort?: number;
  executors?: number;
  memoryMb?: number;
  /** Slot number to claim; undefined registers the worker without a slot. */
  slot?: number;
}

/** An LLAP daemon as LlapZookeeperRegistryImpl writes it: worker-<seq> ServiceRecord plus slot-<n> naming its unique id. */
export async function registerLlapDaemon(session: ZkSession, spec: LlapSpec): Promise<{ worker: string; uniqueId: string }> {
  const workers = `/${spec.namespace ?? 'llap-unsecure'}/user-${spec.user ?? 'hive'}/${spec.cluster ?? 'llap0'}/workers`;
  await mkdirp(session, workers);
  const uniqueId = randomUUID();
  const ipc = (api: string, port: number) => ({ api, addressType: 'host/port', protocolType: 'hadoop/IPC', addresses: [{ host: spec.host, port: String(port) }] });
  const record = {
    type: 'JSONServiceRecord',
    external: [{ api: 'services', addressType: 'uri', protocolType: 'webui', addresses: [{ uri: `http://${spec.host}:15002` }] }],
    internal: [
      ipc('llap', spec.rpcPort ?? 15001),
      ipc('llapmng', 15004),
      { api: 'shuffle', addressType: 'host/port', protocolType: 'tcp', addresses: [{ host: spec.host, port: '15551' }] },
      ipc('llapoutputformat', 15003),
    ],
    'registry.unique.id': uniqueId,
    'hive.llap.daemon.num.enabled.executors': String(spec.executors ?? 4),
    'hive.llap.daemon.memory.per.instance.mb': String(spec.memoryMb ?? 8192),
    'hive.llap.daemon.container.id': 'container_1700000000000_0001_01_000002',
  };
  const worker = await session.create(`${workers}/worker-`, Buffer.from(JSON.stringify(record)), 'ephemeralSequential');
  if (spec.slot !== undefined) {
    await session.create(`${workers}/slot-${spec.slot}`, Buffer.from(uniqueId), 'ephemeral');
  }
  return { worker, uniqueId };
}

export interface KyuubiSpec {
  host: string;
  port: number;
  version?: string;
  /** HS2-style key=value data (kyuubi.ha.zookeeper.publish.configs=true); otherwise "host:port". */
  publishConfigs?: boolean;
  refId?: string;
}

function kyuubiData(spec: KyuubiSpec): string {
  if (!spec.publishConfigs) {
    return `${spec.host}:${spec.port}`;
  }
  return [`hive.server2.thrift.bind.host=${spec.host}`, 'hive.server2.transport.mode=binary', `hive.server2.thrift.port=${spec.port}`, 'hive.server2.thrift.sasl.qop=auth', 'hive.server2.authentication=NONE'].join(';');
}

/** A Kyuubi server or engine registration: "serviceUri=host:port;version=…;[refId=…;]sequence=". */
export async function registerKyuubi(session: ZkSession, parent: string, spec: KyuubiSpec): Promise<string> {
  await mkdirp(session, parent);
  const name = `serviceUri=${spec.host}:${spec.port};version=${spec.version ?? '1.9.2'};${spec.refId ? `refId=${spec.refId};` : ''}sequence=`;
  return session.create(`${parent}/${name}`, Buffer.from(kyuubiData(spec)), 'ephemeralSequential');
}
