// Explains what Hive's driver will really do with a URL when that differs from what it says:
// host-text replacement, settings ignored because of auth or transport, values the driver
// mis-splits, and where driver versions disagree. Notes never contain a password.

import { isSecretKey, maskSecrets } from './secretParams';
import { preview } from '../errors';
import {
  DUMMY_AUTHORITY,
  HIVE_DRIVER_VERSIONS,
  differenceById,
  has,
  parseJdbcUrlAs,
  type DifferenceId,
  type DriverUrl,
  type HiveDriverVersion,
} from './driverVersions';
import { JDBC_PREFIX, parseJdbcUrl, type JdbcUrl } from './jdbcUrl';

export type NoteCode =
  | 'HOST_TEXT_REPLACED'
  | 'PRINCIPAL_IGNORED_NOSASL'
  | 'PASSWORD_IGNORED_KERBEROS'
  | 'HTTP_SETTINGS_IGNORED_BINARY'
  | 'SSL_SETTINGS_IGNORED'
  | 'ZNODE_PRINCIPAL_IGNORED_TOKEN'
  | 'SERVER_FORCES_NOSASL'
  | 'HTTP_PORT_IGNORED_ON_RETRY'
  | 'GREEDY_KEY_SPLIT'
  | 'VALUE_CUT_BY_DELIMITER'
  | 'NO_DEFAULT_PORT'
  | 'SETTING_UNKNOWN_TO_VERSION'
  | 'VERSIONS_DISAGREE';

export interface DriverNote {
  code: NoteCode;
  message: string;
  /** Where in Hive's source (or which Hive issue) the behaviour comes from. */
  source: string;
}

function shown(key: string, value: string | undefined): string {
  if (value === undefined) {
    return '(unset)';
  }
  return isSecretKey(key) ? '(hidden)' : `"${preview(value, 60)}"`;
}

/** Notes about the URL alone, as the given driver version reads it. */
export function explainUrl(input: string, version: HiveDriverVersion): DriverNote[] {
  const url = parseJdbcUrlAs(input, version);
  return [...hostTextReplacement(input, url), ...ignoredByAuth(url.sessionVars), ...misSplits(input, url, version), ...portNotes(url, version), ...unknownToVersion(url, version)];
}

/**
 * Utils.parseURL replaces every occurrence of the authority text with "dummyhost:00000" before
 * splitting, so a host name repeated in the principal (or anywhere else) reaches the driver altered.
 */
function hostTextReplacement(input: string, url: DriverUrl): DriverNote[] {
  if (url.authority === '') {
    return [];
  }
  const source = 'jdbc/.../Utils.java parseURL/extractURLComponents: uri.replace(authority, "dummyhost:00000")';
  if (JDBC_PREFIX.includes(url.authority)) {
    return [{ code: 'HOST_TEXT_REPLACED', message: `The host text "${preview(url.authority, 60)}" also occurs inside "jdbc:hive2://": the driver replaces every occurrence with ${DUMMY_AUTHORITY}, which breaks the URL's prefix. Use a fully qualified host name.`, source }];
  }
  const tail = input.slice(JDBC_PREFIX.length + url.authority.length);
  if (!tail.includes(url.authority)) {
    return [];
  }
  let seen: JdbcUrl;
  try {
    seen = parseJdbcUrl(JDBC_PREFIX + url.authority + tail.split(url.authority).join(DUMMY_AUTHORITY));
  } catch {
    return [{ code: 'HOST_TEXT_REPLACED', message: `The host text "${preview(url.authority, 60)}" occurs again later in the URL; the driver replaces it there with ${DUMMY_AUTHORITY} and then cannot parse the URL.`, source }];
  }
  const notes: DriverNote[] = [];
  const groups: [string, Record<string, string>, Record<string, string>][] = [
    ['session variable', url.sessionVars, seen.sessionVars],
    ['hive conf', url.hiveConfs, seen.hiveConfs],
    ['hive variable', url.hiveVars, seen.hiveVars],
  ];
  for (const [what, mine, driver] of groups) {
    for (const [key, value] of Object.entries(mine)) {
      if (driver[key] !== value && !isSecretKey(key)) {
        const hint = key === 'principal' ? ` Write the principal with _HOST (e.g. "${preview(value.split(url.authority).join('_HOST'), 60)}"), which the driver expands to the server's host name.` : ' Avoid repeating the host text in values.';
        notes.push({ code: 'HOST_TEXT_REPLACED', message: `${what} ${key}: the driver uses ${shown(key, driver[key])}, not ${shown(key, value)}, because it replaces every occurrence of "${preview(url.authority, 60)}" with ${DUMMY_AUTHORITY}.${hint}`, source });
      }
    }
  }
  if (seen.database !== url.database) {
    notes.push({ code: 'HOST_TEXT_REPLACED', message: `database: the driver uses "${preview(seen.database)}" (host text replaced with ${DUMMY_AUTHORITY}).`, source });
  }
  return notes;
}

