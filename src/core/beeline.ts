// Builds beeline invocations: the argv, the environment that carries secrets, and a display
// string quoted for POSIX shells, PowerShell and cmd.exe. Arguments may hold znode content, so
// quoting is strict and anything that cannot be quoted inertly for a shell is refused.

import { HiveZkError, preview } from './errors';
import { parseJdbcUrl } from './jdbcUrl';

export type ShellKind = 'posix' | 'pwsh' | 'cmd';
export const SHELL_KINDS: readonly ShellKind[] = ['posix', 'pwsh', 'cmd'];

/** Environment variable that carries the password into the terminal; its value is never typed. */
export const PASSWORD_ENV = 'HIVEZK_BEELINE_PASSWORD';

export interface BeelineRequest {
  /** A jdbc:hive2:// URL; it is parsed first so that a malformed one is refused here. */
  url: string;
  user?: string;
  /** Pass the password from the PASSWORD_ENV environment variable (set by whoever runs the command). */
  passwordFromEnv?: boolean;
  /** Path or name of the beeline executable. */
  beelinePath?: string;
  /** Extra beeline options such as "--silent=true". */
  extraArgs?: readonly string[];
}

export interface BeelineCommand {
  /** Program and arguments, for spawning without a shell (no password in it). */
  argv: string[];
  /** Environment variables the command expects (names only; values are the caller's). */
  envNames: string[];
  /** The command line for one shell, with the password as an environment reference. */
  display(shell: ShellKind): string;
}

export function buildBeelineCommand(request: BeelineRequest): BeelineCommand {
  parseJdbcUrl(request.url);
  const program = request.beelinePath?.trim() || 'beeline';
  const args = ['-u', request.url];
  if (request.user !== undefined && request.user !== '') {
    args.push('-n', request.user);
  }
  const extra = [...(request.extraArgs ?? [])];
  for (const arg of [program, ...args, ...extra]) {
    assertPrintable(arg);
  }
  const argv = [program, ...args, ...extra];
  const passwordFromEnv = request.passwordFromEnv === true;
  return {
    argv,
    envNames: passwordFromEnv ? [PASSWORD_ENV] : [],
    display(shell: ShellKind): string {
      const words = [quoteProgram(program, shell), ...[...args, ...extra].map((a) => quoteArg(a, shell))];
      if (passwordFromEnv) {
        words.push('-p', passwordReference(shell));
      }
      return words.join(' ');
    },
  };
}

function passwordReference(shell: ShellKind): string {
  switch (shell) {
    case 'posix':
      return `"$${PASSWORD_ENV}"`;
    case 'pwsh':
      return `$env:${PASSWORD_ENV}`;
    case 'cmd':
      return `"%${PASSWORD_ENV}%"`;
  }
}

/** Newlines or control characters would end or alter a typed command line in every shell. */
function assertPrintable(arg: string): void {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(arg)) {
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to build a command: an argument contains a line break or control character ("${preview(arg)}").`);
  }
}

function quoteProgram(program: string, shell: ShellKind): string {
  const quoted = quoteArg(program, shell);
  // PowerShell treats a quoted first word as a string, not a command: call it with "&".
  return shell === 'pwsh' && quoted !== program ? `& ${quoted}` : quoted;
}

export function quoteArg(arg: string, shell: ShellKind): string {
  assertPrintable(arg);
  switch (shell) {
    case 'posix':
      return quotePosix(arg);
    case 'pwsh':
      return quotePwsh(arg);
    case 'cmd':
      return quoteCmd(arg);
  }
}

/** Single quotes make every character literal in sh, bash, zsh, dash; a quote is closed, escaped, reopened. */
export function quotePosix(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * PowerShell single-quoted strings expand nothing; a quote inside is doubled, and PowerShell also
 * takes the typographic quotes ‘’‚‛ as single quotes. Double quotes are refused: Windows
 * PowerShell 5.1 mangles them when it passes arguments to native programs.
 */
export function quotePwsh(arg: string): string {
  if (arg.includes('"') || /[\u201c\u201d\u201e]/.test(arg)) {
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to quote "${preview(arg)}" for PowerShell: double quotes do not pass safely to native programs.`);
  }
  // "," is left out: unquoted, it builds an array in PowerShell.
  if (/^[A-Za-z0-9_+=:./\\-]+$/.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/**
 * cmd.exe expands %VAR% even inside double quotes and has no escape there, so "%", "!" and '"' are
 * refused; everything else is made literal by double quotes.
 */
export function quoteCmd(arg: string): string {
  if (/[%!"]/.test(arg)) {
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to quote "${preview(arg)}" for cmd.exe: it contains % ! or ", which cmd cannot make literal. Use PowerShell or a POSIX shell.`);
  }
  if (/^[A-Za-z0-9_@+:./\\-]+$/.test(arg)) {
    return arg;
  }
  return `"${arg}"`;
}
