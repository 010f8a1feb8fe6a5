// Text measures for terminal layout: how many columns a string takes, wrapping at word (and path)
// boundaries, counts with thousands separators, and a time as local clock time plus its age.

/** Columns a code point takes: 0 for combining marks, 2 for East Asian wide and emoji, else 1. */
function codePointWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns `text` takes on a terminal (no escape codes in it: colour is added after layout). */
export function displayWidth(text: string): number {
  let width = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x300) {
      width += 1;
      continue;
    }
    const cp = text.codePointAt(i) ?? code;
    if (cp > 0xffff) {
      i += 1;
    }
    width += codePointWidth(cp);
  }
  return width;
}

/** Where a long token may break without cutting a word: after these characters (paths, URLs, host names, ids). */
const BREAK_AFTER = /[^/;,&=.:_\-@]*[/;,&=.:_\-@]?/gy;

/** A token's pieces, each ending at a break character: "a/b.c" → "a/", "b.", "c". */
export function pieces(token: string): string[] {
  const parts: string[] = [];
  BREAK_AFTER.lastIndex = 0;
  while (BREAK_AFTER.lastIndex < token.length) {
    const match = BREAK_AFTER.exec(token);
    if (!match || match[0] === '') {
      break;
    }
    parts.push(match[0]);
  }
  return parts.length > 0 ? parts : [token];
}

/** The widest piece a text cannot be broken inside: the narrowest a column holding it can be without cutting a word. */
export function longestPiece(text: string): number {
  let longest = 0;
  for (const word of text.split(' ')) {
    for (const piece of pieces(word)) {
      longest = Math.max(longest, displayWidth(piece));
    }
  }
  return longest;
}

/** Leading part of `text` that fits in `width` columns (a token longer than a whole line is split there). */
function fitPrefix(text: string, width: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (used + w > width && end > 0) {
      break;
    }
    used += w;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * `text` as lines of at most `width` columns: broken at spaces, then inside a long token after
 * "/", ";", ".", "-", "_" and the like; only a piece longer than a whole line is split where it must.
 */
export function wrap(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  if (displayWidth(text) <= limit) {
    return [text];
  }
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  const push = (piece: string, separator: string): void => {
    const w = displayWidth(piece);
    const sepWidth = line === '' ? 0 : separator.length;
    if (lineWidth + sepWidth + w <= limit) {
      line += (line === '' ? '' : separator) + piece;
      lineWidth += sepWidth + w;
      return;
    }
    if (line !== '') {
      lines.push(line);
    }
    let rest = piece;
    while (displayWidth(rest) > limit) {
      const head = fitPrefix(rest, limit);
      lines.push(head);
      rest = rest.slice(head.length);
    }
    line = rest;
    lineWidth = displayWidth(rest);
  };
  for (const word of text.split(' ')) {
    if (word === '') {
      continue;
    }
    if (displayWidth(word) <= limit) {
      push(word, ' ');
      continue;
    }
    pieces(word).forEach((piece, index) => push(piece, index === 0 ? ' ' : ''));
  }
  if (line !== '' || lines.length === 0) {
    lines.push(line);
  }
  return lines;
}

/** `text` padded with spaces to `width` columns. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** 9950 → "9,950", the same on every locale (scripts and tests read it). */
export function formatCount(count: number): string {
  return String(Math.trunc(count)).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A duration as one short unit: "42s", "18m", "5h", "3d". */
export function formatAge(ms: number): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds < 60) {
    return `${seconds}s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m`;
  }
  if (seconds < 48 * 3600) {
    return `${Math.floor(seconds / 3600)}h`;
  }
  return `${Math.floor(seconds / 86400)}d`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Epoch milliseconds as local clock time and age: "13:02 · 18m"; older than 20 hours with the
 * date, "2026-12-05 13:02 · 2d"; a time ahead of `now` (clock skew) as "in 2m".
 */
export function formatWhen(epochMs: number, now: number): string {
  const date = new Date(epochMs);
  const clock = `${two(date.getHours())}:${two(date.getMinutes())}`;
  const ago = now - epochMs;
  const day = ago > 20 * 3600 * 1000 ? `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` : '';
  // Under a second ahead is the same moment read twice (a report stamped just after the clock was read).
  return `${day}${clock} · ${ago <= -1000 ? `in ${formatAge(ago)}` : formatAge(Math.max(0, ago))}`;
}
