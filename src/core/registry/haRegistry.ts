// HiveServer2 active/passive HA (Hive 3.0+): Hadoop registry ServiceRecord JSON under
// <ns>-<sasl|unsecure>/instances, decoded and listed the way the driver reads them.

import { isValidHost } from '../zk/connectString';
import { HiveZkError, preview } from '../errors';
import { describeInstance, HS2_KEYS, type Hs2Instance } from './hs2Instance';
import { sortInstances, type NamespaceListing } from './hs2Registry';
import { parseJavaInt } from '../javaInt';
import { unlessMissing, unlessMissingOutcome } from '../zk/missingZnode';
import { namespacePath } from '../zk/znodePath';
import { decodeText } from '../zk/znodeText';
import type { WatchListener, ZkSession, ZnodeStat } from '../zk/session';

export interface ServiceRecord {
  attributes: Record<string, string>;
  endpoints: { api: string; host: string; port: number }[];
}

/** Decodes a Hadoop registry ServiceRecord; undefined for anything else. */
export function decodeServiceRecord(data: Uint8Array): ServiceRecord | undefined {
  const text = decodeText(data);
  if (text === undefined || !text.trimStart().startsWith('{')) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return undefined;
  }
  const record = parsed as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' && key !== 'type' && key !== 'description') {
      attributes[key] = value;
    }
  }
  const endpoints: ServiceRecord['endpoints'] = [];
  const internal = Array.isArray(record.internal) ? (record.internal as unknown[]) : [];
  for (const endpoint of internal) {
    if (typeof endpoint !== 'object' || endpoint === null) {
      continue;
    }
    const { api, addresses } = endpoint as { api?: unknown; addresses?: unknown };
    if (typeof api !== 'string' || !Array.isArray(addresses)) {
      continue;
    }
    for (const address of addresses as unknown[]) {
      const { host, port } = (address ?? {}) as { host?: unknown; port?: unknown };
      // Hadoop writes ports as strings and its client reads them with Integer.parseInt; a JSON number
      // ("1e4", "10000.0") would reach it as that text and fail, so only strings count.
      const parsed = typeof port === 'string' ? parseJavaInt(port) : undefined;
      const portNumber = parsed !== undefined && parsed >= 1 && parsed <= 65535 ? parsed : undefined;
      if (typeof host === 'string' && portNumber !== undefined) {
        endpoints.push({ api, host, port: portNumber });
      }
    }
  }
  return { attributes, endpoints };
}

export function describeHaInstance(parent: string, znode: string, data: Uint8Array, stat?: ZnodeStat): Hs2Instance {
  const record = decodeServiceRecord(data);
  if (!record) {
    return describeInstance(parent, znode, { format: 'invalid', reason: 'data is not a Hadoop registry ServiceRecord (JSON)' }, stat, 'sequential');
  }
  const instance = describeInstance(parent, znode, { format: 'config', settings: record.attributes, duplicateKeys: [] }, stat, 'sequential');
  instance.dataFormat = 'serviceRecord';
  const active = record.endpoints.find((e) => e.api === 'activeEndpoint');
  const endpoint = active ?? record.endpoints[0];
  instance.isLeader = active !== undefined;
  // The driver takes the endpoint first, then applies the attributes over it: a published bind
  // host or binary port wins, and an HTTP port is ignored once the endpoint gave a port.
  if (endpoint && isValidHost(endpoint.host)) {
    if (!Object.prototype.hasOwnProperty.call(record.attributes, HS2_KEYS.bindHost)) {
      instance.host = endpoint.host;
    }
    if (!Object.prototype.hasOwnProperty.call(record.attributes, HS2_KEYS.binaryPort) && instance.endpointProblem === undefined) {
      instance.port = endpoint.port;
    }
  }
  return instance;
}

/** The two registries of an HA namespace, in the order the driver tries them. */
const HA_SUFFIXES = ['unsecure', 'sasl'] as const;

/**
 * The one place the name rule is spelt out: Hive's HA registry of namespace "<ns>" is "<ns>-unsecure"
 * (no Kerberos) or "<ns>-sasl" (LLAP's default namespaces, llap-unsecure and llap-sasl, follow it too).
 * Undefined for a name without either suffix.
 */
export function splitHaName(name: string): { base: string; suffix: (typeof HA_SUFFIXES)[number] } | undefined {
  const suffix = HA_SUFFIXES.find((s) => name.endsWith(`-${s}`));
  return suffix === undefined ? undefined : { base: name.slice(0, name.length - suffix.length - 1), suffix };
}

/** An HA registry's namespace without its "-unsecure"/"-sasl" suffix (a name without one is returned as is). */
export function haBaseName(name: string): string {
  return splitHaName(name)?.base ?? name;
}

/** The registries of HA namespace "<ns>" as the driver forms them: "<ns>-unsecure" and "<ns>-sasl". */
export function haRegistryNames(namespace: string): string[] {
  return HA_SUFFIXES.map((suffix) => `${namespace}-${suffix}`);
}

/** The chroot paths to list for an HA namespace: itself when it already names a registry, else both of its registries. */
export function haRegistryPaths(namespace: string): string[] {
  const base = namespacePath(namespace);
  return splitHaName(base) ? [base] : haRegistryNames(base);
}

export async function listHaInstances(session: ZkSession, namespace: string, watch?: WatchListener): Promise<NamespaceListing> {
  for (const registry of haRegistryPaths(namespace)) {
    const path = `${registry}/instances`;
    const listing = await unlessMissing(session.getChildren(path, watch), () => undefined, { unreadable: false });
    if (!listing) {
      continue;
    }
    const { children } = listing;
    const described = new Array<Hs2Instance | undefined>(children.length);
    await session.forEachData(
      children.map((child) => `${path}/${child}`),
      (read, i) => {
        const outcome = unlessMissingOutcome(read, () => undefined, { unreadable: false });
        described[i] = outcome && describeHaInstance(path, children[i], outcome.data, outcome.stat);
      },
    );
    const instances = sortInstances(described.filter((i): i is Hs2Instance => i !== undefined));
    return { namespace, path, instances, otherChildren: [] };
  }
  throw new HiveZkError('NAMESPACE_MISSING', `No active/passive HA registry for ${preview(namespace)} (looked for ${haRegistryPaths(namespace).map((p) => `${preview(p)}/instances`).join(' and ')}).`, { namespace });
}
