// Builds beeline invocations: the argv, and one command line per shell (POSIX sh/bash/dash/zsh,
// PowerShell 5.1 and 7, cmd.exe). Arguments may hold znode content, so each one is checked against
// every reader on its way — the shell, Windows' argument conventions, beeline.cmd, and beeline's own
// option and !connect parsers — and anything one of them would read differently is refused with the
// reason. Passwords never appear on the command line: beeline prompts for them or reads a file.

import { HiveZkError, preview } from '../errors';
import { parseJdbcUrl } from './jdbcUrl';
import { isSecretKey, redactUrlText } from './secretParams';
import { findInvisible, trimEndWhere } from '../untrusted';

export type ShellKind = 'posix' | 'pwsh' | 'cmd';
export const SHELL_KINDS: readonly ShellKind[] = ['posix', 'pwsh', 'cmd'];

/** cmd.exe's command-line limit, applied to every shell: a longer beeline command is never legitimate. */
export const MAX_COMMAND_CHARS = 8191;

/**
 * How beeline gets the password (BeeLine.connectUsingArgs):
 * - none: no option; beeline connects with an empty password;
 * - prompt: "-p" with no value (Hive 2.2+), as the last argument: beeline asks for it when it connects;
 * - file: "-w FILE": beeline reads the file, trims it, and it wins over "-p".
 */
export type PasswordSource = { kind: 'none' } | { kind: 'prompt' } | { kind: 'file'; path: string };

export interface BeelineRequest {
  /** A jdbc:hive2:// URL; it is parsed first so that a malformed one is refused here. */
  url: string;
  user?: string;
  password?: PasswordSource;
  /** Path or name of the beeline executable. */
  beelinePath?: string;
  /** Extra BeeLine options of the form "--name=value", such as "--silent=true". */
  extraArgs?: readonly string[];
}

export interface BeelineCommand {
  /** Program and arguments, for spawning without a shell. */
  argv: string[];
  /** The command line for one shell; throws UNSAFE_VALUE when that shell cannot carry an argument unchanged. */
  display(shell: ShellKind): string;
}

type OptionValue = 'boolean' | 'integer' | 'outputFormat' | 'numberFormat' | 'character';

/**
 * The BeeLine options extra arguments may set (BeeLineOpts): how results are shown, nothing else.
 * Every other option is refused, whoever set it — beeline sets any of its options from
 * --name=value, and some run or read files (scriptFile, initFiles, historyFile, property files, whose
 * !sh lines run commands), change what runs or where (autoCommit, force, isolation, authType,
 * delimiter, entireLineAsCommand) or write files (autosave).
 */
export const BEELINE_DISPLAY_OPTIONS: Readonly<Record<string, OptionValue>> = {
  color: 'boolean',
  convertBinaryArrayToString: 'boolean',
  delimiterForDSV: 'character',
  escapeCRLF: 'boolean',
  headerInterval: 'integer',
  incremental: 'boolean',
  incrementalBufferRows: 'integer',
  maxColumnWidth: 'integer',
  maxHeight: 'integer',
  maxWidth: 'integer',
  nullEmptyString: 'boolean',
  numberFormat: 'numberFormat',
  outputFormat: 'outputFormat',
  showDbInPrompt: 'boolean',
  showElapsedTime: 'boolean',
  showHeader: 'boolean',
  showNestedErrs: 'boolean',
  showWarnings: 'boolean',
  silent: 'boolean',
  truncateTable: 'boolean',
  verbose: 'boolean',
};

