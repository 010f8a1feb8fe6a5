// The set-up both README commands do for themselves on a fresh clone: Debian packages (installed
// when run as root, otherwise the one apt-get line to run is printed) and npm packages, quietly,
// with one progress line per long step and the captured output shown only on failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** Debian packages, each with the check that tells whether it is there. */
const PACKAGES = {
  java: { pkg: 'default-jre-headless', present: () => has('java') },
  zookeeper: { pkg: 'zookeeper', present: () => existsSync('/usr/share/java/zookeeper.jar') },
  chromium: { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') || existsSync('/usr/bin/chromium-browser') },
  fonts: { pkg: 'fonts-dejavu-core', present: () => existsSync('/usr/share/fonts/truetype/dejavu') },
  ripgrep: { pkg: 'ripgrep', present: () => existsSync('/usr/bin/rg') },
  // code-server's native modules are built on install.
  compiler: { pkg: 'build-essential', present: () => has('g++') && has('make') },
  python: { pkg: 'python3', present: () => has('python3') },
  pkgConfig: { pkg: 'pkg-config', present: () => has('pkg-config') },
  krb5: { pkg: 'libkrb5-dev', present: () => existsSync('/usr/include/krb5.h') || existsSync('/usr/include/krb5/krb5.h') },
  // The secure-ensemble tests: a real MIT KDC (the rig runs its own krb5kdc), kinit, and openssl
  // beside Java's keytool for the test certificates.
  kdc: { pkg: 'krb5-kdc', present: () => existsSync('/usr/sbin/krb5kdc') },
  kadmin: { pkg: 'krb5-admin-server', present: () => existsSync('/usr/sbin/kadmin.local') },
  kinit: { pkg: 'krb5-user', present: () => has('kinit') },
  openssl: { pkg: 'openssl', present: () => has('openssl') },
};

/** What each README command needs from Debian. */
export const NEEDS = {
  demo: ['java', 'zookeeper'],
  codeServer: ['ripgrep', 'compiler', 'python', 'pkgConfig', 'krb5'],
  test: ['java', 'zookeeper', 'chromium', 'fonts', 'ripgrep', 'compiler', 'python', 'pkgConfig', 'krb5', 'kdc', 'kadmin', 'kinit', 'openssl'],
};

/**
 * A fresh temporary directory whose path stays short. Chromium (its SingletonSocket) and VS Code (its
 * IPC sockets) put Unix sockets in TMPDIR, and a socket path longer than ~104 bytes is refused
 * ("Socket path too long"); a long TMPDIR (macOS, CI runners) would break the browser tests, so
 * such a run uses /tmp instead.
 */
export function shortTempDir(prefix) {
  const base = tmpdir().length <= 24 ? tmpdir() : '/tmp';
  return mkdtempSync(join(base, prefix));
}

/** Runs a command with its output captured; resolves when it ends, the event loop free meanwhile. */
export function runQuiet(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const output = [];
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      const text = Buffer.concat(output).toString();
      if (code === 0) {
        resolvePromise(text);
      } else {
        reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}); its last output:\n${text.split('\n').slice(-40).join('\n')}`));
      }
    });
  });
}

/** One line when a long step starts and one when it ends, with its duration. */
export async function step(say, title, work) {
  say(`${title}…`);
  const started = Date.now();
  const result = await work();
  say(`${title}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
}

export async function ensureDebianPackages(say, needs) {
  const missing = [...new Set(needs.filter((name) => !PACKAGES[name].present()).map((name) => PACKAGES[name].pkg))];
  if (missing.length === 0) {
    return;
  }
  const line = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    throw new Error(`Some system packages are missing. On Debian, run:\n  sudo ${line}\nthen run this command again.`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await step(say, `installing Debian packages (${missing.join(', ')}; a minute or two)`, async () => {
    await runQuiet('apt-get', ['update', '-qq'], { env });
    await runQuiet('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  });
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
export async function ensureNpmPackages(say) {
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(ROOT, 'package-lock.json')).mtimeMs) {
    return;
  }
  // The optional `kerberos` package builds from source: against the system's Node headers where
  // Debian ships them (node-gyp would otherwise try to download them).
  const env = nodeGypEnv();
  await step(say, 'installing npm packages (about a minute)', () => runQuiet('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { env }));
}

const nodeGypEnv = () => ({ ...process.env, ...(!process.env.npm_config_nodedir && existsSync('/usr/include/node') ? { npm_config_nodedir: '/usr' } : {}) });

/**
 * The optional native `kerberos` package: npm skips it silently when its build fails (say, before
 * libkrb5-dev was installed), so its binary is checked for — not timestamps — and built now that the
 * Debian packages are in. A failure is said once; everything that does not need Kerberos still runs.
 */
export async function ensureKerberosNative(say) {
  const dir = join(ROOT, 'node_modules', 'kerberos');
  if (existsSync(join(dir, 'build', 'Release', 'kerberos.node'))) {
    return true;
  }
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).optionalDependencies?.kerberos;
  const args = existsSync(join(dir, 'package.json')) ? ['rebuild', 'kerberos'] : ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `kerberos@${version}`];
  try {
    await step(say, 'building the native kerberos module', () => runQuiet('npm', args, { env: nodeGypEnv() }));
  } catch (error) {
    say(`the native kerberos module could not be built, so Kerberos (and the ${process.platform}-${process.arch} VSIX) will not work; everything else runs. ${error.message.split('\n')[0]}`);
    return false;
  }
  // npm may skip a failed build of an optional package and still exit 0.
  if (!existsSync(join(dir, 'build', 'Release', 'kerberos.node'))) {
    say(`the native kerberos module could not be built, so Kerberos (and the ${process.platform}-${process.arch} VSIX) will not work; everything else runs.`);
    return false;
  }
  return true;
}

export async function build(say) {
  await step(say, 'building', () => runQuiet('npm', ['run', '--silent', 'build']));
}
