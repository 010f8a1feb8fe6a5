// Typed errors with a stable code and a message written for users.
// Every failure the core reports is a HiveZkError; callers switch on `code`, never on text.

import { escapeInvisible } from './untrusted';

export type ErrorCode =
  | 'BAD_ARGUMENT'
  | 'BAD_CONNECT_STRING'
  | 'ZK_UNREACHABLE'
  | 'ZK_TIMEOUT'
  | 'ZK_CONNECTION_LOSS'
  | 'ZK_SESSION_EXPIRED'
  | 'ZK_AUTH_FAILED'
  | 'ZK_SASL_REQUIRED'
  | 'ZK_SASL_FAILED'
  | 'ZK_KERBEROS_UNAVAILABLE'
  | 'ZK_TLS_FAILED'
  | 'ZK_NO_AUTH'
  | 'ZK_NO_NODE'
  | 'ZK_CLOSED'
  | 'CANCELLED'
  | 'ZK_ERROR'
  | 'URL_NOT_HIVE2'
  | 'URL_MALFORMED'
  | 'URL_DUPLICATE_KEY'
  | 'URL_NO_HOST'
  | 'URL_NOT_DISCOVERY'
  | 'NAMESPACE_MISSING'
  | 'NAMESPACE_EMPTY'
  | 'NO_LEADER'
  | 'BAD_ZNODE_DATA'
  | 'UNSAFE_VALUE'
  | 'BAD_CONFIG_FILE';

/** Codes where trying the same thing again later can succeed. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ZK_UNREACHABLE',
  'ZK_TIMEOUT',
  'ZK_CONNECTION_LOSS',
  'ZK_SESSION_EXPIRED',
]);

const MAX_MESSAGE_CHARS = 1000;

export class HiveZkError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for logs and JSON output (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    // Messages quote untrusted input; a bound here keeps any one of them from flooding a log or a pop-up.
    super(message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message, options);
    this.name = 'HiveZkError';
    this.code = code;
    this.details = details;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return Object.keys(this.details).length > 0
      ? { code: this.code, message: this.message, details: { ...this.details } }
      : { code: this.code, message: this.message };
  }
}

export function isHiveZkError(value: unknown, code?: ErrorCode): value is HiveZkError {
  return value instanceof HiveZkError && (code === undefined || value.code === code);
}

/** Turns anything thrown into a HiveZkError, keeping the original as the cause. */
export function toHiveZkError(value: unknown): HiveZkError {
  if (value instanceof HiveZkError) {
    return value;
  }
  const message = value instanceof Error ? value.message : String(value);
  const errno = value as NodeJS.ErrnoException | undefined;
  if (typeof errno?.path === 'string' && typeof errno.code === 'string') {
    // A local file system error (readers go through localFile.ts; this is the net for any other): not ZooKeeper's.
    return new HiveZkError('BAD_ARGUMENT', `Cannot use the local file ${preview(errno.path, 200)}: ${errno.code}.`, { file: preview(errno.path, 200) }, { cause: value });
  }
  return new HiveZkError('ZK_ERROR', message, {}, { cause: value });
}

/** A short excerpt of untrusted text for messages: cut to `max` characters, invisible characters escaped. */
export function preview(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? text.slice(0, max) : text;
  const shown = escapeInvisible(cut);
  return text.length > max ? `${shown}…` : shown;
}
