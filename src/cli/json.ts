// hive-zk's JSON output: what it printed before terminal views existed, byte for byte, with znode
// text's invisible characters (in keys and values) written as \u{XXXX}; written without a per-string pass
// when nothing needs one.

import { findInvisible, safeJson } from '../core/untrusted';

/**
 * Printable ASCII without a backslash (JSON's own escapes of controls and lone surrogates start with
 * one): nothing in it can be invisible. Native scans, not a regular expression: a 10k listing is 10 MB.
 * A character from 0x80 on (a lone surrogate too) takes more than one byte in UTF-8.
 */
function isPlainAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length && !text.includes('\\') && !text.includes('\u007f');
}

/**
 * `JSON.stringify(output, …, 2)` with every string, keys included, passed through escapeInvisible (safeJson). The usual
 * output (printable ASCII, no backslash) cannot hold an invisible character, so it is stringified
 * once without a replacer (a large listing: several times faster); anything else, or a string
 * JSON had to escape, takes the per-string path, so both give the same text.
 */
export function jsonText(output: unknown): string {
  const plain = JSON.stringify(output, null, 2);
  if (isPlainAscii(plain) || (!plain.includes('\\') && findInvisible(plain) === undefined)) {
    return plain;
  }
  return safeJson(output, 2);
}
