// hive-zk: the core's twin for terminals and scripts. On a terminal commands print tables; piped
// or with --json they print JSON, and {"error":{"code","message"}} on failure. Exit codes are in
// src/cli/exitCodes.ts; the commands are in src/cli/, listed in src/cli/commands.ts.

import { terminalOf } from './cli/format/terminal';
import { runCli } from './cli/main';

async function main(): Promise<void> {
  let code = 0;
  // Exit as soon as the answer is out: the ZooKeeper library can leave timers behind a closed client.
  const exit = (): never => process.exit(code);
  // A reader that goes away (`| head -1`) ends the run quietly: nothing more is worth writing.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') {
        exit();
      }
      throw error;
    });
  }
  const result = await runCli(process.argv.slice(2), terminalOf(process.stdout, process.env));
  code = result.code;
  if (result.stderr !== '') {
    process.stderr.write(result.stderr);
  }
  process.stdout.write(result.stdout, exit);
}

if (require.main === module) {
  void main();
}