/** Settings the URL gives that the driver never uses because of auth, transport or ssl. */
export function ignoredByAuth(vars: Readonly<Record<string, string>>): DriverNote[] {
  const notes: DriverNote[] = [];
  const auth = vars.auth;
  if (vars.principal !== undefined && auth === 'noSasl') {
    notes.push({ code: 'PRINCIPAL_IGNORED_NOSASL', message: 'principal is ignored: auth=noSasl turns SASL (and so Kerberos) off.', source: 'jdbc/.../HiveConnection.java isKerberosAuthMode' });
  }
  if (vars.principal !== undefined && auth !== 'noSasl' && vars.password !== undefined) {
    notes.push({ code: 'PASSWORD_IGNORED_KERBEROS', message: 'password is ignored: with a principal the driver authenticates with Kerberos.', source: 'jdbc/.../HiveConnection.java createBinaryTransport' });
  }
  const http = vars.transportMode?.toLowerCase() === 'http';
  const httpOnly = Object.keys(vars).filter((k) => k === 'httpPath' || k === 'cookieAuth' || k === 'cookieName' || k.startsWith('http.header.') || k.startsWith('http.cookie.'));
  if (!http && httpOnly.length > 0) {
    notes.push({ code: 'HTTP_SETTINGS_IGNORED_BINARY', message: `${httpOnly.join(', ')} ${httpOnly.length === 1 ? 'is' : 'are'} ignored: the transport is binary (transportMode=http is not set).`, source: 'jdbc/.../HiveConnection.java openTransport' });
  }
  const sslOnly = Object.keys(vars).filter((k) => k === 'sslTrustStore' || k === 'trustStorePassword' || k === 'twoWay' || k === 'sslKeyStore' || k === 'keyStorePassword' || k === 'trustStoreType');
  if (vars.ssl?.toLowerCase() !== 'true' && sslOnly.length > 0) {
    notes.push({ code: 'SSL_SETTINGS_IGNORED', message: `${sslOnly.join(', ')} ${sslOnly.length === 1 ? 'is' : 'are'} ignored: ssl=true is not set.`, source: 'jdbc/.../HiveConnection.java isSslConnection' });
  }
  return notes;
}

