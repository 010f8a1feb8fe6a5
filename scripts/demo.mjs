// npm run demo: from a fresh clone to VS Code showing the extension over a realistic Hive cluster.
// Installs what it needs, builds, starts the seeded sandbox ZooKeeper (with an instance coming and
// going every 5 s), packages the VSIX and opens VS Code with it: desktop `code` in a throw-away
// profile when present, otherwise code-server on 127.0.0.1. Ctrl-C stops all of it, by PID.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureCodeServer, installExtension, startCodeServer, workbenchSettings } from './codeServer.mjs';
import { NEEDS, build, ensureDebianPackages, ensureKerberosNative, ensureNpmPackages, runQuiet, step } from './setup.mjs';

const say = (text) => console.log(`[demo] ${text}`);
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

async function main() {
  const desktop = has('code') && process.env.HIVEZK_DEMO_CODE_SERVER !== '1';
  // Everything slow happens before the sandbox starts, and nothing after it blocks the event loop:
  // the sandbox's ZooKeeper session must keep its heartbeats or its registrations vanish.
  await ensureDebianPackages(say, desktop ? NEEDS.demo : [...NEEDS.demo, ...NEEDS.codeServer]);
  await ensureNpmPackages(say);
  await ensureKerberosNative(say);
  await build(say);
  await step(say, 'packaging the VSIX', () => runQuiet('npm', ['run', '--silent', 'package', '--', '--universal-only']));
  const vsix = join(ROOT, 'hive-zookeeper-explorer.vsix');
  const bin = desktop ? undefined : await ensureCodeServer(say);

  // The registry doctor probes loopback only here: the sandbox's *.example.com hosts read "skipped: loopback-only".
  process.env.HIVEZK_PROBE_LOOPBACK_ONLY = '1';
  const require = createRequire(import.meta.url);
  const { startSandbox } = require(join(ROOT, 'out/test/support/sandbox.js'));
  const { freePort } = require(join(ROOT, 'out/test/support/zkServer.js'));
  const sandbox = await startSandbox({ live: true, onError: (m) => say(m) });
  say(`sandbox ZooKeeper on ${sandbox.connectString}`);
  say(`  discovery URL: ${sandbox.discoveryUrl}`);

  const state = mkdtempSync(join(tmpdir(), 'hivezk-demo-'));
  const workspace = join(state, 'workspace');
  mkdirSync(workspace, { recursive: true });
  // The marker activates the extension in this workspace only; HIVEZK_DEMO=1 (below) makes it show its view.
  writeFileSync(join(workspace, '.hivezk-demo'), 'Marks the npm run demo workspace: the Hive ZooKeeper view opens here.\n');
  writeFileSync(join(workspace, 'README.txt'), `The Hive ZooKeeper view is in the activity bar.\nSandbox ensemble: ${sandbox.connectString}\nTry "Hive ZooKeeper: Resolve JDBC URL…" with:\n${sandbox.discoveryUrl}\n`);
  const settings = workbenchSettings({ 'hiveZk.ensembles': [{ name: 'sandbox', connectString: sandbox.connectString }], 'hiveZk.doctor.loopbackOnly': true });
  let editor;
  const children = [];

  if (!bin) {
    // Desktop VS Code with its own profile, so your settings and extensions are left alone.
    const profile = ['--user-data-dir', join(state, 'user'), '--extensions-dir', join(state, 'ext')];
    mkdirSync(join(state, 'user', 'User'), { recursive: true });
    writeFileSync(join(state, 'user', 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    await runQuiet('code', [...profile, '--install-extension', vsix]);
    editor = spawn('code', [...profile, '--wait', '--new-window', workspace], { stdio: 'ignore', env: { ...process.env, HIVEZK_DEMO: '1', HIVEZK_PROBE_LOOPBACK_ONLY: '1' } });
    say('opened desktop VS Code (a separate profile); close its window or press Ctrl-C to stop');
  } else {
    await installExtension(bin, state, vsix);
    const port = Number(process.env.HIVEZK_DEMO_PORT) || (await freePort());
    editor = await startCodeServer(bin, state, port, { settings, env: { HIVEZK_DEMO: '1', HIVEZK_PROBE_LOOPBACK_ONLY: '1' } });
    say(`VS Code (code-server) with the extension: http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    say('open that URL in a browser; press Ctrl-C here to stop everything');
  }
  children.push(editor);

  let stopping = false;
  const stop = async () => {
    if (stopping) {
      return;
    }
    stopping = true;
    say('stopping…');
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
      }
    }
    await sandbox.stop();
    rmSync(state, { recursive: true, force: true });
    say('stopped; nothing left running');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  editor.once('exit', () => void stop());
}

main().catch((error) => {
  console.error(`[demo] ${error.message}`);
  process.exit(1);
});
