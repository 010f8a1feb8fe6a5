// HiveQL text built from untrusted names (znode paths): identifiers and string literals quoted the
// way Hive's lexer reads them, and anything that beeline or the server would read as more than
// the one value refused with the reason.

import { HiveZkError, preview } from '../errors';
import { findInvisible } from '../untrusted';

/** Longer statements are refused: nothing a lock path yields legitimately comes close. */
export const MAX_STATEMENT_CHARS = 4096;

/**
 * What no quoting protects in every target:
 * - ";" ends a statement in beeline's splitter, which in several versions ignores quotes;
 * - "--" and "/*" start comments that beeline strips before quotes are considered;
 * - "${" is expanded by the server's variable substitution even inside quotes;
 * - invisible characters (line breaks, bidi overrides) make the text read differently from what runs.
 */
function refusal(value: string): string | undefined {
  const invisible = findInvisible(value);
  if (invisible) {
    return `it contains the invisible character ${invisible.codePoint}`;
  }
  if (value.includes(';')) {
    return 'it contains ";", which beeline takes as the end of a statement';
  }
  if (value.includes('--') || value.includes('/*') || value.includes('*/')) {
    return 'it contains a comment marker ("--", "/*" or "*/"), which beeline strips';
  }
  if (value.includes('${')) {
    return 'it contains "${", which Hive substitutes as a variable even inside quotes';
  }
  return undefined;
}

function refuse(what: string, value: string, reason: string): never {
  throw new HiveZkError('UNSAFE_VALUE', `Refusing to put the ${what} "${preview(value, 60)}" into a HiveQL statement: ${reason}.`, { what });
}

/** A backquoted identifier. Backquotes themselves are refused: their meaning depends on hive.support.quoted.identifiers. */
export function quoteIdentifier(name: string, what: string): string {
  const reason = name === '' ? 'it is empty' : name.includes('`') ? 'it contains a backquote' : refusal(name);
  if (reason) {
    refuse(what, name, reason);
  }
  return `\`${name}\``;
}

/** A single-quoted string literal; Hive's lexer reads backslash escapes, so "\" and "'" are escaped. */
export function quoteStringLiteral(value: string, what: string): string {
  const reason = refusal(value);
  if (reason) {
    refuse(what, value, reason);
  }
  return `'${value.replace(/[\\']/g, (ch) => `\\${ch}`)}'`;
}

/** Ends a statement, refusing one too long to be reviewed by a person before running it. */
export function finishStatement(statement: string): string {
  if (statement.length > MAX_STATEMENT_CHARS) {
    throw new HiveZkError('UNSAFE_VALUE', `Refusing to build a HiveQL statement of ${statement.length} characters (at most ${MAX_STATEMENT_CHARS}).`);
  }
  return `${statement};`;
}