const OUTPUT_FORMATS = ['table', 'vertical', 'csv2', 'tsv2', 'dsv', 'csv', 'tsv', 'json', 'jsonfile', 'xmlattr', 'xmlelements'];
const VALUE_RULES: Record<OptionValue, { test(value: string): boolean; says: string }> = {
  boolean: { test: (v) => /^(true|false)$/i.test(v), says: 'true or false' },
  integer: { test: (v) => /^-?\d{1,9}$/.test(v), says: 'a whole number' },
  outputFormat: { test: (v) => OUTPUT_FORMATS.includes(v.toLowerCase()), says: OUTPUT_FORMATS.join(', ') },
  numberFormat: { test: (v) => /^[#0.,%E'+-]{1,32}$|^default$/.test(v), says: 'a DecimalFormat pattern such as #,##0.00, or default' },
  character: { test: (v) => /^[!-~]$/.test(v), says: 'one visible ASCII character' },
};

/** One extra BeeLine argument: "--<display option>=<value>", checked by the option's kind; anything else is refused with the reason. */
export function checkBeelineOption(extra: string): string {
  const match = /^--([A-Za-z]{1,40})=(.{0,64})$/s.exec(extra);
  const name = match?.[1] ?? '';
  // BeeLine finds the setter whatever the case of the name.
  const option = Object.keys(BEELINE_DISPLAY_OPTIONS).find((o) => o.toLowerCase() === name.toLowerCase());
  if (!match || option === undefined) {
    throw unsafe('extra argument', extra, `extra arguments are BeeLine display options only (--name=value with name one of ${Object.keys(BEELINE_DISPLAY_OPTIONS).join(', ')}); options that run, read or write files, or change what runs, are refused`);
  }
  const rule = VALUE_RULES[BEELINE_DISPLAY_OPTIONS[option] ?? 'boolean'];
  if (!rule.test(match[2] ?? '')) {
    throw unsafe('extra argument', extra, `--${option} takes ${rule.says}`);
  }
  return checkPrintable('extra argument', extra);
}

export function buildBeelineCommand(request: BeelineRequest): BeelineCommand {
  const url = parseJdbcUrl(request.url);
  const secret = Object.keys(url.sessionVars).find(isSecretKey);
  if (secret !== undefined) {
    throw unsafe('URL', request.url, `it carries the secret parameter ${preview(secret.split('=')[0] ?? secret, 40)}, which every user of the machine could read on beeline's command line (ps); use a password prompt or file instead`);
  }
  const program = request.beelinePath?.trim() || 'beeline';
  const args = ['-u', checkBeelineValue('URL', request.url)];
  if (request.user !== undefined && request.user !== '') {
    args.push('-n', checkBeelineUser(request.user));
  }
  for (const extra of request.extraArgs ?? []) {
    args.push(checkBeelineOption(extra));
  }
  const password = request.password ?? { kind: 'none' };
  if (password.kind === 'prompt' && request.user && (Object.keys(url.hiveConfs).length > 0 || Object.keys(url.hiveVars).length > 0)) {
    // To prompt, beeline appends ";user=…" to the URL text, which would land in the ?hiveconf or #hivevar part.
    throw unsafe('URL', request.url, 'it has ?hiveconf or #hivevar parts, and beeline would append the user name there when it prompts for the password');
  }
  if (password.kind === 'file') {
    args.push('-w', checkBeelineValue('password file path', password.path));
  } else if (password.kind === 'prompt') {
    args.push('-p'); // last, so that beeline's parser sees no value and prompts
  }
  const argv = [checkPrintable('beeline path', program), ...args];
  if (argv.join(' ').length > MAX_COMMAND_CHARS) {
    throw tooLong(argv.join(' ').length);
  }
  return {
    argv,
    display(shell: ShellKind): string {
      const line = [quoteProgram(program, shell), ...args.map((a) => quoteArg(a, shell))].join(' ');
      if (line.length > MAX_COMMAND_CHARS) {
        throw tooLong(line.length);
      }
      return line;
    },
  };
}

/**
 * A password beeline reads from a "-w" file exactly as given. BeeLine trims the file, then puts the
 * password into a "!connect url user password" line that it splits at spaces and quotes.
 */
export function checkPasswordForFile(password: string): string {
  const reason =
    password === ''
      ? 'it is empty'
      : password.length > 1024
        ? 'it is longer than 1024 characters'
        : findInvisible(password)
          ? 'it contains an invisible or control character'
          : /[\s'"]/.test(password)
            ? "it contains a space or a quote, which beeline's !connect line splits on (use the password prompt instead)"
            : undefined;
  if (reason) {
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to hand this password to beeline in a file: ${reason}.`);
  }
  return password;
}

/**
 * beeline passes "-n" into its "!connect" line (split at spaces and quotes) and, when it prompts for
 * the password, into the URL as ";user=…" (where ; = ? # % / and backslashes change the URL); its
 * option parser takes a value starting with "-" as an option.
 */
function checkBeelineUser(user: string): string {
  if (!/^(?!-)[A-Za-z0-9_.@+~:/-]{1,256}$/.test(user)) {
    throw unsafe('user name', user, 'beeline reads only letters, digits and . _ @ + ~ : / - there (not starting with "-"); other characters change its !connect line or the URL');
  }
  return user;
}

/** URLs and paths go through beeline's option parser and its quote-splitting !connect line. */
function checkBeelineValue(what: string, value: string): string {
  checkPrintable(what, value);
  if (value.startsWith('-')) {
    throw unsafe(what, value, 'beeline would read it as an option');
  }
  if (/['"]/.test(value)) {
    throw unsafe(what, value, "beeline's !connect line treats quotes as delimiters");
  }
  return value;
}

function checkPrintable(what: string, value: string): string {
  const invisible = findInvisible(value);
  if (invisible) {
    throw unsafe(what, value, `it contains the invisible or control character ${invisible.codePoint}, so what is shown would differ from what runs`);
  }
  if (value === '') {
    throw unsafe(what, value, 'it is empty');
  }
  return value;
}

function unsafe(what: string, value: string, reason: string): HiveZkError {
  const shown = what === 'URL' ? redactUrlText(value) : value;
  return new HiveZkError('UNSAFE_VALUE', `Refusing to build a beeline command: the ${what} "${preview(shown, 60)}" — ${reason}.`, { what });
}

function tooLong(length: number): HiveZkError {
  return new HiveZkError('UNSAFE_VALUE', `Refusing to build a beeline command of ${length} characters: at most ${MAX_COMMAND_CHARS} (cmd.exe's limit) are produced.`);
}

function quoteProgram(program: string, shell: ShellKind): string {
  if (shell !== 'posix' && program.endsWith('\\')) {
    throw unsafe('beeline path', program, 'it ends with "\\", which names a folder, not a program');
  }
  const quoted = quoteArg(program, shell);
  if (shell === 'posix' && quoted === program && program.includes('=')) {
    return quotePosixAlways(program); // an unquoted first word with "=" is a variable assignment
  }
  // PowerShell treats a quoted first word as a string, not a command: call it with "&".
  return shell === 'pwsh' && quoted !== program ? `& ${quoted}` : quoted;
}

export function quoteArg(arg: string, shell: ShellKind): string {
  checkPrintable('argument', arg);
  switch (shell) {
    case 'posix':
      return quotePosix(arg);
    case 'pwsh':
      return quotePwsh(arg);
    case 'cmd':
      return quoteCmd(arg);
  }
}

/** Single quotes make every character literal in sh, bash, dash and zsh; a quote is closed, escaped, reopened. */
export function quotePosix(arg: string): string {
  return /^[A-Za-z0-9_@%+:,./-]+$/.test(arg) ? arg : quotePosixAlways(arg);
}

function quotePosixAlways(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * What every Windows target shares. beeline on Windows is beeline.cmd, which runs
 * "SetLocal EnableDelayedExpansion" and "call java … %*": the call expands "%" a second time and
 * doubles "^", delayed expansion eats "!", and java.exe's ANSI command line turns look-alikes
 * (U+FF02 FULLWIDTH QUOTATION MARK, U+00A5 YEN SIGN…) into '"' or "\" by best-fit conversion.
 */
function windowsRefusal(arg: string): string | undefined {
  if (/[^\x20-\x7e]/.test(arg)) {
    return 'it contains a non-ASCII character, which Windows may convert to a different one (best-fit) before java sees it';
  }
  if (/["%!^]/.test(arg)) {
    return 'it contains " % ! or ^, which cmd.exe and beeline.cmd expand or strip even inside quotes';
  }
  return undefined;
}

/**
 * PowerShell single-quoted strings expand nothing; a quote inside is doubled, and the typographic
 * quotes ‘’‚‛ count as single quotes. Arguments then reach beeline.cmd the legacy way (PowerShell
 * 5.1, and 7.x for batch files): wrapped in "…" only when they contain a space, with no escaping —
 * so a trailing "\" escapes the closing quote, an empty argument disappears, and an unquoted
 * & | < > ( ) is a cmd.exe operator.
 */
export function quotePwsh(arg: string): string {
  const reason =
    windowsRefusal(arg) ??
    (arg.endsWith('\\')
      ? 'it ends with "\\", which would escape the closing quote PowerShell adds'
      : /[&|<>()]/.test(arg)
        ? 'it contains & | < > ( or ), which cmd.exe runs as operators when PowerShell passes the argument to beeline.cmd'
        : undefined);
  if (reason) {
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to quote "${preview(arg, 60)}" for PowerShell: ${reason}. Use a POSIX shell.`);
  }
  // Bare only where no PowerShell parsing rule applies ("-a.b" is split by older versions, "," builds an array).
  if (/^[A-Za-z0-9_-]+$/.test(arg) || /^[A-Za-z0-9_+=:./\\][A-Za-z0-9_+=:./\\-]*$/.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/**
 * cmd.exe: double quotes make & | < > ( ) literal and there is no escape inside them, so what
 * quotes cannot protect is refused; a run of backslashes before the closing quote is doubled, as
 * the program's argument parser (CommandLineToArgvW rules) reads "\\\"" as one backslash and an end.
 */
export function quoteCmd(arg: string): string {
  const reason = windowsRefusal(arg);
  if (reason) {
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to quote "${preview(arg, 60)}" for cmd.exe: ${reason}. Use a POSIX shell.`);
  }
  if (/^[A-Za-z0-9_@+:./\\-]+$/.test(arg)) {
    return arg;
  }
  // A trailing run of backslashes is doubled, so that the closing quote stays a quote.
  return `"${arg}${arg.slice(trimEndWhere(arg, (code) => code === 0x5c).length)}"`;
}
