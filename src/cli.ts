// hive-zk: the core's twin for terminals and scripts. Every command prints JSON on stdout and
// exits 0, or prints {"error":{"code","message"}} and exits 1 (2 for bad usage).

import { readFileSync, statSync } from 'node:fs';
import { parseArgs as parseNodeArgs } from 'node:util';
import { buildBeelineCommand, checkPasswordForFile, SHELL_KINDS, type PasswordSource, type ShellKind } from './core/beeline';
import { parseConnectString } from './core/connectString';
import { explainUrl } from './core/driverQuirks';
import { DEFAULT_DRIVER_VERSION, parseDriverVersion, parseJdbcUrlAs, type HiveDriverVersion } from './core/driverVersions';
import { HiveZkError, preview, toHiveZkError } from './core/errors';
import { configFileKind, ensemblesFromHiveSite, formatBeelineSiteEntry, MAX_CONFIG_BYTES, parseHadoopXml, readBeelineSite, readHs2ConnectionFile } from './core/hiveSite';
import { discoverNamespaces, listHaInstances, listInstances, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, KYUUBI_ENGINE_SPACE, type NamespaceListing } from './core/hs2Registry';
import { listKyuubiEngines } from './core/kyuubiRegistry';
import { listLlapDaemons } from './core/llapRegistry';
import { discoveryUrl, instanceUrl } from './core/hs2Urls';
import { formatLockObject, unlockStatement, type LockObject } from './core/locks';
import { walkLocks } from './core/lockWalk';
import { groupLocksByOwner, ownerJson, ownerOf } from './core/owners';
import { resolveJdbcUrl } from './core/resolver';
import { maskSecrets } from './core/secretParams';
import { escapeInvisible } from './core/untrusted';
import { collectEnsembleHealth, formatSessionId, type HealthOptions, type SessionHolder } from './core/serverHealth';
import { secureTransport } from './core/secureTransport';
import { ZkSession, type ZkSessionOptions } from './core/zkSession';
import { SECURITY_BOOLEAN_FLAGS, SECURITY_USAGE, SECURITY_VALUE_FLAGS, securityFromFlags } from './cliSecurity';

const MAX_TIMEOUT_MS = 3_600_000;

const USAGE = `hive-zk — HiveServer2 discovery and Hive locks in ZooKeeper (JSON output)

  hive-zk parse-url <jdbc-url> [--hive-version v]
  hive-zk resolve <jdbc-url> [--pick-only] [--hive-version v] [--compare-versions]
  hive-zk namespaces --zk <connect string>
  hive-zk instances --zk <connect string> [--namespace ns] [--ha | --llap]
                    (LLAP namespaces llap-*, and Kyuubi servers and engine spaces, are recognised by name)
  hive-zk ensembles-from <hive-site.xml | beeline-site.xml | beeline-hs2-connection.xml>
  hive-zk beeline-site-entry <name> <jdbc-url> [--default]
  hive-zk locks --zk <connect string> [--namespace ns] [--db d [--table t]]
  hive-zk health --zk <connect string> [--namespace lock-ns] [--admin-port p]
  hive-zk beeline (<jdbc-url> | --zk <connect string> --namespace ns [--instance znode] [--ha])
                  [--user u] [--shell posix|pwsh|cmd] [--password-prompt | --password-file FILE]

  --hive-version v the Hive JDBC driver to answer for: 2, 3, 4.0 or 4.1+ (default ${DEFAULT_DRIVER_VERSION})
  --timeout <ms>   connect and request timeout, 1-${MAX_TIMEOUT_MS} (default 10000)
  A digest credential "user:password" is read from the HIVEZK_DIGEST environment variable.
  Passwords never go on beeline's command line: it prompts for them (--password-prompt) or reads a file.
${SECURITY_USAGE}`;

interface Args {
  command: string;
  positional: string[];
  values: Record<string, string | boolean | undefined>;
}

/** TLS and SASL options of every command that talks to ZooKeeper (cliSecurity.ts). */
const SECURITY_OPTIONS: Record<string, { type: 'string' | 'boolean' }> = {};
for (const name of SECURITY_VALUE_FLAGS) {
  SECURITY_OPTIONS[name] = { type: 'string' };
}
for (const name of SECURITY_BOOLEAN_FLAGS) {
  SECURITY_OPTIONS[name] = { type: 'boolean' };
}
const ZK_OPTIONS = { zk: { type: 'string' }, timeout: { type: 'string' }, ...SECURITY_OPTIONS } as const;
/** Commands that ask the servers who holds which session (`cons`, or the AdminServer on this port). */
const HEALTH_OPTIONS = { ...ZK_OPTIONS, 'admin-port': { type: 'string' } } as const;

