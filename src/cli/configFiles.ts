// The configuration file commands: ensembles-from (ensembles and settings from hive-site.xml,
// beeline-site.xml or beeline-hs2-connection.xml) and beeline-site-entry (one entry to paste).

import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_DRIVER_VERSION, parseJdbcUrlAs } from '../core/driverVersions';
import { HiveZkError, preview } from '../core/errors';
import { configFileKind, ensemblesFromHiveSite, formatBeelineSiteEntry, MAX_CONFIG_BYTES, parseHadoopXml, readBeelineSite, readHs2ConnectionFile } from '../core/hiveSite';
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

/** Reads a configuration file no larger than the core accepts. */
function readConfigFile(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new HiveZkError('BAD_ARGUMENT', `Cannot read ${preview(path)}: ${preview(error instanceof Error ? error.message : String(error), 120)}`);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new HiveZkError('BAD_CONFIG_FILE', `${preview(path)} is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB; it is not read.`);
  }
  return readFileSync(path, 'utf8');
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
