// Reads the files users already keep: hive-site.xml (ZooKeeper quorum and namespaces, as HiveConf
// reads them), beeline-site.xml (named JDBC URLs) and beeline-hs2-connection.xml (beeline's URL
// built from user settings); and writes a beeline-site.xml entry. Files are untrusted input.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseConnectString } from './connectString';
import { HiveZkError, isHiveZkError, preview } from './errors';
import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, DEFAULT_METASTORE_NAMESPACE } from './hs2Registry';
import { formatJdbcUrl, parseJdbcUrl } from './jdbcUrl';

/** Real hive-site.xml files are well under 1 MB; anything larger is refused before parsing. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Hadoop Configuration's substitution depth limit (MAX_SUBST). */
const MAX_SUBSTITUTION_DEPTH = 20;

function badFile(message: string, details: Record<string, unknown> = {}): HiveZkError {
  return new HiveZkError('BAD_CONFIG_FILE', message, details);
}

/**
 * Parses a Hadoop configuration file (<configuration><property><name/><value/><final/></property>…)
 * into name → value, as Hadoop's Configuration does: names trimmed, a later property overrides an
 * earlier one unless that one is final, ${name} references expanded.
 */
export function parseHadoopXml(text: string): { properties: Map<string, string>; warnings: string[] } {
  if (typeof text !== 'string') {
    throw badFile('The configuration file is not text.');
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    throw badFile(`The configuration file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB; it is not read.`);
  }
  // Hadoop's own parser refuses DTDs (no entity expansion, no external entities); so do we.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw badFile('The configuration file declares a DOCTYPE or entities, which Hadoop configuration files never need; it is not read.');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw badFile(`Not well-formed XML: ${preview(valid.err.msg, 120)} (line ${valid.err.line}).`);
  }
  let document: unknown;
  try {
    document = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, isArray: (name) => name === 'property' }).parse(text);
  } catch (error) {
    throw badFile(`The configuration file cannot be read: ${preview(error instanceof Error ? error.message : String(error), 120)}.`);
  }
  const root = (document as Record<string, unknown> | undefined)?.configuration;
  if (root === undefined) {
    throw badFile('Not a Hadoop configuration file: no <configuration> element.');
  }
  const warnings: string[] = [];
  const raw = new Map<string, string>();
  const finals = new Set<string>();
  const properties = typeof root === 'object' && root !== null ? (root as Record<string, unknown>).property : undefined;
  for (const entry of Array.isArray(properties) ? (properties as unknown[]) : []) {
    const { name, value, final } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '') {
      warnings.push('A <property> without a <name> was skipped.');
      continue;
    }
    const key = name.trim();
    if (finals.has(key)) {
      warnings.push(`${preview(key, 80)} is final; a later value was ignored (as Hadoop does).`);
      continue;
    }
    if (value !== undefined && typeof value !== 'string') {
      warnings.push(`${preview(key, 80)} has markup inside <value>; it was read as empty.`);
    }
    raw.set(key, typeof value === 'string' ? value : '');
    if (typeof final === 'string' && final.trim() === 'true') {
      finals.add(key);
    }
  }
  if (typeof root === 'object' && root !== null && 'xi:include' in root) {
    warnings.push('<xi:include> elements are not followed; included files are not read.');
  }
  const expanded = new Map<string, string>();
  for (const [key, value] of raw) {
    expanded.set(key, substitute(value, raw));
  }
  return { properties: expanded, warnings };
}

/** Hadoop-style ${name} expansion from the same file; unknown references stay as written. */
function substitute(value: string, raw: ReadonlyMap<string, string>): string {
  let current = value;
  for (let depth = 0; depth < MAX_SUBSTITUTION_DEPTH; depth += 1) {
    let changed = false;
    current = current.replace(/\$\{([^${}\s]+)\}/g, (whole, name: string) => {
      const replacement = raw.get(name);
      if (replacement === undefined) {
        return whole;
      }
      changed = true;
      return replacement;
    });
    if (!changed) {
      break;
    }
  }
  return current;
}

