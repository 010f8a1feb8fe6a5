// One HiveServer2 registration decoded as Hive's driver reads it: the znode name, the data (every
// Hive version's format), the published settings, and the one connectTarget rule for "can a client
// connect to it". Znode content is untrusted: decoders never throw, they report problems.

import { isValidHost, parsePort } from '../zk/connectString';
import { preview } from '../errors';
import { parseJavaInt } from '../javaInt';
import { forEachPair, setOwn } from '../pairs';
import { trimEndWhere } from '../untrusted';
import { decodeText } from '../zk/znodeText';
import type { ZnodeStat } from '../zk/session';

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
        setOwn(extra, key, value);
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
  let pairs = 0;
  // The driver's pattern for published configs (HIVE-11966) ends each key at its first "=".
  forEachPair(text, 'firstEquals', (key, value) => {
    if (Object.prototype.hasOwnProperty.call(settings, key)) {
      duplicateKeys.push(key);
    }
    setOwn(settings, key, value);
    pairs += 1;
  });
  if (pairs > 0) {
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
  // Exactly one ":" (found without an array of parts: this runs twice per registration).
  const colon = text.indexOf(':');
  if (colon === -1 || text.indexOf(':', colon + 1) !== -1) {
    return undefined;
  }
  const host = text.slice(0, colon);
  const port = readPort(text.slice(colon + 1));
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

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/** Duplicate keys named in a registration's problem; the rest are counted. */
const MAX_DUPLICATES_NAMED = 5;

/** Builds the instance view the way the driver reads it: data first, the znode name as fallback. */
export function describeInstance(namespacePath: string, znode: string, data: InstanceData, stat?: ZnodeStat, nameFormat: NameFormat = 'serverUri'): Hs2Instance {
  const instance: Hs2Instance = { znode, path: `${namespacePath}/${znode}`, settings: {}, dataFormat: data.format, problems: [] };
  if (nameFormat === 'sequential') {
    const digits = znode.slice(trimEndWhere(znode, isDigit).length);
    instance.sequence = digits === '' ? znode : digits;
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
      // Named up to a few: data repeating a key 10k times must not make a problem of 10k names.
      const named = data.duplicateKeys.slice(0, MAX_DUPLICATES_NAMED).map((k) => preview(k, 40));
      const more = data.duplicateKeys.length - named.length;
      instance.problems.push(`duplicate keys in data: ${named.join(', ')}${more > 0 ? `, and ${more} more` : ''}`);
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
  // Own keys in insertion order, as Object.entries gives them, without an array per setting.
  for (const key of Object.keys(settings)) {
    const value = settings[key] ?? '';
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
  // Settings copied to the instance's own fields as published, field by field: a store through a
  // computed field name is a slow lookup every time (an expand does this for 10k registrations).
  const transportMode = settings[HS2_KEYS.transportMode];
  if (transportMode !== undefined) {
    instance.transportMode = transportMode;
  }
  const httpPath = settings[HS2_KEYS.httpPath];
  if (httpPath !== undefined) {
    instance.httpPath = httpPath;
  }
  const authentication = settings[HS2_KEYS.authentication];
  if (authentication !== undefined) {
    instance.authentication = authentication;
  }
  const saslQop = settings[HS2_KEYS.saslQop];
  if (saslQop !== undefined) {
    instance.saslQop = saslQop;
  }
  const principal = settings[HS2_KEYS.principal];
  if (principal !== undefined) {
    instance.principal = principal;
  }
  const ssl = settings[HS2_KEYS.useSsl];
  if (ssl !== undefined) {
    instance.ssl = ssl.toLowerCase() === 'true';
  }
}
