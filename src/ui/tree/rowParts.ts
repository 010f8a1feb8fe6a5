// Pieces every kind of row is made of: an age, a count "n of m", and a tooltip's key/value lines.
// One age formatter (the core's) for rows, tooltips and Health, so a lock's age reads the same everywhere.
import type * as vscode from 'vscode';
import { formatAge } from '../../core/health/owners';

/** How long ago a moment was, as every row and tooltip says it ("12 min"); empty when unknown. */
export function age(epochMs: number | undefined, now = Date.now()): string {
  return epochMs === undefined || !Number.isFinite(epochMs) ? '' : formatAge(now - epochMs);
}

/** "5 instances", or "2 of 5 instances" when a filter is set. */
export function counted(total: number, matching: number | undefined, noun: string): string {
  const plural = `${noun}${total === 1 ? '' : 's'}`;
  return matching === undefined ? `${total} ${plural}` : `${matching} of ${total} ${plural}`;
}

export function settingsTable(md: vscode.MarkdownString, rows: [string, string | undefined][]): void {
  for (const [key, value] of rows) {
    if (value !== undefined && value !== '') {
      md.appendMarkdown(`**${key}:** ${codeSpan(value)}  \n`);
    }
  }
}

/**
 * A value as inline code: literal (no markdown, no links — a Kerberos principal is not a mailto:
 * address), fenced by more backquotes than it holds in a row, as CommonMark reads code spans.
 */
export function codeSpan(value: string): string {
  const longestRun = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padded = value.startsWith('`') || value.endsWith('`') || /^ .* $/.test(value) ? ` ${value} ` : value;
  return `${fence}${padded.replace(/[\r\n]+/g, ' ')}${fence}`;
}
