// Hadoop configuration files as Hadoop's Configuration reads them (hive-site.xml, beeline-site.xml,
// beeline-hs2-connection.xml): a counted read of a local file, no DTDs, final properties, and ${name}
// references expanded one property at a time, bounded. Files are untrusted input.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HiveZkError, preview } from '../errors';
import { readLocalFile } from '../localFile';

/** Real hive-site.xml files are well under 1 MB; anything larger is refused before parsing. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Hadoop Configuration's substitution limit (MAX_SUBST): at most this many ${name} replaced in one value. */
const MAX_SUBSTITUTIONS = 20;
/** No setting this tool reads is anywhere near this long once expanded; longer means references built to grow. */
export const MAX_EXPANDED_CHARS = 64 * 1024;

export function badFile(message: string, details: Record<string, unknown> = {}): HiveZkError {
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
