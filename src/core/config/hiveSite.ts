// Reads the files users already keep: hive-site.xml (ZooKeeper quorum and namespaces, as HiveConf
// reads them), beeline-site.xml (named JDBC URLs) and beeline-hs2-connection.xml (beeline's URL
// built from user settings); and writes a beeline-site.xml entry. Files are untrusted input.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseConnectString } from '../zk/connectString';
import { HiveZkError, isHiveZkError, preview } from '../errors';
import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, DEFAULT_METASTORE_NAMESPACE } from '../registry/hs2Registry';
import { haRegistryNames } from '../registry/haRegistry';
import { formatJdbcUrl, parseJdbcUrl } from '../jdbc/jdbcUrl';
import { readLocalFile } from '../localFile';
import { isSecretKey, redactUrlText, withoutSecrets } from '../jdbc/secretParams';
import { javaTrim } from '../untrusted';

/** Real hive-site.xml files are well under 1 MB; anything larger is refused before parsing. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Hadoop Configuration's substitution limit (MAX_SUBST): at most this many ${name} replaced in one value. */
const MAX_SUBSTITUTIONS = 20;
/** No setting this tool reads is anywhere near this long once expanded; longer means references built to grow. */
export const MAX_EXPANDED_CHARS = 64 * 1024;

function badFile(message: string, details: Record<string, unknown> = {}): HiveZkError {
  return new HiveZkError('BAD_CONFIG_FILE', message, details);
}

/** Reads a configuration file named by the user: a regular file of at most MAX_CONFIG_BYTES, counted. */
export function readConfigFile(path: string): string {
  return readLocalFile(path, { what: 'The configuration file', maxBytes: MAX_CONFIG_BYTES, code: 'BAD_CONFIG_FILE' }).toString('utf8');
}

/** A parsed Hadoop configuration file. */
export interface HadoopConf {
  /** name → value as written (what Configuration's iterator gives: no ${} expansion, values untrimmed). */
  properties: Map<string, string>;
  warnings: string[];
  /** One property with ${name} references expanded as Configuration.get does, bounded. */
  get(this: void, name: string): string | undefined;
}

/**
 * Parses a Hadoop configuration file (<configuration><property><name/><value/><final/></property>…)
 * as Hadoop's Configuration does: names trimmed, a later property overrides an earlier one unless
 * that one is final; ${name} references are expanded only by `get`, one property at a time.
 */
export function parseHadoopXml(text: string): HadoopConf {
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
  return { properties: raw, warnings, get: (name) => expand(name, raw) };
}

/**
 * Configuration.substituteVars: one ${name} at a time, leftmost first, at most MAX_SUBSTITUTIONS;
 * an unknown name (Hadoop would try the environment and Java system properties first, which a
 * file read here has not) ends the expansion with the text as it stands, a value that refers to itself
 * gives the original text, and more references than the limit fail (as Hadoop's IllegalStateException).
 * Every step is bounded by MAX_EXPANDED_CHARS, so a file of references cannot grow without limit.
 */
function expand(name: string, raw: ReadonlyMap<string, string>): string | undefined {
  const original = raw.get(name);
  if (original === undefined) {
    return undefined;
  }
  let current = original;
  for (let step = 0; step < MAX_SUBSTITUTIONS; step += 1) {
    const found = findReference(current);
    if (found === undefined) {
      return current;
    }
    const value = raw.get(current.slice(found.start + 2, found.end - 1));
    const reference = current.slice(found.start, found.end);
    if (value === undefined) {
      return current;
    }
    if (value.includes(reference)) {
      return original;
    }
    if (current.length - reference.length + value.length > MAX_EXPANDED_CHARS) {
      throw badFile(`${preview(name, 80)}: its \${…} references expand to more than ${MAX_EXPANDED_CHARS / 1024} KB; the file is built to grow, not to configure.`, { property: preview(name, 80) });
    }
    current = current.slice(0, found.start) + value + current.slice(found.end);
  }
  throw badFile(`${preview(name, 80)}: variable substitution depth too large (Hadoop stops after ${MAX_SUBSTITUTIONS} references).`, { property: preview(name, 80) });
}

/** The leftmost "${name}" whose name is non-empty and holds no "}", "$" or " " (Configuration.findSubVariable); one linear scan. */
function findReference(text: string): { start: number; end: number } | undefined {
  let i = text.indexOf('${');
  while (i !== -1) {
    let j = i + 2;
    while (j < text.length && text[j] !== '}' && text[j] !== '$' && text[j] !== ' ') {
      j += 1;
    }
    if (j === text.length) {
      return undefined;
    }
    if (text[j] === '}' && j > i + 2) {
      return { start: i, end: j + 1 };
    }
    i = text.indexOf('${', text[j] === '$' ? j : j + 1);
  }
  return undefined;
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
  const { get, warnings } = parseHadoopXml(text);
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
    const hs2Namespaces = settings.haEnabled ? haRegistryNames(settings.haNamespace) : [settings.hs2Namespace];
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
  /** The file's URL carried a password or another secret parameter; it was left out of `url`. */
  hadPassword: boolean;
  problem?: string;
}

export interface BeelineSite {
  urls: NamedUrl[];
  /** beeline.hs2.jdbc.url.default names the entry `beeline` uses without -c. */
  defaultName?: string;
  warnings: string[];
}

