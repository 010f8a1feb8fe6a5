// The hive-zk command table: each command's options, positionals and the module that runs it,
// the usage text, and the one parser that refuses anything a command does not take.

import { parseArgs as parseNodeArgs } from 'node:util';
import { DEFAULT_DRIVER_VERSION } from '../core/jdbc/driverVersions';
import { HiveZkError, preview } from '../core/errors';
import { SECURITY_BOOLEAN_FLAGS, SECURITY_USAGE, SECURITY_VALUE_FLAGS } from './security';
import { MAX_TIMEOUT_MS, type Args } from './args';
import { EXIT_CODES_USAGE } from './exitCodes';
import { didYouMean } from './suggest';
import { beeline } from './beeline';
import { health } from './health';
import { locks } from './locks';
import { instances, namespaces } from './registry';
import { parseUrl, resolve } from './urls';

/**
 * A command whose module is loaded when it runs: a cold start parses and evaluates only what it
 * uses (the configuration files bring the XML parser, a file of its own next to dist/cli.js).
 */
function later<M>(load: () => Promise<M>, name: { [K in keyof M]: M[K] extends (args: Args) => unknown ? K : never }[keyof M]): (args: Args) => Promise<unknown> {
  return async (args) => ((await load())[name] as (args: Args) => unknown)(args);
}
const ensemblesFrom = later(() => import('./configFiles'), 'ensemblesFrom');
const beelineSiteEntry = later(() => import('./configFiles'), 'beelineSiteEntry');
const doctor = later(() => import('./doctor'), 'doctor');
const watch = later(() => import('./watch'), 'watch');

/** Options every command takes. */
const COMMON_USAGE = `  --json           print JSON even on a terminal (piped or redirected, every command prints JSON)
  --help           this command's usage (also: hive-zk help <command>)
`;

/** Options of the commands that talk to ZooKeeper. */
const ZK_USAGE = `  --zk <connect string>  host:port[,host:port…][/chroot]
  --timeout <ms>   connect and request timeout, 1-${MAX_TIMEOUT_MS} (default 10000)
  A digest credential "user:password" is read from the HIVEZK_DIGEST environment variable.
${SECURITY_USAGE}`;

const HIVE_VERSION_USAGE = `  --hive-version v the Hive JDBC driver to answer for: 2, 3, 4.0 or 4.1+ (default ${DEFAULT_DRIVER_VERSION})
`;

export const USAGE = `hive-zk — HiveServer2 discovery and Hive locks in ZooKeeper
Tables on a terminal; JSON when piped or with --json.

  hive-zk parse-url <jdbc-url> [--hive-version v]
  hive-zk resolve <jdbc-url> [--pick-only] [--hive-version v] [--compare-versions]
  hive-zk namespaces --zk <connect string>
  hive-zk instances --zk <connect string> [--namespace ns] [--ha | --llap | --metastore]
                    (LLAP namespaces llap-*, Kyuubi servers and engine spaces, and hive_metastore are recognised by name)
  hive-zk ensembles-from <hive-site.xml | beeline-site.xml | beeline-hs2-connection.xml>
  hive-zk beeline-site-entry <name> <jdbc-url> [--default]
  hive-zk locks --zk <connect string> [--namespace ns] [--db d [--table t]]
  hive-zk health --zk <connect string> [--namespace lock-ns] [--admin-port p]
  hive-zk doctor <jdbc-url> [--hive-version v] [--probe-timeout ms] [--ssl-ca FILE] [--json]
  hive-zk doctor --zk <connect string> [--namespace ns] [--probe-timeout ms] [--ssl-ca FILE] [--json]
                  probes every registered endpoint (at most 16 at once) and checks the registry's hygiene;
                  exit 1 when a finding is an error. HIVEZK_PROBE_LOOPBACK_ONLY=1 probes loopback only;
                  the --ssl-ca password (PKCS12/JKS) is read from HIVEZK_SSL_CA_PASSWORD.
  hive-zk watch --zk <connect string> [--namespace ns]... [--locks lock-namespace] [--for seconds]
                (JSON lines: a ready line, then registrations, locks and blocked queries as they happen)
  hive-zk beeline (<jdbc-url> | --zk <connect string> --namespace ns [--instance znode] [--ha])
                  [--user u] [--shell posix|pwsh|cmd] [--password-prompt | --password-file FILE]
  hive-zk help [command]            a command's usage and options
  hive-zk completion bash|zsh       shell completion: eval "$(hive-zk completion bash)"

${COMMON_USAGE}${HIVE_VERSION_USAGE}  --timeout <ms>   connect and request timeout, 1-${MAX_TIMEOUT_MS} (default 10000)
  A digest credential "user:password" is read from the HIVEZK_DIGEST environment variable.
  Passwords never go on beeline's command line: it prompts for them (--password-prompt) or reads a file.
${SECURITY_USAGE}
${EXIT_CODES_USAGE}`;

interface Command {
  /** `multiple`: the option may be given more than once (any other repeated option is refused). */
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  positionals: string[];
  /** The command's synopsis and what it prints, for `hive-zk help <command>`. */
  usage: string;
  /** Option help beyond the common options. */
  optionUsage?: string;
  run(args: Args): unknown;
}