/** Each command's options and positionals; anything else is refused rather than silently ignored. */
const COMMANDS: Record<string, { options: Record<string, { type: 'string' | 'boolean' }>; positionals: string[] }> = {
  'parse-url': { options: { 'hive-version': { type: 'string' } }, positionals: ['the JDBC URL'] },
  resolve: { options: { 'pick-only': { type: 'boolean' }, timeout: { type: 'string' }, 'hive-version': { type: 'string' }, 'compare-versions': { type: 'boolean' }, ...SECURITY_OPTIONS }, positionals: ['the JDBC URL'] },
  namespaces: { options: ZK_OPTIONS, positionals: [] },
  instances: { options: { ...HEALTH_OPTIONS, namespace: { type: 'string' }, ha: { type: 'boolean' }, llap: { type: 'boolean' } }, positionals: [] },
  'ensembles-from': { options: {}, positionals: ['the configuration file'] },
  'beeline-site-entry': { options: { default: { type: 'boolean' } }, positionals: ['the name', 'the JDBC URL'] },
  locks: { options: { ...HEALTH_OPTIONS, namespace: { type: 'string' }, db: { type: 'string' }, table: { type: 'string' } }, positionals: [] },
  health: { options: { ...HEALTH_OPTIONS, namespace: { type: 'string' } }, positionals: [] },
  beeline: {
    options: {
      ...ZK_OPTIONS,
      namespace: { type: 'string' },
      instance: { type: 'string' },
      ha: { type: 'boolean' },
      'hive-version': { type: 'string' },
      user: { type: 'string' },
      shell: { type: 'string' },
      'password-prompt': { type: 'boolean' },
      'password-file': { type: 'string' },
    },
    positionals: ['the JDBC URL (or --zk and --namespace)'],
  },
};

export function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (command === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', 'No command given.');
  }
  const spec = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!spec) {
    throw new HiveZkError('BAD_ARGUMENT', `Unknown command "${preview(command, 40)}".`);
  }
  if (rest.includes('--password-env')) {
    throw new HiveZkError('BAD_ARGUMENT', '--password-env is gone: a password on beeline\'s command line is visible to every user (ps). Use --password-prompt or --password-file.');
  }
  let parsed;
  try {
    parsed = parseNodeArgs({ args: [...rest], options: spec.options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new HiveZkError('BAD_ARGUMENT', `${preview(error instanceof Error ? error.message : String(error), 200)} (see hive-zk --help).`);
  }
  // util.parseArgs keeps the last of a repeated option; which one was meant is not ours to guess.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind === 'option') {
      if (seen.has(token.name)) {
        throw new HiveZkError('BAD_ARGUMENT', `--${preview(token.name, 40)} is given more than once.`);
      }
      seen.add(token.name);
    }
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === '') {
      throw new HiveZkError('BAD_ARGUMENT', `--${preview(name, 40)} needs a non-empty value.`);
    }
  }
  if (parsed.positionals.length > spec.positionals.length) {
    throw new HiveZkError('BAD_ARGUMENT', `Unexpected argument "${preview(parsed.positionals[spec.positionals.length], 60)}" for ${command}.`);
  }
  return { command, positional: parsed.positionals, values: parsed.values };
}

function flag(args: Args, name: string): string | undefined {
  const value = args.values[name];
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
  const value = args.positional[0];
  if (value === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', `Missing ${what}.`);
  }
  return value;
}

function driverVersion(args: Args): HiveDriverVersion {
  const text = flag(args, 'hive-version');
  return text === undefined ? DEFAULT_DRIVER_VERSION : parseDriverVersion(text);
}

/** Reads a configuration file no larger than the core accepts. */
function readConfigFile(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new HiveZkError('BAD_ARGUMENT', `Cannot read ${preview(path)}: ${preview(error instanceof Error ? error.message : String(error), 120)}`);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new HiveZkError('BAD_CONFIG_FILE', `${preview(path)} is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB; it is not read.`);
  }
  return readFileSync(path, 'utf8');
}

