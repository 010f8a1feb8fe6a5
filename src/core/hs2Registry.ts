// HiveServer2 service discovery as Hive writes it: instance znode names and data (every Hive
// version), active/passive HA records, metastore discovery, and which top-level znodes are which.
// Znode content is untrusted: decoders never throw, they report problems.

import { isValidHost, parsePort } from './connectString';
import { HiveZkError, isHiveZkError, preview } from './errors';
import { parseJavaInt } from './javaInt';
import { unlessMissing, unlessMissingOutcome } from './missingZnode';
import { splitPairs } from './pairs';
import { namespacePath } from './znodePath';
import { decodeText } from './znodeText';
import type { ReadOutcome, WatchListener, ZkSession, ZnodeStat } from './zkSession';

export const DEFAULT_HS2_NAMESPACE = 'hiveserver2';
export const DEFAULT_HA_NAMESPACE = 'hs2ActivePassiveHA';
export const DEFAULT_LOCK_NAMESPACE = 'hive_zookeeper_namespace';
export const DEFAULT_METASTORE_NAMESPACE = 'hive_metastore';

/** Published keys (HiveServer2.addConfsToPublish) under short names. */
export const HS2_KEYS = {
  bindHost: 'hive.server2.thrift.bind.host',
  transportMode: 'hive.server2.transport.mode',
  binaryPort: 'hive.server2.thrift.port',
  httpPort: 'hive.server2.thrift.http.port',
  httpPath: 'hive.server2.thrift.http.path',
  saslQop: 'hive.server2.thrift.sasl.qop',
  useSsl: 'hive.server2.use.SSL',
  authentication: 'hive.server2.authentication',
  principal: 'hive.server2.authentication.kerberos.principal',
  instanceUri: 'hive.server2.instance.uri',
  webUiPort: 'hive.server2.webui.port',
} as const;

export interface InstanceName {
  host: string;
  port: number;
  version?: string;
  sequence?: string;
  /** Any other key=value parts of the name, kept as found. */
  extra: Record<string, string>;
}

/** Decodes "serverUri=host:port;version=…;sequence=…"; undefined if the name is not of that form. */
export function parseInstanceName(name: string): InstanceName | undefined {
  // Scanned with indexOf, not split + Map: this runs once per registration of every listing.
  let serverUri: string | undefined;
  let serviceUri: string | undefined;
  let version: string | undefined;
  let sequence: string | undefined;
  const extra: Record<string, string> = {};
  for (let start = 0; start <= name.length; ) {
    const semicolon = name.indexOf(';', start);
    const end = semicolon === -1 ? name.length : semicolon;
    const eq = name.indexOf('=', start);
    if (eq > start && eq < end) {
      const key = name.slice(start, eq);
      const value = name.slice(eq + 1, end);
      if (key === 'serverUri') {
        serverUri = value;
      } else if (key === 'serviceUri') {
        serviceUri = value;
      } else if (key === 'version') {
        version = value;
      } else if (key === 'sequence') {
        sequence = value;
      } else {
        extra[key] = value;
      }
    }
    start = end + 1;
  }
  // Kyuubi names the same part "serviceUri" (ZookeeperDiscoveryClient); Hive's driver ignores names either way.
  const endpoint = parseHostPort(serverUri ?? serviceUri ?? '');
  if (!endpoint) {
    return undefined;
  }
  const result: InstanceName = { host: endpoint.host, port: endpoint.port, extra };
  if (version !== undefined) {
    result.version = version;
  }
  if (sequence !== undefined) {
    result.sequence = sequence;
  }
  return result;
}

export type InstanceData =
  | { format: 'config'; settings: Record<string, string>; duplicateKeys: string[] }
  | { format: 'legacy'; host: string; port: number }
  | { format: 'invalid'; reason: string; /** Short data that is not "host:port" to Hive ≤ 4.0 (newer drivers may read it: HIVE-28782). */ text?: string };