/** TLS and SASL options of every command that talks to ZooKeeper (security.ts). */
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
const ADMIN_PORT_USAGE = '  --admin-port p   the servers\' AdminServer port, asked where `cons` is not whitelisted (default 8080)\n';

/** Each command's options and positionals; anything else is refused rather than silently ignored. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  'parse-url': {
    options: { 'hive-version': { type: 'string' } },
    positionals: ['the JDBC URL'],
    usage: 'hive-zk parse-url <jdbc-url> [--hive-version v]\n\nWhat the Hive JDBC driver reads from the URL (secrets masked), and its quirks. Prints JSON.\n',
    optionUsage: HIVE_VERSION_USAGE,
    run: parseUrl,
  },
  resolve: {
    options: { 'pick-only': { type: 'boolean' }, timeout: { type: 'string' }, 'hive-version': { type: 'string' }, 'compare-versions': { type: 'boolean' }, ...SECURITY_OPTIONS },
    positionals: ['the JDBC URL'],
    usage: 'hive-zk resolve <jdbc-url> [--pick-only] [--hive-version v] [--compare-versions]\n\nA discovery URL to the concrete servers, and the one the driver picks.\n',
    optionUsage: `  --pick-only      read just the instance the driver picks (two round trips whatever the namespace size)\n  --compare-versions  how each Hive driver version reads the URL\n${HIVE_VERSION_USAGE}  --timeout <ms>   connect and request timeout, 1-${MAX_TIMEOUT_MS} (default 10000)\n${SECURITY_USAGE}`,
    run: resolve,
  },
  namespaces: { options: ZK_OPTIONS, positionals: [], usage: 'hive-zk namespaces --zk <connect string>\n\nThe top-level znodes and what each holds.\n', optionUsage: ZK_USAGE, run: namespaces },
  instances: {
    options: { ...HEALTH_OPTIONS, namespace: { type: 'string' }, ha: { type: 'boolean' }, llap: { type: 'boolean' }, metastore: { type: 'boolean' } },
    positionals: [],
    usage:
      'hive-zk instances --zk <connect string> [--namespace ns] [--ha | --llap | --metastore]\n\nThe registrations under a namespace (default hiveserver2; --ha: hs2ActivePassiveHA; --metastore: hive_metastore;\n--llap needs --namespace). LLAP namespaces llap-*, Kyuubi servers and engine spaces are recognised by name.\n',
    optionUsage: ADMIN_PORT_USAGE + ZK_USAGE,
    run: instances,
  },
  'ensembles-from': {
    options: {},
    positionals: ['the configuration file'],
    usage: 'hive-zk ensembles-from <hive-site.xml | beeline-site.xml | beeline-hs2-connection.xml>\n\nThe ensembles and settings a Hive or beeline configuration file names. Prints JSON.\n',
    run: ensemblesFrom,
  },
  'beeline-site-entry': {
    options: { default: { type: 'boolean' } },
    positionals: ['the name', 'the JDBC URL'],
    usage: 'hive-zk beeline-site-entry <name> <jdbc-url> [--default]\n\nThe beeline-site.xml property for `beeline -c <name>`. Prints JSON.\n',
    optionUsage: '  --default        also make it beeline\'s default connection\n',
    run: beelineSiteEntry,
  },
  locks: {
    options: { ...HEALTH_OPTIONS, namespace: { type: 'string' }, db: { type: 'string' }, table: { type: 'string' } },
    positionals: [],
    usage: 'hive-zk locks --zk <connect string> [--namespace ns] [--db d [--table t]]\n\nHive\'s locks (hive.zookeeper.namespace, default hive_zookeeper_namespace): who holds or waits, and the UNLOCK statement.\n',
    optionUsage: ADMIN_PORT_USAGE + ZK_USAGE,
    run: locks,
  },
  health: {
    options: { ...HEALTH_OPTIONS, namespace: { type: 'string' } },
    positionals: [],
    usage: 'hive-zk health --zk <connect string> [--namespace lock-ns] [--admin-port p]\n\nEach server\'s state, connections by client, and who holds the registrations and locks.\nExits 3 when a server is down or out of quorum, 4 when none answers.\n',
    optionUsage: ADMIN_PORT_USAGE + ZK_USAGE,
    run: health,
  },
  doctor: {
    options: { ...ZK_OPTIONS, namespace: { type: 'string' }, 'hive-version': { type: 'string' }, 'probe-timeout': { type: 'string' }, 'ssl-ca': { type: 'string' } },
    positionals: ['the JDBC URL (or --zk)'],
    usage:
      'hive-zk doctor <jdbc-url> [--hive-version v] [--probe-timeout ms] [--ssl-ca FILE]\nhive-zk doctor --zk <connect string> [--namespace ns] [--probe-timeout ms] [--ssl-ca FILE]\n\nProbes every registered endpoint (at most 16 at once) and checks the registry\'s hygiene.\nExits 1 when a finding is an error.\n',
    optionUsage: `  --probe-timeout <ms>  each probe's limit (default 3000)\n  --ssl-ca FILE    extra CA for SSL endpoints: PEM, PKCS12 or JKS (password: env HIVEZK_SSL_CA_PASSWORD)\n  HIVEZK_PROBE_LOOPBACK_ONLY=1 probes loopback addresses only (the rest are skipped, nothing sent)\n${HIVE_VERSION_USAGE}${ZK_USAGE}`,
    run: doctor,
  },
  watch: {
    options: { ...ZK_OPTIONS, namespace: { type: 'string', multiple: true }, locks: { type: 'string' }, for: { type: 'string' } },
    positionals: [],
    usage:
      'hive-zk watch --zk <connect string> [--namespace ns]... [--locks lock-namespace] [--for seconds]\n\nJSON lines until --for elapses or Ctrl-C: a ready line, then registrations, locks and blocked queries as they happen.\n',
    optionUsage: ZK_USAGE,
    run: watch,
  },
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
    usage:
      'hive-zk beeline (<jdbc-url> | --zk <connect string> --namespace ns [--instance znode] [--ha])\n                [--user u] [--shell posix|pwsh|cmd] [--password-prompt | --password-file FILE]\n\nThe beeline command line for a URL or a registered instance (on a terminal: just the line).\nPasswords never go on beeline\'s command line: it prompts for them (--password-prompt) or reads a file.\n',
    optionUsage: HIVE_VERSION_USAGE + ZK_USAGE,
    run: beeline,
  },
};

/** Words `hive-zk` takes first that are not commands of the table. */
export const META_COMMANDS = ['help', 'completion'] as const;

