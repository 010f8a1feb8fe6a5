// A small sequential test runner for the extension host (no test framework to ship): tests are
// registered at import, run in order with a timeout each, and reported to the console and to the
// file named by HIVEZK_TEST_RESULTS, ending with the plain "N passed, N failed" line.
// HIVEZK_TEST_GREP runs only the tests whose names contain one of its "|"-separated parts.
import { appendFileSync } from 'node:fs';

interface Case {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
  /** What the test starts from (the fixture set when it was registered), run inside its timeout. */
  setUp: (() => Promise<unknown>) | undefined;
}

const cases: Case[] = [];
let setUp: (() => Promise<unknown>) | undefined;

export function test(name: string, fn: () => Promise<void> | void, timeoutMs = 60_000): void {
  cases.push({ name, fn, timeoutMs, setUp });
}

/** Every test registered from now on starts by running `fixture`: none depends on what ran before it. */
export function eachTestStartsWith(fixture: () => Promise<unknown>): void {
  setUp = fixture;
}

function report(line: string): void {
  console.log(line);
  const file = process.env.HIVEZK_TEST_RESULTS;
  if (file) {
    appendFileSync(file, `${line}\n`);
  }
}

export async function runRegistered(): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  // HIVEZK_TEST_GREP (substrings of test names, "|" between them) runs a subset while iterating on one area.
  const only = (process.env.HIVEZK_TEST_GREP ?? '').split('|').filter(Boolean);
  for (const c of cases.filter((t) => only.length === 0 || only.some((part) => t.name.includes(part)))) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve()
          .then(c.setUp)
          .then(c.fn),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs);
        }),
      ]);
      passed += 1;
      report(`ok - ${c.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      report(`not ok - ${c.name} (${Date.now() - started} ms)\n    ${error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 6).join('\n    ') : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  report(`${passed} passed, ${failed} failed`);
  return { passed, failed };
}
