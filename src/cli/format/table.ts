// Tables and short reports for a terminal: columns sized to the content and the terminal's width,
// cells wrapped at word boundaries (never cut mid-word), a record per row when even that cannot
// fit, long listings ended with a count. Shared by every command's terminal view (doctor's too).

import { escapeInvisible } from '../../core/untrusted';
import { paint, type Terminal, type Tone } from './terminal';
import { displayWidth, formatCount, longestPiece, wrap } from './text';

/** A cell: its text (untrusted text is escaped here) and an optional tone where colour is allowed. */
export type Cell = string | { text: string; tone?: Tone | undefined };

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Never narrower than its content (short words: modes, counts, times). Default: may wrap. */
  keep?: boolean;
}

const GAP = 2;
/** A wrapping column is not made narrower than this (or its longest word, if shorter): IP addresses and query ids stay whole. */
const MIN_WRAP = 16;

/** A cell longer than this (only hostile or broken znode data) is shown cut, with a pointer to the whole. */
export const MAX_CELL_CHARS = 2000;

const textOf = (cell: Cell): string => {
  const text = typeof cell === 'string' ? cell : cell.text;
  return escapeInvisible(text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS)}… (${formatCount(text.length - MAX_CELL_CHARS)} more characters; use --json)` : text);
};
const toneOf = (cell: Cell): Tone | undefined => (typeof cell === 'string' ? undefined : cell.tone);

/** Column widths that fit `available` columns, or undefined when even the narrowest layout does not. */
function fitWidths(columns: readonly Column[], texts: readonly string[][], available: number): number[] | undefined {
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), ...texts.map((row) => displayWidth(row[i] ?? ''))));
  const total = (widths: number[]): number => widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1);
  if (total(natural) <= available) {
    return natural;
  }
  const minimum = columns.map((c, i) => {
    const need = natural[i] ?? 0;
    if (c.keep) {
      return need;
    }
    const header = Math.max(...c.header.split(' ').map(displayWidth));
    const content = Math.max(0, ...texts.map((row) => longestWord(row[i] ?? '')));
    return Math.min(need, Math.max(header, Math.min(content, MIN_WRAP)));
  });
  if (total(minimum) > available) {
    return undefined;
  }
  // What is left makes whole the columns that lack least (each one made whole is a column that
  // no longer wraps), and the rest goes to the others in proportion to what each still lacks.
  const widths = [...minimum];
  let spare = available - total(minimum);
  const lack = (i: number): number => (natural[i] ?? 0) - (widths[i] ?? 0);
  const order = widths.map((_, i) => i).filter((i) => lack(i) > 0).sort((a, b) => lack(a) - lack(b));
  const partial: number[] = [];
  for (const i of order) {
    if (lack(i) <= spare) {
      spare -= lack(i);
      widths[i] = natural[i] ?? 0;
    } else {
      partial.push(i);
    }
  }
  const lacking = partial.reduce((sum, i) => sum + lack(i), 0);
  const shares = partial.map((i) => Math.floor((spare * lack(i)) / Math.max(1, lacking)));
  partial.forEach((i, k) => {
    widths[i] = (widths[i] ?? 0) + (shares[k] ?? 0);
  });
  spare -= shares.reduce((a, b) => a + b, 0);
  for (const i of partial) {
    const more = Math.min(spare, lack(i));
    widths[i] = (widths[i] ?? 0) + more;
    spare -= more;
  }
  return widths;
}

/**
 * Rows under their headers, aligned and wrapped to the terminal's width; when the columns cannot
 * fit side by side (a very narrow terminal), each row is printed as a small record instead.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly Cell[])[], terminal: Pick<Terminal, 'width' | 'color'>): string {
  const texts = rows.map((row) => columns.map((_, i) => textOf(row[i] ?? '')));
  const widths = fitWidths(columns, texts, terminal.width);
  if (!widths) {
    return renderRecords(columns, rows, terminal);
  }
  const lines: string[] = [];
  const emit = (cells: string[], tones: (Tone | undefined)[]): void => {
    const wrapped = cells.map((text, i) => wrap(text, widths[i] ?? 1));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let line = 0; line < height; line += 1) {
      const parts = wrapped.map((w, i) => paintPadded(terminal, tones[i], w[line] ?? '', widths[i] ?? 0, columns[i]?.align));
      lines.push(parts.join(' '.repeat(GAP)).trimEnd());
    }
  };
  emit(
    columns.map((c) => c.header),
    columns.map(() => 'bold'),
  );
  texts.forEach((cells, r) => emit(cells, columns.map((_, i) => toneOf(rows[r]?.[i] ?? ''))));
  return `${lines.join('\n')}\n`;
}

/** Text padded to a width, the colour on the text only (so trailing padding can be trimmed). */
function paintPadded(terminal: Pick<Terminal, 'color'>, tone: Tone | undefined, text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + paint(terminal, tone, text) : paint(terminal, tone, text) + fill;
}

const longestWord = (text: string): number => Math.max(0, ...text.split(' ').map(displayWidth));

/** Each row as its first cell on a line, then "HEADER value" lines: what a terminal too narrow for columns gets. */
function renderRecords(columns: readonly Column[], rows: readonly (readonly Cell[])[], terminal: Pick<Terminal, 'width' | 'color'>): string {
  const blocks = rows.map((row) => {
    const [first = '', ...rest] = row;
    const fields = rest.map((cell, i) => [columns[i + 1]?.header ?? '', cell] as const);
    return [...wrap(textOf(first), terminal.width).map((l) => paint(terminal, 'bold', l)), renderFields(fields, terminal, 2).trimEnd()].filter((l) => l !== '').join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Label and value pairs, labels aligned, values wrapped beside them; a terminal too narrow for
 * both on a line gets each value under its label. Empty values are left out.
 */
export function renderFields(fields: readonly (readonly [string, Cell])[], terminal: Pick<Terminal, 'width' | 'color'>, indent = 0): string {
  const shown = fields.filter(([, value]) => textOf(value) !== '');
  if (shown.length === 0) {
    return '';
  }
  const labelWidth = Math.max(...shown.map(([label]) => displayWidth(label)));
  const valueWidth = terminal.width - indent - labelWidth - GAP;
  const margin = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [label, value] of shown) {
    const text = textOf(value);
    // Beside its label when it fits there, or wraps there in lines wide enough to read; else under it.
    if (displayWidth(text) <= valueWidth || valueWidth >= Math.max(MIN_WRAP, Math.min(longestPiece(text), MIN_WRAP * 2))) {
      wrap(text, valueWidth).forEach((line, i) => {
        const head = i === 0 ? paintPadded(terminal, 'dim', label, labelWidth) : ' '.repeat(labelWidth);
        lines.push(`${margin}${head}${' '.repeat(GAP)}${paint(terminal, toneOf(value), line)}`.trimEnd());
      });
    } else {
      // Under its label, indented only as far as its longest word still fits.
      const under = ' '.repeat(Math.max(indent, Math.min(indent + GAP, terminal.width - longestWord(text))));
      lines.push(`${margin}${paint(terminal, 'dim', label)}`);
      wrap(text, terminal.width - under.length).forEach((line) => lines.push(`${under}${paint(terminal, toneOf(value), line)}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A titled block of a report: the title on its own line, then the body (already rendered). */
export function renderSection(title: string, body: string, terminal: Pick<Terminal, 'width' | 'color'>): string {
  return `${wrap(escapeInvisible(title), terminal.width).map((line) => paint(terminal, 'bold', line)).join('\n')}\n${body}`;
}

/** The first `maxRows` rows, and the line saying how many are left out (undefined when none are). */
export function limitRows<T>(rows: readonly T[], terminal: Pick<Terminal, 'maxRows'>): { shown: readonly T[]; more?: string } {
  if (rows.length <= terminal.maxRows) {
    return { shown: rows };
  }
  return { shown: rows.slice(0, terminal.maxRows), more: `… ${formatCount(rows.length - terminal.maxRows)} more; use --json\n` };
}

/** A listing: the table of its first rows, then the count of the rest. */
export function renderListing(columns: readonly Column[], rows: readonly (readonly Cell[])[], terminal: Pick<Terminal, 'width' | 'color' | 'maxRows'>): string {
  const { shown, more } = limitRows(rows, terminal);
  return renderTable(columns, shown, terminal) + (more ?? '');
}
