// hive-zk: the core's twin for terminals and scripts. Every command prints JSON on stdout and
// exits 0, or prints {"error":{"code","message"}} and exits 1 (2 for bad usage).

import { buildBeelineCommand, SHELL_KINDS, type ShellKind } from './core/beeline';
import { parseConnectString } from './core/connectString';
import { HiveZkError, toHiveZkError } from './core/errors';
import { discoverNamespaces, listHaInstances, listInstances, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, type NamespaceListing } from './core/hs2Registry';
import { discoveryUrl, instanceUrl } from './core/hs2Urls';
import { parseJdbcUrl } from './core/jdbcUrl';
import { formatLockObject, unlockStatement, walkLocks } from './core/locks';
import { resolveJdbcUrl } from './core/resolver';
import { secureTransport } from './core/secureTransport';
import { ZkSession, type ZkSessionOptions } from './core/zkSession';
import { SECURITY_BOOLEAN_FLAGS, SECURITY_USAGE, SECURITY_VALUE_FLAGS, securityFromFlags } from './cliSecurity';

const USAGE = `hive-zk — HiveServer2 discovery and Hive locks in ZooKeeper (JSON output)

  hive-zk parse-url <jdbc-url>
  hive-zk resolve <jdbc-url> [--pick-only]
  hive-zk namespaces --zk <connect string>
  hive-zk instances --zk <connect string> [--namespace ns] [--ha]
  hive-zk locks --zk <connect string> [--namespace ns] [--db d] [--table t]
  hive-zk beeline (<jdbc-url> | --zk <connect string> --namespace ns [--instance znode])
                  [--user u] [--shell posix|pwsh|cmd] [--password-env]

  --timeout <ms>   connect and request timeout (default 10000)
  A digest credential "user:password" is read from the HIVEZK_DIGEST environment variable.
${SECURITY_USAGE}`;

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set<string>(['zk', 'namespace', 'db', 'table', 'instance', 'user', 'shell', 'timeout', ...SECURITY_VALUE_FLAGS]);
const BOOLEAN_FLAGS = new Set<string>(['ha', 'password-env', 'help', 'json', 'pick-only', ...SECURITY_BOOLEAN_FLAGS]);

export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (BOOLEAN_FLAGS.has(name)) {
      flags.set(name, true);
    } else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) {
        throw new HiveZkError('BAD_ARGUMENT', `--${name} needs a value.`);
      }
      flags.set(name, value);
    } else {
      throw new HiveZkError('BAD_ARGUMENT', `Unknown option --${name}.`);
    }
  }
  return { positional, flags };
}

function flag(args: Args, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function requireFlag(args: Args, name: string): string {
  const value = flag(args, name);
  if (value === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', `Missing --${name}.`);
  }
  return value;
}

function requirePositional(args: Args, what: string): string {
  const value = args.positional[1];
  if (value === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', `Missing ${what}.`);
  }
  return value;
}

/** Timeouts, the digest credential and TLS/SASL security; `urlSessionVars` are a JDBC URL's (for resolve). */
function sessionOptions(args: Args, urlSessionVars?: Record<string, string>): Omit<ZkSessionOptions, 'connectString'> {
  const timeout = Number(flag(args, 'timeout') ?? 10_000);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new HiveZkError('BAD_ARGUMENT', '--timeout must be a positive number of milliseconds.');
  }
  const digest = process.env.HIVEZK_DIGEST;
  const security = securityFromFlags((name) => args.flags.get(name), process.env, urlSessionVars);
  return {
    connectTimeoutMs: timeout,
    requestTimeoutMs: timeout,
    ...(digest ? { digest } : {}),
    ...(security ? { transport: secureTransport(security) } : {}),
  };
}

async function withSession<T>(connectString: string, args: Args, work: (session: ZkSession) => Promise<T>): Promise<T> {
  const session = new ZkSession({ connectString, ...sessionOptions(args) });
  try {
    return await work(session);
  } finally {
    session.close();
  }
}

async function listAnyInstances(session: ZkSession, namespace: string, ha: boolean): Promise<NamespaceListing> {
  if (ha) {
    return listHaInstances(session, namespace);
  }
  try {
    return await listInstances(session, namespace);
  } catch (error) {
    const failure = toHiveZkError(error);
    if (failure.code === 'NAMESPACE_MISSING') {
      return listHaInstances(session, namespace).catch(() => Promise.reject(failure));
    }
    throw failure;
  }
}