const isTrue = (value: string | undefined): boolean => value?.trim().toLowerCase() === 'true';

/** hive.zookeeper.quorum with hive.zookeeper.client.port appended to hosts that have no port (HiveConf.getZKConfig). */
export function quorumWithPort(quorum: string, clientPort: string | undefined): string {
  const port = clientPort?.trim() || '2181';
  return quorum
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '')
    .map((server) => (server.includes(':') ? server : `${server}:${port}`))
    .join(',');
}

export interface HiveSiteSettings {
  /** The ZooKeeper connect string HiveServer2 and the lock manager use, port applied; undefined if unset. */
  quorum?: string;
  discoveryEnabled: boolean;
  hs2Namespace: string;
  haEnabled: boolean;
  haNamespace: string;
  lockNamespace: string;
  lockManagerEnabled: boolean;
  /** Metastore ZooKeeper discovery (Hive 4): its ensemble is hive.metastore.uris. */
  metastore?: { connectString: string; namespace: string };
  zooKeeperSsl: boolean;
  /** JDBC settings a discovery URL for this server needs (what beeline derives from hive-site.xml). */
  transportMode?: string;
  httpPath?: string;
  ssl?: boolean;
  principal?: string;
  warnings: string[];
}

export function readHiveSite(text: string): HiveSiteSettings {
  const { properties: p, warnings } = parseHadoopXml(text);
  const get = (key: string): string | undefined => p.get(key);
  const settings: HiveSiteSettings = {
    discoveryEnabled: isTrue(get('hive.server2.support.dynamic.service.discovery')),
    hs2Namespace: get('hive.server2.zookeeper.namespace')?.trim() || DEFAULT_HS2_NAMESPACE,
    haEnabled: isTrue(get('hive.server2.active.passive.ha.enable')),
    haNamespace: get('hive.server2.active.passive.ha.registry.namespace')?.trim() || DEFAULT_HA_NAMESPACE,
    lockNamespace: get('hive.zookeeper.namespace')?.trim() || DEFAULT_LOCK_NAMESPACE,
    lockManagerEnabled: isTrue(get('hive.support.concurrency')),
    zooKeeperSsl: isTrue(get('hive.zookeeper.ssl.client.enable')),
    warnings,
  };
  const quorum = get('hive.zookeeper.quorum')?.trim();
  if (quorum) {
    settings.quorum = quorumWithPort(quorum, get('hive.zookeeper.client.port'));
  } else {
    warnings.push('hive.zookeeper.quorum is not set: HiveServer2 discovery and the ZooKeeper lock manager have no ensemble.');
  }
  if (quorum && !settings.discoveryEnabled) {
    warnings.push('hive.server2.support.dynamic.service.discovery is not true: HiveServer2 does not register in ZooKeeper.');
  }
  const transportMode = get('hive.server2.transport.mode')?.trim();
  if (transportMode) {
    settings.transportMode = transportMode;
    if (transportMode.toLowerCase() === 'http') {
      settings.httpPath = get('hive.server2.thrift.http.path')?.trim() || 'cliservice';
    }
  }
  if (get('hive.server2.use.SSL') !== undefined) {
    settings.ssl = isTrue(get('hive.server2.use.SSL'));
  }
  const principal = get('hive.server2.authentication.kerberos.principal')?.trim();
  if (principal && get('hive.server2.authentication')?.trim().toUpperCase() === 'KERBEROS') {
    settings.principal = principal;
  }
  const discoveryMode = (get('metastore.service.discovery.mode') ?? get('hive.metastore.service.discovery.mode'))?.trim().toLowerCase();
  if (discoveryMode === 'zookeeper') {
    const uris = (get('metastore.thrift.uris') ?? get('hive.metastore.uris'))?.trim();
    // MetastoreConf: metastore.zookeeper.namespace, whose Hive name is hive.zookeeper.namespace (the lock manager's key too).
    const namespace = get('metastore.zookeeper.namespace')?.trim() || get('hive.zookeeper.namespace')?.trim() || DEFAULT_METASTORE_NAMESPACE;
    if (!get('metastore.zookeeper.namespace') && get('hive.zookeeper.namespace')) {
      warnings.push(`hive.zookeeper.namespace (${preview(namespace, 40)}) is also the metastore's discovery namespace: the metastore and the lock manager share it.`);
    }
    if (uris) {
      settings.metastore = { connectString: quorumWithPort(uris, get('metastore.zookeeper.client.port') ?? get('hive.zookeeper.client.port')), namespace };
    } else {
      warnings.push('Metastore discovery mode is zookeeper but hive.metastore.uris (the ensemble) is not set.');
    }
  }
  return settings;
}

