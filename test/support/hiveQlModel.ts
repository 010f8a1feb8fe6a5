// How beeline and Hive read an UNLOCK statement, modelled for tests: beeline's statement splitting
// (quote-aware in 3.x, plain ";" in 2.x) and comment stripping, the server's ${…} substitution,
// then Hive's lexer (backquoted identifiers with `` doubling, string literals with backslash
// escapes). Returns the object the statement really names, or throws saying what went wrong.

import type { LockObject } from '../../src/core/locks/locks';

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', '0': '\0', Z: '\u001a' };

type Token = { kind: 'word' | 'ident' | 'string' | 'punct'; text: string };

function lex(statement: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < statement.length; ) {
    const ch = statement[i] ?? '';
    if (ch === ' ') {
      i += 1;
    } else if (ch === '`') {
      let text = '';
      for (i += 1; ; i += 1) {
        if (i >= statement.length) {
          throw new Error('unterminated identifier');
        }
        if (statement[i] === '`') {
          if (statement[i + 1] === '`') {
            text += '`';
            i += 1;
            continue;
          }
          i += 1;
          break;
        }
        text += statement[i];
      }
      tokens.push({ kind: 'ident', text });
    } else if (ch === "'") {
      let text = '';
      for (i += 1; ; i += 1) {
        if (i >= statement.length) {
          throw new Error('unterminated string');
        }
        const c = statement[i] ?? '';
        if (c === '\\') {
          const next = statement[i + 1] ?? '';
          text += ESCAPES[next] ?? next;
          i += 1;
          continue;
        }
        if (c === "'") {
          i += 1;
          break;
        }
        text += c;
      }
      tokens.push({ kind: 'string', text });
    } else if (/[A-Za-z]/.test(ch)) {
      const word = /^[A-Za-z_]+/.exec(statement.slice(i))?.[0] ?? '';
      tokens.push({ kind: 'word', text: word.toUpperCase() });
      i += word.length;
    } else if ('.(),=;'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i += 1;
    } else {
      throw new Error(`unexpected character ${JSON.stringify(ch)}`);
    }
  }
  return tokens;
}

export function readUnlock(statement: string): LockObject {
  if (statement.indexOf(';') !== statement.length - 1) {
    throw new Error('beeline would split this into several statements');
  }
  if (/--|\/\*|\$\{|[\r\n\u2028\u2029]/.test(statement)) {
    throw new Error('a comment, a line break or a ${variable} changes what runs');
  }
  const tokens = lex(statement);
  let at = 0;
  const take = (kind: Token['kind'], text?: string): string => {
    const token = tokens[at];
    if (!token || token.kind !== kind || (text !== undefined && token.text !== text)) {
      throw new Error(`expected ${text ?? kind} at token ${at} of ${statement}`);
    }
    at += 1;
    return token.text;
  };
  take('word', 'UNLOCK');
  let object: LockObject;
  if (tokens[at]?.text === 'DATABASE') {
    take('word', 'DATABASE');
    object = { database: take('ident') };
  } else {
    take('word', 'TABLE');
    const database = take('ident');
    take('punct', '.');
    object = { database, table: take('ident') };
    if (tokens[at]?.text === 'PARTITION') {
      take('word', 'PARTITION');
      take('punct', '(');
      object.partition = [];
      for (;;) {
        const key = take('ident');
        take('punct', '=');
        object.partition.push({ key, value: take('string') });
        if (tokens[at]?.text === ',') {
          take('punct', ',');
          continue;
        }
        take('punct', ')');
        break;
      }
    }
  }
  take('punct', ';');
  if (at !== tokens.length) {
    throw new Error('text after the statement');
  }
  return object;
}
