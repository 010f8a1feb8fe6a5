// The configuration file commands: ensembles-from (ensembles and settings from hive-site.xml,
// beeline-site.xml or beeline-hs2-connection.xml) and beeline-site-entry (one entry to paste).

import { DEFAULT_DRIVER_VERSION, parseJdbcUrlAs } from '../core/jdbc/driverVersions';
import { HiveZkError } from '../core/errors';
import { configFileKind, formatBeelineSiteEntry, readBeelineSite, readHs2ConnectionFile } from '../core/config/beelineFiles';
import { parseHadoopXml, readConfigFile } from '../core/config/hadoopXml';
import { ensemblesFromHiveSite } from '../core/config/hiveSite';
import { requirePositional, type Args } from './args';

export function ensemblesFrom(args: Args): unknown {
  return ensemblesFromFile(requirePositional(args, 'the configuration file'));
}

export function beelineSiteEntry(args: Args): unknown {
  const [name, url] = args.positional;
  if (name === undefined || url === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', 'Give a name and a JDBC URL.');
  }
  parseJdbcUrlAs(url, DEFAULT_DRIVER_VERSION);
  return { name, entry: formatBeelineSiteEntry(name, url, { makeDefault: args.values.default === true }) };
}

function ensemblesFromFile(path: string): unknown {
  const text = readConfigFile(path);
  const kind = configFileKind(parseHadoopXml(text).properties);
  if (kind === 'beeline-site') {
    return { kind, ...readBeelineSite(text) };
  }
  if (kind === 'beeline-hs2-connection') {
    return { kind, ...readHs2ConnectionFile(text) };
  }
  const { ensembles, settings } = ensemblesFromHiveSite(text);
  return { kind, ensembles, settings };
}