function ensemblesFrom(path: string): unknown {
  const text = readConfigFile(path);
  const kind = configFileKind(parseHadoopXml(text).properties);
  if (kind === 'beeline-site') {
    return { kind, ...readBeelineSite(text) };
  }
  if (kind === 'beeline-hs2-connection') {
    return { kind, ...readHs2ConnectionFile(text) };
  }
  const { ensembles, settings } = ensemblesFromHiveSite(text);
  return { kind, ensembles, settings };
}

async function listRegistry(session: ZkSession, args: Args): Promise<unknown> {
  const namespace = flag(args, 'namespace') ?? DEFAULT_HS2_NAMESPACE;
  if (args.values.llap === true || /^llap-(sasl|unsecure)$/.test(namespace)) {
    return listLlapDaemons(session, namespace);
  }
  if (KYUUBI_ENGINE_SPACE.test(namespace.replace(/^\/+/, ''))) {
    return { namespace, engines: await listKyuubiEngines(session, namespace) };
  }
  const listing = await listAnyInstances(session, namespace, args.values.ha === true);
  const sessions = await sessionHolders(session, args);
  return { ...listing, instances: listing.instances.map((i) => ({ ...i, owner: ownerJson(ownerOf(i.ephemeralOwner, sessions)) })) };
}

/** Milliseconds as digits only, within what a Node timer can hold (beyond 2^31-1 it fires at once). */
export function parseTimeout(text: string | undefined): number {
  if (text === undefined) {
    return 10_000;
  }
  const value = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= MAX_TIMEOUT_MS)) {
    throw new HiveZkError('BAD_ARGUMENT', `--timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, not "${preview(text, 20)}".`);
  }
  return value;
}

/** Timeouts, the digest credential and TLS/SASL security; `urlSessionVars` are a JDBC URL's (for resolve). */
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
  switch (args.command) {
    case 'parse-url': {
      const input = requirePositional(args, 'the JDBC URL');
      const driver = driverVersion(args);
      const url = parseJdbcUrlAs(input, driver);
      // Any key holding (part of) a password is masked, key and value: "password=ab" from "password=ab=c" too.
      const sessionVars = maskSecrets(url.sessionVars);
      return {
        driver,
        hosts: url.hosts,
        port: url.driverPort ?? null,
        database: url.database,
        sessionVars,
        hiveConfs: url.hiveConfs,
        hiveVars: url.hiveVars,
        discovery: url.discovery ?? null,
        embedded: url.embedded,
        notes: explainUrl(input, driver),
      };
    }
    case 'resolve': {
      const url = requirePositional(args, 'the JDBC URL');
      const sessions: ZkSession[] = [];
      try {
        return await resolveJdbcUrl(
          url,
          (connectString) => {
            const session = new ZkSession({ connectString, ...sessionOptions(args, parseJdbcUrlAs(url, driverVersion(args)).sessionVars) });
            sessions.push(session);
            return session;
          },
          { pickOnly: args.values['pick-only'] === true, driver: driverVersion(args), compareVersions: args.values['compare-versions'] === true },
        );
      } finally {
        sessions.forEach((s) => s.close());
      }
    }
    case 'namespaces':
      return withSession(requireFlag(args, 'zk'), args, async (session) => ({ namespaces: await discoverNamespaces(session) }));
    case 'instances':
      if (args.values.ha === true && args.values.llap === true) {
        throw new HiveZkError('BAD_ARGUMENT', 'Give --ha or --llap, not both.');
      }
      return withSession(requireFlag(args, 'zk'), args, (session) => listRegistry(session, args));
    case 'ensembles-from':
      return ensemblesFrom(requirePositional(args, 'the configuration file'));
    case 'beeline-site-entry': {
      const [name, url] = args.positional;
      if (name === undefined || url === undefined) {
        throw new HiveZkError('BAD_ARGUMENT', 'Give a name and a JDBC URL.');
      }
      parseJdbcUrlAs(url, DEFAULT_DRIVER_VERSION);
      return { name, entry: formatBeelineSiteEntry(name, url, { makeDefault: args.values.default === true }) };
    }
    case 'locks':
      if (flag(args, 'table') !== undefined && flag(args, 'db') === undefined) {
        throw new HiveZkError('BAD_ARGUMENT', '--table needs --db: a table is found under its database.');
      }
      for (const name of ['db', 'table']) {
        const value = flag(args, name);
        if (value !== undefined && (value.includes('/') || value === '.' || value === '..')) {
          throw new HiveZkError('BAD_ARGUMENT', `--${name} names one ${name === 'db' ? 'database' : 'table'}: "${preview(value, 60)}" is a path.`);
        }
      }
      return withSession(requireFlag(args, 'zk'), args, async (session) => {
        const sessions = await sessionHolders(session, args);
        const [database, table] = [flag(args, 'db'), flag(args, 'table')];
        const walk = await walkLocks(session, flag(args, 'namespace') ?? DEFAULT_LOCK_NAMESPACE, {
          ...(database !== undefined ? { database } : {}),
          ...(table !== undefined ? { table } : {}),
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
            owner: ownerJson(ownerOf(lock.ephemeralOwner, sessions)),
            ...unlockOrReason(lock.object),
          })),
        };
      });
    case 'health':
      return health(args);
    case 'beeline':
      return beeline(args);
    default:
      throw new HiveZkError('BAD_ARGUMENT', `Unknown command "${preview(args.command, 40)}".`);
  }
}

