// The hive-zk command table: each command's options, positionals and the module that runs it,
// the usage text, and the one parser that refuses anything a command does not take.

import { parseArgs as parseNodeArgs } from 'node:util';
import { DEFAULT_DRIVER_VERSION } from '../core/driverVersions';
import { HiveZkError, preview } from '../core/errors';
import { SECURITY_BOOLEAN_FLAGS, SECURITY_USAGE, SECURITY_VALUE_FLAGS } from '../cliSecurity';
import { MAX_TIMEOUT_MS, type Args } from './args';
import { beeline } from './beeline';
import { beelineSiteEntry, ensemblesFrom } from './configFiles';
import { health } from './health';
import { locks } from './locks';
import { instances, namespaces } from './registry';
import { parseUrl, resolve } from './urls';
import { watch } from './watch';

export const USAGE = `hive-zk — HiveServer2 discovery and Hive locks in ZooKeeper (JSON output)

  hive-zk parse-url <jdbc-url> [--hive-version v]
  hive-zk resolve <jdbc-url> [--pick-only] [--hive-version v] [--compare-versions]
  hive-zk namespaces --zk <connect string>
  hive-zk instances --zk <connect string> [--namespace ns] [--ha | --llap | --metastore]
                    (LLAP namespaces llap-*, Kyuubi servers and engine spaces, and hive_metastore are recognised by name)
  hive-zk ensembles-from <hive-site.xml | beeline-site.xml | beeline-hs2-connection.xml>
  hive-zk beeline-site-entry <name> <jdbc-url> [--default]
  hive-zk locks --zk <connect string> [--namespace ns] [--db d [--table t]]
  hive-zk health --zk <connect string> [--namespace lock-ns] [--admin-port p]
  hive-zk watch --zk <connect string> [--namespace ns]... [--locks lock-namespace] [--for seconds]
                (JSON lines: a ready line, then registrations, locks and blocked queries as they happen)
  hive-zk beeline (<jdbc-url> | --zk <connect string> --namespace ns [--instance znode] [--ha])
                  [--user u] [--shell posix|pwsh|cmd] [--password-prompt | --password-file FILE]

  --hive-version v the Hive JDBC driver to answer for: 2, 3, 4.0 or 4.1+ (default ${DEFAULT_DRIVER_VERSION})
  --timeout <ms>   connect and request timeout, 1-${MAX_TIMEOUT_MS} (default 10000)
  A digest credential "user:password" is read from the HIVEZK_DIGEST environment variable.
  Passwords never go on beeline's command line: it prompts for them (--password-prompt) or reads a file.
${SECURITY_USAGE}`;

interface Command {
  /** `multiple`: the option may be given more than once (any other repeated option is refused). */
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  positionals: string[];
  run(args: Args): unknown;
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
const COMMANDS: Record<string, Command> = {
  'parse-url': { options: { 'hive-version': { type: 'string' } }, positionals: ['the JDBC URL'], run: parseUrl },
  resolve: { options: { 'pick-only': { type: 'boolean' }, timeout: { type: 'string' }, 'hive-version': { type: 'string' }, 'compare-versions': { type: 'boolean' }, ...SECURITY_OPTIONS }, positionals: ['the JDBC URL'], run: resolve },
  namespaces: { options: ZK_OPTIONS, positionals: [], run: namespaces },
  instances: { options: { ...HEALTH_OPTIONS, namespace: { type: 'string' }, ha: { type: 'boolean' }, llap: { type: 'boolean' }, metastore: { type: 'boolean' } }, positionals: [], run: instances },
  'ensembles-from': { options: {}, positionals: ['the configuration file'], run: ensemblesFrom },
  'beeline-site-entry': { options: { default: { type: 'boolean' } }, positionals: ['the name', 'the JDBC URL'], run: beelineSiteEntry },
  locks: { options: { ...HEALTH_OPTIONS, namespace: { type: 'string' }, db: { type: 'string' }, table: { type: 'string' } }, positionals: [], run: locks },
  health: { options: { ...HEALTH_OPTIONS, namespace: { type: 'string' } }, positionals: [], run: health },
  watch: { options: { ...ZK_OPTIONS, namespace: { type: 'string', multiple: true }, locks: { type: 'string' }, for: { type: 'string' } }, positionals: [], run: watch },
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
    run: beeline,
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
    if (token.kind === 'option' && spec.options[token.name]?.multiple !== true) {
      if (seen.has(token.name)) {
        throw new HiveZkError('BAD_ARGUMENT', `--${preview(token.name, 40)} is given more than once.`);
      }
      seen.add(token.name);
    }
  }
  for (const [name, value] of Object.entries(parsed.values)) {
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
  const args = parseArgs(argv);
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, args.command) ? COMMANDS[args.command] : undefined;
  if (!command) {
    throw new HiveZkError('BAD_ARGUMENT', `Unknown command "${preview(args.command, 40)}".`);
  }
  return await command.run(args);
}
