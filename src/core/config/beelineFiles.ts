// Reads the beeline files users keep beside hive-site.xml: beeline-site.xml (named JDBC URLs) and
// beeline-hs2-connection.xml (beeline's URL built from user settings); and writes a beeline-site.xml
// entry. Secret parameters never leave these functions. Files are untrusted input (hadoopXml.ts).

import { HiveZkError, isHiveZkError, preview } from '../errors';
import { formatJdbcUrl, parseJdbcUrl } from '../jdbc/jdbcUrl';
import { isSecretKey, redactUrlText, withoutSecrets } from '../jdbc/secretParams';
import { javaTrim } from '../untrusted';
import { badFile, parseHadoopXml } from './hadoopXml';

// beeline-site.xml (Hive 3.0+, HIVE-18963)

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

// beeline-hs2-connection.xml (Hive 2.2+, HIVE-14063)

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
