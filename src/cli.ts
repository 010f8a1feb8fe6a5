// hive-zk: the core's twin for terminals and scripts. Every command prints JSON on stdout and
// exits 0, or prints {"error":{"code","message"}} and exits 1 (2 for bad usage). The commands
// themselves are in src/cli/, listed in src/cli/commands.ts.

import { toHiveZkError } from './core/errors';
import { escapeInvisible } from './core/untrusted';
import { runCommand, USAGE } from './cli/commands';
import { STREAMED } from './cli/watch';

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
  // A streaming command (watch) has written its lines already.
  process.stdout.write(output === STREAMED ? '' : `${json}\n`, () => process.exit(exitCode));
}

if (require.main === module) {
  void main();
}
