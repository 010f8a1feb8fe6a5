// The health probe against rogue loopback servers: one deadline for the whole probe of a server,
// given up after its first timeout, and generated rogue ensembles (silent, dripping, flooding,
// garbage, deep or huge JSON) probed in a child process that must finish within its time and memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeServer } from '../../src/core/health/serverHealth';
import { MAX_RSS_MB, runHostile } from '../support/hostileRun';
import { prng } from '../support/prng';
import { ROGUE_BEHAVIOURS, startRogue, type Rogue } from '../support/rogueHealth';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

async function withRogues<T>(behaviours: Parameters<typeof startRogue>[0][], body: (rogues: Rogue[]) => Promise<T>): Promise<T> {
  const rogues = await Promise.all(behaviours.map(startRogue));
  try {
    return await body(rogues);
  } finally {
    await Promise.all(rogues.map((r) => r.close()));
  }
}

test('words unanswered and a silent AdminServer: one AdminServer request, then the probe gives up', async () => {
  await withRogues(['close', 'httpSilent'], async ([words, admin]) => {
    const health = await probeServer({ host: '127.0.0.1', port: words?.port ?? 0 }, { adminPort: admin?.port ?? 0, timeoutMs: 1000 });
    assert.equal(admin?.connections(), 1, 'one timeout, not one per word');
    assert.deepEqual([...health.missing].sort(), ['conf', 'cons', 'mntr', 'srvr']);
    assert.ok(health.problems.some((p) => /did not answer within/.test(p)), health.problems.join('; '));
  });
});

test('only srvr whitelisted and a dripping AdminServer: srvr answered, one AdminServer request for the rest', async () => {
  await withRogues(['srvrOnly', 'httpDrip'], async ([words, admin]) => {
    const health = await probeServer({ host: '127.0.0.1', port: words?.port ?? 0 }, { adminPort: admin?.port ?? 0, timeoutMs: 1000 });
    assert.equal(health.sources.srvr, 'fourLetterWord');
    assert.equal(health.mode, 'standalone');
    assert.equal(admin?.connections(), 1);
    assert.deepEqual([...health.missing].sort(), ['conf', 'cons', 'mntr']);
  });
});

test('a dripping four-letter-word port: the probe\'s one deadline ends it after one request', async () => {
  await withRogues(['drip', 'httpSilent'], async ([words, admin]) => {
    const health = await probeServer({ host: '127.0.0.1', port: words?.port ?? 0 }, { adminPort: admin?.port ?? 0, timeoutMs: 800 });
    assert.equal(words?.connections(), 1);
    assert.equal(admin?.connections(), 0);
    assert.equal(health.reachable, false);
  });
});

test(`generated rogue ensembles (seed ${SEED}): every probe ends within its deadline, memory bounded`, async () => {
  const random = prng(SEED);
  for (let round = 0; round < 4; round += 1) {
    const behaviours = Array.from({ length: 3 }, () => ROGUE_BEHAVIOURS[Math.floor(random() * ROGUE_BEHAVIOURS.length)] ?? 'silent');
    const adminBehaviour = ROGUE_BEHAVIOURS[Math.floor(random() * ROGUE_BEHAVIOURS.length)] ?? 'httpSilent';
    await withRogues([...behaviours, adminBehaviour], async (rogues) => {
      const servers = rogues.slice(0, 3).map((r) => `127.0.0.1:${r.port}`).join(',');
      const timeoutMs = 1500;
      const report = await runHostile(['health', JSON.stringify(servers), String(timeoutMs), String(rogues[3]?.port ?? 0)], 60_000);
      assert.equal(report.outcomes.length, 3, `${behaviours.join(',')} / ${adminBehaviour}`);
      // One deadline per server, probed in parallel: the timeout and a margin, far from the 3-4 timeouts of a probe per word.
      assert.ok((report.elapsedMs ?? Infinity) < timeoutMs * 2, `${behaviours.join(',')} / ${adminBehaviour}: ${report.elapsedMs} ms`);
      assert.ok(report.maxRssMb < MAX_RSS_MB, `${behaviours.join(',')} / ${adminBehaviour}: peak ${report.maxRssMb} MB`);
    });
  }
});
