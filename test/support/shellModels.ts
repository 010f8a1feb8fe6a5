// Exact models of the readers a typed beeline command passes through where no interpreter exists
// here: cmd.exe (interactive), Windows PowerShell 5.1 / PowerShell 7 handing arguments to a batch
// file, Hive's beeline.cmd ("SetLocal EnableDelayedExpansion" + "call java … %*"), java.exe's
// argument splitting (the Microsoft C runtime's rules), and beeline's own option parser.
// Each returns the argv the program finally sees, or the hazard that changed the line's meaning.

export type Outcome = { argv: string[] } | { hazard: string };

/** Environment variables a Windows machine has; expansion of any of them is a changed argument. */
export const WINDOWS_ENV: Readonly<Record<string, string>> = { PATH: 'C:\\Windows', COMSPEC: 'C:\\Windows\\system32\\cmd.exe', USERNAME: 'victim', HIVEZK: 'x', A: 'expanded' };

// ---- java.exe: the Microsoft C runtime's argv rules (what CommandLineToArgvW also does after argv[0])

export function msvcrtArgv(text: string): string[] {
  const argv: string[] = [];
  let current = '';
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < text.length; ) {
    const ch = text[i];
    if (!quoted && (ch === ' ' || ch === '\t')) {
      if (inArg) {
        argv.push(current);
        current = '';
        inArg = false;
      }
      i += 1;
      continue;
    }
    inArg = true;
    if (ch === '\\') {
      let run = 0;
      while (text[i + run] === '\\') {
        run += 1;
      }
      if (text[i + run] === '"') {
        current += '\\'.repeat(Math.floor(run / 2));
        if (run % 2 === 1) {
          current += '"';
          i += run + 1;
        } else {
          i += run; // the quote is handled below as a delimiter
        }
      } else {
        current += '\\'.repeat(run);
        i += run;
      }
      continue;
    }
    if (ch === '"') {
      if (quoted && text[i + 1] === '"') {
        current += '"'; // "" inside quotes: a literal quote (2008+ runtime)
        i += 2;
        continue;
      }
      quoted = !quoted;
      i += 1;
      continue;
    }
    current += ch;
    i += 1;
  }
  if (inArg) {
    argv.push(current);
  }
  return argv;
}

// ---- cmd.exe phases

/** Phase 1, percent expansion. Command-line mode keeps undefined %names%; batch mode drops them and lone "%". */
function percentPhase(text: string, env: Readonly<Record<string, string>>, batch: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== '%') {
      out += text[i];
      continue;
    }
    if (batch && text[i + 1] === '%') {
      out += '%';
      i += 1;
      continue;
    }
    const end = text.indexOf('%', i + 1);
    const name = end === -1 ? '' : text.slice(i + 1, end);
    const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
    if (name !== '' && key !== undefined) {
      out += env[key];
      i = end;
    } else if (batch) {
      i = end === -1 ? text.length : end; // undefined variable (or a lone %) expands to nothing
    } else {
      out += '%';
    }
  }
  return out;
}

/** Phase 2: quotes protect; outside them "^" escapes the next character and & | < > ( ) are operators. */
function specialPhase(text: string): { text: string } | { hazard: string } {
  let out = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (ch === '\n' || ch === '\r') {
      return { hazard: 'line break ends the command' };
    }
    if (ch === '"') {
      quoted = !quoted;
      out += ch;
    } else if (!quoted && ch === '^') {
      i += 1;
      out += text[i] ?? '';
    } else if (!quoted && /[&|<>()]/.test(ch)) {
      return { hazard: `cmd.exe operator ${ch} outside quotes` };
    } else {
      out += ch;
    }
  }
  return { text: out };
}

