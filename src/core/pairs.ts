// Hive's "k=v;k=v" lists, parsed in linear time. Hive matches them with regexes —
// ([^;]*)=([^;]*);? for URLs and ([^=;]*)=([^;]*);? for znode data — which backtrack
// quadratically on long text without "=" (a 1 MB znode takes minutes). Splitting on ";" and
// cutting each part at its last (URLs: the key is greedy) or first (znode data) "=" gives the
// same pairs, and parts without "=" are skipped as the regexes skip them.

export function splitPairs(text: string, keyEnds: 'firstEquals' | 'lastEquals'): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of text.split(';')) {
    const eq = keyEnds === 'firstEquals' ? part.indexOf('=') : part.lastIndexOf('=');
    if (eq !== -1) {
      pairs.push([part.slice(0, eq), part.slice(eq + 1)]);
    }
  }
  return pairs;
}