/** Keys containing "=" (the driver's key is greedy) and text after "?"/"#" that looks like the rest of a value. */
function misSplits(input: string, url: DriverUrl, version: HiveDriverVersion): DriverNote[] {
  const notes: DriverNote[] = [];
  const source = 'jdbc/.../Utils.java: pattern ([^;]*)=([^;]*)[;]? over java.net.URI path, query and fragment';
  for (const key of Object.keys(url.sessionVars)) {
    if (key.includes('=')) {
      const realKey = key.slice(0, key.indexOf('='));
      const hidden = /password/i.test(realKey);
      const fixed = realKey.toLowerCase() === 'password' && has(version, 'passwordReparse');
      notes.push({
        code: 'GREEDY_KEY_SPLIT',
        message: `"${hidden ? `${realKey}=…` : preview(key, 60)}" is read as the key "${hidden ? `${realKey}=…` : preview(key, 60)}": the driver splits at the last "=", so ${realKey} ${fixed ? 'is still set (the 4.1+ driver re-reads the password, HIVE-28805) but the extra key remains' : 'is not set'}. Percent-encoding does not help (the driver decodes first); avoid "=" in values${realKey.toLowerCase() === 'password' && !fixed ? ' or use a 4.1+ driver' : ''}.`,
        source,
      });
    }
  }
  const tail = input.slice(input.indexOf(url.authority) + url.authority.length);
  const session = tail.split(/[?#]/, 1)[0] ?? '';
  if (session.includes(';')) {
    for (const [mark, part] of [['?', 'hive confs'], ['#', 'hive variables']] as const) {
      const at = tail.indexOf(mark);
      if (at === -1) {
        continue;
      }
      const after = tail.slice(at + 1).split(/[;#]/, 1)[0] ?? '';
      if (!after.includes('=')) {
        notes.push({ code: 'VALUE_CUT_BY_DELIMITER', message: `A "${mark}" ends the session variables: the text after it ("${/password/i.test(session) ? '…' : preview(after, 40)}") is not part of the value before it and goes to ${part}. If it belongs to the value, percent-encode it as ${encodeURIComponent(mark)} (java.net.URI decodes it only after finding the query and fragment).`, source });
      }
    }
  }
  return notes;
}

function portNotes(url: DriverUrl, version: HiveDriverVersion): DriverNote[] {
  if (url.driverPort !== -1) {
    return [];
  }
  const row = differenceById('defaultPort');
  return [{ code: 'NO_DEFAULT_PORT', message: `The Hive ${version} driver applies no default port: it connects to ${url.hosts[0]?.host ?? 'the host'}:-1 and fails. Write the port (e.g. :10000) or use a ${row.since} driver (${row.hiveIssue}).`, source: `${row.hiveIssue}: ${row.source}` }];
}

const SETTINGS_SINCE: [string, DifferenceId][] = [['retryInterval', 'retryInterval']];

function unknownToVersion(url: DriverUrl, version: HiveDriverVersion): DriverNote[] {
  return SETTINGS_SINCE.filter(([key, id]) => url.sessionVars[key] !== undefined && !has(version, id)).map(([key, id]) => {
    const row = differenceById(id);
    return { code: 'SETTING_UNKNOWN_TO_VERSION', message: `${key} is ignored by the Hive ${version} driver (added in ${row.firstRelease}, ${row.hiveIssue}).`, source: row.source };
  });
}

/** How one version reads the URL, reduced to what can differ (never the password itself). */
export interface VersionReading {
  version: HiveDriverVersion;
  error?: string;
  mode?: 'zooKeeper' | 'zooKeeperHA' | 'direct' | 'embedded';
  host?: string;
  port?: number;
  passwordLength?: number;
  sessionKeys?: string[];
}

export interface VersionDisagreement {
  readings: VersionReading[];
  /** One line per aspect on which the versions differ. */
  differences: string[];
}

/** Reads the URL with every driver version and says where they disagree. */
export function compareDriverVersions(input: string): VersionDisagreement {
  const readings = HIVE_DRIVER_VERSIONS.map((version): VersionReading => {
    try {
      const url = parseJdbcUrlAs(input, version);
      const reading: VersionReading = { version, mode: url.embedded ? 'embedded' : (url.discovery ?? 'direct'), sessionKeys: Object.keys(maskSecrets(url.sessionVars)).sort() };
      if (!url.discovery && url.hosts[0]) {
        reading.host = url.hosts[0].host;
      }
      if (url.driverPort !== undefined) {
        reading.port = url.driverPort;
      }
      if (url.sessionVars.password !== undefined) {
        reading.passwordLength = url.sessionVars.password.length;
      }
      return reading;
    } catch (error) {
      return { version, error: error instanceof Error ? error.message : String(error) };
    }
  });
  const differences: string[] = [];
  const aspects: [string, (r: VersionReading) => string][] = [
    ['outcome', (r) => (r.error === undefined ? 'parses' : `fails: ${r.error}`)],
    ['discovery mode', (r) => r.mode ?? '-'],
    ['host', (r) => r.host ?? '-'],
    ['port', (r) => (r.port === undefined ? '-' : String(r.port))],
    ['password', (r) => (r.passwordLength === undefined ? 'none' : `${r.passwordLength} characters`)],
    ['session keys', (r) => (r.sessionKeys ?? []).join(',')],
  ];
  for (const [aspect, describe] of aspects) {
    const values = readings.map(describe);
    if (new Set(values).size > 1) {
      differences.push(`${aspect}: ${readings.map((r, i) => `${r.version} → ${values[i] ?? ''}`).join('; ')}`);
    }
  }
  return { readings, differences };
}

/** The disagreement as a note for a resolution (empty when every version reads the URL alike). */
export function versionNotes(input: string): DriverNote[] {
  const { differences } = compareDriverVersions(input);
  return differences.map((line) => ({ code: 'VERSIONS_DISAGREE' as const, message: `Driver versions disagree on ${line}.`, source: 'DRIVER_DIFFERENCES (src/core/jdbc/driverVersions.ts)' }));
}
