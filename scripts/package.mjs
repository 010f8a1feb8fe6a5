// npm run package: the production bundle, then two VSIXs — a universal one (Kerberos through VS Code's
// own module) and one for this machine's platform that carries the native `kerberos` package it built
// (`-- --universal-only`: the first alone).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './setup.mjs';

/** vsce's target name of this machine, as src/core/zk/auth/kerberosModule.ts's platformTarget. */
const target = `${process.platform}-${process.arch === 'arm' ? 'armhf' : process.arch}`;
const KERBEROS = join(ROOT, 'node_modules', 'kerberos');
const NATIVE = join(KERBEROS, 'build', 'Release', 'kerberos.node');
/** What the package needs at run time: its entry, its loader and the binary (node-gyp's objects stay out). */
const KERBEROS_FILES = ['node_modules/kerberos/package.json', 'node_modules/kerberos/LICENSE', 'node_modules/kerberos/lib/**', 'node_modules/kerberos/build/Release/kerberos.node'];

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** `dependencies`: let vsce walk the installed production packages (the ignore file keeps only kerberos's run-time files). */
const vsce = (args, { dependencies = false } = {}) => run(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), ...args, ...(dependencies ? [] : ['--no-dependencies'])]);
const PACKAGE_FLAGS = ['--allow-missing-repository', '--no-rewrite-relative-links'];
const size = (file) => `${Math.round(statSync(file).size / 1024)} KB`;

function main() {
  const platform = `hive-zookeeper-explorer-${target}.vsix`;
  // A platform VSIX of an earlier run must not pass for this one's.
  rmSync(join(ROOT, platform), { force: true });
  run(process.execPath, ['esbuild.mjs', '--production']);
  const universal = 'hive-zookeeper-explorer.vsix';
  vsce(['package', ...PACKAGE_FLAGS, '--out', universal]);
  console.log(`${universal} (universal: Kerberos through VS Code's own module) — ${size(join(ROOT, universal))}`);
  if (process.argv.includes('--universal-only')) {
    return;
  }

  if (!existsSync(NATIVE)) {
    // The optional package may have been skipped by npm (no libkrb5-dev then): try once more now.
    spawnSync('npm', ['rebuild', 'kerberos'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000, env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? (existsSync('/usr/include/node') ? '/usr' : undefined) } });
  }
  if (!existsSync(NATIVE)) {
    // The universal VSIX stands on its own; say plainly what is missing and why.
    console.warn(`no ${target} VSIX: node_modules/kerberos/build/Release/kerberos.node is missing (on Linux install libkrb5-dev, then \`npm rebuild kerberos\`). Only the universal VSIX was made.`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-package-'));
  try {
    const ignoreFile = join(dir, 'vscodeignore');
    writeFileSync(ignoreFile, `${readFileSync(join(ROOT, '.vscodeignore'), 'utf8')}\n${KERBEROS_FILES.map((f) => `!${f}`).join('\n')}\n`);
    const listed = vsce(['ls', '--ignoreFile', ignoreFile], { dependencies: true }).split('\n');
    for (const needed of ['node_modules/kerberos/package.json', 'node_modules/kerberos/lib/index.js', 'node_modules/kerberos/build/Release/kerberos.node']) {
      if (!listed.includes(needed)) {
        throw new Error(`the ${target} VSIX would lack ${needed}`);
      }
    }
    vsce(['package', ...PACKAGE_FLAGS, '--target', target, '--ignoreFile', ignoreFile, '--out', platform], { dependencies: true });
    console.log(`${platform} (${target}, with its own Kerberos module) — ${size(join(ROOT, platform))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(`[package] ${error.message}`);
  process.exit(1);
}
