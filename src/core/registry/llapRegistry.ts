// LLAP daemons as LlapZookeeperRegistryImpl registers them: under <llap-sasl|llap-unsecure or
// hive.llap.zk.registry.namespace>/user-<user>/<cluster>/workers, a "worker-<seq>" ServiceRecord per
// daemon and a "slot-<n>" node whose data is that daemon's registry.unique.id.

import { preview } from '../errors';
import { decodeServiceRecord } from './haRegistry';
import { unlessMissing } from '../zk/missingZnode';
import type { ZkSession, ZnodeStat } from '../zk/session';
import { namespacePath } from '../zk/znodePath';
import { decodeText } from '../zk/znodeText';

/** Attribute names LLAP daemons publish (HiveConf / LlapRegistryService constants). */
export const LLAP_KEYS = {
  uniqueId: 'registry.unique.id',
  executors: 'hive.llap.daemon.num.enabled.executors',
  memoryMb: 'hive.llap.daemon.memory.per.instance.mb',
  containerId: 'hive.llap.daemon.container.id',
} as const;

export interface LlapDaemon {
  /** user-<user> and the cluster (the "@name" of hive.llap.daemon.service.hosts). */
  user: string;
  cluster: string;
  znode: string;
  path: string;
  host?: string;
  rpcPort?: number;
  managementPort?: number;
  shufflePort?: number;
  outputFormatPort?: number;
  uniqueId?: string;
  executors?: number;
  memoryMb?: number;
  containerId?: string;
  /** The slot-<n> that points at this daemon; undefined when none does (the scheduler then skips it). */
  slot?: number;
  ctime?: number;
  ephemeral?: boolean;
  attributes: Record<string, string>;
  problems: string[];
}

function intAttribute(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** Decodes one worker-<seq> znode's ServiceRecord; never throws. */
export function describeLlapWorker(user: string, cluster: string, parent: string, znode: string, data: Uint8Array, stat?: ZnodeStat): LlapDaemon {
  const daemon: LlapDaemon = { user, cluster, znode, path: `${parent}/${znode}`, attributes: {}, problems: [] };
  if (stat) {
    daemon.ctime = stat.ctime;
    daemon.ephemeral = stat.ephemeralOwner !== '0';
  }
  const record = decodeServiceRecord(data);
  if (!record) {
    daemon.problems.push('data is not a Hadoop registry ServiceRecord (JSON)');
    return daemon;
  }
  daemon.attributes = record.attributes;
  const endpoint = (api: string) => record.endpoints.find((e) => e.api === api);
  const rpc = endpoint('llap');
  if (rpc) {
    daemon.host = rpc.host;
    daemon.rpcPort = rpc.port;
  } else {
    daemon.problems.push('no "llap" RPC endpoint');
  }
  const ports: [keyof LlapDaemon, string][] = [
    ['managementPort', 'llapmng'],
    ['shufflePort', 'shuffle'],
    ['outputFormatPort', 'llapoutputformat'],
  ];
  for (const [field, api] of ports) {
    const found = endpoint(api);
    if (found) {
      (daemon as unknown as Record<string, unknown>)[field] = found.port;
    }
  }
  const attrs = record.attributes;
  if (attrs[LLAP_KEYS.uniqueId] !== undefined) {
    daemon.uniqueId = attrs[LLAP_KEYS.uniqueId];
  }
  if (attrs[LLAP_KEYS.containerId] !== undefined) {
    daemon.containerId = attrs[LLAP_KEYS.containerId];
  }
  const executors = intAttribute(attrs[LLAP_KEYS.executors]);
  const memoryMb = intAttribute(attrs[LLAP_KEYS.memoryMb]);
  if (executors !== undefined) {
    daemon.executors = executors;
  }
  if (memoryMb !== undefined) {
    daemon.memoryMb = memoryMb;
  }
  return daemon;
}

export interface LlapListing {
  namespace: string;
  daemons: LlapDaemon[];
  /** Slots whose daemon is gone (or unreadable), by slot number. */
  orphanSlots: number[];
}

function childrenOrEmpty(session: ZkSession, path: string): Promise<string[]> {
  return unlessMissing(session.getChildren(path).then((r) => r.children), () => []);
}

function dataOrUndefined(session: ZkSession, path: string): Promise<{ data: Uint8Array; stat: ZnodeStat } | undefined> {
  return unlessMissing(session.getData(path), () => undefined);
}

/** Lists every daemon of every user and cluster under an LLAP namespace, slots matched to daemons. */
export async function listLlapDaemons(session: ZkSession, namespace: string): Promise<LlapListing> {
  const root = namespacePath(namespace);
  const users = (await childrenOrEmpty(session, root)).filter((u) => u.startsWith('user-')).sort();
  const clusters = (await Promise.all(users.map(async (u) => (await childrenOrEmpty(session, `${root}/${u}`)).map((c) => [u, c] as const)))).flat();
  const daemons: LlapDaemon[] = [];
  const orphanSlots: number[] = [];
  await Promise.all(
    clusters.map(async ([userNode, cluster]) => {
      const workers = `${root}/${userNode}/${cluster}/workers`;
      const names = await childrenOrEmpty(session, workers);
      const read = await Promise.all(names.map(async (name) => [name, await dataOrUndefined(session, `${workers}/${name}`)] as const));
      const slotByWorkerId = new Map<string, number>();
      const slotNumbers: number[] = [];
      const found: LlapDaemon[] = [];
      for (const [name, entry] of read) {
        if (!entry) {
          continue;
        }
        const slot = /^slot-(\d{1,18})$/.exec(name);
        if (slot) {
          const workerId = decodeText(entry.data);
          slotNumbers.push(Number(slot[1]));
          if (workerId !== undefined) {
            slotByWorkerId.set(workerId, Number(slot[1]));
          }
        } else if (name.startsWith('worker-')) {
          found.push(describeLlapWorker(userNode.slice('user-'.length), cluster, workers, name, entry.data, entry.stat));
        }
      }
      const claimed = new Set<number>();
      for (const daemon of found) {
        const slot = daemon.uniqueId === undefined ? undefined : slotByWorkerId.get(daemon.uniqueId);
        if (slot === undefined) {
          daemon.problems.push(`no slot-<n> node names this daemon${daemon.uniqueId ? ` (${preview(daemon.uniqueId, 40)})` : ''}: LLAP's scheduler skips it`);
        } else {
          daemon.slot = slot;
          claimed.add(slot);
        }
      }
      orphanSlots.push(...slotNumbers.filter((n) => !claimed.has(n)));
      daemons.push(...found);
    }),
  );
  daemons.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { namespace, daemons, orphanSlots: orphanSlots.sort((a, b) => a - b) };
}
