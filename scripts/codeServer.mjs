// code-server (VS Code in the browser, from npm) for the demo and the extension tests: installed once
// into .vscode-test/ (offline-capable: ripgrep comes from Debian), started on 127.0.0.1 with its own
// user-data and extensions dirs, stopped by its PID.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runQuiet, step } from './setup.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_VERSION = '4.100.3'; // = VS Code 1.100.3, runs on the system Node 20

/**
 * Installs code-server once (quietly: its native-module build output is shown only on failure) and
 * resolves to its binary. Asynchronous, so a caller's ZooKeeper session keeps its heartbeats.
 */
export async function ensureCodeServer(log = console.log) {
  const dir = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  if (existsSync(bin)) {
    return bin;
  }
  if (!existsSync('/usr/bin/rg')) {
    throw new Error('ripgrep is needed to install code-server offline. On Debian: sudo apt-get install -y ripgrep');
  }
  rmSync(dir, { recursive: true, force: true });
  const tmp = join(dir, 'tmp');
  const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  mkdirSync(join(dir, 'rg'), { recursive: true });
  copyFileSync('/usr/bin/rg', join(dir, 'rg', 'rg'));
  execFileSync('tar', ['czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', join(dir, 'rg'), 'rg']);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'code-server-for-hive-zk', private: true }));
  await step(log, `installing code-server ${CODE_SERVER_VERSION} into .vscode-test/ (once, a few minutes)`, () =>
    runQuiet('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--foreground-scripts', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: dir,
      env: { ...process.env, TMPDIR: tmp, npm_config_yes: 'true', npm_config_unsafe_perm: 'true', npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' },
    }),
  );
  rmSync(tmp, { recursive: true, force: true });
  if (!existsSync(bin)) {
    throw new Error('code-server install finished but its binary is missing');
  }
  return bin;
}

/** Workbench settings without first-run noise, plus the given extension settings. */
export function workbenchSettings(extra) {
  return {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    ...extra,
  };
}

/**
 * code-server asks its extension gallery (open-vsx.org) for updates and recommendations: pointed at a
 * closed loopback port instead, so nothing this project starts looks up or reaches another host.
 */
const LOOPBACK_GALLERY = { EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/vscode/gallery', itemUrl: 'http://127.0.0.1:9/vscode/item', resourceUrlTemplate: 'http://127.0.0.1:9/{publisher}/{name}/{version}/{path}' }) };

export async function installExtension(bin, state, vsix) {
  await runQuiet(bin, ['--extensions-dir', join(state, 'ext'), '--user-data-dir', join(state, 'user'), '--install-extension', vsix], { env: { ...process.env, ...LOOPBACK_GALLERY } });
}

/** Starts code-server; resolves once /healthz answers. The returned child is killed by PID. */
/** `workspaceTrust: true` starts it with workspace trust on (for the untrusted-workspace tests); off otherwise. */
export async function startCodeServer(bin, state, port, { env = {}, settings = workbenchSettings({}), workspaceTrust = false } = {}) {
  mkdirSync(join(state, 'user', 'User'), { recursive: true });
  mkdirSync(join(state, 'ext'), { recursive: true });
  writeFileSync(join(state, 'user', 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const child = spawn(
    bin,
    ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--user-data-dir', join(state, 'user'), '--extensions-dir', join(state, 'ext'), '--disable-telemetry', '--disable-update-check', ...(workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override'],
    { env: { ...process.env, ...LOOPBACK_GALLERY, ...env, XDG_CONFIG_HOME: join(state, 'cfg'), XDG_DATA_HOME: join(state, 'data') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = [];
  child.stdout.on('data', (d) => output.push(d));
  child.stderr.on('data', (d) => output.push(d));
  for (let i = 0; i < 120; i += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) {
        return child;
      }
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) {
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error(`code-server did not start:\n${Buffer.concat(output).toString().slice(-3000)}`);
}
