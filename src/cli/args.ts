// Reading a parsed command line: flags, required flags and positionals, the timeout and the Hive
// driver version, each refused with a BAD_ARGUMENT error that says what to give instead.

import { DEFAULT_DRIVER_VERSION, parseDriverVersion, type HiveDriverVersion } from '../core/jdbc/driverVersions';
import { HiveZkError, preview } from '../core/errors';

export const MAX_TIMEOUT_MS = 3_600_000;

/** What a command returns when it has written its own output (lines as they came): nothing more is printed. */
export const STREAMED: unique symbol = Symbol('streamed');

export interface Args {
  command: string;
  positional: string[];
  /** A list for an option that may be repeated (e.g. watch's --namespace). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

export function flag(args: Args, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requireFlag(args: Args, name: string): string {
  const value = flag(args, name);
  if (value === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', `Missing --${name}.`);
  }
  return value;
}

export function requirePositional(args: Args, what: string): string {
  const value = args.positional[0];
  if (value === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', `Missing ${what}.`);
  }
  return value;
}

export function driverVersion(args: Args): HiveDriverVersion {
  const text = flag(args, 'hive-version');
  return text === undefined ? DEFAULT_DRIVER_VERSION : parseDriverVersion(text);
}

/** Milliseconds as digits only, within what a Node timer can hold (beyond 2^31-1 it fires at once). */
export function parseTimeout(text: string | undefined, name = 'timeout', fallback = 10_000): number {
  if (text === undefined) {
    return fallback;
  }
  const value = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= MAX_TIMEOUT_MS)) {
    throw new HiveZkError('BAD_ARGUMENT', `--${name} must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, not "${preview(text, 20)}".`);
  }
  return value;
}
