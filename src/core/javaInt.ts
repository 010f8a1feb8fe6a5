// Java's Integer.parseInt(text), which Hive's driver applies to the ports a znode publishes:
// an optional sign, then decimal digits of any script in the BMP (Character.digit accepts them
// all), nothing else — no spaces, no exponent, no trailing text — within the 32-bit range.

import { preview } from './errors';

const DECIMAL_DIGIT = /^\p{Nd}$/u;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export function parseJavaInt(text: string): number | undefined {
  let index = 0;
  let sign = 1;
  if (text[0] === '+' || text[0] === '-') {
    sign = text[0] === '-' ? -1 : 1;
    index = 1;
  }
  if (index >= text.length) {
    return undefined;
  }
  let value = 0;
  for (; index < text.length; index += 1) {
    const digit = digitValue(text.charCodeAt(index));
    if (digit === undefined) {
      return undefined;
    }
    value = value * 10 + digit;
    if (value > INT_MAX + 1) {
      return undefined;
    }
  }
  const result = sign * value;
  return result < INT_MIN || result > INT_MAX ? undefined : result === 0 ? 0 : result;
}

/** The value of a UTF-16 code unit as a decimal digit; Unicode lays each script's digits out as 0…9 in a row. */
function digitValue(unit: number): number | undefined {
  if (unit >= 0x30 && unit <= 0x39) {
    return unit - 0x30;
  }
  if (unit < 0x80 || (unit >= 0xd800 && unit <= 0xdfff) || !DECIMAL_DIGIT.test(String.fromCharCode(unit))) {
    return undefined;
  }
  let zero = unit;
  while (zero > 0 && DECIMAL_DIGIT.test(String.fromCharCode(zero - 1))) {
    zero -= 1;
  }
  return (unit - zero) % 10;
}

/** A TCP port as the driver reads it from a znode: parseInt, then it must be one a socket can use. */
export function parseZnodePort(text: string): { port: number } | { problem: string } {
  const value = parseJavaInt(text);
  if (value === undefined) {
    return { problem: `port "${preview(text, 20)}" is not an integer (Hive's driver fails on it)` };
  }
  return value >= 1 && value <= 65535 ? { port: value } : { problem: `port ${value} is outside 1-65535` };
}