/** A URL without its secret parameters (secretParams.ts: passwords, store passwords, tokens), rebuilt from its parts. */
function withoutSecretParams(url: string): { url: string; hadPassword: boolean } {
  const parsed = parseJdbcUrl(url);
  const sessionVars = withoutSecrets(parsed.sessionVars);
  const hiveConfs = withoutSecrets(parsed.hiveConfs);
  const hiveVars = withoutSecrets(parsed.hiveVars);
  const dropped = [parsed.sessionVars, parsed.hiveConfs, parsed.hiveVars].some((vars) => Object.keys(vars).some(isSecretKey));
  return dropped ? { url: formatJdbcUrl({ hosts: parsed.hosts, database: parsed.database, sessionVars, hiveConfs, hiveVars }), hadPassword: true } : { url, hadPassword: false };
}

export function readBeelineSite(text: string): BeelineSite {
  const { properties, warnings } = parseHadoopXml(text);
  const site: BeelineSite = { urls: [], warnings };
  // BeelineSiteParser iterates the Configuration: values as written, no ${} expansion.
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
      site.urls.push({ name, ...withoutSecretParams(value.trim()) });
    } catch (error) {
      // Not a URL the parser can take apart: nothing of it is shown, only why.
      site.urls.push({ name, url: '', hadPassword: /password|jwt|http\.(header|cookie)\./i.test(value), problem: isHiveZkError(error) ? error.message : String(error) });
    }
  }
  if (site.defaultName !== undefined && !site.urls.some((u) => u.name === site.defaultName)) {
    warnings.push(`beeline.hs2.jdbc.url.default names "${preview(site.defaultName, 40)}", which is not defined (beeline: "The named url: … is not specified").`);
  }
  if (site.urls.some((u) => u.hadPassword)) {
    warnings.push('Passwords and other secret parameters in beeline-site.xml URLs were left out; keep them out of shared files.');
  }
  return site;
}

/** A beeline-site.xml <property> (and optionally the default marker) so that `beeline -c <name>` works. */
export function formatBeelineSiteEntry(name: string, url: string, options: { makeDefault?: boolean } = {}): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) || name === 'default') {
    throw new HiveZkError('BAD_ARGUMENT', `"${preview(name, 40)}" cannot be a beeline URL name: use letters, digits, ".", "_" or "-" (and not "default").`);
  }
  const safe = withoutSecretParams(url).url;
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
  /** The file held a password (or another secret parameter); it is not in `url`. */
  hadPassword: boolean;
  warnings: string[];
}

/** Java's String.split for a one-character literal separator: trailing empty parts dropped. */
function javaSplit(text: string, separator: string): string[] {
  if (!text.includes(separator)) {
    return [text];
  }
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts;
}

/** HS2ConnectionFileUtils.addPropertyValues: "k=v,k=v" → "k=v;k=v", each pair exactly one "=", key and value trimmed. */
function hivePairs(value: string): string {
  return javaSplit(value, ',')
    .map((pair) => {
      const keyValue = javaSplit(pair, '=');
      if (keyValue.length !== 2) {
        throw badFile(`beeline refuses this file: "Unable to parse ${preview(redactUrlText(pair), 80)} in hs2 connection config file" (each hiveconf/hivevar entry is key=value with exactly one "=").`);
      }
      return keyValue;
    })
    .filter(([key]) => !isSecretKey(javaTrim(key ?? '')))
    .map(([key = '', val = '']) => `${javaTrim(key)}=${javaTrim(val)}`)
    .join(';');
}

/**
 * The URL beeline builds from user settings (HS2ConnectionFileUtils.getUrl over the Configuration's
 * raw values): url_prefix + trimmed hosts + "/" + trimmed defaultDB, the other keys sorted as
 * ";k=v" untrimmed, then ?hiveconf and #hivevar pairs. Secret parameters are left out and said so.
 */
export function readHs2ConnectionFile(text: string): Hs2ConnectionFile {
  const { properties, warnings } = parseHadoopXml(text);
  const props = new Map<string, string>();
  for (const [key, value] of properties) {
    if (key.startsWith(HS2_CONNECTION_PREFIX)) {
      props.set(key.slice(HS2_CONNECTION_PREFIX.length), value);
    }
  }
  const secrets = [...props.keys()].filter(isSecretKey);
  for (const key of secrets) {
    props.delete(key);
  }
  const hadPassword = secrets.length > 0;
  if (hadPassword) {
    warnings.push(`${secrets.map((k) => `beeline.hs2.connection.${preview(k, 40)}`).join(', ')} ${secrets.length === 1 ? 'was' : 'were'} left out of the URL (beeline puts ${secrets.length === 1 ? 'it' : 'them'} in).`);
  }
  const prefix = props.get('url_prefix') ?? 'jdbc:hive2://';
  const hosts = props.get('hosts');
  if (prefix === '' || hosts === undefined || hosts === '') {
    warnings.push(`beeline builds no URL from this file: ${prefix === '' ? 'url_prefix' : 'hosts'} parameter cannot be empty (beeline.hs2.connection.hosts is required).`);
    return { hadPassword, warnings };
  }
  const session = [...props.keys()].filter((k) => !['url_prefix', 'hosts', 'defaultDB', 'hiveconf', 'hivevar'].includes(k)).sort();
  let url = `${javaTrim(prefix)}${javaTrim(hosts)}/${javaTrim(props.get('defaultDB') ?? 'default')}`;
  for (const key of session) {
    url += `;${key}=${props.get(key) ?? ''}`;
  }
  const hiveConfs = props.has('hiveconf') ? hivePairs(props.get('hiveconf') ?? '') : '';
  const hiveVars = props.has('hivevar') ? hivePairs(props.get('hivevar') ?? '') : '';
  url += (hiveConfs ? `?${hiveConfs}` : '') + (hiveVars ? `#${hiveVars}` : '');
  try {
    parseJdbcUrl(url);
  } catch (error) {
    warnings.push(`The URL beeline would build is not valid: ${isHiveZkError(error) ? error.message : String(error)}`);
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
