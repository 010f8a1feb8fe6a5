// ZooKeeper's error codes as the session reports them: one typed HiveZkError per failure, with a
// message written for users, the same whether a znode was read alone or in a batch.

import { HiveZkError, type ErrorCode } from '../errors';
import { formatIdentity, noAuthExplanation, type SessionIdentities } from './identities';
import { isChildPaths, pathAt, type ZnodePaths } from './znodePath';

const CODE_MAP: Record<number, ErrorCode> = {
  [-4]: 'ZK_CONNECTION_LOSS',
  [-7]: 'ZK_TIMEOUT',
  [-101]: 'ZK_NO_NODE',
  [-102]: 'ZK_NO_AUTH',
  [-112]: 'ZK_SESSION_EXPIRED',
  [-115]: 'ZK_AUTH_FAILED',
  [-124]: 'ZK_SASL_REQUIRED',
};

/** Errors after which this client is of no further use: a new one is made on next use. */
export const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ZK_AUTH_FAILED', 'ZK_SASL_REQUIRED']);

/** ZooKeeper's answer to an opcode it does not know (servers before 3.6 to multiRead); they then close the connection. */
const UNIMPLEMENTED = -6;

export function isUnimplemented(error: unknown): boolean {
  return error instanceof HiveZkError && error.details.zkCode === UNIMPLEMENTED;
}

export function pathProblem(path: unknown): HiveZkError | undefined {
  return typeof path === 'string' && isZnodePath(path) ? undefined : invalidPath(path);
}

function invalidPath(path: unknown): HiveZkError {
  return new HiveZkError('BAD_ARGUMENT', `Invalid znode path "${String(path)}".`);
}

/** What no znode path holds: a control character, an empty segment, a trailing "/". No nested repetition, so no backtracking on long text. */
const NOT_IN_A_PATH = /[\x00-\x1f\x7f]|\/\/|\/$/;
/** One segment of such a path. */
const ZNODE_NAME = /^[^/\x00-\x1f\x7f]+$/;

/** The same check as pathProblem for the path at `index`, its parent checked once for the run of names under it. */
export function pathProblemAt(paths: ZnodePaths, index: number, checked: { parent?: string }): HiveZkError | undefined {
  if (!isChildPaths(paths)) {
    return pathProblem(paths[index]);
  }
  const parent = paths.parents[index];
  const name = paths.names[index];
  if (parent !== checked.parent) {
    if (pathProblem(parent)) {
      return invalidPath(pathAt(paths, index));
    }
    checked.parent = parent;
  }
  // A name with "/" would join into the path of another znode: refused, not read.
  return typeof name === 'string' && ZNODE_NAME.test(name) ? undefined : invalidPath(pathAt(paths, index));
}

/** Absolute, no empty segment, no trailing "/" (but "/"), no control character: batched reads check every path. */
function isZnodePath(path: string): boolean {
  return path === '/' || (path.charCodeAt(0) === 0x2f && !NOT_IN_A_PATH.test(path));
}

/** A whole batch's failure as each of its znodes would have seen it in a single read. */
export function perPathError(error: unknown, path: string, connectString: string, who?: SessionIdentities): HiveZkError {
  if (error instanceof HiveZkError) {
    const zkCode = error.details.zkCode;
    if (typeof zkCode === 'number') {
      return errorFromCode(zkCode, path, connectString, error, who);
    }
    return error;
  }
  return new HiveZkError('ZK_ERROR', String(error), { path }, { cause: error });
}

/** A library error (its getCode() is ZooKeeper's code) as the session reports it. */
export function mapError(error: Error, path: string, connectString: string, who?: SessionIdentities): HiveZkError {
  const rawCode = (error as { getCode?: () => number }).getCode?.();
  return errorFromCode(rawCode, path, connectString, error, who);
}

/** The ZK_NO_AUTH a read of `path` gets, naming `who` the session is. */
export function noAuthError(path: string, connectString: string, who?: SessionIdentities, cause?: Error): HiveZkError {
  return errorFromCode(-102, path, connectString, cause, who);
}

/** `who`: the session's identities, named by a ZK_NO_AUTH with advice that fits them. */
export function errorFromCode(rawCode: number | undefined, path: string, connectString: string, cause?: Error, who?: SessionIdentities): HiveZkError {
  const code: ErrorCode = (rawCode !== undefined ? CODE_MAP[rawCode] : undefined) ?? 'ZK_ERROR';
  const messages: Partial<Record<ErrorCode, string>> = {
    ZK_NO_NODE: `The znode ${path} does not exist.`,
    ZK_NO_AUTH: `Not authorized to read ${path}: ${noAuthExplanation(who)}`,
    ZK_CONNECTION_LOSS: `Lost the connection to ZooKeeper (${connectString}) while reading ${path}; try again.`,
    ZK_SESSION_EXPIRED: `The ZooKeeper session expired while reading ${path}; try again.`,
    ZK_AUTH_FAILED: `ZooKeeper rejected the credentials for ${connectString}.`,
    ZK_SASL_REQUIRED: `${connectString} requires SASL authentication and none is configured: set up SASL DIGEST-MD5 or Kerberos for this ensemble.`,
  };
  const fallback = `ZooKeeper error on ${path}: ${cause?.message ?? `code ${rawCode}`}`;
  const identities = code === 'ZK_NO_AUTH' && who ? { identities: who.identities.map(formatIdentity), identitySource: who.source } : {};
  return new HiveZkError(code, messages[code] ?? fallback, { path, zkCode: rawCode, ...identities }, cause ? { cause } : {});
}
