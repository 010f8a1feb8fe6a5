// Text from znodes, URLs and users, made safe to show and checked before it reaches a command
// line: characters a reader cannot see (controls, bidi overrides, zero-width and other format
// characters, lone surrogates, exotic spaces) are shown escaped, never rendered.

/**
 * Characters that render as nothing, reorder what follows, end a line, or look like a plain space:
 * C0/C1 controls, format characters (bidi embeddings/overrides/isolates, zero-width, BOM, soft
 * hyphen), line/paragraph separators, spaces other than U+0020, and unpaired surrogates.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|(?! )\p{Zs}|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const INVISIBLE_GLOBAL = new RegExp(INVISIBLE.source, 'gu');

/** The first invisible character in `text`, or undefined. */
export function findInvisible(text: string): { index: number; codePoint: string } | undefined {
  const match = INVISIBLE.exec(text);
  return match ? { index: match.index, codePoint: codePointName(match[0]) } : undefined;
}

/**
 * `text` with every invisible character written as \u{XXXX}, so what is shown is what is there;
 * "\n" may be kept where the text is our own multi-line layout (tooltips).
 */
export function escapeInvisible(text: string, keepNewlines = false): string {
  return text.replace(INVISIBLE_GLOBAL, (char) => (keepNewlines && char === '\n' ? char : codePointName(char)));
}

function codePointName(char: string): string {
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}}`;
}

/**
 * JSON for output (the CLI, documents opened in the editor): every string value and every object key
 * with invisible characters escaped — keys come from untrusted data too (LLAP ServiceRecord
 * attributes, Kyuubi and znode `k=v` data).
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (typeof item === 'string') {
        return escapeInvisible(item);
      }
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const entries = Object.entries(item);
        return entries.some(([key]) => findInvisible(key) !== undefined) ? Object.fromEntries(entries.map(([key, v]) => [escapeInvisible(key), v])) : item;
      }
      return item;
    },
    indent,
  );
}

// Trimming runs of characters with loops: a pattern such as /x+$/ restarts at every x of a long run
// that is followed by something else, which is quadratic in the run's length.

/** `text` without the characters at its end for which `trimmed` (given a UTF-16 code unit) is true. */
export function trimEndWhere(text: string, trimmed: (code: number) => boolean): string {
  let end = text.length;
  while (end > 0 && trimmed(text.charCodeAt(end - 1))) {
    end -= 1;
  }
  return text.slice(0, end);
}

/** `text` without the characters at its start for which `trimmed` is true. */
export function trimStartWhere(text: string, trimmed: (code: number) => boolean): string {
  let start = 0;
  while (start < text.length && trimmed(text.charCodeAt(start))) {
    start += 1;
  }
  return text.slice(start);
}

/** Java's String.trim: code units up to U+0020 at either end. */
export function javaTrim(text: string): string {
  const blank = (code: number): boolean => code <= 0x20;
  return trimStartWhere(trimEndWhere(text, blank), blank);
}

export const isSlash = (code: number): boolean => code === 0x2f;
