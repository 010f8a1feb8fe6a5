// Runs the built hive-zk CLI (dist/cli.js) as a user would, with extra environment variables.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface CliResult {
  code: number;
  json: Record<string, unknown>;
  /** stdout + stderr, to check that no secret is printed. */
  output: string;
  ms: number;
}

export async function hiveZk(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { env: { ...process.env, ...env, HIVEZK_PROBE_LOOPBACK_ONLY: '1' } });
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown>, output: stdout + stderr, ms: Date.now() - started };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, json: JSON.parse(failure.stdout) as Record<string, unknown>, output: failure.stdout + failure.stderr, ms: Date.now() - started };
  }
}

/** The error code of a failed run's JSON, if any. */
export const errorCode = (result: CliResult): unknown => (result.json.error as { code?: string } | undefined)?.code;
