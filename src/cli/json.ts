// hive-zk's JSON output: what it printed before terminal views existed, byte for byte, with znode
// text's invisible characters (in keys and values) written as \u{XXXX}; written without a per-string pass
// when nothing needs one.

import { findInvisible, safeJson } from '../core/untrusted';

/** Any character beyond printable ASCII, or a backslash (JSON's own escapes of controls and lone surrogates start with one). */
const MAYBE_INVISIBLE = /[\\\u007f-\uffff]/;

/**
 * `JSON.stringify(output, …, 2)` with every string, keys included, passed through escapeInvisible (safeJson). The usual
 * output (printable ASCII, no backslash) cannot hold an invisible character, so it is stringified
 * once without a replacer (a large listing: several times faster); anything else, or a string
 * JSON had to escape, takes the per-string path, so both give the same text.
 */
export function jsonText(output: unknown): string {
  const plain = JSON.stringify(output, null, 2);
  if (!MAYBE_INVISIBLE.test(plain) || (!plain.includes('\\') && findInvisible(plain) === undefined)) {
    return plain;
  }
  return safeJson(output, 2);
}
