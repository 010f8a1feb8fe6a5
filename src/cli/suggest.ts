// "Did you mean …?" for a mistyped command or option: the nearest known word by edit distance
// (or the one it is the start of), only when it is near enough to be what was meant.

/** Levenshtein distance, both words bounded by the caller (they come from a command line). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known word nearest `input`: one it starts, else one within a third of its length in edits. */
export function nearest(input: string, known: readonly string[]): string | undefined {
  const word = input.slice(0, 60).toLowerCase();
  if (word.replace(/^-+/, '').length < 2) {
    return undefined;
  }
  const started = known.filter((k) => k.startsWith(word));
  if (started.length === 1) {
    return started[0];
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.replace(/^-+/, '').length / 3)) ? best : undefined;
}

/** " Did you mean locks?" or nothing. */
export function didYouMean(input: string, known: readonly string[]): string {
  const match = nearest(input, known);
  return match === undefined ? '' : ` Did you mean ${match}?`;
}