/** The UNLOCK statement, or why none can be built safely for this lock's names. */
function unlockOrReason(object: LockObject): { unlock: string | null; unlockRefused?: string } {
  try {
    return { unlock: unlockStatement(object) };
  } catch (error) {
    return { unlock: null, unlockRefused: toHiveZkError(error).message };
  }
}

function healthOptions(args: Args): HealthOptions {
  const adminPort = flag(args, 'admin-port');
  const port = adminPort !== undefined && /^\d{1,5}$/.test(adminPort) ? Number(adminPort) : undefined;
  if (adminPort !== undefined && (port === undefined || port < 1 || port > 65535)) {
    throw new HiveZkError('BAD_ARGUMENT', `--admin-port must be a port number, not "${preview(adminPort, 20)}".`);
  }
  return { timeoutMs: parseTimeout(flag(args, 'timeout')), ...(port !== undefined ? { adminPort: port } : {}) };
}

/** Which client address holds each session: `cons` only, short separate requests, never a session. */
async function sessionHolders(session: ZkSession, args: Args): Promise<Map<string, SessionHolder>> {
  return (await collectEnsembleHealth(session.connect, { ...healthOptions(args), words: ['cons'] })).sessions;
}

/** Servers, connections by client, and who holds the registrations and locks. */
async function health(args: Args): Promise<unknown> {
  const zk = requireFlag(args, 'zk');
  const ensemble = await collectEnsembleHealth(zk, healthOptions(args));
  // Connections are summarised by client below; each server keeps its counts.
  const servers = ensemble.servers.map(({ connections: _connections, version, ...server }) => ({ ...server, version: version?.text ?? null, batchedReads: version?.batchedReads ?? null }));
  const clients = ensemble.clients.map((c) => ({ ...c, sessions: c.sessions.map(formatSessionId) }));
  let registry: unknown;
  try {
    registry = await withSession(zk, args, async (session) => {
      const kinds = await discoverNamespaces(session);
      const lockNamespace = flag(args, 'namespace') ?? DEFAULT_LOCK_NAMESPACE;
      const listings = await Promise.all(kinds.filter((n) => n.kind === 'hs2' || n.kind === 'hs2-ha').map((n) => listAnyInstances(session, n.kind === 'hs2-ha' ? n.name.replace(/-(sasl|unsecure)$/, '') : n.name, n.kind === 'hs2-ha')));
      const instances = listings.flatMap((l) => l.instances);
      const walk = kinds.some((n) => n.name === lockNamespace.replace(/^\/+|\/+$/g, '')) ? await walkLocks(session, lockNamespace) : undefined;
      const ownership = groupLocksByOwner(walk?.locks ?? [], instances, ensemble.sessions, { sessionsComplete: ensemble.sessionsComplete });
      return {
        hiveServer2: instances.map((i) => ({ path: i.path, host: i.host ?? null, port: i.port ?? null, owner: ownerJson(ownerOf(i.ephemeralOwner, ensemble.sessions)) })),
        locks: walk ? { root: walk.root, count: walk.locks.length, persistent: ownership.persistentLocks } : null,
        lockOwners: ownership.groups.map((g) => ({ ...ownerJson(g.owner), count: g.count, oldest: g.oldest ?? null, onHiveServer2Host: g.onHiveServer2Host ?? null, problem: g.problem ?? null, summary: g.summary })),
        hiveServer2Hosts: ownership.hiveServer2Hosts,
      };
    });
  } catch (error) {
    registry = { error: toHiveZkError(error).toJSON() };
  }
  return { connectString: ensemble.connectString, checkedAt: new Date(ensemble.checkedAt).toISOString(), servers, clients, hints: ensemble.hints, registry };
}

