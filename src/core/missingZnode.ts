// One answer to "this znode vanished between listing and reading it, or its ACL keeps us out":
// such a read falls back to a value the caller chooses; every other failure is thrown as is.
import { isHiveZkError } from './errors';

export type MissingReason = 'gone' | 'unreadable';

/**
 * The read's value, or `fallback(reason)` when the znode is gone (ZK_NO_NODE) or, if `unreadable`
 * is given, not readable (ZK_NO_AUTH).
 */
export async function unlessMissing<T, F>(read: Promise<T>, fallback: (reason: MissingReason) => F, tolerate: { unreadable: boolean } = { unreadable: true }): Promise<T | F> {
  try {
    return await read;
  } catch (error) {
    if (isHiveZkError(error, 'ZK_NO_NODE')) {
      return fallback('gone');
    }
    if (tolerate.unreadable && isHiveZkError(error, 'ZK_NO_AUTH')) {
      return fallback('unreadable');
    }
    throw error;
  }
}