/** Decodes an instance znode's data: 2.0+ "k=v;k=v" configs, or the 1.x "host:port". */
export function decodeInstanceData(data: Uint8Array): InstanceData {
  const text = decodeText(data);
  if (text === undefined) {
    return { format: 'invalid', reason: `data is not UTF-8 text (${data.length} bytes)` };
  }
  if (text === '') {
    return { format: 'invalid', reason: 'data is empty' };
  }
  const settings: Record<string, string> = {};
  const duplicateKeys: string[] = [];
  // The driver's pattern for published configs (HIVE-11966) ends each key at its first "=".
  const pairs = splitPairs(text, 'firstEquals');
  for (const [key, value] of pairs) {
    if (Object.prototype.hasOwnProperty.call(settings, key)) {
      duplicateKeys.push(key);
    }
    settings[key] = value;
  }
  if (pairs.length > 0) {
    return { format: 'config', settings, duplicateKeys };
  }
  const legacy = parseHostPort(text, parseJavaInt);
  if (legacy) {
    return { format: 'legacy', ...legacy };
  }
  const invalid: InstanceData = { format: 'invalid', reason: `data is neither "k=v;…" nor "host:port": "${preview(text)}"` };
  return text.length <= 256 ? { ...invalid, text } : invalid;
}

/** "host:port"; the port is read as the reader of that text does (URI parsers: ASCII digits; Hive's legacy data: Integer.parseInt). */
export function parseHostPort(text: string, readPort: (text: string) => number | undefined = parsePort): { host: string; port: number } | undefined {
  const parts = text.split(':');
  if (parts.length !== 2) {
    return undefined;
  }
  const [host = '', portText = ''] = parts;
  const port = readPort(portText);
  return isValidHost(host) && port !== undefined && port >= 1 && port <= 65535 ? { host, port } : undefined;
}

export interface Hs2Instance {
  /** Child znode name, e.g. "serverUri=h:10000;version=3.1.0;sequence=0000000012". */
  znode: string;
  path: string;
  host?: string;
  port?: number;
  version?: string;
  sequence?: string;
  transportMode?: string;
  httpPath?: string;
  ssl?: boolean;
  authentication?: string;
  saslQop?: string;
  principal?: string;
  /** Every decoded setting, including ones this tool does not know. */
  settings: Record<string, string>;
  dataFormat: 'config' | 'legacy' | 'serviceRecord' | 'invalid' | 'unreadable';
  /** Active/passive HA only: true for the active (leader) instance. */
  isLeader?: boolean;
  ctime?: number;
  ephemeral?: boolean;
  /** The ZooKeeper session (hex) that created this ephemeral registration: the HiveServer2's own. */
  ephemeralOwner?: string;
  /** What is wrong with this registration, for display; empty when it is sound. */
  problems: string[];
  /** Set when the published host or port is one the driver cannot use. */
  endpointProblem?: string;
  /** Data no Hive ≤ 4.0 driver can read, kept for the version-aware resolver (e.g. an IPv6 "host:port"). */
  unreadableText?: string;
}

/**
 * The one rule for "can a client connect to this registration", shared by the tree, the resolver
 * and every URL or command built from an instance: the driver reads host and port from the
 * znode's data, never from its name, so empty, binary, non-UTF-8, unparsable or unreadable data
 * (or a published host/port the driver rejects) means there is nothing to connect to.
 */
export function connectTarget(instance: Hs2Instance): { host: string; port: number } | { problem: string } {
  if (instance.dataFormat === 'invalid' || instance.dataFormat === 'unreadable') {
    return { problem: instance.problems.join('; ') || 'unreadable registration' };
  }
  if (instance.endpointProblem !== undefined) {
    return { problem: instance.endpointProblem };
  }
  if (instance.host === undefined || instance.port === undefined) {
    return { problem: 'the registration gives no host and port' };
  }
  return { host: instance.host, port: instance.port };
}

/** How the znodes of a registry are named: HS2's "serverUri=…" names, or HA's "instance-<sequence>". */
export type NameFormat = 'serverUri' | 'sequential';

