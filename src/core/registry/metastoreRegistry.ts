// Hive metastore discovery (Hive 4.x): children "<host>:<port><10-digit seq>" under the metastore
// namespace, each with data "host:port".

import { parseHostPort } from './hs2Instance';
import { unlessMissingOutcome } from '../zk/missingZnode';
import { namespacePath } from '../zk/znodePath';
import { decodeText } from '../zk/znodeText';
import type { ZkSession } from '../zk/session';

export interface MetastoreInstance {
  znode: string;
  host: string;
  port: number;
  uri: string;
}

export function parseMetastoreZnode(name: string, data: Uint8Array): MetastoreInstance | undefined {
  const text = decodeText(data);
  const endpoint = text === undefined ? undefined : parseHostPort(text);
  if (!endpoint) {
    return undefined;
  }
  return { znode: name, ...endpoint, uri: `thrift://${endpoint.host}:${endpoint.port}` };
}

export async function listMetastoreInstances(session: ZkSession, namespace: string): Promise<MetastoreInstance[]> {
  const path = namespacePath(namespace);
  const { children } = await session.getChildren(path);
  const read = await session.getDataMany(children.map((child) => `${path}/${child}`));
  return children
    .map((child, i) => {
      const outcome = unlessMissingOutcome(read[i], () => undefined);
      return outcome && parseMetastoreZnode(child, outcome.data);
    })
    .filter((m): m is MetastoreInstance => m !== undefined)
    .sort((a, b) => (a.znode < b.znode ? -1 : a.znode > b.znode ? 1 : 0));
}