/** Delayed expansion: on a line with any "!", !name! expands, unpaired "!" vanish, and "^" escapes even inside quotes. */
function delayedPhase(text: string, env: Readonly<Record<string, string>>): string {
  if (!text.includes('!')) {
    return text;
  }
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '^') {
      i += 1;
      out += text[i] ?? '';
    } else if (ch === '!') {
      const end = text.indexOf('!', i + 1);
      const name = end === -1 ? '' : text.slice(i + 1, end);
      const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
      out += key !== undefined ? env[key] : '';
      i = end === -1 ? text.length : end;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Splits off the first word (the program) as cmd.exe does: up to a space outside quotes. */
function splitProgram(text: string): { program: string; rest: string } {
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '"') {
      quoted = !quoted;
    } else if (!quoted && (text[i] === ' ' || text[i] === '\t')) {
      return { program: text.slice(0, i), rest: text.slice(i + 1) };
    }
  }
  return { program: text, rest: '' };
}

/** Hive's bin/beeline.cmd: "call %JAVA_HOME%\bin\java … BeeLine %*" under delayed expansion. */
function beelineCmd(args: string, env: Readonly<Record<string, string>>): Outcome {
  // %* inserts the arguments' text as the batch received it; the line then goes through phase 2,
  // delayed expansion, and CALL's second round (carets doubled, percent expansion, phase 2 again).
  const first = specialPhase(args);
  if ('hazard' in first) {
    return first;
  }
  const delayed = delayedPhase(first.text, env);
  const called = specialPhase(percentPhase(delayed.replace(/\^/g, '^^'), env, true));
  if ('hazard' in called) {
    return called;
  }
  return { argv: msvcrtArgv(called.text) };
}