/** Builds the instance view the way the driver reads it: data first, the znode name as fallback. */
export function describeInstance(namespacePath: string, znode: string, data: InstanceData, stat?: ZnodeStat, nameFormat: NameFormat = 'serverUri'): Hs2Instance {
  const instance: Hs2Instance = { znode, path: `${namespacePath}/${znode}`, settings: {}, dataFormat: data.format, problems: [] };
  if (nameFormat === 'sequential') {
    instance.sequence = /(\d+)$/.exec(znode)?.[1] ?? znode;
  } else {
    const name = parseInstanceName(znode);
    if (name) {
      instance.host = name.host;
      instance.port = name.port;
      if (name.version !== undefined) {
        instance.version = name.version;
      }
      if (name.sequence !== undefined) {
        instance.sequence = name.sequence;
      }
    } else {
      instance.problems.push('znode name is not "serverUri=host:port;version=…;sequence=…"');
    }
  }
  if (stat) {
    instance.ctime = stat.ctime;
    instance.ephemeral = stat.ephemeralOwner !== '0';
    if (instance.ephemeral) {
      instance.ephemeralOwner = stat.ephemeralOwner;
    }
  }
  if (data.format === 'invalid') {
    instance.problems.push(data.reason);
    if (data.text !== undefined) {
      instance.unreadableText = data.text;
    }
  } else if (data.format === 'legacy') {
    instance.host = data.host;
    instance.port = data.port;
  } else {
    instance.settings = data.settings;
    if (data.duplicateKeys.length > 0) {
      instance.problems.push(`duplicate keys in data: ${data.duplicateKeys.map((k) => preview(k, 40)).join(', ')}`);
    }
    applySettings(instance, data.settings);
  }
  return instance;
}

/**
 * Host and port exactly as the driver's applyConfs takes them from published settings, in data
 * order: the bind host always; the binary port always; the HTTP port only while no port > 0 is
 * known. A port Integer.parseInt rejects makes the driver give up on the whole registration.
 */
export function publishedEndpoint(settings: Readonly<Record<string, string>>): { host?: string; port?: number; problems: string[] } {
  const result: { host?: string; port?: number; problems: string[] } = { problems: [] };
  let port: number | undefined;
  for (const [key, value] of Object.entries(settings)) {
    if (key === HS2_KEYS.bindHost) {
      result.host = value;
    } else if (key === HS2_KEYS.binaryPort || (key === HS2_KEYS.httpPort && !(port !== undefined && port > 0))) {
      port = parseJavaInt(value);
      if (port === undefined) {
        result.problems.push(`port "${preview(value, 20)}" in ${key} is not an integer (Hive's driver fails on it)`);
        break;
      }
    }
  }
  if (result.host !== undefined && !isValidHost(result.host)) {
    result.problems.push(`invalid host "${preview(result.host, 40)}"`);
    delete result.host;
  }
  if (port !== undefined) {
    if (port >= 1 && port <= 65535) {
      result.port = port;
    } else {
      result.problems.push(`port ${port} is outside 1-65535`);
    }
  }
  return result;
}

function applySettings(instance: Hs2Instance, settings: Record<string, string>): void {
  const endpoint = publishedEndpoint(settings);
  if (Object.prototype.hasOwnProperty.call(settings, HS2_KEYS.bindHost)) {
    if (endpoint.host === undefined) {
      delete instance.host;
    } else {
      instance.host = endpoint.host;
    }
  }
  if (endpoint.port !== undefined) {
    instance.port = endpoint.port;
  } else if (endpoint.problems.some((p) => p.startsWith('port'))) {
    delete instance.port;
  }
  if (endpoint.problems.length > 0) {
    instance.problems.push(...endpoint.problems);
    instance.endpointProblem = endpoint.problems.join('; ');
  }
  const optional: [keyof Hs2Instance, string][] = [
    ['transportMode', HS2_KEYS.transportMode],
    ['httpPath', HS2_KEYS.httpPath],
    ['authentication', HS2_KEYS.authentication],
    ['saslQop', HS2_KEYS.saslQop],
    ['principal', HS2_KEYS.principal],
  ];
  for (const [field, key] of optional) {
    const value = settings[key];
    if (value !== undefined) {
      (instance as unknown as Record<string, unknown>)[field] = value;
    }
  }
  const ssl = settings[HS2_KEYS.useSsl];
  if (ssl !== undefined) {
    instance.ssl = ssl.toLowerCase() === 'true';
  }
}