/** Options every command takes (handled by the CLI's output, not by the command). */
const COMMON_OPTIONS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function commandSpec(name: string): Command | undefined {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/** One command's usage: synopsis, its own options, the common ones, and the exit codes. */
export function commandUsage(name: string): string | undefined {
  const spec = commandSpec(name);
  return spec ? `${spec.usage}\n${spec.optionUsage ?? ''}${COMMON_USAGE}\n${EXIT_CODES_USAGE}` : undefined;
}

/** Every option a command takes, with its leading dashes (for suggestions and shell completion). */
export function optionNames(name: string): string[] {
  const spec = commandSpec(name);
  return spec ? [...Object.keys(spec.options), ...Object.keys(COMMON_OPTIONS)].map((o) => `--${o}`) : [];
}

export function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (command === undefined) {
    throw new HiveZkError('BAD_ARGUMENT', 'No command given.');
  }
  const spec = commandSpec(command);
  if (!spec) {
    throw new HiveZkError('BAD_ARGUMENT', `Unknown command "${preview(command, 40)}".${didYouMean(command, [...Object.keys(COMMANDS), ...META_COMMANDS])} (see hive-zk --help)`);
  }
  if (rest.includes('--password-env')) {
    throw new HiveZkError('BAD_ARGUMENT', '--password-env is gone: a password on beeline\'s command line is visible to every user (ps). Use --password-prompt or --password-file.');
  }
  let parsed;
  try {
    parsed = parseNodeArgs({ args: [...rest], options: { ...spec.options, ...COMMON_OPTIONS }, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-[^'\s]*)'/.exec(error instanceof Error ? error.message : '')?.[1] : undefined;
    if (unknown !== undefined) {
      throw new HiveZkError('BAD_ARGUMENT', `Unknown option '${preview(unknown, 40)}' for ${command}.${didYouMean(unknown.split('=')[0] ?? unknown, optionNames(command))} (see hive-zk help ${command})`);
    }
    throw new HiveZkError('BAD_ARGUMENT', `${preview(error instanceof Error ? error.message : String(error), 200)} (see hive-zk help ${command}).`);
  }
  // util.parseArgs keeps the last of a repeated option; which one was meant is not ours to guess.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind === 'option' && spec.options[token.name]?.multiple !== true) {
      if (seen.has(token.name)) {
        throw new HiveZkError('BAD_ARGUMENT', `--${preview(token.name, 40)} is given more than once.`);
      }
      seen.add(token.name);
    }
  }
  for (const [name, value] of Object.entries(parsed.values as Record<string, unknown>)) {
    if (value === '' || (Array.isArray(value) && value.includes(''))) {
      throw new HiveZkError('BAD_ARGUMENT', `--${preview(name, 40)} needs a non-empty value.`);
    }
  }
  if (parsed.positionals.length > spec.positionals.length) {
    throw new HiveZkError('BAD_ARGUMENT', `Unexpected argument "${preview(parsed.positionals[spec.positionals.length], 60)}" for ${command}.`);
  }
  return { command, positional: parsed.positionals, values: parsed.values };
}

export async function runCommand(argv: readonly string[]): Promise<unknown> {
  return runParsed(parseArgs(argv));
}

export async function runParsed(args: Args): Promise<unknown> {
  const command = commandSpec(args.command);
  if (!command) {
    throw new HiveZkError('BAD_ARGUMENT', `Unknown command "${preview(args.command, 40)}".`);
  }
  return await command.run(args);
}
