// A fake beeline that records the argv it is run with, for executing generated POSIX command lines
// under real shells; its directory is removed by dispose().
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeBeeline {
  dir: string;
  /** Runs `line` with `shell -c` (beeline found on PATH) and returns the argv beeline received. */
  run: (shell: string, line: string) => string[];
  dispose: () => void;
}

export function fakeBeeline(): FakeBeeline {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-beeline-'));
  const script = join(dir, 'beeline');
  writeFileSync(script, `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "${dir}/argv"\n`);
  chmodSync(script, 0o755);
  return {
    dir,
    run(shell, line) {
      rmSync(join(dir, 'argv'), { force: true });
      // Own HOME and no stdin: bash must not read a .bashrc (Debian's bash does when stdin is a socket).
      execFileSync(shell, ['-c', line], { cwd: dir, env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
      return readFileSync(join(dir, 'argv'), 'utf8').split('\0').slice(0, -1);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
