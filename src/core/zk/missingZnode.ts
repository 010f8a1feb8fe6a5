// One answer to "this znode vanished between listing and reading it, or its ACL keeps us out":
// such a read falls back to a value the caller chooses; every other failure is thrown as is.
import { HiveZkError } from '../errors';
import type { ReadOutcome } from './types';

export type MissingReason = 'gone' | 'unreadable';

/**
 * One outcome of a batched read (getDataMany/getChildrenMany): its value, or `fallback(reason)` when
 * the znode is gone (ZK_NO_NODE) or, if `unreadable` is tolerated, not readable (ZK_NO_AUTH).
 */
export function unlessMissingOutcome<T, F>(outcome: ReadOutcome<T>, fallback: (reason: MissingReason) => F, tolerate: { unreadable: boolean } = { unreadable: true }): T | F {
  if (!(outcome instanceof HiveZkError)) {
    return outcome;
  }
  if (outcome.code === 'ZK_NO_NODE') {
    return fallback('gone');
  }
  if (tolerate.unreadable && outcome.code === 'ZK_NO_AUTH') {
    return fallback('unreadable');
  }
  throw outcome;
}

/** The same rule for a single read. */
export async function unlessMissing<T, F>(read: Promise<T>, fallback: (reason: MissingReason) => F, tolerate: { unreadable: boolean } = { unreadable: true }): Promise<T | F> {
  try {
    return await read;
  } catch (error) {
    if (!(error instanceof HiveZkError)) {
      throw error;
    }
    return unlessMissingOutcome<T, F>(error, fallback, tolerate);
  }
}