/** A line typed into an interactive cmd.exe that runs beeline.cmd. */
export function cmdToBeeline(line: string, env: Readonly<Record<string, string>> = WINDOWS_ENV): Outcome & { program?: string } {
  const expanded = specialPhase(percentPhase(line, env, false));
  if ('hazard' in expanded) {
    return expanded;
  }
  // The batch file's %* is the typed line's argument text after phases 1 and 2.
  const { program, rest } = splitProgram(expanded.text);
  const outcome = beelineCmd(rest, env);
  return 'hazard' in outcome ? outcome : { ...outcome, program: program.replace(/"/g, '') };
}

// ---- PowerShell

/** PowerShell's tokenizer for the shapes a command line can take: bare words and single-quoted strings. */
export function pwshTokens(line: string): { program: string; args: string[] } | { hazard: string } {
  const singleQuotes = /['\u2018\u2019\u201a\u201b]/;
  const words: string[] = [];
  let i = 0;
  let called = false;
  if (line.startsWith('& ')) {
    called = true;
    i = 2;
  }
  while (i < line.length) {
    if (line[i] === ' ') {
      i += 1;
      continue;
    }
    const ch = line[i] ?? '';
    if (singleQuotes.test(ch)) {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= line.length) {
          return { hazard: 'unterminated string' };
        }
        const c = line[i] ?? '';
        if (singleQuotes.test(c)) {
          if (singleQuotes.test(line[i + 1] ?? '')) {
            value += c;
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      if (i < line.length && line[i] !== ' ') {
        return { hazard: 'text glued to a quoted string' };
      }
      words.push(value);
      continue;
    }
    let end = line.indexOf(' ', i);
    end = end === -1 ? line.length : end;
    const word = line.slice(i, end);
    if (/[$`"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e;|&(){}<>,]/.test(word) || /^[@#]/.test(word) || word === '--%') {
      return { hazard: `PowerShell interprets the bare word ${word}` };
    }
    if (word.startsWith('-') && word.includes('.')) {
      return { hazard: `Windows PowerShell splits ${word} at the "."` };
    }
    words.push(word);
    i = end;
  }
  const [program, ...args] = words;
  if (program === undefined || (!called && singleQuotes.test(line[0] ?? ''))) {
    return { hazard: 'a quoted first word is a string, not a command' };
  }
  return { program, args };
}

/** PowerShell 5.1 (and 7.x for batch files): the legacy way of building a native command line. */
export function pwshLegacyCommandLine(args: readonly string[]): string {
  return args
    .filter((a) => a !== '') // empty arguments vanish
    .map((a) => (/[ \t]/.test(a) ? `"${a}"` : a)) // quoted when they contain whitespace, nothing escaped
    .join(' ');
}

/** A PowerShell line whose program is beeline.cmd on Windows: cmd.exe /c reads the built command line. */
export function pwshToBeelineCmd(line: string, env: Readonly<Record<string, string>> = WINDOWS_ENV): Outcome {
  const tokens = pwshTokens(line);
  if ('hazard' in tokens) {
    return tokens;
  }
  const commandLine = pwshLegacyCommandLine(tokens.args);
  const expanded = specialPhase(percentPhase(commandLine, env, false));
  if ('hazard' in expanded) {
    return expanded;
  }
  return beelineCmd(expanded.text, env);
}

// ---- beeline's own parser (BeeLine.initArgs: a GnuParser with BeeLine's "--name=value" handling)

const OPTIONS_WITH_VALUE = new Set(['u', 'n', 'w', 'd', 'a', 'e', 'f', 'i', 'c']);
const OPTIONS = new Set([...OPTIONS_WITH_VALUE, 'p', 'r', 'h']);

export interface BeelineView {
  url?: string;
  user?: string;
  passwordFile?: string;
  /** true when beeline will prompt: "-p" given with no value. */
  prompts: boolean;
  /** Password given on the command line (must never happen). */
  password?: string;
  other: string[];
}

/**
 * What beeline reads from its argv: GnuParser's flattening ("-Xvalue" splits when -X is an option),
 * "--name=value" routed to BeeLineOpts, a value taken only if it does not start with "-" and is not
 * an option, quotes stripped from values (commons-cli), "-p" with an optional value.
 */
export function beelineReads(argv: readonly string[]): BeelineView {
  const tokens: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('--') || !arg.startsWith('-') || arg === '-' || OPTIONS.has(arg.slice(1))) {
      tokens.push(arg);
    } else if (OPTIONS.has(arg.slice(1, 2))) {
      tokens.push(arg.slice(0, 2), arg.slice(2));
    } else {
      tokens.push(arg);
    }
  }
  const view: BeelineView = { prompts: false, other: [] };
  const strip = (value: string): string => value.replace(/^"/, '').replace(/"$/, '');
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] ?? '';
    const name = token.startsWith('-') && !token.startsWith('--') ? token.slice(1) : undefined;
    const next = tokens[i + 1];
    const nextIsValue = next !== undefined && !(next.startsWith('-') && (next.startsWith('--') || OPTIONS.has(next.slice(1))));
    if (name === 'p') {
      if (nextIsValue && next !== undefined) {
        view.password = strip(next);
        i += 1;
      } else {
        view.prompts = true;
      }
    } else if (name !== undefined && OPTIONS_WITH_VALUE.has(name)) {
      if (!nextIsValue || next === undefined) {
        view.other.push(`missing value for -${name}`);
        continue;
      }
      const value = strip(next);
      i += 1;
      if (name === 'u') {
        view.url = value;
      } else if (name === 'n') {
        view.user = value;
      } else if (name === 'w') {
        view.passwordFile = value;
      } else {
        view.other.push(`-${name} ${value}`);
      }
    } else {
      view.other.push(token);
    }
  }
  return view;
}

/**
 * BeeLine.split(line, " "): space-separated tokens, where a quoted part (' or ") stays one token
 * without its quotes; undefined for an unbalanced quote (beeline reports an error).
 */
export function beelineSplit(line: string): string[] | undefined {
  const tokens: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) {
        quote = undefined;
      } else {
        current = (current ?? '') + ch;
      }
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current ??= '';
    } else if (ch === ' ') {
      if (current !== undefined) {
        tokens.push(current);
        current = undefined;
      }
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (quote !== undefined) {
    return undefined;
  }
  if (current !== undefined) {
    tokens.push(current);
  }
  return tokens;
}

/**
 * The "!connect" line BeeLine.connectUsingArgs builds from -u/-n and the password: with a password
 * (file or empty) "!connect url user password"; when it will prompt, "!connect url;user=USER".
 */
export function beelineConnectLine(url: string, user: string | undefined, password: string | undefined): string {
  const orQuotes = (v: string | undefined): string => (v === undefined || v === '' ? "''" : v);
  return password === undefined ? `!connect ${url};user=${orQuotes(user)}` : `!connect ${url} ${orQuotes(user)} ${orQuotes(password)}`;
}