/** An entry for the hiveZk.ensembles setting (the same shape the extension stores). */
export interface EnsembleEntry {
  name: string;
  connectString: string;
  hs2Namespaces: string[];
  lockNamespace: string;
}

/** The ensembles a hive-site.xml describes: HiveServer2/lock quorum, and the metastore's if it differs. */
export function ensemblesFromHiveSite(text: string, baseName = 'hive-site'): { ensembles: EnsembleEntry[]; settings: HiveSiteSettings } {
  const settings = readHiveSite(text);
  const ensembles: EnsembleEntry[] = [];
  const checked = (connectString: string, what: string): string | undefined => {
    try {
      parseConnectString(connectString);
      return connectString;
    } catch (error) {
      settings.warnings.push(`${what}: ${isHiveZkError(error) ? error.message : String(error)}`);
      return undefined;
    }
  };
  const quorum = settings.quorum === undefined ? undefined : checked(settings.quorum, 'hive.zookeeper.quorum');
  if (quorum) {
    const hs2Namespaces = settings.haEnabled ? [`${settings.haNamespace}-unsecure`, `${settings.haNamespace}-sasl`] : [settings.hs2Namespace];
    ensembles.push({ name: baseName, connectString: quorum, hs2Namespaces, lockNamespace: settings.lockNamespace });
  }
  if (settings.metastore && settings.metastore.connectString !== quorum) {
    const metastore = checked(settings.metastore.connectString, 'hive.metastore.uris');
    if (metastore) {
      ensembles.push({ name: `${baseName} (metastore)`, connectString: metastore, hs2Namespaces: [], lockNamespace: settings.lockNamespace });
    }
  }
  return { ensembles, settings };
}

// ---- beeline-site.xml (Hive 3.0+, HIVE-18963)

export const BEELINE_URL_PREFIX = 'beeline.hs2.jdbc.url.';

export interface NamedUrl {
  name: string;
  url: string;
  /** The file's URL carried a password; it was left out of `url`. */
  hadPassword: boolean;
  problem?: string;
}

export interface BeelineSite {
  urls: NamedUrl[];
  /** beeline.hs2.jdbc.url.default names the entry `beeline` uses without -c. */
  defaultName?: string;
  warnings: string[];
}

/** Drops a password from a URL (rebuilt from its parsed parts); refuses what cannot be rebuilt. */
function withoutPassword(url: string): { url: string; hadPassword: boolean } {
  const parsed = parseJdbcUrl(url);
  if (parsed.sessionVars.password === undefined) {
    return { url, hadPassword: false };
  }
  const sessionVars = { ...parsed.sessionVars };
  delete sessionVars.password;
  return { url: formatJdbcUrl({ hosts: parsed.hosts, database: parsed.database, sessionVars, hiveConfs: parsed.hiveConfs, hiveVars: parsed.hiveVars }), hadPassword: true };
}