export async function runCommand(argv: readonly string[]): Promise<unknown> {
  const args = parseArgs(argv);
  const command = args.positional[0];
  switch (command) {
    case 'parse-url': {
      const url = parseJdbcUrl(requirePositional(args, 'the JDBC URL'));
      return { hosts: url.hosts, database: url.database, sessionVars: url.sessionVars, hiveConfs: url.hiveConfs, hiveVars: url.hiveVars, discovery: url.discovery ?? null, embedded: url.embedded };
    }
    case 'resolve': {
      const url = requirePositional(args, 'the JDBC URL');
      const sessions: ZkSession[] = [];
      try {
        return await resolveJdbcUrl(
          url,
          (connectString) => {
            const session = new ZkSession({ connectString, ...sessionOptions(args, parseJdbcUrl(url).sessionVars) });
            sessions.push(session);
            return session;
          },
          { pickOnly: args.flags.has('pick-only') },
        );
      } finally {
        sessions.forEach((s) => s.close());
      }
    }
    case 'namespaces':
      return withSession(requireFlag(args, 'zk'), args, async (session) => ({ namespaces: await discoverNamespaces(session) }));
    case 'instances':
      return withSession(requireFlag(args, 'zk'), args, (session) => listAnyInstances(session, flag(args, 'namespace') ?? DEFAULT_HS2_NAMESPACE, args.flags.has('ha')));
    case 'locks':
      return withSession(requireFlag(args, 'zk'), args, async (session) => {
        const walk = await walkLocks(session, flag(args, 'namespace') ?? DEFAULT_LOCK_NAMESPACE, {
          ...(flag(args, 'db') !== undefined ? { database: flag(args, 'db') } : {}),
          ...(flag(args, 'table') !== undefined ? { table: flag(args, 'table') } : {}),
        });
        return {
          root: walk.root,
          visited: walk.visited,
          unreadable: walk.unreadable,
          locks: walk.locks.map((lock) => ({
            path: lock.path,
            object: formatLockObject(lock.object),
            mode: lock.mode,
            sequence: lock.sequenceText,
            status: lock.status,
            blockedBy: lock.blockedBy ?? null,
            queryId: lock.data.queryId ?? null,
            lockTime: lock.data.lockTime ?? null,
            lockMode: lock.data.lockMode ?? null,
            query: lock.data.queryString ?? null,
            client: lock.data.clientIp ?? null,
            ephemeral: lock.ephemeral ?? null,
            unlock: unlockStatement(lock.object),
          })),
        };
      });
    case 'beeline':
      return beeline(args);
    default:
      throw new HiveZkError('BAD_ARGUMENT', command === undefined ? 'No command given.' : `Unknown command "${command}".`);
  }
}

async function beeline(args: Args): Promise<unknown> {
  const shell = (flag(args, 'shell') ?? 'posix') as ShellKind;
  if (!SHELL_KINDS.includes(shell)) {
    throw new HiveZkError('BAD_ARGUMENT', `--shell must be one of ${SHELL_KINDS.join(', ')}.`);
  }
  let url = args.positional[1];
  if (url === undefined) {
    const zk = requireFlag(args, 'zk');
    const namespace = requireFlag(args, 'namespace');
    const znode = flag(args, 'instance');
    if (znode === undefined) {
      url = discoveryUrl(parseConnectString(zk), namespace);
    } else {
      url = await withSession(zk, args, async (session) => {
        const instance = (await listAnyInstances(session, namespace, args.flags.has('ha'))).instances.find((i) => i.znode === znode || i.path === znode);
        if (!instance) {
          throw new HiveZkError('ZK_NO_NODE', `No instance ${znode} under /${namespace}.`);
        }
        return instanceUrl(instance);
      });
    }
  }
  const user = flag(args, 'user');
  const command = buildBeelineCommand({ url, ...(user !== undefined ? { user } : {}), passwordFromEnv: args.flags.has('password-env') });
  return { url, shell, argv: command.argv, env: command.envNames, command: command.display(shell) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv[0] === 'help') {
    process.stdout.write(USAGE);
    process.exitCode = argv.length === 0 ? 2 : 0;
    return;
  }
  try {
    const result = await runCommand(argv);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    const failure = toHiveZkError(error);
    process.stdout.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message } }, null, 2)}\n`);
    process.exitCode = failure.code === 'BAD_ARGUMENT' ? 2 : 1;
  }
}

if (require.main === module) {
  void main();
}
