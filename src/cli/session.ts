// The CLI's ZooKeeper sessions: one per command, built from the timeout, the HIVEZK_DIGEST
// credential and the TLS/SASL flags, and always closed when the command is done.

import { secureTransport } from '../core/zk/auth/secureTransport';
import { ZkSession, type ZkSessionOptions } from '../core/zk/session';
import { securityFromFlags } from './security';
import { flag, parseTimeout, type Args } from './args';

export /** Timeouts, the digest credential and TLS/SASL security; `urlSessionVars` are a JDBC URL's (for resolve). */
function sessionOptions(args: Args, urlSessionVars?: Readonly<Record<string, string>>): Omit<ZkSessionOptions, 'connectString'> {
  const timeout = parseTimeout(flag(args, 'timeout'));
  const digest = process.env.HIVEZK_DIGEST;
  const security = securityFromFlags((name) => (args.values[name] === true ? true : flag(args, name)), process.env, urlSessionVars);
  return {
    connectTimeoutMs: timeout,
    requestTimeoutMs: timeout,
    ...(digest ? { digest } : {}),
    ...(security ? { transport: secureTransport(security) } : {}),
  };
}

export async function withSession<T>(connectString: string, args: Args, work: (session: ZkSession) => Promise<T>): Promise<T> {
  const session = new ZkSession({ connectString, ...sessionOptions(args) });
  try {
    return await work(session);
  } finally {
    session.close();
  }
}