export interface NamespaceListing {
  namespace: string;
  path: string;
  instances: Hs2Instance[];
  /** Children that are not instances (Curator's "leader" latch of HS2 3.0+). */
  otherChildren: string[];
}

/** Children of an HS2 namespace that are not registrations (HIVE-25411: the driver does not skip them). */
export const NON_INSTANCE_CHILDREN = new Set(['leader']);

/** Lists a namespace's instances: one getChildren (watched, if asked), then one batched read of their data. */
export async function listInstances(session: ZkSession, namespace: string, watch?: WatchListener): Promise<NamespaceListing> {
  const path = namespacePath(namespace);
  let children: string[];
  try {
    ({ children } = await session.getChildren(path, watch));
  } catch (error) {
    if (isHiveZkError(error, 'ZK_NO_NODE')) {
      throw new HiveZkError('NAMESPACE_MISSING', `The namespace ${preview(path)} does not exist on ${preview(session.connectString)}.`, { namespace });
    }
    throw error;
  }
  const otherChildren = children.filter((c) => NON_INSTANCE_CHILDREN.has(c));
  const candidates = children.filter((c) => !NON_INSTANCE_CHILDREN.has(c));
  // Decoded as each batch arrives, while the next is still on the wire.
  const described = new Array<Hs2Instance | undefined>(candidates.length);
  await session.forEachData(
    candidates.map((child) => `${path}/${child}`),
    (read, i) => (described[i] = instanceFromRead(path, candidates[i], read)),
  );
  const instances = described.filter((i): i is Hs2Instance => i !== undefined).sort(compareInstances);
  return { namespace, path, instances, otherChildren };
}

/** Reads and describes one registration; undefined if it has gone, "unreadable" if its ACL denies us. */
export async function readInstance(session: ZkSession, parent: string, child: string): Promise<Hs2Instance | undefined> {
  let read: ReadOutcome<{ data: Buffer; stat: ZnodeStat }>;
  try {
    read = await session.getData(`${parent}/${child}`);
  } catch (error) {
    if (!(error instanceof HiveZkError)) {
      throw error;
    }
    read = error;
  }
  return instanceFromRead(parent, child, read);
}

function instanceFromRead(parent: string, child: string, read: ReadOutcome<{ data: Buffer; stat: ZnodeStat }>): Hs2Instance | undefined {
  const outcome = unlessMissingOutcome(read, (reason) => reason);
  if (outcome === 'gone') {
    return undefined; // deregistered between the listing and the read
  }
  if (outcome === 'unreadable') {
    const instance = describeInstance(parent, child, { format: 'invalid', reason: 'not authorized to read this znode (ACL)' });
    instance.dataFormat = 'unreadable';
    return instance;
  }
  return describeInstance(parent, child, decodeInstanceData(outcome.data), outcome.stat);
}

/** By sequence (fixed-width digits), so plain code-unit order is right and much cheaper than localeCompare. */
function compareInstances(a: Hs2Instance, b: Hs2Instance): number {
  const x = a.sequence ?? a.znode;
  const y = b.sequence ?? b.znode;
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---- Active/passive HA (Hive 3.0+): Hadoop registry ServiceRecord JSON under <ns>-<sasl|unsecure>/instances

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

/** The chroot paths an HA namespace may use: "<ns>-unsecure" (no Kerberos) and "<ns>-sasl". */
export function haRegistryPaths(namespace: string): string[] {
  const base = namespacePath(namespace);
  return /-(sasl|unsecure)$/.test(base) ? [base] : [`${base}-unsecure`, `${base}-sasl`];
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
    const instances = described.filter((i): i is Hs2Instance => i !== undefined).sort(compareInstances);
    return { namespace, path, instances, otherChildren: [] };
  }
  throw new HiveZkError('NAMESPACE_MISSING', `No active/passive HA registry for ${preview(namespace)} (looked for ${haRegistryPaths(namespace).map((p) => `${preview(p)}/instances`).join(' and ')}).`, { namespace });
}

