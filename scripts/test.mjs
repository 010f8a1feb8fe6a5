// npm test: from a fresh clone to the whole suite. Sets up what is missing (Debian and npm packages,
// quietly), then build, lint, unit, integration and extension tests, one progress line per step.
// Every temporary file of the run lives in one directory that is removed at the end.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { NEEDS, ROOT, build, ensureDebianPackages, ensureKerberosNative, ensureNpmPackages, shortTempDir, step } from './setup.mjs';

const say = (text) => console.log(`[test ${new Date().toISOString().slice(11, 19)}] ${text}`);
// Short, as Chromium and code-server put sockets in it (see shortTempDir).
const runTmp = shortTempDir('hzk-test-');
// The registry doctor probes loopback only in every test process (HIVEZK_PROBE_LOOPBACK_ONLY).
const env = { ...process.env, TMPDIR: runTmp, HIVEZK_PROBE_LOOPBACK_ONLY: '1' };

/** Runs one step with its output shown (test reports are the point of this command). */
function visible(command, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code})`))));
  });
}

const cleanUp = () => rmSync(runTmp, { recursive: true, force: true });
process.once('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

async function main() {
  await ensureDebianPackages(say, NEEDS.test);
  await ensureNpmPackages(say);
  await ensureKerberosNative(say);
  await build(say);
  await step(say, 'lint', () => visible('npm', ['run', '--silent', 'lint']));
  await step(say, 'unit tests', () => visible('npm', ['run', '--silent', 'test:unit']));
  await step(say, 'integration tests (real ZooKeeper)', () => visible('npm', ['run', '--silent', 'test:integration']));
  await step(say, 'extension tests (real VS Code)', () => visible('npm', ['run', '--silent', 'test:extension']));
}

main().then(
  () => {
    cleanUp();
    say('all passed');
  },
  (error) => {
    cleanUp();
    console.error(`[test] ${error.message}`);
    process.exit(1);
  },
);
