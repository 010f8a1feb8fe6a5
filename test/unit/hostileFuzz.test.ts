// Generated hostile local input, run in a child process whose peak memory is checked: Hadoop XML
// property graphs through every configuration reader, and TLS "stores" as truststore and keystore.
// Every outcome is a result or a typed error (never the catch-all ZK_ERROR), within a hard time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RSS_MB, runHostile } from '../support/hostileRun';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const CASES = Number(process.env.HOSTILE_FILE_CASES ?? 40);

const TYPED = new Set(['ok', 'BAD_CONFIG_FILE', 'ZK_TLS_FAILED', 'BAD_ARGUMENT']);

test(`fuzz: ${CASES} generated XML property graphs through every reader (seed ${SEED})`, async () => {
  const report = await runHostile(['xml', String(SEED), String(CASES)], 120_000);
  assert.equal(report.outcomes.length, CASES * 4);
  assert.deepEqual(report.outcomes.filter((o) => !TYPED.has(o)), [], 'every failure typed');
  assert.ok(report.maxRssMb < MAX_RSS_MB, `peak ${report.maxRssMb} MB`);
  // Output is bounded by the input (no expansion of values nobody reads): a few MB per file at most.
  assert.ok(report.outputChars < CASES * 16 * 1024 * 1024, `${report.outputChars} characters`);
});

test(`fuzz: ${CASES} generated TLS stores as truststore and keystore (seed ${SEED})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-stores-'));
  try {
    const report = await runHostile(['store', String(SEED), String(CASES), dir], 120_000);
    assert.equal(report.outcomes.length, CASES * 2);
    assert.deepEqual(report.outcomes.filter((o) => !TYPED.has(o)), [], 'every failure typed');
    assert.ok(report.maxRssMb < MAX_RSS_MB, `peak ${report.maxRssMb} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