// ---- Metastore discovery (Hive 4.x): children "<host>:<port><10-digit seq>", data "host:port"

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

// ---- Which top-level znodes are what

export type NamespaceKind = 'hs2' | 'hs2-ha' | 'metastore' | 'locks' | 'llap' | 'kyuubi' | 'kyuubi-engine' | 'other';

export interface DiscoveredNamespace {
  name: string;
  kind: NamespaceKind;
  childCount: number;
}

export interface NamespaceHints {
  hs2Namespaces?: readonly string[];
  lockNamespace?: string;
}

/** Kyuubi engine spaces: <serverSpace>_<version>_<SHARE_LEVEL>_<ENGINE_TYPE> (EngineRef.scala). */
export const KYUUBI_ENGINE_SPACE = /^(.+)_(\d[\w.-]*)_(CONNECTION|USER|GROUP|SERVER_LOCAL|SERVER)_(SPARK_SQL|FLINK_SQL|TRINO|HIVE_SQL|JDBC|CHAT)$/;

const METASTORE_CHILD = /^[A-Za-z0-9_.-]+:\d{1,5}\d{10}$/;

/** Classifies every top-level znode by what it holds, with one batched read of their listings. */
export async function discoverNamespaces(session: ZkSession, hints: NamespaceHints = {}): Promise<DiscoveredNamespace[]> {
  const { children } = await session.getChildren('/');
  const names = children.filter((c) => c !== 'zookeeper').sort();
  const listings = (await session.getChildrenMany(names.map((name) => `/${name}`))).map((outcome) => unlessMissingOutcome(outcome, () => []));
  const hs2Hints = new Set(hints.hs2Namespaces ?? [DEFAULT_HS2_NAMESPACE]);
  const lockNamespace = hints.lockNamespace ?? DEFAULT_LOCK_NAMESPACE;
  return names.map((name, i) => {
    const kids = listings[i] ?? [];
    const kind = classify(name, kids, hs2Hints, lockNamespace);
    // For HS2 namespaces the count is of registrations, leaving out Curator's leader latch.
    const childCount = kind === 'hs2' || kind === 'kyuubi' ? kids.filter((k) => !NON_INSTANCE_CHILDREN.has(k)).length : kids.length;
    return { name, kind, childCount };
  });
}

function classify(name: string, kids: string[], hs2Hints: Set<string>, lockNamespace: string): NamespaceKind {
  if (name === lockNamespace) {
    return 'locks';
  }
  if (kids.some((k) => k.startsWith('serverUri=')) || hs2Hints.has(name)) {
    return 'hs2';
  }
  if (/^llap-(sasl|unsecure)$/.test(name) || (kids.length > 0 && kids.every((k) => k.startsWith('user-')))) {
    return 'llap';
  }
  if (name === 'kyuubi' || kids.some((k) => k.startsWith('serviceUri='))) {
    return 'kyuubi';
  }
  if (KYUUBI_ENGINE_SPACE.test(name)) {
    return 'kyuubi-engine';
  }
  if (/-(sasl|unsecure)$/.test(name) && kids.includes('instances') && (name.startsWith(DEFAULT_HA_NAMESPACE) || !name.startsWith('llap'))) {
    return 'hs2-ha';
  }
  if (name === DEFAULT_METASTORE_NAMESPACE || (kids.length > 0 && kids.every((k) => METASTORE_CHILD.test(k)))) {
    return 'metastore';
  }
  return 'other';
}