async function beeline(args: Args): Promise<unknown> {
  const shell = (flag(args, 'shell') ?? 'posix') as ShellKind;
  if (!SHELL_KINDS.includes(shell)) {
    throw new HiveZkError('BAD_ARGUMENT', `--shell must be one of ${SHELL_KINDS.join(', ')}.`);
  }
  let url = args.positional[0];
  if (url !== undefined) {
    for (const name of ['zk', 'namespace', 'instance', 'ha', 'timeout', 'hive-version']) {
      if (args.values[name] !== undefined) {
        throw new HiveZkError('BAD_ARGUMENT', `--${name} does not go with a JDBC URL: give either the URL or --zk and --namespace.`);
      }
    }
  } else {
    const zk = requireFlag(args, 'zk');
    const namespace = requireFlag(args, 'namespace');
    const znode = flag(args, 'instance');
    if (znode === undefined) {
      url = discoveryUrl(parseConnectString(zk), namespace, { ha: args.values.ha === true, driver: driverVersion(args) });
    } else {
      url = await withSession(zk, args, async (session) => {
        const instance = (await listAnyInstances(session, namespace, args.values.ha === true)).instances.find((i) => i.znode === znode || i.path === znode);
        if (!instance) {
          throw new HiveZkError('ZK_NO_NODE', `No instance ${preview(znode)} under /${preview(namespace)}.`);
        }
        return instanceUrl(instance);
      });
    }
  }
  const passwordFile = flag(args, 'password-file');
  if (passwordFile !== undefined && args.values['password-prompt'] === true) {
    throw new HiveZkError('BAD_ARGUMENT', 'Give --password-prompt or --password-file, not both.');
  }
  if (passwordFile !== undefined) {
    checkPasswordFile(passwordFile);
  }
  const password: PasswordSource = passwordFile !== undefined ? { kind: 'file', path: passwordFile } : args.values['password-prompt'] === true ? { kind: 'prompt' } : { kind: 'none' };
  const user = flag(args, 'user');
  const command = buildBeelineCommand({ url, password, ...(user !== undefined ? { user } : {}) });
  return { url, shell, argv: command.argv, command: command.display(shell) };
}

/**
 * The file must hold a password beeline reads back unchanged: it trims the file (Java's trim: code
 * points up to U+0020) and re-splits the password in its !connect line. Its content is never echoed.
 */
function checkPasswordFile(path: string): void {
  let content: string;
  try {
    if (statSync(path).size > 4096) {
      throw new HiveZkError('BAD_ARGUMENT', `The password file ${preview(path)} is larger than 4 KB; it is not a password file.`);
    }
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw error instanceof HiveZkError ? error : new HiveZkError('BAD_ARGUMENT', `Cannot read the password file ${preview(path)} (beeline could not either).`);
  }
  checkPasswordForFile(content.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, ''));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv[0] === 'help') {
    process.stdout.write(USAGE);
    process.exitCode = argv.length === 0 ? 2 : 0;
    return;
  }
  let output: unknown;
  let exitCode = 0;
  try {
    output = await runCommand(argv);
  } catch (error) {
    const failure = toHiveZkError(error);
    output = { error: { code: failure.code, message: failure.message } };
    exitCode = failure.code === 'BAD_ARGUMENT' ? 2 : 1;
  }
  // Exit as soon as the answer is out: the ZooKeeper library can leave timers behind a closed client.
  // Znode text is printed with invisible characters (bidi overrides, C1 controls…) escaped, like everywhere else.
  const json = JSON.stringify(output, (_key, value: unknown) => (typeof value === 'string' ? escapeInvisible(value) : value), 2);
  process.stdout.write(`${json}\n`, () => process.exit(exitCode));
}

if (require.main === module) {
  void main();
}