export function readBeelineSite(text: string): BeelineSite {
  const { properties, warnings } = parseHadoopXml(text);
  const site: BeelineSite = { urls: [], warnings };
  for (const [key, value] of properties) {
    if (!key.startsWith(BEELINE_URL_PREFIX)) {
      continue;
    }
    const name = key.slice(BEELINE_URL_PREFIX.length);
    if (name === 'default') {
      site.defaultName = value.trim();
      continue;
    }
    try {
      site.urls.push({ name, ...withoutPassword(value.trim()) });
    } catch (error) {
      site.urls.push({ name, url: '', hadPassword: /password=/i.test(value), problem: isHiveZkError(error) ? error.message : String(error) });
    }
  }
  if (site.defaultName !== undefined && !site.urls.some((u) => u.name === site.defaultName)) {
    warnings.push(`beeline.hs2.jdbc.url.default names "${preview(site.defaultName, 40)}", which is not defined (beeline: "The named url: … is not specified").`);
  }
  if (site.urls.some((u) => u.hadPassword)) {
    warnings.push('Passwords in beeline-site.xml URLs were left out; keep them out of shared files.');
  }
  return site;
}

/** A beeline-site.xml <property> (and optionally the default marker) so that `beeline -c <name>` works. */
export function formatBeelineSiteEntry(name: string, url: string, options: { makeDefault?: boolean } = {}): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) || name === 'default') {
    throw new HiveZkError('BAD_ARGUMENT', `"${preview(name, 40)}" cannot be a beeline URL name: use letters, digits, ".", "_" or "-" (and not "default").`);
  }
  const safe = withoutPassword(url).url;
  const property = (key: string, value: string) => `  <property>\n    <name>${key}</name>\n    <value>${escapeXml(value)}</value>\n  </property>\n`;
  return property(`${BEELINE_URL_PREFIX}${name}`, safe) + (options.makeDefault ? property(`${BEELINE_URL_PREFIX}default`, name) : '');
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---- beeline-hs2-connection.xml (Hive 2.2+, HIVE-14063)

export const HS2_CONNECTION_PREFIX = 'beeline.hs2.connection.';

export interface Hs2ConnectionFile {
  url?: string;
  hadPassword: boolean;
  warnings: string[];
}

/** beeline's URL from user settings: hosts, /defaultDB, sorted ;k=v, ?hiveconf, #hivevar (HS2ConnectionFileUtils). */
export function readHs2ConnectionFile(text: string): Hs2ConnectionFile {
  const { properties, warnings } = parseHadoopXml(text);
  const props = new Map<string, string>();
  for (const [key, value] of properties) {
    if (key.startsWith(HS2_CONNECTION_PREFIX)) {
      props.set(key.slice(HS2_CONNECTION_PREFIX.length), value.trim());
    }
  }
  const hadPassword = props.has('password');
  props.delete('password');
  const hosts = props.get('hosts');
  if (!hosts) {
    warnings.push('beeline.hs2.connection.hosts is missing: beeline builds no URL from this file.');
    return { hadPassword, warnings };
  }
  const db = props.get('defaultDB') || 'default';
  const session = [...props.keys()].filter((k) => !['hosts', 'defaultDB', 'hiveconf', 'hivevar'].includes(k)).sort();
  let url = `jdbc:hive2://${hosts}/${db}`;
  for (const key of session) {
    url += `;${key}=${props.get(key) ?? ''}`;
  }
  const list = (value: string | undefined) => (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').join(';');
  if (list(props.get('hiveconf'))) {
    url += `?${list(props.get('hiveconf'))}`;
  }
  if (list(props.get('hivevar'))) {
    url += `#${list(props.get('hivevar'))}`;
  }
  try {
    parseJdbcUrl(url);
  } catch (error) {
    warnings.push(`The URL beeline would build is not valid: ${isHiveZkError(error) ? error.message : String(error)}`);
  }
  if (hadPassword) {
    warnings.push('beeline.hs2.connection.password was left out of the URL.');
  }
  return { url, hadPassword, warnings };
}

export type ConfigFileKind = 'hive-site' | 'beeline-site' | 'beeline-hs2-connection';

/** Which of the three files this is, from its property names. */
export function configFileKind(properties: ReadonlyMap<string, string>): ConfigFileKind {
  const keys = [...properties.keys()];
  if (keys.some((k) => k.startsWith(BEELINE_URL_PREFIX))) {
    return 'beeline-site';
  }
  if (keys.some((k) => k.startsWith(HS2_CONNECTION_PREFIX))) {
    return 'beeline-hs2-connection';
  }
  return 'hive-site';
}
