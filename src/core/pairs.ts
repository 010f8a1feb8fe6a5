// Hive's "k=v;k=v" lists, parsed in linear time. Hive matches them with regexes —
// ([^;]*)=([^;]*);? for URLs and ([^=;]*)=([^;]*);? for znode data — which backtrack
// quadratically on long text without "=" (a 1 MB znode takes minutes). Splitting on ";" and
// cutting each part at its last (URLs: the key is greedy) or first (znode data) "=" gives the
// same pairs, and parts without "=" are skipped as the regexes skip them.

export function splitPairs(text: string, keyEnds: 'firstEquals' | 'lastEquals'): [string, string][] {
  const pairs: [string, string][] = [];
  forEachPair(text, keyEnds, (key, value) => pairs.push([key, value]));
  return pairs;
}

/**
 * splitPairs, each pair handed to `visit` as found: no part strings or pair arrays (an expand reads
 * 10k registrations). Every ";" and "=" is looked at once, so hostile text stays linear.
 */
export function forEachPair(text: string, keyEnds: 'firstEquals' | 'lastEquals', visit: (key: string, value: string) => void): void {
  let nextEquals = text.indexOf('=');
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf(';', start);
    if (end === -1) {
      end = text.length;
    }
    if (nextEquals !== -1 && nextEquals < start) {
      nextEquals = text.indexOf('=', start);
    }
    if (nextEquals !== -1 && nextEquals < end) {
      // The part holds an "=", so looking back from its end stops inside it.
      const equals = keyEnds === 'firstEquals' ? nextEquals : text.lastIndexOf('=', end - 1);
      visit(text.slice(start, equals), text.slice(equals + 1, end));
    }
    start = end + 1;
  }
}

/**
 * record[key] = value as an own property for any key. Assigned, "__proto__" would set no key at all
 * (the text's key would vanish); Hive keeps every key in a map.
 */
export function setOwn(record: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[key] = value;
  }
}
