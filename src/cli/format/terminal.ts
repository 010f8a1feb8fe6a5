// Where hive-zk's output goes: a terminal (tables for people, width-aware, colour unless NO_COLOR)
// or a pipe/file (JSON for scripts). Tests inject the facts instead of reading process.stdout.

export interface Terminal {
  /** stdout is a terminal: print tables and reports, not JSON. */
  tty: boolean;
  /** Columns to fit; a terminal that reports none is taken as 80 wide. */
  width: number;
  /** Escape codes allowed: a terminal, and NO_COLOR unset or empty (no-color.org). */
  color: boolean;
  /** Epoch milliseconds that ages are counted to. */
  now: number;
  /** Rows of a listing shown before the rest is counted, not printed. */
  maxRows: number;
}

/** Listings longer than this on a terminal end with "… N more; use --json". */
export const DEFAULT_MAX_ROWS = 50;

/** The terminal facts of a stream (process.stdout) and environment. */
export function terminalOf(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv, now = Date.now()): Terminal {
  const tty = stream.isTTY === true;
  const columns = stream.columns;
  return {
    tty,
    width: typeof columns === 'number' && columns > 0 ? columns : 80,
    color: tty && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb',
    now,
    maxRows: DEFAULT_MAX_ROWS,
  };
}

export type Tone = 'bold' | 'dim' | 'red' | 'yellow' | 'green';

const SGR: Record<Tone, [string, string]> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
};

/** `text` in a tone where colour is allowed, else unchanged. Applied after layout: widths never count codes. */
export function paint(terminal: Pick<Terminal, 'color'>, tone: Tone | undefined, text: string): string {
  if (!terminal.color || tone === undefined || text === '') {
    return text;
  }
  const [open, close] = SGR[tone];
  return `${open}${text}${close}`;
}
