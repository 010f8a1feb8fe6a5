// One hive-zk run, from the command line to what is printed and the exit code: usage and help,
// the command, then a table for a person on a terminal or JSON for a script. Nothing here touches
// process, so tests run it with any terminal.

import { STREAMED } from './args';
import { commandUsage, COMMANDS, parseArgs, runParsed, USAGE } from './commands';
import { completionScript } from './completion';
import { EXIT, healthExitCode } from './exitCodes';
import type { Terminal } from './format/terminal';
import { jsonText } from './json';
import { didYouMean } from './suggest';
import { errorView, VIEWS } from './views';
import type { DoctorReport } from '../core/doctor/doctor';
import { HiveZkError, preview, toHiveZkError } from '../core/errors';

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Help and completion: answered without running a command. Undefined for anything else. */
function metaCommand(argv: readonly string[]): CliResult | undefined {
  const [first, second] = argv;
  if (first === undefined) {
    return { stdout: USAGE, stderr: '', code: EXIT.usage };
  }
  if (first === 'completion') {
    return { stdout: completionScript(second), stderr: '', code: EXIT.ok };
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    if (second === undefined) {
      return { stdout: USAGE, stderr: '', code: EXIT.ok };
    }
    const usage = commandUsage(second);
    if (usage === undefined) {
      throw new HiveZkError('BAD_ARGUMENT', `No command "${preview(second, 40)}".${didYouMean(second, Object.keys(COMMANDS))} (see hive-zk --help)`);
    }
    return { stdout: usage, stderr: '', code: EXIT.ok };
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    return { stdout: commandUsage(first) ?? USAGE, stderr: '', code: EXIT.ok };
  }
  return undefined;
}

export async function runCli(argv: readonly string[], terminal: Terminal): Promise<CliResult> {
  let json = !terminal.tty || argv.includes('--json');
  try {
    const meta = metaCommand(argv);
    if (meta) {
      return meta;
    }
    const args = parseArgs(argv);
    json ||= args.values.json === true;
    const output = await runParsed(args);
    if (output === STREAMED) {
      // watch has written its JSON lines as they came.
      return { stdout: '', stderr: '', code: EXIT.ok };
    }
    const code = args.command === 'health' ? healthExitCode(output as Record<string, unknown>) : args.command === 'doctor' ? (await import('../core/doctor/doctor')).doctorExitCode(output as DoctorReport) : EXIT.ok;
    const view = VIEWS[args.command];
    return { stdout: json || !view ? `${jsonText(output)}\n` : view(output as Record<string, unknown>, terminal), stderr: '', code };
  } catch (error) {
    const failure = toHiveZkError(error);
    const code = failure.code === 'BAD_ARGUMENT' ? EXIT.usage : EXIT.failed;
    if (json) {
      return { stdout: `${jsonText({ error: { code: failure.code, message: failure.message } })}\n`, stderr: '', code };
    }
    return { stdout: '', stderr: errorView({ code: failure.code, message: failure.message }, terminal), code };
  }
}

